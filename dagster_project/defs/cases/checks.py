"""Data-quality checks of the case register and the follow-up visits, next to their assets."""

import dagster as dg
from sqlalchemy import and_, distinct, exists, func, select

from dagster_project.messages import describe, labelled
from dagster_project.resources import WarehouseResource
from dagster_project.table_checks import classified, communes_valid, ids_unique, raw_accounted_for, scalar
from warehouse.cases.case_register import UNKNOWN_CASE
from warehouse.cases.case_report import FORM_ID as REPORT_FORM_ID
from warehouse.cases.case_visit import FORM_ID
from warehouse.classify.classify import VISITS
from warehouse.schema.models import Case, CaseReport, CaseVisit, Quarantine

case_visits_accounted_for = raw_accounted_for("case_visits", FORM_ID, CaseVisit, "case_visit")
case_visits_ids_unique = ids_unique("case_visits", CaseVisit.visit_id)
case_visit_classification_complete = classified("case_visit_classification", VISITS, "visits",
                                                "every_visit_classified")
identified_cases_communes_valid = communes_valid("identified_cases", Case.commune_code)
case_reports_accounted_for = raw_accounted_for("case_reports", REPORT_FORM_ID, CaseReport, "case_report")
case_reports_ids_unique = ids_unique("case_reports", CaseReport.report_id)
case_reports_communes_valid = communes_valid("case_reports", CaseReport.commune_code)


@dg.asset_check(asset="identified_cases", description=describe("cases_unique"))
def cases_unique(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    rows = scalar(warehouse, select(func.count()).select_from(Case))
    counts = {name: scalar(warehouse, select(func.count(distinct(column))))
              for name, column in (("case_ids", Case.case_id), ("case_codes", Case.case_code),
                                   ("subjects", Case.subject_id))}
    return dg.AssetCheckResult(passed=all(n == rows for n in counts.values()),
                               metadata=labelled({"rows": rows, **counts}))


@dg.asset_check(asset="case_register", description=describe("every_visit_matched_or_quarantined"))
def every_visit_matched_or_quarantined(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    v, q = CaseVisit, Quarantine
    matched = exists().where(Case.case_id == v.case_id)
    quarantined = exists().where(and_(q.raw_submission_id == v.raw_submission_id, q.reason_code == UNKNOWN_CASE))
    visits = scalar(warehouse, select(func.count()).select_from(v))
    unmatched = scalar(warehouse, select(func.count()).select_from(v).where(~matched))
    neither = scalar(warehouse, select(func.count()).select_from(v).where(~matched, ~quarantined))
    return dg.AssetCheckResult(passed=neither == 0, metadata=labelled({
        "visits": visits, "matched": visits - unmatched, "quarantined_unknown_case": unmatched - neither,
        "neither": neither}))


@dg.asset_check(asset="case_register", description=describe("case_visit_counts_agree"))
def case_visit_counts_agree(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    counted = select(CaseVisit.case_id, func.count().label("n")).group_by(CaseVisit.case_id).subquery()
    wrong = scalar(warehouse, select(func.count()).select_from(Case)
                   .outerjoin(counted, counted.c.case_id == Case.case_id)
                   .where(Case.visits != func.coalesce(counted.c.n, 0)))
    return dg.AssetCheckResult(passed=wrong == 0, metadata=labelled({"cases_with_wrong_visit_count": wrong}))
