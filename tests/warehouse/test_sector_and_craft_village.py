"""Indicator 1.1 by the child's sector of work and by the household's craft village, worked out by hand.

Commune 00004 (province 01), 2026; the classifications are those of ``tests/pipeline/household_fixture.py``:

| hh | craft village | child: work (sector) | vn_law child labour |
|---|---|---|---|
| H1 | yes | c1 14M crop farming 3 h/10 h (agriculture); c2 8F none | c1 |
| H2 | yes | c3 16M factory 8 h/48 h (industry); c4 12M handicraft 1 h/2 h (industry) | c3, c4 |
| H3 | no | c5 17F shop 4 h/20 h (services); c6 9M none | – |
| H4 | not answered | c7 15M construction site 6 h/30 h (industry); c8 10F grazing 2 h/6 h (no sector) | c7, c8 |

vn_law 1.1: total 5/8; by sector of work: agriculture 1/1, industry 3/3, services 0/1, not working 0/2, unknown
1/1; by craft village: yes 3/4, no 0/2, unknown 2/2.

Then H1 moves out of the craft village, c5 works in agriculture instead, and H5 (craft village, c9 16F weaving
1 h/3 h, industry; no child labour) arrives.
"""

from __future__ import annotations

import copy

from sqlalchemy import select

from connectors.forms import definition
from connectors.odk_central import record_from_odata_row
from tests.conftest import TEST_PSEUDONYM_KEY
from tests.pipeline.household_fixture import COMMUNE_A, PROVINCE_A, child, household, work
from warehouse.classify.classification import load_rules
from warehouse.classify.classify import classify_children
from warehouse.clean import steps
from warehouse.clean.household import FORM_ID, Context
from warehouse.clean.pseudonym import Pseudonymizer
from warehouse.indicators import indicators
from warehouse.raw import raw_store
from warehouse.reference import reference_data
from warehouse.schema.admin_units import load_admin_units
from warehouse.schema.db import make_engine, upgrade
from warehouse.schema.models import RestrictedIndicatorValue

AGRICULTURE, INDUSTRY, SERVICES = "agriculture_forestry_fishery", "industry_construction", "services"


def in_village(row: dict, answer: str | None) -> dict:
    row["household"]["craft_village"] = answer
    return row


def rows() -> list[dict]:
    return [
        in_village(household(1, COMMUNE_A, PROVINCE_A, "03-10", [
            child("c1", 14, "male", work("crop_farming", 3, 10, sector=AGRICULTURE)), child("c2", 8, "female")]),
            "yes"),
        in_village(household(2, COMMUNE_A, PROVINCE_A, "05-02", [
            child("c3", 16, "male", work("factory_workshop", 8, 48, "workshop_factory", INDUSTRY)),
            child("c4", 12, "male", work("handicraft", 1, 2, "home", INDUSTRY))]), "yes"),
        in_village(household(3, COMMUNE_A, PROVINCE_A, "08-20", [
            child("c5", 17, "female", work("shop_restaurant", 4, 20, "shop_market", SERVICES)),
            child("c6", 9, "male")]), "no"),
        in_village(household(4, COMMUNE_A, PROVINCE_A, "09-01", [
            child("c7", 15, "male", work("construction_work", 6, 30, "construction_site", INDUSTRY)),
            child("c8", 10, "female", work("grazing", 2, 6, sector=None))]), None),
    ]


def changed(first: list[dict]) -> list[dict]:
    h1, h3 = copy.deepcopy(first[0]), copy.deepcopy(first[2])
    h1["household"]["craft_village"] = "no"
    h3["child"][0]["work"]["sector"] = AGRICULTURE
    for row in (h1, h3):
        row["__system"]["updatedAt"] = "2026-11-25T10:00:00.000Z"
    h5 = in_village(household(5, COMMUNE_A, PROVINCE_A, "10-01", [
        child("c9", 16, "female", work("weaving_natural", 1, 3, "home", INDUSTRY))]), "yes")
    return [h1, h3, h5]


def load(engine, submissions: list[dict], rules) -> None:
    raw_store.store_records(engine, [record_from_odata_row(r, "1", FORM_ID) for r in submissions])
    ctx = Context(Pseudonymizer(TEST_PSEUDONYM_KEY), load_admin_units(), definition(FORM_ID).codes)
    steps.clean_households(engine, ctx)
    classify_children(engine, rules)


def breakdowns(engine, area: str = "VN") -> dict:
    """(dimension, value): (numerator, denominator) of the vn_law 2026 cells of ``area``, before disclosure."""
    iv = RestrictedIndicatorValue
    with engine.connect() as conn:
        found = conn.execute(select(iv.dimension, iv.dimension_value, iv.numerator, iv.denominator).where(
            iv.indicator_id == "1.1", iv.rule_set == "vn_law", iv.period == "2026", iv.area_code == area,
            iv.dimension.in_(("total", "work_sector", "craft_village")))).all()
    return {(d, v): (n, m) for d, v, n, m in found}


def test_1_1_by_sector_of_work_and_craft_village(warehouse_url):
    engine = make_engine(warehouse_url)
    upgrade(engine)
    units, legacy = load_admin_units(), reference_data.load_legacy_units()
    reference_data.store_area_communes(engine, reference_data.area_communes(units, legacy, set()))
    rules, settings = load_rules(), indicators.load_settings()
    load(engine, rows(), rules)
    indicators.refresh(engine, settings, rules.version)

    expected = {("total", "all"): (5, 8),
                ("work_sector", AGRICULTURE): (1, 1), ("work_sector", INDUSTRY): (3, 3),
                ("work_sector", SERVICES): (0, 1), ("work_sector", "not_working"): (0, 2),
                ("work_sector", "unknown"): (1, 1),
                ("craft_village", "yes"): (3, 4), ("craft_village", "no"): (0, 2), ("craft_village", "unknown"): (2, 2)}
    for area in ("VN", PROVINCE_A, COMMUNE_A):
        assert breakdowns(engine, area) == expected

    load(engine, changed(rows()), rules)
    indicators.refresh(engine, settings, rules.version)
    assert breakdowns(engine) == {
        ("total", "all"): (5, 9),
        ("work_sector", AGRICULTURE): (1, 2), ("work_sector", INDUSTRY): (3, 4), ("work_sector", "not_working"): (0, 2),
        ("work_sector", "unknown"): (1, 1),
        ("craft_village", "yes"): (2, 3), ("craft_village", "no"): (1, 4), ("craft_village", "unknown"): (2, 2)}
    engine.dispose()
