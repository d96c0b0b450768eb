"""The monitoring job (every form pulled, everything downstream rebuilt), its daily schedule, and the sensor that
reacts to reference spreadsheets dropped into the uploads folder."""

import hashlib

import dagster as dg

from dagster_project.resources import ReferenceFiles

monitoring_job = dg.define_asset_job(
    "monitoring_job",
    selection=dg.AssetSelection.all() - dg.AssetSelection.groups("forms") - dg.AssetSelection.groups("reports"),
    description="Pull every form's submissions, load reference data, and rebuild clean tables, classifications "
                "and indicators.",
)

daily_monitoring = dg.ScheduleDefinition(
    job=monitoring_job,
    cron_schedule="0 5 * * *",
    execution_timezone="Asia/Ho_Chi_Minh",
    default_status=dg.DefaultScheduleStatus.STOPPED,
)

reference_job = dg.define_asset_job(
    "reference_job",
    selection=dg.AssetSelection.groups("reference") | dg.AssetSelection.assets("indicator_values"),
    description="Load reference spreadsheets (targets, populations) and republish the indicators.",
    executor_def=dg.in_process_executor,  # four small steps: one process, not one per step
)


@dg.sensor(job=reference_job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.STOPPED,
           description="Runs the reference job when a spreadsheet in the uploads folder is added or changed.")
def reference_uploads(context: dg.SensorEvaluationContext, reference_files: ReferenceFiles):
    files = reference_files.files("targets") + reference_files.files("populations")
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + path.read_bytes())
    key = digest.hexdigest()
    if key == context.cursor:
        return dg.SkipReason("no new or changed reference spreadsheet")
    context.update_cursor(key)
    return dg.RunRequest(run_key=key)
