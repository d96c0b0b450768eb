"""When a KoboToolbox sync reconciles: every run reads new rows by `_id`; the comparison of every stored submission
with the server (edits, reviews, deletions) runs only when due (`reconcile_every` after the cursor's last one) or
forced, so a run in between costs what is new."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from connectors.form_schema import FormSchema
from connectors.kobotoolbox import KoboClient, KoboSync
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

T0 = "2026-11-23T06:00:00.000Z"


def clock(text: str):
    return lambda: text


def sync(client: KoboClient, asset: str, cursor: dict | None, store: MemoryStore, schema: FormSchema, now: str,
         **options) -> tuple[list, KoboSync]:
    run = KoboSync(client, asset, cursor, store=store, schema=schema, now=clock(now), **options)
    return store.save(run), run


@pytest.fixture
def synced(kobo: FakeKoboToolbox, client: KoboClient, asset: str, household_schema: FormSchema):
    """Five submissions stored, then reconciled at T0: (store, cursor, their _ids)."""
    store = MemoryStore()
    ids = [kobo.add_submission(asset, household(n)) for n in range(5)]
    _, first = sync(client, asset, None, store, household_schema, "2026-11-23T05:00:00.000Z")
    assert first.reconciled is False and first.cursor["reconciled_at"] is None  # an empty store: nothing compared
    records, second = sync(client, asset, first.cursor, store, household_schema, T0)
    assert records == [] and second.reconciled is True
    assert second.cursor == {"version": 1, "asset_uid": asset, "max_id": ids[-1], "recent_ids": ids,
                             "recent_after": None, "reconciled_at": T0, "reconciled": True}
    kobo.requests.clear()
    return store, second.cursor, ids


def test_a_run_before_reconciliation_is_due_reads_only_new_rows(kobo: FakeKoboToolbox, client: KoboClient,
                                                               asset: str, household_schema: FormSchema,
                                                               synced) -> None:
    store, cursor, ids = synced
    kobo.edit_submission(asset, ids[1], household(1, hours=9))
    kobo.delete_submission(asset, ids[2])
    new = [kobo.add_submission(asset, household(n)) for n in (10, 11)]
    records, run = sync(client, asset, cursor, store, household_schema, "2026-11-24T05:59:59.999Z")
    assert [r.received["_id"] for r in records] == new
    assert (run.new_count, run.changed_count, run.deleted_count, run.reconciled) == (2, 0, 0, False)
    queries = data_queries(kobo)
    assert len(kobo.requests) == len(queries) == 1, "one request, for the new rows and the last ones seen"
    assert "query" not in queries[0] and "fields" not in queries[0]  # fewer than 100 seen: all read again
    stored_edit = next(r for r in store.rows.values() if r.received["_id"] == ids[1])
    assert stored_edit.review_state is None, "the edit is not seen before reconciliation is due"
    assert all(r.deleted_at is None for r in store.rows.values()), "nor the deletion"
    assert run.cursor == {"version": 1, "asset_uid": asset, "max_id": new[-1], "recent_ids": [*ids[:2], *ids[3:], *new],
                          "recent_after": None, "reconciled_at": T0, "reconciled": False}


def test_a_due_run_finds_the_edit_and_the_deletion(kobo: FakeKoboToolbox, client: KoboClient, asset: str,
                                                   household_schema: FormSchema, synced) -> None:
    store, cursor, ids = synced
    new_version = kobo.edit_submission(asset, ids[1], household(1, hours=9))
    kobo.delete_submission(asset, ids[2])
    _, quiet = sync(client, asset, cursor, store, household_schema, "2026-11-23T18:00:00.000Z")
    assert quiet.reconciled is False and quiet.cursor["reconciled_at"] == T0
    due = "2026-11-24T06:00:00.000Z"  # 24 hours after T0
    records, run = sync(client, asset, quiet.cursor, store, household_schema, due)
    assert (run.changed_count, run.new_count, run.deleted_count, run.reconciled) == (1, 0, 1, True)
    edit, gone = records
    assert (edit.received["_id"], edit.current_instance_id, edit.review_state) == (ids[1], new_version, "edited")
    assert edit.payload["child"][0]["work"]["hours_day"] == 9
    assert gone.received["_id"] == ids[2] and gone.deleted_at == due
    assert run.cursor["reconciled_at"] == due and run.cursor["reconciled"] is True
    assert any("fields" in q for q in data_queries(kobo)), "the identities were compared"


def test_forcing_reconciles_at_once(kobo: FakeKoboToolbox, client: KoboClient, asset: str,
                                    household_schema: FormSchema, synced) -> None:
    store, cursor, ids = synced
    kobo.set_validation_status(asset, ids[3], "validation_status_approved")
    soon = "2026-11-23T06:05:00.000Z"
    assert sync(client, asset, cursor, store, household_schema, soon)[0] == []
    records, run = sync(client, asset, cursor, store, household_schema, soon, reconcile=True)
    assert run.reconciled is True and [(r.received["_id"], r.review_state) for r in records] == [(ids[3], "approved")]
    assert run.cursor["reconciled_at"] == soon


def test_every_run_reconciles_with_a_zero_interval(kobo: FakeKoboToolbox, client: KoboClient, asset: str,
                                                   household_schema: FormSchema, synced) -> None:
    store, cursor, ids = synced
    kobo.delete_submission(asset, ids[0])
    records, run = sync(client, asset, cursor, store, household_schema, T0, reconcile_every=timedelta(0))
    assert run.reconciled is True and run.deleted_count == 1 and records[0].received["_id"] == ids[0]
    with pytest.raises(ValueError, match="must not be negative"):
        KoboSync(client, asset, cursor, store=store, reconcile_every=timedelta(hours=-1))


def test_due_without_a_time_or_with_the_clock_set_back(client: KoboClient, asset: str) -> None:
    old = {"version": 1, "asset_uid": asset, "max_id": 7}  # written before reconciled_at existed
    assert KoboSync(client, asset, old, store=MemoryStore()).reconciliation_due(T0)
    stamped = {**old, "reconciled_at": T0}
    run = KoboSync(client, asset, stamped, store=MemoryStore())
    assert not run.reconciliation_due("2026-11-24T05:59:59Z")
    assert run.reconciliation_due("2026-11-24T06:00:00Z")
    assert run.reconciliation_due("2026-11-22T06:00:00Z"), "a time before the last one: the clock went back"
    assert not KoboSync(client, asset, stamped).reconciliation_due("2026-12-01T00:00:00Z"), "no store: never"
    with pytest.raises(ValueError, match="reconciled_at that is not a time"):
        KoboSync(client, asset, {**old, "reconciled_at": "yesterday"})


def test_without_a_store_the_last_reconciliation_is_kept(kobo: FakeKoboToolbox, client: KoboClient, asset: str,
                                                         household_schema: FormSchema, synced) -> None:
    _, cursor, _ = synced
    run = KoboSync(client, asset, cursor, schema=household_schema, now=clock("2026-11-30T00:00:00.000Z"))
    assert list(run) == [] and run.reconciled is False
    assert run.cursor["reconciled_at"] == T0


def test_whether_the_run_reconciled_is_known_once_it_is_done(kobo: FakeKoboToolbox, client: KoboClient, asset: str,
                                                             household_schema: FormSchema, synced) -> None:
    store, cursor, ids = synced
    kobo.edit_submission(asset, ids[1], household(1, hours=9))
    run = KoboSync(client, asset, cursor, store=store, schema=household_schema, now=clock("2026-11-24T06:00:00.000Z"))
    records = iter(run)
    edit = next(records)  # found by the comparison, the run not finished
    assert edit.received["_id"] == ids[1] and run.changed_count == 1 and run.reconciled is None
    with pytest.raises(RuntimeError):
        run.cursor  # noqa: B018 - the property raises
    assert list(records) == [] and run.reconciled is True and run.cursor["reconciled"] is True
