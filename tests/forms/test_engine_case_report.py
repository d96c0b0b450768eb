"""The case report filled in ODK's own form engine (@getodk/xforms-engine), as a commune child-protection officer
would: a report received, the child, the category and urgency, then the screening."""

from __future__ import annotations

import datetime

import pytest

from tests.forms.engine_session import violation
from tests.forms.xlsform_tools import FORMS_DIR

pytestmark = pytest.mark.engine

FORM = FORMS_DIR / "case_report.xlsx"
REPORT = "2026-11-18"
AN_GIANG, MY_HOA_HUNG = "91", "30313"


def report(form, **answers) -> None:
    """A school's written report of a 13-year-old girl working in Mỹ Hòa Hưng; `answers` override or add."""
    form.answer({
        "report_date": REPORT, "officer": "Lê Thị Hoa", "reporter_type": "school", "report_channel": "written",
        "reported_child/child_name": "Nguyễn Thị Mai", "reported_child/sex": "female",
        "reported_child/dob_known": "yes", "reported_child/dob": "2013-03-02",
        "case_type": "child_labourer", "location/province": AN_GIANG, "location/commune": MY_HOA_HUNG,
        "urgency": "normal",
    } | answers)


def test_vietnamese_first(form):
    assert form.languages == ["Vietnamese (vi)", "English (en)"] and form.language == "Vietnamese (vi)"
    assert form.state("reporter_type")["label"] == "Ai thông báo về trẻ?"
    form.set_language("English (en)")
    assert form.state("reporter_type")["label"] == "Who reported the child?"


def test_blank_form_cannot_be_finalized(form):
    payload = form.submit()
    assert payload["status"] == "pending"
    assert {v["reference"].removeprefix("/data/") for v in payload["violations"]} == {
        "officer", "reporter_type", "report_channel", "reported_child/child_name", "reported_child/sex",
        "reported_child/dob_known", "case_type", "location/province", "location/commune", "urgency",
        "screening/screening_outcome"}


def test_every_channel_of_the_issue_can_report(form):
    assert form.state("reporter_type")["options"] == [
        "hotline_111", "police", "school", "community", "health_worker", "child_family", "other_commune",
        "household_survey", "inspection"]
    assert form.state("case_type")["options"] == ["at_risk", "child_labourer", "trafficked"]


def test_report_date_defaults_to_today_and_cannot_be_in_the_future(form):
    today = datetime.date.today()
    assert form.state("report_date")["value"] == today.isoformat()
    assert violation(form.set("report_date", today + datetime.timedelta(days=1))) == "constraint"


@pytest.mark.parametrize(("dob", "accepted"), [("2013-11-18", True), ("2008-11-19", True), ("2008-11-18", False),
                                               ("2021-11-19", False), ("2026-11-19", False)])
def test_date_of_birth_gives_5_to_17_on_the_report_date(form, dob, accepted):
    form.answer({"report_date": REPORT, "reported_child/dob_known": "yes"})
    assert violation(form.set("reported_child/dob", dob)) == (None if accepted else "constraint")


def test_age_from_the_date_of_birth_or_as_stated(form):
    report(form)
    assert form.state("reported_child/age")["value"] == "13"
    form.set("reported_child/dob_known", "no")
    assert not form.state("reported_child/dob")["relevant"]
    assert violation(form.set("reported_child/age_stated", 4)) == "constraint"
    form.set("reported_child/age_stated", 15)
    assert form.state("reported_child/age")["value"] == "15"


@pytest.mark.parametrize("path", ["reporter_phone", "reported_child/guardian_phone"])
@pytest.mark.parametrize(("phone", "accepted"), [("0912345678", True), ("+84912345678", True),
                                                 ("02431234567", True), ("091234567", False), ("0112345678", False)])
def test_phone_numbers_are_vietnamese(form, path, phone, accepted):
    assert violation(form.set(path, phone)) == (None if accepted else "constraint")


def test_communes_are_filtered_by_province(form):
    assert form.state("location/commune")["options"] == []
    form.set("location/province", AN_GIANG)
    assert MY_HOA_HUNG in form.state("location/commune")["options"]


def test_opening_a_case_asks_its_identification_date(form):
    report(form)
    form.set("screening/screening_outcome", "open_case")
    assert form.state("screening/identification_date")["required"]
    assert not form.state("screening/no_case_reason")["relevant"]
    assert violation(form.set("screening/identification_date", "2026-11-17")) == "constraint"  # before the report
    assert violation(form.set("screening/identification_date", "2026-11-20")) is None


def test_no_case_asks_why(form):
    report(form)
    form.set("screening/screening_outcome", "no_case")
    assert form.state("screening/no_case_reason")["required"]
    assert not form.state("screening/identification_date")["relevant"]


def test_a_hotline_report_of_a_trafficked_child_is_serialized(form):
    report(form, **{"reporter_type": "hotline_111", "report_channel": "phone", "case_type": "trafficked",
                    "urgency": "emergency", "reported_child/dob_known": "no", "reported_child/age_stated": 14,
                    "reported_child/guardian_name": "Nguyễn Văn Bình", "summary": "Làm việc tại xưởng may",
                    "screening/screening_outcome": "open_case", "screening/identification_date": "2026-11-18"})
    payload = form.submit()
    assert (payload["status"], payload["violations"]) == ("ready", [])
    root = payload["root"]
    assert root.get("id") == "case_report"
    assert root.findtext("meta/instanceName") == f"{MY_HOA_HUNG} {REPORT}"
    assert [root.findtext(path) for path in (
        "reporter_type", "case_type", "urgency", "reported_child/age_stated", "reported_child/age",
        "screening/screening_outcome", "screening/identification_date")] == [
        "hotline_111", "trafficked", "emergency", "14", "14", "open_case", "2026-11-18"]
    assert not root.findtext("reported_child/dob") and not root.findtext("screening/no_case_reason")
    assert root.findtext("start") and root.findtext("end")


def test_a_pending_report_can_be_finalized_without_a_decision(form):
    report(form, **{"screening/screening_outcome": "pending"})
    payload = form.submit()
    assert (payload["status"], payload["violations"]) == ("ready", [])
    root = payload["root"]
    assert root.find("screening") is not None  # the group is sent, its unasked answers empty
    assert not root.findtext("screening/identification_date") and not root.findtext("screening/no_case_reason")
