"""A submission edited on KoboToolbox is one submission whether the Kobo sync or a KoboToolbox XLSX export brings it,
through the Dagster raw asset, on SQLite and PostgreSQL.

KPI does not export ``meta/rootUuid``: an XLSX export names an edited submission by its current version's id. The
file source is given the ids the warehouse stored (current → root instance id, ``known_ids``) to name it by its
root, as the Kobo sync does."""

import dagster as dg
from sqlalchemy import func, select

from dagster_project.defs.household_survey import assets
from dagster_project.resources import WarehouseResource
from dagster_project.sources import FileImportSource, KoboToolboxSource
from tests.conftest import TEST_PSEUDONYM_KEY
from tests.connectors.export_fixtures import kobo_xlsx
from tests.connectors.fake_kobotoolbox import DEFAULT_TOKEN, FakeKoboToolbox
from tests.connectors.household_routes import form_values
from tests.pipeline.household_fixture import edit_h9, fixture_rows
from tests.pipeline.test_household_pipeline import FORM
from warehouse.schema.db import make_engine
from warehouse.schema.models import Child, Household, RawSubmission

H9 = [row for row in fixture_rows() if not row["__system"]["deletedAt"]][-1]


def run(url: str, source) -> dict:
    result = dg.materialize([assets.raw_household_survey, assets.household_tables], resources={
        "warehouse": WarehouseResource(url=url, pseudonym_key=TEST_PSEUDONYM_KEY), "household_survey_source": source})
    assert result.success
    return {k: v.value for k, v in result.asset_materializations_for_node("raw_household_survey")[0].metadata.items()
            if k.startswith("sync/")}


def test_an_edited_kobo_submission_from_the_sync_and_from_an_xlsx_export_is_one_household(warehouse_url, tmp_path):
    folder = tmp_path / "imports" / "household_survey"
    folder.mkdir(parents=True)
    with FakeKoboToolbox() as kobo:
        asset = kobo.create_asset(FORM.read_bytes())
        kobo_id = kobo.add_submission(asset, form_values(H9), instance_id=H9["__id"])
        source = KoboToolboxSource(base_url=kobo.url, token=DEFAULT_TOKEN, asset_uid=asset, max_tries=2,
                                   backoff_factor=0.01, read_timeout=5, reconcile_every_hours=0)
        run(warehouse_url, source)
        edited = edit_h9(H9)
        kobo.edit_submission(asset, kobo_id, form_values(edited), new_instance_id=edited["meta"]["instanceID"])
        assert run(warehouse_url, source)["sync/updated"] == 1
        (folder / "household_survey.xlsx").write_bytes(kobo_xlsx(kobo.asset(asset).content, kobo.documents(asset)))

    imported = run(warehouse_url, FileImportSource(folder=str(tmp_path / "imports")))
    engine = make_engine(warehouse_url)
    with engine.connect() as conn:
        raw = conn.execute(select(RawSubmission.instance_id, RawSubmission.current_instance_id)).all()
        households = conn.execute(select(func.count()).select_from(Household)).scalar_one()
        hours = conn.execute(select(Child.hours_week)).scalars().all()
    engine.dispose()
    assert imported["sync/received"] == 1
    assert raw == [(H9["__id"], edited["meta"]["instanceID"])] and households == 1
    assert hours == [30.0]  # the edit, whichever route's copy was kept
