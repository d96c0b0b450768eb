"""Disclosure control at scale: the system ``warehouse.indicators.disclosure.protect`` solves, and how long it takes.

``python -m bench.disclosure CHILDREN [--limit SECONDS]`` builds a SQLite warehouse of the demo generator's children
over every commune of the country (as ``bench.pipeline`` does), computes every unprotected cell (what
``indicators.refresh`` writes to ``restricted_indicator_value`` before publishing), prints the size of the system
(counts, primary suppressions, relations, and the connected components of the counts that no chain of relations
determines: what the combination test factorizes), then times ``protect`` in a child process stopped after
``--limit`` seconds. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import time
from unittest import mock

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from sqlalchemy import select

from bench import pipeline
from bench.measure import households_for, machine
from connectors.demo import FORM_ID, national_communes
from connectors.forms import FORMS_DIR, definition
from warehouse.classify.classification import load_rules
from warehouse.classify.classify import classify_children
from warehouse.clean import steps
from warehouse.clean.household import Context
from warehouse.clean.pseudonym import Pseudonymizer
from warehouse.indicators import disclosure, indicators
from warehouse.infra.bulk import read_frame
from warehouse.raw import raw_store
from warehouse.schema.admin_units import load_admin_units
from warehouse.schema.db import make_engine, upgrade
from warehouse.schema.models import IndicatorValue, RestrictedIndicatorValue


def unprotected_cells(children: int, url: str):
    """The warehouse's cells before disclosure control, with its areas."""
    households = households_for(children)
    communes = national_communes(FORMS_DIR / "media" / "communes.csv")
    ctx = Context(Pseudonymizer(pipeline.KEY), load_admin_units(), definition(FORM_ID).codes)
    rules = load_rules()
    engine = make_engine(url)
    upgrade(engine)
    pipeline.load_reference_data(engine)
    raw_store.store_records(engine, pipeline.records(communes, households))
    steps.clean_households(engine, ctx)
    classify_children(engine, rules)
    with mock.patch.object(disclosure, "publish"):  # the restricted tier only
        indicators.refresh(engine, indicators.load_settings(), rules.version)
    columns = [c.name for c in IndicatorValue.__table__.columns]
    with engine.connect() as conn:
        cells = read_frame(conn, select(*(getattr(RestrictedIndicatorValue, c) for c in columns)), columns)
        areas, _, _ = indicators.reference_frames(conn)
    engine.dispose()
    return cells, areas


def system_size(cells, areas, policy) -> dict:
    """What protect's first round faces: counts, the primary suppressions, relations, and the components of the
    counts left undetermined once every chain of single relations is followed."""
    system = disclosure.first_round(cells, areas, policy)
    small, rel, determined = system.small, system.relations, system.determined
    relation, row = rel["relation"].to_numpy(), rel["row"].to_numpy()
    open_ = ~determined[row]
    columns, column = np.unique(row[open_], return_inverse=True)
    lines, line = np.unique(relation[open_], return_inverse=True)
    graph = coo_matrix((np.ones(len(line)), (line, column + len(lines))), shape=(len(lines) + len(columns),) * 2)
    _, component = connected_components(graph, directed=False)
    sizes = np.bincount(component[len(lines):])
    return {"cells": len(cells), "protected_cells": system.protected_cells, "counts": len(system.counts),
            "small": int(small.sum()), "relations": int(rel["relation"].nunique()), "relation_members": len(rel),
            "determined_by_chains": int(determined.sum()), "small_but_determined": int((small & determined).sum()),
            "undetermined": len(columns), "components": len(sizes),
            "largest_components": sorted(int(s) for s in sizes)[-5:]}


def _timed_protect(cells, areas, policy, out) -> None:
    started = time.perf_counter()
    published = disclosure.protect(cells, areas, policy)
    out.put({"seconds": round(time.perf_counter() - started, 1), "suppressed": int(published["suppressed"].sum())})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("children", type=int)
    parser.add_argument("--limit", type=float, default=600.0, help="seconds protect may take before it is stopped")
    args = parser.parse_args()
    result = {"machine": machine(), "children": args.children}
    with pipeline.warehouse("sqlite") as url:
        started = time.perf_counter()
        cells, areas = unprotected_cells(args.children, url)
        result["build_seconds"] = round(time.perf_counter() - started, 1)
    policy = disclosure.load_policy()
    result["system"] = system_size(cells, areas, policy)
    context = multiprocessing.get_context("fork")
    out = context.Queue()
    worker = context.Process(target=_timed_protect, args=(cells, areas, policy, out))
    worker.start()
    worker.join(args.limit)
    if worker.is_alive():
        worker.terminate()
        result["protect"] = {"finished": False, "stopped_after_seconds": args.limit}
    else:
        result["protect"] = {"finished": True, **out.get()}
    print(json.dumps(result))


if __name__ == "__main__":
    sys.exit(main())
