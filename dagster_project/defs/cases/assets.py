"""Assets of the case register and the follow-up visits.

Lineage, without a cycle: the classifications and the screened case reports (``case_reports``) identify the
cases (``identified_cases``, which matches each report to the cases first); collectors visit the
open ones (``raw_case_followup`` runs after, so the demo source visits the cases identified in the same run);
the visits are cleaned (``case_visits``), classified (``case_visit_classification``) and folded into each
case's state (``case_register``), which the case list published to the follow-up form then reads. ``identified_cases`` and ``case_register`` are two assets over
one table, ``case_register``: the first owns which cases exist and their identification, the second their state.
"""

from datetime import date

import dagster as dg
from sqlalchemy import func, select

from dagster_project.clean_assets import CleanTable, clean_assets
from dagster_project.messages import describe, labelled, md_list, step_sentence, text
from dagster_project.metadata import table_metadata
from dagster_project.raw_assets import raw_submissions_asset
from dagster_project.resources import ReferenceFiles, WarehouseResource
from warehouse.cases import case_cleaning, case_match_sheet, case_report
from warehouse.cases import case_register as register
from warehouse.cases.case_visit import FORM_ID
from warehouse.classify.classification import load_rules
from warehouse.classify.classify import classify_visits
from warehouse.clean.steps import StepStats
from warehouse.reference.reference_data import ReferenceDataError
from warehouse.schema.models import Case, CaseReport, CaseVisit

GROUP = "cases"


raw_case_report = raw_submissions_asset(case_report.FORM_ID, GROUP)


case_report_tables = clean_assets(
    "case_report_tables", case_report.FORM_ID, GROUP, raw_case_report,
    lambda engine, ctx: case_cleaning.clean_case_reports(engine, ctx, load_rules()),
    [CleanTable("case_reports", CaseReport, (
        CaseReport.report_code, CaseReport.report_date, CaseReport.reporter_type, CaseReport.commune_code,
        CaseReport.case_type, CaseReport.urgency, CaseReport.screening_outcome, CaseReport.identification_date))],
    "case_report_quarantine")


@dg.asset(group_name=GROUP, kinds={"csv"}, description=describe("case_match_decisions"))
def case_match_decisions(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
                         reference_files: ReferenceFiles) -> dg.MaterializeResult:
    """A refused sheet records nothing and is said in a warning, never a failure: the cases are identified anyway."""
    files = reference_files.files(case_match_sheet.KIND)
    problems: tuple[str, ...] = ()
    changed = 0
    with warehouse.engine().begin() as conn:
        try:
            changed = case_match_sheet.record_sheets(conn, files, warehouse.pseudonymizer, date.today())
        except ReferenceDataError as exc:
            problems = exc.problems
            context.log.warning("\n".join([text("refusal.reference", kind=text("log.case_matches")),
                                           *(f"- {p}" for p in problems)]))
    return dg.MaterializeResult(metadata=labelled({
        "files": dg.MetadataValue.md(md_list(p.name for p in files)),
        "decisions_recorded": changed,
        "refused": dg.MetadataValue.md(md_list(problems))}))


@dg.asset(group_name=GROUP,
          deps=["child_classification", "young_worker_classification", "case_reports", "case_match_decisions"],
          kinds={"python"}, description=describe("identified_cases"))
def identified_cases(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    engine = warehouse.engine()
    stats = register.identify_cases(engine, warehouse.pseudonymizer)
    context.log.info(step_sentence("identified", stats))
    c = Case
    with engine.connect() as conn:
        by_type = dict(conn.execute(select(c.case_type, func.count()).group_by(c.case_type)).all())
    return dg.MaterializeResult(metadata=labelled({
        **table_metadata(engine, c.__table__, select(
            c.case_code, c.subject_kind, c.identified_on, c.commune_code, c.sex, c.age_band, c.case_type)
            .order_by(c.identified_on.desc())),
        "cases_by_type": dg.MetadataValue.json(by_type),
        "step/subjects": stats.processed, "step/new": stats.loaded["new"], "step/changed": stats.loaded["changed"],
        "step/removed": stats.deleted, "step/report_links": stats.loaded["report_links"],
        "step/match_candidates": stats.loaded["match_candidates"]}))


raw_case_followup = raw_submissions_asset(FORM_ID, GROUP, deps=["identified_cases"])  # the demo visits them


case_visit_tables = clean_assets(
    "case_visit_tables", FORM_ID, GROUP, raw_case_followup, case_cleaning.clean_case_visits,
    [CleanTable("case_visits", CaseVisit, (
        CaseVisit.visit_id, CaseVisit.visit_date, CaseVisit.case_type, CaseVisit.age, CaseVisit.working,
        CaseVisit.school_status, CaseVisit.supports, CaseVisit.first_support_date, CaseVisit.case_status))],
    "case_visit_quarantine")


@dg.asset(group_name=GROUP, deps=["case_visits"], kinds={"python"}, description=describe("case_visit_classification"))
def case_visit_classification(context: dg.AssetExecutionContext,
                              warehouse: WarehouseResource) -> dg.MaterializeResult:
    engine = warehouse.engine()
    rules = load_rules()
    stats = classify_visits(engine, rules)
    context.log.info(step_sentence("classified", stats))
    v = CaseVisit
    return dg.MaterializeResult(metadata=labelled({
        **table_metadata(engine, v.__table__, select(v.visit_id, v.visit_date, v.age, v.working, v.child_labour,
                                                    v.reasons).order_by(v.visit_date.desc(), v.visit_id)),
        "rules_version": rules.version,
        "step/visits_classified": stats.processed}))


@dg.asset(group_name=GROUP, deps=["identified_cases", "case_visit_classification"], kinds={"python"},
          description=describe("case_register"))
def case_register(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    engine = warehouse.engine()
    stats = register.update_case_register(engine)
    context.log.info(step_sentence("register", StepStats(stats.processed, loaded=stats.loaded + stats.quarantined)))
    c = Case
    with engine.connect() as conn:
        by_status = dict(conn.execute(select(c.status, func.count()).group_by(c.status)).all())
        by_state = dict(conn.execute(select(c.state, func.count()).group_by(c.state)).all())
    return dg.MaterializeResult(metadata=labelled({
        **table_metadata(engine, c.__table__, select(
            c.case_code, c.case_type, c.identified_on, c.status, c.first_support_on, c.visits, c.last_visit_on,
            c.closed_on, c.in_education_at_last_visit, c.child_labour_at_last_visit)
            .order_by(c.last_visit_on.desc())),
        "cases_by_status": dg.MetadataValue.json(by_status),
        "cases_by_state": dg.MetadataValue.json(by_state),
        "step/cases": stats.processed, "step/changed": stats.loaded["changed"],
        "step/visits_to_unknown_cases_added": stats.quarantined["unknown_case"],
        "step/visits_matched_again": stats.quarantined["matched_again"],
        "step/invalid_transitions": stats.quarantined["invalid_transition"]}))
