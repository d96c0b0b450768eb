"""Prepare the next batch in a second process while this one writes the last.

A step that reads a batch, turns it into rows (Python work) and writes them (database work) uses one core.
:func:`prepared_batches` runs ``prepare`` (read + turn into rows) for batch *k + 1* in a worker process while the
caller writes batch *k*: on two cores the step costs about the larger of the two halves instead of their sum.
The worker only reads; the caller writes each batch and moves its checkpoint in one transaction, so a crash
anywhere loses nothing that the next run does not redo. (A thread does not help: the Python work would hold
the interpreter lock the writer needs.)
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Protocol, TypeVar

from sqlalchemy import Connection, Engine


class Batch(Protocol):
    last: int  # the position after this batch: what the next ``prepare`` starts from


B = TypeVar("B", bound=Batch)
Prepare = Callable[[Connection, int], "B | None"]

_worker_engine: Engine | None = None


def prepared_batches(engine: Engine, prepare: Prepare, position: int, *, parallel: bool) -> Iterator[B]:
    """``prepare(conn, position)`` for each batch in turn (``None``: nothing left), the next one computed
    ahead in a worker process when ``parallel``. ``prepare`` must be picklable (a module-level function,
    or a ``functools.partial`` of one) when ``parallel``."""
    if not parallel:
        while (batch := _prepare_with(engine, prepare, position)) is not None:
            yield batch
            position = batch.last
        return
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    url = engine.url.render_as_string(hide_password=False)
    with ProcessPoolExecutor(1, mp_context=context, initializer=_open, initargs=(url,)) as pool:
        pending = pool.submit(_prepare_in_worker, prepare, position)
        while (batch := pending.result()) is not None:
            pending = pool.submit(_prepare_in_worker, prepare, batch.last)
            yield batch


def _prepare_with(engine: Engine, prepare: Prepare, position: int):
    with engine.connect() as conn:
        return prepare(conn, position)


WORKER_GC_THRESHOLD = 50_000  # a batch allocates millions of short-lived objects and few cycles: collect rarely


def _open(url: str) -> None:
    from warehouse.db import make_engine

    global _worker_engine
    _worker_engine = make_engine(url)
    gc.freeze()  # what the imports left is never garbage
    gc.set_threshold(WORKER_GC_THRESHOLD)


def _prepare_in_worker(prepare: Prepare, position: int):
    return _prepare_with(_worker_engine, prepare, position)
