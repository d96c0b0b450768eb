"""Incremental KoboToolbox sync against the fake: paging, new rows by `_id`, edits, reviews, deletions, moves."""

from __future__ import annotations

import gc
import json

import pytest

from connectors.collector import THRESHOLD
from connectors.errors import PROTOCOL, SourceError
from connectors.form_schema import FormSchema
from connectors.kobotoolbox import KoboClient, KoboSync, sync_submissions
from connectors.sync import StoredIdentity
from tests.connectors.fake_kobotoolbox import FakeKoboToolbox
from tests.connectors.kobo_fixtures import (  # noqa: F401 - fixtures
    MemoryStore,
    asset,
    client,
    data_queries,
    household,
    household_schema,
    kobo,
)


def run(client: KoboClient, asset: str, cursor: dict | None, store: MemoryStore | None = None,
        **options) -> tuple[list, dict, KoboSync]:
    sync = sync_submissions(client, asset, cursor, store=store, **options)
    records = list(sync)
    if store is not None:
        store.save(records)
    return records, sync.cursor, sync


def test_everything_is_read_in_id_order_across_capped_pages(kobo: FakeKoboToolbox, client: KoboClient,
                                                           asset: str) -> None:
    kobo.max_limit = 3
    ids = [kobo.add_submission(asset, household(n)) for n in range(7)]
    records, cursor, sync = run(client, asset, None, page_size=5000)
    assert [r.received["_id"] for r in records] == ids
    assert cursor == {"version": 1, "asset_uid": asset, "max_id": ids[-1], "recent_ids": ids, "recent_after": None,
                      "reconciled_at": None,
                      "reconciled": False}
    assert (sync.new_count, sync.changed_count, sync.deleted_count) == (7, 0, 0)
    queries = data_queries(kobo)
    assert len(queries) == 3 and all(q["limit"] == ["5000"] and q["sort"] == ['{"_id":1}'] for q in queries)
    assert [json.loads(q["query"][0]) if "query" in q else None for q in queries] == [
        None, {"_id": {"$gt": ids[2]}}, {"_id": {"$gt": ids[5]}}]


def test_records_are_normalized_with_kobo_identity(kobo: FakeKoboToolbox, client: KoboClient, asset: str) -> None:
    kobo_id = kobo.add_submission(asset, household(1, children=2, hours=2.5), instance_id="uuid:0000-aaaa")
    (record,), _, _ = run(client, asset, None)
    assert (record.source, record.project, record.form_id) == ("kobotoolbox", asset, "household_survey")
    assert (record.instance_id, record.current_instance_id) == ("uuid:0000-aaaa", "uuid:0000-aaaa")
    assert record.submitted_at == "2026-11-23T08:00:01.000Z" and record.updated_at is None
    assert record.form_version == kobo.asset(asset).deployed_version_id
    assert record.received == kobo.documents(asset)[0] and record.received["_id"] == kobo_id
    payload = record.payload
    assert payload["__id"] == "uuid:0000-aaaa" and payload["meta"] == {"instanceID": "uuid:0000-aaaa",
                                                                        "instanceName": None}
    assert payload["household"]["hh_size"] == 4 and payload["household"]["respondent_phone"] is None
    assert payload["location"]["gps"] == {"type": "Point", "coordinates": [105.8542, 21.0285, 10],
                                          "properties": {"accuracy": 5}}
    assert [c["work"]["hours_week"] for c in payload["child"]] == [12.5, 12.5]
    assert payload["child"][0]["work"]["work_kind"] == "crop_farming grazing"
    assert payload["child"][0]["age"] == "12"  # a calculate is text, as in ODK Central's feed


def test_a_second_run_reads_only_new_submissions(kobo: FakeKoboToolbox, client: KoboClient, asset: str) -> None:
    first = kobo.add_submission(asset, household(1))
    _, cursor, _ = run(client, asset, None)
    assert run(client, asset, cursor)[0] == []
    new = kobo.add_submission(asset, household(2))
    records, cursor, _ = run(client, asset, cursor)
    assert [r.received["_id"] for r in records] == [new] and cursor["max_id"] == new
    assert "query" not in data_queries(kobo)[-1]  # fewer than 100 seen: every one of them is read again


def test_edits_reviews_and_deletions_come_through_reconciliation(kobo: FakeKoboToolbox, client: KoboClient,
                                                                 asset: str) -> None:
    store = MemoryStore()
    edited, reviewed, deleted, untouched = (kobo.add_submission(asset, household(n)) for n in range(4))
    _, cursor, _ = run(client, asset, None, store)
    original = store.rows[kobo.documents(asset)[0]["meta/instanceID"]]
    deleted_payload = next(r for r in store.rows.values() if r.received["_id"] == deleted).payload
    new_version = kobo.edit_submission(asset, edited, household(0, hours=9))
    kobo.set_validation_status(asset, reviewed, "validation_status_approved")
    kobo.delete_submission(asset, deleted)
    later = kobo.add_submission(asset, household(9))
    sync = KoboSync(client, asset, cursor, store=store, now=lambda: "2026-11-24T01:02:03.004Z")
    records = store.save(sync)
    assert (sync.changed_count, sync.new_count, sync.deleted_count) == (2, 1, 1)
    assert [r.received["_id"] for r in records[:3]] == [edited, reviewed, later]
    edit = records[0]
    assert (edit.instance_id, edit.current_instance_id) == (original.instance_id, new_version)
    assert edit.review_state == "edited" and edit.payload["__system"]["edits"] is None
    assert edit.payload["child"][0]["work"]["hours_day"] == 9 and edit.payload["meta"]["instanceID"] == new_version
    assert records[1].review_state == "approved" and records[1].payload["__system"]["reviewState"] == "approved"
    gone = records[3]
    assert gone.deleted_at == "2026-11-24T01:02:03.004Z" and gone.payload["__system"]["deletedAt"] == gone.deleted_at
    assert {k: v for k, v in gone.payload.items() if k != "__system"} == {
        k: v for k, v in deleted_payload.items() if k != "__system"}, "the warehouse keeps the last answers"
    assert sync.cursor["max_id"] == later
    assert untouched not in [r.received["_id"] for r in records]
    identity_queries = [q for q in data_queries(kobo) if "fields" in q]
    assert json.loads(identity_queries[-1]["fields"][0]) == [
        "_id", "_uuid", "meta/instanceID", "meta/rootUuid", "meta/deprecatedID", "_validation_status"]
    quiet = KoboSync(client, asset, sync.cursor, store=store)
    assert store.save(quiet) == [] and quiet.deleted_count == 0


def test_reconciliation_pages_both_sides(kobo: FakeKoboToolbox, client: KoboClient, asset: str) -> None:
    store = MemoryStore()
    ids = [kobo.add_submission(asset, household(n)) for n in range(7)]
    _, cursor, _ = run(client, asset, None, store, page_size=2)
    kobo.requests.clear()
    kobo.edit_submission(asset, ids[5], household(5, hours=1))
    records, _, _ = run(client, asset, cursor, store, page_size=2)
    assert [r.received["_id"] for r in records] == [ids[5]]
    queries = data_queries(kobo)
    assert sum(1 for q in queries if "fields" in q) == 4  # 7 identities, 2 a page
    assert [json.loads(q["query"][0]) for q in queries if "$in" in q.get("query", [""])[0]] == [
        {"_id": {"$in": [ids[5]]}}]


def test_reconciliation_streams_both_sides_in_step(kobo: FakeKoboToolbox, client: KoboClient, asset: str) -> None:
    """Memory stays flat at any size: the stored identities are read as the server's pages arrive."""
    ids = [kobo.add_submission(asset, household(n)) for n in range(8)]
    store = MemoryStore()
    _, cursor, _ = run(client, asset, None, store)
    seen: list[tuple[int, int]] = []

    class Watched(MemoryStore):
        def identities(self):
            for number, identity in enumerate(store.identities(), start=1):
                seen.append((number, sum(1 for q in data_queries(kobo) if "fields" in q)))
                yield identity

    watched = Watched()
    watched.rows = store.rows
    assert run(client, asset, cursor, watched, page_size=2)[0] == []
    assert [n for n, _ in seen] == list(range(1, len(ids) + 1))
    assert all((number - 1) // 2 <= pages <= number // 2 + 2 for number, pages in seen), seen  # + 1 read ahead


def test_a_submission_whose_id_changed_is_not_deleted(kobo: FakeKoboToolbox, client: KoboClient, asset: str) -> None:
    store = MemoryStore()
    ids = [kobo.add_submission(asset, household(n)) for n in range(3)]
    _, cursor, _ = run(client, asset, None, store)
    kobo.move_submissions(asset, -50)  # moved to a server where they got lower ids
    records, cursor, sync = run(client, asset, cursor, store)
    assert sync.deleted_count == 0 and sync.changed_count == 3
    assert sorted(r.received["_id"] for r in records) == [i - 50 for i in ids]
    assert len(store.rows) == 3 and all(r.deleted_at is None for r in store.rows.values())


def test_without_a_cursor_a_store_still_sees_deletions(kobo: FakeKoboToolbox, client: KoboClient, asset: str) -> None:
    store = MemoryStore()
    first = kobo.add_submission(asset, household(1))
    kobo.add_submission(asset, household(2))
    run(client, asset, None, store)
    kobo.delete_submission(asset, first)
    records, _, sync = run(client, asset, None, store)
    assert (sync.new_count, sync.deleted_count) == (1, 1)
    assert records[-1].deleted_at is not None and records[-1].received["_id"] == first


def test_without_a_store_edits_and_deletions_are_not_seen(kobo: FakeKoboToolbox, client: KoboClient,
                                                         asset: str) -> None:
    kobo_id = kobo.add_submission(asset, household(1))
    _, cursor, _ = run(client, asset, None)
    kobo.edit_submission(asset, kobo_id, household(1, hours=8))
    assert run(client, asset, cursor)[0] == []


def test_a_legacy_submission_falls_back_to_uuid(kobo: FakeKoboToolbox, client: KoboClient, asset: str) -> None:
    kobo.add_submission(asset, household(1), instance_id="uuid:1111-legacy", legacy=True)
    (record,), _, _ = run(client, asset, None)
    assert "meta/rootUuid" not in record.received
    assert record.instance_id == record.current_instance_id == "uuid:1111-legacy"


def test_the_cursor_exists_only_after_a_complete_run(kobo: FakeKoboToolbox, client: KoboClient, asset: str) -> None:
    kobo.add_submission(asset, household(1))
    kobo.add_submission(asset, household(2))
    sync = sync_submissions(client, asset)
    records = iter(sync)
    next(records)
    with pytest.raises(RuntimeError, match="only after every record"):
        _ = sync.cursor
    list(records)
    assert sync.cursor["max_id"] == 102
    with pytest.raises(RuntimeError, match="only once"):
        iter(sync)
    with pytest.raises(ValueError, match="belongs to asset 'aOther'"):
        sync_submissions(client, asset, {"version": 1, "asset_uid": "aOther", "max_id": 3})
    with pytest.raises(ValueError, match="unknown Kobo sync cursor version"):
        sync_submissions(client, asset, {"version": 9, "asset_uid": asset})


def test_stored_identities_must_be_in_id_order(kobo: FakeKoboToolbox, client: KoboClient, asset: str) -> None:
    class Unsorted(MemoryStore):
        def identities(self) -> list[StoredIdentity]:
            return [StoredIdentity(5, "uuid:a", "uuid:a", None), StoredIdentity(3, "uuid:b", "uuid:b", None)]

    with pytest.raises(ValueError, match="ascending source_row_id: 3 after 5"):
        list(sync_submissions(client, asset, {"version": 1, "asset_uid": asset, "max_id": 9}, store=Unsorted()))


def test_a_document_that_cannot_be_read_is_a_protocol_error(kobo: FakeKoboToolbox, client: KoboClient, asset: str,
                                                            household_schema: FormSchema) -> None:
    kobo_id = kobo.add_submission(asset, household(1))
    kobo.asset(asset).documents[kobo_id]["child"] = "not a list"
    with pytest.raises(SourceError) as caught:
        list(sync_submissions(client, asset, schema=household_schema))
    assert caught.value.kind == PROTOCOL
    assert str(caught.value).endswith(f"submission {kobo_id} of asset `{asset}` cannot be read:"
                                      " repeat `child` is not a list of entries")


def test_the_collector_runs_rarely_during_a_sync_and_as_before_after(kobo: FakeKoboToolbox, client: KoboClient,
                                                                     asset: str) -> None:
    for n in range(3):
        kobo.add_submission(asset, household(n))
    before = gc.get_threshold()
    sync = sync_submissions(client, asset, None)
    during = [gc.get_threshold()[0] for _ in sync]
    assert len(during) == 3 and min(during) >= max(THRESHOLD, before[0])
    assert gc.get_threshold() == before
