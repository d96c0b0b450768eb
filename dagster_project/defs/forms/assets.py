"""One asset per form of ``forms/``: materializing it publishes the form's current version with its media."""

from dagster_project.raw_assets import form_asset

household_survey_form = form_asset("household_survey")
workplace_inspection_form = form_asset("workplace_inspection")
case_followup_form = form_asset("case_followup")
activity_report_form = form_asset("activity_report")
household_back_check_form = form_asset("household_back_check")
case_report_form = form_asset("case_report")
