"""One asset per form: materializing it publishes the form's current version with its media files."""

import dagster as dg

from dagster_project.sources import SubmissionSource
from warehouse.admin_units import forms_dir


@dg.asset(group_name="forms", kinds={"xlsform"},
          description="forms/household_survey.xlsx published with its media files (provinces, communes).")
def household_survey_form(context: dg.AssetExecutionContext, household_source: SubmissionSource) -> dg.MaterializeResult:
    result = household_source.publish_form(forms_dir() / "household_survey.xlsx", forms_dir() / "media")
    context.log.info("household_survey: %s", result)
    return dg.MaterializeResult(metadata={**result, **{f"source/{k}": v for k, v in household_source.describe().items()}})
