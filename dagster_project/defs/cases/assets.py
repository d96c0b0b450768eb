"""Assets of the case register and the follow-up visits.

Lineage, without a cycle: the classifications and the screened case reports (``case_reports``) identify the
cases (``identified_cases``, which matches each report to the cases first); collectors visit the
open ones (``raw_case_followup`` runs after, so the demo source visits the cases identified in the same run);
the visits are cleaned (``case_visits``) and folded into each case's state (``case_register``), which the case
list published to the follow-up form then reads. ``identified_cases`` and ``case_register`` are two assets over
one table, ``case_register``: the first owns which cases exist and their identification, the second their state.
"""

from datetime import date

import dagster as dg
from sqlalchemy import func, select

from dagster_project.messages import describe, labelled, md_list, step_sentence, text
from dagster_project.metadata import quarantine_metadata, table_metadata
from dagster_project.raw_assets import raw_submissions_asset
from dagster_project.resources import ReferenceFiles, WarehouseResource
from warehouse import case_match_sheet, case_report, programme_steps
from warehouse import case_register as register
from warehouse.answers import Context
from warehouse.case_visit import FORM_ID
from warehouse.classification import load_rules
from warehouse.models import Case, CaseReport, CaseVisit
from warehouse.reference_data import ReferenceDataError
from warehouse.steps import StepStats

GROUP = "cases"


raw_case_report = raw_submissions_asset(case_report.FORM_ID, GROUP)


@dg.multi_asset(
    group_name=GROUP,
    specs=[
        dg.AssetSpec("case_reports", group_name=GROUP, deps=[raw_case_report], kinds={"python"},
                     description=describe("case_reports")),
        dg.AssetSpec("case_report_quarantine", group_name=GROUP, deps=[raw_case_report], kinds={"python"},
                     description=describe("case_report_quarantine")),
    ],
)
def case_report_tables(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    engine = warehouse.engine()
    stats = programme_steps.clean_case_reports(
        engine, Context.of_form(warehouse.pseudonymizer, case_report.FORM_ID), load_rules())
    context.log.info(step_sentence("cleaned", stats))
    r = CaseReport
    yield dg.MaterializeResult(asset_key="case_reports", metadata=labelled({
        **table_metadata(engine, r.__table__, select(
            r.report_code, r.report_date, r.reporter_type, r.commune_code, r.case_type, r.urgency,
            r.screening_outcome, r.identification_date).order_by(r.change_seq.desc())),
        "step/processed": stats.processed, "step/deleted": stats.deleted, "step/loaded": stats.loaded["case_report"]}))
    yield dg.MaterializeResult(asset_key="case_report_quarantine", metadata=labelled(
        quarantine_metadata(engine, case_report.FORM_ID, stats.quarantined)))


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


@dg.multi_asset(
    group_name=GROUP,
    specs=[
        dg.AssetSpec("case_visits", group_name=GROUP, deps=[raw_case_followup], kinds={"python"},
                     description=describe("case_visits")),
        dg.AssetSpec("case_visit_quarantine", group_name=GROUP, deps=[raw_case_followup], kinds={"python"},
                     description=describe("case_visit_quarantine")),
    ],
)
def case_visit_tables(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    engine = warehouse.engine()
    rules = load_rules()
    stats = programme_steps.clean_case_visits(engine, Context.of_form(warehouse.pseudonymizer, FORM_ID), rules)
    context.log.info(step_sentence("cleaned", stats))
    v = CaseVisit
    yield dg.MaterializeResult(asset_key="case_visits", metadata=labelled({
        **table_metadata(engine, v.__table__, select(
            v.visit_id, v.visit_date, v.case_type, v.age, v.working, v.child_labour, v.school_status, v.supports,
            v.first_support_date, v.case_status).order_by(v.change_seq.desc())),
        "rules_version": rules.version,
        "step/processed": stats.processed, "step/deleted": stats.deleted, "step/loaded": stats.loaded["case_visit"]}))
    yield dg.MaterializeResult(asset_key="case_visit_quarantine", metadata=labelled(
        quarantine_metadata(engine, FORM_ID, stats.quarantined)))


@dg.asset(group_name=GROUP, deps=["identified_cases", "case_visits"], kinds={"python"},
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
