"""The household-survey job and its daily schedule (Vietnam time, before the working day)."""

import dagster as dg

household_survey_job = dg.define_asset_job(
    "household_survey_job",
    selection=dg.AssetSelection.groups("household_survey"),
    description="Pull household-survey submissions and rebuild everything downstream of them.",
)

daily_household_survey = dg.ScheduleDefinition(
    job=household_survey_job,
    cron_schedule="0 5 * * *",
    execution_timezone="Asia/Ho_Chi_Minh",
    default_status=dg.DefaultScheduleStatus.STOPPED,
)
