"""``case_list``: the register's cases given to the follow-up form, through its source (``case_followup_source``).

ODK Central: the entities of the open cases that have none are created in the list ``cases``; existing ones are
never changed (the form owns what it updates). Demo and export files: ``var/case_list/cases.csv``, the file
KoboToolbox would get.
"""

import dagster as dg
from pydantic import Field

from dagster_project.raw_assets import source_key
from dagster_project.resources import WarehouseResource
from dagster_project.sources import SubmissionSource
from warehouse.case_list import FIRST_VISIT_DAYS, case_list_rows

SOURCE = source_key("case_followup")
PREVIEW = ("label", "case_code", "commune", "age_band", "case_type", "status", "due_date")


class CaseListConfig(dg.Config):
    first_visit_days: int = Field(default=FIRST_VISIT_DAYS, ge=0,
                                  description="Days from a case's identification to its first visit due")


@dg.asset(group_name="cases", deps=["case_register"], kinds={"python"},
          required_resource_keys={"warehouse", SOURCE},
          description="The list of cases the follow-up form picks a child from (case code, commune, age band; "
                      "no name): ODK Central entities of the list `cases`, or cases.csv for KoboToolbox.")
def case_list(context: dg.AssetExecutionContext, config: CaseListConfig) -> dg.MaterializeResult:
    warehouse: WarehouseResource = context.resources.warehouse
    source: SubmissionSource = getattr(context.resources, SOURCE)
    rows = case_list_rows(warehouse.engine(), first_visit_days=config.first_visit_days)
    published = source.publish_case_list(rows)
    context.log.info("case list: %s", published)
    open_rows = [r for r in rows if r.is_open]
    lines = ["| " + " | ".join(PREVIEW) + " |", "|" + "---|" * len(PREVIEW)]
    lines += ["| " + " | ".join(getattr(r, c) for c in PREVIEW) + " |" for r in open_rows[:10]]
    return dg.MaterializeResult(metadata={
        **published,
        "open_cases": len(open_rows),
        "cases": len(rows),
        "preview": dg.MetadataValue.md("\n".join(lines)),
        **source.metadata(),
    })
