"""Measuring: wall time and peak resident memory of a piece of work, the machine, sizes, and subprocesses."""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

CHILDREN_PER_HOUSEHOLD = 1.78  # the generator's mean (0-5 children, 3 % without consent)
ROOT = Path(__file__).resolve().parents[1]


def parse_size(text: str) -> int:
    """``1k`` / ``100k`` / ``1m`` / ``2500`` children → a number of children."""
    text = text.strip().lower()
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * factor)


def households_for(children: int) -> int:
    return max(1, round(children / CHILDREN_PER_HOUSEHOLD))


def label(children: int) -> str:
    if children >= 1_000_000 and children % 1_000_000 == 0:
        return f"{children // 1_000_000}m"
    if children >= 1000 and children % 1000 == 0:
        return f"{children // 1000}k"
    return str(children)


def _status_kb(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def rss_mb() -> float:
    return _status_kb("VmRSS") / 1024


def reset_peak() -> None:
    """Start a new high-water mark of this process's resident memory (Linux ``clear_refs`` 5)."""
    with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
        f.write("5")


def peak_mb() -> float:
    return _status_kb("VmHWM") / 1024


@dataclass
class Measured:
    seconds: float = 0.0
    peak_mb: float = 0.0  # resident high-water mark during the work
    start_mb: float = 0.0  # resident memory when it began

    @property
    def grew_mb(self) -> float:
        return max(0.0, self.peak_mb - self.start_mb)


def tree_rss_mb(root: int | None = None) -> float:
    """Resident memory of process ``root`` (this one) and all its descendants (worker processes), in MB."""
    root = os.getpid() if root is None else root
    children: dict[int, list[int]] = {}
    resident: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as f:
                fields = f.read().rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
        except OSError:  # gone meanwhile
            continue
        pid = int(entry.name)
        children.setdefault(int(fields[1]), []).append(pid)  # field 4, the parent
        resident[pid] = int(fields[21])  # field 24, resident pages
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += resident.get(pid, 0)
        stack.extend(children.get(pid, ()))
    return total * os.sysconf("SC_PAGE_SIZE") / 2**20


TREE_SAMPLE_SECONDS = 0.25  # how often the worker processes' memory is sampled


@contextmanager
def measured() -> Iterator[Measured]:
    """Wall time and resident peak of the block: this process's high-water mark (reset when the block starts)
    or, when higher, the largest sum of this process's and its worker processes' resident memory sampled
    every ``TREE_SAMPLE_SECONDS``."""
    result = Measured(start_mb=rss_mb())
    reset_peak()
    done, sampled = threading.Event(), [0.0]

    def sample() -> None:
        while not done.wait(TREE_SAMPLE_SECONDS):
            sampled[0] = max(sampled[0], tree_rss_mb())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    try:
        yield result
    finally:
        result.seconds = time.perf_counter() - started
        done.set()
        sampler.join()
        result.peak_mb = max(peak_mb(), sampled[0])


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    with open("/proc/meminfo", encoding="ascii") as f:
        total_kb = int(next(line for line in f if line.startswith("MemTotal")).split()[1])
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    except OSError:
        pass
    postgres = "none"
    try:
        from tests.pg_server import find_bindir

        bindir = find_bindir()
        if bindir is not None:
            postgres = subprocess.run([str(bindir / "postgres"), "--version"], capture_output=True, text=True,
                                      check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        pass
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": str(os.cpu_count()),
        "cpu": cpu,
        "ram_gb": f"{total_kb / 1024 / 1024:.1f}",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": postgres,
        "os": platform.platform(),
    }


def run_json(args: list[str], *, timeout: float) -> dict:
    """Run ``python -m …`` in a fresh interpreter (its own memory) and read the JSON it prints last."""
    completed = subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=timeout,
                               cwd=ROOT, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({completed.returncode}):\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])
