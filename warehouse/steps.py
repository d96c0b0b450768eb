"""The household survey's cleaning step, raw to clean, and the batch writing every step shares; resumable.

Each step reads only what changed since its checkpoint (``change_seq``), replaces the rows derived from it,
and moves the checkpoint in the same transaction: a crash loses at most one uncommitted batch, which the
next run does again. A change of the step's logic version (e.g. a new code list) reprocesses everything.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select, update

from warehouse.answers import unreadable
from warehouse.bulk import FreshStatistics, TableRows, unstorable
from warehouse.clean_links import delete_households
from warehouse.db import large_page_cache
from warehouse.household import FORM_ID, Context, Parsed, parse_household
from warehouse.models import (
    Base,
    Child,
    Household,
    PipelineCheckpoint,
    Quarantine,
    RawSubmission,
    RestrictedChildPii,
    RestrictedHouseholdPii,
)
from warehouse.prefetch import Range, batch_ranges, prepared_batches, workers_for
from warehouse.raw_store import BATCH_SIZE, changed_batch
from warehouse.values import Problem

CLEAN_STEP = "clean_household"  # the checkpoint's name
CLEAN_LOGIC_VERSION = "4"  # 2: numbers and dates read strictly, the plausibility rules; 3: pre-2025 codes load;
#                            4: interview length
STEP_BATCH_SIZE = 10_000  # rows a worker prepares at a time; a batch binds one id per row, well under SQLite's
#                           limit of 32,766
COMMIT_ROWS = 50_000  # rows per transaction (several batches): each SQLite commit writes every page changed since
#                      the last, and the batches change the same index pages again (bench/RESULTS.md, "Tuning")
log = logging.getLogger(__name__)


@dataclass
class StepStats:
    processed: int = 0
    deleted: int = 0
    loaded: Counter = field(default_factory=Counter)
    quarantined: Counter = field(default_factory=Counter)

    def merge(self, other: StepStats) -> None:
        self.processed += other.processed
        self.deleted += other.deleted
        self.loaded.update(other.loaded)
        self.quarantined.update(other.quarantined)

    def as_dict(self) -> dict:
        return {"processed": self.processed, "deleted": self.deleted,
                "loaded": dict(self.loaded), "quarantined": dict(self.quarantined)}


def read_checkpoint(conn: Connection, step: str, version: str) -> int:
    """The step's position, or 0 when it never ran or ran under another logic version."""
    row = conn.execute(select(PipelineCheckpoint).where(PipelineCheckpoint.step == step)).first()
    return row.position if row is not None and row.version == version else 0


def write_checkpoint(conn: Connection, step: str, version: str, position: int) -> None:
    values = {"position": position, "version": version}
    if not conn.execute(update(PipelineCheckpoint).where(PipelineCheckpoint.step == step).values(**values)).rowcount:
        conn.execute(insert(PipelineCheckpoint).values(step=step, **values))


def replace_changed(engine: Engine, step: str, version: str, form_id: str,
                    replace: Callable[[Connection, list], None], batch_size: int = BATCH_SIZE) -> None:
    """Call ``replace(conn, raw_rows)`` on each batch of ``form_id``'s raw rows changed since the step's
    checkpoint, and move the checkpoint in the same transaction."""
    with engine.connect() as conn:
        position = read_checkpoint(conn, step, version)
        ranges = batch_ranges(conn, RawSubmission.change_seq, RawSubmission.form_id == form_id, position, batch_size)
    prepare = partial(_raw_batch, form_id=form_id)
    write_batches(engine, {step: (version, position)}, ranges, prepare, lambda conn, batch: replace(conn, batch.rows),
                   FreshStatistics(), parallel=False)  # the tables `replace` writes are not known here: all of them


@dataclass
class _RawBatch:
    last: int
    rows: list
    stats: StepStats
    warnings: tuple[str, ...] = ()


def _raw_batch(conn: Connection, after: int, upto: int, *, form_id: str) -> _RawBatch:
    rows = changed_batch(conn, form_id, after, upto)
    return _RawBatch(upto, rows, StepStats(processed=len(rows)))


def clean_households(engine: Engine, ctx: Context, batch_size: int = STEP_BATCH_SIZE) -> StepStats:
    """Turn changed household-survey submissions into households, children and quarantine rows. A large backlog
    is parsed in worker processes while this one writes (:mod:`warehouse.prefetch`)."""
    version = f"{CLEAN_LOGIC_VERSION}|{ctx.units.code_list_version}|{ctx.plausibility.version}|{ctx.review.version}"
    with engine.connect() as conn:
        position = read_checkpoint(conn, CLEAN_STEP, version)
        ranges = batch_ranges(conn, RawSubmission.change_seq, RawSubmission.form_id == FORM_ID, position, batch_size)
    prepare = partial(_prepare_households, ctx=ctx)
    return write_batches(engine, {CLEAN_STEP: (version, position)}, ranges, prepare, _write_households,
                         FreshStatistics(), rewrite=partial(_rewrite_households, prepare=prepare))


def write_batches(engine: Engine, checkpoints: dict[str, tuple[str, int]], ranges: list[Range], prepare, write,
                   statistics: FreshStatistics, *, parallel: bool = True,
                   rewrite: Callable[[Connection, int, int], Any] | None = None) -> StepStats:
    """Write each prepared batch (:func:`prepared_batches`; in worker processes for a long step when
    ``parallel``, i.e. ``prepare`` pickles: :func:`workers_for`) and move the checkpoints (step: (version,
    position read when the ranges were)) to its end in the same transaction, committed every ``COMMIT_ROWS``
    rows; the batches' warnings are logged once committed (a worker process's logs would go nowhere). When
    writing a batch fails, its writes are undone and ``rewrite(conn, after, upto)``, if given, writes the range
    again with every value checked and returns the batch it wrote (:func:`_rewrite_households`); if that fails
    too, the step stops with an error that quotes no value."""
    stats, pending, uncommitted = StepStats(), [], 0
    workers = workers_for(len(ranges)) if parallel else 0
    with engine.connect() as conn, large_page_cache(conn):
        expected = {step: position for step, (_, position) in checkpoints.items()}
        for (after, _), batch in zip(ranges, prepared_batches(engine, prepare, ranges, workers=workers), strict=True):
            starting = not conn.in_transaction()
            if starting:
                moved = [s for s, (v, _) in checkpoints.items() if read_checkpoint(conn, s, v) != expected[s]]
                if moved:
                    raise RuntimeError(f"{moved[0]}: another run moved the checkpoint; run the step again")
            # the checkpoints first: on SQLite their write begins the transaction the savepoint below must nest in
            # (pysqlite begins one only before a write; a savepoint outside one would be a transaction of its own)
            for step, (version, _) in checkpoints.items():
                write_checkpoint(conn, step, version, batch.last)
                expected[step] = batch.last
            try:
                with conn.begin_nested():
                    write(conn, batch)
            except Exception:
                if rewrite is None:
                    raise
                try:
                    batch = rewrite(conn, after, batch.last)
                except Exception as error:  # its message may quote a row's values (a driver's CONTEXT line)
                    raise RuntimeError(f"{', '.join(checkpoints)}: the raw changes {after + 1}–{batch.last} could"
                                       f" not be written ({type(error).__name__}); nothing of them was kept") from None
            stats.merge(batch.stats)
            statistics.written(conn, stats.processed)
            pending.extend(batch.warnings)
            uncommitted += batch.stats.processed
            if uncommitted >= COMMIT_ROWS:
                _commit(conn, pending)
                uncommitted = 0
        _commit(conn, pending)
    return stats


def _commit(conn: Connection, warnings: list[str]) -> None:
    conn.commit()
    for warning in warnings:
        log.warning("%s", warning)
    warnings.clear()


@dataclass
class _HouseholdBatch:
    """One batch of raw submissions, parsed: the rows to write, by table."""

    last: int
    raw_ids: list[int]
    tables: dict[str, TableRows]
    stats: StepStats
    warnings: list[str]


_HOUSEHOLD_TABLES = (Household, RestrictedHouseholdPii, Child, RestrictedChildPii, Quarantine)


def _prepare_households(conn: Connection, after: int, upto: int, *, ctx: Context,
                        checked: bool = False) -> _HouseholdBatch:
    """The rows the raw submissions of ``(after, upto]`` give; ``checked``: a submission with a value a column
    would refuse is quarantined whole instead (:func:`_storable`)."""
    rows = changed_batch(conn, FORM_ID, after, upto)
    tables, stats, warnings = defaultdict(list), StepStats(), []
    for raw in rows:
        stats.processed += 1
        if raw.deleted_at:
            stats.deleted += 1
            continue
        try:
            parsed = parse_household(raw, ctx)
        except Exception as error:  # noqa: BLE001 - a shape no check foresaw: quarantined, never a stuck batch
            warnings.append(f"submission {raw.instance_id} of {raw.form_id} could not be read:"
                                  f" {type(error).__name__}")
            parsed = Parsed()
            parsed.reject(unreadable(error), "household")
        if checked:
            parsed = _storable(parsed, raw, warnings)
        stamp = {"raw_submission_id": raw.id, "change_seq": raw.change_seq}
        for q in parsed.quarantine:
            tables["quarantine"].append({**q, **stamp, "form_id": raw.form_id, "instance_id": raw.instance_id})
            stats.quarantined[q["entity"]] += 1
        if parsed.household is None:
            continue
        tables["household"].append({**parsed.household, **stamp})
        tables["restricted_household_pii"].append(parsed.household_pii)
        tables["child"].extend({**c, "change_seq": raw.change_seq} for c in parsed.children)
        tables["restricted_child_pii"].extend(parsed.children_pii)
        stats.loaded["household"] += 1
        stats.loaded["child"] += len(parsed.children)
    by_table = {name: TableRows.of(dicts) for name, dicts in tables.items()}
    return _HouseholdBatch(upto, [r.id for r in rows], by_table, stats, warnings)


def _storable(parsed: Parsed, raw, warnings: list[str]) -> Parsed:
    """``parsed``, or the submission quarantined whole (``UNSTORABLE_VALUE``) when a column would refuse one of
    its values (:func:`warehouse.bulk.unstorable`): one bad value never stops the batch."""
    rows = [("household", parsed.household), ("restricted_household_pii", parsed.household_pii),
            *(("child", c) for c in parsed.children), *(("restricted_child_pii", c) for c in parsed.children_pii),
            *(("quarantine", q) for q in parsed.quarantine)]
    for table, row in rows:
        column = None if row is None else unstorable(Base.metadata.tables[table], row)
        if column is not None:
            warnings.append(f"submission {raw.instance_id} of {raw.form_id}: a value cannot be stored"
                            f" ({table}.{column}); quarantined")
            rejected = Parsed()
            rejected.reject(unstorable_value(f"{table}.{column}"), "household")
            return rejected
    return parsed


def unstorable_value(column: str) -> Problem:
    """The problem of a submission with a value ``column`` (``table.column``) cannot hold."""
    return Problem(column, None, "UNSTORABLE_VALUE",
                   f"an answer cannot be stored as {column}: a value of the wrong kind (an object, a list, text"
                   " where a number belongs), too long, or holding a character no database keeps")


def _rewrite_households(conn: Connection, after: int, upto: int, *, prepare) -> _HouseholdBatch:
    """Prepare the batch again with every value checked, and write it."""
    batch = prepare(conn, after, upto, checked=True)
    _write_households(conn, batch)
    return batch


def _write_households(conn: Connection, batch: _HouseholdBatch) -> None:
    h = Household
    conn.execute(delete(Quarantine).where(Quarantine.raw_submission_id.in_(batch.raw_ids)))
    replaced = h.raw_submission_id.in_(batch.raw_ids)
    if conn.execute(select(h.household_id).where(replaced).limit(1)).first() is not None:
        delete_households(conn, replaced)  # with their children, PII and classifications
    for model in _HOUSEHOLD_TABLES:
        if model.__tablename__ in batch.tables:
            batch.tables[model.__tablename__].insert_into(conn, model.__table__)
