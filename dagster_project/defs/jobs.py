"""The monitoring job (every form pulled, everything downstream rebuilt), its daily schedule, and the sensor that
reacts to reference spreadsheets dropped into the uploads folder."""

import hashlib

import dagster as dg

from dagster_project.messages import describe, text
from dagster_project.resources import ReferenceFiles
from warehouse.reference.expected_reporting import KIND as EXPECTED_REPORTING
from warehouse.reference.programme_registers import COLUMNS as REGISTERS

REFERENCE_KINDS = ("targets", "populations", "approvals", EXPECTED_REPORTING, "frames", *REGISTERS)  # sub-folders

# Each step in its own process, forked from a server that has imported Dagster and the code location once, rather
# than a fresh interpreter importing both again for every step.
STEP_PROCESSES = dg.multiprocess_executor.configured(
    {"start_method": {"forkserver": {"preload_modules": ["dagster_project.definitions"]}}})

monitoring_job = dg.define_asset_job(
    "monitoring_job",
    selection=dg.AssetSelection.all() - dg.AssetSelection.groups("forms") - dg.AssetSelection.groups("reports"),
    description=describe("monitoring_job"),
    executor_def=STEP_PROCESSES,
)

daily_monitoring = dg.ScheduleDefinition(
    job=monitoring_job,
    cron_schedule="0 5 * * *",
    execution_timezone="Asia/Ho_Chi_Minh",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description=describe("daily_monitoring"),
)

reference_job = dg.define_asset_job(
    "reference_job",
    selection=(dg.AssetSelection.groups("reference")
               | dg.AssetSelection.assets("indicator_values", "approval_sheets", "reporting_completeness")),
    description=describe("reference_job"),
    executor_def=dg.in_process_executor,  # a few small steps: one process, not one per step
)


@dg.sensor(job=reference_job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.STOPPED,
           description=describe("reference_uploads"))
def reference_uploads(context: dg.SensorEvaluationContext, reference_files: ReferenceFiles):
    files = [path for kind in REFERENCE_KINDS for path in reference_files.files(kind)]
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + path.read_bytes())
    key = digest.hexdigest()
    if key == context.cursor:
        return dg.SkipReason(text("sensor.no_change"))
    context.update_cursor(key)
    return dg.RunRequest(run_key=key)
