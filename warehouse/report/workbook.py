"""The progress report as an Excel workbook: a summary, indicators against targets, trend, breakdowns,
activities, inspections, cases, who has reported on time, and native charts of each indicator against its
target; every sheet prints one A4 page wide (``sheet_print``).

Numbers are stored as numbers with their format (percent, days, thousands); a value that is not shown (suppressed,
no data, no denominator) is written as words, never as an empty or zero number.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from warehouse.infra.atomic_file import replaced_atomically
from warehouse.report.completeness import period_label
from warehouse.report.counts import Count
from warehouse.report.formatting import COMPARATOR_SIGNS, Formatter
from warehouse.report.gather import ProgressReport
from warehouse.report.indicator_results import Cell, IndicatorResult
from warehouse.report.programme import ProgrammeRegisters
from warehouse.report.sheet_print import columns_spanned, fit_for_print, rows_spanned

PERCENT, INTEGER, DAYS = "0.0%", "#,##0", "0.0"
HEADER_FILL = PatternFill("solid", start_color="DCE6F1")
STATUS_FILLS = {"met": "D8EFE1", "on_track": "DCEAF8", "off_track": "F8DED6", "cannot_tell": "FBEFD5"}
REPORTING_FILLS = {"on_time": "D8EFE1", "late": "FBEFD5", "missing": "F8DED6"}
WORDS_FONT = Font(italic=True, color="5D6B7C")
WRAPPED = Alignment(wrap_text=True, vertical="top")
CHART_WIDTH_CM, CHART_MIN_HEIGHT_CM, CHART_MAX_HEIGHT_CM, CHART_GAP_ROWS = 15.0, 7.5, 15.0, 2
FORMULA_STARTS = ("=", "+", "-", "@")  # what a spreadsheet reads as the start of a formula


def write_workbook(report: ProgressReport, path: str | Path, language: str = "vi") -> Path:
    """Write the workbook to a temporary file beside ``path``, then put it in place (a failure leaves the last one)."""
    path = Path(path)
    workbook = build_workbook(report, language)
    with replaced_atomically(path) as temporary:
        workbook.save(temporary)
    return path


def build_workbook(report: ProgressReport, language: str = "vi") -> Workbook:
    f = Formatter.for_report(report, language)
    lab = f.labels
    workbook = Workbook()
    _summary(workbook.active, report, f)
    _indicators(workbook.create_sheet(lab("sheet_indicators")), report, f)
    _trend(workbook.create_sheet(lab("sheet_trend")), report, f)
    if report.area.level != "commune":
        _by_commune(workbook.create_sheet(lab("sheet_communes")), report, f)
    _breakdowns(workbook.create_sheet(lab("sheet_breakdowns")), report, f)
    _activities(workbook.create_sheet(lab("sheet_activities")), report, f)
    _inspections(workbook.create_sheet(lab("sheet_inspections")), report, f)
    _cases(workbook.create_sheet(lab("sheet_cases")), report, f)
    _completeness(workbook.create_sheet(lab("sheet_completeness")), report, f)
    if report.programme != ProgrammeRegisters():
        _programme(workbook.create_sheet(lab("sheet_programme")), report, f)
    charts_sheet = workbook.create_sheet(lab("sheet_charts"))
    charts_end = _charts(charts_sheet, report, f)
    title = f.title(report)
    for sheet in workbook.worksheets:
        _text_cells(sheet)
        last_column, last_row = charts_end if sheet is charts_sheet else (0, 0)
        fit_for_print(sheet, title, max(sheet.max_column, last_column), max(sheet.max_row, last_row))
    workbook.properties.title = title
    return workbook


def _text_cells(ws: Worksheet) -> None:
    """Text wraps within its column and stays text: text starting like a formula (a target's source document
    ``=HYPERLINK(…)``) gets the quote prefix that keeps it text when someone edits the cell."""
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                if not cell.alignment.wrap_text:
                    cell.alignment = WRAPPED
                if cell.value.startswith(FORMULA_STARTS):
                    cell.data_type, cell.quotePrefix = "s", True


# ---------------------------------------------------------------- cells


def _header(ws: Worksheet, row: int, headers: list[str]) -> None:
    for column, text in enumerate(headers, 1):
        cell = ws.cell(row, column, text)
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        cell.alignment = WRAPPED


def _widths(ws: Worksheet, widths: list[float]) -> None:
    for column, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(column)].width = width


def _table_sheet(ws: Worksheet, headers: list[str], widths: list[float], freeze: str) -> None:
    _header(ws, 1, headers)
    _widths(ws, widths)
    ws.freeze_panes = freeze


def _number(ws: Worksheet, row: int, column: int, value, number_format: str) -> None:
    ws.cell(row, column, value).number_format = number_format


def _words(ws: Worksheet, row: int, column: int, text: str) -> None:
    ws.cell(row, column, text).font = WORDS_FONT


def _value_format(unit: str) -> str:
    return PERCENT if unit == "share" else DAYS


def _write_cell(ws: Worksheet, row: int, column: int, cell: Cell, unit: str, f: Formatter) -> None:
    """Numerator, denominator, value, interval low and high from ``column`` on; words where there is no number."""
    says_why = {0: cell.status == "suppressed", 1: cell.status in ("suppressed", "no_denominator"), 2: True}
    for offset, number, number_format in ((0, cell.numerator, INTEGER), (1, cell.denominator, INTEGER),
                                          (2, cell.value, _value_format(unit))):
        if number is not None:
            _number(ws, row, column + offset, number, number_format)
        elif says_why[offset]:
            _words(ws, row, column + offset, f.status(cell.status))
    for offset, bound in ((3, cell.ci_low), (4, cell.ci_high)):
        if bound is not None:
            _number(ws, row, column + offset, bound, PERCENT)


def _status(ws: Worksheet, row: int, column: int, status: str, f: Formatter) -> None:
    cell = ws.cell(row, column, f.status(status))
    if status in STATUS_FILLS:
        cell.fill = PatternFill("solid", start_color=STATUS_FILLS[status])
        cell.font = Font(bold=True)
    else:
        cell.font = WORDS_FONT


def _count(ws: Worksheet, row: int, column: int, count: Count, f: Formatter) -> None:
    if count.suppressed:
        _words(ws, row, column, f.count(count))
    else:
        _number(ws, row, column, count.value, INTEGER)


def _names(ws: Worksheet, row: int, r: IndicatorResult, f: Formatter) -> None:
    ws.cell(row, 1, r.indicator_id).font = Font(bold=True)
    ws.cell(row, 2, f.labels.indicator(r.indicator_id))
    ws.cell(row, 3, f.labels.source(r.source))


def _block(ws: Worksheet, row: int, heading: str, headers: list[str]) -> int:
    """A bold heading and a header row from ``row``; returns the first data row."""
    ws.cell(row, 1, heading).font = Font(bold=True, size=12)
    _header(ws, row + 1, headers)
    return row + 2


# ---------------------------------------------------------------- sheets


def _summary(ws: Worksheet, report: ProgressReport, f: Formatter) -> None:
    lab = f.labels
    ws.title = lab("sheet_summary")
    ws["A1"] = f.title(report)
    ws["A1"].font = Font(bold=True, size=14, color="123A66")
    ws["A2"] = lab("programme")
    ws["A3"] = lab("generated_on", date=f.date(report.generated_on))
    ws["A4"] = " · ".join(f.data_state(report))
    ws["A4"].font = Font(bold=True, color="123A66" if report.approval.state == "approved" else "9C2B23")
    _widths(ws, [64, 18])
    row = _block(ws, 5, lab("status_overview"), [lab("status"), lab("number")])
    for status, n in report.statuses():
        _status(ws, row, 1, status, f)
        _number(ws, row, 2, n, INTEGER)
        row += 1
    a, i, c = report.activities, report.inspections, report.cases
    row = _block(ws, row + 1, lab("key_figures"), [lab("item"), lab("number")])
    for key, value in (("activities_held", a.activities), ("trainings_held", a.trainings),
                       ("participants", a.participants), ("reached_new", a.reached_new),
                       ("trained_new", a.trained_new), ("inspected", i.inspected)):
        ws.cell(row, 1, lab(key))
        _number(ws, row, 2, value, INTEGER)
        row += 1
    for key, count in (("found_child_labour", i.child_labour), ("in_violation", i.violation),
                       ("cases_identified", c.identified), ("cases_supported_in_time", c.supported_in_time)):
        ws.cell(row, 1, lab(key))
        _count(ws, row, 2, count, f)
        row += 1
    ws.cell(row + 1, 1, lab("notes")).font = Font(bold=True, size=12)
    for offset, note in enumerate(f.notes(report), row + 2):
        ws.cell(offset, 1, note)
    ws.freeze_panes = "A2"


def _indicators(ws: Worksheet, report: ProgressReport, f: Formatter) -> None:
    lab = f.labels
    headers = [lab(k) for k in ("code", "indicator", "source", "numerator", "denominator", "value", "ci_low",
                                "ci_high", "target_comparator", "target_value", "target_year", "target_source",
                                "gap", "status", "status_explained")]
    _table_sheet(ws, headers, [6, 28, 12, 8, 8, 10, 8, 8, 8, 9, 7, 14, 12, 12, 22], "C2")
    gap_unit = {"share": lab("points", n="").strip(), "days": lab("days", n="").strip()}
    for row, r in enumerate(report.indicators, 2):
        _names(ws, row, r, f)
        _write_cell(ws, row, 4, r.cell, r.unit, f)
        if r.target is not None:
            minimise = r.target.comparator == "minimise"
            ws.cell(row, 9, lab("minimise") if minimise else COMPARATOR_SIGNS[r.target.comparator])
            if r.target.value is not None:
                _number(ws, row, 10, r.target.value, _value_format(r.unit))
            _number(ws, row, 11, r.target.year, "0")
            ws.cell(row, 12, r.target.source_document)
        if r.gap is not None:
            gap = r.gap * 100 if r.unit == "share" else r.gap
            _number(ws, row, 13, gap, f'+0.0" {gap_unit[r.unit]}";-0.0" {gap_unit[r.unit]}";0.0')
        _status(ws, row, 14, r.cell.status, f)
        _words(ws, row, 15, f.explain(r.cell, r.target, r.unit))
    ws.auto_filter.ref = f"A1:O{len(report.indicators) + 1}"


def _trend(ws: Worksheet, report: ProgressReport, f: Formatter) -> None:
    lab = f.labels
    headers = [lab(k) for k in ("code", "indicator", "source", "period", "numerator", "denominator", "value",
                                "ci_low", "ci_high", "status")]
    _table_sheet(ws, headers, [6, 30, 14, 9, 8, 8, 10, 8, 8, 14], "E2")
    row = 2
    for r in (r for r in report.indicators if r.has_data):
        for cell in r.periods:
            _names(ws, row, r, f)
            ws.cell(row, 4, cell.period)
            _write_cell(ws, row, 5, cell, r.unit, f)
            _status(ws, row, 10, cell.status, f)
            row += 1
    ws.auto_filter.ref = f"A1:J{max(row - 1, 1)}"


def _by_commune(ws: Worksheet, report: ProgressReport, f: Formatter) -> None:
    lab = f.labels
    headers = [lab(k) for k in ("code", "indicator", "source", "commune_code", "commune", "numerator", "denominator",
                                "value", "ci_low", "ci_high", "status")]
    _table_sheet(ws, headers, [6, 30, 14, 9, 24, 8, 8, 10, 8, 8, 14], "F2")
    row = 2
    for r in report.indicators:
        for group in r.by_commune:
            _names(ws, row, r, f)
            ws.cell(row, 4, group.code)
            ws.cell(row, 5, group.name)
            _write_cell(ws, row, 6, group.cell, r.unit, f)
            _status(ws, row, 11, group.cell.status, f)
            row += 1
    ws.auto_filter.ref = f"A1:K{max(row - 1, 1)}"


def _breakdowns(ws: Worksheet, report: ProgressReport, f: Formatter) -> None:
    lab = f.labels
    headers = [lab(k) for k in ("code", "indicator", "source", "breakdown", "group", "numerator", "denominator",
                                "value", "ci_low", "ci_high", "status")]
    _table_sheet(ws, headers, [6, 30, 14, 12, 14, 8, 8, 10, 8, 8, 14], "F2")
    row = 2
    for r in report.indicators:
        groups = [(lab("sex"), lab.choice("sex", g.code), g) for g in r.by_sex]
        groups += [(lab("age_band"), lab.age_band(g.code), g) for g in r.by_age_band]
        groups += [(lab("work_sector"), lab.work_sector(g.code), g) for g in r.by_work_sector]
        groups += [(lab("craft_village"), lab.craft_village(g.code), g) for g in r.by_craft_village]
        for dimension, name, group in groups:
            _names(ws, row, r, f)
            ws.cell(row, 4, dimension)
            ws.cell(row, 5, name)
            _write_cell(ws, row, 6, group.cell, r.unit, f)
            _status(ws, row, 11, group.cell.status, f)
            row += 1
    ws.auto_filter.ref = f"A1:K{max(row - 1, 1)}"


def _activities(ws: Worksheet, report: ProgressReport, f: Formatter) -> None:
    lab, a = f.labels, report.activities
    _table_sheet(ws, [lab("item"), lab("number")], [58, 16, 18, 18, 18], "A2")
    rows = (("activities_held", a.activities), ("trainings_held", a.trainings), ("participants", a.participants),
            ("participants_male", a.participants_male), ("participants_female", a.participants_female),
            ("participants_sex_not_reported", a.participants_sex_not_reported), ("reached_new", a.reached_new),
            ("trained_new", a.trained_new), *((f"m_{name}", value) for name, value in a.records))
    for row, (key, value) in enumerate(rows, 2):
        ws.cell(row, 1, lab(key))
        if value is None:
            ws.cell(row, 2, lab("suppressed_short"))
        else:
            _number(ws, row, 2, value, INTEGER)
    row = _block(ws, len(rows) + 3, lab("by_activity_type"),
                 [lab("activity_type"), lab("activity_count"), lab("participants")])
    for t in a.by_type:
        ws.cell(row, 1, lab.choice("activity_type", t.code))
        _number(ws, row, 2, t.activities, INTEGER)
        _number(ws, row, 3, t.participants, INTEGER)
        row += 1
    row = _block(ws, row + 1, lab("by_audience"), [lab(k) for k in ("audience", "activity_count", "reached",
                                                                     "reached_new", "trained_new")])
    for g in a.by_audience:
        ws.cell(row, 1, lab.choice("audience", g.code))
        for column, value in enumerate((g.activities, g.reached, g.reached_new, g.trained_new), 2):
            _number(ws, row, column, value, INTEGER)
        row += 1


def _inspections(ws: Worksheet, report: ProgressReport, f: Formatter) -> None:
    lab, i = f.labels, report.inspections
    _table_sheet(ws, [lab("item"), lab("number")], [46, 16, 18, 16, 18], "A2")
    ws.cell(2, 1, lab("inspected"))
    _number(ws, 2, 2, i.inspected, INTEGER)
    for row, (key, count) in enumerate((("found_child_labour", i.child_labour), ("in_violation", i.violation),
                                        ("sanctioned", i.sanctioned), ("fined", i.fined)), 3):
        ws.cell(row, 1, lab(key))
        _count(ws, row, 2, count, f)
    ws.cell(7, 1, lab("fines_total"))
    if i.fines_total is None:
        _words(ws, 7, 2, f.money(None))
    else:
        _number(ws, 7, 2, i.fines_total, INTEGER)
    for row, (key, count) in enumerate((("young_workers", i.young_workers),
                                        ("young_child_labourers", i.young_child_labourers)), 8):
        ws.cell(row, 1, lab(key))
        _count(ws, row, 2, count, f)
    row = _block(ws, 11, lab("by_establishment_type"),
                 [lab(k) for k in ("establishment_type", "inspected", "found_child_labour", "in_violation",
                                   "sanctioned")])
    for t in i.by_establishment_type:
        ws.cell(row, 1, lab.choice("establishment_type", t.code))
        _number(ws, row, 2, t.inspected, INTEGER)
        for column, count in enumerate((t.child_labour, t.violation, t.sanctioned), 3):
            _count(ws, row, column, count, f)
        row += 1


def _cases(ws: Worksheet, report: ProgressReport, f: Formatter) -> None:
    lab, c = f.labels, report.cases
    _table_sheet(ws, [lab("item"), lab("number")], [58, 16], "A2")
    for row, (key, count) in enumerate((("cases_identified", c.identified),
                                        ("cases_supported_in_time", c.supported_in_time),
                                        ("cases_followed_up", c.followed_up), ("cases_closed", c.closed)), 2):
        ws.cell(row, 1, lab(key))
        _count(ws, row, 2, count, f)
    row = 7
    for heading, column, list_name, counts in (("by_case_type", "case_type", "case_type", c.by_type),
                                               ("by_case_status", "case_status", "case_status", c.by_status),
                                               ("by_closure_reason", "closure_reason", "closure_reason",
                                                c.closed_by_reason)):
        row = _block(ws, row, lab(heading), [lab(column), lab("number")])
        for code, count in counts:
            ws.cell(row, 1, lab.choice(list_name, code))
            _count(ws, row, 2, count, f)
            row += 1
        row += 1


def _completeness(ws: Worksheet, report: ProgressReport, f: Formatter) -> None:
    """Every expected report of the area's communes for the year, missing and late first, then a note of the day
    assessed."""
    lab, c = f.labels, report.completeness
    headers = [lab(k) for k in ("form", "period", "commune_code", "commune", "expected", "received",
                                "received_on_time", "received_late", "still_missing", "deadline", "completed_on",
                                "reporting_status")]
    _table_sheet(ws, headers, [24, 16, 10, 26, 10, 10, 11, 11, 10, 12, 12, 16], "E2")
    day_format = "dd/mm/yyyy" if lab.language == "vi" else "d mmm yyyy"
    for row, r in enumerate(c.rows, 2):
        ws.cell(row, 1, lab(f"form_{r.form_id}"))
        ws.cell(row, 2, period_label(lab, r.period, f.date))
        ws.cell(row, 3, r.commune_code)
        ws.cell(row, 4, r.commune_name)
        for column, n in enumerate((r.expected, r.received, r.on_time, r.late, r.missing), 5):
            _number(ws, row, column, n, INTEGER)
        _number(ws, row, 10, r.deadline, day_format)
        if r.completed_on is not None:
            _number(ws, row, 11, r.completed_on, day_format)
        status = ws.cell(row, 12, lab(f"reporting_{r.status}"))
        status.font = Font(bold=r.status in REPORTING_FILLS)
        if r.status in REPORTING_FILLS:
            status.fill = PatternFill("solid", start_color=REPORTING_FILLS[r.status])
    last = len(c.rows) + 1
    ws.auto_filter.ref = f"A1:L{last}"
    note = lab("completeness_as_of", date=f.date(c.as_of)) if c.rows else lab("no_expected_reporting")
    _words(ws, last + 2, 1, note)


def _programme(ws: Worksheet, report: ProgressReport, f: Formatter) -> None:
    """Each programme's pilot or model communes against the area's others, the indicators by responsible sector,
    and the budget allocated and spent (``warehouse.report.programme``)."""
    lab, p = f.labels, report.programme
    _widths(ws, [6, 32, 14, 10, 10, 10, 9, 9, 10, 10, 10, 9, 9])
    row = 1
    for c in p.comparisons:
        ws.cell(row, 1, lab("programme_comparison", name=c.programme_name)).font = Font(bold=True, size=12)
        _words(ws, row + 1, 1, lab("programme_sites", kind=lab(f"site_kind_{c.site_kind}"),
                                   sites=", ".join(c.sites), pilot=c.pilot_communes, others=c.other_communes))
        columns = ("numerator", "denominator", "value", "ci_low", "ci_high")
        groups = ("group_pilot", "group_others")
        _header(ws, row + 2, [lab("code"), lab("indicator"), lab("source"),
                              *(f"{lab(group)}: {lab(k)}" for group in groups for k in columns)])
        row += 3
        for i in c.indicators:
            ws.cell(row, 1, i.indicator_id).font = Font(bold=True)
            ws.cell(row, 2, lab.indicator(i.indicator_id))
            ws.cell(row, 3, lab.source(i.source))
            for column, cell in ((4, i.pilot), (9, i.others)):
                _write_cell(ws, row, column, cell, i.unit, f)
            if not (i.pilot.exact_territory and i.others.exact_territory):
                _words(ws, row, 14, lab("approximate_short"))
            row += 1
        _words(ws, row, 1, lab("comparison_note"))
        row += 2
    if p.responsibilities:
        row = _block(ws, row, lab("by_sector"), [lab(k) for k in (
            "sector", "agency", "part", "code", "indicator", "source", "numerator", "denominator", "value", "ci_low",
            "ci_high", "status")])
        for r in p.responsibilities:
            ws.cell(row, 1, lab(f"sector_{r.sector}")).font = Font(bold=True)
            ws.cell(row, 2, r.agency)
            ws.cell(row, 3, lab(f"part_{r.part}"))
            ws.cell(row, 4, r.result.indicator_id)
            ws.cell(row, 5, lab.indicator(r.result.indicator_id))
            ws.cell(row, 6, lab.source(r.result.source))
            _write_cell(ws, row, 7, r.result.cell, r.result.unit, f)
            _status(ws, row, 12, r.result.cell.status, f)
            row += 1
        row += 1
    if p.budget:
        row = _block(ws, row, lab("budget", year=report.year), [lab(k) for k in (
            "activity_line", "allocated", "spent", "share_spent", "unreported")])
        for b in p.budget:
            ws.cell(row, 1, lab(f"line_{b.activity_line}" if b.activity_line else "budget_total")).font = Font(
                bold=not b.activity_line)
            for column, amount in ((2, b.allocated), (3, b.spent), (5, b.unreported)):
                if amount is not None:
                    _number(ws, row, column, amount, INTEGER)
            if b.share_spent is not None:
                _number(ws, row, 4, b.share_spent, PERCENT)
            row += 1
        for offset, note in enumerate(f.budget_notes(report), start=1):
            _words(ws, row + offset, 1, note)


def _charts(ws: Worksheet, report: ProgressReport, f: Formatter) -> tuple[int, int]:
    """Chart data (shares with a value only: a hidden value is never drawn as zero), then the charts to the right of
    it, one below the other, each sized to its data and starting a printed page; returns the last column and row
    they cover."""
    lab = f.labels
    shares = [r for r in report.indicators if r.unit == "share" and r.cell.value is not None]
    _table_sheet(ws, [lab("indicator"), lab("value"), lab("target")], [34, 12, 12], "A2")
    for row, r in enumerate(shares, 2):
        ws.cell(row, 1, f"{r.indicator_id} – {lab.source(r.source)}")
        _number(ws, row, 2, r.cell.value, PERCENT)
        if r.target is not None and r.target.value is not None:
            _number(ws, row, 3, r.target.value, PERCENT)
    charts = [_value_chart(ws, len(shares), f)] if shares else []
    charts += _trend_chart(ws, report, f, first_row=len(shares) + 4)
    column, row = max(ws.max_column, 3) + 2, 2  # a blank column between the data and the charts
    for chart in charts:
        if row > 2:
            ws.row_breaks.append(Break(id=row - 1))
        ws.add_chart(chart, f"{get_column_letter(column)}{row}")
        row += rows_spanned(chart.height) + CHART_GAP_ROWS
    return column + columns_spanned(ws, column, CHART_WIDTH_CM) - 1, row - CHART_GAP_ROWS - 1


def _chart_height(items: int, per_item: float) -> float:
    """Centimetres for ``items`` bars or legend lines, within one printed landscape page."""
    return min(CHART_MAX_HEIGHT_CM, max(CHART_MIN_HEIGHT_CM, 3.5 + per_item * items))


def _value_chart(ws: Worksheet, n: int, f: Formatter) -> BarChart:
    """Each share's value and target, one pair of bars per indicator (first indicator on top)."""
    lab = f.labels
    chart = BarChart()
    chart.type, chart.grouping = "bar", "clustered"
    chart.title, chart.y_axis.title = lab("chart_value_vs_target"), lab("value")
    chart.y_axis.number_format, chart.y_axis.scaling.min = "0%", 0
    chart.add_data(Reference(ws, min_col=2, max_col=3, min_row=1, max_row=n + 1), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=n + 1))
    chart.x_axis.scaling.orientation = "maxMin"
    chart.legend.position = "b"
    chart.height, chart.width = _chart_height(n, 0.7), CHART_WIDTH_CM
    return chart


def _trend_chart(ws: Worksheet, report: ProgressReport, f: Formatter, first_row: int) -> list[LineChart]:
    """Yearly values of the share indicators with at least two years, one row and one line each."""
    lab = f.labels
    series = [r for r in report.indicators if r.unit == "share"
              and sum(c.value is not None for c in r.periods if c.period.isdigit()) >= 2]
    if not series:
        return []
    years = sorted({c.period for r in series for c in r.periods if c.period.isdigit()})
    _header(ws, first_row, [lab("indicator"), *years])
    for row, r in enumerate(series, first_row + 1):
        ws.cell(row, 1, f"{r.indicator_id} – {lab.source(r.source)}")
        values = {c.period: c.value for c in r.periods}
        for column, year in enumerate(years, 2):
            if values.get(year) is not None:
                _number(ws, row, column, values[year], PERCENT)
    last_row, last_column = first_row + len(series), len(years) + 1
    chart = LineChart()
    chart.title, chart.y_axis.number_format = lab("chart_trend"), "0%"
    chart.add_data(Reference(ws, min_col=1, max_col=last_column, min_row=first_row + 1, max_row=last_row),
                   from_rows=True, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=2, max_col=last_column, min_row=first_row, max_row=first_row))
    chart.legend.position = "b"
    chart.height, chart.width = _chart_height(len(series), 0.45), CHART_WIDTH_CM
    return [chart]
