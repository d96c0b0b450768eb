"""Case-report submissions become a de-identified report with its screening and a restricted row, or one
quarantine row naming the field (never the child's name)."""

from datetime import date
from types import SimpleNamespace

import pytest

from tests.pipeline.case_report_fixture import report
from warehouse.cases.case_report import FORM_ID, parse_case_report
from warehouse.classify.classification import load_rules
from warehouse.clean.answers import Context
from warehouse.clean.pseudonym import Pseudonymizer

PSEUDONYMIZER = Pseudonymizer("k" * 32)
NAME = "Nguyễn Thị Mai"


def parse(row: dict):
    raw = SimpleNamespace(payload=row, form_id=FORM_ID, instance_id=row["__id"], source="odk_central",
                          form_version="1", review_state=None, submitted_at=row["__system"]["submissionDate"])
    return parse_case_report(raw, Context.of_form(PSEUDONYMIZER, FORM_ID), load_rules())


def reasons(row: dict) -> list[tuple]:
    return [(q["entity"], q["field"], q["reason_code"]) for q in parse(row).quarantine]


def test_a_report_is_typed_and_de_identified():
    parsed = parse(report(1))
    assert parsed.quarantine == []
    (row,) = parsed.tables["case_report"]
    assert {k: row[k] for k in ("report_date", "year", "quarter", "reporter_type", "report_channel", "sex", "age",
                                "age_source", "age_band", "case_type", "province_code", "commune_code", "urgency",
                                "screening_outcome", "identification_date", "no_case_reason")} == {
        "report_date": date(2026, 3, 10), "year": 2026, "quarter": 1, "reporter_type": "school",
        "report_channel": "written", "sex": "female", "age": 13, "age_source": "dob", "age_band": "13-14",
        "case_type": "child_labourer", "province_code": "01", "commune_code": "00004", "urgency": "normal",
        "screening_outcome": "open_case", "identification_date": date(2026, 3, 10), "no_case_reason": None}
    assert row["report_code"].startswith("R-") and len(row["report_code"]) == 10
    assert len(row["officer_id"]) == 32
    (pii,) = parsed.tables["restricted_case_report_pii"]
    assert pii == {"report_id": row["report_id"], "officer": "Lê Thị Hoa", "reporter_name": "Trần Văn Giáo",
                   "reporter_phone": "0912345678", "child_name": NAME, "dob": date(2013, 3, 2),
                   "guardian_name": "Nguyễn Văn Bình", "guardian_phone": "0987654321", "village": "Tổ 5",
                   "summary": "Em bán hàng rong đến khuya"}
    values = {str(v) for v in row.values()}
    assert not values & {NAME, "Lê Thị Hoa", "0912345678", "Tổ 5", "2013-03-02"}


def test_the_same_submission_gives_the_same_ids():
    first, again = parse(report(1)).tables["case_report"][0], parse(report(1)).tables["case_report"][0]
    assert (first["report_id"], first["report_code"]) == (again["report_id"], again["report_code"])
    assert parse(report(2)).tables["case_report"][0]["report_id"] != first["report_id"]


def test_a_trafficked_child_of_stated_age_reported_to_the_hotline():
    (row,) = parse(report(1, reporter_type="hotline_111", report_channel="phone", case_type="trafficked",
                          urgency="emergency", **{"reported_child/dob_known": "no", "reported_child/dob": None,
                                                  "reported_child/age_stated": 15})).tables["case_report"]
    assert (row["reporter_type"], row["case_type"], row["urgency"], row["age"], row["age_source"],
            row["age_band"]) == ("hotline_111", "trafficked", "emergency", 15, "stated", "15-17")


def test_no_case_keeps_the_reason_and_no_identification_date():
    (row,) = parse(report(1, **{"screening/screening_outcome": "no_case", "screening/identification_date": None,
                                "screening/no_case_reason": "not_found"})).tables["case_report"]
    assert (row["screening_outcome"], row["identification_date"], row["no_case_reason"]) == (
        "no_case", None, "not_found")


def test_a_pending_report_loads_without_a_decision():
    (row,) = parse(report(1, **{"screening/screening_outcome": "pending",
                                "screening/identification_date": None})).tables["case_report"]
    assert (row["screening_outcome"], row["identification_date"]) == ("pending", None)


@pytest.mark.parametrize(("answers", "reason"), [
    ({"screening/identification_date": None}, ("screening/identification_date", "MISSING_REQUIRED")),
    ({"screening/identification_date": "2026-03-09"}, ("screening/identification_date", "DATE_BEFORE_REPORT")),
    ({"screening/identification_date": "2031-01-01"}, ("screening/identification_date", "DATE_IN_FUTURE")),
    ({"screening/screening_outcome": "no_case"}, ("screening/no_case_reason", "MISSING_REQUIRED")),
    ({"screening/screening_outcome": "maybe"}, ("screening/screening_outcome", "INVALID_CHOICE")),
    ({"reporter_type": "neighbour"}, ("reporter_type", "INVALID_CHOICE")),
    ({"case_type": None}, ("case_type", "MISSING_REQUIRED")),
    ({"location/commune": "99999"}, ("location/commune", "UNKNOWN_COMMUNE")),
    ({"reported_child/child_name": "  "}, ("reported_child/child_name", "MISSING_REQUIRED")),
    ({"reported_child/dob": "2022-01-01"}, ("reported_child/age", "AGE_OUT_OF_RANGE")),
    ({"report_date": "2031-01-01"}, ("report_date", "DATE_IN_FUTURE")),
])
def test_a_bad_answer_quarantines_the_report_naming_the_field(answers, reason):
    parsed = parse(report(1, **answers))
    assert reasons(report(1, **answers)) == [("case_report", *reason)]
    assert not parsed.tables.get("case_report") and not parsed.tables.get("restricted_case_report_pii")
    assert all(NAME not in str(q) for q in parsed.quarantine)
