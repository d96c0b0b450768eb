"""The clean tables' checks (``dagster_project.table_checks``) pass on a clean warehouse and fail when what they
guard is broken: a raw submission with no row, a commune not in the code list, an age out of the surveyed range,
a child without its classification."""

import pytest
from sqlalchemy import delete, select, update

from connectors.odk_central import record_from_odata_row
from dagster_project.defs.household_survey import checks
from dagster_project.resources import WarehouseResource
from tests.conftest import TEST_PSEUDONYM_KEY
from tests.pipeline.household_fixture import child, household
from warehouse.classify.classification import load_rules
from warehouse.classify.classify import classify_children
from warehouse.clean import steps
from warehouse.clean.answers import Context
from warehouse.clean.pseudonym import Pseudonymizer
from warehouse.raw import raw_store
from warehouse.schema.db import make_engine, upgrade
from warehouse.schema.models import Child, ChildClassification, Household

CHECKS = [checks.households_accounted_for, checks.households_ids_unique, checks.households_communes_valid,
          checks.children_ids_unique, checks.children_ages_plausible, checks.child_classification_complete]


@pytest.fixture
def warehouse(warehouse_url):
    engine = make_engine(warehouse_url)
    upgrade(engine)
    rows = [household(1, "00004", "01", "03-10", [child("Lan", 8, "female"), child("Minh", 12, "male")]),
            household(2, "05977", "20", "03-11", [child("Hoa", 15, "female")])]
    raw_store.store_records(engine, [record_from_odata_row(row, "1", "household_survey") for row in rows])
    steps.clean_households(engine, Context.of_form(Pseudonymizer(TEST_PSEUDONYM_KEY), "household_survey"))
    classify_children(engine, load_rules())
    yield engine, WarehouseResource(url=warehouse_url, pseudonym_key=TEST_PSEUDONYM_KEY)
    engine.dispose()


def failing(resource: WarehouseResource) -> list[str]:
    return [next(iter(check.check_specs)).name for check in CHECKS if not check(warehouse=resource).passed]


def test_every_check_passes_on_a_clean_warehouse(warehouse):
    assert failing(warehouse[1]) == []


def test_each_check_fails_on_what_it_guards(warehouse):
    engine, resource = warehouse
    with engine.begin() as conn:
        first = conn.execute(select(Child.__table__).order_by(Child.child_id)).mappings().first()
        conn.execute(update(Child).where(Child.child_id == first["child_id"]).values(age=30))
        conn.execute(delete(ChildClassification).where(ChildClassification.child_id == first["child_id"]))
        conn.execute(update(Household).where(Household.commune_code == "05977").values(commune_code="99999"))
    assert failing(resource) == ["households_communes_valid", "children_ages_plausible",
                                 "child_classification_complete"]
    with engine.begin() as conn:
        conn.execute(delete(Household).where(Household.commune_code == "99999"))  # its raw submission is live
    assert failing(resource) == ["households_accounted_for", "children_ages_plausible",
                                 "child_classification_complete"]
