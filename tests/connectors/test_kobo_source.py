"""The KoboToolbox source of the Dagster raw asset: reconciliation when due or forced, and said in the metadata."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from dagster_project.defs.household_survey import assets
from dagster_project.resources import WarehouseResource
from dagster_project.sources import KoboToolboxSource
from tests.conftest import TEST_PSEUDONYM_KEY
from tests.connectors.fake_kobotoolbox import DEFAULT_TOKEN, FakeKoboToolbox
from tests.connectors.kobo_fixtures import HOUSEHOLD_XLSX, data_requests, household


def materialize(url: str, source: KoboToolboxSource) -> dict:
    result = dg.materialize([assets.raw_household_survey], resources={
        "warehouse": WarehouseResource(url=url, pseudonym_key=TEST_PSEUDONYM_KEY), "household_survey_source": source})
    assert result.success
    return {k: v.value for k, v in result.asset_materializations_for_node("raw_household_survey")[0].metadata.items()}


def test_the_source_reconciles_when_due_or_forced(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    with FakeKoboToolbox() as kobo:
        asset = kobo.create_asset(HOUSEHOLD_XLSX.read_bytes())
        ids = [kobo.add_submission(asset, household(n)) for n in range(3)]
        settings = {"base_url": kobo.url, "token": DEFAULT_TOKEN, "asset_uid": asset, "max_tries": 2,
                    "backoff_factor": 0.01, "read_timeout": 5}
        source = KoboToolboxSource(**settings)
        first = materialize(url, source)
        assert first["sync/inserted"] == 3 and first["cursor"]["reconciled"] is False  # nothing stored to compare
        assert first["source/reconcile_every_hours"] == "24"
        second = materialize(url, source)
        assert second["cursor"]["reconciled"] is True and second["cursor"]["reconciled_at"]

        kobo.edit_submission(asset, ids[0], household(0, hours=8))
        kobo.delete_submission(asset, ids[1])
        kobo.requests.clear()
        quiet = materialize(url, source)  # within 24 hours of the last reconciliation: new rows only
        assert quiet["cursor"]["reconciled"] is False
        assert quiet["cursor"]["reconciled_at"] == second["cursor"]["reconciled_at"]
        assert (quiet["sync/updated"], quiet["sync/deleted"]) == (0, 0)
        assert data_requests(kobo) == 1

        forced = materialize(url, KoboToolboxSource(**settings, force_reconcile=True))
        assert forced["cursor"]["reconciled"] is True and forced["source/force_reconcile"] == "true"
        assert (forced["sync/updated"], forced["sync/deleted"]) == (2, 1)  # the edit, and the deletion (an update)

        every_run = KoboToolboxSource(**settings, reconcile_every_hours=0)
        assert materialize(url, every_run)["cursor"]["reconciled"] is True


def test_a_submission_visible_late_is_stored_at_the_next_run(tmp_path: Path) -> None:
    """KoboToolbox numbers a submission before it is visible: the last ones seen are read again on every run."""
    url = f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    with FakeKoboToolbox() as kobo:
        asset = kobo.create_asset(HOUSEHOLD_XLSX.read_bytes())
        settings = {"base_url": kobo.url, "token": DEFAULT_TOKEN, "asset_uid": asset, "max_tries": 2,
                    "backoff_factor": 0.01, "read_timeout": 5, "reconcile_every_hours": 1000}
        kobo.add_submission(asset, household(0))
        materialize(url, KoboToolboxSource(**settings))
        materialize(url, KoboToolboxSource(**settings))  # reconciled once: the next runs read new rows only
        for reread, found in ((100, 1), (0, 0)):
            source = KoboToolboxSource(**settings, reread_recent=reread)
            late = kobo.add_submission(asset, household(1), hidden=True)
            kobo.add_submission(asset, household(2))
            assert materialize(url, source)["sync/inserted"] == 1
            kobo.reveal(late)
            assert materialize(url, source)["sync/inserted"] == found
