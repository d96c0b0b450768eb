"""The raw layer: upsert submissions exactly as received, keep what they replaced, and remember sync cursors."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from itertools import islice

from sqlalchemy import Connection, Engine, String, func, insert, literal, select, update

from connectors.records import SubmissionRecord
from warehouse.bulk import FreshStatistics, insert_rows, json_text
from warehouse.models import PipelineCheckpoint, RawSubmission, RawSubmissionHistory, SyncCursor

BATCH_SIZE = 1000
CHANGE_SEQ = "raw_submission.change_seq"  # the pipeline_checkpoint row that hands out change_seq numbers


@dataclass
class LoadStats:
    received: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(vars(self))


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def content_sha256(record: SubmissionRecord) -> str:
    """A digest of everything about a record that can change: payload, received document and system fields."""
    return _Serialized(record).digest


class _Serialized:
    """A record's JSON texts, made once: stored as they are and hashed for :func:`content_sha256`.

    The digest is the SHA-256 of ``json.dumps([payload, received, form_version, current_instance_id,
    updated_at, deleted_at, review_state], sort_keys=True, ensure_ascii=False)``, built here from the
    parts (the same text, so digests stored by earlier versions still match).
    """

    __slots__ = ("record", "payload", "received", "digest")

    def __init__(self, record: SubmissionRecord) -> None:
        self.record = record
        self.payload = json_text(record.payload)
        self.received = json_text(record.received)
        system = [json_text(v) for v in (record.form_version, record.current_instance_id, record.updated_at,
                                          record.deleted_at, record.review_state)]
        text = "[" + ", ".join([self.payload, self.received, *system]) + "]"
        self.digest = hashlib.sha256(text.encode()).hexdigest()


def store_records(engine: Engine, records: Iterable[SubmissionRecord], batch_size: int = BATCH_SIZE) -> LoadStats:
    """Upsert ``records`` in batches, each in its own transaction; unchanged records are not written.

    A record whose content changed gets a new ``change_seq`` (downstream steps read from it) and its
    previous content goes to ``raw_submission_history``. Re-storing the same records changes nothing.
    """
    stats = LoadStats()
    statistics = FreshStatistics(RawSubmission.__tablename__)
    iterator = iter(records)
    while batch := list(islice(iterator, batch_size)):
        with engine.begin() as conn:
            _store_batch(conn, _last_wins(batch), stats)
            statistics.written(conn, stats.inserted + stats.updated)
    return stats


def source_row_id(record: SubmissionRecord) -> int | None:
    """The platform's own row number, when it has one (KoboToolbox's ``_id``, kept to reconcile in its order)."""
    row_id = (record.received or {}).get("_id")
    return row_id if isinstance(row_id, int) and not isinstance(row_id, bool) else None


def _last_wins(batch: list[SubmissionRecord]) -> list[SubmissionRecord]:
    """One record per identity within a batch; the later one wins (a source may yield an id twice)."""
    return list({r.key: r for r in batch}.values())


_INSERTED = ("source", "project", "form_id", "instance_id", "source_row_id", "form_version", "current_instance_id",
             "submitted_at", "updated_at", "deleted_at", "submitter", "review_state", "payload", "received",
             "content_sha256", "change_seq", "last_changed_at", "first_loaded_at")
_UPDATED = _INSERTED[4:-1]  # identity and first_loaded_at never change
_KEPT = ("form_version", "current_instance_id", "updated_at", "deleted_at", "review_state", "payload", "received",
         "content_sha256", "change_seq")  # what raw_submission_history keeps of the replaced content


def _store_batch(conn: Connection, batch: list[SubmissionRecord], stats: LoadStats) -> None:
    existing = _existing(conn, [r.key for r in batch])
    changed: list[tuple[_Serialized, int | None]] = []
    for record in batch:
        stats.received += 1
        serialized = _Serialized(record)
        old = existing.get(record.key)
        if old is not None and old[1] == serialized.digest:
            stats.unchanged += 1
            continue
        changed.append((serialized, None if old is None else old[0]))
    if not changed:
        return
    seq = next_change_seq(conn, len(changed))
    now = utc_now()
    inserts, updates = [], []
    for offset, (s, old_id) in enumerate(changed):
        r = s.record
        values = (source_row_id(r), r.form_version, r.current_instance_id, r.submitted_at, r.updated_at,
                  r.deleted_at, r.submitter, r.review_state, s.payload, s.received, s.digest, seq + offset, now)
        stats.deleted += bool(r.deleted_at)
        if old_id is None:
            inserts.append((r.source, r.project, r.form_id, r.instance_id, *values, now))
        else:
            updates.append((*values, old_id))
    stats.inserted += len(inserts)
    stats.updated += len(updates)
    if updates:
        _replace(conn, updates, now)
    insert_rows(conn, RawSubmission.__table__, _INSERTED, inserts)


def _existing(conn: Connection, keys: list[tuple[str, str, str, str]]) -> dict[tuple, tuple[int, str]]:
    """``key → (id, content_sha256)`` of the stored rows among ``keys`` (payloads are not read)."""
    by_form: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for source, project, form_id, instance_id in keys:
        by_form[(source, project, form_id)].append(instance_id)
    found = {}
    r = RawSubmission
    for (source, project, form_id), instance_ids in by_form.items():
        rows = conn.execute(select(r.instance_id, r.id, r.content_sha256).where(
            r.source == source, r.project == project, r.form_id == form_id, r.instance_id.in_(instance_ids)))
        found.update({(source, project, form_id, i): (row_id, digest) for i, row_id, digest in rows})
    return found


def _replace(conn: Connection, updates: list[tuple], now: str) -> None:
    """Copy the rows about to change into the history (in the database), then update them."""
    ids = [u[-1] for u in updates]
    r, h = RawSubmission, RawSubmissionHistory
    kept = [getattr(r, c) for c in _KEPT]
    conn.execute(insert(h).from_select(
        ["raw_submission_id", *_KEPT, "replaced_at"],
        select(r.id, *kept, literal(now, String)).where(r.id.in_(ids))))
    quote = conn.dialect.identifier_preparer.quote
    mark = "%s" if conn.dialect.paramstyle in ("format", "pyformat") else "?"
    cast = "::jsonb" if conn.dialect.name == "postgresql" else ""
    assignments = ", ".join(f"{quote(c)} = {mark}{cast if c in ('payload', 'received') else ''}" for c in _UPDATED)
    conn.exec_driver_sql(f"UPDATE {quote(r.__tablename__)} SET {assignments} WHERE id = {mark}", updates)


def next_change_seq(conn: Connection, count: int) -> int:
    """Reserve ``count`` consecutive ``change_seq`` numbers; returns the first.

    The last number handed out is kept in ``pipeline_checkpoint`` (step ``raw_submission.change_seq``), so
    this costs one indexed row update instead of a scan of ``max(change_seq)``, and concurrent writers
    (another form's sync) get distinct numbers: the update locks the row until the batch commits.
    """
    pc = PipelineCheckpoint
    reserved = conn.execute(update(pc).where(pc.step == CHANGE_SEQ).values(position=pc.position + count)
                            .returning(pc.position)).scalar()
    if reserved is None:  # first use: start after what is stored
        stored = conn.execute(select(func.max(RawSubmission.change_seq))).scalar() or 0
        reserved = stored + count
        conn.execute(insert(pc).values(step=CHANGE_SEQ, position=reserved, version="sequence"))
    return reserved - count + 1


def read_cursor(engine: Engine, source: str, project: str, form_id: str) -> dict | None:
    with engine.connect() as conn:
        return conn.execute(
            select(SyncCursor.cursor).where(
                SyncCursor.source == source, SyncCursor.project == project, SyncCursor.form_id == form_id
            )
        ).scalar()


def save_cursor(engine: Engine, source: str, project: str, form_id: str, cursor: dict, stats: dict) -> None:
    """Record a complete sync; call only after every record of it was stored."""
    values = {"cursor": cursor, "last_synced_at": utc_now(), "last_stats": stats}
    with engine.begin() as conn:
        done = conn.execute(
            update(SyncCursor)
            .where(SyncCursor.source == source, SyncCursor.project == project, SyncCursor.form_id == form_id)
            .values(**values)
        ).rowcount
        if not done:
            conn.execute(insert(SyncCursor).values(source=source, project=project, form_id=form_id, **values))


_READ = [c for c in RawSubmission.__table__.columns
         if c.name not in ("received", "content_sha256", "first_loaded_at", "last_changed_at")]


def changed_batch(conn: Connection, form_id: str, after_seq: int, upto_seq: int) -> list:
    """The raw rows of ``form_id`` whose ``change_seq`` is above ``after_seq`` and at most ``upto_seq`` (every
    column but the received document, the digest and the load times)."""
    return conn.execute(
        select(*_READ)
        .where(RawSubmission.form_id == form_id, RawSubmission.change_seq > after_seq,
               RawSubmission.change_seq <= upto_seq)
        .order_by(RawSubmission.change_seq)
    ).all()
