"""Villages from a spreadsheet: `code, name, kind, commune`, checked row by row before
anything is written, then added in one transaction.

The file must be UTF-8 (with or without the byte-order mark Excel puts in front of a
"CSV UTF-8" file). Other encodings are refused with a message saying how to save the
file, not guessed: a Windows-1258 or -1252 file decodes to *some* text almost always, so
a guess would silently store wrong Vietnamese names. Excel in a Vietnamese locale saves
with `;` between cells: the separator is read from the header line (`,`, `;` or tab).
A cell that starts with `=`, `+`, `-` or `@` is stored as plain text (it is never
evaluated here) and neutralised when it is written to a spreadsheet again
(`lms.spreadsheets.neutralise_cell`).
"""

import csv
import io
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..models_common import nfc
from .models import Commune, Village
from .operations import PlaceError, clean_name, create_village, village_kind

COLUMNS = ("code", "name", "kind", "commune")
# Headings people write in Vietnamese for the same columns.
_HEADINGS = {"code": "code", "mã": "code", "ma": "code", "name": "name", "tên": "name",
             "ten": "name", "kind": "kind", "loại": "kind", "loai": "kind",
             "commune": "commune", "xã": "commune", "xa": "commune", "xã/phường": "commune"}
MAX_ROWS = 5000
MAX_CODE_LENGTH = 20



@dataclass
class ImportRow:
    line: int
    code: str
    name: str
    kind: str
    commune: str
    commune_id: int | None = None
    errors: list[str] = field(default_factory=list)


@dataclass
class ImportPreview:
    rows: list[ImportRow] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.file_errors and bool(self.rows) and not any(r.errors for r in self.rows)

    @property
    def error_count(self) -> int:
        return len(self.file_errors) + sum(1 for r in self.rows if r.errors)


def decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise PlaceError(_(
            "Line %(line)s is not UTF-8 text. In Excel choose File, Save as, and the type "
            "\"CSV UTF-8 (Comma delimited)\", then upload that file.", line=line)) from None


def _separator(header_line: str) -> str:
    counts = {sep: header_line.count(sep) for sep in (",", ";", "\t")}
    return max(counts, key=counts.get)


def _communes_by_key(communes_query) -> dict[str, Commune]:
    found = {}
    for commune in db.session.scalars(communes_query):
        found[nfc(commune.name).lower()] = commune
        if commune.code:
            found[commune.code.lower()] = commune
    return found


def preview(data: bytes, communes_query) -> ImportPreview:
    """Read and check every row; nothing is written."""
    result = ImportPreview()
    try:
        text = decode(data)
    except PlaceError as error:
        result.file_errors.append(str(error))
        return result
    if "\x00" in text:
        result.file_errors.append(_("This is not a CSV file."))
        return result
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        result.file_errors.append(_("The file is empty."))
        return result
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_separator(lines[0]))
    try:
        header = [_HEADINGS.get(nfc(cell).strip().lower(), "") for cell in next(reader)]
    except csv.Error:
        header = []
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        result.file_errors.append(_(
            "Line 1 must name the columns code, name, kind, commune (missing: %(missing)s).",
            missing=", ".join(missing)))
        return result
    where = {name: header.index(name) for name in COLUMNS}
    communes = _communes_by_key(communes_query)
    seen_codes: dict[str, int] = {}
    seen_names: dict[tuple[int, str], int] = {}
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(result.rows) >= MAX_ROWS:
                result.file_errors.append(_("At most %(count)s rows at once.", count=MAX_ROWS))
                break
            values = {name: nfc(cells[i]).strip() if i < len(cells) else ""
                      for name, i in where.items()}
            row = ImportRow(line=reader.line_num, **values)
            _check(row, communes, seen_codes, seen_names)
            result.rows.append(row)
    except csv.Error as error:
        result.file_errors.append(_("Line %(line)s cannot be read: %(reason)s",
                                    line=reader.line_num, reason=str(error)))
    if not result.rows and not result.file_errors:
        result.file_errors.append(_("The file has no villages below its first line."))
    return result


def _check(row: ImportRow, communes: dict, seen_codes: dict, seen_names: dict) -> None:
    if not row.code:
        row.errors.append(_("The code is missing."))
    elif len(row.code) > MAX_CODE_LENGTH:
        row.errors.append(_("The code is too long (at most %(count)s characters).",
                            count=MAX_CODE_LENGTH))
    elif row.code in seen_codes:
        row.errors.append(_("The code %(code)s is also on line %(line)s.", code=row.code,
                            line=seen_codes[row.code]))
    elif db.session.scalar(select(Village.id).where(Village.code == row.code)):
        row.errors.append(_("A village with the code %(code)s already exists.", code=row.code))
    if row.code:
        seen_codes.setdefault(row.code, row.line)
    try:
        row.name = clean_name(row.name)
    except PlaceError as error:
        row.errors.append(str(error))
    kind = village_kind(row.kind or "ban")
    if kind is None:
        row.errors.append(_("Unknown kind %(kind)s: write bản, tiểu khu or tổ dân phố.",
                            kind=row.kind))
    else:
        row.kind = kind
    commune = communes.get(row.commune.lower())
    if commune is None:
        row.errors.append(_("Unknown commune %(name)s.", name=row.commune or "—"))
    elif not commune.active:
        row.errors.append(_("The commune %(name)s is no longer active.", name=commune.name))
    else:
        row.commune_id = commune.id
        key = (commune.id, row.name.lower())
        if key in seen_names:
            row.errors.append(_("The village %(name)s is also on line %(line)s.",
                                name=row.name, line=seen_names[key]))
        elif db.session.scalar(select(Village.id).where(Village.commune_id == commune.id,
                                                        Village.name == row.name)):
            row.errors.append(_("%(commune)s already has a village called %(name)s.",
                                commune=commune.name, name=row.name))
        seen_names.setdefault(key, row.line)


def apply(data: bytes, communes_query) -> ImportPreview:
    """Check again, then add every village (the caller commits once, or nothing)."""
    result = preview(data, communes_query)
    if not result.ok:
        return result
    communes = {c.id: c for c in db.session.scalars(communes_query)}
    for row in result.rows:
        create_village(communes[row.commune_id], row.name, row.kind, row.code)
    return result
