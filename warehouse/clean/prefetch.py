"""Prepare the next batches in worker processes while this one writes.

A step that reads a batch, turns it into rows (Python work) and writes them (database work) uses one core.
:func:`prepared_batches` runs ``prepare`` (read + turn into rows) for the batches ahead in worker processes
while the caller writes the current one: the step then costs about its total work shared over the cores
instead of the sum of its halves one after the other. Batches are ranges of ``change_seq`` fixed beforehand
(:func:`batch_ranges`), so any worker can prepare any of them; they come back in order. The workers only
read; the caller writes each batch and moves its checkpoint, so a crash anywhere loses nothing that the next
run does not redo. (A thread does not help: the Python work would hold the interpreter lock the writer needs.)
:func:`worker_pool` and :func:`in_order` do the same for any work that pickles (the indicator step's cells).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from functools import partial
from itertools import islice
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, func, or_, select

from connectors.collector import collect_rarely

B = TypeVar("B")
Range = tuple[int, int]  # (after, upto]: the change_seq values of one batch
Prepare = Callable[[Connection, Any, Any], B]  # (conn, after, upto): a Range, or other bounds (commune codes)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the cores this process may use (a container's share)
    except AttributeError:
        return os.cpu_count() or 1


WORKERS = _cores()  # as many workers as cores: the writer shares them. Preparing a household (read, parse, classify,
#                    pickle) costs more than writing it, so with fewer workers than cores the writer waits
#                    (bench/RESULTS.md, "Tuning")
PARALLEL_FROM = 4  # batches waiting: below this, starting a worker process costs more than it saves
_worker_engine: Engine | None = None


def workers_for(batches: int) -> int:
    """Worker processes for a step of ``batches`` batches: :data:`WORKERS`, none for fewer than ``PARALLEL_FROM``."""
    return WORKERS if batches >= PARALLEL_FROM else 0


def batch_ranges(conn: Connection, seq, condition, after: int, batch_size: int) -> list[Range]:
    """The rows matching ``condition`` with ``seq`` above ``after``, in ranges of ``batch_size`` rows (the last
    one shorter), as ``(after, upto]`` pairs of ``seq`` values: the batches of a step, fixed before it starts."""
    numbered = (select(seq.label("seq"), func.row_number().over(order_by=seq).label("n"),
                       func.count().over().label("total"))
                .where(condition, seq > after).subquery())
    n = numbered.c.n
    ends = conn.execute(select(numbered.c.seq).where(or_(n % batch_size == 0, n == numbered.c.total))
                        .order_by(numbered.c.seq)).scalars().all()
    return list(zip([after, *ends[:-1]], ends))


def prepared_batches(engine: Engine, prepare: Prepare, ranges: list[Range], *, workers: int) -> Iterator[B]:
    """``prepare(conn, after, upto)`` for each range in turn, computed ahead in ``workers`` processes (0: in
    line). ``prepare`` must be picklable (a module-level function, or a ``functools.partial`` of one) when
    there are workers."""
    with worker_pool(workers, engine) as pool:
        run = prepare_in_worker if pool else partial(_prepare_with, engine)
        yield from in_order(pool, ((run, prepare, *r) for r in ranges), ahead=workers + 1)


@contextmanager
def worker_pool(workers: int, engine: Engine) -> Iterator[ProcessPoolExecutor | None]:
    """``workers`` processes, each with an engine on ``engine``'s database (for :func:`prepare_in_worker`);
    none (``None``: :func:`in_order` then works in line) when ``workers`` is 0."""
    if not workers:
        yield None
        return
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    url = engine.url.render_as_string(hide_password=False)
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_open, initargs=(url,)) as pool:
        yield pool


def in_order(pool: Executor | None, calls: Iterable[tuple], *, ahead: int) -> Iterator:
    """``function(*arguments)`` for each call ``(function, *arguments)``, in order: in ``pool``, the first
    ``ahead`` submitted at once and each following one when a result is taken (in line, one by one as asked,
    when there is no pool). The functions and arguments must pickle."""
    if pool is None:
        return (function(*arguments) for function, *arguments in calls)
    calls = iter(calls)
    pending = deque(pool.submit(*call) for call in islice(calls, ahead))

    def results():
        while pending:
            result = pending.popleft().result()
            if (following := next(calls, None)) is not None:
                pending.append(pool.submit(*following))
            yield result
    return results()


def _prepare_with(engine: Engine, prepare: Prepare, after: int, upto: int):
    with engine.connect() as conn:
        return prepare(conn, after, upto)


def _open(url: str) -> None:
    from warehouse.schema.db import make_engine

    global _worker_engine
    _worker_engine = make_engine(url)
    gc.freeze()  # what the imports left is never garbage
    collect_rarely()  # a batch allocates millions of short-lived objects and few cycles


def prepare_in_worker(prepare: Prepare, after: Any, upto: Any):
    """``prepare(conn, after, upto)`` on a connection of the worker's engine: a call to submit to a
    :func:`worker_pool` given an engine."""
    return _prepare_with(_worker_engine, prepare, after, upto)
