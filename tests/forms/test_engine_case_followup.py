"""The case follow-up filled in ODK's own form engine (@getodk/xforms-engine) with the demo list of cases, as a case
worker would: the case is chosen from cases.csv and the submission carries the update of that case's entity."""

from __future__ import annotations

import csv
import datetime

import pytest

from tests.forms.engine_session import violation
from tests.forms.xlsform_tools import FORMS_DIR, read_sheets
from warehouse.cases.case_workflow import load_workflow

pytestmark = pytest.mark.engine

FORM = FORMS_DIR / "case_followup.xlsx"
VISIT = "2026-11-20"


def cases() -> list[dict]:
    with open(FORMS_DIR / "media" / "cases.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def demo_case(**properties) -> dict:
    """The first demo case with these properties ("" for blank)."""
    return next(case for case in cases() if all(case[key] == value for key, value in properties.items()))


NEVER_SUPPORTED = demo_case(status="open", first_support="")
SUPPORTED = demo_case(status="supported")


def visit(form, case: dict, **answers) -> None:
    """A visit on VISIT to `case`: a 13-year-old, not working, in school; `answers` override or add."""
    form.answer({
        "case_id": case["name"], "visit_date": VISIT, "case_worker": "Lê Thị Hoa", "case_source": "household_survey",
        "case_type": "child_labourer", "age": 13, "econ_activity": "no", "temp_absent": "no", "chores_hours_week": 6,
        "school_status": "attending", "vocational_training": "no", "support": ["education"],
        "assessment_done": "no", "plan_approved": "no", "n_services": 0, "case_state": "follow_up",
        "next_visit": "2026-12-20",
    } | answers)


def test_the_case_list_from_cases_csv_shows_only_open_cases(form):
    open_cases = [case["name"] for case in cases() if case["status"] != "closed"]
    assert len(open_cases) < len(cases())  # the demo list has a closed case
    assert form.state("case_id")["options"] == open_cases


def test_the_chosen_case_is_shown_by_its_label(form):
    form.set("case_id", SUPPORTED["name"])
    assert form.state("case_label")["value"] == SUPPORTED["label"]
    assert form.state("prior_first_support")["value"] == SUPPORTED["first_support"]


def test_blank_form_cannot_be_finalized(form):
    payload = form.submit()
    assert payload["status"] == "pending"
    assert {v["reference"].removeprefix("/data/") for v in payload["violations"]} == {
        "case_id", "case_worker", "case_source", "case_type", "age", "econ_activity", "chores_hours_week",
        "school_status", "vocational_training", "support", "assessment_done", "plan_approved", "n_services",
        "case_state", "next_visit"}


def test_visit_date_defaults_to_today_and_cannot_be_in_the_future(form):
    today = datetime.date.today()
    assert form.state("visit_date")["value"] == today.isoformat()
    assert violation(form.set("visit_date", today + datetime.timedelta(days=1))) == "constraint"


@pytest.mark.parametrize(("econ_activity", "temp_absent", "working"), [
    ("yes", None, True), ("no", "yes", True), ("no", "no", False),
])
def test_work_is_asked_as_in_the_household_survey(form, econ_activity, temp_absent, working):
    form.set("econ_activity", econ_activity)
    assert form.state("temp_absent")["relevant"] == (econ_activity == "no")
    if temp_absent:
        form.set("temp_absent", temp_absent)
    assert form.state("work")["relevant"] == working


def test_performance_approval_asked_under_13_for_arts_or_sport(form):
    form.answer({"age": 12, "econ_activity": "yes", "work/work_kind": ["sport"]})
    assert form.state("work/performance_approved")["relevant"]
    form.set("age", 13)
    assert not form.state("work/performance_approved")["relevant"]


@pytest.mark.parametrize(("age", "accepted"), [(4, False), (5, True), (18, True), (19, False)])
def test_age_at_the_visit(form, age, accepted):
    assert violation(form.set("age", age)) == (None if accepted else "constraint")


def test_first_support_date_is_asked_once(form):
    form.set("case_id", NEVER_SUPPORTED["name"])
    form.set("support", ["none"])
    assert not form.state("first_support_date")["relevant"]
    form.set("support", ["education", "livelihood"])
    assert form.state("first_support_date")["required"]
    form.set("visit_date", VISIT)
    assert violation(form.set("first_support_date", "2026-11-21")) == "constraint"  # after the visit
    form.set("first_support_date", "2026-11-02")
    assert form.state("first_support")["value"] == "2026-11-02"
    form.set("case_id", SUPPORTED["name"])  # already has a first support: not asked again, kept
    assert not form.state("first_support_date")["relevant"]
    assert form.state("first_support")["value"] == SUPPORTED["first_support"]


def test_none_is_exclusive_in_support(form):
    assert violation(form.set("support", ["none", "health"])) == "constraint"


def test_closing_asks_the_reason_a_sign_off_and_no_next_visit(form):
    form.set("case_id", SUPPORTED["name"])
    form.set("case_state", "follow_up")
    assert form.state("case_status")["value"] == "monitoring"
    assert form.state("next_visit")["relevant"] and not form.state("closure_reason")["relevant"]
    form.set("case_state", "closed")
    assert form.state("case_status")["value"] == "closed"
    for field in ("closure_reason", "supervisor_name", "supervisor_signoff", "signoff_date"):
        assert form.state(field)["required"], field
    assert not form.state("next_visit")["relevant"]
    assert violation(form.set("supervisor_signoff", "no")) == "constraint"  # no closure without a sign-off


def test_only_the_steps_the_workflow_allows_are_offered(form):
    """The choices' `after` column is the workflow file's transitions: a case screened cannot be followed up
    before any service, a case receiving services can."""
    workflow = load_workflow()
    form.set("case_id", NEVER_SUPPORTED["name"])
    assert form.state("prior_state")["value"] == "screened"
    offered = form.state("case_state")["options"]
    assert offered == [s for s in workflow.states if workflow.allows("screened", s)]
    assert "follow_up" not in offered
    form.set("case_id", SUPPORTED["name"])
    assert form.state("case_state")["options"] == [s for s in workflow.states if workflow.allows("services", s)]


def test_the_form_s_state_choices_are_the_workflow_s():
    workflow = load_workflow()
    header, *rows = read_sheets(FORM)["choices"]
    after = {r[header.index("name")]: set(r[header.index("after")].split())
             for r in rows if r[header.index("list_name")] == "case_state"}
    assert after == {s: {t for t in workflow.states if workflow.allows(t, s)} for s in workflow.states
                     if any(workflow.allows(t, s) for t in workflow.states) and s != "screened"}
    closure = {r[header.index("name")] for r in rows if r[header.index("list_name")] == "closure_reason"}
    assert closure == set(workflow.closure_reasons)


def test_an_overdue_case_is_flagged_on_the_phone(form):
    form.set("case_id", NEVER_SUPPORTED["name"])  # due 2026-11-30, before today
    assert form.state("prior_overdue")["value"] == "yes"
    assert form.state("overdue_note")["relevant"]


def test_assessment_plan_and_services_are_asked_when_done(form):
    form.set("visit_date", VISIT)
    form.set("assessment_done", "yes")
    assert form.state("assessment/risk_level")["required"]
    assert "none" not in form.state("assessment/needs")["options"]
    form.set("plan_approved", "yes")
    assert violation(form.set("plan/plan_date", "2026-11-21")) == "constraint"  # after the visit
    form.set("plan/plan_date", "2026-11-19")
    assert violation(form.set("plan/plan_review_date", "2026-11-19")) == "constraint"
    form.set("n_services", 2)
    assert violation(form.set("n_services", 11)) == "constraint"


def test_next_visit_after_this_visit(form):
    form.set("visit_date", VISIT)
    assert violation(form.set("next_visit", VISIT)) == "constraint"
    assert violation(form.set("next_visit", "2026-11-21")) is None


def test_submission_updates_the_chosen_case(form):
    visit(form, NEVER_SUPPORTED, econ_activity="yes", **{
        "work/work_kind": ["lottery_selling"], "work/workplace": ["street"], "work/sector": "services",
        "work/hours_day": 3, "work/hours_week": 12.5, "work/night_work": "no", "work/overtime": "no",
        "work/hazards": ["none"], "first_support_date": "2026-11-02", "assessment_done": "yes",
        "assessment/risk_level": "high", "assessment/needs": ["education", "credit"], "plan_approved": "yes",
        "plan/plan_date": "2026-11-10", "plan/plan_review_date": "2027-02-10", "n_services": 2,
        "service[1]/service_type": "education", "service[1]/provider": "school",
        "service[1]/referred_date": "2026-11-10", "service[1]/service_outcome": "received",
        "service[1]/received_date": "2026-11-16", "service[2]/service_type": "credit",
        "service[2]/provider": "social_policy_bank", "service[2]/referred_date": "2026-11-12",
        "service[2]/service_outcome": "waiting", "case_state": "services"})
    payload = form.submit()
    assert (payload["status"], payload["violations"]) == ("ready", [])
    root = payload["root"]
    assert root.get("id") == "case_followup"
    entity = root.find("meta/entity")
    assert {key: entity.get(key) for key in ("dataset", "id", "update", "create")} == {
        "dataset": "cases", "id": NEVER_SUPPORTED["name"], "update": "1", "create": None}
    assert root.findtext("meta/instanceName") == f"{NEVER_SUPPORTED['label']} {VISIT}"
    saved = {field: root.findtext(field) for field in ("visit_date", "case_type", "case_status", "case_state",
                                                        "next_visit", "first_support")}
    assert saved == {"visit_date": VISIT, "case_type": "child_labourer", "case_status": "supported",
                     "case_state": "services", "next_visit": "2026-12-20", "first_support": "2026-11-02"}
    services = root.findall("service")
    assert [(s.findtext("service_type"), s.findtext("service_outcome"), s.findtext("received_date"))
            for s in services] == [("education", "received", "2026-11-16"), ("credit", "waiting", None)]
    assert root.findtext("work/work_kind") == "lottery_selling" and root.findtext("work/hours_week") == "12.5"
    assert root.findtext("support") == "education"


def test_closing_submission_blanks_the_due_date(form):
    visit(form, SUPPORTED, case_state="closed", closure_reason="no_longer_working", supervisor_name="Trần Văn Nam",
          supervisor_signoff="yes", signoff_date=VISIT)
    payload = form.submit()
    assert (payload["status"], payload["violations"]) == ("ready", [])
    root = payload["root"]
    assert root.find("meta/entity").get("id") == SUPPORTED["name"]
    assert root.findtext("closure_reason") == "no_longer_working" and root.findtext("case_status") == "closed"
    assert (root.findtext("supervisor_signoff"), root.findtext("signoff_date")) == ("yes", VISIT)
    assert not root.findtext("next_visit")
    assert root.findtext("first_support") == SUPPORTED["first_support"]


def test_a_visit_names_every_channel_a_case_report_can_come_from(form):
    header, *rows = read_sheets(FORMS_DIR / "case_report.xlsx")["choices"]
    channels = [r[header.index("name")] for r in rows if r[header.index("list_name")] == "reporter_type"]
    assert sorted(form.state("case_source")["options"]) == sorted(channels)
