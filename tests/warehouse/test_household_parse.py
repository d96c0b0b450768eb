"""A household submission becomes typed rows, or quarantine rows with a specific reason."""

import copy
from datetime import date
from types import SimpleNamespace

import pytest

from connectors.forms import definition
from tests.pipeline.household_fixture import child, household, work
from warehouse.clean.household import Context, parse_household
from warehouse.clean.pseudonym import Pseudonymizer
from warehouse.schema.admin_units import load_admin_units

CTX = Context(Pseudonymizer("k" * 32), load_admin_units(), definition("household_survey").codes)


def raw(row: dict) -> SimpleNamespace:
    return SimpleNamespace(payload=row, form_id="household_survey", instance_id=row["__id"], source="odk_central",
                           form_version="1", review_state=None, submitted_at=row["__system"]["submissionDate"])


def good() -> dict:
    return household(1, "00004", "01", "03-10", [
        child("Lan", 14, "female", work("crop_farming", 3, 10)), child("Minh", 8, "male")])


def test_a_good_household_is_typed_and_de_identified():
    parsed = parse_household(raw(good()), CTX)
    assert parsed.quarantine == []
    hh = parsed.household
    assert (hh["interview_date"], hh["year"], hh["quarter"], hh["commune_code"], hh["urban_rural"]) == (
        date(2026, 3, 10), 2026, 1, "00004", "urban")
    assert hh["consent"] is True and hh["hh_size"] == 4 and len(hh["household_id"]) == 32
    first = parsed.children[0]
    assert (first["age"], first["working"], first["hours_week"], first["work_kinds"]) == (14, True, 10.0, "crop_farming")
    assert "Lan" not in str(parsed.children) and parsed.children_pii[0]["child_name"] == "Lan"
    assert parsed.household_pii["gps_lat"] == 21.0 and parsed.household_pii["gps_lon"] == 105.8


def test_age_from_date_of_birth_is_completed_years_at_the_interview():
    row = good()
    row["child"][0].update(dob="2011-03-11", dob_known="yes", age_stated=None)  # 15th birthday the day after
    assert parse_household(raw(row), CTX).children[0]["age"] == 14


def spoil(path: str, value):
    row = good()
    node = row
    *parents, last = path.split("/")
    for p in parents:
        node = node[int(p)] if p.isdigit() else node[p]
    node[last] = value
    return row


@pytest.mark.parametrize("row, entity, field, code", [
    (spoil("location/commune", "99999"), "household", "location/commune", "UNKNOWN_COMMUNE"),
    (spoil("location/commune", "05977"), "household", "location/commune", "COMMUNE_NOT_IN_PROVINCE"),
    (spoil("location/commune", None), "household", "location/commune", "MISSING_REQUIRED"),
    (spoil("interview_date", "2026-13-01"), "household", "interview_date", "INVALID_DATE"),
    (spoil("interview_date", "2026-12-25"), "household", "interview_date", "DATE_IN_FUTURE"),
    (spoil("consent", None), "household", "consent", "MISSING_REQUIRED"),
    (spoil("consent", "maybe"), "household", "consent", "INVALID_CHOICE"),
    (spoil("household/hh_size", "abc"), "household", "household/hh_size", "INVALID_NUMBER"),
    (spoil("household/hh_size", 31), "household", "household/hh_size", "OUT_OF_RANGE"),
    (spoil("child/0/age_stated", 4), "child", "child/age", "AGE_OUT_OF_RANGE"),
    (spoil("child/0/age_stated", 18), "child", "child/age", "AGE_OUT_OF_RANGE"),
    (spoil("child/0/sex", None), "child", "child/sex", "MISSING_REQUIRED"),
    (spoil("child/0/work/hours_day", 12), "child", "child/work/hours_day", "HOURS_DAY_EXCEEDS_WEEK"),
    (spoil("child/0/work/hours_week", 113), "child", "child/work/hours_week", "OUT_OF_RANGE"),
    (spoil("child/0/work/hours_day", 25), "child", "child/work/hours_day", "OUT_OF_RANGE"),
    (spoil("child/0/work/work_kind", "crop_farming mining"), "child", "child/work/work_kind", "INVALID_CHOICE"),
    (spoil("child/0/econ_activity", None), "child", "child/econ_activity", "MISSING_REQUIRED"),
    (spoil("child/0/dob", "not a date"), "child", "child/dob", "INVALID_DATE"),
    # strict reading (the same text from every route: tests/connectors/test_answer_reading_routes.py)
    (spoil("interview_date", "2026-03-10garbage"), "household", "interview_date", "INVALID_DATE"),
    (spoil("interview_date", "2026-3-10"), "household", "interview_date", "INVALID_DATE"),
    (spoil("interview_date", "２０２６-03-10"), "household", "interview_date", "INVALID_DATE"),
    (spoil("household/hh_size", "1_0"), "household", "household/hh_size", "INVALID_NUMBER"),
    (spoil("household/hh_size", "٤"), "household", "household/hh_size", "INVALID_NUMBER"),
    (spoil("household/hh_size", "4.0"), "household", "household/hh_size", "INVALID_NUMBER"),
    (spoil("child/0/age_stated", "14 tuổi"), "child", "child/age_stated", "INVALID_NUMBER"),
    (spoil("child/0/age_stated", "1.4e1"), "child", "child/age_stated", "INVALID_NUMBER"),
    (spoil("child/0/work/hours_day", "12,5"), "child", "child/work/hours_day", "INVALID_NUMBER"),
    (spoil("child/0/work/hours_week", "1e999"), "child", "child/work/hours_week", "INVALID_NUMBER"),
    (spoil("child/0/chores_hours_week", "abc"), "child", "child/chores_hours_week", "INVALID_NUMBER"),
    # plausibility (warehouse/reference/plausibility.toml)
    (spoil("interview_date", "1900-01-01"), "household", "interview_date", "DATE_BEFORE_PROGRAMME"),
    (spoil("interview_date", "0001-01-01"), "household", "interview_date", "DATE_BEFORE_PROGRAMME"),
    (spoil("household/n_children", 1), "household", "child", "ROSTER_NOT_N_CHILDREN"),
    (spoil("household/n_children", 5), "household", "household/n_children", "N_CHILDREN_EXCEEDS_HH_SIZE"),
    (spoil("household/hh_size", 1), "household", "child", "ROSTER_EXCEEDS_HH_SIZE"),
    (spoil("child/0/dob", "2012-01-01"), "child", "child/dob", "DOB_NOT_KNOWN"),
    (spoil("child/0/dob_known", None), "child", "child/dob_known", "MISSING_REQUIRED"),
    (spoil("child/0/dob_known", "yes"), "child", "child/dob", "MISSING_REQUIRED"),
])
def test_bad_answers_are_quarantined_with_their_reason(row, entity, field, code):
    parsed = parse_household(raw(row), CTX)
    assert [(q["entity"], q["field"], q["reason_code"]) for q in parsed.quarantine] == [(entity, field, code)]
    assert parsed.quarantine[0]["reason"]
    if entity == "household":
        assert parsed.household is None and parsed.children == []
    else:
        assert parsed.household is not None and len(parsed.children) == 1 and parsed.quarantine[0]["repeat_index"] == 1


def test_strict_numbers_still_read_what_the_form_writes():
    row = spoil("household/hh_size", " 4 ")
    row["child"][0]["work"].update(hours_day="2.5", hours_week="1.25E1")  # Collect's Double.toString
    row["child"][0]["age_stated"] = "+14"
    parsed = parse_household(raw(row), CTX)
    assert parsed.quarantine == [] and parsed.household["hh_size"] == 4
    assert (parsed.children[0]["age"], parsed.children[0]["hours_day"], parsed.children[0]["hours_week"]) == (
        14, 2.5, 12.5)


def test_a_child_entered_twice_is_quarantined_once_and_counted_once():
    row = good()
    row["child"][1] = {**copy.deepcopy(row["child"][0]), "__id": "another position"}
    parsed = parse_household(raw(row), CTX)
    assert [(q["entity"], q["repeat_index"], q["reason_code"]) for q in parsed.quarantine] == [
        ("child", 2, "DUPLICATE_CHILD")]
    assert "child 1" in parsed.quarantine[0]["reason"] and len(parsed.children) == 1
    twins = good()
    twins["child"][1] = {**copy.deepcopy(twins["child"][0]), "child_name": "Lan's twin"}
    assert len(parse_household(raw(twins), CTX).children) == 2  # one answer differs: two children


def test_two_hundred_children_in_a_household_of_four_are_not_counted():
    row = good()
    row["child"] = [dict(copy.deepcopy(row["child"][1]), child_name=f"c{i}") for i in range(200)]
    row["household"]["n_children"] = None
    parsed = parse_household(raw(row), CTX)
    assert parsed.household is None and parsed.children == []
    assert [(q["field"], q["value"], q["reason_code"]) for q in parsed.quarantine] == [
        ("child", "200", "ROSTER_EXCEEDS_HH_SIZE")]


def test_the_date_of_birth_is_used_only_when_dob_known_is_yes():
    row = good()
    row["child"][0].update(dob="2011-03-11", dob_known="yes", age_stated=9)  # age_stated is not asked then
    parsed = parse_household(raw(row), CTX)
    assert (parsed.children[0]["age"], parsed.children[0]["age_source"]) == (14, "dob")
    assert parsed.children_pii[0]["dob"] == date(2011, 3, 11)


def test_children_of_a_household_without_consent_are_quarantined_not_loaded():
    row = copy.deepcopy(good())
    row["consent"] = "no"
    parsed = parse_household(raw(row), CTX)
    assert parsed.household["consent"] is False and parsed.household["hh_size"] is None
    assert parsed.children == [] and {q["reason_code"] for q in parsed.quarantine} == {"NO_CONSENT"}
