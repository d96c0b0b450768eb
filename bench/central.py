"""A loopback ODK Central for benchmarks: the demo generator's rows at any size, paced like a real server.

Serves one form (``household_survey`` of project 1) whose submissions are :func:`connectors.demo.household_row`
rendered on demand, page by page, so memory does not grow with the form: the server keeps only each row's
system fields (numpy arrays) and renders the rows of a page when it sends them. It answers what the connector,
pyodk and a plain ``requests`` loop ask for, the way Central does:

- ``POST /v1/sessions`` (bearer tokens), ``GET /v1/users/current`` (pyodk checks its cached token),
  ``GET /v1/projects/1/forms/household_survey``;
- ``GET …/household_survey.svc/Submissions`` with ``$top``, ``$skip``, ``$skiptoken`` (``@odata.nextLink``
  carrying Central's opaque token), ``$count``, ``$expand=*``, ``$select=__id`` and ``$filter`` on the system
  fields, parsed by the test fake's parser (same grammar and errors) and evaluated on whole columns; newest
  first; soft-deleted rows only when the filter mentions ``__system/deletedAt``.

Each page takes at least what :mod:`bench.costmodel` says a real Central takes (``--cost-scale 0``: no
pacing): the per-request and per-matched-row part before the first byte, the per-row part spread over the
body, which is streamed in chunks. Control endpoints for the benchmarks (no auth): ``POST /bench/append``
(``count`` new submissions arriving now), ``GET /bench/stats`` and ``POST /bench/reset``.

Run: ``python -m bench.central --households 50000 [--national] [--seed 2026] [--cost-scale 1]``; it prints
its URL on the first line of stdout once ready.
"""

from __future__ import annotations

import argparse
import json
import re
import secrets
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import numpy as np

from bench.costmodel import PAGE_COST, PageCost
from bench.counters import RequestCounters
from connectors.demo import FORM_ID, demo_communes, household_row, national_communes, row_system
from tests.connectors.fake_odata_filter import FilterError, _Parser, to_ms
from tests.connectors.fake_odk_replies import form_encode, parse_skiptoken, skiptoken
from tests.connectors.fake_odk_replies import Problem as CentralProblem
from connectors.forms import FORMS_DIR

PROJECT = 1
EMAIL, PASSWORD = "bench@example.org", "bench-password-not-a-secret"
CHUNK_ROWS = 250
_NULL = np.iinfo(np.int64).min


class Catalog:
    """The form's submissions: system fields as columns sorted oldest first, rows rendered on demand."""

    def __init__(self, communes: list[tuple[str, str, float]], households: int, seed: int) -> None:
        self.communes, self.seed = communes, seed
        systems = [row_system(communes, n, seed) for n in range(households)]
        ids = [s[0] for s in systems]
        created = np.fromiter((to_ms(s[1]) for s in systems), np.int64, households)
        updated = np.fromiter((_NULL if s[2] is None else to_ms(s[2]) for s in systems), np.int64, households)
        deleted = np.fromiter((_NULL if s[3] is None else to_ms(s[3]) for s in systems), np.int64, households)
        del systems
        order = np.lexsort((np.arange(households), created))  # by (submissionDate, arrival)
        self.row_of = order  # position → row number n
        self.ids = np.asarray(ids, dtype=object)[order]
        self.columns = {"created_ms": created[order], "updated_ms": updated[order], "deleted_ms": deleted[order]}
        self.position = {instance: p for p, instance in enumerate(self.ids)}
        self.fresh: dict[int, datetime] = {}  # row number → arrival of rows appended after start
        self.lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.ids)

    def append(self, count: int) -> list[str]:
        """``count`` new submissions arriving now (a second after the newest row), one millisecond apart."""
        with self.lock:
            start = len(self)
            newest = int(max(self.columns["created_ms"].max(), self.columns["updated_ms"].max(),
                             self.columns["deleted_ms"].max()))
            arrival = datetime.fromtimestamp(newest / 1000, UTC) + timedelta(seconds=1)
            rows = [household_row(self.communes, start + i, self.seed, submitted=arrival + timedelta(milliseconds=i))
                    for i in range(count)]
            for i, row in enumerate(rows):
                self.fresh[start + i] = arrival + timedelta(milliseconds=i)
                self.position[row["__id"]] = start + i
            self.row_of = np.concatenate([self.row_of, np.arange(start, start + count)])
            self.ids = np.concatenate([self.ids, np.asarray([r["__id"] for r in rows], dtype=object)])
            self.columns = {
                "created_ms": np.concatenate([self.columns["created_ms"],
                                              [to_ms(r["__system"]["submissionDate"]) for r in rows]]),
                "updated_ms": np.concatenate([self.columns["updated_ms"], np.full(count, _NULL)]),
                "deleted_ms": np.concatenate([self.columns["deleted_ms"], np.full(count, _NULL)]),
            }
            return [r["__id"] for r in rows]

    def row(self, position: int) -> dict[str, Any]:
        n = int(self.row_of[position])
        return household_row(self.communes, n, self.seed, submitted=self.fresh.get(n))

    def select(self, filter_text: str | None) -> np.ndarray:
        """Positions (oldest first) of the rows a ``$filter`` selects; deleted rows unless it mentions them."""
        with self.lock:
            columns, size = dict(self.columns), len(self.ids)
        if filter_text is None:
            return np.flatnonzero(columns["deleted_ms"] == _NULL)
        parser = _MaskParser(filter_text)
        node = parser.parse()
        true, _ = node(_Columns(columns, self.ids[:size], size))
        if "deleted_ms" not in parser.fields:
            true = true & (columns["deleted_ms"] == _NULL)
        return np.flatnonzero(true)


class _Columns:
    """Column values and null masks for the vectorised filter."""

    def __init__(self, columns: dict[str, np.ndarray], ids: np.ndarray, size: int) -> None:
        self.columns, self.ids, self.size = columns, ids, size

    def get(self, attribute: str) -> tuple[np.ndarray, np.ndarray]:
        if attribute in self.columns:
            values = self.columns[attribute]
            return values, values == _NULL
        if attribute == "instance_id":
            return self.ids, np.zeros(self.size, bool)
        if attribute == "submitter_id":
            return np.full(self.size, 7), np.zeros(self.size, bool)
        return np.full(self.size, None, dtype=object), np.ones(self.size, bool)  # review_state: not modelled


_TIME_ATTRIBUTES = {"created_ms", "updated_ms", "deleted_ms"}
_ORDER = {"lt": np.less, "le": np.less_equal, "gt": np.greater, "ge": np.greater_equal,
          "eq": np.equal, "ne": np.not_equal}


class _MaskParser(_Parser):
    """The fake's ``$filter`` grammar, building functions of whole columns → (true mask, false mask)."""

    def _or(self):
        node = self._and()
        while self._keyword("or"):
            left, right = node, self._and()
            node = lambda c, l=left, r=right: _or(l(c), r(c))  # noqa: E731, E741
        return node

    def _and(self):
        node = self._not()
        while self._keyword("and"):
            left, right = node, self._not()
            node = lambda c, l=left, r=right: _and(l(c), r(c))  # noqa: E731, E741
        return node

    def _not(self):
        self._skip()
        match = re.compile(r"not(?:\s+|(?=\())").match(self.text, self.pos)
        if match:
            self.pos = match.end()
            inner = self._not()
            return lambda c: inner(c)[::-1]
        return self._primary()

    def _primary(self):
        self._skip()
        if self.text.startswith("(", self.pos):
            self.pos += 1
            node = self._or()
            self._skip()
            if not self.text.startswith(")", self.pos):
                self._fail()
            self.pos += 1
            return node
        left = self._operand()
        match = re.compile(r"\s+(eq|ne|lt|le|gt|ge)\s+").match(self.text, self.pos)
        if not match:
            self._fail()
        self.pos = match.end()
        return _comparison(match.group(1), left, self._operand())


def _comparison(operator: str, left: tuple[str, Any], right: tuple[str, Any]):
    def operand(side: tuple[str, Any], other: tuple[str, Any], columns: _Columns):
        kind, value = side
        if kind == "field":
            return columns.get(value)
        if isinstance(value, str) and other[0] == "field" and other[1] in _TIME_ATTRIBUTES:
            value = to_ms(value)
        return value, np.bool_(value is None)

    null_test = ("literal", None) in (left, right)

    def node(columns: _Columns) -> tuple[np.ndarray, np.ndarray]:
        (a, a_null), (b, b_null) = operand(left, right, columns), operand(right, left, columns)
        if null_test and operator in ("eq", "ne"):
            is_null = a_null & b_null if left == right else (a_null if right == ("literal", None) else b_null)
            true = is_null if operator == "eq" else ~is_null
            return _full(true, columns.size), _full(~true, columns.size)
        known = ~(a_null | b_null)
        result = _ORDER[operator](a, b)
        return _full(known & result, columns.size), _full(known & ~result, columns.size)

    return node


def _full(mask: Any, size: int) -> np.ndarray:
    return np.broadcast_to(np.asarray(mask, dtype=bool), (size,))


def _and(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    return a[0] & b[0], a[1] | b[1]


def _or(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    return a[0] | b[0], a[1] & b[1]


class BenchCentral:
    def __init__(self, catalog: Catalog, cost: PageCost, scale: float) -> None:
        self.catalog, self.cost, self.scale = catalog, cost, scale
        self.tokens: set[str] = set()
        self.stats = RequestCounters(rows=0, matched=0, modelled_seconds=0.0, render_seconds=0.0)
        self.server: ThreadingHTTPServer | None = None

    def serve(self, port: int = 0) -> str:
        handler = type("Handler", (_Handler,), {"central": self})
        self.server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.server.daemon_threads = True
        return f"http://127.0.0.1:{self.server.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # TCP_NODELAY, as web servers set it: see bench/RESULTS.md §2b, tenth round
    central: BenchCentral

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        path, query = self._target()
        central = self.central
        central.stats.request()
        if path == "/v1/sessions":
            credentials = json.loads(body or b"{}")
            if (credentials.get("email"), credentials.get("password")) != (EMAIL, PASSWORD):
                return self._json(401, {"message": "Could not authenticate with the provided credentials.",
                                        "code": 401.2})
            token = secrets.token_hex(32)
            central.tokens.add(token)
            expires = (datetime.now(UTC) + timedelta(hours=24)).isoformat(timespec="milliseconds")
            return self._json(200, {"token": token, "expiresAt": expires.replace("+00:00", "Z"),
                                    "createdAt": datetime.now(UTC).isoformat()})
        if path == "/bench/append":
            ids = central.catalog.append(int(query.get("count", "1")))
            return self._json(200, {"appended": len(ids), "total": len(central.catalog)})
        if path == "/bench/reset":
            central.stats.reset()
            return self._json(200, {})
        return self._json(404, {"message": "Could not find the resource you were looking for.", "code": 404.1})

    def do_GET(self) -> None:
        path, query = self._target()
        central = self.central
        central.stats.request()
        if path == "/bench/stats":
            return self._json(200, {**central.stats.as_dict(), "submissions": len(central.catalog)})
        authorization = self.headers.get("Authorization", "")
        if authorization.removeprefix("Bearer ") not in central.tokens:
            return self._json(401, {"message": "Could not authenticate with the provided credentials.",
                                    "code": 401.2})
        form_path = f"/v1/projects/{PROJECT}/forms/{FORM_ID}"
        if path == "/v1/users/current":
            return self._json(200, {"id": 1, "type": "user", "displayName": EMAIL, "email": EMAIL})
        if path == form_path:
            return self._json(200, {"projectId": PROJECT, "xmlFormId": FORM_ID, "state": "open",
                                    "createdAt": "2025-06-01T00:00:00.000Z"})
        if path == f"{form_path}.svc/Submissions":
            try:
                return self._submissions(path, query)
            except FilterError as error:
                return self._json(error.status, {"message": error.message, "code": error.code})
            except CentralProblem as problem:
                return self._json(problem.status, {"message": problem.message, "code": problem.code})
        return self._json(404, {"message": "Could not find the resource you were looking for.", "code": 404.1})

    def _target(self) -> tuple[str, dict[str, str]]:
        parts = urlsplit(self.path)
        self.pairs = parse_qsl(parts.query, keep_blank_values=True)
        return parts.path, dict(self.pairs)

    def _submissions(self, path: str, query: dict[str, str]) -> None:
        started = time.perf_counter()
        central, catalog = self.central, self.central.catalog
        selected = catalog.select(query.get("$filter"))[::-1]  # newest first
        if "$skiptoken" in query:
            position = catalog.position.get(parse_skiptoken(query["$skiptoken"]).get("instanceId"))
            if position is None:
                raise CentralProblem(400, 400.35, "Invalid $skiptoken")
            start = len(selected) - int(np.searchsorted(selected[::-1], position))  # first row older than the token
        else:
            start = int(query["$skip"]) if query.get("$skip", "").isdigit() else 0
        top = int(query["$top"]) if query.get("$top", "").isdigit() else None
        page = selected[start:] if top is None else selected[start:start + top]
        count = query.get("$count") == "true"
        footer: dict[str, Any] = {"@odata.context": f"http://127.0.0.1/v1/projects/{PROJECT}/forms/{FORM_ID}.svc/"
                                                    "$metadata#Submissions"}
        if top is not None and start + top < len(selected) and len(page):
            token = skiptoken({"instanceId": catalog.ids[page[-1]]})
            pairs = [(k, v) for k, v in self.pairs if k not in ("$skip", "$skiptoken")] + [("$skiptoken", token)]
            footer["@odata.nextLink"] = f"http://{self.headers.get('Host')}{path}?{form_encode(pairs)}"
        if count:
            footer["@odata.count"] = len(selected)
        modelled = central.cost.page(len(page), len(selected), count=count) * central.scale
        per_row = central.cost.b * central.scale
        _sleep_until(started + modelled - per_row * len(page))  # choosing the rows, before the first byte

        expand, ids_only = query.get("$expand") == "*", query.get("$select") == "__id"
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("OData-Version", "4.0")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        body_start, busy = time.perf_counter(), 0.0
        self._chunk(b'{"value":[')
        for offset in range(0, len(page), CHUNK_ROWS):
            t = time.perf_counter()
            rows = []
            for position in page[offset:offset + CHUNK_ROWS]:
                if ids_only:
                    rows.append({"__id": catalog.ids[position]})
                    continue
                row = catalog.row(int(position))
                if not expand:
                    row.pop("child", None)
                    row.pop("child@odata.navigationLink", None)
                rows.append(row)
            text = ",".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in rows)
            self._chunk(((b"," if offset else b"") + text.encode()))
            busy += time.perf_counter() - t
            _sleep_until(body_start + per_row * (offset + len(rows)))
        self._chunk(b"]," + json.dumps(footer, separators=(",", ":")).encode()[1:])
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()
        central.stats.page(rows=len(page), matched=len(selected), modelled_seconds=modelled, render_seconds=busy)

    def _chunk(self, data: bytes) -> None:
        if data:
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")

    def _json(self, status: int, payload: Any) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _sleep_until(moment: float) -> None:
    delay = moment - time.perf_counter()
    if delay > 0:
        time.sleep(delay)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, required=True)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--national", action="store_true", help="every commune of the country (default: 12)")
    parser.add_argument("--cost-scale", type=float, default=1.0, help="1: as slow as a real Central; 0: no pacing")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    communes_csv = FORMS_DIR / "media" / "communes.csv"
    communes = national_communes(communes_csv) if args.national else demo_communes(communes_csv)
    central = BenchCentral(Catalog(communes, args.households, args.seed), PAGE_COST, args.cost_scale)
    url = central.serve(args.port)
    print(url, flush=True)
    try:
        central.server.serve_forever(0.2)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
