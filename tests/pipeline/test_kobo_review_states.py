"""A KoboToolbox validation status reaches the clean tables at the next reconciliation (review_states.toml), through
the Dagster assets, on the Kobo fake (checked against kpi's recorded answers) and both backends.

The household fixture (tests/pipeline/household_fixture.py): seven households, 16 children. H5 (six children) marked
Not Approved: out at the next reconciliation, not before; approved again: back. H1 On Hold: counted, flagged.
"""

import dagster as dg
from sqlalchemy import func, select

from dagster_project.defs.household_survey import assets
from dagster_project.resources import WarehouseResource
from dagster_project.sources import KoboToolboxSource
from tests.conftest import TEST_PSEUDONYM_KEY
from tests.connectors.fake_kobotoolbox import DEFAULT_TOKEN, FakeKoboToolbox
from tests.connectors.household_routes import form_values
from tests.pipeline.household_fixture import fixture_rows
from tests.pipeline.test_household_pipeline import FORM
from warehouse.clean.pseudonym import Pseudonymizer
from warehouse.schema.db import make_engine
from warehouse.schema.models import Child, Household, Quarantine

LIVE = [row for row in fixture_rows() if not row["__system"]["deletedAt"]]
H1, H5 = LIVE[0], LIVE[4]


def household_id(row: dict) -> str:
    return Pseudonymizer(TEST_PSEUDONYM_KEY).id("household", "household_survey", row["__id"])


def test_a_not_approved_household_leaves_at_the_next_reconciliation_and_comes_back_approved(warehouse_url):
    def run(**settings) -> str:
        result = dg.materialize([assets.raw_household_survey, assets.household_tables], resources={
            "warehouse": WarehouseResource(url=warehouse_url, pseudonym_key=TEST_PSEUDONYM_KEY),
            "household_survey_source": KoboToolboxSource(base_url=kobo.url, token=DEFAULT_TOKEN, asset_uid=asset,
                                                         max_tries=2, backoff_factor=0.01, read_timeout=5,
                                                         **settings)})
        assert result.success
        [raw] = result.asset_materializations_for_node("raw_household_survey")
        return raw.metadata["review_states"].value

    def seen() -> dict:
        engine = make_engine(warehouse_url)
        with engine.connect() as conn:
            households = dict(conn.execute(select(Household.household_id, Household.review_state)).all())
            children = conn.execute(select(func.count()).select_from(Child)).scalar_one()
            excluded = conn.execute(select(Quarantine.instance_id, Quarantine.field, Quarantine.value)
                                    .where(Quarantine.reason_code == "REVIEW_EXCLUDED")).all()
        engine.dispose()
        return {"households": len(households), "children": children, "excluded": excluded,
                "H1": households.get(household_id(H1)), "H5": households.get(household_id(H5), "absent")}

    with FakeKoboToolbox() as kobo:
        asset = kobo.create_asset(FORM.read_bytes())
        ids = {row["__id"]: kobo.add_submission(asset, form_values(row), instance_id=row["__id"]) for row in LIVE}
        run()
        run()  # the first reconciliation (a first run has nothing stored to compare)
        assert seen() == {"households": 7, "children": 16, "excluded": [], "H1": None, "H5": None}

        kobo.set_validation_status(asset, ids[H5["__id"]], "validation_status_not_approved")
        kobo.set_validation_status(asset, ids[H1["__id"]], "validation_status_on_hold")
        run()  # a reconciliation is not due yet: the statuses are not read
        assert seen() == {"households": 7, "children": 16, "excluded": [], "H1": None, "H5": None}
        summary = run(force_reconcile=True)
        assert seen() == {"households": 6, "children": 10, "H1": "hasIssues", "H5": "absent",
                          "excluded": [(H5["__id"], "review_state", "validation_status_not_approved")]}
        assert "| kobotoolbox | validation_status_not_approved | excluded | 1 |" in summary
        assert "| kobotoolbox | validation_status_on_hold | flagged | 1 |" in summary

        kobo.set_validation_status(asset, ids[H5["__id"]], "validation_status_approved")
        run(force_reconcile=True)
        assert seen() == {"households": 7, "children": 16, "excluded": [], "H1": "hasIssues", "H5": "approved"}
