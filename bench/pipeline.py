"""Pipeline benchmark: raw store → clean → classify → indicators, then 100 new submissions through every step.

Runs the warehouse steps the Dagster assets call (``warehouse.raw.raw_store``, ``warehouse.clean.steps``,
``warehouse.indicators.indicators``) on a fresh SQLite file or a throwaway PostgreSQL server, in one process, and
measures each step's wall time and resident peak (reset before each step). Rows come from the demo generator
over every commune of the country; reading them (generation + ``record_from_odata_row``) is timed on its own
and reported apart from the store step, which it feeds.

``python -m bench.pipeline CHILDREN BACKEND`` runs one size in a fresh interpreter and prints JSON.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from bench.measure import households_for, label, measured, run_json
from connectors.demo import FORM_ID, household_row, household_rows, national_communes
from connectors.forms import FORMS_DIR, definition
from connectors.odk_central import record_from_odata_row
from connectors.records import SubmissionRecord
from warehouse.classify.classification import load_rules
from warehouse.classify.classify import classify_children
from warehouse.clean import steps
from warehouse.clean.household import Context
from warehouse.clean.pseudonym import Pseudonymizer
from warehouse.indicators import indicators
from warehouse.raw import raw_store
from warehouse.reference import reference_data as ref
from warehouse.schema.admin_units import load_admin_units
from warehouse.schema.db import make_engine, upgrade
from warehouse.schema.models import Target

SEED = 2026
KEY = "bench-pseudonym-key-not-a-secret"
PROJECT = "1"


def records(communes: list, households: int, start: int = 0, *, arriving: datetime | None = None
            ) -> Iterator[SubmissionRecord]:
    """The generator's rows as the connector yields them."""
    if arriving is None:
        rows = household_rows(communes, households, SEED, start)
    else:
        rows = (household_row(communes, n, SEED, submitted=arriving + timedelta(milliseconds=n - start))
                for n in range(start, start + households))
    for row in rows:
        yield record_from_odata_row(row, PROJECT, FORM_ID)


# The PostgreSQL server's settings, as a server on this machine would be set: PostgreSQL's default of 128 MB of buffers
# is for any machine (a quarter of the memory is the usual advice; 1 GB is a twentieth here), and the clean tables'
# indexes at 1m children outgrow it: clean at 1m, 71.9/68.3 s against 77.5/73.3 s (interleaved, on one copy).
SERVER_SETTINGS = {"shared_buffers": "1GB"}


@contextmanager
def warehouse(backend: str) -> Iterator[str]:
    """The URL of an empty warehouse on ``backend``, removed afterwards."""
    if backend == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="clms-bench-"))
        try:
            yield f"sqlite:///{folder / 'warehouse.sqlite'}"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    from tests.pg_server import PostgresServer, find_bindir

    bindir = find_bindir()
    if bindir is None:
        raise RuntimeError("no PostgreSQL server binaries: set PG_BINDIR or install postgresql")
    with PostgresServer(bindir, SERVER_SETTINGS) as server:
        yield server.create_database("clms_bench")


def load_reference_data(engine) -> None:
    """What the reference assets load: the shipped targets, old communes and reporting areas."""
    units, legacy = load_admin_units(), ref.load_legacy_units()
    ids = set(indicators.load_settings().names)
    path = ref.SHIPPED_TARGETS
    rows = ref.validate_targets(ref.read_table(path, ref.TARGET_COLUMNS), path.name, ids, units, legacy)
    ref.store_uploads(engine, "targets", {path.name: rows})
    ref.store_legacy_communes(engine, ref.legacy_commune_rows(legacy))
    with engine.connect() as conn:
        legacy_areas = {(level, code) for level, code in conn.execute(
            select(Target.jurisdiction_level, Target.jurisdiction_code).where(Target.code_list_version == ref.LEGACY))}
    ref.store_area_communes(engine, ref.area_communes(units, legacy, legacy_areas))


def measure_steps(children: int, backend: str, *, incremental: int = 100) -> dict:
    households = households_for(children)
    communes = national_communes(FORMS_DIR / "media" / "communes.csv")
    ctx = Context(Pseudonymizer(KEY), load_admin_units(), definition(FORM_ID).codes)
    rules, settings = load_rules(), indicators.load_settings()
    result: dict = {"children": children, "size": label(children), "households": households, "backend": backend,
                    "steps": {}, "incremental": {}}
    if backend == "postgresql":
        result["server_settings"] = SERVER_SETTINGS

    def step(into: dict, name: str, work) -> object:
        with measured() as m:
            outcome = work()
        into[name] = {"seconds": round(m.seconds, 3), "peak_mb": round(m.peak_mb, 1), "grew_mb": round(m.grew_mb, 1)}
        return outcome

    def all_indicators() -> dict:  # what the indicator_values asset does
        done = indicators.refresh(engine, settings, rules.version)
        return {"cells_written": done.survey_cells + done.other_cells}

    with warehouse(backend) as url:
        engine = make_engine(url)
        upgrade(engine)
        load_reference_data(engine)
        step(result["steps"], "read rows (generator)", lambda: sum(1 for _ in records(communes, households)))
        stored = step(result["steps"], "store", lambda: raw_store.store_records(engine, records(communes, households)))
        cleaned = step(result["steps"], "clean", lambda: steps.clean_households(engine, ctx))
        classified = step(result["steps"], "classify", lambda: classify_children(engine, rules))
        cells = step(result["steps"], "indicators", all_indicators)
        classifications = classified.loaded["child_classification"]
        result["counts"] = {"stored": stored.as_dict(), "cleaned": cleaned.as_dict(),
                            "classifications": classifications, "cells": cells}
        step(result["steps"], "re-run with nothing new", lambda: (steps.clean_households(engine, ctx),
                                                                   classify_children(engine, rules)))
        if incremental:
            arriving = datetime(2027, 1, 1, tzinfo=UTC)
            new = list(records(communes, incremental, households, arriving=arriving))
            inc = result["incremental"]
            step(inc, "store", lambda: raw_store.store_records(engine, new))
            added = step(inc, "clean", lambda: steps.clean_households(engine, ctx))
            step(inc, "classify", lambda: classify_children(engine, rules))
            refreshed = step(inc, "indicators", all_indicators)
            result["incremental_counts"] = {"new_submissions": incremental, "cleaned": added.as_dict(),
                                            "indicators": refreshed}
        engine.dispose()
    core = ("clean", "classify", "indicators")
    result["raw_to_indicators_seconds"] = round(sum(result["steps"][s]["seconds"] for s in core), 2)
    result["raw_to_indicators_peak_mb"] = max(result["steps"][s]["peak_mb"] for s in core)
    return result


def run(children: int, backend: str) -> dict:
    """One size on one backend, in a fresh interpreter (memory figures of its own)."""
    return run_json(["-m", "bench.pipeline", str(children), backend], timeout=3600)


def markdown(results: list[dict]) -> str:
    lines = ["| backend | children | households | step | wall s | per s | peak MB (grew) |", "|---|---|---|---|---|---|---|"]
    for r in results:
        for name, m in r["steps"].items():
            unit = r["households"] if name in ("read rows (generator)", "store", "clean") else r["children"]
            rate = f"{unit / m['seconds']:,.0f}" if m["seconds"] >= 0.1 and not name.startswith("re-run") else ""
            lines.append(f"| {r['backend']} | {r['size']} | {r['households']:,} | {name} | {m['seconds']:.2f} | {rate} |"
                         f" {m['peak_mb']:.0f} ({m['grew_mb']:.0f}) |")
        lines.append(f"| {r['backend']} | {r['size']} | {r['households']:,} | **clean + classify + indicators** |"
                     f" **{r['raw_to_indicators_seconds']:.1f}** | | {r['raw_to_indicators_peak_mb']:.0f} |")
        for name, m in r.get("incremental", {}).items():
            lines.append(f"| {r['backend']} | {r['size']} + 100 new | | {name} | {m['seconds']:.3f} | |"
                         f" {m['peak_mb']:.0f} ({m['grew_mb']:.0f}) |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("children", type=int)
    parser.add_argument("backend", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    print(json.dumps(measure_steps(args.children, args.backend)))


if __name__ == "__main__":
    sys.exit(main())
