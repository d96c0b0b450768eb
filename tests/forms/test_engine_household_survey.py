"""The household survey filled in ODK's own form engine (@getodk/xforms-engine), as a collector would."""

from __future__ import annotations

import csv
import datetime
import re

import pytest

from tests.forms.engine_session import violation
from tests.forms.xlsform_tools import FORMS_DIR

pytestmark = pytest.mark.engine

FORM = FORMS_DIR / "household_survey.xlsx"
INTERVIEW = "2026-11-20"
AN_GIANG, MY_HOA_HUNG = "91", "30313"


def communes_of(province: str) -> set[str]:
    with open(FORMS_DIR / "media" / "communes.csv", encoding="utf-8", newline="") as f:
        return {row["name"] for row in csv.DictReader(f) if row["province"] == province}


def start(form, n_children=1, hh_size=4) -> None:
    """A consenting household in Mỹ Hòa Hưng with `n_children` children 5-17."""
    form.answer({
        "interview_date": INTERVIEW, "enumerator": "Nguyễn Thị Lan", "consent": "yes",
        "location/province": AN_GIANG, "location/commune": MY_HOA_HUNG, "location/village": "Ấp Mỹ An",
        "household/respondent_name": "Trần Văn Bình", "household/respondent_phone": "0912345678",
        "household/hh_size": hh_size, "household/poverty_status": "near_poor", "household/craft_village": "no",
        "household/livelihood": "crop_farming", "household/caregiver_informed": "yes",
        "household/n_children": n_children,
    })


def child(form, i: int, *, dob=None, age=None, working=False) -> None:
    """Answer every question of child `i`: born on `dob`, or of stated `age`; working or not."""
    c = f"child[{i}]"
    form.answer({f"{c}/child_name": f"Trẻ {i}", f"{c}/sex": "female", f"{c}/dob_known": "yes" if dob else "no"})
    form.set(f"{c}/dob" if dob else f"{c}/age_stated", dob or age)
    form.answer({f"{c}/ethnicity": "khmer", f"{c}/school_status": "attending", f"{c}/grade": 6,
                 f"{c}/econ_activity": "yes" if working else "no"})
    if working:
        form.answer({
            f"{c}/work/work_kind": ["crop_farming", "heavy_loads"], f"{c}/work/workplace": ["family_farm"],
            f"{c}/work/sector": "agriculture_forestry_fishery", f"{c}/work/hours_day": 5,
            f"{c}/work/hours_week": 22.5, f"{c}/work/night_work": "no", f"{c}/work/overtime": "no",
            f"{c}/work/hazards": ["chemicals_pesticides", "heavy_loads"],
        })
    else:
        form.set(f"{c}/temp_absent", "no")
    form.answer({f"{c}/chores_hours_week": 7, f"{c}/worked_12m": "yes" if working else "no",
                 f"{c}/child_informed": "dont_know"})


def test_languages_vietnamese_first(form):
    assert form.languages == ["Vietnamese (vi)", "English (en)"]
    assert form.language == "Vietnamese (vi)"
    assert form.state("consent")["label"] == "Ông/bà có đồng ý tham gia phỏng vấn không?"


def test_interview_date_defaults_to_today_and_cannot_be_in_the_future(form):
    today = datetime.date.today()
    assert form.state("interview_date")["value"] == today.isoformat()
    state = form.set("interview_date", today + datetime.timedelta(days=1))
    assert violation(state) == "constraint"
    assert state["violation"]["message"] == "Ngày phỏng vấn không được sau ngày hôm nay."


def test_blank_form_cannot_be_finalized(form):
    payload = form.submit()
    assert payload["status"] == "pending"
    assert {(v["reference"], v["condition"]) for v in payload["violations"]} == {
        ("/data/enumerator", "required"), ("/data/consent", "required")}


def test_no_consent_ends_the_interview_and_can_be_finalized(form):
    form.answer({"enumerator": "Nguyễn Thị Lan", "consent": "no"})
    assert form.state("consent_refused")["relevant"]
    for path in ("location", "location/commune", "household", "household/n_children", "child"):
        assert not form.state(path)["relevant"], path
    payload = form.submit()
    assert (payload["status"], payload["violations"]) == ("ready", [])
    assert payload["root"].findtext("consent") == "no"
    assert not payload["root"].findtext("location/commune")


def test_communes_are_filtered_by_province(form):
    form.set("consent", "yes")
    assert len(form.state("location/province")["options"]) == 34
    assert form.state("location/commune")["options"] == []
    form.set("location/province", AN_GIANG)
    options = form.state("location/commune")["options"]
    assert set(options) == communes_of(AN_GIANG) and MY_HOA_HUNG in options
    form.set("location/province", "01")
    assert set(form.state("location/commune")["options"]) == communes_of("01")


def test_sampling_units_are_the_commune_s_and_optional(form):
    """The survey rounds' units of the chosen commune (forms/media/sampling_units.csv, from the demo frame); none
    chosen is allowed: the household is then collected without a design."""
    with open(FORMS_DIR / "media" / "sampling_units.csv", encoding="utf-8", newline="") as f:
        units = [row for row in csv.DictReader(f)]
    form.answer({"consent": "yes", "location/province": "01", "location/commune": "00004"})
    options = form.state("location/sampling_unit")["options"]
    assert set(options) == {u["name"] for u in units if u["commune"] == "00004"}
    assert "DT2026:00004-01" in options and not any(u.endswith("30307-01") for u in options)
    form.set("location/province", AN_GIANG)
    form.set("location/commune", MY_HOA_HUNG)  # no unit of any round in this commune
    assert form.state("location/sampling_unit")["options"] == []
    start(form, n_children=0, hh_size=2)
    payload = form.submit()
    assert (payload["status"], payload["violations"]) == ("ready", [])
    assert not payload["root"].findtext("location/sampling_unit")


@pytest.mark.parametrize(("dob", "age", "accepted"), [
    ("2021-11-20", "5", True),     # fifth birthday on the interview day
    ("2021-11-21", "4", False),    # age 4 rejected
    ("2009-11-20", "17", True),
    ("2008-11-20", "18", False),
    ("2016-02-29", "10", True),
    ("2026-11-21", "-1", False),   # born after the interview
])
def test_age_in_completed_years_from_date_of_birth(form, dob, age, accepted):
    start(form)
    form.set("child[1]/dob_known", "yes")
    state = form.set("child[1]/dob", dob)
    assert form.state("child[1]/age")["value"] == age
    assert violation(state) == (None if accepted else "constraint")


@pytest.mark.parametrize(("age", "accepted"), [("4", False), ("5", True), ("17", True), ("18", False)])
def test_stated_age_when_date_of_birth_unknown(form, age, accepted):
    start(form)
    form.set("child[1]/dob_known", "no")
    assert not form.state("child[1]/dob")["relevant"]
    state = form.set("child[1]/age_stated", age)
    assert violation(state) == (None if accepted else "constraint")
    assert form.state("child[1]/age")["value"] == age


def test_constraint_messages_follow_the_language(form):
    start(form)
    form.set("child[1]/dob_known", "no")
    form.set_language("English (en)")
    state = form.set("child[1]/age_stated", 4)
    assert state["violation"]["message"] == "Only children aged 5 to 17 are recorded."


@pytest.mark.parametrize(("hh_size", "n_children", "rejected"), [
    (0, None, "household/hh_size"), (31, None, "household/hh_size"),
    (3, 4, "household/n_children"), (30, 21, "household/n_children"), (3, 3, None),
])
def test_household_size_and_number_of_children(form, hh_size, n_children, rejected):
    form.set("consent", "yes")
    states = {"household/hh_size": form.set("household/hh_size", hh_size)}
    if n_children is not None:
        states["household/n_children"] = form.set("household/n_children", n_children)
    assert {path for path, state in states.items() if violation(state)} == ({rejected} if rejected else set())


def test_one_repeat_instance_per_child(form):
    start(form, n_children=3)
    assert form.state("child")["count"] == 3
    form.set("household/n_children", 1)
    assert form.state("child")["count"] == 1
    form.set("household/n_children", 0)
    assert form.state("child")["count"] == 0


@pytest.mark.parametrize(("phone", "accepted"), [
    ("0912345678", True), ("0356789012", True), ("02431234567", True), ("+84912345678", True),
    ("091234567", False), ("1912345678", False), ("0112345678", False), ("09123456789", False),
])
def test_phone_number_pattern(form, phone, accepted):
    form.set("consent", "yes")
    assert violation(form.set("household/respondent_phone", phone)) == (None if accepted else "constraint")


def test_grade_only_when_attending(form):
    start(form)
    form.set("child[1]/school_status", "attending")
    assert form.state("child[1]/grade")["relevant"]
    assert violation(form.set("child[1]/grade", 13)) == "constraint"
    form.set("child[1]/school_status", "dropped_out")
    assert not form.state("child[1]/grade")["relevant"]


@pytest.mark.parametrize(("econ_activity", "temp_absent", "working"), [
    ("yes", None, True), ("no", "yes", True), ("no", "no", False),
])
def test_work_questions_only_when_working(form, econ_activity, temp_absent, working):
    start(form)
    form.set("child[1]/econ_activity", econ_activity)
    assert form.state("child[1]/temp_absent")["relevant"] == (econ_activity == "no")
    if temp_absent:
        form.set("child[1]/temp_absent", temp_absent)
    assert form.state("child[1]/work")["relevant"] == working
    assert form.state("child[1]/work/hours_week")["required"]


@pytest.mark.parametrize(("hours_day", "hours_week", "rejected"), [
    (25, None, "hours_day"), (-1, None, "hours_day"), (10, 5, "hours_week"), (10, 113, "hours_week"),
    (8, 8, None), (24, 112, None), (0, 0, None),
])
def test_working_hours(form, hours_day, hours_week, rejected):
    start(form)
    form.set("child[1]/econ_activity", "yes")
    states = {"hours_day": form.set("child[1]/work/hours_day", hours_day)}
    if hours_week is not None:
        states["hours_week"] = form.set("child[1]/work/hours_week", hours_week)
    assert {name for name, state in states.items() if violation(state)} == ({rejected} if rejected else set())


@pytest.mark.parametrize(("hazards", "accepted"), [
    (["none"], True), (["heights", "dust_fumes_gas"], True), (["none", "heights"], False),
])
def test_none_is_exclusive_in_hazards(form, hazards, accepted):
    start(form)
    form.set("child[1]/econ_activity", "yes")
    assert violation(form.set("child[1]/work/hazards", hazards)) == (None if accepted else "constraint")


@pytest.mark.parametrize(("age", "work_kind", "asked"), [
    (12, ["performing_arts"], True), (12, ["crop_farming", "sport"], True), (12, ["crop_farming"], False),
    (13, ["sport"], False),
])
def test_performance_approval_asked_under_13_for_arts_or_sport(form, age, work_kind, asked):
    start(form)
    form.answer({"child[1]/dob_known": "no", "child[1]/age_stated": age, "child[1]/econ_activity": "yes",
                 "child[1]/work/work_kind": work_kind})
    assert form.state("child[1]/work/performance_approved")["relevant"] == asked


def test_complete_interview_is_serialized_with_its_answers(form):
    start(form, n_children=2)
    child(form, 1, dob="2014-03-15", working=True)
    child(form, 2, age=16)
    payload = form.submit()
    assert (payload["status"], payload["violations"]) == ("ready", [])
    root = payload["root"]
    assert root.get("id") == "household_survey" and re.fullmatch(r"\d{10}", root.get("version"))
    assert root.findtext("location/commune") == MY_HOA_HUNG
    assert root.findtext("household/poverty_status") == "near_poor"
    assert root.findtext("meta/instanceName") == f"{MY_HOA_HUNG} {INTERVIEW}"
    assert root.findtext("meta/instanceID").startswith("uuid:")
    children = root.findall("child")
    assert [c.findtext("age") for c in children] == ["12", "16"]
    assert children[0].findtext("work/hazards") == "chemicals_pesticides heavy_loads"
    assert children[0].findtext("work/hours_week") == "22.5"
    assert not children[1].findtext("work/hours_week")
