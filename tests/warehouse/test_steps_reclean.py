"""Cleaning classifies the children it writes while the classifying step is caught up; cleaning everything
again (a new code-list version) classifies every child again, and a new rules version is the classifying
step's to apply."""

import dataclasses

from sqlalchemy import func, select

from connectors.odk_central import record_from_odata_row
from tests.pipeline.household_fixture import fixture_rows
from warehouse import raw_store, steps
from warehouse.admin_units import forms_dir, load_admin_units
from warehouse.classification import load_rules
from warehouse.db import make_engine, upgrade
from warehouse.form_choices import load_choices
from warehouse.household import Context
from warehouse.models import Child, ChildClassification
from warehouse.pseudonym import Pseudonymizer


def classified(engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return (conn.execute(select(func.count()).select_from(Child)).scalar_one(),
                conn.execute(select(func.count()).select_from(ChildClassification)).scalar_one())


def test_a_new_code_list_reclassifies_every_child(warehouse_url):
    engine = make_engine(warehouse_url)
    upgrade(engine)
    raw_store.store_records(engine, [record_from_odata_row(r, 7, "household_survey") for r in fixture_rows()])
    units, rules = load_admin_units(), load_rules()
    choices = load_choices(forms_dir() / "household_survey.xlsx")
    stats = steps.clean_households(engine, Context(Pseudonymizer("k" * 32), units, choices), rules)
    assert stats.loaded["child_classification"] == 32  # classified while cleaned…
    assert steps.classify_children(engine, rules).processed == 0  # …so the classifying step has nothing to do
    assert classified(engine) == (16, 32)  # H8 deleted; two rule sets

    newer = dataclasses.replace(units, code_list_version="vn-2025-07-r2")
    stats = steps.clean_households(engine, Context(Pseudonymizer("k" * 32), newer, choices), rules)  # all again
    assert stats.loaded["child_classification"] == 32
    assert steps.classify_children(engine, rules).processed == 0
    assert classified(engine) == (16, 32)
    engine.dispose()


def test_a_new_rules_version_is_classified_by_the_classifying_step(warehouse_url):
    engine = make_engine(warehouse_url)
    upgrade(engine)
    rows = fixture_rows()
    raw_store.store_records(engine, [record_from_odata_row(r, 7, "household_survey") for r in rows[:4]])
    rules = load_rules()
    ctx = Context(Pseudonymizer("k" * 32), load_admin_units(), load_choices(forms_dir() / "household_survey.xlsx"))
    steps.clean_households(engine, ctx, rules)
    first = classified(engine)

    newer = dataclasses.replace(rules, version="test-newer")
    raw_store.store_records(engine, [record_from_odata_row(r, 7, "household_survey") for r in rows[4:]])
    stats = steps.clean_households(engine, ctx, newer)  # the new households, not classified: the step is behind
    assert stats.loaded["child_classification"] == 0
    assert rules_versions(engine) == {rules.version}
    assert steps.classify_children(engine, newer).processed == 16  # every child, under the new rules
    assert classified(engine) == (16, 32) and first[0] < 16
    assert rules_versions(engine) == {"test-newer"}
    engine.dispose()


def rules_versions(engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(select(ChildClassification.rules_version).distinct()).scalars())
