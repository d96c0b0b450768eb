"""Answers that are not there: a group that is not relevant (``location`` and ``household`` without consent, a
child's ``work`` when not working) is read as not answered, never as an error, by every parser, whether it comes
null, left out (KoboToolbox) or with every answer null (ODK Central 4f5943d1: ``test_engine_household_central``);
a number ODK Central could not read comes null, and is reported as missing or unreadable."""

from __future__ import annotations

import copy
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from connectors.odk_central import record_from_odata_row
from dagster_project.defs.household_survey import checks
from dagster_project.resources import WarehouseResource
from tests.conftest import TEST_PSEUDONYM_KEY
from tests.pipeline.household_fixture import child, household, work
from tests.pipeline.programme_fixture import activity_rows, inspection_rows, visit
from warehouse.cases.case_visit import parse_case_visit
from warehouse.clean import steps
from warehouse.clean.activity import parse_activity
from warehouse.clean.answers import Context
from warehouse.clean.household import UNKNOWN_AREA, parse_household
from warehouse.clean.inspection import parse_inspection
from warehouse.clean.pseudonym import Pseudonymizer
from warehouse.raw import raw_store
from warehouse.schema.db import make_engine, upgrade
from warehouse.schema.models import Household

PSEUDONYMIZER = Pseudonymizer("k" * 32)
HOUSEHOLD_CTX = Context.of_form(PSEUDONYMIZER, "household_survey")


def raw(row: dict, form_id: str) -> SimpleNamespace:
    return SimpleNamespace(payload=row, form_id=form_id, instance_id=row["__id"], source="odk_central",
                           form_version="1", review_state=None, submitted_at=row["__system"]["submissionDate"])


def no_consent(**groups) -> dict:
    """A household without consent, ``location`` and ``household`` null (``groups`` overrides them; ``...`` leaves
    a group out, as KoboToolbox does)."""
    row = household(4, "00004", "01", "09-01", [], consent="no")
    row.update(location=None, household=None)
    for name, value in groups.items():
        if value is ...:
            del row[name]
        else:
            row[name] = value
    return row


ALL_NULL = {"location": dict.fromkeys(("province", "commune", "village", "gps")),
            "household": dict.fromkeys(household(1, "00004", "01", "03-10", [])["household"])}


@pytest.mark.parametrize("row", [no_consent(), no_consent(location=..., household=...), no_consent(**ALL_NULL)],
                         ids=["null groups", "groups left out", "groups of nulls (ODK Central)"])
def test_a_household_without_consent_loads_with_what_it_has(row):
    parsed = parse_household(raw(row, "household_survey"), HOUSEHOLD_CTX)
    assert parsed.quarantine == []
    hh = parsed.household
    assert (hh["consent"], hh["interview_date"].isoformat(), len(hh["household_id"])) == (False, "2026-09-01", 32)
    assert (hh["province_code"], hh["commune_code"], hh["urban_rural"]) == (UNKNOWN_AREA,) * 3
    assert {hh[k] for k in ("hh_size", "poverty_status", "craft_village", "livelihood", "n_children")} == {None}
    assert parsed.children == [] and parsed.household_pii["respondent_name"] is None
    assert parsed.household_pii["gps_lat"] is None and parsed.household_pii["village"] is None


def test_a_household_without_consent_keeps_a_location_given_and_checks_it():
    given = {"province": "01", "commune": "00004", "village": None, "gps": None}
    assert parse_household(raw(no_consent(location=given), "household_survey"),
                           HOUSEHOLD_CTX).household["commune_code"] == "00004"
    parsed = parse_household(raw(no_consent(location={**given, "commune": "99999"}), "household_survey"),
                             HOUSEHOLD_CTX)
    assert [(q["field"], q["reason_code"]) for q in parsed.quarantine] == [("location/commune", "UNKNOWN_COMMUNE")]


def test_a_consenting_household_still_needs_its_location():
    row = household(1, "00004", "01", "03-10", [child("Lan", 8, "female")])
    row["location"] = None
    parsed = parse_household(raw(row, "household_survey"), HOUSEHOLD_CTX)
    assert [(q["field"], q["reason_code"]) for q in parsed.quarantine] == [("location/province", "MISSING_REQUIRED")]


@pytest.mark.parametrize("econ_activity, temp_absent, working", [("no", "no", False), ("yes", None, True),
                                                                 ("no", "yes", True)])
def test_a_child_s_null_work_group_is_not_answered(econ_activity, temp_absent, working):
    row = household(1, "00004", "01", "03-10", [child("Lan", 14, "female", work("crop_farming", 3, 10))])
    row["child"][0].update(econ_activity=econ_activity, temp_absent=temp_absent, work=None)
    parsed = parse_household(raw(row, "household_survey"), HOUSEHOLD_CTX)
    assert parsed.quarantine == []
    (kid,) = parsed.children
    assert (kid["working"], kid["work_kinds"], kid["hours_week"], kid["hazards"]) == (working, None, None, None)


@pytest.mark.parametrize("hh_size", [None, ""])
def test_a_household_size_central_could_not_read_is_missing_or_unreadable(hh_size):
    """ODK Central sends ``<hh_size>nhiều</hh_size>`` as null: not said to be plainly missing."""
    row = household(1, "00004", "01", "03-10", [])
    row["household"]["hh_size"] = hh_size
    parsed = parse_household(raw(row, "household_survey"), HOUSEHOLD_CTX)
    (entry,) = parsed.quarantine
    assert (entry["field"], entry["reason_code"]) == ("household/hh_size", "MISSING_OR_UNREADABLE")
    assert "not a number" in entry["reason"]


def nulled(row: dict, *paths: str) -> dict:
    """``row`` with the groups at ``paths`` (``young_worker/0/work``) null."""
    row = copy.deepcopy(row)
    for path in paths:
        *parents, last = path.split("/")
        node = row
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node[last] = None
    return row


def test_an_inspection_s_null_groups_are_not_answered():
    row = nulled(inspection_rows()[7], "employer", "findings")  # I8: no young workers, no fine
    parsed = parse_inspection(raw(row, "workplace_inspection"), Context.of_form(PSEUDONYMIZER, "workplace_inspection"))
    assert parsed.quarantine == []
    (inspection,) = parsed.tables["inspection"]
    assert (inspection["employer_informed"], inspection["violations"], inspection["actions"]) == (None, None, None)
    worker = nulled(inspection_rows()[0], "young_worker/0/work")
    parsed = parse_inspection(raw(worker, "workplace_inspection"),
                              Context.of_form(PSEUDONYMIZER, "workplace_inspection"))
    assert parsed.quarantine == [] and parsed.tables["young_worker"][0]["work_kinds"] is None


def test_a_visit_s_null_work_group_is_not_answered():
    row = visit(2, "0b8e0c35-5f0c-5a43-9d1e-2f43f1a5b6c7", "06-15", "none", "monitoring")
    row["work"] = None
    parsed = parse_case_visit(raw(row, "case_followup"), Context.of_form(PSEUDONYMIZER, "case_followup"))
    assert parsed.quarantine == [] and parsed.tables["case_visit"][0]["working"] is False


@pytest.mark.parametrize("form_id, row, group, field", [
    ("workplace_inspection", inspection_rows()[0], "establishment", "establishment/total_workers"),
    ("workplace_inspection", inspection_rows()[0], "location", "location/province"),
    ("activity_report", activity_rows()[2], "participants", "participants/male"),
    ("activity_report", activity_rows()[2], "reached", "reached/enterprises"),
])
def test_a_null_group_of_required_answers_is_a_missing_answer_not_an_unreadable_submission(form_id, row, group,
                                                                                           field):
    parse = {"workplace_inspection": parse_inspection, "activity_report": parse_activity}[form_id]
    parsed = parse(raw(nulled(row, group), form_id), Context.of_form(PSEUDONYMIZER, form_id))
    assert [(q["field"], q["reason_code"]) for q in parsed.quarantine] == [(field, "MISSING_REQUIRED")]


def test_households_without_consent_are_stored_and_pass_the_household_checks(warehouse_url):
    engine = make_engine(warehouse_url)
    upgrade(engine)
    rows = [no_consent(), no_consent(location=...) | {"__id": "uuid:no-location-group"},
            household(1, "00004", "01", "03-10", [child("Lan", 8, "female")])]
    raw_store.store_records(engine, [record_from_odata_row(row, "1", "household_survey") for row in rows])
    steps.clean_households(engine, HOUSEHOLD_CTX)
    with engine.connect() as conn:
        stored = sorted(conn.execute(select(Household.consent, Household.commune_code)).all())
    engine.dispose()
    assert stored == [(False, UNKNOWN_AREA), (False, UNKNOWN_AREA), (True, "00004")]
    resource = WarehouseResource(url=warehouse_url, pseudonym_key=TEST_PSEUDONYM_KEY)
    for check in (checks.households_accounted_for, checks.households_communes_valid):
        assert check(warehouse=resource).passed, check.name
