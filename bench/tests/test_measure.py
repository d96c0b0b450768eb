"""The benchmarks' memory figure counts the worker processes a step starts, not only the process measuring."""

import multiprocessing
import time

from bench.measure import TREE_SAMPLE_SECONDS, measured, rss_mb

HELD_MB = 200


def _hold_memory() -> None:
    held = bytearray(HELD_MB * 2**20)
    for i in range(0, len(held), 4096):  # touched: resident
        held[i] = 1
    time.sleep(6 * TREE_SAMPLE_SECONDS)


def test_a_worker_process_memory_is_part_of_the_peak() -> None:
    with measured() as m:
        worker = multiprocessing.get_context("forkserver").Process(target=_hold_memory)
        worker.start()
        worker.join()
    assert worker.exitcode == 0
    assert m.peak_mb >= rss_mb() + HELD_MB * 0.9
