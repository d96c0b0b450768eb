"""The demo's case reports: from every channel, a trafficked child, and a survey-found child reported again by a
school who stays one case; their cases visited like the others."""

from collections import Counter

from sqlalchemy import func, select

from connectors.demo import demo_communes
from connectors.demo_reports import TRAFFICKED, case_report_rows
from connectors.forms import FORMS_DIR
from connectors.sources import DemoData
from tests.conftest import TEST_PSEUDONYM_KEY
from warehouse.cases import case_cleaning, case_register
from warehouse.cases.case_matching import BIRTH_YEAR_UNCERTAIN
from warehouse.cases.case_report import FORM_ID as REPORT
from warehouse.cases.case_visit import FORM_ID as FOLLOWUP
from warehouse.classify.classification import load_rules
from warehouse.classify.classify import classify_children, classify_visits
from warehouse.clean import steps
from warehouse.clean.answers import Context
from warehouse.clean.household import FORM_ID as SURVEY
from warehouse.clean.pseudonym import Pseudonymizer
from warehouse.raw import raw_store
from warehouse.schema.db import make_engine, upgrade
from warehouse.schema.models import Case, CaseReport, CaseReportMatch, Quarantine, RestrictedCaseMatchCandidate

COMMUNES = demo_communes(FORMS_DIR / "media" / "communes.csv")
PSEUDONYMIZER = Pseudonymizer(TEST_PSEUDONYM_KEY)


def test_reports_are_deterministic_and_come_from_every_channel():
    rows = list(case_report_rows(COMMUNES, 400, seed=3))
    assert rows == list(case_report_rows(COMMUNES, 400, seed=3)) != list(case_report_rows(COMMUNES, 400, seed=4))
    assert {r["reporter_type"] for r in rows} == {"hotline_111", "school", "police", "community", "health_worker",
                                                  "child_family", "other_commune"}
    assert {r["screening"]["screening_outcome"] for r in rows} == {"open_case", "no_case", "pending"}
    assert [r["case_type"] for r in rows if r["reported_child"]["child_name"] == TRAFFICKED] == ["trafficked"] * 2


def test_demo_reports_open_join_or_wait_and_their_cases_are_visited(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'demo.sqlite'}")
    upgrade(engine)
    source = DemoData(case_list_csv=tmp_path / "cases.csv", households=400, inspections=0, seed=3,
                      open_cases=lambda: case_register.open_cases(engine))
    rules = load_rules()
    for form_id in (SURVEY, REPORT):
        raw_store.store_records(engine, source.open_sync(form_id, None))
    steps.clean_households(engine, Context.of_form(PSEUDONYMIZER, SURVEY))
    classify_children(engine, rules)
    case_cleaning.clean_case_reports(engine, Context.of_form(PSEUDONYMIZER, REPORT), rules)
    case_register.identify_cases(engine, PSEUDONYMIZER)
    raw_store.store_records(engine, source.open_sync(FOLLOWUP, None))
    case_cleaning.clean_case_visits(engine, Context.of_form(PSEUDONYMIZER, FOLLOWUP))
    classify_visits(engine, rules)
    case_register.update_case_register(engine)
    r, m, c = CaseReport, CaseReportMatch, Case
    with engine.connect() as conn:
        quarantined = conn.execute(select(Quarantine.form_id, Quarantine.reason_code)).all()
        links = conn.execute(select(r.reporter_type, r.case_type, m.matched, c.subject_kind, c.identified_source,
                                    c.visits).join(m, m.report_id == r.report_id).join(c, c.case_id == m.case_id)
                             .order_by(r.identification_date)).all()
        candidates = conn.execute(select(RestrictedCaseMatchCandidate.reason, c.identified_source)
                                  .join(c, c.case_id == RestrictedCaseMatchCandidate.case_id)).all()
        reports = conn.execute(select(func.count()).select_from(r)).scalar()
    assert not [q for q in quarantined if q.form_id in (REPORT, FOLLOWUP)]
    assert reports == 9
    school = [link for link in links if link.reporter_type == "school"]
    assert [(s.matched, s.subject_kind, s.identified_source) for s in school] == [
        ("exact", "child", "household_survey")]  # one case: the survey's
    trafficked = [link for link in links if link.case_type == "trafficked"]
    assert [(t.reporter_type, t.matched, t.subject_kind) for t in trafficked] == [
        ("hotline_111", "new", "report"), ("police", "undecided", "report")]
    assert candidates == [(BIRTH_YEAR_UNCERTAIN, "hotline_111")]  # the police report may be the hotline's child
    assert len(links) == 7  # the no_case and pending reports open nothing
    assert Counter(link.matched for link in links) == {"new": 5, "exact": 1, "undecided": 1}
    assert all(link.visits > 0 for link in links if link.subject_kind == "report")

