"""The raw layer keeps every submission once, as received, and what edits replaced."""

import json
import sqlite3

import pytest
from sqlalchemy import func, select

from connectors.records import SubmissionRecord
from warehouse.raw import raw_store
from warehouse.raw.raw_store import UNSTORABLE as UNSTORABLE_KEY
from warehouse.raw.raw_store import read_cursor, save_cursor, store_records
from warehouse.schema.db import make_engine, upgrade
from warehouse.schema.models import RawSubmission, RawSubmissionHistory, SyncCursor


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


def stored(engine) -> dict[str, tuple]:
    """instance id → (source, project, hh_size) of every stored row."""
    with engine.connect() as conn:
        return {r.instance_id: (r.source, r.project, r.payload["household"]["hh_size"])
                for r in conn.execute(select(RawSubmission))}


def test_a_submission_is_one_row_whatever_file_or_route_brings_it(warehouse_url):
    engine = make_engine(warehouse_url)
    upgrade(engine)
    export = {"source": "file:odk_csv_zip", "submitted_at": "2026-11-01T00:00:00.000Z"}
    store_records(engine, [record(n, project="june.zip", **export) for n in (1, 2)])
    cumulative = [record(1, project="july.zip", **export),  # the same again, under a new name: unchanged
                  record(2, project="july.zip", payload={"__id": "uuid:2", "household": {"hh_size": 7}}, **export),
                  record(3, project="july.zip", **export)]
    stats = store_records(engine, cumulative)
    assert (stats.inserted, stats.updated, stats.unchanged) == (1, 1, 1)
    export_of = {n: ("file:odk_csv_zip", name) for n, name in ((1, "june.zip"), (2, "july.zip"), (3, "july.zip"))}
    assert stored(engine) == {"uuid:1": (*export_of[1], 1), "uuid:2": (*export_of[2], 7), "uuid:3": (*export_of[3], 3)}

    # the platform's API: the same version outranks the file; an older one from a file never replaces a newer one
    central = store_records(engine, [record(2, project="7", payload={"__id": "uuid:2", "household": {"hh_size": 8}}),
                                     record(3, project="7", updated_at="2026-11-05T00:00:00.000Z",
                                            payload={"__id": "uuid:3", "household": {"hh_size": 4}})])
    late_file = store_records(engine, [record(3, project="august.zip", **export)])
    assert (central.updated, late_file.superseded, late_file.updated) == (2, 1, 0)
    # a later version from another project replaces it; the first project's own word (a deletion) still counts
    store_records(engine, [record(3, project="8", submitted_at="2026-11-06T00:00:00.000Z",
                                  payload={"__id": "uuid:3", "household": {"hh_size": 5}})])
    store_records(engine, [record(2, project="7", deleted_at="2026-11-07T00:00:00.000Z",
                                  payload={"__id": "uuid:2", "household": {"hh_size": 8}})])
    assert stored(engine) == {"uuid:1": ("file:odk_csv_zip", "june.zip", 1), "uuid:2": ("odk_central", "7", 8),
                              "uuid:3": ("odk_central", "8", 5)}
    with engine.connect() as conn:
        history = sorted((h.source, h.project, h.payload["household"]["hh_size"])
                         for h in conn.execute(select(RawSubmissionHistory)))
    assert history == [("file:odk_csv_zip", "july.zip", 3), ("file:odk_csv_zip", "july.zip", 7),
                       ("file:odk_csv_zip", "june.zip", 2), ("odk_central", "7", 4), ("odk_central", "7", 8)]
    engine.dispose()


def test_two_files_of_one_run_holding_a_submission_store_it_once(warehouse_url):
    engine = make_engine(warehouse_url)
    upgrade(engine)
    older = record(1, source="file:kobo_xlsx", project="a.xlsx", submitted_at="2026-11-01T00:00:00.000Z")
    newer = record(1, source="file:kobo_json", project="b.json", submitted_at="2026-11-02T00:00:00+00:00",
                   payload={"__id": "uuid:1", "household": {"hh_size": 6}})
    stats = store_records(engine, [newer, older])
    assert (stats.received, stats.inserted) == (1, 1)
    assert stored(engine) == {"uuid:1": ("file:kobo_json", "b.json", 6)}
    engine.dispose()


UNSTORABLE = {"nul": "Lan\x00", "nan": float("nan"), "infinity": float("inf"), "minus": float("-inf"),
              "surrogate": "\ud800", "in a list": ["ok", "\udfff"], "a key": {"k\x00": 1}}


def test_values_no_backend_can_hold_are_stored_escaped_and_given_back_by_json_loads(warehouse_url):
    engine = make_engine(warehouse_url)
    upgrade(engine)
    payload = {"__id": "uuid:1", "household": {"hh_size": 1}, **UNSTORABLE}
    bad_ids = record(2, instance_id="uuid:\x00" + "9" * 200, submitter="\ud800", review_state="r" * 40,
                     received={"_id": 2 ** 64})  # a row number beyond a BIGINT
    stats = store_records(engine, [record(1, payload=payload), bad_ids, record(3)])
    assert (stats.inserted, stats.escaped) == (3, 2)
    again = store_records(engine, [record(1, payload=payload), bad_ids])
    assert (again.unchanged, again.inserted) == (2, 0)  # the same identity and digest as escaped
    with engine.connect() as conn:
        rows = {r.instance_id: r for r in conn.execute(select(RawSubmission))}
    escaped = rows["uuid:1"].payload
    assert escaped["in a list"] == ["ok", {UNSTORABLE_KEY: '"\\udfff"'}]
    for key, value in UNSTORABLE.items():
        if key != "in a list":
            assert repr(json.loads(escaped[key][UNSTORABLE_KEY])) == repr(value), key
    weird = next(r for i, r in rows.items() if i not in ("uuid:1", "uuid:3"))
    assert weird.instance_id.startswith("sha256:") and weird.submitter == "\\ud800" and weird.review_state == "r" * 32
    assert weird.payload["__id"] == "uuid:2" and weird.source_row_id is None  # the payload keeps what columns could not
    engine.dispose()


def test_a_batch_the_database_refuses_stops_with_an_error_quoting_no_payload(warehouse_url, monkeypatch):
    engine = make_engine(warehouse_url)
    upgrade(engine)

    def refuse(*_args):  # what PostgreSQL says of a row it refuses: its CONTEXT line quotes the payload
        raise sqlite3.IntegrityError('CONTEXT: COPY raw_submission, line 1, column payload: "{"name": "Lan Anh"}"')

    monkeypatch.setattr(raw_store, "insert_rows", refuse)
    with pytest.raises(RuntimeError, match="could not be stored") as caught:
        store_records(engine, [record(1)])
    assert "Lan Anh" not in str(caught.value) and caught.value.__suppress_context__
    engine.dispose()


def test_migration_0007_folds_a_submission_stored_twice_and_unwedges_clean(warehouse_url):
    """A warehouse of the old key holds one submission from Central and two export files: the cleaning of that
    time failed on the duplicate household on every run (today's cleaning needs the head schema, so it is not run
    at 0006). 0007 keeps the version the rule keeps (Central's: updated later), the others in the history with their
    route, and cleaning goes on."""
    from alembic import command
    from sqlalchemy import insert

    from connectors.forms import definition
    from tests.faults.hostile import household as hostile_household
    from tests.faults.hostile import records as odata_records
    from warehouse.clean import steps
    from warehouse.clean.household import FORM_ID, Context
    from warehouse.clean.pseudonym import Pseudonymizer
    from warehouse.raw.raw_store import content_sha256
    from warehouse.schema.admin_units import load_admin_units
    from warehouse.schema.db import alembic_config
    from warehouse.schema.models import Household

    engine = make_engine(warehouse_url)
    upgrade(engine, "0006")
    ctx = Context(Pseudonymizer("k" * 32), load_admin_units(), definition(FORM_ID).codes)

    def put(record, seq: int) -> None:
        columns = {name: getattr(record, name) for name in ("source", "project", "form_id", "instance_id",
                   "form_version", "current_instance_id", "submitted_at", "updated_at", "deleted_at", "submitter",
                   "review_state", "payload", "received")}
        with engine.begin() as conn:
            conn.execute(insert(RawSubmission).values(**columns, content_sha256=content_sha256(record),
                                                      change_seq=seq, first_loaded_at="t", last_changed_at="t"))

    central, other = odata_records([hostile_household(1), hostile_household(2)])
    put(central._replace(updated_at="2026-11-20T00:00:00.000Z"), 1)
    put(other, 2)
    for seq, name in ((3, "june.csv.zip"), (4, "july.csv.zip")):
        put(central._replace(source="file:odk_csv_zip", project=name), seq)

    upgrade(engine)
    steps.clean_households(engine, ctx)
    with engine.connect() as conn:
        rows = conn.execute(select(RawSubmission.source, RawSubmission.change_seq)
                            .order_by(RawSubmission.instance_id)).all()
        history = conn.execute(select(RawSubmissionHistory.source, RawSubmissionHistory.project)).all()
        households = conn.execute(select(func.count()).select_from(Household)).scalar()
    assert [source for source, _ in rows] == ["odk_central", "odk_central"] and rows[0].change_seq == 5
    assert sorted(history) == [("file:odk_csv_zip", "july.csv.zip"), ("file:odk_csv_zip", "june.csv.zip")]
    assert households == 2
    command.downgrade(alembic_config(engine), "0006")  # and back: the folded rows stay folded
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(RawSubmission)).scalar() == 2
    engine.dispose()
