"""Historical data: submissions and export files with pre-July-2025 codes load with the legacy code list version
and are measured on their old territory and on the new communes it went to.

Legacy commune 00001 Phường Phúc Xá (old province 01) went whole to new commune 00097 Phường Hồng Hà (province
01); 00001 is no code of the new list. Legacy 00007 Phường Cống Vị was split between new 00008 and 00025
(province 01). The pair (01, 00004) is in both lists: Phường Trúc Bạch before 1 July 2025 (it went whole to new
00004), Phường Ba Đình after, so the interview date decides.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from connectors.exports import read_odk_csv_zip
from connectors.forms import definition
from connectors.odk_central.rows import record_from_odata_row
from connectors.xlsform import read_xlsform
from tests.connectors.export_fixtures import CentralSubmission, odk_csv_zip
from tests.connectors.household_routes import FORM, form_values
from tests.pipeline.household_fixture import child, household, work
from tests.pipeline.programme_fixture import activity_rows, inspection_rows
from tests.warehouse.test_programme_parse import parse
from warehouse.cases import case_register
from warehouse.cases.case_list import case_list_rows
from warehouse.classify.classification import load_rules
from warehouse.classify.classify import classify_children
from warehouse.clean import programme_steps, steps
from warehouse.clean.household import Context
from warehouse.clean.pseudonym import Pseudonymizer
from warehouse.indicators import indicators
from warehouse.raw import raw_store
from warehouse.reference import reference_data
from warehouse.schema.admin_units import LEGACY, load_admin_units
from warehouse.schema.db import make_engine, upgrade
from warehouse.schema.models import Household, IndicatorValue, Quarantine, RestrictedIndicatorValue

CURRENT = load_admin_units().code_list_version
FACTORY = work("factory_workshop", 8, 48, "workshop_factory", "industry_construction")


def on(row: dict, day: str) -> dict:
    return {**row, "interview_date": day}


def rows() -> list[dict]:
    """H1: legacy 00001, five of six children in child labour (16, 48 h a week); H2: (01, 00004) in 2025, legacy
    Trúc Bạch; H3: the same pair in 2026, new Ba Đình; H4: a code of neither list; H5: legacy Cống Vị."""
    children = [child(f"c{i}", 16, "male", FACTORY) for i in range(5)] + [child("c5", 9, "female")]
    return [on(household(1, "00001", "01", "01-01", children), "2025-03-10"),
            on(household(2, "00004", "01", "01-01", [child("c6", 8, "female")]), "2025-06-30"),
            household(3, "00004", "01", "07-01", [child("c7", 8, "female")]),
            on(household(4, "99998", "01", "01-01", [child("c8", 8, "female")]), "2025-03-10"),
            on(household(5, "00007", "01", "01-01", [child("c9", 8, "female")]), "2025-05-05")]


def odata_records() -> list:
    return [record_from_odata_row(row, 1, "household_survey") for row in rows()]


def export_records() -> list:
    schema = read_xlsform(FORM).schema
    archive = odk_csv_zip(schema, [CentralSubmission(row["__id"], form_values(row)) for row in rows()])
    return list(read_odk_csv_zip(archive, schema, name="household_survey.csv.zip"))


def load(url: str, records: list):
    engine = make_engine(url)
    upgrade(engine)
    raw_store.store_records(engine, records)
    units, rules = load_admin_units(), load_rules()
    steps.clean_households(engine, Context(Pseudonymizer("k" * 32), units,
                                           definition("household_survey").codes))
    classify_children(engine, rules)
    legacy = reference_data.load_legacy_units()
    reference_data.store_legacy_communes(engine, reference_data.legacy_commune_rows(legacy))
    legacy_areas = {("commune", "00001"), ("province", "01")}  # old territories with targets
    reference_data.store_area_communes(engine, reference_data.area_communes(units, legacy, legacy_areas))
    indicators.refresh(engine, indicators.load_settings(), rules.version)
    return engine


@pytest.mark.parametrize("records", [odata_records, export_records], ids=["odata", "odk_csv_zip"])
def test_legacy_codes_load_with_the_legacy_code_list(warehouse_url, records):
    engine = load(warehouse_url, records())
    with engine.connect() as conn:
        loaded = sorted(conn.execute(select(Household.commune_code, Household.code_list_version,
                                            Household.interview_date)).all(), key=lambda r: r[2])
        quarantined = conn.execute(select(Quarantine.reason_code, Quarantine.value)).all()
    engine.dispose()
    assert [(code, version) for code, version, _ in loaded] == [
        ("00001", LEGACY), ("00007", LEGACY), ("00004", LEGACY), ("00004", CURRENT)]
    assert [reason for reason, _ in quarantined] == ["UNKNOWN_COMMUNE"]  # 99998: in neither list


@pytest.mark.parametrize("row, table", [(inspection_rows()[0], "inspection"), (activity_rows()[0], "activity")],
                         ids=["inspection", "activity"])
def test_an_inspection_or_activity_with_an_old_code_loads_with_the_legacy_code_list(row, table):
    """Even dated after 1 July 2025: an old code alone is read as old, never refused."""
    parsed = parse({**row, "location": {**row["location"], "province": "01", "commune": "00001"}})
    assert parsed.quarantine == []
    (loaded,) = parsed.tables[table]
    assert (loaded["year"], loaded["commune_code"], loaded["code_list_version"]) == (2026, "00001", LEGACY)


@pytest.mark.parametrize("records", [odata_records, export_records], ids=["odata", "odk_csv_zip"])
def test_a_legacy_household_is_measured_on_its_old_and_new_territories(warehouse_url, records):
    """1.1 (vn_law) in 2025: H1's 5 of 6 children, plus H2's and H5's 0 of 1 where they count too (the
    unprotected tier; disclosure control then hides the communes' small cells)."""
    engine = load(warehouse_url, records())

    def cells(iv) -> dict:
        with engine.connect() as conn:
            return {(r.area_level, r.area_code, r.code_list_version): (r.numerator, r.denominator, r.exact_territory)
                    for r in conn.execute(select(iv).where(
                        iv.indicator_id == "1.1", iv.source == "household_survey", iv.rule_set == "vn_law",
                        iv.period == "2025", iv.dimension == "total"))}

    measured, published = cells(RestrictedIndicatorValue), cells(IndicatorValue)
    engine.dispose()
    assert measured[("commune", "00097", CURRENT)] == (5, 6, True)  # new Hồng Hà: the whole of old Phúc Xá
    assert measured[("commune", "00001", LEGACY)] == (5, 6, True)  # old Phúc Xá itself
    for area in [("province", "01", CURRENT), ("province", "01", LEGACY), ("national", "VN", "national")]:
        assert measured[area] == published[area] == (5, 8, True), area  # H1, H2, H5: in old and in new Hà Nội
    assert measured[("commune", "00004", CURRENT)] == (0, 1, True)  # H2: old Trúc Bạch
    assert published[("commune", "00004", CURRENT)] == (None, None, True)  # 1 child: suppressed
    for split in ("00008", "00025"):  # H5 may live in either part of old Cống Vị
        assert measured[("commune", split, CURRENT)] == (0, 1, False)
        assert published[("commune", split, CURRENT)] == (None, None, False)


def test_legacy_households_arriving_later_are_counted_in_their_territories(warehouse_url):
    """After the first publication: a legacy commune first seen, then more of its households and of the new
    commune it went to, then H1 corrected to (01, 00097), in 2025 old Tứ Liên, split between new 00097 and
    00103 (another legacy commune first seen)."""
    engine = load(warehouse_url, odata_records()[1:])
    units, rules = load_admin_units(), load_rules()
    ctx = Context(Pseudonymizer("k" * 32), units, definition("household_survey").codes)
    settings = indicators.load_settings()
    more = [child(f"d{i}", 15, "female", FACTORY) for i in range(5)]
    moved = rows()[0]
    moved = {**moved, "location": {**moved["location"], "commune": "00097"},
             "__system": {**moved["__system"], "updatedAt": "2026-11-20T10:00:00.000Z"}}
    arrivals = [[rows()[0]],
                [on(household(6, "00001", "01", "01-01", more), "2025-02-02"),
                 on(household(7, "00097", "01", "01-01", more), "2025-09-09")],
                [moved]]
    for batch in arrivals:
        raw_store.store_records(engine, [record_from_odata_row(r, 1, "household_survey") for r in batch])
        steps.clean_households(engine, ctx)
        classify_children(engine, rules)
        indicators.refresh(engine, settings, rules.version)
    counted = cells(engine)
    engine.dispose()
    assert counted[("commune", "00097", CURRENT, "2025")] == (15, 16)  # H1 (Tứ Liên), H6 (Phúc Xá), H7
    assert counted[("commune", "00103", CURRENT, "2025")] == (5, 6)  # H1: the other part of Tứ Liên
    # H6, and H7 of new 00097, which old Phúc Xá went to (with others: an approximate territory)
    assert counted[("commune", "00001", LEGACY, "2025")] == (10, 10)


def cells(engine) -> dict:
    iv = IndicatorValue
    with engine.connect() as conn:
        return {(r.area_level, r.area_code, r.code_list_version, r.period): (r.numerator, r.denominator)
                for r in conn.execute(select(iv).where(
                    iv.indicator_id == "1.1", iv.source == "household_survey", iv.rule_set == "vn_law",
                    iv.dimension == "total"))}


def test_legacy_inspections_are_measured_on_their_old_and_new_territories(warehouse_url):
    """4.1b in 2026: inspections I1–I8 recorded under old Phúc Xá, seven of them with a violation (I9 has a code
    of neither list, I10 was deleted)."""
    engine = make_engine(warehouse_url)
    upgrade(engine)
    rows = [{**r, "location": {**r["location"], "province": "01", "commune": r["location"]["commune"].replace(
        "00004", "00001")}} for r in inspection_rows()]
    raw_store.store_records(engine, [record_from_odata_row(r, 1, "workplace_inspection") for r in rows])
    programme_steps.clean_inspections(engine, Context.of_form(Pseudonymizer("k" * 32), "workplace_inspection"))
    legacy = reference_data.load_legacy_units()
    reference_data.store_legacy_communes(engine, reference_data.legacy_commune_rows(legacy))
    reference_data.store_area_communes(engine, reference_data.area_communes(
        load_admin_units(), legacy, {("commune", "00001"), ("province", "01")}))
    indicators.refresh(engine, indicators.load_settings(), load_rules().version)
    iv = IndicatorValue
    with engine.connect() as conn:
        cells = {(r.area_level, r.area_code, r.code_list_version): (r.numerator, r.denominator)
                 for r in conn.execute(select(iv).where(iv.indicator_id == "4.1b", iv.period == "2026",
                                                        iv.dimension == "total"))}
    engine.dispose()
    assert cells == {("commune", "00097", CURRENT): (7, 8), ("commune", "00001", LEGACY): (7, 8),
                     ("province", "01", CURRENT): (7, 8), ("province", "01", LEGACY): (7, 8),
                     ("national", "VN", "national"): (7, 8)}


def test_a_legacy_household_s_cases_are_listed_under_its_old_commune_name(warehouse_url):
    engine = load(warehouse_url, odata_records())
    case_register.identify_cases(engine, Pseudonymizer("k" * 32))
    case_register.update_case_register(engine)
    labels = {row.label.split(" · ")[1] for row in case_list_rows(engine)}
    engine.dispose()
    assert labels == {"Phường Phúc Xá"}  # H1's five children in child labour
