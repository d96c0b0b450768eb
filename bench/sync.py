"""Sync benchmark: our connector against the floor and pyodk on the same paced server, then an incremental run."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import requests

from bench.costmodel import PAGE_COST
from bench.measure import ROOT, households_for, label, run_json

ALL_CONTENDERS = ("floor", "ours", "nextlink", "pyodk_table", "pyodk_loop")


@contextmanager
def bench_central(households: int, *, cost_scale: float = 1.0, national: bool = True) -> Iterator[str]:
    """A :mod:`bench.central` server in its own process (its own core); yields its URL."""
    args = [sys.executable, "-m", "bench.central", "--households", str(households), "--cost-scale", str(cost_scale)]
    if national:
        args.append("--national")
    process = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        url = process.stdout.readline().strip()
        if not url.startswith("http"):
            raise RuntimeError(f"the benchmark server did not start (exit {process.poll()})")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def server_stats(url: str, *, reset: bool = False) -> dict:
    stats = requests.get(f"{url}/bench/stats", timeout=10).json()
    if reset:
        requests.post(f"{url}/bench/reset", timeout=10)
    return stats


def run(children: int, *, page_size: int, contenders: tuple[str, ...] = ALL_CONTENDERS, cost_scale: float = 1.0,
        incremental: int = 100, skip_slow_over: float = 600.0) -> dict:
    """Every contender reads the whole form once; ``ours`` then reads ``incremental`` new submissions.

    A contender the cost model predicts to take longer than ``skip_slow_over`` seconds is not run; the
    prediction is reported instead (``predicted_seconds``).
    """
    households = households_for(children)
    result: dict = {"children": children, "size": label(children), "households": households,
                    "page_size": page_size, "cost_scale": cost_scale, "contenders": {}}
    started = time.perf_counter()
    with bench_central(households, cost_scale=cost_scale) as url:
        result["server_start_seconds"] = round(time.perf_counter() - started, 1)
        cursor = None
        for name in contenders:
            predicted = _predicted(name, households, page_size) * cost_scale
            if predicted > skip_slow_over:
                result["contenders"][name] = {"skipped": True, "predicted_seconds": round(predicted, 1)}
                continue
            server_stats(url, reset=True)
            measured = run_json(["-m", "bench.sync_client", name, url, "--page-size", str(page_size)],
                                timeout=max(120.0, predicted * 3 + 60))
            measured["server"] = server_stats(url)
            measured["predicted_seconds"] = round(predicted, 1)
            measured["per_second"] = round(measured["rows"] / measured["seconds"]) if measured["seconds"] else None
            cursor = measured.pop("cursor", cursor)
            result["contenders"][name] = measured
        if incremental and cursor is not None:
            requests.post(f"{url}/bench/append", params={"count": incremental}, timeout=60)
            server_stats(url, reset=True)
            measured = run_json(["-m", "bench.sync_client", "ours", url, "--page-size", str(page_size),
                                 "--cursor", json.dumps(cursor)], timeout=600)
            measured.pop("cursor", None)
            measured["server"] = server_stats(url)
            result["incremental"] = {"new_submissions": incremental, **measured}
    return result


def _predicted(name: str, households: int, page_size: int) -> float:
    """The cost model's server time for a contender (client time not included)."""
    if name in ("floor", "pyodk_table"):
        return PAGE_COST.full_read(households, None)
    if name == "ours":
        return PAGE_COST.windowed_read(households, page_size)
    return PAGE_COST.full_read(households, page_size)  # nextlink, pyodk_loop: one query paged through


def markdown(results: list[dict]) -> str:
    """The sync tables of RESULTS.md."""
    lines = ["| children | submissions | contender | wall s | rows/s | vs floor | peak MB (grew) | pages |"
             " server model s |", "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        floor = r["contenders"].get("floor", {}).get("seconds")
        for name, m in r["contenders"].items():
            if m.get("skipped"):
                lines.append(f"| {r['size']} | {r['households']:,} | {name} | not run (model: "
                             f"{m['predicted_seconds']:.0f} s) | | | | | |")
                continue
            ratio = f"{m['seconds'] / floor:.2f}×" if floor else ""
            lines.append(f"| {r['size']} | {r['households']:,} | {name} | {m['seconds']:.2f} | {m['per_second']:,} |"
                         f" {ratio} | {m['peak_mb']:.0f} ({m['grew_mb']:.0f}) | {m['server']['pages']} |"
                         f" {m['server']['modelled_seconds']:.1f} |")
    lines += ["", "| children stored | new submissions | rows read | wall s | pages | rows matched on the server |",
              "|---|---|---|---|---|---|"]
    for r in results:
        inc = r.get("incremental")
        if inc:
            lines.append(f"| {r['size']} | {inc['new_submissions']} | {inc['rows']} | {inc['seconds']:.3f} |"
                         f" {inc['server']['pages']} | {inc['server']['matched']} |")
    return "\n".join(lines)
