"""Fewer garbage collections while many short-lived objects are made: a sync's pages, a step worker's batches.

Decoding a page makes tens of thousands of dicts and lists that live until the page has become records: long
enough for the collector's youngest generation (700 allocations by default) to fill many times a page and move
them to the older generations, which it then walks again and again. While :func:`fewer_collections` is in force
the youngest generation holds many more; the objects still go as soon as nothing refers to them (reference
counting does not wait for the collector). A worker process that does nothing else keeps it for good
(:func:`collect_rarely`).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

THRESHOLD = 50_000  # allocations between collections of the youngest generation (bench/RESULTS.md, "Tuning")


def collect_rarely(threshold: int = THRESHOLD) -> tuple[int, int, int]:
    """From now on, collect the youngest generation only every ``threshold`` allocations (never more often than
    before); the thresholds before."""
    previous = gc.get_threshold()
    gc.set_threshold(max(threshold, previous[0]), *previous[1:])
    return previous


@contextmanager
def fewer_collections(threshold: int = THRESHOLD) -> Iterator[None]:
    """:func:`collect_rarely` until the block ends."""
    previous = collect_rarely(threshold)
    try:
        yield
    finally:
        gc.set_threshold(*previous)
