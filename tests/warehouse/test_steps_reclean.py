"""The classifying step classifies every child without a classification under the current rules: the children
cleaning wrote, every child again once cleaning has re-written them all (a new code-list version), and every
child under a new rules version; with nothing missing it does nothing."""

import dataclasses

from sqlalchemy import func, select

from connectors.forms import definition
from connectors.odk_central import record_from_odata_row
from tests.pipeline.household_fixture import fixture_rows
from warehouse.classify.classification import load_rules
from warehouse.classify.classify import classify_children
from warehouse.clean import steps
from warehouse.clean.household import Context
from warehouse.clean.pseudonym import Pseudonymizer
from warehouse.raw import raw_store
from warehouse.schema.admin_units import load_admin_units
from warehouse.schema.db import make_engine, upgrade
from warehouse.schema.models import Child, ChildClassification


def classified(engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return (conn.execute(select(func.count()).select_from(Child)).scalar_one(),
                conn.execute(select(func.count()).select_from(ChildClassification)).scalar_one())


def test_a_new_code_list_reclassifies_every_child(warehouse_url):
    engine = make_engine(warehouse_url)
    upgrade(engine)
    raw_store.store_records(engine, [record_from_odata_row(r, 7, "household_survey") for r in fixture_rows()])
    units, rules = load_admin_units(), load_rules()
    choices = definition("household_survey").codes
    steps.clean_households(engine, Context(Pseudonymizer("k" * 32), units, choices))
    assert classified(engine) == (16, 0)
    stats = classify_children(engine, rules)
    assert (stats.processed, stats.loaded["child_classification"]) == (16, 32)  # H8 deleted; two rule sets
    assert classify_children(engine, rules).processed == 0  # nothing missing

    newer = dataclasses.replace(units, code_list_version="vn-2025-07-r2")
    steps.clean_households(engine, Context(Pseudonymizer("k" * 32), newer, choices))  # all again
    assert classified(engine) == (16, 0)  # the re-written households took their classifications along
    assert classify_children(engine, rules).processed == 16
    assert classified(engine) == (16, 32)
    engine.dispose()


def test_a_new_rules_version_reclassifies_every_child(warehouse_url):
    engine = make_engine(warehouse_url)
    upgrade(engine)
    rows = fixture_rows()
    raw_store.store_records(engine, [record_from_odata_row(r, 7, "household_survey") for r in rows[:4]])
    rules = load_rules()
    ctx = Context(Pseudonymizer("k" * 32), load_admin_units(), definition("household_survey").codes)
    steps.clean_households(engine, ctx)
    first = classify_children(engine, rules).processed

    newer = dataclasses.replace(rules, version="test-newer")
    raw_store.store_records(engine, [record_from_odata_row(r, 7, "household_survey") for r in rows[4:]])
    steps.clean_households(engine, ctx)
    assert rules_versions(engine) == {rules.version}
    assert classify_children(engine, newer).processed == 16  # every child, under the new rules
    assert classified(engine) == (16, 32) and first < 16
    assert rules_versions(engine) == {"test-newer"}
    assert classify_children(engine, newer).processed == 0
    engine.dispose()


def rules_versions(engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(select(ChildClassification.rules_version).distinct()).scalars())
