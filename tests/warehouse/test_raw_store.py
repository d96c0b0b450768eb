"""The raw layer keeps every submission once, as received, and what edits replaced."""


from sqlalchemy import func, select

from connectors.records import SubmissionRecord
from warehouse.db import make_engine, upgrade
from warehouse.models import RawSubmission, RawSubmissionHistory, SyncCursor
from warehouse.raw_store import read_cursor, save_cursor, store_records


def record(n: int, **changes) -> SubmissionRecord:
    base = SubmissionRecord(
        source="odk_central", project="7", form_id="household_survey", instance_id=f"uuid:{n}",
        form_version="1", current_instance_id=f"uuid:{n}", submitted_at="2026-11-01T00:00:00.000Z",
        updated_at=None, deleted_at=None, submitter="a", review_state=None,
        payload={"__id": f"uuid:{n}", "consent": "yes", "household": {"hh_size": n}},
    )
    return base._replace(**changes)


def test_upsert_is_idempotent_and_keeps_history(warehouse_url):
    engine = make_engine(warehouse_url)
    upgrade(engine)
    first = store_records(engine, [record(n) for n in range(5)], batch_size=2)
    assert (first.inserted, first.updated, first.unchanged) == (5, 0, 0)
    again = store_records(engine, [record(n) for n in range(5)])
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 5)

    edited = record(1, current_instance_id="uuid:1b", updated_at="2026-11-02T00:00:00.000Z",
                    payload={"__id": "uuid:1", "consent": "yes", "household": {"hh_size": 9}})
    deleted = record(2, deleted_at="2026-11-03T00:00:00.000Z")
    stats = store_records(engine, [edited, deleted, record(3)])
    assert (stats.inserted, stats.updated, stats.unchanged, stats.deleted) == (0, 2, 1, 1)

    with engine.connect() as conn:
        rows = {r.instance_id: r for r in conn.execute(select(RawSubmission))}
        history = conn.execute(select(RawSubmissionHistory)).all()
    assert len(rows) == 5
    assert rows["uuid:1"].payload["household"]["hh_size"] == 9
    assert rows["uuid:2"].deleted_at == "2026-11-03T00:00:00.000Z"
    assert sorted(h.payload["household"]["hh_size"] for h in history) == [1, 2]  # what the edit and deletion replaced
    seqs = sorted(r.change_seq for r in rows.values())
    assert len(set(seqs)) == 5 and rows["uuid:1"].change_seq > rows["uuid:4"].change_seq
    engine.dispose()


def test_the_last_record_of_an_identity_wins_within_a_batch(warehouse_url):
    engine = make_engine(warehouse_url)
    upgrade(engine)
    live, gone = record(1), record(1, deleted_at="2026-11-03T00:00:00.000Z")
    store_records(engine, [live, gone])
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(RawSubmission)).scalar() == 1
        assert conn.execute(select(RawSubmission.deleted_at)).scalar() == "2026-11-03T00:00:00.000Z"
    engine.dispose()


def test_cursor_round_trip(warehouse_url):
    engine = make_engine(warehouse_url)
    upgrade(engine)
    assert read_cursor(engine, "odk_central", "7", "household_survey") is None
    save_cursor(engine, "odk_central", "7", "household_survey", {"watermark": "a"}, {"inserted": 1})
    save_cursor(engine, "odk_central", "7", "household_survey", {"watermark": "b"}, {"inserted": 0})
    assert read_cursor(engine, "odk_central", "7", "household_survey") == {"watermark": "b"}
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(SyncCursor)).scalar() == 1
    engine.dispose()
