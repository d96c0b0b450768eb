"""``case_list``: the register's cases given to the follow-up form, through its source (``case_followup_source``).

ODK Central: the entities of the open cases that have none are created in the list ``cases``; on every case's
existing entity (closed cases too) the label and the properties the pipeline owns
(:data:`~warehouse.cases.case_list.PIPELINE_OWNED`) are brought up to date, never those the form saves; the metadata
counts entities ``created``, ``updated``, ``unchanged`` and ``not_updated`` (changed by a collector while being
updated: the next run does it). Demo, export files and KoboToolbox: ``cases.csv`` rewritten whole from the
register on every run, so it always carries the current values.

An account that may read but not change the list (ODK Central's Project Viewer, enough to pull submissions) does
not fail the run: the asset materializes with ``published: false``, a warning naming the role it lacks, and its
check ``case_list_published`` fails as a warning.
"""

import dagster as dg

from connectors.errors import ACCESS, SourceError
from connectors.forms import CASE_FOLLOWUP
from dagster_project.messages import describe, label, labelled, listing, text
from dagster_project.raw_assets import source_key
from dagster_project.resources import WarehouseResource
from dagster_project.sources import SubmissionSource, source_metadata
from warehouse.cases.case_list import RegisterCaseList, case_list_rows

SOURCE = source_key(CASE_FOLLOWUP)
PREVIEW = ("label", "case_code", "commune", "age_band", "case_type", "state", "due_date", "overdue")


@dg.asset(group_name="cases", deps=["case_register"], kinds={"python"},
          required_resource_keys={"warehouse", SOURCE},
          check_specs=[dg.AssetCheckSpec("case_list_published", asset="case_list",
                                         description=describe("case_list_published"))],
          description=describe("case_list"))
def case_list(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    warehouse: WarehouseResource = context.resources.warehouse
    resource: SubmissionSource = getattr(context.resources, SOURCE)
    engine = warehouse.engine()
    source = resource.source(engine)
    rows = case_list_rows(engine)
    try:
        published = {"published": True, **source.publish_case_list(RegisterCaseList(rows))}
        context.log.info(text("log.case_list", action=published["action"], counts=listing(
            {label(k): v for k, v in published.items() if k not in ("published", "action")})))
    except SourceError as error:
        if error.kind != ACCESS:
            raise
        context.log.warning(text("log.case_list_not_published", reason=error))
        published = {"published": False, "not_published_because": error.message}
    open_rows = [r for r in rows if r.is_open]
    lines = ["| " + " | ".join(PREVIEW) + " |", "|" + "---|" * len(PREVIEW)]
    lines += ["| " + " | ".join(getattr(r, c) for c in PREVIEW) + " |" for r in open_rows[:10]]
    check = dg.AssetCheckResult(check_name="case_list_published", passed=published["published"],
                                severity=dg.AssetCheckSeverity.WARN,
                                metadata=labelled({k: v for k, v in published.items()
                                                   if k == "not_published_because"}))
    return dg.MaterializeResult(metadata=labelled({
        **published,
        "open_cases": len(open_rows),
        "cases": len(rows),
        "preview": dg.MetadataValue.md("\n".join(lines)),
        **source_metadata(source),
    }), check_results=[check])
