"""The demo data of the programme forms: deterministic, realistic, and follow-up visits only to real cases."""

import dataclasses
from collections import Counter

from sqlalchemy import select

from connectors.demo import demo_communes, household_rows
from connectors.demo_programme import LAST_DAY, activity_rows, inspection_rows, visit_rows
from connectors.forms import FORMS_DIR, definition
from connectors.sources import DemoData
from tests.conftest import TEST_PSEUDONYM_KEY
from warehouse.cases import case_cleaning, case_register
from warehouse.cases.case_visit import FORM_ID as FOLLOWUP
from warehouse.classify.classification import load_rules
from warehouse.classify.classify import classify_children, classify_visits, classify_young_workers
from warehouse.clean import programme_steps, steps
from warehouse.clean.activity import FORM_ID as ACTIVITY
from warehouse.clean.activity import NO_AUDIENCE
from warehouse.clean.answers import Context
from warehouse.clean.household import FORM_ID as SURVEY
from warehouse.clean.inspection import FORM_ID as INSPECTION
from warehouse.clean.pseudonym import Pseudonymizer
from warehouse.raw import raw_store
from warehouse.reference import reference_data as ref
from warehouse.report import ReportArea
from warehouse.report.organisations import organisation_report
from warehouse.schema.admin_units import load_admin_units
from warehouse.schema.db import make_engine, upgrade
from warehouse.schema.models import Activity, ActivityReach, Case, Inspection, Quarantine

COMMUNES = demo_communes(FORMS_DIR / "media" / "communes.csv")
PSEUDONYMIZER = Pseudonymizer(TEST_PSEUDONYM_KEY)


def test_inspections_and_activities_are_deterministic_and_cover_the_programme():
    inspections = list(inspection_rows(COMMUNES, 300, seed=1))
    assert inspections == list(inspection_rows(COMMUNES, 300, seed=1)) != list(inspection_rows(COMMUNES, 300, seed=2))
    workers = [w for row in inspections for w in row.get("young_worker", [])]
    assert 100 < len(workers) < 300
    findings = Counter(code for row in inspections for code in row["findings"]["actions"].split())
    assert findings["fine"] > 20 and findings["warning"] > 20 and findings["none"] > 50
    assert any(row["__system"]["deletedAt"] for row in inspections)
    assert any(row["location"]["commune"] == "99999" for row in inspections)  # bad rows to quarantine

    activities = list(activity_rows(COMMUNES, seed=1))
    assert activities == list(activity_rows(COMMUNES, seed=1))
    covered = {(row["activity_date"][:4], row["location"]["province"], audience)
               for row in activities for audience in (row["audience_groups"] or "").split()}
    audiences = {a for *_, a in covered}
    assert len(audiences) == 14
    assert covered == {(year, province, a) for year in ("2025", "2026") for province in ("01", "20", "33", "91")
                       for a in audiences}
    assert max(row["activity_date"] for row in activities) <= LAST_DAY.isoformat()


def test_demo_visits_go_to_the_register_s_open_cases(tmp_path):
    """Households and inspections through the steps, then visits to the open cases: every visit matches a case,
    and the register shows late and timely first supports and closed cases."""
    engine = make_engine(f"sqlite:///{tmp_path / 'demo.sqlite'}")
    upgrade(engine)
    source = DemoData(case_list_csv=tmp_path / "cases.csv", households=400, inspections=200, seed=3)
    rules = load_rules()

    def pull(form_id: str) -> None:
        raw_store.store_records(engine, source.open_sync(form_id, None))

    pull(SURVEY)
    pull(INSPECTION)
    steps.clean_households(engine, Context.of_form(PSEUDONYMIZER, SURVEY))
    classify_children(engine, rules)
    programme_steps.clean_inspections(engine, Context.of_form(PSEUDONYMIZER, INSPECTION))
    classify_young_workers(engine, rules)
    case_register.identify_cases(engine, PSEUDONYMIZER)
    open_cases = case_register.open_cases(engine)
    assert len(open_cases) > 50
    assert list(source.open_sync(FOLLOWUP, None)) == []  # no case list, no visits
    source = dataclasses.replace(source, open_cases=lambda: case_register.open_cases(engine))
    pull(FOLLOWUP)
    case_cleaning.clean_case_visits(engine, Context.of_form(PSEUDONYMIZER, FOLLOWUP))
    classify_visits(engine, rules)
    case_register.update_case_register(engine)
    with engine.connect() as conn:
        quarantined = Counter(conn.execute(Quarantine.__table__.select().with_only_columns(
            Quarantine.form_id, Quarantine.reason_code)).all())
        cases = conn.execute(Case.__table__.select()).all()
    assert not any(form == FOLLOWUP for form, _ in quarantined)  # every visit parses and matches a case
    delays = [(c.first_support_on - c.identified_on).days for c in cases if c.first_support_on]
    assert sum(d <= 30 for d in delays) > sum(d > 30 for d in delays) > 5
    statuses = Counter(c.status for c in cases)
    assert statuses["closed"] > 5 and statuses["monitoring"] > 5
    assert {c.child_labour_at_last_visit for c in cases if c.visits} == {True, False}
    assert max(c.last_visit_on for c in cases if c.visits) <= LAST_DAY

    again = list(visit_rows(open_cases, seed=3))
    assert again == list(visit_rows(open_cases, seed=3))  # the same visits on every run
    assert {row["case_id"] for row in again} <= {c.case_id for c in open_cases}
    engine.dispose()


def test_the_demo_source_serves_each_form_its_own_rows(tmp_path):
    demo = DemoData(case_list_csv=tmp_path / "cases.csv", households=30, seed=5)
    assert [r.payload for r in demo.open_sync(SURVEY, None)] == list(household_rows(COMMUNES, 30, 5))
    assert {(r.source, r.form_id) for r in demo.open_sync(ACTIVITY, None)} == {("demo", ACTIVITY)}


def test_the_demo_records_every_kind_of_activity(tmp_path):
    """Every activity type, campaign, medium, material and audience group of the form, and the inspecting agency,
    reach the clean tables from the demo; the reports without an audience have no participants."""
    engine = make_engine(f"sqlite:///{tmp_path / 'demo.sqlite'}")
    upgrade(engine)
    source = DemoData(case_list_csv=tmp_path / "cases.csv", inspections=100, seed=1)
    raw_store.store_records(engine, source.open_sync(ACTIVITY, None))
    raw_store.store_records(engine, source.open_sync(INSPECTION, None))
    programme_steps.clean_activities(engine, Context.of_form(PSEUDONYMIZER, ACTIVITY))
    programme_steps.clean_inspections(engine, Context.of_form(PSEUDONYMIZER, INSPECTION))
    lists = definition("activity_report").codes
    with engine.connect() as conn:
        activities = conn.execute(select(Activity)).all()
        audiences = set(conn.execute(select(ActivityReach.audience)).scalars())
        agencies = Counter(conn.execute(select(Inspection.inspecting_agency)).scalars())
    assert {a.activity_type for a in activities} == lists["activity_type"] - {"other_activity"}
    assert {a.campaign for a in activities} == lists["campaign"] | {None}  # None: reports of the older version
    assert {a.channel for a in activities} == lists["broadcast_channel"] | lists["material"] | {None}
    assert audiences == lists["audience"]
    without = [a for a in activities if a.activity_type in NO_AUDIENCE]
    assert {a.participants_total for a in without} == {None}
    assert all(a.estimated_reach and a.reach_basis for a in without if a.channel)
    kinds = {a.activity_type: a for a in without}
    assert kinds["pledge_signing"].pledges_signed and kinds["supervision_visit"].supervisor_level
    assert kinds["parent_sanction"].sanctioned_people and kinds["parent_sanction"].fines_vnd
    assert None not in agencies and len(agencies) >= 4
    youth = {(a.activity_type, a.organiser_level) for a in activities if a.organisation == "youth_union"}
    assert youth == {("campaign_launch", "provincial"), ("contest_performance", "commune")}
    [(province, held)] = Counter(a.province_code for a in activities
                                 if a.organisation == "youth_union").most_common(1)
    units, legacy = load_admin_units(), ref.load_legacy_units()  # old-coded reports count in their new province
    ref.store_legacy_communes(engine, ref.legacy_commune_rows(legacy))
    ref.store_area_communes(engine, ref.area_communes(units, legacy, set()))
    area = ReportArea("province", province, units.code_list_version)
    by_organisation = organisation_report(engine, area, 2025, 2026, "youth_union")
    assert {r.unit.level for r in by_organisation.rows} == {"provincial", "commune"}
    assert sum(t.measures["activities"] for t in by_organisation.totals) == held
    engine.dispose()
