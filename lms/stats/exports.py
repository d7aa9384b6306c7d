"""Downloads of a figures page: CSV and XLSX with the page's own tables, a header block
naming the place, the filters and the date, numbers as numbers."""

import csv
import io
from datetime import datetime

from flask import Response
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from ..spreadsheets import neutralise_cell, xlsx_cell
from .tables import Table

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def header_block(place: str, filters: list[tuple[str, str]], when: datetime) -> list[list]:
    rows = [[_("Figures"), place], [_("Date"), when.strftime("%Y-%m-%d %H:%M")]]
    rows += [[label, value] for label, value in filters] or [[_("Filters"), _("None")]]
    rows.append([_("Groups of fewer than 5 people are shown as <5; ≥5 hides a figure that "
                   "would let a <5 be worked out.")])
    return rows


def sheet_rows(tables: list[Table]) -> list[list]:
    rows = []
    for table in tables:
        rows += [[], [table.title], list(table.columns)]
        rows += [list(row) for row in table.rows]
    return rows


def as_csv(header: list[list], tables: list[Table], filename: str) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in header + sheet_rows(tables):
        writer.writerow([neutralise_cell(cell) for cell in row])
    # A byte order mark: spreadsheet programs then read the Vietnamese letters right.
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}.csv"'})


def as_xlsx(header: list[list], tables: list[Table], filename: str) -> Response:
    book = Workbook()
    sheet = book.active
    sheet.title = _("Figures")[:31]
    for row in header:
        sheet.append([xlsx_cell(cell) for cell in row])
    sheet.cell(row=1, column=1).font = Font(bold=True)
    for row in sheet_rows(tables):
        sheet.append([xlsx_cell(cell) for cell in row])
        if len(row) == 1:
            sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
    sheet.column_dimensions["A"].width = 48
    out = io.BytesIO()
    book.save(out)
    return Response(out.getvalue(), mimetype=XLSX_TYPE, headers={
        "Content-Disposition": f'attachment; filename="{filename}.xlsx"'})
