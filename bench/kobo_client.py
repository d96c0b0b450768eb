"""One reader of the benchmark KoboToolbox's submissions, in its own interpreter; prints one JSON line.

``python -m bench.kobo_client CONTENDER URL [--page-size N] [--cursor JSON] [--store none|empty|PATH]`` where
CONTENDER is

- ``floor``: one ``GET`` of every submission as one document (:mod:`bench.kobo_server`'s export of the data
  API's shape) and ``json.loads``, nothing else (the least any client can do);
- ``floor_orjson``: the same with ``orjson.loads`` (the least a client with a faster JSON parser can do: the
  connector decodes pages with orjson where it reads the same values);
- ``paged``: a plain ``requests`` loop over the data API in pages of ``limit`` (KPI caps it at 1,000) following
  the ``next`` links, ``json.loads`` of each page, nothing else (the least a client of the JSON API can do);
- ``documents``: our client's ``submissions.documents()`` (pages chained by ``_id``), documents only, no records;
- ``ours``: :func:`connectors.kobotoolbox.sync_submissions` from ``--cursor`` (none: a full sync) with the form's
  schema from ``forms/`` and the store ``--store`` (``empty``: a warehouse holding nothing, the first sync;
  ``none``: no reconciliation, new submissions only; a path: the server's ``store.bin``, a warehouse holding what
  the full sync stored), records counted and dropped (storage is measured by the pipeline benchmark).

The schema is built and the modules imported before the clock starts (the Dagster resource builds the schema
when it opens the sync). Memory is the resident high-water mark of the read, above what the interpreter held.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import orjson
import requests

from bench.kobo_server import ASSET_UID, STORE_DTYPE, TOKEN
from bench.measure import measured
from connectors.demo import FORM_ID

STORE_CHUNK = 5000  # identities read from the store file at a time, like WarehouseSubmissions' pages

_DATA = f"/api/v2/assets/{ASSET_UID}/data/"


class FileStore:
    """A warehouse holding what ``store.bin`` lists: identities streamed in ascending ``_id``, a page at a time."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def identities(self) -> Iterator:
        from connectors.sync import StoredIdentity

        with open(self.path, "rb") as f:
            while True:
                chunk = np.fromfile(f, STORE_DTYPE, count=STORE_CHUNK)
                if not len(chunk):
                    return
                for kobo_id, instance, current, review in chunk.tolist():
                    yield StoredIdentity(kobo_id, instance.decode(), current.decode() or None,
                                         review.decode() or None)

    def records(self, instance_ids: Sequence[str]) -> list:
        return []  # the benchmark deletes nothing: a deletion would be reported as `deleted` 0 and a warning


class EmptyStore:
    """A warehouse that holds nothing of the asset yet."""

    def identities(self) -> list:
        return []

    def records(self, instance_ids: Sequence[str]) -> list:
        return []


def floor(url: str, page_size: int, cursor: dict | None, store: str, *, loads=json.loads) -> dict:
    session = requests.Session()
    response = session.get(f"{url}/bench/export/{ASSET_UID}.json", headers={"Authorization": f"Token {TOKEN}"})
    response.raise_for_status()
    return {"rows": len(loads(response.content)["results"]), "requests": 1}


def floor_orjson(url: str, page_size: int, cursor: dict | None, store: str) -> dict:
    return floor(url, page_size, cursor, store, loads=orjson.loads)


def paged(url: str, page_size: int, cursor: dict | None, store: str) -> dict:
    session = requests.Session()
    headers = {"Authorization": f"Token {TOKEN}", "Accept": "application/json"}
    following: str | None = f"{url}{_DATA}?format=json&limit={page_size}"
    rows = pages = 0
    while following:
        response = session.get(following, headers=headers)
        response.raise_for_status()
        page = json.loads(response.content)
        rows += len(page["results"])
        pages += 1
        following = page["next"]
    return {"rows": rows, "requests": pages}


def documents(url: str, page_size: int, cursor: dict | None, store: str) -> dict:
    from connectors.kobotoolbox import KoboClient

    with KoboClient(url, TOKEN) as client:
        return {"rows": sum(1 for _ in client.submissions.documents(ASSET_UID, page_size=page_size))}


def ours(url: str, page_size: int, cursor: dict | None, store: str, *, schema=None) -> dict:
    from connectors.kobotoolbox import KoboClient, sync_submissions

    stored = None if store == "none" else EmptyStore() if store == "empty" else FileStore(Path(store))
    with KoboClient(url, TOKEN) as client:
        sync = sync_submissions(client, ASSET_UID, cursor, store=stored, schema=schema, form_id=FORM_ID,
                                page_size=page_size)
        rows = sum(1 for _ in sync)
        return {"rows": rows, "new": sync.new_count, "changed": sync.changed_count, "deleted": sync.deleted_count,
                "cursor": sync.cursor}


CONTENDERS = {f.__name__: f for f in (floor, floor_orjson, paged, documents, ours)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("contender", choices=sorted(CONTENDERS))
    parser.add_argument("url")
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--cursor", type=json.loads, default=None)
    parser.add_argument("--store", default="empty", help="ours: none, empty or the path of a store.bin")
    args = parser.parse_args()
    import connectors.kobotoolbox  # noqa: F401 - imported before measuring
    options = {}
    if args.contender == "ours":
        from connectors.forms import definition

        started = time.perf_counter()
        options["schema"] = definition(FORM_ID).schema
        schema_seconds = time.perf_counter() - started
    with measured() as m:
        result = CONTENDERS[args.contender](args.url, args.page_size, args.cursor, args.store, **options)
    if args.contender == "ours":
        result["schema_seconds"] = round(schema_seconds, 3)
    print(json.dumps({**result, "seconds": round(m.seconds, 3), "peak_mb": round(m.peak_mb, 1),
                      "grew_mb": round(m.grew_mb, 1)}))


if __name__ == "__main__":
    main()
