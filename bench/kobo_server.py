"""A loopback KoboToolbox (KPI API v2) for benchmarks: the demo generator's households at any size, Kobo-shaped.

Serves one deployed asset (:data:`ASSET_UID`, the household survey) whose submissions are
:func:`connectors.demo.household_row` turned into KPI documents the way the parity tests' fake does it
(:func:`tests.connectors.household_routes.form_values` → the fake's ``_flatten``: group paths joined by ``/``,
repeats as lists of dicts with full-path keys, string values, then KPI's system keys). ``_id`` follows
``_submission_time`` (1, 2, 3 … in arrival order, as KPI numbers what it receives); the generator's fates become
Kobo's: an edited row has a new ``meta/instanceID``/``_uuid`` with ``meta/rootUuid`` and ``meta/deprecatedID``
the original, an approved one a ``_validation_status``, a deleted one is simply absent (a gap in ``_id``).

Documents are rendered once at start-up (on every core) into a file on disk, each followed by a comma, with
their byte offsets in a numpy array; a second file holds each document's identity projection (the keys
:data:`connectors.kobotoolbox.submissions.IDENTITY_FIELDS` asks for). The process keeps only the offsets and
the ``_id`` column, so it does not grow with the form, and a page is one ``pread`` of consecutive documents:
the server costs next to nothing, and what the benchmark measures is the client. There is **no cost model**:
nothing was measured of a real KPI's page times (the domain notes have none), so pages are served as fast as
the loopback carries them.

``GET /api/v2/assets/{uid}/data/?format=json&limit=&start=&query=&sort=&fields=`` answers as KPI does
(``kpi/views/v2/data.py``, ``DataPagination``): ``{"count","next","previous","results"}``, ``limit`` default 100
cut silently to 1,000 (``--max-limit``), ``next``/``previous`` links with ``start`` (DRF's re-encoded query
string), ``query`` on ``_id`` (``$gt $gte $lt $lte $in`` and equality), ``sort`` on ``_id`` (1 or -1),
``fields`` projection (``_id`` always kept). Other query or sort keys are refused (400): the connector does not
use them. ``GET /api/v2/assets/{uid}/`` returns the asset with its ``content`` (KPI's form JSON).

The floor's document, ``GET /bench/export/{uid}.json`` (same token): every submission in one body of the data
API's shape (``next`` null) — a data page without KPI's cap (30,000 before 2026, 1,000 now; KPI itself has no
such request) and what ``connectors.exports.read_kobo_json`` reads from a file. Streamed from the file with a
``Content-Length``.

Control endpoints (no auth): ``GET /bench/info`` (asset, token, the stored-identities file, counts),
``POST /bench/append?count=N`` (N new submissions arriving now), ``GET /bench/stats``, ``POST /bench/reset``.

The stored-identities file (``store.bin``, :data:`STORE_DTYPE` records in ascending ``_id``) is what a warehouse
holds after syncing every submission served at start-up — ``(kobo_id, instance_id, current_instance_id,
review_state)`` as :func:`connectors.kobotoolbox.stored_identity` derives them — for a benchmark store that
reconciles without a database.

Run: ``python -m bench.kobo_server --households 50000 [--national] [--seed 2026] [--cache-dir DIR]``; prints its
URL on the first line of stdout once ready.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import numpy as np

from bench.counters import RequestCounters
from connectors.demo import FORM_ID, demo_communes, household_row, national_communes, row_system
from connectors.forms import FORMS_DIR
from connectors.kobotoolbox.documents import instance_ids, is_edited, review_state
from connectors.kobotoolbox.submissions import IDENTITY_FIELDS
from tests.connectors.fake_kobotoolbox import _replace_params, content_paths, kpi_content
from tests.connectors.kobo_demo import ASSET_UID, OWNER, VERSION_ID, kobo_document

TOKEN = "bench-kobo-token-not-a-secret"
MAX_LIMIT = 1000  # KPI's cap on hosted servers since early 2026
DEFAULT_LIMIT = 100
STORE_DTYPE = np.dtype([("kobo_id", "<i8"), ("instance_id", "S48"), ("current_instance_id", "S48"),
                        ("review_state", "S16")])
RENDER_CHUNK = 2000  # households per task of the start-up render
SEND_BYTES = 8 << 20  # bytes per write of a streamed body

_worker: dict[str, Any] = {}


def household_xlsx() -> Path:
    return FORMS_DIR / f"{FORM_ID}.xlsx"


def _encode(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def render(communes: list, seed: int, paths: dict[str, str], rows: list[tuple[int, int, datetime | None]]
           ) -> tuple[bytes, np.ndarray, bytes, np.ndarray, np.ndarray]:
    """Documents of ``(kobo_id, household n, arrival or None)``: their bytes (each followed by ``,``) and lengths,
    the identity projections likewise, and the stored identities (:data:`STORE_DTYPE`)."""
    full, full_sizes, ident, ident_sizes = [], [], [], []
    store = np.zeros(len(rows), STORE_DTYPE)
    for i, (kobo_id, n, arrival) in enumerate(rows):
        document = kobo_document(household_row(communes, n, seed, submitted=arrival), kobo_id, paths)
        data = _encode(document) + b","
        full.append(data)
        full_sizes.append(len(data))
        data = _encode({k: v for k, v in document.items() if k in IDENTITY_FIELDS}) + b","
        ident.append(data)
        ident_sizes.append(len(data))
        stable, current = instance_ids(document)
        store[i] = (kobo_id, stable, current,
                    review_state(document["_validation_status"], edited=is_edited(document)) or "")
    return (b"".join(full), np.asarray(full_sizes, np.int64), b"".join(ident), np.asarray(ident_sizes, np.int64),
            store)


def _init_worker(communes: list, seed: int, paths: dict[str, str]) -> None:
    _worker.update(communes=communes, seed=seed, paths=paths)


def _system_task(span: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    start, stop = span
    created = np.empty(stop - start, np.int64)
    deleted = np.empty(stop - start, bool)
    for i, n in enumerate(range(start, stop)):
        _, submitted, _, gone = row_system(_worker["communes"], n, _worker["seed"])
        created[i] = _ms(submitted)
        deleted[i] = gone is not None
    return created, deleted


def _render_task(rows: list[tuple[int, int, None]]):
    return render(_worker["communes"], _worker["seed"], _worker["paths"], rows)


def _ms(stamp: str) -> int:
    return int(datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp() * 1000)


class Catalog:
    """The asset's submissions on disk: ``_id`` ascending, byte offsets of each document and of its identity."""

    def __init__(self, communes: list, households: int, seed: int, folder: Path, *, workers: int | None = None
                 ) -> None:
        self.communes, self.seed, self.folder = communes, seed, folder
        self.paths = content_paths(kpi_content(household_xlsx().read_bytes()))
        self.lock = threading.Lock()
        started = time.perf_counter()
        spans = [(s, min(s + RENDER_CHUNK, households)) for s in range(0, households, RENDER_CHUNK)]
        workers = workers or os.cpu_count() or 1
        with _pool(workers if households > 2 * RENDER_CHUNK else 1, communes, seed, self.paths) as pool:
            parts = list(pool.imap(_system_task, spans))
            created = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, np.int64)
            deleted = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, bool)
            order = np.lexsort((np.arange(households), created))  # arrival order: (submission time, n)
            kobo_ids = np.arange(1, households + 1)  # the n-th arrival gets _id n; a deleted one leaves a gap
            live = ~deleted[order]
            self.next_id = households + 1
            self.newest_ms = int(created.max()) if households else _ms("2026-01-01T00:00:00.000Z")
            tasks = [[(int(k), int(n), None) for k, n in zip(kobo_ids[live][s:s + RENDER_CHUNK],
                                                              order[live][s:s + RENDER_CHUNK], strict=True)]
                     for s in range(0, int(live.sum()), RENDER_CHUNK)]
            self.full_file = open(folder / "documents.json", "w+b")  # noqa: SIM115 - lives with the server
            self.ident_file = open(folder / "identities.json", "w+b")  # noqa: SIM115
            with open(folder / "store.bin", "wb") as store:
                full_sizes, ident_sizes = [], []
                for full, sizes, ident, isizes, stored in pool.imap(_render_task, tasks):
                    self.full_file.write(full)
                    self.ident_file.write(ident)
                    store.write(stored.tobytes())
                    full_sizes.append(sizes)
                    ident_sizes.append(isizes)
        self.full_file.flush()
        self.ident_file.flush()
        self.ids = kobo_ids[live].astype(np.int64)
        self.full_off = np.concatenate([[0], np.cumsum(np.concatenate(full_sizes) if full_sizes else [])]
                                       ).astype(np.int64)
        self.ident_off = np.concatenate([[0], np.cumsum(np.concatenate(ident_sizes) if ident_sizes else [])]
                                        ).astype(np.int64)
        self.households = households
        self.build_seconds = round(time.perf_counter() - started, 1)

    def __len__(self) -> int:
        return len(self.ids)

    def snapshot(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        with self.lock:
            return self.ids, self.full_off, self.ident_off

    def append(self, count: int) -> list[int]:
        """``count`` new submissions arriving now (a second after the newest, a millisecond apart)."""
        with self.lock:
            arrival = datetime.fromtimestamp(self.newest_ms / 1000, UTC) + timedelta(seconds=1)
            rows = [(self.next_id + i, self.households + i, arrival + timedelta(milliseconds=i)) for i in range(count)]
            full, sizes, ident, isizes, _ = render(self.communes, self.seed, self.paths, rows)
            self.full_file.seek(0, os.SEEK_END)
            self.full_file.write(full)
            self.full_file.flush()
            self.ident_file.seek(0, os.SEEK_END)
            self.ident_file.write(ident)
            self.ident_file.flush()
            new_ids = np.asarray([r[0] for r in rows], np.int64)
            self.ids = np.concatenate([self.ids, new_ids])
            self.full_off = np.concatenate([self.full_off, self.full_off[-1] + np.cumsum(sizes)])
            self.ident_off = np.concatenate([self.ident_off, self.ident_off[-1] + np.cumsum(isizes)])
            self.next_id += count
            self.households += count
            self.newest_ms = _ms(arrival.isoformat()) + count
            return new_ids.tolist()

    def read(self, identities: bool, positions: np.ndarray) -> bytes:
        """The documents (or identity projections) at ``positions``, comma-separated, in that order."""
        ids, full_off, ident_off = self.snapshot()
        offsets, handle = (ident_off, self.ident_file) if identities else (full_off, self.full_file)
        if not len(positions):
            return b""
        first, last = int(positions[0]), int(positions[-1])
        if last - first == len(positions) - 1 and np.all(np.diff(positions) == 1):  # consecutive: one read
            start, stop = int(offsets[first]), int(offsets[last + 1])
            return os.pread(handle.fileno(), stop - start, start)[:-1]
        parts = [os.pread(handle.fileno(), int(offsets[p + 1] - offsets[p]), int(offsets[p])) for p in positions]
        return b"".join(parts)[:-1]


class _pool:
    """A process pool over the cores (fork: the workers share the communes), or in-process for small forms."""

    def __init__(self, workers: int, communes: list, seed: int, paths: dict[str, str]) -> None:
        self.workers, self.args = workers, (communes, seed, paths)
        self.pool = None

    def __enter__(self):
        if self.workers > 1:
            self.pool = multiprocessing.get_context("fork").Pool(self.workers, _init_worker, self.args)
            return self.pool
        _init_worker(*self.args)
        return self

    def imap(self, function, items):
        return map(function, items)

    def __exit__(self, *exc_info: object) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool.join()


class ApiError(Exception):
    def __init__(self, status: int, body: Any) -> None:
        super().__init__(status)
        self.status, self.body = status, body


class BenchKobo:
    def __init__(self, catalog: Catalog, *, max_limit: int = MAX_LIMIT) -> None:
        self.catalog, self.max_limit = catalog, max_limit
        self.stats = RequestCounters(documents=0, identities=0, bytes=0, serve_seconds=0.0)
        self.content = kpi_content(household_xlsx().read_bytes())
        self.server: ThreadingHTTPServer | None = None

    def serve(self, port: int = 0) -> str:
        handler = type("Handler", (_Handler,), {"kobo": self})
        self.server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.server.daemon_threads = True
        return f"http://127.0.0.1:{self.server.server_address[1]}"


_DATA = re.compile(r"/api/v2/assets/(?P<uid>[^/]+)/data/")
_ASSET = re.compile(r"/api/v2/assets/(?P<uid>[^/]+)/")
_EXPORT = re.compile(r"/bench/export/(?P<uid>[^/]+)\.json")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # TCP_NODELAY, as web servers set it: see bench/RESULTS.md §2b, tenth round
    kobo: BenchKobo

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        path, query = self._target()
        kobo = self.kobo
        kobo.stats.request()
        if path == "/bench/append":
            ids = kobo.catalog.append(int(query.get("count", "1")))
            return self._json(200, {"appended": len(ids), "first_id": ids[0] if ids else None,
                                    "total": len(kobo.catalog)})
        if path == "/bench/reset":
            kobo.stats.reset()
            return self._json(200, {})
        return self._json(404, {"detail": "Not found."})

    def do_GET(self) -> None:
        path, query = self._target()
        kobo = self.kobo
        kobo.stats.request()
        if path == "/bench/stats":
            counts = kobo.stats.as_dict()
            counts["mb_sent"] = round(counts.pop("bytes") / 1e6, 1)
            return self._json(200, {**counts, "submissions": len(kobo.catalog)})
        if path == "/bench/info":
            catalog = kobo.catalog
            return self._json(200, {"asset": ASSET_UID, "token": TOKEN, "store": str(catalog.folder / "store.bin"),
                                    "households": catalog.households, "submissions": len(catalog),
                                    "build_seconds": catalog.build_seconds, "max_limit": kobo.max_limit,
                                    "mb_on_disk": round(int(catalog.full_off[-1]) / 1e6, 1)})
        try:
            self._authenticate()
            if match := _DATA.fullmatch(path):
                self._asset(match["uid"])
                return self._data(query)
            if match := _EXPORT.fullmatch(path):
                self._asset(match["uid"])
                return self._export()
            if match := _ASSET.fullmatch(path):
                self._asset(match["uid"])
                return self._json(200, self._asset_json())
            raise ApiError(404, {"detail": "Not found."})
        except ApiError as error:
            return self._json(error.status, error.body)

    def _target(self) -> tuple[str, dict[str, str]]:
        parts = urlsplit(self.path)
        return unquote(parts.path), dict(parse_qsl(parts.query, keep_blank_values=True))

    def _authenticate(self) -> None:
        scheme, _, key = (self.headers.get("Authorization") or "").partition(" ")
        if scheme != "Token":
            raise ApiError(401, {"detail": "Authentication credentials were not provided."})
        if key != TOKEN:
            raise ApiError(401, {"detail": "Invalid token."})

    def _asset(self, uid: str) -> None:
        if uid != ASSET_UID:
            raise ApiError(404, {"detail": "Not found."})

    def _asset_json(self) -> dict[str, Any]:
        base = f"http://{self.headers.get('Host')}/api/v2/assets/{ASSET_UID}/"
        return {"url": base, "owner__username": OWNER, "uid": ASSET_UID, "name": "Household survey",
                "asset_type": "survey", "version_id": VERSION_ID, "deployed_version_id": VERSION_ID,
                "has_deployment": True, "deployment__active": True,
                "deployment__submission_count": len(self.kobo.catalog), "content": self.kobo.content,
                "data": f"{base}data/", "files": []}

    def _data(self, query: dict[str, str]) -> None:
        started = time.perf_counter()
        if query.get("format", "json") != "json":
            raise ApiError(404, {"detail": "Not found."})
        try:
            limit = int(query.get("limit", DEFAULT_LIMIT))
            if limit <= 0:
                raise ValueError
        except ValueError:
            raise ApiError(400, {"limit": ["A positive integer is required"]}) from None
        limit = min(limit, self.kobo.max_limit)
        try:
            start = max(0, int(query.get("start", 0)))
        except ValueError:
            start = 0
        try:
            mongo = json.loads(query.get("query") or "{}")
            sort = json.loads(query.get("sort") or '{"_id": 1}')
            fields = json.loads(query.get("fields") or "[]")
        except ValueError:
            raise ApiError(400, {"detail": "Value must be valid JSON."}) from None
        ids, _, _ = self.kobo.catalog.snapshot()
        selected = _select(ids, mongo)
        if list(sort) != ["_id"]:
            raise ApiError(400, {"detail": "this benchmark server sorts on `_id` only"})
        if int(sort["_id"]) < 0:
            selected = selected[::-1]
        page = selected[start:start + limit]
        wanted = set(fields) | {"_id"} if fields else None
        identities = wanted is not None and wanted <= set(IDENTITY_FIELDS)
        body = self.kobo.catalog.read(identities, page)
        if wanted is not None and wanted != set(IDENTITY_FIELDS):  # another projection: parse and cut
            documents = json.loads(b"[" + body + b"]")
            body = b",".join(_encode({k: v for k, v in d.items() if k in wanted}) for d in documents)
        url = f"http://{self.headers.get('Host')}{self.path}"
        following = None if start + limit >= len(selected) else _replace_params(url, limit=limit, start=start + limit)
        previous = None if start <= 0 else _replace_params(url, limit=limit,
                                                           start=None if start - limit <= 0 else start - limit)
        head = (f'{{"count":{len(selected)},"next":{json.dumps(following)},"previous":{json.dumps(previous)},'
                f'"results":[').encode()
        sent = self._send([head, body, b"]}"])
        self.kobo.stats.page(documents=0 if identities else len(page), identities=len(page) if identities else 0,
                             bytes=sent, serve_seconds=time.perf_counter() - started)

    def _export(self) -> None:
        """Every submission in one document, streamed from the file."""
        started = time.perf_counter()
        catalog = self.kobo.catalog
        ids, full_off, _ = catalog.snapshot()
        size = int(full_off[-1])
        head = f'{{"count":{len(ids)},"next":null,"previous":null,"results":['.encode()
        tail = b"]}"
        length = len(head) + max(0, size - 1) + len(tail)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(length))
        self.end_headers()
        self.wfile.write(head)
        handle = catalog.full_file.fileno()
        for offset in range(0, max(0, size - 1), SEND_BYTES):
            self.wfile.write(os.pread(handle, min(SEND_BYTES, size - 1 - offset), offset))
        self.wfile.write(tail)
        self.wfile.flush()
        self.kobo.stats.page(documents=len(ids), identities=0, bytes=length, serve_seconds=time.perf_counter() - started)

    def _send(self, parts: list[bytes]) -> int:
        length = sum(len(p) for p in parts)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(length))
        self.end_headers()
        for part in parts:
            self.wfile.write(part)
        self.wfile.flush()
        return length

    def _json(self, status: int, payload: Any) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _select(ids: np.ndarray, query: dict[str, Any]) -> np.ndarray:
    """Positions (ascending ``_id``) of the documents a Mongo ``query`` on ``_id`` matches."""
    if not isinstance(query, dict) or set(query) - {"_id"}:
        raise ApiError(400, {"detail": "this benchmark server filters on `_id` only"})
    condition = query.get("_id")
    low, high = 0, len(ids)
    if condition is None:
        return np.arange(low, high)
    if not isinstance(condition, dict):
        condition = {"$in": [condition]}
    for name, operand in condition.items():
        if name == "$gt":
            low = max(low, int(np.searchsorted(ids, operand, "right")))
        elif name == "$gte":
            low = max(low, int(np.searchsorted(ids, operand, "left")))
        elif name == "$lt":
            high = min(high, int(np.searchsorted(ids, operand, "left")))
        elif name == "$lte":
            high = min(high, int(np.searchsorted(ids, operand, "right")))
        elif name != "$in":
            raise ApiError(400, ["Unsupported query"])
    positions = np.arange(low, max(low, high))
    if "$in" in condition:
        positions = positions[np.isin(ids[positions], np.asarray(condition["$in"], np.int64))]
    return positions


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, required=True)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--national", action="store_true", help="every commune of the country (default: 12)")
    parser.add_argument("--max-limit", type=int, default=MAX_LIMIT, help="KPI's page cap (default 1000)")
    parser.add_argument("--cache-dir", type=Path, default=None, help="where the rendered documents go "
                        "(default: a temporary folder, removed on exit)")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    folder = args.cache_dir or Path(tempfile.mkdtemp(prefix="bench-kobo-"))
    folder.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        communes_csv = FORMS_DIR / "media" / "communes.csv"
        communes = national_communes(communes_csv) if args.national else demo_communes(communes_csv)
        kobo = BenchKobo(Catalog(communes, args.households, args.seed, folder), max_limit=args.max_limit)
        url = kobo.serve(args.port)
        print(url, flush=True)
        try:
            kobo.server.serve_forever(0.2)
        except KeyboardInterrupt:
            pass
    finally:
        if args.cache_dir is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
