"""Cleaning everything again (a new code-list version) classifies every child again."""

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
    steps.clean_households(engine, Context(Pseudonymizer("k" * 32), units, choices))
    steps.classify_children(engine, rules)
    assert classified(engine) == (16, 32)  # H8 deleted; two rule sets

    newer = dataclasses.replace(units, code_list_version="vn-2025-07-r2")
    steps.clean_households(engine, Context(Pseudonymizer("k" * 32), newer, choices))  # every household again
    assert classified(engine)[1] < 32  # the re-inserted households lost their classifications…
    steps.classify_children(engine, rules)
    assert classified(engine) == (16, 32)  # …and got them back
    engine.dispose()
