"""The progress report of one area for a year, a half-year or a quarter: an Excel workbook and a web page."""

from datetime import date
from pathlib import Path
from typing import Literal

import dagster as dg
from pydantic import Field

from dagster_project.defs.reports.partitions import area_and_year
from dagster_project.messages import area as area_name
from dagster_project.messages import describe, labelled, text
from dagster_project.resources import WarehouseResource
from warehouse.indicators.periods import DateRange, Period
from warehouse.infra.settings import Settings
from warehouse.report import ReportArea, gather_report, write_html_page, write_workbook
from warehouse.report.formatting import Formatter
from warehouse.schema.admin_units import load_admin_units


class ReportConfig(dg.Config):
    output_folder: str = Field(default="",
                               description="Reports go to <output_folder>/<area>/<year>/ (empty: CLMS_REPORTS_DIR, "
                                           "else reports/ under the data folder: CLMS_DATA_DIR, default the project's "
                                           "var/, as set when the run starts).")
    language: Literal["vi", "en"] = Field(default="vi", description="vi (Tiếng Việt) or en (English).")
    period: Literal["", "H1", "H2", "Q1", "Q2", "Q3", "Q4"] = Field(
        default="", description="Kỳ báo cáo trong năm của phân vùng / the period of the partition's year: trống cả "
                                "năm / empty the whole year; H1, H2: 6 tháng đầu, cuối năm / first, second half; "
                                "Q1–Q4: quý / a quarter.")
    date_from: str = Field(default="", description="Báo cáo đột xuất / an ad-hoc report: từ ngày / from, e.g. "
                                                  "2026-03-01, with date_to, in the partition's year (then period is "
                                                  "not used); the cut-off is cutoff_date, or today.")
    date_to: str = Field(default="", description="Đến ngày / to (included), e.g. 2026-05-31.")
    cutoff_date: str = Field(default="", description="Ngày chốt số liệu / data cut-off, e.g. 2026-11-15: only what "
                                                     "was submitted by the end of that day (Vietnam time) counts; "
                                                     "empty: everything.")


@dg.asset(group_name="reports", deps=["indicator_values", "reporting_completeness"], partitions_def=area_and_year,
          kinds={"excel", "html"}, description=describe("progress_report"))
def progress_report(context: dg.AssetExecutionContext, config: ReportConfig,
                    warehouse: WarehouseResource) -> dg.MaterializeResult:
    keys = context.partition_key.keys_by_dimension
    area = ReportArea.from_key(keys["area"], load_admin_units().code_list_version)
    cutoff = date.fromisoformat(config.cutoff_date.strip()) if config.cutoff_date.strip() else None
    period = _period(int(keys["year"]), config)
    report = gather_report(warehouse.engine(), area, period, cutoff=cutoff)
    folder = Path(config.output_folder or Settings.from_environment().folders["reports"]) / area.key / str(period.year)
    cutoff = report.cutoff
    stem = f"bao-cao-{area.key}-{period.key}-{config.language}" + (f"-den-{cutoff.isoformat()}" if cutoff else "")
    workbook = write_workbook(report, folder / f"{stem}.xlsx", config.language)
    page = write_html_page(report, folder / f"{stem}.html", config.language)
    context.log.info(text("log.report_written", period=period.words(), workbook=workbook, page=page,
                          area=area_name(area.level, area.code, area.code_list_version)))
    inspections, cases = report.inspections, report.cases
    words = Formatter.for_report(report, config.language)
    return dg.MaterializeResult(metadata=labelled({
        "workbook": dg.MetadataValue.path(str(workbook.resolve())),
        "html_page": dg.MetadataValue.path(str(page.resolve())),
        "title": words.title(report),
        "figures": report.approval.state,
        "data_state": " · ".join(words.data_state(report)),
        "data_cutoff": cutoff.isoformat() if cutoff else "none",
        "indicators": dg.MetadataValue.md(indicator_table(report, config.language)),
        "indicators_with_data": sum(r.cell.value is not None for r in report.indicators),
        "status_of_indicators": dg.MetadataValue.json({words.status(s): n for s, n in report.statuses()}),
        "communes": len(report.details.communes),
        "activities": report.activities.activities,
        "establishments_inspected": inspections.inspected,
        "cases_identified": "suppressed" if cases.identified.suppressed else cases.identified.value,
    }))


def _period(year: int, config: ReportConfig) -> Period | DateRange:
    """The part of ``year`` the config asks for, or its ad-hoc date range (which must lie in ``year``)."""
    if not (config.date_from.strip() or config.date_to.strip()):
        return Period.within(year, config.period)
    span = DateRange(date.fromisoformat(config.date_from.strip()), date.fromisoformat(config.date_to.strip()))
    if span.year != year:
        raise ValueError(text("periods.range_outside", period=span.words(), year=year))
    return span


def indicator_table(report, language: str) -> str:
    """The report's indicator table in Markdown, in the report's words."""
    f = Formatter.for_report(report, language)
    lab = f.labels
    header = [lab(k) for k in ("code", "indicator", "source", "value", "target", "gap", "status")]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in report.indicators:
        cells = [r.indicator_id, lab.indicator(r.indicator_id), lab.source(r.source), f.value(r.cell, r.unit),
                 f.target(r.target, r.unit), f.gap(r.gap, r.unit), f.status(r.cell.status)]
        lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    return "\n".join(lines)
