"""One asset per form of ``forms/``: materializing it publishes the form's current version with its media."""

from connectors.forms import (
    ACTIVITY_REPORT,
    CASE_FOLLOWUP,
    CASE_REPORT,
    HOUSEHOLD_BACK_CHECK,
    HOUSEHOLD_SURVEY,
    WORKPLACE_INSPECTION,
)
from dagster_project.raw_assets import form_asset

household_survey_form = form_asset(HOUSEHOLD_SURVEY)
workplace_inspection_form = form_asset(WORKPLACE_INSPECTION)
case_followup_form = form_asset(CASE_FOLLOWUP)
activity_report_form = form_asset(ACTIVITY_REPORT)
household_back_check_form = form_asset(HOUSEHOLD_BACK_CHECK)
case_report_form = form_asset(CASE_REPORT)
