"""KoboToolbox sync benchmark: our connector against the floor on the same loopback KPI, then incremental runs.

Every contender of :mod:`bench.kobo_client` reads the whole asset, each run in a fresh interpreter, from one
:mod:`bench.kobo_server` (no cost model: nothing was measured of a real KPI's page times). Then ``incremental``
new submissions arrive and ``ours`` reads them from the full sync's cursor three times: with no store (new
submissions only: ``_id > max_id``); with a store holding every submission the full sync read, when the daily
reconciliation is not due (what the Dagster asset does on most runs: new submissions only); and when it is due
(edits and deletions can only be seen by comparing every stored identity with the server's).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import requests

from bench.kobo_server import ASSET_UID, TOKEN
from bench.measure import ROOT, households_for, label, run_json

ALL_CONTENDERS = ("floor", "floor_orjson", "paged", "documents", "ours")
FLOOR = ("one GET of every submission as one document of the data API's shape ({count, next: null, previous: "
         "null, results: [all]}: a data page without KPI's cap, 30,000 before 2026 and 1,000 now, and what "
         "read_kobo_json reads from a file; a benchmark endpoint) + json.loads, nothing else; floor_orjson: the "
         "same with orjson.loads")


@contextmanager
def bench_kobo(households: int, *, national: bool = True, max_limit: int | None = None
               ) -> Iterator[tuple[str, dict]]:
    """A :mod:`bench.kobo_server` in its own process, its documents in a temporary folder; yields URL and info."""
    folder = Path(tempfile.mkdtemp(prefix="bench-kobo-"))
    args = [sys.executable, "-m", "bench.kobo_server", "--households", str(households), "--cache-dir", str(folder)]
    if national:
        args.append("--national")
    if max_limit is not None:
        args += ["--max-limit", str(max_limit)]
    process = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        url = process.stdout.readline().strip()
        if not url.startswith("http"):
            raise RuntimeError(f"the benchmark server did not start (exit {process.poll()})")
        yield url, requests.get(f"{url}/bench/info", timeout=10).json()
    finally:
        process.terminate()
        process.wait(timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


def server_stats(url: str, *, reset: bool = False) -> dict:
    stats = requests.get(f"{url}/bench/stats", timeout=10).json()
    if reset:
        requests.post(f"{url}/bench/reset", timeout=10)
    return stats


def _warm_up(url: str) -> None:
    """One small page and the asset, so that no contender pays the server's first calls."""
    headers = {"Authorization": f"Token {TOKEN}"}
    for path in (f"/api/v2/assets/{ASSET_UID}/", f"/api/v2/assets/{ASSET_UID}/data/?format=json&limit=10"):
        requests.get(f"{url}{path}", headers=headers, timeout=60).raise_for_status()


def _client(url: str, name: str, page_size: int, *extra: str, timeout: float) -> dict:
    server_stats(url, reset=True)
    measured = run_json(["-m", "bench.kobo_client", name, url, "--page-size", str(page_size), *extra],
                        timeout=timeout)
    measured["server"] = server_stats(url)
    measured["per_second"] = round(measured["rows"] / measured["seconds"]) if measured["seconds"] else None
    return measured


def run(children: int, *, page_size: int = 1000, contenders: tuple[str, ...] = ALL_CONTENDERS,
        incremental: int = 100, repeat: int = 3, national: bool = True, max_limit: int | None = None) -> dict:
    """Every contender reads the whole asset, ``repeat`` rounds in turn; ``ours`` then reads ``incremental`` new
    submissions (also ``repeat`` times, from the same cursor). Each figure is the median run's wall time and the
    highest peak (``runs``: every wall time): the machine is shared, a single run can be off by a factor of two."""
    households = households_for(children)
    timeout = max(300.0, households * 0.002)  # 2 ms a submission: ten times the slowest seen
    result: dict = {"children": children, "size": label(children), "households": households,
                    "page_size": page_size, "cost_scale": 0, "repeat": repeat, "floor": FLOOR, "contenders": {}}
    started = time.perf_counter()
    with bench_kobo(households, national=national, max_limit=max_limit) as (url, info):
        result["server_start_seconds"] = round(time.perf_counter() - started, 1)
        result["submissions"] = info["submissions"]  # the deleted ones are gone, as on KPI
        result["page_cap"] = info["max_limit"]
        result["mb_of_documents"] = info["mb_on_disk"]
        _warm_up(url)
        runs: dict[str, list[dict]] = {name: [] for name in contenders}
        for _ in range(repeat):
            for name in contenders:
                extra = ("--store", "empty") if name == "ours" else ()
                runs[name].append(_client(url, name, page_size, *extra, timeout=timeout))
        cursor = None
        for name in contenders:
            result["contenders"][name] = _median(runs[name])
            cursor = result["contenders"][name].pop("cursor", cursor)
        if incremental and cursor is not None:
            requests.post(f"{url}/bench/append", params={"count": incremental}, timeout=60)
            result["incremental"] = {"new_submissions": incremental, "stored": info["submissions"]}
            reconciled_now = {**cursor, "reconciled_at": datetime.now(UTC).isoformat(timespec="milliseconds")
                              .replace("+00:00", "Z"), "reconciled": True}
            variants = (("none", "none", cursor), ("store, not due", info["store"], reconciled_now),
                        ("reconciling", info["store"], cursor))
            for store, argument, start in variants:
                measured = _median([_client(url, "ours", page_size, "--cursor", json.dumps(start), "--store",
                                            argument, timeout=timeout) for _ in range(repeat)])
                measured.pop("cursor", None)
                result["incremental"][store] = measured
    return result


def _median(runs: list[dict]) -> dict:
    """The run of median wall time, with the highest peak of all and every wall time."""
    chosen = dict(sorted(runs, key=lambda m: m["seconds"])[len(runs) // 2])
    chosen["peak_mb"] = max(m["peak_mb"] for m in runs)
    chosen["grew_mb"] = max(m["grew_mb"] for m in runs)
    chosen["runs"] = [m["seconds"] for m in runs]
    return chosen


def markdown(results: list[dict]) -> str:
    """The KoboToolbox sync tables (the same columns as the ODK Central ones where they mean the same)."""
    lines = ["| children | submissions | contender | wall s (median) | runs s | rows/s | vs floor | vs floor_orjson |"
             " peak MB (grew) | requests | MB sent | server s |", "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        floor = r["contenders"].get("floor", {}).get("seconds")
        floor_orjson = r["contenders"].get("floor_orjson", {}).get("seconds")  # absent from results before it
        for name, m in r["contenders"].items():
            ratio = f"{m['seconds'] / floor:.2f}×" if floor else ""
            ratio_orjson = f"{m['seconds'] / floor_orjson:.2f}×" if floor_orjson else ""
            server = m["server"]
            lines.append(f"| {r['size']} | {r['submissions']:,} | {name} | {m['seconds']:.2f} | {_spread(m)} |"
                         f" {m['per_second']:,} |"
                         f" {ratio} | {ratio_orjson} | {m['peak_mb']:.0f} ({m['grew_mb']:.0f}) | {server['pages']} |"
                         f" {server['mb_sent']:.1f} | {server['serve_seconds']:.1f} |")
    lines += ["", "| children stored | submissions stored | new | store | records | wall s (median) | runs s |"
              " peak MB (grew) | requests | documents sent | identities sent | MB sent |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        inc = r.get("incremental")
        if not inc:
            continue
        for store in ("none", "store, not due", "reconciling"):
            m = inc.get(store)
            if m:
                server = m["server"]
                lines.append(f"| {r['size']} | {inc['stored']:,} | {inc['new_submissions']} | {store} | {m['rows']} |"
                             f" {m['seconds']:.3f} | {_spread(m, 3)} | {m['peak_mb']:.0f} ({m['grew_mb']:.0f}) |"
                             f" {server['pages']} |"
                             f" {server['documents']:,} | {server['identities']:,} | {server['mb_sent']:.1f} |")
    return "\n".join(lines)


def _spread(measured: dict, digits: int = 2) -> str:
    runs = measured.get("runs") or [measured["seconds"]]
    return f"{min(runs):.{digits}f}–{max(runs):.{digits}f}" if len(runs) > 1 else ""
