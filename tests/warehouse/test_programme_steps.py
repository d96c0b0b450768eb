"""The programme steps on SQLite and PostgreSQL: cleaning, classification, and the case register's lifecycle."""

import copy
import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from connectors.odk_central import record_from_odata_row
from tests.conftest import TEST_PSEUDONYM_KEY
from tests.pipeline.programme_fixture import (
    NO_WORK,
    household_rows,
    inspection_rows,
    subject_case_ids,
    visit,
    visit_rows,
    work,
)
from warehouse.cases import case_cleaning, case_register
from warehouse.cases.case_register import case_code, case_id_of
from warehouse.classify.classification import DEFAULT_RULES_PATH, load_rules
from warehouse.classify.classify import classify_children, classify_visits, classify_young_workers
from warehouse.clean import programme_steps, steps
from warehouse.clean.answers import Context
from warehouse.clean.pseudonym import Pseudonymizer
from warehouse.raw import raw_store
from warehouse.schema.db import make_engine, upgrade
from warehouse.schema.models import (
    Base,
    Case,
    CaseService,
    CaseStateHistory,
    CaseVisit,
    Inspection,
    Quarantine,
    YoungWorker,
    YoungWorkerClassification,
)

PSEUDONYMIZER = Pseudonymizer(TEST_PSEUDONYM_KEY)
RULES = load_rules()
CASES = subject_case_ids(TEST_PSEUDONYM_KEY)


@pytest.fixture
def engine(warehouse_url):
    engine = make_engine(warehouse_url)
    upgrade(engine)
    yield engine
    engine.dispose()


def store(engine, form_id: str, rows: list[dict]) -> None:
    raw_store.store_records(engine, [record_from_odata_row(row, "7", form_id) for row in rows])


def run(engine) -> dict:
    """Every step in the order of the asset graph; the stats of the register steps."""
    steps.clean_households(engine, Context.of_form(PSEUDONYMIZER, "household_survey"))
    classify_children(engine, RULES)
    programme_steps.clean_inspections(engine, Context.of_form(PSEUDONYMIZER, "workplace_inspection"))
    classify_young_workers(engine, RULES)
    identified = case_register.identify_cases(engine, PSEUDONYMIZER)
    case_cleaning.clean_case_visits(engine, Context.of_form(PSEUDONYMIZER, "case_followup"))
    classify_visits(engine, RULES)
    state = case_register.update_case_register(engine)
    return {"identified": identified.as_dict(), "state": state.as_dict()}


def rows(engine, *columns, where=None) -> list[tuple]:
    query = select(*columns)
    if where is not None:
        query = query.where(where)
    with engine.connect() as conn:
        return sorted(map(tuple, conn.execute(query).all()), key=repr)


def register(engine) -> dict[str, tuple]:
    c = Case
    return {r[0]: r[1:] for r in rows(engine, c.case_id, c.case_type, c.status, c.visits, c.first_support_on,
                                      c.last_visit_on, c.closed_on)}


def snapshot(engine) -> dict:
    with engine.connect() as conn:
        return {t.name: sorted(map(tuple, conn.execute(select(t)).all()), key=repr)
                for t in Base.metadata.sorted_tables if t.name not in ("pipeline_checkpoint", "sync_cursor")}


def test_inspections_are_cleaned_classified_and_follow_edits_and_deletions(engine):
    store(engine, "workplace_inspection", inspection_rows())
    run(engine)
    assert len(rows(engine, Inspection.inspection_id)) == 8  # I9 quarantined, I10 deleted
    yw, yc = YoungWorker, YoungWorkerClassification
    labour = rows(engine, yw.age, yw.sex, yc.hazardous, where=(yc.worker_id == yw.worker_id) & (yc.rule_set == "vn_law")
                  & yc.child_labour)
    assert labour == [(12, "male", False), (13, "male", True), (15, "male", True), (16, "female", True),
                      (16, "male", True), (17, "male", True)]  # w7 w3 w4 w8 w1 w9
    assert rows(engine, Quarantine.entity, Quarantine.reason_code) == [
        ("inspection", "UNKNOWN_COMMUNE"), ("young_worker", "AGE_OUT_OF_RANGE")]

    edited, deleted = copy.deepcopy(inspection_rows()[0]), copy.deepcopy(inspection_rows()[1])
    edited["young_worker"][1]["work"].update(hours_day=10, hours_week=50)  # w2 now works too long
    edited["__system"]["updatedAt"] = "2026-11-21T10:00:00.000Z"
    deleted["__system"]["deletedAt"] = "2026-11-21T10:00:00.000Z"
    store(engine, "workplace_inspection", [edited, deleted])
    run(engine)
    labour = rows(engine, yw.age, yw.sex, where=(yc.worker_id == yw.worker_id) & (yc.rule_set == "vn_law")
                  & yc.child_labour)
    assert labour == [(12, "male"), (15, "male"), (16, "female"), (16, "male"), (17, "female"), (17, "male")]
    assert len(rows(engine, yw.worker_id)) == 7 and len(rows(engine, yc.worker_id)) == 14  # w3 went with I2


def test_a_new_rules_version_reclassifies_every_young_worker(engine, tmp_path):
    store(engine, "workplace_inspection", inspection_rows())
    run(engine)
    text = Path(DEFAULT_RULES_PATH).read_text(encoding="utf-8")
    newer = tmp_path / "rules.toml"
    newer.write_text(re.sub(r'(?m)^version = ".*"$', 'version = "2099.1"', text, count=1), encoding="utf-8")
    stats = classify_young_workers(engine, load_rules(newer))
    assert (stats.processed, stats.loaded["young_worker_classification"]) == (8, 16)  # the stale ones replaced
    yc = YoungWorkerClassification
    assert rows(engine, yc.rules_version) == [("2099.1",)] * 16


def test_each_visit_is_classified_under_vn_law_as_at_that_visit(engine, tmp_path):
    still = visit(1, CASES["w1"], "03-20", "education", "supported", age=16, job=work("factory_workshop", 10, 50))
    stopped = visit(2, CASES["w1"], "06-15", "education", "monitoring", age=16)
    adult = visit(3, CASES["w9"], "07-01", "none", "closed", age=18, closure="turned_18",
                  job=work("construction_work", 10, 50, "construction_site"))
    store(engine, "case_followup", [still, stopped, adult])
    case_cleaning.clean_case_visits(engine, Context.of_form(PSEUDONYMIZER, "case_followup"))
    v = CaseVisit
    assert rows(engine, v.child_labour, v.reasons, v.rules_version) == [(None, None, None)] * 3  # cleaned only
    assert classify_visits(engine, RULES).processed == 3
    assert rows(engine, v.visit_date, v.age, v.working, v.child_labour, v.reasons, v.rules_version) == [
        (date(2026, 3, 20), 16, True, True, "VN_15_17_HOURS", RULES.version),
        (date(2026, 6, 15), 16, False, False, "", RULES.version),
        (date(2026, 7, 1), 18, True, False, "", RULES.version),  # an adult: outside the rules
    ]
    assert classify_visits(engine, RULES).processed == 0  # nothing left to do

    newer = tmp_path / "rules.toml"
    newer.write_text(re.sub(r'(?m)^version = ".*"$', 'version = "2099.1"',
                            Path(DEFAULT_RULES_PATH).read_text(encoding="utf-8"), count=1), encoding="utf-8")
    assert classify_visits(engine, load_rules(newer)).processed == 3  # a new rules version: each visit again,
    assert rows(engine, v.visit_date, v.child_labour, v.rules_version) == [  # without cleaning it again
        (date(2026, 3, 20), True, "2099.1"), (date(2026, 6, 15), False, "2099.1"),
        (date(2026, 7, 1), False, "2099.1")]


def test_the_register_follows_subjects_and_visits(engine):
    h1, h2 = household_rows()
    k3_visit = visit_rows(CASES)[10]
    store(engine, "household_survey", [h1])
    store(engine, "case_followup", [k3_visit])  # a visit to k3, whose household is not in yet
    first = run(engine)
    assert set(register(engine)) == {CASES["k1"]}
    assert first["state"]["quarantined"] == {"unknown_case": 1, "matched_again": 0, "invalid_transition": 0,
                                             "transition_allowed_again": 0}
    assert rows(engine, Quarantine.reason_code, Quarantine.value) == [("UNKNOWN_CASE", CASES["k3"])]

    store(engine, "household_survey", [h2])
    second = run(engine)
    assert second["state"]["quarantined"] == {"unknown_case": 0, "matched_again": 1, "invalid_transition": 0,
                                              "transition_allowed_again": 0}
    assert rows(engine, Quarantine.reason_code) == []
    k3 = register(engine)[CASES["k3"]]
    assert k3[:3] == ("at_risk", "open", 1)
    codes = dict(rows(engine, Case.case_id, Case.case_code))

    not_working = copy.deepcopy(h1)  # k1 edited: she does not work after all → no longer a case, no visits
    not_working["child"][0].update(econ_activity="no", temp_absent="no", work=dict(NO_WORK))
    not_working["__system"]["updatedAt"] = "2026-11-21T10:00:00.000Z"
    gone = copy.deepcopy(h2)  # H2 deleted: k3 has a visit, so the case stays
    gone["__system"]["deletedAt"] = "2026-11-21T10:00:00.000Z"
    store(engine, "household_survey", [not_working, gone])
    third = run(engine)
    assert third["identified"]["deleted"] == 1
    assert set(register(engine)) == {CASES["k3"]} and register(engine)[CASES["k3"]] == k3
    assert dict(rows(engine, Case.case_id, Case.case_code)) == {CASES["k3"]: codes[CASES["k3"]]}


def test_the_state_comes_from_the_latest_visit_and_the_first_support(engine):
    store(engine, "workplace_inspection", inspection_rows())
    late_but_earlier = visit(20, CASES["w4"], "03-25", "education", "monitoring", age=15)  # arrives last
    store(engine, "case_followup", [visit_rows(CASES)[4], visit_rows(CASES)[5], late_but_earlier,
                                    visit(21, CASES["w9"], "05-10", "health", "supported", age=17,
                                          first_support="05-08"),
                                    visit(22, CASES["w9"], "05-20", "health", "monitoring", age=17,
                                          first_support="05-18"),
                                    visit(23, CASES["w8"], "05-01", "education", "closed", closure="moved", age=16)])
    run(engine)
    state = register(engine)
    assert state[CASES["w4"]] == ("child_labourer", "supported", 3, date(2026, 4, 8), date(2026, 4, 10), None)
    assert state[CASES["w9"]] == ("child_labourer", "monitoring", 2, date(2026, 5, 8), date(2026, 5, 20), None)
    assert state[CASES["w8"]] == (  # a support without its date: the visit's date
        "child_labourer", "closed", 1, date(2026, 5, 1), date(2026, 5, 1), date(2026, 5, 1))
    assert state[CASES["w7"]] == ("child_labourer", "open", 0, None, None, None)
    c = Case
    assert rows(engine, c.in_education_at_last_visit, c.child_labour_at_last_visit, c.closure_reason,
                where=c.case_id == CASES["w4"]) == [(False, False, None)]  # dropped out, no longer working


def test_identification_changes_follow_the_subject_and_keep_the_code(engine):
    store(engine, "workplace_inspection", inspection_rows())
    run(engine)
    code = rows(engine, Case.case_code, where=Case.case_id == CASES["w4"])
    lighter = copy.deepcopy(inspection_rows()[2])  # w4 moved to a shop, 4 h a day: at risk, no longer CL
    lighter["young_worker"][0]["work"] = work("shop_restaurant", 4, 20, "shop_market", sector="services")
    lighter["__system"]["updatedAt"] = "2026-11-21T10:00:00.000Z"
    store(engine, "workplace_inspection", [lighter])
    assert run(engine)["identified"]["loaded"] == {"new": 0, "changed": 1, "report_links": 0, "match_candidates": 0}
    assert rows(engine, Case.case_code, Case.case_type, where=Case.case_id == CASES["w4"]) == [
        (code[0][0], "at_risk")]


def test_a_rerun_changes_nothing(engine):
    store(engine, "household_survey", household_rows())
    store(engine, "workplace_inspection", inspection_rows())
    store(engine, "case_followup", visit_rows(CASES))
    run(engine)
    before = snapshot(engine)
    again = run(engine)
    assert again["identified"]["loaded"] == {"new": 0, "changed": 0, "report_links": 0, "match_candidates": 0}
    assert again["identified"]["deleted"] == 0
    assert again["state"]["loaded"] == {"changed": 0, "history_rewritten": 0, "visits_moved": 0}
    assert again["state"]["quarantined"] == {"unknown_case": 0, "matched_again": 0, "invalid_transition": 0,
                                             "transition_allowed_again": 0}
    assert snapshot(engine) == before
    assert len(register(engine)) == 10


def test_case_ids_and_codes_are_stable_pseudonymous_and_never_collide():
    subject = PSEUDONYMIZER.id("child", "household_survey", "h", 1)
    assert case_id_of(subject) == case_id_of(subject) != case_id_of(subject + "0")
    code = case_code(PSEUDONYMIZER, case_id_of(subject))
    assert re.fullmatch(r"C-[0-9A-HJKMNP-TV-Z]{5}", code)
    assert case_code(Pseudonymizer("another-key-0123456789"), case_id_of(subject)) != code
    assert case_register._free_code(PSEUDONYMIZER, case_id_of(subject), {code}) == case_code(
        PSEUDONYMIZER, case_id_of(subject), 6)


def test_a_submission_no_check_foresaw_is_quarantined_not_a_stuck_batch(engine):
    odd = copy.deepcopy(inspection_rows()[1])
    odd["young_worker"] = "not a repeat"
    store(engine, "workplace_inspection", [inspection_rows()[0], odd])
    stats = programme_steps.clean_inspections(engine, Context.of_form(PSEUDONYMIZER, "workplace_inspection"))
    assert stats.loaded["inspection"] == 1
    assert rows(engine, Quarantine.entity, Quarantine.reason_code) == [("inspection", "UNREADABLE")]


def test_each_case_walks_the_workflow_and_a_move_it_refuses_is_quarantined(engine):
    """w9, identified at an inspection (screened): referred and served at a first visit (→ services); a visit
    saying the plan is being made is a move back the workflow refuses; the third follows up."""
    store(engine, "workplace_inspection", inspection_rows())
    first = visit(30, CASES["w9"], "05-10", "education", "supported", age=17)
    first.update(case_state="services", assessment_done="yes", assessment={"risk_level": "high", "needs": "education"},
                 n_services=2, service=[
                     {"service_type": "education", "provider": "school", "referred_date": "2026-05-04",
                      "service_outcome": "received", "received_date": "2026-05-06"},
                     {"service_type": "credit", "provider": "social_policy_bank", "referred_date": "2026-05-10",
                      "service_outcome": "waiting"}])
    back = visit(31, CASES["w9"], "05-20", "none", "open", age=17)
    back["case_state"] = "plan"
    follow = visit(32, CASES["w9"], "06-01", "none", "monitoring", age=17)
    follow["case_state"] = "follow_up"
    store(engine, "case_followup", [first, back, follow])
    stats = run(engine)
    assert stats["state"]["quarantined"]["invalid_transition"] == 1
    assert rows(engine, Quarantine.reason_code, Quarantine.field, Quarantine.value,
                where=Quarantine.form_id == "case_followup") == [("INVALID_TRANSITION", "case_state", "services → plan")]
    h = CaseStateHistory
    assert rows(engine, h.step, h.from_state, h.to_state, h.changed_on, where=h.case_id == CASES["w9"]) == [
        (0, None, "screened", date(2026, 4, 20)), (1, "screened", "services", date(2026, 5, 10)),
        (2, "services", "follow_up", date(2026, 6, 1))]
    c = Case
    # first support: the service received on 6 May; urgent (high risk): the next visit due at the latest 30 days
    # after 1 June (1 July), before the officer's 15 December
    assert rows(engine, c.state, c.visits, c.first_support_on, c.urgent, c.due_on, c.second_visit_on,
                where=c.case_id == CASES["w9"]) == [
        ("follow_up", 3, date(2026, 5, 6), True, date(2026, 7, 1), date(2026, 5, 20))]
    s = CaseService
    assert rows(engine, s.service_type, s.provider, s.service_outcome, s.received_date) == [
        ("credit", "social_policy_bank", "waiting", None), ("education", "school", "received", date(2026, 5, 6))]
    again = run(engine)
    assert again["state"]["loaded"] == {"changed": 0, "history_rewritten": 0, "visits_moved": 0}
    assert again["state"]["quarantined"]["invalid_transition"] == 0
