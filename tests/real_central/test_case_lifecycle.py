"""A child's case from the report to its closure, on a real ODK Central, every form filled in ODK's engine, with
figures worked by hand.

The story, in Mỹ Hòa Hưng (An Giang):

- the household survey of 2026-11-20 finds Trẻ 1 (12, carrying heavy loads on the family farm): case A;
- the hotline 111 reports Phạm Văn Tú (14) on 2026-11-02; screening opens case B, identified on 2026-11-03;
- the school reports Trẻ 1 on 2026-11-25: the same child, the same case A (name, birth date and commune alike);
- the hotline reports Hồ Thị Ngọc Ánh (15), trafficked, as an emergency on 2026-12-01: case C, urgent;
- the officer chooses B in the cases list on the phone and visits: on 2026-11-10 (Tú still carries loads; first
  support, a medium risk assessed, an education referral), on 2026-11-24 (Tú has stopped working and attends
  school; the referral received on 2026-11-20), then on 2026-12-04 closes the case with the supervisor's sign-off.
  She visits A once, on 2026-11-28 (first support; Trẻ 1 still works). C is never supported.

Hand-worked figures for the commune (``restricted_indicator_value``, the accountable officers' tier; the published
tier hides counts this small), all in 2026-Q4:

- 1.2 supported in time: B (7 days, limit 30) and A (8 days) in time; C's limit (12 hours from 2026-12-01) passed
  without support: 2 of 3;
- 4.2d at least two follow-up visits: B (3 visits): 1 of 3;
- 4.2e out of child labour at the second visit, among child labourers visited twice: B: 1 of 1;
- 4.2a out of child labour at the latest visit, among child labourers visited: B out, A not: 1 of 2;
- 1.3 in education at the latest visit: A and B: 2 of 2;
- 4.2f referrals received: B's education referral: 1 of 1;
- 4.2b median days to first support: 7 (B) and 8 (A): 7.5; 4.2c median days to closure: B, 31.
"""

from __future__ import annotations

import csv
import io
import time
from datetime import date

import pytest
from sqlalchemy import select

from tests.forms.test_engine_case_followup import visit
from tests.forms.test_engine_case_report import report
from tests.real_central.conftest import fill_household, new_project, phone_engine, publish_forms, run_monitoring_job
from warehouse.cases.case_register import entity_id
from warehouse.schema.db import make_engine
from warehouse.schema.models import Case, CaseReport, CaseReportMatch, CaseVisit, Quarantine, RestrictedIndicatorValue

pytestmark = pytest.mark.central

COMMUNE = "30313"
HAZARDOUS_WORK = {"econ_activity": "yes", "work/work_kind": ["crop_farming", "heavy_loads"],
                  "work/workplace": ["family_farm"], "work/sector": "agriculture_forestry_fishery",
                  "work/hours_day": 5, "work/hours_week": 22.5, "work/night_work": "no", "work/overtime": "no",
                  "work/hazards": ["chemicals_pesticides", "heavy_loads"]}
REPORTS = {
    "hotline": {"report_date": "2026-11-02", "reporter_type": "hotline_111", "report_channel": "phone",
                "reported_child/child_name": "Phạm Văn Tú", "reported_child/sex": "male",
                "reported_child/dob": "2012-05-10", "screening/identification_date": "2026-11-03"},
    "school": {"report_date": "2026-11-25", "reported_child/child_name": "Trẻ 1",
               "reported_child/dob": "2014-03-15", "screening/identification_date": "2026-11-25"},
    "trafficked": {"report_date": "2026-12-01", "reporter_type": "hotline_111", "report_channel": "phone",
                   "case_type": "trafficked", "urgency": "emergency",
                   "reported_child/child_name": "Hồ Thị Ngọc Ánh", "reported_child/dob": "2011-06-01",
                   "screening/identification_date": "2026-12-01"},
}


@pytest.fixture(scope="module")
def project(odk_central):
    project = new_project(odk_central, "Theo dõi trường hợp")
    published = publish_forms(project.source(project.manager))
    assert published.success
    project.collector = project.server.app_user_token(project.id, "Cán bộ xã Mỹ Hòa Hưng")
    return project


def sync(project, warehouse):
    run = run_monitoring_job(project.source(project.manager), *warehouse)
    assert (run.failed_steps(), run.failed_checks()) == ([], []), run.failures()
    return run


def filled(engine, answers: dict) -> bytes:
    form = engine.open()
    answers(form)
    payload = form.submit()
    assert (payload["status"], payload["violations"]) == ("ready", []), payload["violations"]
    return payload["xml"].encode()


def served_cases(project) -> dict[str, dict]:
    """The cases list as Central serves it to the phone, by entity id."""
    answer = project.server.http.get(f"{project.server.url}/v1/key/{project.collector}/projects/{project.id}"
                                     "/forms/case_followup/attachments/cases.csv")
    assert answer.status_code == 200, answer.text
    return {row["name"]: row for row in csv.DictReader(io.StringIO(answer.text))}


def entity_state(project, uuid: str) -> dict:
    return project.server.api("GET", f"/v1/projects/{project.id}/datasets/cases/entities/{uuid}").json()[
        "currentVersion"]["data"]


def until_applied(project, uuid: str, state: str) -> None:
    """Wait for Central's worker to apply a follow-up's update to the entity."""
    deadline = time.monotonic() + 30
    while (now := entity_state(project, uuid).get("state")) != state:
        assert time.monotonic() < deadline, now
        time.sleep(0.5)


def follow_up(project, tmp_path_factory, uuid: str, **answers) -> None:
    """The officer opens the follow-up on the phone (the cases list as Central serves it now), chooses the case
    and visits."""
    with phone_engine(project, "case_followup", tmp_path_factory.mktemp("followup")) as engine:
        case = served_cases(project)[uuid]
        xml = filled(engine, lambda form: visit(form, case, **answers))
    project.submit_all([xml])


def cells(url: str) -> dict[str, tuple]:
    """The commune's 2026-Q4 totals of the case indicators, unprotected: (numerator, denominator, value)."""
    engine = make_engine(url)
    iv = RestrictedIndicatorValue
    with engine.connect() as conn:
        rows = conn.execute(select(iv.indicator_id, iv.numerator, iv.denominator, iv.value).where(
            iv.source == "cases", iv.area_level == "commune", iv.area_code == COMMUNE, iv.period == "2026-Q4",
            iv.dimension == "total")).all()
    engine.dispose()
    return {row.indicator_id: (row.numerator, row.denominator, row.value) for row in rows}


def test_a_case_from_the_hotline_to_its_closure(project, warehouse, tmp_path_factory):
    with phone_engine(project, "household_survey", tmp_path_factory.mktemp("survey")) as engine:
        household = fill_household(engine, "W").encode()
    with phone_engine(project, "case_report", tmp_path_factory.mktemp("report")) as engine:
        reports = [filled(engine, lambda form, a=answers: report(
            form, **{"screening/screening_outcome": "open_case", **a})) for answers in REPORTS.values()]
    project.submit_all([household, *reports])
    first = sync(project, warehouse)

    url = warehouse[0]
    engine = make_engine(url)
    with engine.connect() as conn:
        cases = {(row.identified_source, row.case_type): row for row in conn.execute(select(Case))}
        matched = sorted(conn.execute(select(CaseReport.reporter_type, CaseReportMatch.matched).join(
            CaseReportMatch, CaseReportMatch.report_id == CaseReport.report_id)).all())
    engine.dispose()
    assert set(cases) == {("household_survey", "child_labourer"), ("hotline_111", "child_labourer"),
                          ("hotline_111", "trafficked")}  # the school's report joined the survey's case
    assert matched == [("hotline_111", "new"), ("hotline_111", "new"), ("school", "exact")]
    a, b = cases["household_survey", "child_labourer"], cases["hotline_111", "child_labourer"]
    c = cases["hotline_111", "trafficked"]
    assert (c.urgent, b.urgent, b.identified_on, a.identified_on) == (True, False, date(2026, 11, 3),
                                                                       date(2026, 11, 20))
    assert first.metadata("case_list")["created"] == 3
    on_phone = served_cases(project)
    assert set(on_phone) == {entity_id(case.case_id) for case in (a, b, c)}
    assert (on_phone[entity_id(b.case_id)]["state"], on_phone[entity_id(c.case_id)]["overdue"]) == ("screened", "yes")

    tu, mai = entity_id(b.case_id), entity_id(a.case_id)
    follow_up(project, tmp_path_factory, tu, visit_date="2026-11-10", case_source="hotline_111", age=14,
              **HAZARDOUS_WORK, support=["education"], first_support_date="2026-11-10", assessment_done="yes",
              **{"assessment/risk_level": "medium", "assessment/needs": ["education"]}, plan_approved="yes",
              **{"plan/plan_date": "2026-11-10", "plan/plan_review_date": "2026-12-10"}, n_services=1,
              **{"service[1]/service_type": "education", "service[1]/provider": "school",
                 "service[1]/referred_date": "2026-11-10", "service[1]/service_outcome": "waiting"},
              case_state="services", next_visit="2026-11-24")
    follow_up(project, tmp_path_factory, mai, visit_date="2026-11-28", age=12, **HAZARDOUS_WORK,
              support=["education"], first_support_date="2026-11-28", case_state="services",
              next_visit="2026-12-20")
    until_applied(project, tu, "services")
    follow_up(project, tmp_path_factory, tu, visit_date="2026-11-24", case_source="hotline_111", age=14,
              support=["education"], n_services=1,
              **{"service[1]/service_type": "education", "service[1]/provider": "school",
                 "service[1]/referred_date": "2026-11-10", "service[1]/service_outcome": "received",
                 "service[1]/received_date": "2026-11-20"},
              case_state="follow_up", next_visit="2026-12-05")
    until_applied(project, tu, "follow_up")
    follow_up(project, tmp_path_factory, tu, visit_date="2026-12-04", case_source="hotline_111", age=14,
              support=["education"], case_state="closed", closure_reason="no_longer_working",
              supervisor_name="Trần Văn Nam", supervisor_signoff="yes", signoff_date="2026-12-04")
    until_applied(project, tu, "closed")
    sync(project, warehouse)

    engine = make_engine(url)
    with engine.connect() as conn:
        register = {row.case_id: row for row in conn.execute(select(Case))}
        visits = sorted(conn.execute(select(CaseVisit.case_id, CaseVisit.visit_date)).all())
        quarantined = conn.execute(select(Quarantine.form_id, Quarantine.reason_code)).all()
    engine.dispose()
    assert quarantined == []
    assert visits == sorted([(b.case_id, date(2026, 11, 10)), (b.case_id, date(2026, 11, 24)),
                             (b.case_id, date(2026, 12, 4)), (a.case_id, date(2026, 11, 28))])
    closed = register[b.case_id]
    assert (closed.status, closed.state, closed.closed_on, closed.closure_reason, closed.visits) == (
        "closed", "closed", date(2026, 12, 4), "no_longer_working", 3)
    assert (closed.first_support_on, closed.second_visit_on, closed.child_labour_at_second_visit) == (
        date(2026, 11, 10), date(2026, 11, 24), False)
    assert (register[a.case_id].visits, register[c.case_id].visits) == (1, 0)

    figures = cells(url)
    assert {i: figures[i][:2] for i in ("1.2", "4.2d", "4.2e", "4.2a", "1.3", "4.2f")} == {
        "1.2": (2, 3), "4.2d": (1, 3), "4.2e": (1, 1), "4.2a": (1, 2), "1.3": (2, 2), "4.2f": (1, 1)}
    assert (figures["4.2b"][2], figures["4.2c"][2]) == (7.5, 31)
