"""The multi-year review and the report by organisation as Excel workbooks (Vietnamese by default, English)."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from warehouse.indicators.disclosure import load_policy
from warehouse.indicators.indicators import load_settings
from warehouse.infra.atomic_file import replaced_atomically
from warehouse.report.formatting import COMPARATOR_SIGNS
from warehouse.report.labels import Labels
from warehouse.report.organisations import MEASURES, OrganisationReport, Unit
from warehouse.report.review import Review
from warehouse.report.workbook import DAYS, INTEGER, PERCENT, _header, _number


def write_review(review: Review, path: str | Path, language: str = "vi") -> Path:
    """The review's workbook: indicators by year with their targets, then activities by organising body."""
    settings = load_settings()
    lab = Labels(language, settings.names)
    workbook = Workbook()
    ws = workbook.active
    ws.title = lab("sheet_indicators_by_year")
    ws.cell(1, 1, f"{lab('review_title', first=review.first_year, last=review.last_year)} — {review.area_name}")
    _indicators(ws, review, lab, load_policy().min_count)
    _organisations(workbook.create_sheet(lab("sheet_by_organisation")), review.organisations, lab)
    return _saved(workbook, Path(path))


def write_organisation_report(report: OrganisationReport, path: str | Path, language: str = "vi") -> Path:
    lab = Labels(language)
    workbook = Workbook()
    ws = workbook.active
    ws.title = lab("sheet_by_organisation")
    _organisations(ws, report, lab)
    return _saved(workbook, Path(path))


def _saved(workbook: Workbook, path: Path) -> Path:
    with replaced_atomically(path) as temporary:
        workbook.save(temporary)
    return path


def _indicators(ws: Worksheet, review: Review, lab: Labels, min_cell: int) -> None:
    _header(ws, 3, [lab(k) for k in ("code", "indicator", "source", "year", "value", "numerator", "denominator",
                                      "target", "target_year", "status")])
    row = 4
    for indicator in review.indicators:
        number_format = DAYS if indicator.unit == "days" else PERCENT
        for year in indicator.years:
            ws.cell(row, 1, indicator.indicator_id)
            ws.cell(row, 2, lab.indicator(indicator.indicator_id))
            ws.cell(row, 3, lab.source(indicator.source))
            ws.cell(row, 4, year.year)
            _number(ws, row, 5, year.value, number_format)
            _number(ws, row, 6, year.numerator, INTEGER)
            _number(ws, row, 7, year.denominator, INTEGER)
            if year.target_comparator == "minimise":
                ws.cell(row, 8, lab("minimise"))
            elif year.target_comparator:
                _number(ws, row, 8, year.target_value, number_format)
                ws.cell(row, 8).number_format = f'"{COMPARATOR_SIGNS[year.target_comparator]} "{number_format}'
            ws.cell(row, 9, year.target_year)
            ws.cell(row, 10, lab.status(year.status, min_cell))
            row += 1


def _organisations(ws: Worksheet, report: OrganisationReport, lab: Labels) -> None:
    title = lab("organisation_title", first=report.first_year, last=report.last_year)
    ws.cell(1, 1, f"{title} — {report.area_name}")
    headers = [lab(k) for k in ("organiser_type", "organisation", "organiser_level", "old_district", "year")]
    _header(ws, 3, headers + [lab(f"m_{m}") for m in MEASURES])
    row = 4
    for line in (*report.rows, *report.totals):
        for column, words in enumerate(_unit(line.unit, lab), 1):
            ws.cell(row, column, words)
        ws.cell(row, 5, line.year)
        for column, measure in enumerate(MEASURES, 6):
            value = line.measures[measure]
            if value is None:
                ws.cell(row, column, lab("suppressed_short"))
            else:
                _number(ws, row, column, value, INTEGER)
        row += 1


def _unit(unit: Unit, lab: Labels) -> list[str]:
    if unit == Unit(None, None, None, None, None):
        return [lab("all_units"), "", "", ""]
    return [lab.choice("organiser_type", unit.organiser_type) if unit.organiser_type else lab("not_recorded"),
            lab.choice("mass_organisation", unit.organisation) if unit.organisation else "",
            lab.choice("supervisor_level", unit.level) if unit.level else lab("not_recorded"),
            unit.district_name or ""]
