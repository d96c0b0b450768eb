"""The survey teams' data-quality checks of the household survey: the flags table and the workbook a data manager
reads before approving. Thin: the checks are ``warehouse.quality.data_quality``."""

from collections import Counter
from pathlib import Path
from typing import Literal

import dagster as dg
from pydantic import Field
from sqlalchemy import select

from dagster_project.messages import describe, labelled, text
from dagster_project.metadata import table_metadata
from dagster_project.raw_assets import raw_submissions_asset
from dagster_project.resources import WarehouseResource
from warehouse.infra.settings import Settings
from warehouse.quality import data_quality
from warehouse.quality.data_quality_sheet import write_sheet
from warehouse.schema.admin_units import load_admin_units
from warehouse.schema.models import DataQualityFlag

GROUP = "household_survey"


raw_household_back_check = raw_submissions_asset(data_quality.BACK_CHECK_FORM_ID, GROUP)


class DataQualityConfig(dg.Config):
    output_folder: str = Field(default="", description="The workbook goes to <output_folder>/data-quality/ (empty:"
                               " CLMS_REPORTS_DIR, else reports/ under the data folder: CLMS_DATA_DIR, default the"
                               " project's var/, as set when the run starts).")
    language: Literal["vi", "en"] = Field(default="vi", description="vi (Tiếng Việt) or en (English).")


@dg.asset(group_name=GROUP, deps=["households", "children", raw_household_back_check], kinds={"python", "excel"},
          description=describe("household_data_quality"))
def household_data_quality(context: dg.AssetExecutionContext, config: DataQualityConfig,
                           warehouse: WarehouseResource) -> dg.MaterializeResult:
    engine = warehouse.engine()
    thresholds = data_quality.load_thresholds()
    survey, flags = data_quality.refresh(engine, thresholds)
    folder = Path(config.output_folder or Settings.from_environment().folders["reports"]) / "data-quality"
    path = folder / f"chat-luong-du-lieu-{config.language}.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_sheet(survey, flags, load_admin_units(), path, thresholds.version, config.language)
    context.log.info(text("log.data_quality", flags=len(flags), workbook=path))
    by_check = Counter(f.check for f in flags)
    f = DataQualityFlag
    return dg.MaterializeResult(metadata=labelled({
        **table_metadata(engine, f.__table__, select(
            f.check, f.interview_date, f.enumerator_id, f.commune_code, f.household_id, f.child_id, f.value,
            f.threshold).order_by(f.check, f.subject_id)),
        "workbook": dg.MetadataValue.path(str(path.resolve())),
        "thresholds_version": thresholds.version,
        "flags_by_check": dg.MetadataValue.json({check: by_check[check] for check in data_quality.CHECKS}),
        "households": len(survey.households),
        "back_checks": len(survey.back_checks),
        "enumerators": len(survey.enumerators),
        "enumerators_flagged": len({f.enumerator_id for f in flags if f.enumerator_id is not None}),
    }))
