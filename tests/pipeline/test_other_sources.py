"""The same household-survey assets fed from KoboToolbox and from export files, through the Dagster raw asset."""

import dagster as dg
from sqlalchemy import func, select

from connectors.xlsform import read_xlsform
from dagster_project.defs.household_survey import assets
from dagster_project.resources import WarehouseResource
from dagster_project.sources import FileImportSource, KoboToolboxSource
from tests.conftest import TEST_PSEUDONYM_KEY
from tests.connectors.export_fixtures import CentralSubmission, odk_csv_zip
from tests.connectors.fake_kobotoolbox import DEFAULT_TOKEN, FakeKoboToolbox
from tests.connectors.household_routes import form_values
from tests.pipeline.household_fixture import edit_h9, fixture_rows
from tests.pipeline.test_household_pipeline import FORM
from warehouse.schema.db import make_engine
from warehouse.schema.models import Child, Household, RawSubmission

ASSETS = [assets.raw_household_survey, assets.household_tables]
LIVE = [row for row in fixture_rows() if not row["__system"]["deletedAt"]]  # 8 submissions, 16 + 1 children


def run(url: str, source) -> dict:
    result = dg.materialize(ASSETS, resources={
        "warehouse": WarehouseResource(url=url, pseudonym_key=TEST_PSEUDONYM_KEY), "household_survey_source": source})
    assert result.success
    return {k: v.value for k, v in result.asset_materializations_for_node("raw_household_survey")[0].metadata.items()
            if k.startswith("sync/")}


def counts(url: str) -> tuple[int, int, int]:
    engine = make_engine(url)
    with engine.connect() as conn:
        result = tuple(conn.execute(select(func.count()).select_from(m)).scalar_one()
                       for m in (RawSubmission, Household, Child))
        live = conn.execute(select(func.count()).select_from(RawSubmission)
                            .where(RawSubmission.deleted_at.is_(None))).scalar_one()
    engine.dispose()
    return (*result, live)


def test_kobotoolbox_new_edited_and_deleted_between_syncs(warehouse_url):
    with FakeKoboToolbox() as kobo:
        asset = kobo.create_asset(FORM.read_bytes())
        kobo_ids = {row["__id"]: kobo.add_submission(asset, form_values(row), instance_id=row["__id"]) for row in LIVE}
        source = KoboToolboxSource(base_url=kobo.url, token=DEFAULT_TOKEN, asset_uid=asset, max_tries=2,
                                   backoff_factor=0.01, read_timeout=5)
        first = run(warehouse_url, source)
        assert (first["sync/inserted"], counts(warehouse_url)) == (8, (8, 7, 16, 8))  # H7 quarantined

        h9 = LIVE[-1]
        edited = edit_h9(h9)
        kobo.edit_submission(asset, kobo_ids[h9["__id"]], form_values(edited), new_instance_id=edited["meta"]["instanceID"])
        kobo.delete_submission(asset, kobo_ids[LIVE[0]["__id"]])  # H1 and its two children
        second = run(warehouse_url, source)
        assert (second["sync/updated"], second["sync/deleted"], second["sync/inserted"]) == (2, 1, 0)
        assert counts(warehouse_url) == (8, 6, 14, 7)
        engine = make_engine(warehouse_url)
        with engine.connect() as conn:
            hours = conn.execute(select(Child.hours_week)
                                 .join(Household, Household.household_id == Child.household_id)
                                 .where(Household.commune_code == "05977", Child.working)).scalars().all()
        engine.dispose()
        assert 30.0 in hours and 50.0 not in hours  # the edit reached the clean tables
        third = run(warehouse_url, source)
        assert (third["sync/updated"], third["sync/inserted"], third["sync/deleted"]) == (0, 0, 0)


def test_export_files_dropped_into_the_imports_folder(warehouse_url, tmp_path):
    schema = read_xlsform(FORM).schema
    folder = tmp_path / "imports" / "household_survey"
    folder.mkdir(parents=True)
    (folder / "household_survey.csv.zip").write_bytes(
        odk_csv_zip(schema, [CentralSubmission(r["__id"], form_values(r), form_version=schema.version) for r in LIVE]))
    source = FileImportSource(folder=str(tmp_path / "imports"))
    assert run(warehouse_url, source)["sync/inserted"] == 8
    assert counts(warehouse_url) == (8, 7, 16, 8)
    assert run(warehouse_url, source)["sync/received"] == 0  # the same file is not read twice

    (folder / "broken.zip").write_bytes(b"not a zip")
    assert run(warehouse_url, source)["sync/received"] == 0  # refused whole, in the cursor (tests/faults)
    assert counts(warehouse_url) == (8, 7, 16, 8)  # nothing half-loaded
