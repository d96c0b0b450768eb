"""``python -m bench {sync,kobo,pipeline,all,model} [--sizes 1k,100k,1m] …``: benchmarks, results as JSON, Markdown.

- ``sync``: our connector, the floor (one document + ``json.loads``) and pyodk against :mod:`bench.central`
  (a loopback ODK Central paced by :mod:`bench.costmodel`), then 100 new submissions incrementally;
- ``kobo``: our KoboToolbox connector, the floor and a plain paged reader against :mod:`bench.kobo_server`
  (a loopback KPI, no cost model), then 100 new submissions incrementally, with and without reconciliation;
- ``pipeline``: raw store → clean → classify → indicators on SQLite and PostgreSQL, wall time and peak
  memory per step, then 100 new submissions through every step;
- ``model``: the cost model's fit and its predictions;
- ``all``: ``sync``, ``kobo``, then ``pipeline``;
- ``report``: the Markdown tables of the saved results of ``--tag`` (for ``RESULTS.md``).

Each run writes ``bench/results/<benchmark>-<size>[-<backend>]-<tag>.json`` and prints its Markdown table.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bench import costmodel
from bench.measure import label, machine, parse_size

RESULTS = Path(__file__).with_name("results")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("benchmark", choices=["sync", "kobo", "pipeline", "all", "model", "report"])
    parser.add_argument("--sizes", default="1k,100k", help="children, comma-separated: 1k,100k,1m (default 1k,100k)")
    parser.add_argument("--backends", default="sqlite,postgresql", help="pipeline warehouses (default both)")
    parser.add_argument("--page-size", type=int, default=None, help="connector page size (default: its own)")
    parser.add_argument("--contenders", default=None, help="sync contenders, comma-separated (default all)")
    parser.add_argument("--cost-scale", type=float, default=1.0, help="server pacing: 1 = a real Central, 0 = none")
    parser.add_argument("--skip-slow-over", type=float, default=600.0,
                        help="do not run a sync contender the model predicts slower than this many seconds")
    parser.add_argument("--repeat", type=int, default=3, help="kobo: runs of each contender (the median is kept)")
    parser.add_argument("--tag", default="latest", help="suffix of the result files")
    args = parser.parse_args(argv)
    if args.benchmark == "model":
        print(costmodel.report())
        return
    if args.benchmark == "report":
        report(args.tag)
        return
    sizes = [parse_size(s) for s in args.sizes.split(",") if s]
    RESULTS.mkdir(exist_ok=True)
    print(json.dumps(machine()))
    if args.benchmark in ("sync", "all"):
        from bench import sync
        from connectors.odk_central.submissions import DEFAULT_PAGE_SIZE

        contenders = tuple(args.contenders.split(",")) if args.contenders else sync.ALL_CONTENDERS
        results = []
        for children in sizes:
            result = sync.run(children, page_size=args.page_size or DEFAULT_PAGE_SIZE, contenders=contenders,
                              cost_scale=args.cost_scale, skip_slow_over=args.skip_slow_over)
            result["machine"] = machine()
            _write(f"sync-{label(children)}-{args.tag}.json", result)
            results.append(result)
            print(sync.markdown([result]), flush=True)
    if args.benchmark in ("kobo", "all"):
        from bench import kobo
        from connectors.kobotoolbox.submissions import PAGE_SIZE

        chosen = [c for c in (args.contenders or "").split(",") if c in kobo.ALL_CONTENDERS]
        for children in sizes:
            result = kobo.run(children, page_size=args.page_size or PAGE_SIZE,
                              contenders=tuple(chosen) or kobo.ALL_CONTENDERS, repeat=args.repeat)
            result["machine"] = machine()
            _write(f"kobo-sync-{label(children)}-{args.tag}.json", result)
            print(kobo.markdown([result]), flush=True)
    if args.benchmark in ("pipeline", "all"):
        from bench import pipeline

        for backend in args.backends.split(","):
            results = []
            for children in sizes:
                result = pipeline.run(children, backend)
                result["machine"] = machine()
                _write(f"pipeline-{label(children)}-{backend}-{args.tag}.json", result)
                results.append(result)
                print(pipeline.markdown([result]), flush=True)


def report(tag: str) -> None:
    from bench import kobo, pipeline, sync

    def load(pattern: str) -> list[dict]:
        found = [json.loads(p.read_text(encoding="utf-8")) for p in RESULTS.glob(pattern)]
        return sorted(found, key=lambda r: (r.get("backend", ""), r["children"]))

    if synced := load(f"sync-*-{tag}.json"):
        print(sync.markdown(synced), end="\n\n")
    if kobo_synced := load(f"kobo-sync-*-{tag}.json"):
        print(kobo.markdown(kobo_synced), end="\n\n")
    if piped := load(f"pipeline-*-{tag}.json"):
        print(pipeline.markdown(piped))


def _write(name: str, result: dict) -> None:
    (RESULTS / name).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
