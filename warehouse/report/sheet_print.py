"""A workbook sheet fit for print on A4: a print area over its cells and charts, the header row repeated on every
page, one page wide (as many pages tall as needed), portrait unless the sheet is wider than a portrait page.

Sheet geometry in pixels at 100% as spreadsheet programs draw it: a column ``w`` characters wide of the default font
(Calibri 11, 7 px a character) is ``7w + 5`` px, a row of ``h`` points is ``h × 96 / 72`` px.
"""

from __future__ import annotations

import math

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

PX_PER_INCH, PX_PER_CM = 96, 96 / 2.54
A4_INCHES = {"portrait": 8.27, "landscape": 11.69}  # the page's width
MARGINS = PageMargins(left=0.3, right=0.3, top=0.6, bottom=0.6, header=0.25, footer=0.25)  # inches
DEFAULT_COLUMN_WIDTH, ROW_POINTS = 8.43, 15.0
HEADER_FOOTER_POINTS = 10


def column_px(ws: Worksheet, column: int) -> int:
    dimension = ws.column_dimensions.get(get_column_letter(column))
    width = dimension.width if dimension is not None and dimension.customWidth else DEFAULT_COLUMN_WIDTH
    return round(7 * width + 5)


def printable_px(orientation: str) -> float:
    return (A4_INCHES[orientation] - MARGINS.left - MARGINS.right) * PX_PER_INCH


def width_px(ws: Worksheet, last_column: int) -> int:
    """Width of columns A to ``last_column``."""
    return sum(column_px(ws, c) for c in range(1, last_column + 1))


def columns_spanned(ws: Worksheet, first_column: int, cm: float) -> int:
    """How many columns from ``first_column`` an object ``cm`` wide covers, in part or whole."""
    left, column = cm * PX_PER_CM, first_column
    while True:
        left -= column_px(ws, column)
        if left <= 0:
            return column - first_column + 1
        column += 1


def rows_spanned(cm: float) -> int:
    """How many default-height rows an object ``cm`` tall covers, in part or whole."""
    return math.ceil(cm * PX_PER_CM / (ROW_POINTS * PX_PER_INCH / 72))


def fit_for_print(ws: Worksheet, title: str, last_column: int, last_row: int) -> None:
    """Print ``A1`` to (``last_column``, ``last_row``) one page wide on A4, row 1 on every page, the report's title
    above and the page number below."""
    ws.print_area = f"A1:{get_column_letter(last_column)}{last_row}"
    ws.print_title_rows = "1:1"
    setup = ws.page_setup
    setup.paperSize = ws.PAPERSIZE_A4
    setup.orientation = "portrait" if width_px(ws, last_column) <= printable_px("portrait") else "landscape"
    setup.fitToWidth, setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = MARGINS
    ws.oddHeader.center.text = title.replace("&", "&&")
    ws.oddHeader.center.size = HEADER_FOOTER_POINTS
    ws.oddFooter.right.text = "&P / &N"
    ws.oddFooter.right.size = HEADER_FOOTER_POINTS
