"""Cells written to a spreadsheet (CSV or XLSX): one rule for every download.

A text cell that a spreadsheet program would run as a formula (it starts with `=`, `+`,
`-`, `@`, a tab or a carriage return) gets a leading apostrophe, so it is shown as text.
XLSX cannot hold control characters at all (the file would not open): they are dropped.
"""

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value):
    """The value as a CSV cell: text that would start a formula is made plain text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def xlsx_cell(value):
    """The value as an XLSX cell: neutralised, and without the control characters the
    format cannot store."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return neutralise_cell(value)
