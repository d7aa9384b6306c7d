"""The interface strings a translator works on: the template's singular messages, with the
Vietnamese and English catalogs beside them and the language's own catalog as it is."""

from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from flask import current_app

# A catalog entry's translator comment that says a reviewer passed it; every other
# translated entry of a community language is a draft.
REVIEWED_COMMENT = "reviewed"


@dataclass(frozen=True)
class InterfaceString:
    number: int  # 1-based, in the template's order
    msgid: str
    python_format: bool


def catalog_file(language: str) -> Path:
    return (Path(current_app.config["LMS_TRANSLATIONS_DIR"]) / language / "LC_MESSAGES"
            / "messages.po")


def read_catalog_file(path: Path) -> Catalog | None:
    if not path.is_file():
        return None
    with path.open("rb") as source:
        return read_po(source)


def interface_strings() -> list[InterfaceString]:
    """The template's singular strings (plural forms are translated in the .po file)."""
    found = current_app.extensions.get("lms_interface_strings")
    if found is None:
        template = read_catalog_file(Path(current_app.config["LMS_TRANSLATIONS_DIR"])
                                     / "messages.pot")
        ids = [m for m in template if m.id and isinstance(m.id, str)] if template else []
        found = [InterfaceString(number=i, msgid=m.id, python_format=m.python_format)
                 for i, m in enumerate(ids, start=1)]
        current_app.extensions["lms_interface_strings"] = found
    return found


def file_strings(language: str) -> dict[str, tuple[str, bool]]:
    """msgid → (translation, reviewed) of the language's catalog file, translated only."""
    path = catalog_file(language)
    if not path.is_file():
        return {}
    cache = current_app.extensions.setdefault("lms_interface_files", {})
    key = (language, path.stat().st_mtime_ns)
    if key not in cache:
        for old in [old for old in cache if old[0] == language]:
            del cache[old]
        cache[key] = _translated(read_catalog_file(path))
    return cache[key]


def _translated(catalog: Catalog) -> dict[str, tuple[str, bool]]:
    return {m.id: (m.string, REVIEWED_COMMENT in m.user_comments) for m in catalog
            if m.id and isinstance(m.id, str) and isinstance(m.string, str) and m.string}
