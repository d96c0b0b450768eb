"""Fewer garbage collections while many short-lived objects are made: a sync's pages, a step worker's batches.

Decoding a page makes tens of thousands of dicts and lists that live until the page has become records: long
enough for the collector's youngest generation (700 allocations by default) to fill many times a page and move
them to the older generations, which it then walks again and again. While :func:`fewer_collections` is in force
the youngest generation holds many more; the objects still go as soon as nothing refers to them (reference
counting does not wait for the collector).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

THRESHOLD = 50_000  # allocations between collections of the youngest generation (bench/RESULTS.md, "Tuning")


@contextmanager
def fewer_collections(threshold: int = THRESHOLD) -> Iterator[None]:
    """Collect the youngest generation only every ``threshold`` allocations (never more often than before)
    until the block ends."""
    previous = gc.get_threshold()
    gc.set_threshold(max(threshold, previous[0]), *previous[1:])
    try:
        yield
    finally:
        gc.set_threshold(*previous)
