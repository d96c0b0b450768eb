"""The raw layer: upsert submissions exactly as received, keep what they replaced, and remember sync cursors.

**One submission, one row.** A submission's identity is its form and the platform's root instance id
(:attr:`SubmissionRecord.key`), whatever route or file brought it: a re-sent or cumulative export, the same
submission from a Central sync and an export, or from two projects, updates one row. Which version is kept
(:func:`replaces`): a record from the route and project that brought the stored version always replaces it (that
route's later word: an edit, a review, a deletion, a restore); from another route or file, it replaces it when
its platform time (the latest of its submission, update and deletion times) is later, or equal and its route
ranks at least as high (a platform's API above an export file: the file is a copy of what the platform serves).
A version that loses is counted as ``superseded`` and not stored; a version that is replaced goes to
``raw_submission_history`` with the route that had brought it.

**Nothing a record holds stops its batch.** Both backends must store every record, and store it the same way.
PostgreSQL's ``jsonb`` refuses a NUL character and NaN or ±Infinity, which SQLite's JSON text keeps, and neither
stores a lone surrogate (``"\\ud800"``, legal JSON). Such a value is stored as ``{"$unstorable": <its JSON
text, ASCII>}``: ``json.loads`` of that text gives the value back, and the cleaning steps quarantine a
submission whose answer it is (``UNSTORABLE_VALUE``, :mod:`warehouse.infra.bulk`). An object with such a key is
stored so whole. A system field lifted out of the payload (instance id, submitter, form version, times …) that
a column cannot hold as it is gets its NUL and surrogates written as ``\\uXXXX`` and, when still longer than
the column, its SHA-256 (``sha256:…``) where the column has room for it, else its first characters; the payload
keeps it whole. Such records are counted as ``escaped``.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from itertools import islice
from typing import Any

from sqlalchemy import Connection, Engine, String, func, insert, literal, select, update
from sqlalchemy.exc import DBAPIError

from connectors.records import SubmissionRecord, utc_now
from warehouse.infra.bulk import DATABASE_ERRORS, FreshStatistics, insert_rows, json_text
from warehouse.schema.models import PipelineCheckpoint, RawSubmission, RawSubmissionHistory, SyncCursor

BATCH_SIZE = 1000
CHANGE_SEQ = "raw_submission.change_seq"  # the pipeline_checkpoint row that hands out change_seq numbers
UNSTORABLE = "$unstorable"  # the key of a value stored escaped (module docstring)


@dataclass
class LoadStats:
    received: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    superseded: int = 0  # not stored: the warehouse holds a newer version of the submission (module docstring)
    escaped: int = 0  # stored with values escaped (module docstring)

    def as_dict(self) -> dict[str, int]:
        return dict(vars(self))


def content_sha256(record: SubmissionRecord) -> str:
    """A digest of everything about a record that can change: payload, received document and system fields."""
    return _Serialized(record).digest


def replaces(new: SubmissionRecord, old) -> bool:
    """Whether ``new`` replaces ``old`` (a record or a stored row) of the same submission (module docstring)."""
    if (new.source, new.project) == (old.source, old.project):
        return True
    return (_platform_time(new), _rank(new.source)) >= (_platform_time(old), _rank(old.source))


_NEVER = datetime.min.replace(tzinfo=timezone.utc)


def _platform_time(version) -> datetime:
    """The latest of a version's submission, update and deletion times (a time that does not parse: none)."""
    latest = _NEVER
    for text in (version.submitted_at, version.updated_at, version.deleted_at):
        try:
            moment = datetime.fromisoformat(text)
        except (TypeError, ValueError):
            continue
        latest = max(latest, moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc))
    return latest


def _rank(source: str) -> int:
    """A platform's API (and the demo, which imitates one) above an export file (``file:<kind>``)."""
    return 0 if source.startswith("file:") else 1


_SURROGATE = re.compile("[\ud800-\udfff]")


def _fits(text: str) -> bool:
    """Whether both backends store ``text`` as it is: no NUL, no lone surrogate."""
    return "\x00" not in text and (text.isascii() or _SURROGATE.search(text) is None)


def _storable(value: Any) -> Any:
    """``value`` with every string, key or number a JSON column of either backend cannot hold escaped."""
    if isinstance(value, str):
        return value if _fits(value) else {UNSTORABLE: json.dumps(value)}
    if isinstance(value, float) and not math.isfinite(value):
        return {UNSTORABLE: json.dumps(value)}
    if isinstance(value, dict):
        if all(_fits(key) for key in value):
            return {key: _storable(v) for key, v in value.items()}
        return {UNSTORABLE: json.dumps(value, sort_keys=True)}
    if isinstance(value, list):
        return [_storable(v) for v in value]
    return value


def _plain_json(value: Any) -> str | None:
    """The JSON text of ``value`` as it is, or ``None`` when it holds NaN, ±Infinity or (perhaps) a NUL. A lone
    surrogate shows when the text is encoded."""
    try:
        text = json.dumps(value, sort_keys=True, ensure_ascii=False, allow_nan=False)
    except ValueError:
        return None
    return None if "\\u0000" in text else text


_TEXT_COLUMNS = ("source", "project", "form_id", "instance_id", "form_version", "current_instance_id", "submitted_at",
                 "updated_at", "deleted_at", "submitter", "review_state")
_LIMITS = tuple((SubmissionRecord._fields.index(name), name, RawSubmission.__table__.c[name].type.length)
                for name in _TEXT_COLUMNS)
_DIGEST_PREFIX = "sha256:"


def _column_text(text: str, length: int) -> str:
    """``text``, which does not fit, as a column of ``length`` characters holds it on both backends (module
    docstring)."""
    escaped = "".join(c if c != "\x00" and not _SURROGATE.match(c) else f"\\u{ord(c):04x}" for c in text)
    if len(escaped) <= length:
        return escaped
    digest = _DIGEST_PREFIX + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return digest if len(digest) <= length else escaped[:length]


def _with_storable_columns(record: SubmissionRecord) -> SubmissionRecord:
    """``record`` with every system field a column can hold (module docstring); itself when all fit."""
    changes = {}
    for index, name, length in _LIMITS:
        value = record[index]
        if value.__class__ is str and (len(value) > length or not _fits(value)):
            changes[name] = _column_text(value, length)
    return record._replace(**changes) if changes else record


class _Serialized:
    """A record's JSON texts, made once: stored as they are and hashed for :func:`content_sha256`.

    The digest is the SHA-256 of ``json.dumps([payload, received, form_version, current_instance_id,
    updated_at, deleted_at, review_state], sort_keys=True, ensure_ascii=False)``, built here from the
    parts (the same text, so digests stored by earlier versions still match), of the record as stored (values
    escaped: module docstring).
    """

    __slots__ = ("record", "payload", "received", "digest", "escaped")

    def __init__(self, record: SubmissionRecord) -> None:
        stored = _with_storable_columns(record)
        self.record = stored
        plain = [_plain_json(record.payload), _plain_json(record.received)]
        try:
            if None in plain:
                raise ValueError
            self.payload, self.received = plain
            data = self._text().encode()
        except ValueError:  # a UnicodeEncodeError too: a lone surrogate
            self.payload, self.received = (json_text(_storable(v)) for v in (record.payload, record.received))
            data = self._text().encode()
        self.escaped = stored is not record or [self.payload, self.received] != plain
        self.digest = hashlib.sha256(data).hexdigest()

    def _text(self) -> str:
        r = self.record
        system = [json_text(v) for v in (r.form_version, r.current_instance_id, r.updated_at, r.deleted_at,
                                         r.review_state)]
        return "[" + ", ".join([self.payload, self.received, *system]) + "]"


def store_records(engine: Engine, records: Iterable[SubmissionRecord], batch_size: int = BATCH_SIZE) -> LoadStats:
    """Upsert ``records`` in batches, each in its own transaction; unchanged records are not written.

    A record whose content changed gets a new ``change_seq`` (downstream steps read from it) and its
    previous content goes to ``raw_submission_history``. Re-storing the same records changes nothing. Which
    version of a submission is kept, and how values no column can hold are stored: the module's docstring.
    """
    stats = LoadStats()
    statistics = FreshStatistics(RawSubmission.__tablename__)
    iterator = iter(records)
    while batch := list(islice(iterator, batch_size)):
        try:
            with engine.begin() as conn:
                _store_batch(conn, _one_per_identity(batch), stats)
                statistics.written(conn, stats.inserted + stats.updated)
        except DATABASE_ERRORS as error:  # its message may quote a payload (PostgreSQL's CONTEXT line)
            cause = error.orig if isinstance(error, DBAPIError) else error
            raise RuntimeError(f"raw store: a batch of {len(batch)} submissions of {batch[0].form_id} from"
                               f" {batch[0].source} could not be stored ({type(cause).__name__});"
                               " nothing of it was kept") from None
    return stats


def source_row_id(record: SubmissionRecord) -> int | None:
    """The platform's own row number, when it has one (KoboToolbox's ``_id``, kept to reconcile in its order)."""
    row_id = (record.received or {}).get("_id")
    return row_id if row_id.__class__ is int and -2 ** 63 <= row_id < 2 ** 63 else None  # a BIGINT holds it


def _one_per_identity(batch: list[SubmissionRecord]) -> list[_Serialized]:
    """One record per identity within a batch, the one :func:`replaces` keeps (a source may yield an id twice, a
    run read two files holding the same submission)."""
    kept: dict[tuple[str, str], _Serialized] = {}
    for record in batch:
        serialized = _Serialized(record)
        key = serialized.record.key
        if key not in kept or replaces(serialized.record, kept[key].record):
            kept[key] = serialized
    return list(kept.values())


_INSERTED = ("source", "project", "form_id", "instance_id", "source_row_id", "form_version", "current_instance_id",
             "submitted_at", "updated_at", "deleted_at", "submitter", "review_state", "payload", "received",
             "content_sha256", "change_seq", "last_changed_at", "first_loaded_at")
_UPDATED = ("source", "project", *_INSERTED[4:-1])  # the identity and first_loaded_at never change
_KEPT = ("source", "project", "form_version", "current_instance_id", "updated_at", "deleted_at", "review_state",
         "payload", "received", "content_sha256", "change_seq")  # what raw_submission_history keeps of a replaced row


def _store_batch(conn: Connection, batch: list[_Serialized], stats: LoadStats) -> None:
    existing = _existing(conn, [s.record.key for s in batch])
    changed: list[tuple[_Serialized, int | None]] = []
    for serialized in batch:
        stats.received += 1
        old = existing.get(serialized.record.key)
        if old is not None and old.content_sha256 == serialized.digest:
            stats.unchanged += 1
        elif old is not None and not replaces(serialized.record, old):
            stats.superseded += 1
        else:
            changed.append((serialized, None if old is None else old.id))
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
        stats.escaped += s.escaped
        if old_id is None:
            inserts.append((r.source, r.project, r.form_id, r.instance_id, *values, now))
        else:
            updates.append((r.source, r.project, *values, old_id))
    stats.inserted += len(inserts)
    stats.updated += len(updates)
    if updates:
        _replace(conn, updates, now)
    insert_rows(conn, RawSubmission.__table__, _INSERTED, inserts)


def _existing(conn: Connection, keys: list[tuple[str, str]]) -> dict[tuple[str, str], Any]:
    """``key → stored row`` (id, digest, route and times; payloads are not read) of the stored ``keys``."""
    by_form: dict[str, list[str]] = defaultdict(list)
    for form_id, instance_id in keys:
        by_form[form_id].append(instance_id)
    found = {}
    r = RawSubmission
    for form_id, instance_ids in by_form.items():
        rows = conn.execute(select(r.instance_id, r.id, r.content_sha256, r.source, r.project, r.submitted_at,
                                   r.updated_at, r.deleted_at)
                            .where(r.form_id == form_id, r.instance_id.in_(instance_ids)))
        found.update({(form_id, row.instance_id): row for row in rows})
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
