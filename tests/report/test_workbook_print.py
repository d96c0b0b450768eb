"""The workbook prints: its charts cover neither each other nor any data (cell ranges computed from each chart's
anchor and size in the saved file), every bar of every indicator is drawn, and every sheet has a print area, its
header row on each page, one A4 page wide, landscape only where it is wider than a portrait page, in readable type."""

import dataclasses
from itertools import combinations

import pytest
from openpyxl import load_workbook
from openpyxl.drawing.spreadsheet_drawing import OneCellAnchor
from openpyxl.utils import column_index_from_string, range_boundaries

from warehouse.report import write_workbook

EMU_PER_PX, EMU_PER_CM = 9525, 360000
A4_INCHES = {"portrait": (8.27, 11.69), "landscape": (11.69, 8.27)}
DEFAULT_WIDTH, DEFAULT_ROW_POINTS, DEFAULT_FONT_POINTS = 8.43, 15.0, 11.0
SMALLEST_PRINTED_POINTS = 9.0  # body text on paper, after the fit-to-width scale
SMALLEST_SET_POINTS = 10.0  # any font set in a cell, the page header or footer


def column_widths_px(ws) -> dict[int, int]:
    """Pixel width of each column with a width of its own (a saved ``<col>`` may cover several columns)."""
    widths = {}
    for dimension in ws.column_dimensions.values():
        if dimension.customWidth:
            for column in range(dimension.min, dimension.max + 1):
                widths[column] = round(7 * dimension.width + 5)
    return widths


def column_px(ws, column: int, widths: dict[int, int]) -> int:
    return widths.get(column, round(7 * DEFAULT_WIDTH + 5))


def row_px(ws, row: int) -> float:
    height = ws.row_dimensions[row].ht if row in ws.row_dimensions else None
    return (height or DEFAULT_ROW_POINTS) * 96 / 72


def chart_cells(ws, chart) -> tuple[int, int, int, int]:
    """(first column, first row, last column, last row), 1-based, of the cells the chart covers in part or whole."""
    anchor = chart.anchor
    assert isinstance(anchor, OneCellAnchor), type(anchor)
    widths = column_widths_px(ws)
    first_column, first_row = anchor._from.col + 1, anchor._from.row + 1
    right = (anchor._from.colOff + anchor.ext.width) / EMU_PER_PX
    column = first_column
    while right > column_px(ws, column, widths):
        right -= column_px(ws, column, widths)
        column += 1
    bottom = (anchor._from.rowOff + anchor.ext.height) / EMU_PER_PX
    row = first_row
    while bottom > row_px(ws, row):
        bottom -= row_px(ws, row)
        row += 1
    return first_column, first_row, column, row


def overlap(a, b) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def print_area(ws) -> tuple[int, int, int, int]:
    return range_boundaries(ws.print_area.split("!")[-1].replace("$", ""))


def print_width_px(ws) -> int:
    first_column, _, last_column, _ = print_area(ws)
    widths = column_widths_px(ws)
    return sum(column_px(ws, c, widths) for c in range(first_column, last_column + 1))


def printable_px(ws, orientation: str) -> tuple[float, float]:
    width, height = A4_INCHES[orientation]
    m = ws.page_margins
    return (width - m.left - m.right) * 96, (height - m.top - m.bottom) * 96


def assert_charts_fit(ws) -> list[tuple[int, int, int, int]]:
    """No chart covers another chart or a cell with a value; every chart is inside the print area and starts a
    printed page that holds it whole."""
    ranges = [chart_cells(ws, chart) for chart in ws._charts]
    for a, b in combinations(ranges, 2):
        assert not overlap(a, b), f"charts over each other: {a} and {b}"
    for cells in ranges:
        covered = [c.coordinate for row in ws.iter_rows(min_col=cells[0], min_row=cells[1], max_col=cells[2],
                                                         max_row=cells[3]) for c in row if c.value is not None]
        assert not covered, f"a chart hides cells {covered[:5]}"
    area = print_area(ws)
    breaks = [b.id for b in ws.row_breaks.brk]
    scale = min(1.0, printable_px(ws, ws.page_setup.orientation)[0] / print_width_px(ws))
    page_height = printable_px(ws, ws.page_setup.orientation)[1] / scale - row_px(ws, 1)  # row 1 repeats
    for number, (c1, r1, c2, r2) in enumerate(ranges):
        assert area[0] <= c1 and area[1] <= r1 and c2 <= area[2] and r2 <= area[3], "a chart outside the print area"
        if number:
            assert r1 - 1 in breaks, f"the chart from row {r1} does not start a printed page"
        assert sum(row_px(ws, r) for r in range(r1, r2 + 1)) <= page_height, "a chart taller than a page"
    return ranges


@pytest.fixture
def workbook(province_report, tmp_path):
    return load_workbook(write_workbook(province_report, tmp_path / "report.xlsx"))


def test_charts_cover_neither_each_other_nor_data(workbook):
    sheet = workbook["Biểu đồ"]
    assert len(sheet._charts) == 2
    assert_charts_fit(sheet)


def test_every_indicator_of_the_catalogue_gets_its_bars(province_report, tmp_path):
    """A province with a value for each share indicator of the catalogue (the demo's case): one pair of bars
    (value, target) per indicator, at least 5 mm each, and the two charts still apart."""
    template = next(r for r in province_report.indicators if r.indicator_id == "1.1")  # two years, a target
    shares = tuple(dataclasses.replace(template, indicator_id=i) for i in province_report.indicator_names)
    report = dataclasses.replace(province_report, indicators=shares)
    sheet = load_workbook(write_workbook(report, tmp_path / "report.xlsx"))["Biểu đồ"]
    bars, trend = sheet._charts
    categories = bars.series[0].cat.strRef.f if bars.series[0].cat.strRef else bars.series[0].cat.numRef.f
    first, last = (int(part.split("$")[-1]) for part in categories.split(":"))
    assert last - first + 1 == len(shares) >= 19
    assert [sheet.cell(row, 1).value.split(" – ")[0] for row in range(first, last + 1)] == \
        list(province_report.indicator_names)
    assert bars.anchor.ext.height / EMU_PER_CM / len(shares) >= 0.5
    assert len(trend.series) == len(shares)
    assert_charts_fit(sheet)


def test_every_sheet_prints_one_page_wide_with_its_header_row(workbook):
    for ws in workbook.worksheets:
        assert ws.print_area, ws.title
        c1, r1, c2, r2 = print_area(ws)
        assert (c1, r1) == (1, 1) and c2 >= ws.max_column and r2 >= ws.max_row, ws.title
        assert ws.print_title_rows == "$1:$1", ws.title
        assert all(c.font.b for c in ws[1] if c.value is not None) and ws["A1"].value, ws.title
        setup = ws.page_setup
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert (int(setup.fitToWidth), int(setup.fitToHeight), int(setup.paperSize)) == (1, 0, 9), ws.title
        wide = print_width_px(ws) > printable_px(ws, "portrait")[0]
        assert setup.orientation == ("landscape" if wide else "portrait"), ws.title


def test_every_sheet_prints_in_readable_type(workbook):
    for ws in workbook.worksheets:
        sizes = {c.font.sz or DEFAULT_FONT_POINTS for row in ws.iter_rows() for c in row if c.value is not None}
        assert min(sizes) >= SMALLEST_SET_POINTS, ws.title
        assert ws.oddHeader.center.size >= SMALLEST_SET_POINTS and ws.oddFooter.right.size >= SMALLEST_SET_POINTS
        scale = min(1.0, printable_px(ws, ws.page_setup.orientation)[0] / print_width_px(ws))
        assert DEFAULT_FONT_POINTS * scale >= SMALLEST_PRINTED_POINTS, \
            f"{ws.title}: body text prints at {DEFAULT_FONT_POINTS * scale:.1f} pt"
