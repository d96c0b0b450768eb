"""A screened report joins the case of the same child, opens a case, or waits with its candidates for a person:
on keyed hashes of the name, the birth year and the commune; on SQLite and PostgreSQL."""

from datetime import date

import pytest
from sqlalchemy import select

from connectors.odk_central import record_from_odata_row
from tests.conftest import TEST_PSEUDONYM_KEY
from tests.pipeline.case_report_fixture import BA_DINH, MAI, report, surveyed_mai
from warehouse.cases import case_cleaning, case_match_sheet, case_register
from warehouse.cases.case_matching import (
    BIRTH_YEAR_UNCERTAIN,
    EXACT,
    OTHER_COMMUNE,
    SEVERAL_EXACT,
    Person,
    compare,
    match,
    name_key,
    person,
)
from warehouse.classify.classification import load_rules
from warehouse.classify.classify import classify_children
from warehouse.clean import steps
from warehouse.clean.answers import Context
from warehouse.clean.pseudonym import Pseudonymizer
from warehouse.raw import raw_store
from warehouse.reference.reference_data import ReferenceDataError
from warehouse.schema.db import make_engine, upgrade
from warehouse.schema.models import Case, CaseReport, CaseReportMatch, RestrictedCaseMatchCandidate

PSEUDONYMIZER = Pseudonymizer(TEST_PSEUDONYM_KEY)
RULES = load_rules()
ON = date(2026, 3, 10)


def someone(case_id: str, name: str = MAI, dob: date | None = date(2013, 3, 2), age: int = 13,
            commune: str = BA_DINH) -> Person:
    return person(PSEUDONYMIZER, case_id, name, dob, age, ON, commune)


# ---------------------------------------------------------------- keys and rules


def test_a_name_is_compared_written_one_way_and_only_through_a_keyed_hash():
    key = name_key(PSEUDONYMIZER, MAI)
    for spelling in ("NGUYỄN THỊ MAI", " nguyễn  thị\u200b mai ", "Nguyen Thi Mai", "nguye\u0303\u0302n thi\u0323 mai"):
        assert name_key(PSEUDONYMIZER, spelling) == key, spelling
    assert name_key(PSEUDONYMIZER, "Đỗ An") == name_key(PSEUDONYMIZER, "Do An")
    assert name_key(PSEUDONYMIZER, "Nguyễn Thị Mai Anh") != key
    assert name_key(Pseudonymizer("another key of 32 characters ...."), MAI) != key
    assert MAI not in key and "mai" not in key


@pytest.mark.parametrize(("other", "expected"), [
    (someone("b"), EXACT),
    (someone("b", dob=None, age=13), BIRTH_YEAR_UNCERTAIN),  # 13 on ON: born 2012 or 2013
    (someone("b", dob=date(2012, 12, 30)), BIRTH_YEAR_UNCERTAIN),  # a year apart: a typo?
    (someone("b", commune="05977"), OTHER_COMMUNE),
    (someone("b", dob=date(2010, 1, 1)), None),
    (someone("b", name="Nguyễn Thị Hoa"), None),
    (someone("b", dob=None, age=9), None),
])
def test_how_two_children_compare(other, expected):
    assert compare(someone("a"), other) == expected


def test_exactly_one_exact_match_joins_that_case():
    assert match(someone("r"), [someone("b"), someone("c", dob=None, age=13)], {}) == ("b", "exact", {})


def test_several_exact_matches_wait_for_a_person():
    assert match(someone("r"), [someone("b"), someone("c")], {}) == (
        None, "undecided", {"b": SEVERAL_EXACT, "c": SEVERAL_EXACT})


def test_a_partial_match_waits_for_a_person():
    assert match(someone("r"), [someone("b", commune="05977")], {}) == (None, "undecided", {"b": OTHER_COMMUNE})


def test_no_match_is_a_new_case():
    assert match(someone("r"), [someone("b", name="Trần Văn An")], {}) == (None, "new", {})


def test_a_decision_comes_first():
    pool = [someone("b", commune="05977"), someone("c", dob=None)]
    assert match(someone("r"), pool, {"b": "same"}) == ("b", "decided", {})
    assert match(someone("r"), pool, {"b": "different"}) == (None, "undecided", {"c": BIRTH_YEAR_UNCERTAIN})
    assert match(someone("r"), pool, {"b": "different", "c": "different"}) == (None, "new", {})
    assert match(someone("r"), [someone("b"), someone("c")], {"c": "different"}) == ("b", "exact", {})


# ---------------------------------------------------------------- in the warehouse


@pytest.fixture
def engine(warehouse_url):
    engine = make_engine(warehouse_url)
    upgrade(engine)
    yield engine
    engine.dispose()


def store(engine, form_id: str, rows: list[dict]) -> None:
    raw_store.store_records(engine, [record_from_odata_row(row, "7", form_id) for row in rows])


def run(engine) -> dict:
    steps.clean_households(engine, Context.of_form(PSEUDONYMIZER, "household_survey"))
    classify_children(engine, RULES)
    case_cleaning.clean_case_reports(engine, Context.of_form(PSEUDONYMIZER, "case_report"), RULES)
    return case_register.identify_cases(engine, PSEUDONYMIZER).as_dict()


def code(engine, n: int) -> str:
    report_id = PSEUDONYMIZER.id("case_report", "case_report", report(n)["__id"])
    with engine.connect() as conn:
        return conn.execute(select(CaseReport.report_code).where(CaseReport.report_id == report_id)).scalar_one()


def links(engine) -> dict[str, tuple[str, str]]:
    """{report code: (how, the case's subject kind)}."""
    r, m, c = CaseReport, CaseReportMatch, Case
    with engine.connect() as conn:
        return {code: (how, kind) for code, how, kind in conn.execute(
            select(r.report_code, m.matched, c.subject_kind).join(m, m.report_id == r.report_id)
            .join(c, c.case_id == m.case_id))}


def test_reports_join_open_or_wait(engine):
    store(engine, "household_survey", [surveyed_mai()])
    store(engine, "case_report", [
        report(1, **{"reported_child/child_name": "NGUYỄN THỊ MAI"}),  # the school: the survey's Mai
        report(2, reporter_type="police", **{"reported_child/dob_known": "no", "reported_child/dob": None,
                                             "reported_child/age_stated": 13}),  # the same? age only
        report(3, reporter_type="hotline_111", case_type="trafficked", urgency="emergency",
               **{"reported_child/child_name": "Hồ Thị Ngọc Ánh", "reported_child/dob": "2011-06-01"}),
        report(4, **{"reported_child/child_name": "Lê Văn Tâm", "screening/screening_outcome": "no_case",
                     "screening/identification_date": None, "screening/no_case_reason": "not_child_labour"}),
    ])
    stats = run(engine)
    assert links(engine) == {code(engine, 1): ("exact", "child"), code(engine, 2): ("undecided", "report"),
                             code(engine, 3): ("new", "report")}
    with engine.connect() as conn:
        cases = conn.execute(select(Case.subject_kind, Case.identified_source, Case.case_type, Case.identified_on,
                                    Case.age_band).order_by(Case.identified_on, Case.identified_source)).all()
        candidates = conn.execute(select(RestrictedCaseMatchCandidate.report_id,
                                         RestrictedCaseMatchCandidate.reason)).all()
    assert cases == [("child", "household_survey", "child_labourer", date(2026, 2, 20), "5-12"),
                     ("report", "hotline_111", "trafficked", date(2026, 3, 10), "13-14"),
                     ("report", "police", "child_labourer", date(2026, 3, 10), "13-14")]
    assert [reason for _, reason in candidates] == [BIRTH_YEAR_UNCERTAIN]  # Mai's case (survey and school)
    assert stats["loaded"] == {"new": 3, "changed": 0, "report_links": 3, "match_candidates": 1}
    again = run(engine)
    assert again["loaded"] == {"new": 0, "changed": 0, "report_links": 0, "match_candidates": 0}


def decide(engine, tmp_path, rows: list[str], name: str = "decisions.csv") -> int:
    sheet = tmp_path / name
    sheet.write_text("report_code,case_code,decision,decided_by,decided_on\n" + "\n".join(rows) + "\n",
                     encoding="utf-8")
    with engine.begin() as conn:
        return case_match_sheet.record_sheets(conn, [sheet], PSEUDONYMIZER, date(2026, 3, 20))


def test_a_person_decides_and_the_report_joins_the_case(engine, tmp_path):
    store(engine, "household_survey", [surveyed_mai()])
    store(engine, "case_report", [report(2, **{"reported_child/dob_known": "no", "reported_child/dob": None,
                                               "reported_child/age_stated": 13})])
    run(engine)
    with engine.connect() as conn:
        survey_case = conn.execute(select(Case.case_code).where(Case.subject_kind == "child")).scalar_one()
    assert links(engine) == {code(engine, 2): ("undecided", "report")}
    assert decide(engine, tmp_path, [f"{code(engine, 2)},{survey_case},same,Phạm Thu Hà,2026-03-15"]) == 1
    run(engine)
    assert links(engine) == {code(engine, 2): ("decided", "child")}
    with engine.connect() as conn:
        assert conn.execute(select(Case.subject_kind)).scalars().all() == ["child"]  # its own case is gone
        assert conn.execute(select(RestrictedCaseMatchCandidate)).all() == []
    assert decide(engine, tmp_path, [f"{code(engine, 2)},{survey_case},same,Phạm Thu Hà,2026-03-15"]) == 0
    assert decide(engine, tmp_path, [f"{code(engine, 2)},{survey_case},different,Phạm Thu Hà,2026-03-18"]) == 1
    run(engine)
    assert links(engine) == {code(engine, 2): ("new", "report")}


def test_a_wrong_decision_sheet_records_nothing_and_names_no_one(engine, tmp_path):
    store(engine, "case_report", [report(1)])
    run(engine)
    with pytest.raises(ReferenceDataError) as refused:
        decide(engine, tmp_path, [f"{code(engine, 1)},C-NONE,same,Phạm Thu Hà,2026-03-15",
                                  f"{code(engine, 1)},C-NONE,maybe,,2031-01-01"])
    message = str(refused.value)
    assert "C-NONE" in message and "Phạm Thu Hà" not in message
    assert len(refused.value.problems) == 1 + 4  # row 2: the case; row 3: the case, decision, name, day
