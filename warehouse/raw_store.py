"""The raw layer: upsert submissions exactly as received, keep what they replaced, and remember sync cursors."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import islice

from sqlalchemy import Connection, Engine, func, insert, select, tuple_, update

from connectors.records import SubmissionRecord
from warehouse.models import RawSubmission, RawSubmissionHistory, SyncCursor

BATCH_SIZE = 1000


@dataclass
class LoadStats:
    received: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    forms: set[str] = field(default_factory=set)

    def as_dict(self) -> dict[str, int]:
        return {k: v for k, v in vars(self).items() if k != "forms"}


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def content_sha256(record: SubmissionRecord) -> str:
    """A digest of everything about a record that can change: payload, received document and system fields."""
    doc = [record.payload, record.received, record.form_version, record.current_instance_id,
           record.updated_at, record.deleted_at, record.review_state]
    return hashlib.sha256(json.dumps(doc, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def store_records(engine: Engine, records: Iterable[SubmissionRecord], batch_size: int = BATCH_SIZE) -> LoadStats:
    """Upsert ``records`` in batches, each in its own transaction; unchanged records are not written.

    A record whose content changed gets a new ``change_seq`` (downstream steps read from it) and its
    previous content goes to ``raw_submission_history``. Re-storing the same records changes nothing.
    """
    stats = LoadStats()
    iterator = iter(records)
    while batch := list(islice(iterator, batch_size)):
        with engine.begin() as conn:
            _store_batch(conn, _last_wins(batch), stats)
    return stats


def _last_wins(batch: list[SubmissionRecord]) -> list[SubmissionRecord]:
    """One record per identity within a batch; the later one wins (a source may yield an id twice)."""
    return list({r.key: r for r in batch}.values())


def _store_batch(conn: Connection, batch: list[SubmissionRecord], stats: LoadStats) -> None:
    keys = [r.key for r in batch]
    identity = tuple_(RawSubmission.source, RawSubmission.project, RawSubmission.form_id, RawSubmission.instance_id)
    existing = {
        (row.source, row.project, row.form_id, row.instance_id): row
        for row in conn.execute(select(RawSubmission).where(identity.in_(keys)))
    }
    seq = (conn.execute(select(func.max(RawSubmission.change_seq))).scalar() or 0) + 1
    now = utc_now()
    inserts, history = [], []
    for record in batch:
        stats.received += 1
        stats.forms.add(record.form_id)
        digest = content_sha256(record)
        old = existing.get(record.key)
        if old is not None and old.content_sha256 == digest:
            stats.unchanged += 1
            continue
        values = _row_values(record, digest, seq, now)
        seq += 1
        if record.deleted_at:
            stats.deleted += 1
        if old is None:
            inserts.append({**values, "first_loaded_at": now})
            stats.inserted += 1
        else:
            history.append(_history_values(old, now))
            conn.execute(update(RawSubmission).where(RawSubmission.id == old.id).values(**values))
            stats.updated += 1
    if history:
        conn.execute(insert(RawSubmissionHistory), history)
    if inserts:
        conn.execute(insert(RawSubmission), inserts)


def _row_values(record: SubmissionRecord, digest: str, seq: int, now: str) -> dict:
    return {
        "source": record.source,
        "project": record.project,
        "form_id": record.form_id,
        "instance_id": record.instance_id,
        "form_version": record.form_version,
        "current_instance_id": record.current_instance_id,
        "submitted_at": record.submitted_at,
        "updated_at": record.updated_at,
        "deleted_at": record.deleted_at,
        "submitter": record.submitter,
        "review_state": record.review_state,
        "payload": record.payload,
        "received": record.received,
        "content_sha256": digest,
        "change_seq": seq,
        "last_changed_at": now,
    }


def _history_values(old, now: str) -> dict:
    return {
        "raw_submission_id": old.id,
        "form_version": old.form_version,
        "current_instance_id": old.current_instance_id,
        "updated_at": old.updated_at,
        "deleted_at": old.deleted_at,
        "review_state": old.review_state,
        "payload": old.payload,
        "received": old.received,
        "content_sha256": old.content_sha256,
        "change_seq": old.change_seq,
        "replaced_at": now,
    }


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


def changed_batch(conn: Connection, form_id: str, after_seq: int, limit: int = BATCH_SIZE) -> list:
    """The next raw rows of ``form_id`` whose ``change_seq`` is above ``after_seq``, oldest change first."""
    return conn.execute(
        select(RawSubmission)
        .where(RawSubmission.form_id == form_id, RawSubmission.change_seq > after_seq)
        .order_by(RawSubmission.change_seq)
        .limit(limit)
    ).all()
