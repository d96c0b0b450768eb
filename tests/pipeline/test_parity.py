"""Parity: the same household-survey answers, whichever platform or export file they came through, give
identical clean tables, classifications and indicators."""

import pytest
from sqlalchemy import select

from connectors.forms import definition
from tests.connectors.household_routes import ROUTES, records_by_route
from tests.pipeline.household_fixture import edit_h9, fixture_rows
from warehouse.classify.classification import load_rules
from warehouse.classify.classify import classify_children
from warehouse.clean import steps
from warehouse.clean.household import Context
from warehouse.clean.pseudonym import Pseudonymizer
from warehouse.indicators import indicators
from warehouse.raw import raw_store
from warehouse.reference import reference_data
from warehouse.schema.admin_units import load_admin_units
from warehouse.schema.db import make_engine, upgrade
from warehouse.schema.models import Child, ChildClassification, Household, IndicatorValue, Quarantine

PROVENANCE = {"source", "form_version", "raw_submission_id", "change_seq"}  # where a row came from, not what it says


def warehouse_from(records, url: str) -> dict:
    engine = make_engine(url)
    upgrade(engine)
    raw_store.store_records(engine, records)
    units = load_admin_units()
    rules = load_rules()
    steps.clean_households(engine, Context(Pseudonymizer("k" * 32), units,
                                           definition("household_survey").codes))
    classify_children(engine, rules)
    reference_data.store_area_communes(engine, reference_data.area_communes(units, reference_data.load_legacy_units(),
                                                                          set()))
    settings = indicators.load_settings()
    indicators.refresh(engine, settings, rules.version)
    tables = {}
    with engine.connect() as conn:
        for model in (Household, Child, ChildClassification, IndicatorValue, Quarantine):
            columns = [c for c in model.__table__.columns if c.name not in PROVENANCE | {"id", "instance_id"}]
            tables[model.__tablename__] = sorted(map(tuple, conn.execute(select(*columns)).all()), key=repr)
    engine.dispose()
    return tables


@pytest.fixture(scope="module")
def routes():
    rows = [row for row in fixture_rows() if not row["__system"]["deletedAt"]]
    h9 = rows[-1]
    return records_by_route(rows, edits={h9["__id"]: edit_h9(h9)})


def test_every_route_gives_the_same_warehouse(routes, tmp_path):
    assert set(routes) == set(ROUTES)
    warehouses = {route: warehouse_from(records, f"sqlite:///{tmp_path / (route.replace(':', '_') + '.sqlite')}")
                  for route, records in routes.items()}
    reference = warehouses["odk_central"]
    assert len(reference["child"]) == 16 and reference["indicator_value"]  # the fixture, fully loaded
    for route, tables in warehouses.items():
        for table, rows in tables.items():
            assert rows == reference[table], f"{route}: {table} differs from ODK Central's"
