"""The cleaning engine, raw to clean, for every form (each declared once as a :class:`Cleaning`), and the batch
writing every step shares; resumable.

Each step reads only what changed since its checkpoint (``change_seq``), replaces the rows derived from it,
and moves the checkpoint in the same transaction: a crash loses at most one uncommitted batch, which the
next run does again. A change of the step's logic version (e.g. a new code list) reprocesses everything.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache, partial
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select, update

from connectors.forms import definition
from connectors.xlsform import XlsForm
from warehouse.clean.answers import Rows, unreadable
from warehouse.clean.household import FORM_ID, Context, parse_household
from warehouse.clean.known_answers import known_answers
from warehouse.clean.prefetch import Range, batch_ranges, prepared_batches, workers_for
from warehouse.clean.review_states import ReviewPolicy
from warehouse.clean.values import Problem
from warehouse.infra.bulk import FreshStatistics, TableRows, unstorable
from warehouse.raw.raw_store import changed_batch
from warehouse.schema.clean_links import delete_households
from warehouse.schema.db import large_page_cache
from warehouse.schema.models import Base, Household, PipelineCheckpoint, Quarantine, RawSubmission

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


@dataclass(frozen=True)
class Cleaning:
    """One form's cleaning step, as :func:`clean` runs it. Every field pickles (worker processes parse)."""

    step: str  # the checkpoint's name
    version: str  # the logic version: a change cleans every submission again
    form_id: str
    entity: str  # what a submission quarantined whole is quarantined as
    parse: Callable[[Any], Any]  # a raw row → its rows by table (``.tables``), ``.quarantine`` and ``.reject``
    review: ReviewPolicy  # a submission it excludes is quarantined whole, unread
    main: type  # the table whose rows take, by cascade or :attr:`remove`, all the others a submission gave
    remove: Callable[[Connection, Any], None] | None = None  # (conn, condition on ``main``), else a plain delete
    checked: bool = False  # every value checked before writing (small forms), else only once a write failed


def clean(engine: Engine, cleaning: Cleaning, batch_size: int = STEP_BATCH_SIZE) -> StepStats:
    """Replace what the submissions of ``cleaning``'s form changed since its checkpoint gave: rows, or quarantine
    entries with a reason. A large backlog is parsed in worker processes while this one writes."""
    with engine.connect() as conn:
        position = read_checkpoint(conn, cleaning.step, cleaning.version)
        ranges = batch_ranges(conn, RawSubmission.change_seq, RawSubmission.form_id == cleaning.form_id, position,
                              batch_size)
    prepare = partial(_prepare, cleaning=cleaning)
    write = partial(_write, cleaning=cleaning)
    return write_batches(engine, {cleaning.step: (cleaning.version, position)}, ranges, prepare, write,
                         FreshStatistics(), rewrite=partial(_rewrite, prepare=prepare, write=write))


def clean_households(engine: Engine, ctx: Context, batch_size: int = STEP_BATCH_SIZE) -> StepStats:
    """Turn changed household-survey submissions into households, children and quarantine rows."""
    version = f"{CLEAN_LOGIC_VERSION}|{ctx.units.code_list_version}|{ctx.plausibility.version}|{ctx.review.version}"
    return clean(engine, Cleaning(CLEAN_STEP, version, FORM_ID, "household", partial(parse_household, ctx=ctx),
                                  ctx.review, Household, remove=_remove_households), batch_size)


def _remove_households(conn: Connection, where) -> None:
    if conn.execute(select(Household.household_id).where(where).limit(1)).first() is not None:
        delete_households(conn, where)  # with their children, PII and classifications


def write_batches(engine: Engine, checkpoints: dict[str, tuple[str, int]], ranges: list[Range], prepare, write,
                   statistics: FreshStatistics, *, parallel: bool = True,
                   rewrite: Callable[[Connection, int, int], Any] | None = None) -> StepStats:
    """Write each prepared batch (:func:`prepared_batches`; in worker processes for a long step when
    ``parallel``, i.e. ``prepare`` pickles: :func:`workers_for`) and move the checkpoints (step: (version,
    position read when the ranges were)) to its end in the same transaction, committed every ``COMMIT_ROWS``
    rows; the batches' warnings are logged once committed (a worker process's logs would go nowhere). When
    writing a batch fails, its writes are undone and ``rewrite(conn, after, upto)``, if given, writes the range
    again with every value checked and returns the batch it wrote (:func:`_rewrite`); if that fails
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
class _Batch:
    """One batch of raw submissions, parsed: the rows to write, by table."""

    last: int
    raw_ids: list[int]
    tables: dict[str, TableRows]
    stats: StepStats
    warnings: list[str]


STAMP = ("raw_submission_id", "change_seq")  # set on each row whose table has the column


def _prepare(conn: Connection, after: int, upto: int, *, cleaning: Cleaning, checked: bool = False) -> _Batch:
    """The rows the raw submissions of ``(after, upto]`` give; ``checked`` (or ``cleaning.checked``): a submission
    with a value a column would refuse is quarantined whole instead (:func:`_storable`)."""
    raws = changed_batch(conn, cleaning.form_id, after, upto)
    form = definition(cleaning.form_id)
    tables, stats, warnings = defaultdict(list), StepStats(), []
    for raw in raws:
        stats.processed += 1
        if raw.deleted_at:
            stats.deleted += 1
            continue
        parsed = _parsed(raw, cleaning, form, warnings)
        if checked or cleaning.checked:
            parsed = _storable(parsed, raw, cleaning.entity, warnings)
        stamp = {"raw_submission_id": raw.id, "change_seq": raw.change_seq}
        for q in parsed.quarantine:
            tables["quarantine"].append({**q, **stamp, "form_id": raw.form_id, "instance_id": raw.instance_id})
            stats.quarantined[q["entity"]] += 1
        for name, rows in parsed.tables.items():
            stamped = {k: stamp[k] for k in _stamped(name)}
            tables[name].extend(({**row, **stamped} for row in rows) if stamped else rows)
            if not name.startswith("restricted_"):
                stats.loaded[name] += len(rows)
    by_table = {name: TableRows.of(dicts) for name, dicts in tables.items() if dicts}
    return _Batch(upto, [r.id for r in raws], by_table, stats, warnings)


@lru_cache
def _stamped(table: str) -> list[str]:
    columns = Base.metadata.tables[table].c
    return [k for k in STAMP if k in columns]


def _parsed(raw: Any, cleaning: Cleaning, form: XlsForm, warnings: list[str]) -> Any:
    """What ``cleaning.parse`` makes of ``raw``; the submission quarantined whole, unread, when the review policy
    excludes it, when an answer is to no question of ``form``, or when it cannot be read at all."""
    excluded = cleaning.review.excluded(raw)
    if excluded is None:
        try:
            raw = known_answers(raw, form)
        except Problem as problem:
            excluded = problem
    if excluded is None:
        try:
            return cleaning.parse(raw)
        except Exception as error:  # noqa: BLE001 - a shape no check foresaw: quarantined, never a stuck batch
            warnings.append(f"submission {raw.instance_id} of {raw.form_id} could not be read:"
                            f" {type(error).__name__}")
            excluded = unreadable(error)
    rejected = Rows()
    rejected.reject(excluded, cleaning.entity)
    return rejected


def _storable(parsed: Any, raw: Any, entity: str, warnings: list[str]) -> Any:
    """``parsed``, or the submission quarantined whole (``UNSTORABLE_VALUE``) when a column would refuse one of
    its values (:func:`warehouse.infra.bulk.unstorable`): one bad value never stops the batch."""
    rows = [(name, row) for name, table_rows in parsed.tables.items() for row in table_rows]
    for name, row in [*rows, *(("quarantine", q) for q in parsed.quarantine)]:
        column = unstorable(Base.metadata.tables[name], row)
        if column is not None:
            warnings.append(f"submission {raw.instance_id} of {raw.form_id}: a value cannot be stored"
                            f" ({name}.{column}); quarantined")
            rejected = Rows()
            rejected.reject(unstorable_value(f"{name}.{column}"), entity)
            return rejected
    return parsed


def unstorable_value(column: str) -> Problem:
    """The problem of a submission with a value ``column`` (``table.column``) cannot hold."""
    return Problem(column, None, "UNSTORABLE_VALUE",
                   f"an answer cannot be stored as {column}: a value of the wrong kind (an object, a list, text"
                   " where a number belongs), too long, or holding a character no database keeps")


def _rewrite(conn: Connection, after: int, upto: int, *, prepare, write) -> _Batch:
    """Prepare the batch again with every value checked, and write it."""
    batch = prepare(conn, after, upto, checked=True)
    write(conn, batch)
    return batch


def _write(conn: Connection, batch: _Batch, *, cleaning: Cleaning) -> None:
    conn.execute(delete(Quarantine).where(Quarantine.raw_submission_id.in_(batch.raw_ids)))
    replaced = cleaning.main.raw_submission_id.in_(batch.raw_ids)
    if cleaning.remove is None:
        conn.execute(delete(cleaning.main).where(replaced))  # the tables below it cascade
    else:
        cleaning.remove(conn, replaced)
    for table in Base.metadata.sorted_tables:
        if table.name in batch.tables:
            batch.tables[table.name].insert_into(conn, table)
