"""Inspection, case-visit and activity-report submissions become typed rows, or quarantine rows with a reason."""

import copy
from datetime import date
from types import SimpleNamespace

import pytest

from tests.pipeline.programme_fixture import activity, activity_rows, inspection_rows, visit, work
from warehouse.cases.case_visit import parse_case_visit
from warehouse.clean.activity import parse_activity
from warehouse.clean.answers import Context
from warehouse.clean.inspection import parse_inspection
from warehouse.clean.pseudonym import Pseudonymizer

PSEUDONYMIZER = Pseudonymizer("k" * 32)
CASE_ID = "0b8e0c35-5f0c-5a43-9d1e-2f43f1a5b6c7"


PARSERS = {"workplace_inspection": parse_inspection, "case_followup": parse_case_visit,
           "activity_report": parse_activity}


def parse(row: dict):
    """``row`` (built by ``programme_fixture``, which names its form in the instance id) parsed by its form."""
    form_id = {"8001": "workplace_inspection", "8002": "case_followup", "8003": "activity_report"}[row["__id"][24:28]]
    raw = SimpleNamespace(payload=row, form_id=form_id, instance_id=row["__id"], source="odk_central",
                          form_version="1", review_state=None, submitted_at=row["__system"]["submissionDate"])
    return PARSERS[form_id](raw, Context.of_form(PSEUDONYMIZER, form_id))


def spoiled(row: dict, path: str, value) -> dict:
    row = copy.deepcopy(row)
    *parents, last = path.split("/")
    node = row
    for p in parents:
        node = node[int(p)] if p.isdigit() else node[p]
    node[last] = value
    return row


def reasons(row: dict) -> list[tuple]:
    return [(q["entity"], q["repeat_index"], q["field"], q["reason_code"]) for q in parse(row).quarantine]


# ---------------------------------------------------------------- inspections

INSPECTION = inspection_rows()[0]  # I1: two young workers, a fine


def test_an_inspection_is_typed_and_de_identified():
    parsed = parse(INSPECTION)
    assert parsed.quarantine == []
    (row,) = parsed.tables["inspection"]
    assert (row["inspection_date"], row["year"], row["quarter"], row["province_code"], row["commune_code"]) == (
        date(2026, 3, 2), 2026, 1, "01", "00004")
    assert (row["establishment_type"], row["n_young_workers"], row["violations"], row["actions"], row["fine_amount"],
            row["employer_informed"], row["employer_informed_date"]) == (
        "enterprise", 2, "excess_hours no_minor_register", "fine warning", 15_000_000, "yes", date(2025, 11, 1))
    w1, w2 = parsed.tables["young_worker"]
    assert (w1["age"], w1["sex"], w1["working"], w1["hours_week"], w1["work_kinds"], w1["hazards"],
            w1["in_register"]) == (16, "male", True, 50.0, "factory_workshop", "noise_vibration", False)
    assert w1["inspection_id"] == row["inspection_id"] and w1["worker_id"] != w2["worker_id"]
    assert "w1" not in str(parsed.tables["young_worker"]) and "Cơ sở" not in str(row)
    assert parsed.tables["restricted_young_worker_pii"][0]["worker_name"] == "w1"
    pii = parsed.tables["restricted_inspection_pii"][0]
    assert (pii["establishment_name"], pii["inspector"], pii["gps_lat"], pii["gps_lon"]) == (
        "Cơ sở 1", "Trần Thanh Tra", 21.03, 105.84)


def test_a_young_worker_s_age_comes_from_the_date_of_birth_at_the_inspection():
    row = spoiled(INSPECTION, "young_worker/0/dob", "2012-03-03")  # 14th birthday the day after the inspection
    row["young_worker"][0].update(dob_known="yes", age_stated=None)
    w1 = parse(row).tables["young_worker"][0]
    assert (w1["age"], w1["age_source"]) == (13, "dob")


@pytest.mark.parametrize("path, value, expected", [
    ("location/commune", "99999", ("inspection", None, "location/commune", "UNKNOWN_COMMUNE")),
    ("location/commune", "05977", ("inspection", None, "location/commune", "COMMUNE_NOT_IN_PROVINCE")),
    ("inspection_date", "2026-12-25", ("inspection", None, "inspection_date", "DATE_IN_FUTURE")),
    ("inspection_date", None, ("inspection", None, "inspection_date", "MISSING_REQUIRED")),
    ("establishment/establishment_type", "factory", ("inspection", None, "establishment/establishment_type",
                                                      "INVALID_CHOICE")),
    ("establishment/n_young_workers", 21, ("inspection", None, "establishment/n_young_workers",
                                           "YOUNG_WORKERS_EXCEED_TOTAL")),
    ("establishment/total_workers", 0, ("inspection", None, "establishment/total_workers", "OUT_OF_RANGE")),
    ("employer/informed_date", "2026-04-01", ("inspection", None, "employer/informed_date", "DATE_AFTER_EVENT")),
    ("findings/fine_amount", None, ("inspection", None, "findings/fine_amount", "MISSING_REQUIRED")),
    ("findings/actions", "fine jail", ("inspection", None, "findings/actions", "INVALID_CHOICE")),
    ("young_worker/1/age_stated", 4, ("young_worker", 2, "young_worker/age", "AGE_OUT_OF_RANGE")),
    ("young_worker/1/age_stated", 18, ("young_worker", 2, "young_worker/age", "AGE_OUT_OF_RANGE")),
    ("young_worker/1/sex", None, ("young_worker", 2, "young_worker/sex", "MISSING_REQUIRED")),
    ("young_worker/1/work/hours_day", 41, ("young_worker", 2, "young_worker/work/hours_day", "OUT_OF_RANGE")),
    ("young_worker/1/work/hours_day", "eight", ("young_worker", 2, "young_worker/work/hours_day", "INVALID_NUMBER")),
    ("young_worker/1/work/hours_week", 7, ("young_worker", 2, "young_worker/work/hours_day", "HOURS_DAY_EXCEEDS_WEEK")),
    ("young_worker/1/work/workplace", "moon", ("young_worker", 2, "young_worker/work/workplace", "INVALID_CHOICE")),
])
def test_bad_inspection_answers_are_quarantined_with_their_reason(path, value, expected):
    row = spoiled(INSPECTION, path, value)
    assert reasons(row) == [expected]
    parsed = parse(row)
    assert len(parsed.tables.get("inspection", [])) == (expected[0] == "young_worker")
    assert len(parsed.tables.get("young_worker", [])) == (1 if expected[0] == "young_worker" else 0)


def test_the_establishment_s_sector_is_read_under_its_name_before_and_after_version_2026120601():
    assert parse(INSPECTION).tables["inspection"][0]["sector"] == "industry_construction"
    establishment = INSPECTION["establishment"]
    older = {**INSPECTION, "establishment": {**establishment, "sector": establishment["establishment_sector"]}}
    del older["establishment"]["establishment_sector"]
    assert parse(older).tables["inspection"][0]["sector"] == "industry_construction"
    assert reasons(spoiled(older, "establishment/sector", "mining")) == [
        ("inspection", None, "establishment/sector", "INVALID_CHOICE")]
    assert reasons(spoiled(INSPECTION, "establishment/establishment_sector", "mining")) == [
        ("inspection", None, "establishment/establishment_sector", "INVALID_CHOICE")]


def test_an_inspection_without_young_workers_loads():
    parsed = parse(inspection_rows()[7])
    assert parsed.quarantine == [] and parsed.tables["inspection"][0]["n_young_workers"] == 0
    assert "young_worker" not in parsed.tables


# ---------------------------------------------------------------- case visits

VISIT = visit(1, CASE_ID.upper(), "03-20", "education health", "supported", first_support="03-18", age=16,
              school="dropped_out", job=work("factory_workshop", 10, 50))


def test_a_visit_is_typed_with_its_work_answers():
    parsed = parse(VISIT)
    assert parsed.quarantine == []
    (row,) = parsed.tables["case_visit"]
    assert (row["case_id"], row["visit_date"], row["quarter"], row["age"], row["econ_activity"], row["working"],
            row["hours_week"], row["supports"], row["first_support_date"], row["case_status"]) == (
        CASE_ID, date(2026, 3, 20), 1, 16, True, True, 50.0, "education health", date(2026, 3, 18), "supported")
    assert len(row["case_worker_id"]) == 32 and "Lê Thị Hoa" not in str(row)
    assert "child_labour" not in row  # classified by the step


def test_a_visit_without_work_has_no_work_answers_and_at_18_is_in_range():
    row = parse(visit(2, CASE_ID, "06-15", "none", "closed", age=18, closure="turned_18")).tables["case_visit"][0]
    assert (row["working"], row["work_kinds"], row["hours_day"], row["age"], row["closure_reason"]) == (
        False, None, None, 18, "turned_18")


@pytest.mark.parametrize("path, value, field, code", [
    ("case_id", None, "case_id", "MISSING_REQUIRED"),
    ("case_id", "C-7K3Q9", "case_id", "INVALID_CASE_ID"),
    ("visit_date", "2027-01-01", "visit_date", "DATE_IN_FUTURE"),
    ("age", 19, "age", "OUT_OF_RANGE"),
    ("age", 4, "age", "OUT_OF_RANGE"),
    ("econ_activity", None, "econ_activity", "MISSING_REQUIRED"),
    ("work/hours_week", 113, "work/hours_week", "OUT_OF_RANGE"),
    ("support", "education money", "support", "INVALID_CHOICE"),
    ("first_support_date", "2026-03-21", "first_support_date", "DATE_AFTER_EVENT"),
    ("case_status", None, "case_status", "MISSING_REQUIRED"),
    ("case_status", "closed", "closure_reason", "MISSING_REQUIRED"),
])
def test_bad_visit_answers_are_quarantined_with_their_reason(path, value, field, code):
    row = spoiled(VISIT, path, value)
    assert reasons(row) == [("case_visit", None, field, code)]
    assert "case_visit" not in parse(row).tables


# ---------------------------------------------------------------- activity reports

TRAINING = activity_rows()[2]  # A3: a training course for three groups


def test_an_activity_is_typed_with_one_reach_row_per_audience_group():
    parsed = parse(TRAINING)
    assert parsed.quarantine == []
    (row,) = parsed.tables["activity"]
    assert (row["activity_date"], row["activity_type"], row["training"], row["participants_male"],
            row["participants_female"], row["participants_total"], row["has_participant_list"]) == (
        date(2026, 9, 15), "training_course", True, 35, 25, 60, True)
    reach = {r["audience"]: (r["reached"], r["reached_new"], r["reached_new_trained"])
             for r in parsed.tables["activity_reach"]}
    assert reach == {"provincial_district_officials": (30, 20, 24), "teachers_staff": (20, 5, 15),
                     "enterprises": (10, 8, 10)}
    text = parsed.tables["restricted_activity_text"][0]
    assert (text["title"], text["venue"], text["organiser_name"], text["reporter"], text["participant_list"]) == (
        "Hoạt động 3", "Nhà văn hoá phường", "UBND phường", "Phạm Văn Báo Cáo", "danh-sach.pdf")
    assert "Hoạt động" not in str(row)


def test_counts_sent_as_decimals_are_whole_numbers_and_only_a_training_counts_the_trained():
    parsed = parse(activity_rows()[1])  # 70.0 + 90.0, a communication event
    assert parsed.quarantine == []
    activity_row = parsed.tables["activity"][0]
    assert (activity_row["participants_total"], activity_row["training"]) == (160, False)
    assert {r["audience"]: (r["reached"], r["reached_new"], r["reached_new_trained"])
            for r in parsed.tables["activity_reach"]} == {"parents_caregivers": (60, 50, None),
                                                          "children": (100, 40, None)}


@pytest.mark.parametrize("path, value, field, code", [
    ("participants/total", 61, "participants/total", "TOTAL_NOT_MALE_PLUS_FEMALE"),
    ("participants/male", 10_001, "participants/male", "OUT_OF_RANGE"),
    ("participants/female", 2.5, "participants/female", "WRONG_TYPE"),
    ("participants/new", 61, "participants/new", "OUT_OF_RANGE"),
    ("audience_groups", None, "audience_groups", "MISSING_REQUIRED"),
    ("audience_groups", "teachers_staff monks", "audience_groups", "INVALID_CHOICE"),
    ("reached/teachers_staff", None, "reached/teachers_staff", "MISSING_REQUIRED"),
    ("reached/teachers_staff", 61, "reached/teachers_staff", "OUT_OF_RANGE"),
    ("reached/teachers_staff_new", 21, "reached/teachers_staff_new", "OUT_OF_RANGE"),
    ("reached/teachers_staff_new_trained", 4, "reached/teachers_staff_new_trained", "OUT_OF_RANGE"),
    ("reached/teachers_staff_new_trained", None, "reached/teachers_staff_new_trained", "MISSING_REQUIRED"),
    ("activity_type", None, "activity_type", "MISSING_REQUIRED"),
    ("location/commune", "99999", "location/commune", "UNKNOWN_COMMUNE"),
])
def test_bad_activity_answers_quarantine_the_whole_report(path, value, field, code):
    row = spoiled(TRAINING, path, value)
    assert reasons(row) == [("activity", None, field, code)]
    assert parse(row).tables == {}


def test_an_audience_group_not_selected_is_not_counted():
    row = activity(9, "03-05", "school_activity", 10, 10, 20, {"teachers_staff": (5, 5)})
    row["reached"]["children"], row["reached"]["children_new"] = 15, 15  # answers of an unselected group
    assert [r["audience"] for r in parse(row).tables["activity_reach"]] == ["teachers_staff"]


# ---------------------------------------------------------------- reports without an audience, campaigns

BROADCAST, LEAFLETS, CAMPAIGN, PLEDGE, SUPERVISION, SANCTION, NO_BASIS = activity_rows()[4:11]  # A5–A11
NO_PARTICIPANTS = dict.fromkeys(("participants_male", "participants_female", "participants_total",
                                 "participants_new"))


@pytest.mark.parametrize("row, columns", [
    (BROADCAST, {"activity_type": "media_broadcast", "campaign": "world_day", "channel": "commune_radio",
                 "airings": 8, "copies": None, "estimated_reach": 3000, "reach_basis": "households_covered"}),
    (LEAFLETS, {"channel": "leaflets", "copies": 5000, "airings": None, "estimated_reach": None,
                "reach_basis": None}),
    (PLEDGE, {"pledge_signer": "craft_village_households", "pledges_signed": 20, "channel": None}),
    (SUPERVISION, {"supervisor_level": "provincial", "issues_found": True, "sanctioned_people": None}),
    (SANCTION, {"sanctioned_people": 2, "sanction_warning": True, "sanction_fine": True, "fines_vnd": 3_000_000,
                "sanction_agency": "commune_committee", "pledges_signed": None}),
], ids=["broadcast", "leaflets", "pledge", "supervision", "sanction"])
def test_a_report_without_an_audience_has_its_own_measures_and_no_participants(row, columns):
    parsed = parse(row)
    assert parsed.quarantine == []
    (activity_row,) = parsed.tables["activity"]
    assert {k: activity_row[k] for k in [*columns, *NO_PARTICIPANTS]} == {**columns, **NO_PARTICIPANTS}
    assert activity_row["training"] is False and "activity_reach" not in parsed.tables


def test_answers_of_a_group_the_type_does_not_ask_are_not_read():
    row = copy.deepcopy(BROADCAST)
    row["participants"] = {"male": 5, "female": 5, "total": 10, "new": 10, "participant_list": None}
    row["audience_groups"], row["reached"] = "children", {"children": 10, "children_new": 10}
    row["pledge"] = {"pledge_signer": "enterprises", "pledges_signed": 3}
    (activity_row,) = parse(row).tables["activity"]
    assert (activity_row["participants_total"], activity_row["pledges_signed"]) == (None, None)
    assert "activity_reach" not in parse(row).tables


def test_a_campaign_with_new_audiences():
    parsed = parse(CAMPAIGN)
    assert parsed.quarantine == []
    assert (parsed.tables["activity"][0]["campaign"], parsed.tables["activity"][0]["participants_total"]) == (
        "vi_dan_em", 20)
    assert {r["audience"]: (r["reached"], r["reached_new"]) for r in parsed.tables["activity_reach"]} == {
        "youth_pioneer_cadres": (12, 12), "volunteers": (8, 8)}


@pytest.mark.parametrize("row, path, value, code", [
    (NO_BASIS, None, None, "MISSING_REQUIRED"),
    (BROADCAST, "media/airings", 0, "OUT_OF_RANGE"),
    (BROADCAST, "media/airings", None, "MISSING_REQUIRED"),
    (BROADCAST, "media/broadcast_channel", "fax", "INVALID_CHOICE"),
    (BROADCAST, "media/broadcast_channel", None, "MISSING_REQUIRED"),
    (BROADCAST, "media/estimated_reach", "3000 hộ", "INVALID_NUMBER"),
    (BROADCAST, "media/reach_basis", "guess", "INVALID_CHOICE"),
    (BROADCAST, "campaign", "tet", "INVALID_CHOICE"),
    (LEAFLETS, "media/copies", 1_000_001, "OUT_OF_RANGE"),
    (LEAFLETS, "media/material", "commune_radio", "INVALID_CHOICE"),
    (PLEDGE, "pledge/pledges_signed", 0, "OUT_OF_RANGE"),
    (PLEDGE, "pledge/pledge_signer", None, "MISSING_REQUIRED"),
    (SUPERVISION, "supervision/issues_found", "maybe", "INVALID_CHOICE"),
    (SUPERVISION, "supervision/supervisor_level", None, "MISSING_REQUIRED"),
    (SANCTION, "sanction/fines_vnd", None, "MISSING_REQUIRED"),
    (SANCTION, "sanction/sanction_kinds", None, "MISSING_REQUIRED"),
    (SANCTION, "sanction/sanctioned_people", 1001, "OUT_OF_RANGE"),
    (SANCTION, "sanction/sanction_agency", "army", "INVALID_CHOICE"),
])
def test_bad_answers_of_a_report_without_an_audience_quarantine_it(row, path, value, code):
    row = spoiled(row, path, value) if path else row
    assert reasons(row) == [("activity", None, path or "media/reach_basis", code)]
    assert parse(row).tables == {}


def test_a_warning_alone_needs_no_fine():
    row = spoiled(spoiled(SANCTION, "sanction/sanction_kinds", "warning"), "sanction/fines_vnd", None)
    (activity_row,) = parse(row).tables["activity"]
    assert (activity_row["sanction_warning"], activity_row["sanction_fine"], activity_row["fines_vnd"]) == (
        True, False, None)


@pytest.mark.parametrize("agency, column, quarantined", [
    ("police", "police", []), (None, None, []),  # None: a submission of a version before the question
    ("army", None, [("inspection", None, "inspecting_agency", "INVALID_CHOICE")]),
])
def test_the_inspecting_agency(agency, column, quarantined):
    row = spoiled(INSPECTION, "inspecting_agency", agency)
    assert reasons(row) == quarantined
    if not quarantined:
        assert parse(row).tables["inspection"][0]["inspecting_agency"] == column


def test_the_organising_body_and_its_level():
    """Form version 2026120702: a mass organisation says which one; every organiser its level."""
    youth = {**CAMPAIGN, "organiser_type": "mass_organisation", "organisation": "youth_union",
             "organiser_level": "commune"}
    (row,) = parse(youth).tables["activity"]
    assert (row["organiser_type"], row["organisation"], row["organiser_level"]) == (
        "mass_organisation", "youth_union", "commune")
    (committee,) = parse({**youth, "organiser_type": "commune_committee"}).tables["activity"]
    assert (committee["organisation"], committee["organiser_level"]) == (None, "commune")  # not a mass organisation
    (older,) = parse(CAMPAIGN).tables["activity"]
    assert (older["organisation"], older["organiser_level"]) == (None, None)
    assert reasons({**youth, "organisation": "party_cell"}) == [
        ("activity", None, "organisation", "INVALID_CHOICE")]
