"""The connector against what a real KoboToolbox answers (kpi 2e5efb0, shared/fixtures/kobotoolbox), where the
fakes of before were silent: legacy root ids, late-visible `_id`s, instanceIDs without `uuid:`, database timeouts,
and the 404, 405 and 500 answers of data and deployment."""

from __future__ import annotations

import json

import pytest

from connectors.errors import NOT_FOUND, REJECTED, UNAVAILABLE, SourceError
from connectors.form_schema import FormSchema
from connectors.kobotoolbox import KoboClient, record_from_document, sync_submissions
from tests.connectors.fake_faults import http_error
from tests.connectors.fake_kobotoolbox import FakeKoboToolbox
from tests.connectors.kobo_fixtures import (  # noqa: F401 - fixtures
    HOUSEHOLD_XLSX,
    MemoryStore,
    asset,
    client,
    data_queries,
    household,
    household_schema,
    kobo,
)
from tests.connectors.test_kobo_fake_fixtures import FIXTURES


def synced(client: KoboClient, asset: str, cursor: dict | None, store: MemoryStore, **options) -> tuple[list, dict]:
    sync = sync_submissions(client, asset, cursor, store=store, **options)
    return store.save(sync), sync.cursor


def live_rows(store: MemoryStore, kobo_id: int) -> list:
    return [r for r in store.rows.values() if r.received["_id"] == kobo_id and r.deleted_at is None]


def test_an_instance_id_without_the_uuid_prefix_is_not_an_edit(household_schema: FormSchema) -> None:
    """kpi prefixes meta/rootUuid with uuid: but keeps meta/instanceID as the device sent it."""
    document = json.loads((FIXTURES / "data_single_no_uuid_prefix.json").read_text())
    assert document["meta/instanceID"] == "bbca86c2-30e2-5711-a370-bcfede466254"
    record = record_from_document(document, household_schema, project="aMSiLfwJaMna6PAVFaErt8")
    assert record.instance_id == "uuid:bbca86c2-30e2-5711-a370-bcfede466254"
    assert record.review_state is None and record.payload["__system"]["edits"] == 0
    edited = json.loads((FIXTURES / "data_single_after_edit.json").read_text())
    assert record_from_document(edited, household_schema, project="a").review_state == "edited"


def test_an_edit_of_a_legacy_submission_keeps_its_identity(kobo: FakeKoboToolbox, client: KoboClient, asset: str,
                                                          household_schema: FormSchema) -> None:
    """kpi gives an edit of a submission whose root id it never stored a new meta/rootUuid under the same _id."""
    store = MemoryStore()
    legacy = kobo.add_submission(asset, household(1), instance_id="uuid:legacy-1", legacy=True)
    kobo.add_submission(asset, household(2))
    _, cursor = synced(client, asset, None, store, schema=household_schema)
    new_version = kobo.edit_submission(asset, legacy, household(1, hours=7))
    assert kobo.documents(asset)[0]["meta/rootUuid"] == new_version  # what kpi does
    records, cursor = synced(client, asset, cursor, store, schema=household_schema, reconcile=True)
    assert [(r.instance_id, r.current_instance_id, r.review_state) for r in records] == [
        ("uuid:legacy-1", new_version, "edited")]
    assert [r.instance_id for r in live_rows(store, legacy)] == ["uuid:legacy-1"], "one live row"
    kobo.set_validation_status(asset, legacy, "validation_status_approved")
    records, _ = synced(client, asset, cursor, store, schema=household_schema, reconcile=True)
    assert [(r.instance_id, r.review_state) for r in records] == [("uuid:legacy-1", "approved")]


def test_two_live_rows_under_one_id_stored_before_do_not_stop_reconciliation(
        kobo: FakeKoboToolbox, client: KoboClient, asset: str, household_schema: FormSchema) -> None:
    """A warehouse that stored a legacy edit as a second row: the row the server still names stays, the other is
    deleted, and the next reconciliation runs."""
    store = MemoryStore()
    legacy = kobo.add_submission(asset, household(1), instance_id="uuid:legacy-1", legacy=True)
    _, cursor = synced(client, asset, None, store, schema=household_schema)
    new_version = kobo.edit_submission(asset, legacy, household(1, hours=7))
    old = store.rows["uuid:legacy-1"]
    store.rows[new_version] = record_from_document(kobo.documents(asset)[0], household_schema, project=asset)
    assert [i.source_row_id for i in store.identities()] == [legacy, legacy]
    records, cursor = synced(client, asset, cursor, store, schema=household_schema, reconcile=True)
    assert [(r.instance_id, r.deleted_at is not None) for r in records] == [(old.instance_id, True)]
    assert [r.instance_id for r in live_rows(store, legacy)] == [new_version]
    assert synced(client, asset, cursor, store, schema=household_schema, reconcile=True)[0] == []


def test_a_submission_visible_after_a_higher_id_is_read_at_the_next_run(
        kobo: FakeKoboToolbox, client: KoboClient, asset: str, household_schema: FormSchema) -> None:
    """kpi takes the _id before the submission is visible: a lower _id can appear after a run moved past it."""
    def run(cursor: dict | None) -> tuple[list[int], dict]:
        sync = sync_submissions(client, asset, cursor, schema=household_schema)  # no store: new submissions only
        return [r.received["_id"] for r in sync], sync.cursor

    first = kobo.add_submission(asset, household(0))
    late = kobo.add_submission(asset, household(1), hidden=True)
    early = kobo.add_submission(asset, household(2))
    ids, cursor = run(None)
    assert ids == [first, early] and cursor["max_id"] == early
    kobo.reveal(late)
    ids, cursor = run(cursor)
    assert ids == [late] and cursor["max_id"] == early and cursor["recent_ids"] == [first, late, early]
    assert run(cursor)[0] == [], "seen once, not again"


def test_the_margin_of_recent_ids_is_a_setting(kobo: FakeKoboToolbox, client: KoboClient, asset: str,
                                               household_schema: FormSchema) -> None:
    ids = [kobo.add_submission(asset, household(n)) for n in range(5)]
    _, cursor = synced(client, asset, None, MemoryStore(), schema=household_schema, recent=2)
    assert (cursor["recent_ids"], cursor["recent_after"]) == (ids[-2:], ids[-3])
    for recent, after in ((2, ids[-3]), (0, ids[-1])):
        kobo.requests.clear()
        _, cursor = synced(client, asset, cursor, MemoryStore(), schema=household_schema, recent=recent)
        assert json.loads(data_queries(kobo)[0]["query"][0]) == {"_id": {"$gt": after}}
    assert (cursor["recent_ids"], cursor["recent_after"], cursor["max_id"]) == ([], ids[-1], ids[-1])


def test_a_database_timeout_is_retried(kobo: FakeKoboToolbox, client: KoboClient, asset: str,
                                       household_schema: FormSchema) -> None:
    """kpi answers a MongoDB timeout with HTTP 400 and the bare JSON list ["Unsupported query"]."""
    ids = [kobo.add_submission(asset, household(n)) for n in range(3)]
    kobo.query_timeouts = 2
    records, _ = synced(client, asset, None, MemoryStore(), schema=household_schema)
    assert [r.received["_id"] for r in records] == ids
    assert [status for _, target, status in kobo.requests if "/data/" in target] == [400, 400, 200]


def test_a_database_that_keeps_timing_out_is_said_in_plain_words(kobo: FakeKoboToolbox, client: KoboClient,
                                                                 asset: str) -> None:
    kobo.query_timeouts = 100
    with pytest.raises(SourceError) as caught:
        list(client.submissions.documents(asset))
    assert caught.value.kind == UNAVAILABLE and caught.value.status == 400
    assert str(caught.value) == (f"{client.label}: the server's database did not answer in time after 5 tries"
                                 " (HTTP 400 “Unsupported query”): try again later, or ask the server's"
                                 " administrator")


def test_an_unknown_asset_is_named_as_such(kobo: FakeKoboToolbox, client: KoboClient) -> None:
    """kpi answers an unknown asset's data with its HTML 404 page."""
    with pytest.raises(SourceError) as caught:
        list(client.submissions.documents("aNoSuchAsset0000000000"))
    assert caught.value.kind == NOT_FOUND and caught.value.response.headers["Content-Type"].startswith("text/html")
    assert str(caught.value) == (f"{client.label}: asset `aNoSuchAsset0000000000` not found: no such asset on this"
                                 " server")


def stale_first_read(client: KoboClient, **stale: object) -> None:
    """The asset's first read by the next redeploy is as it was before someone else changed it."""
    read = client.assets.get
    calls = []

    def get(uid: str) -> dict:
        asset = read(uid)
        calls.append(uid)
        return {**asset, **stale} if len(calls) == 1 else asset

    client.assets.get = get  # type: ignore[method-assign]


def test_a_deployment_made_meanwhile_is_redeployed(kobo: FakeKoboToolbox, client: KoboClient) -> None:
    """POST on a deployed asset answers 405: the asset is redeployed with PATCH instead."""
    uid = kobo.create_asset(HOUSEHOLD_XLSX.read_bytes())
    stale_first_read(client, has_deployment=False)
    deployed = client.assets.redeploy(uid)
    assert deployed["deployed_version_id"] == deployed["version_id"]
    assert [(m, s) for m, t, s in kobo.requests if t.endswith("/deployment/")] == [("POST", 405), ("PATCH", 200)]


def test_a_version_changed_meanwhile_is_redeployed(kobo: FakeKoboToolbox, client: KoboClient) -> None:
    """PATCH with a version_id that is no longer the asset's answers 500: read it again and redeploy once."""
    uid = kobo.create_asset(HOUSEHOLD_XLSX.read_bytes())
    stale_first_read(client, version_id="vAnOlderVersion0000000")
    deployed = client.assets.redeploy(uid)
    assert deployed["deployed_version_id"] == kobo.asset(uid).version_id
    assert [s for m, t, s in kobo.requests if t.endswith("/deployment/")][-1] == 200


def test_a_redeployment_kobo_keeps_refusing_is_not_called_a_server_down(kobo: FakeKoboToolbox,
                                                                        client: KoboClient) -> None:
    uid = kobo.create_asset(HOUSEHOLD_XLSX.read_bytes())
    kobo.faults.add(http_error(500), path="/deployment/$", method="PATCH", times=None)
    with pytest.raises(SourceError) as caught:
        client.assets.redeploy(uid)
    assert caught.value.kind == REJECTED and "server down" not in str(caught.value)
    assert str(caught.value) == (f"{client.label}: the redeployment of asset `{uid}` was refused (HTTP 500):"
                                 " KoboToolbox answers so when the version to deploy is not the asset's current one")


def test_a_form_with_a_node_name_used_twice_is_refused_in_kpis_words(client: KoboClient) -> None:
    """kpi refuses a name used twice anywhere in the form, and says so when the import is polled."""
    with pytest.raises(SourceError) as caught:
        client.assets.deploy(FIXTURES / "workplace_inspection.xlsx", poll_interval=0)
    assert caught.value.kind == REJECTED
    assert str(caught.value) == (f"{client.label}: the form workplace_inspection.xlsx was refused:"
                                 " Duplicate node name: sector")
