"""A multi-year review of an area (e.g. 2021–2025), or the report by organisation of one mass organisation (e.g.
Ninh Thuận's Youth Union, 2016–2020): an Excel workbook, made on demand from its config."""

from pathlib import Path
from typing import Literal

import dagster as dg
from pydantic import Field

from dagster_project.messages import describe, labelled, text
from dagster_project.resources import WarehouseResource
from warehouse.infra.settings import Settings
from warehouse.report import ReportArea
from warehouse.report.organisations import organisation_report
from warehouse.report.review import gather_review
from warehouse.report.review_workbook import write_organisation_report, write_review
from warehouse.schema.admin_units import load_admin_units


class ReviewConfig(dg.Config):
    area: str = Field(description="Địa bàn / area: province-91, legacy-province-58 (tỉnh cũ / an old province) …")
    first_year: int = Field(default=2021, description="Năm đầu / first year, e.g. 2016.")
    last_year: int = Field(default=2025, description="Năm cuối / last year, e.g. 2020.")
    organisation: str = Field(default="", description="Chỉ một đoàn thể / one mass organisation only (mã / code "
                                                      "youth_union, women_union …): báo cáo theo đơn vị / the report "
                                                      "by organisation; trống / empty: the whole review.")
    language: Literal["vi", "en"] = Field(default="vi", description="vi (Tiếng Việt) or en (English).")
    output_folder: str = Field(default="", description="<output_folder>/<area>/<first>-<last>/ (empty: the reports"
                                                       " folder, CLMS_REPORTS_DIR, as set when the run starts)")


@dg.asset(group_name="reports", deps=["indicator_values"], kinds={"excel"}, description=describe("review_report"))
def review_report(context: dg.AssetExecutionContext, config: ReviewConfig,
                  warehouse: WarehouseResource) -> dg.MaterializeResult:
    if config.first_year > config.last_year:
        raise dg.Failure(text("log.bad_years", first=config.first_year, last=config.last_year))
    area = ReportArea.from_key(config.area.strip(), load_admin_units().code_list_version)
    years = f"{config.first_year}-{config.last_year}"
    folder = Path(config.output_folder or Settings.from_environment().folders["reports"]) / area.key / years
    engine = warehouse.engine()
    if config.organisation.strip():
        organisation = config.organisation.strip()
        report = organisation_report(engine, area, config.first_year, config.last_year, organisation)
        path = write_organisation_report(report, folder / f"bao-cao-{organisation}-{area.key}-{years}-"
                                                          f"{config.language}.xlsx", config.language)
        rows, name = report.rows, report.area_name
    else:
        review = gather_review(engine, area, config.first_year, config.last_year)
        path = write_review(review, folder / f"tong-ket-{area.key}-{years}-{config.language}.xlsx", config.language)
        rows, name = review.organisations.rows, review.area_name
    context.log.info(text("log.review_written", area=name, years=years, workbook=path))
    return dg.MaterializeResult(metadata=labelled({
        "workbook": dg.MetadataValue.path(str(path.resolve())),
        "units": len({line.unit for line in rows}),
        "activities": sum(line.measures["activities"] for line in rows),
    }))
