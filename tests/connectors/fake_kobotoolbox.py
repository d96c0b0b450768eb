"""A fake KoboToolbox (KPI API v2) on loopback, answering with the shapes kobotoolbox/kpi uses.

Real HTTP (``ThreadingHTTPServer`` on port 0, in a thread), after kpi's ``kpi/views/v2/data.py``,
``kpi/paginators.py`` (``DataPagination``: ``limit``/``start``, absolute ``next``/``previous``),
``kpi/models/import_export_task.py`` (imports), ``xform_instance_parser.py`` (documents) and
formpack's content expansion:

- token auth ``Authorization: Token <key>``: 401 ``{"detail": "Invalid token."}`` or
  ``{"detail": "Authentication credentials were not provided."}``; an asset the user may not
  view is 404 ``{"detail": "Not found."}``; data without “view submissions”, or a change
  without “change asset”, is 403;
- ``POST /api/v2/imports/`` (multipart ``file``, ``library``, ``destination``) → 201
  ``{"uid", "status": "processing"}``; ``GET /api/v2/imports/{uid}/`` is ``processing`` for
  :attr:`FakeKoboToolbox.import_polls` polls, then ``complete`` with ``messages.created`` /
  ``messages.updated`` or ``error`` with ``messages.error``;
- ``GET /api/v2/assets/{uid}/`` with ``content`` expanded as KPI stores it (``select_one`` and
  ``select_from_list_name`` apart, labels as lists per translation, ``$kuid``, ``$autoname``);
- ``POST``/``PATCH /api/v2/assets/{uid}/deployment/`` (the form is converted with pyxform,
  ``__version__`` appended, as KPI does); ``GET``/``POST``/``DELETE …/files/``;
- ``GET /api/v2/assets/{uid}/data/?format=json&limit=&start=&query=&sort=&fields=``: ``limit``
  (default 100) cut to :attr:`~FakeKoboToolbox.max_limit` silently, Mongo ``query`` on ``_id``
  (``$gt $gte $lt $lte $in``, equality) and ``meta/rootUuid``/``_uuid`` equality, one-key ``sort``,
  ``fields`` projection (``_id`` always kept);
- documents: group-path keys, repeats as lists of dicts with full-path keys, string values, ``_id``,
  ``_uuid``, ``meta/instanceID``, ``meta/rootUuid``, ``meta/deprecatedID`` (after an edit),
  ``__version__``, ``_submission_time``, ``_validation_status``, ``_submitted_by`` …;
- faults from a :class:`fake_faults.FaultPlan` (statuses with ``Retry-After``, hangs, resets …).

Test API: :meth:`create_asset`, :meth:`add_submission`, :meth:`edit_submission`,
:meth:`delete_submission`, :meth:`set_validation_status`, :meth:`move_submissions`,
:meth:`add_user`, :meth:`share`; what happened: :attr:`requests`.
"""

from __future__ import annotations

import itertools
import json
import operator
import re
import secrets
import socket
import struct
import threading
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.parser import BytesParser
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from pyxform import xls2json_backends
from pyxform.xls2xform import convert

from tests.connectors.fake_faults import HANG, INVALID_JSON, RESET, STATUS, TRUNCATE, FaultPlan

DEFAULT_TOKEN = "f4k3-k0b0-t0k3n-0123456789abcdef0123456789abcdef"
OWNER = "clms_admin"
JSON_TYPE = "application/json"
VALIDATION_LABELS = {"validation_status_approved": ("Approved", "#00ff00"),
                     "validation_status_not_approved": ("Not Approved", "#ff0000"),
                     "validation_status_on_hold": ("On Hold", "#0000ff")}
ALL_PERMISSIONS = frozenset({"view_asset", "view_submissions", "change_asset"})
_FORM_TYPES = ("select_one_from_file", "select_multiple_from_file", "select_one", "select_multiple", "rank")


class ApiError(Exception):
    def __init__(self, status: int, body: Any) -> None:
        super().__init__(status)
        self.status, self.body = status, body


@dataclass
class Reply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes = b""


@dataclass
class Asset:
    uid: str
    owner: str
    name: str
    xlsx: bytes
    content: dict[str, Any]
    version_id: str
    deployed_version_id: str | None = None
    version_count: int = 1
    formhub_uuid: str = field(default_factory=lambda: uuid.uuid4().hex)
    files: dict[str, dict[str, Any]] = field(default_factory=dict)  # file uid → KPI's file JSON
    blobs: dict[str, bytes] = field(default_factory=dict)  # file uid → content
    documents: dict[int, dict[str, Any]] = field(default_factory=dict)  # _id → document
    shared: dict[str, set[str]] = field(default_factory=dict)  # username → permissions

    def can(self, username: str, permission: str) -> bool:
        return username == self.owner or permission in self.shared.get(username, set())


@dataclass
class ImportTask:
    uid: str
    user: str
    xlsx: bytes
    filename: str
    destination: str | None
    polls_left: int
    status: str = "processing"
    messages: dict[str, Any] = field(default_factory=dict)


def uid(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(16).replace("-", "x").replace("_", "y")[:21]


def kpi_content(xlsx: bytes) -> dict[str, Any]:
    """The XLSForm as KPI keeps it in ``asset.content`` (formpack's ``expand_content``)."""
    book = xls2json_backends.xlsx_to_dict(BytesIO(xlsx))
    columns = [c for row in book.get("survey", []) + book.get("choices", []) for c in row]
    translations = list(dict.fromkeys(c.split("::", 1)[1] for c in columns if c.startswith("label::")))

    def translated(row: dict[str, Any], out: dict[str, Any]) -> None:
        for column in ("label", "hint", "constraint_message", "required_message"):
            values = [row.get(f"{column}::{language}") for language in translations]
            if any(values):
                out[column] = values

    survey = []
    for row in book.get("survey", []):
        kind, *rest = re.sub(r"^(begin|end) (group|repeat)", r"\1_\2", str(row.get("type", "")).strip()).split()
        out: dict[str, Any] = {"type": kind, "$kuid": secrets.token_hex(4)}
        if kind.startswith(("select_one_from_file", "select_multiple_from_file")):
            out["file"] = rest[0]
        elif kind in _FORM_TYPES:
            out["select_from_list_name"] = rest[0]
        if row.get("name"):
            out["name"] = out["$autoname"] = row["name"]
        translated(row, out)
        for column, value in row.items():
            if column in ("type", "name") or ("::" in column and not column.startswith("bind::")):
                continue
            out[column] = value in ("yes", "true", "TRUE") if column == "required" else value
        survey.append(out)
    choices = []
    for row in book.get("choices", []):
        out = {"list_name": row["list_name"], "name": row["name"], "$autovalue": row["name"],
               "$kuid": secrets.token_hex(4)}
        translated(row, out)
        choices.append(out)
    settings = dict(book.get("settings", [{}])[0]) if book.get("settings") else {}
    return {"schema": "1", "survey": survey, "choices": choices, "settings": settings,
            "translated": ["hint", "label"], "translations": translations or [None]}


def content_paths(content: dict[str, Any]) -> dict[str, str]:
    """Every question path of ``content`` → its type (``begin_repeat`` for repeats)."""
    paths: dict[str, str] = {}
    stack: list[str] = []
    for row in content["survey"]:
        kind = row["type"]
        if kind in ("end_group", "end_repeat"):
            stack.pop()
            continue
        name = row.get("name") or row.get("$autoname")
        path = "/".join([*stack, name])
        paths[path] = kind
        if kind in ("begin_group", "begin_repeat"):
            stack.append(name)
    return paths


class FakeKoboToolbox:
    """The fake server and its state; ``max_limit`` is the page-size cap (KPI's SUBMISSION_LIST_LIMIT)."""

    def __init__(self, *, token: str = DEFAULT_TOKEN, max_limit: int = 1000, default_limit: int = 100,
                 import_polls: int = 1, log_size: int = 10_000) -> None:
        self.max_limit = max_limit
        self.default_limit = default_limit
        self.import_polls = import_polls
        self.faults = FaultPlan()
        self.requests: deque[tuple[str, str, int]] = deque(maxlen=log_size)
        self.clock = datetime(2026, 11, 23, 8, 0, 0, tzinfo=UTC)
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._tokens: dict[str, str] = {token: OWNER}
        self._assets: dict[str, Asset] = {}
        self._imports: dict[str, ImportTask] = {}
        self._ids = itertools.count(101)
        self._server: ThreadingHTTPServer | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeKoboToolbox:
        handler = type("FakeKoboHandler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        threading.Thread(target=self._server.serve_forever, args=(0.05,), name="fake-kobo", daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> FakeKoboToolbox:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the fake KoboToolbox is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # ------------------------------------------------------------------ users, assets

    def add_user(self, username: str, token: str) -> None:
        with self._lock:
            self._tokens[token] = username

    def share(self, asset_uid: str, username: str, *permissions: str) -> None:
        with self._lock:
            self._assets[asset_uid].shared[username] = set(permissions)

    def create_asset(self, xlsx: bytes, *, name: str = "Household survey", deploy: bool = True,
                     asset_uid: str | None = None) -> str:
        """An asset owned by :data:`OWNER` with this XLSForm, deployed unless ``deploy=False``."""
        with self._lock:
            asset = Asset(asset_uid or uid("a"), OWNER, name, xlsx, kpi_content(xlsx), uid("v"))
            self._assets[asset.uid] = asset
            if deploy:
                self._deploy(asset)
            return asset.uid

    def asset(self, asset_uid: str) -> Asset:
        with self._lock:
            return self._assets[asset_uid]

    # ------------------------------------------------------------------ submissions

    def add_submission(self, asset_uid: str, values: dict[str, Any], *, instance_id: str | None = None,
                       submitted_by: str | None = OWNER, legacy: bool = False) -> int:
        """Receive ``values`` (groups as dicts, repeats as lists of dicts) now; returns its ``_id``.

        ``legacy=True``: a document from before KoboToolbox recorded ``meta/rootUuid``.
        """
        with self._lock:
            asset = self._assets[asset_uid]
            instance_id = instance_id or f"uuid:{uuid.uuid4()}"
            kobo_id = next(self._ids)
            self.clock += timedelta(seconds=1)
            asset.documents[kobo_id] = self._document(asset, kobo_id, values, instance_id, root=None if legacy
                                                      else instance_id, deprecated=None, submitted_by=submitted_by,
                                                      submitted=self.clock, validation={})
            return kobo_id

    def edit_submission(self, asset_uid: str, kobo_id: int, values: dict[str, Any], *,
                        new_instance_id: str | None = None) -> str:
        """Edit in Enketo: new ``_uuid``/``meta/instanceID``, same ``_id`` and ``meta/rootUuid``."""
        with self._lock:
            asset = self._assets[asset_uid]
            old = asset.documents[kobo_id]
            new_instance_id = new_instance_id or f"uuid:{uuid.uuid4()}"
            submitted = datetime.fromisoformat(old["_submission_time"]).replace(tzinfo=UTC)
            asset.documents[kobo_id] = self._document(
                asset, kobo_id, values, new_instance_id, root=old.get("meta/rootUuid"),
                deprecated=old["meta/instanceID"], submitted_by=old["_submitted_by"], submitted=submitted,
                validation=old["_validation_status"])
            return new_instance_id

    def delete_submission(self, asset_uid: str, kobo_id: int) -> None:
        with self._lock:
            del self._assets[asset_uid].documents[kobo_id]

    def set_validation_status(self, asset_uid: str, kobo_id: int, status_uid: str | None) -> None:
        with self._lock:
            document = self._assets[asset_uid].documents[kobo_id]
            if status_uid is None:
                document["_validation_status"] = {}
                return
            label, color = VALIDATION_LABELS[status_uid]
            document["_validation_status"] = {"timestamp": int(self.clock.timestamp()), "uid": status_uid,
                                              "by_whom": OWNER, "color": color, "label": label}

    def move_submissions(self, asset_uid: str, offset: int) -> None:
        """Give every submission a new ``_id`` (``_id + offset``), as a move between servers does."""
        with self._lock:
            asset = self._assets[asset_uid]
            asset.documents = {k + offset: {**d, "_id": k + offset} for k, d in asset.documents.items()}

    def documents(self, asset_uid: str) -> list[dict[str, Any]]:
        with self._lock:
            return [json.loads(json.dumps(d)) for _, d in sorted(self._assets[asset_uid].documents.items())]

    def _document(self, asset: Asset, kobo_id: int, values: dict[str, Any], instance_id: str, *, root: str | None,
                  deprecated: str | None, submitted_by: str | None, submitted: datetime,
                  validation: dict[str, Any]) -> dict[str, Any]:
        paths = content_paths(asset.content)
        answers = _flatten(values, "", paths)
        geopoint = next((v for k, v in answers.items() if paths.get(k) == "geopoint"), None)
        document: dict[str, Any] = {"formhub/uuid": asset.formhub_uuid, **answers,
                                    "__version__": asset.deployed_version_id, "meta/instanceID": instance_id}
        if root is not None:
            document["meta/rootUuid"] = root
        if deprecated is not None:
            document["meta/deprecatedID"] = deprecated
        document.update({
            "_xform_id_string": asset.uid,
            "_uuid": instance_id.removeprefix("uuid:"),
            "_id": kobo_id,
            "_attachments": [],
            "_status": "submitted_via_web",
            "_geolocation": [float(x) for x in geopoint.split()[:2]] if geopoint else [None, None],
            "_submission_time": submitted.strftime("%Y-%m-%dT%H:%M:%S"),
            "_tags": [],
            "_notes": [],
            "_validation_status": validation,
            "_submitted_by": submitted_by,
        })
        return document

    # ------------------------------------------------------------------ HTTP

    def handle(self, method: str, target: str, headers: Any, body: bytes) -> Reply:
        path, _, query = target.partition("?")
        with self._lock:
            try:
                status, payload = _Router(self, method, path, query, headers, body).route()
            except ApiError as error:
                status, payload = error.status, error.body
        if status == 204:
            return Reply(204, _headers(None))
        data = json.dumps(payload, ensure_ascii=False).encode()
        return Reply(status, _headers(data), data)

    def _deploy(self, asset: Asset) -> None:
        book = {sheet: rows for sheet, rows in xls2json_backends.xlsx_to_dict(BytesIO(asset.xlsx)).items()
                if sheet in ("survey", "choices", "settings")}  # headers are taken from the rows
        book["survey"] = [*book["survey"], {"type": "calculate", "name": "__version__",
                                            "calculation": f"'{asset.version_id}'"}]
        book["settings"] = [{**(book.get("settings") or [{}])[0], "form_id": asset.uid,
                             "version": f"{asset.version_count} ({self.clock:%Y-%m-%d %H:%M:%S})"}]
        try:
            convert(xlsform=book)
        except Exception as exc:  # pyxform's refusal becomes KPI's 400
            raise ApiError(400, {"detail": f"ODK Validate Errors: {exc}"}) from None
        asset.deployed_version_id = asset.version_id


def _flatten(values: dict[str, Any], prefix: str, paths: dict[str, str]) -> dict[str, Any]:
    """Form values → Kobo keys: group paths joined by ``/``, repeats as lists of dicts, strings."""
    flat: dict[str, Any] = {}
    for name, value in values.items():
        path = f"{prefix}/{name}" if prefix else name
        if path not in paths:
            raise ValueError(f"`{path}` is not a question of the asset")
        if isinstance(value, list):
            entries = [_flatten(entry, path, paths) for entry in value]
            if entries:
                flat[path] = entries
        elif isinstance(value, dict):
            flat.update(_flatten(value, path, paths))
        elif value is not None and value != "":
            flat[path] = str(value)
    return flat


def _headers(body: bytes | None) -> list[tuple[str, str]]:
    headers = [("Date", formatdate(usegmt=True)), ("Server", "nginx"), ("Vary", "Accept, Authorization, Cookie"),
               ("Allow", "GET, POST, PATCH, DELETE, HEAD, OPTIONS")]
    if body is not None:
        headers += [("Content-Type", JSON_TYPE), ("Content-Length", str(len(body)))]
    else:
        headers.append(("Content-Length", "0"))
    return headers


class _Router:
    """One request against the fake's state (runs under the fake's lock)."""

    def __init__(self, fake: FakeKoboToolbox, method: str, path: str, query: str, headers: Any, body: bytes) -> None:
        self.fake, self.method, self.path = fake, method, path
        self.query = dict(parse_qsl(query, keep_blank_values=True))
        self.headers, self.body = headers, body
        self.user = ""

    def route(self) -> tuple[int, Any]:
        parts = [unquote(p) for p in self.path.strip("/").split("/")]
        if parts[:2] != ["api", "v2"] or not self.path.endswith("/"):
            raise ApiError(404, {"detail": "Not found."})
        self.authenticate()
        rest = parts[2:]
        if rest == ["imports"] and self.method == "POST":
            return self.create_import()
        if len(rest) == 2 and rest[0] == "imports" and self.method == "GET":
            return self.import_status(rest[1])
        if len(rest) >= 2 and rest[0] == "assets":
            return self.asset_resource(rest[1], rest[2:])
        raise ApiError(404, {"detail": "Not found."})

    def authenticate(self) -> None:
        header = self.headers.get("Authorization") or ""
        scheme, _, key = header.partition(" ")
        if scheme != "Token":
            raise ApiError(401, {"detail": "Authentication credentials were not provided."})
        if key not in self.fake._tokens:
            raise ApiError(401, {"detail": "Invalid token."})
        self.user = self.fake._tokens[key]

    def absolute(self, path: str) -> str:
        return f"http://{self.headers.get('Host')}{path}"

    # ------------------------------------------------------------------ imports

    def create_import(self) -> tuple[int, Any]:
        fields = _multipart(self.headers.get("Content-Type", ""), self.body)
        if "file" not in fields:
            raise ApiError(400, {"detail": "An import task must have `file`, `url` or `base64Encoded`."})
        destination = fields.get("destination", (None, b""))[1].decode() or None
        task = ImportTask(uid("i"), self.user, fields["file"][1], fields["file"][0] or "form.xlsx",
                          destination, self.fake.import_polls)
        self.fake._imports[task.uid] = task
        return 201, {"uid": task.uid, "status": "processing"}

    def import_status(self, task_uid: str) -> tuple[int, Any]:
        task = self.fake._imports.get(task_uid)
        if task is None or task.user != self.user:
            raise ApiError(404, {"detail": "Not found."})
        if task.status == "processing":
            if task.polls_left > 0:
                task.polls_left -= 1
            else:
                self.run_import(task)
        return 200, {"url": self.absolute(f"/api/v2/imports/{task.uid}/"), "status": task.status,
                     "messages": task.messages, "uid": task.uid,
                     "date_created": f"{self.fake.clock:%Y-%m-%dT%H:%M:%SZ}"}

    def run_import(self, task: ImportTask) -> None:
        try:
            content = kpi_content(task.xlsx)
            if not any(row.get("type") for row in content["survey"]):
                raise SyntaxError("xls upload must have one of these sheets: survey, library")
            if task.destination:
                asset = self.fake._assets.get(urlsplit(task.destination).path.rstrip("/").rsplit("/", 1)[-1])
                if asset is None or not asset.can(task.user, "change_asset"):
                    raise PermissionError("user cannot update asset")
                asset.xlsx, asset.content, asset.version_id = task.xlsx, content, uid("v")
                asset.version_count += 1
                key = "updated"
            else:
                asset = Asset(uid("a"), task.user, task.filename.rsplit(".", 1)[0], task.xlsx, content, uid("v"))
                self.fake._assets[asset.uid] = asset
                key = "created"
            task.messages = {key: [{"uid": asset.uid, "kind": "asset", "owner__username": task.user,
                                    "summary": {"filename": task.filename}}]}
            task.status = "complete"
        except Exception as exc:  # KPI records any failure on the task
            task.messages = {"error_type": type(exc).__name__, "error": str(exc)}
            task.status = "error"

    # ------------------------------------------------------------------ assets

    def find_asset(self, asset_uid: str, permission: str) -> Asset:
        asset = self.fake._assets.get(asset_uid)
        if asset is None or not asset.can(self.user, "view_asset"):
            raise ApiError(404, {"detail": "Not found."})
        if not asset.can(self.user, permission):
            raise ApiError(403, {"detail": "You do not have permission to perform this action."})
        return asset

    def asset_resource(self, asset_uid: str, rest: list[str]) -> tuple[int, Any]:
        if not rest and self.method == "GET":
            return 200, self.asset_json(self.find_asset(asset_uid, "view_asset"))
        if rest == ["data"] and self.method == "GET":
            return self.data(self.find_asset(asset_uid, "view_submissions"))
        if rest == ["deployment"] and self.method in ("POST", "PATCH"):
            return self.deployment(self.find_asset(asset_uid, "change_asset"))
        if rest == ["files"] and self.method == "GET":
            asset = self.find_asset(asset_uid, "view_asset")
            files = [f for f in asset.files.values() if f["file_type"] == self.query.get("file_type", f["file_type"])]
            return 200, {"count": len(files), "next": None, "previous": None, "results": files}
        if rest == ["files"] and self.method == "POST":
            return self.upload(self.find_asset(asset_uid, "change_asset"))
        if len(rest) == 2 and rest[0] == "files" and self.method == "DELETE":
            asset = self.find_asset(asset_uid, "change_asset")
            if asset.files.pop(rest[1], None) is None:
                raise ApiError(404, {"detail": "Not found."})
            del asset.blobs[rest[1]]
            return 204, None
        raise ApiError(405 if rest in ([], ["data"], ["deployment"], ["files"]) else 404,
                       {"detail": f'Method "{self.method}" not allowed.'})

    def asset_json(self, asset: Asset) -> dict[str, Any]:
        base = self.absolute(f"/api/v2/assets/{asset.uid}/")
        return {"url": base, "owner__username": asset.owner, "uid": asset.uid, "name": asset.name,
                "asset_type": "survey", "version_id": asset.version_id,
                "deployed_version_id": asset.deployed_version_id,
                "has_deployment": asset.deployed_version_id is not None,
                "deployment__active": asset.deployed_version_id is not None,
                "deployment__submission_count": len(asset.documents), "content": asset.content,
                "data": f"{base}data/", "files": list(asset.files.values())}

    def deployment(self, asset: Asset) -> tuple[int, Any]:
        request = json.loads(self.body or b"{}")
        deployed = asset.deployed_version_id is not None
        if self.method == "POST" and deployed:
            raise ApiError(400, {"detail": "This asset is already deployed. Use PATCH to redeploy it."})
        if self.method == "PATCH":
            if not deployed:
                raise ApiError(400, {"detail": "The specified asset has not been deployed"})
            if request.get("version_id") != asset.version_id:
                raise ApiError(400, {"version_id": ["Only the current version can be deployed"]})
        if request.get("active") is not True:
            raise ApiError(400, {"active": ["This field is required."]})
        self.fake._deploy(asset)
        return 200, {"backend": "openrosa", "active": True, "version_id": asset.version_id,
                     "asset": self.asset_json(asset)}

    def upload(self, asset: Asset) -> tuple[int, Any]:
        fields = _multipart(self.headers.get("Content-Type", ""), self.body)
        metadata = json.loads(fields.get("metadata", (None, b"{}"))[1] or b"{}")
        filename, content = fields.get("content", (None, b""))
        name = metadata.get("filename") or filename
        if any(f["metadata"].get("filename") == name for f in asset.files.values()):
            raise ApiError(400, {"content": [f"A file named {name} already exists for this project."]})
        file_uid = uid("af")
        asset.files[file_uid] = {
            "uid": file_uid, "url": self.absolute(f"/api/v2/assets/{asset.uid}/files/{file_uid}/"),
            "asset": self.absolute(f"/api/v2/assets/{asset.uid}/"), "user__username": self.user,
            "file_type": fields.get("file_type", (None, b""))[1].decode(),
            "description": fields.get("description", (None, b""))[1].decode(),
            "date_created": f"{self.fake.clock:%Y-%m-%dT%H:%M:%S.000000Z}",
            "content": self.absolute(f"/api/v2/assets/{asset.uid}/files/{file_uid}/content/"),
            "metadata": {"filename": name, "hash": f"md5:{secrets.token_hex(16)}", "mimetype": "text/csv"},
        }
        asset.blobs[file_uid] = content
        return 201, asset.files[file_uid]

    # ------------------------------------------------------------------ data

    def data(self, asset: Asset) -> tuple[int, Any]:
        if asset.deployed_version_id is None:
            raise ApiError(400, {"detail": "The specified asset has not been deployed"})
        if self.query.get("format", "json") != "json":
            raise ApiError(404, {"detail": "Not found."})
        try:
            limit = int(self.query.get("limit", self.fake.default_limit))
            if limit <= 0:
                raise ValueError
        except ValueError:
            raise ApiError(400, {"limit": ["A positive integer is required"]}) from None
        limit = min(limit, self.fake.max_limit)
        try:
            start = max(0, int(self.query.get("start", 0)))
        except ValueError:
            start = 0
        try:
            query = json.loads(self.query.get("query") or "{}")
            sort = json.loads(self.query.get("sort") or '{"_id": 1}')
            fields = json.loads(self.query.get("fields") or "[]")
        except ValueError:
            raise ApiError(400, {"detail": "Value must be valid JSON."}) from None
        matching = [d for d in asset.documents.values() if _matches(d, query)]
        (key, direction), = sort.items()
        matching.sort(key=lambda d: (d.get(key) is None, d.get(key)), reverse=int(direction) < 0)
        page = matching[start:start + limit]
        if fields:
            page = [{k: d[k] for k in ["_id", *fields] if k in d} for d in page]
        url = self.absolute(self.path + ("?" + urlencode(self.query) if self.query else ""))
        return 200, {"count": len(matching), "next": _next_link(url, start, limit, len(matching)),
                     "previous": _previous_link(url, start, limit), "results": json.loads(json.dumps(page))}


_OPERATORS = {"$gt": operator.gt, "$gte": operator.ge, "$lt": operator.lt, "$lte": operator.le,
              "$in": lambda value, operand: value in operand}


def _matches(document: dict[str, Any], query: dict[str, Any]) -> bool:
    for key, condition in query.items():
        if key not in ("_id", "_uuid", "meta/rootUuid"):
            raise ApiError(400, ["Unsupported query"])
        value = document.get(key)
        if not isinstance(condition, dict):
            if value != condition:
                return False
            continue
        for name, operand in condition.items():
            if name not in _OPERATORS:
                raise ApiError(400, ["Unsupported query"])
            if value is None or not _OPERATORS[name](value, operand):
                return False
    return True


def _replace_params(url: str, **changes: Any) -> str:
    """DRF's ``replace_query_param``: the query string re-encoded in sorted order."""
    parts = urlsplit(url)
    params = dict(parse_qsl(parts.query, keep_blank_values=True))
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = str(value)
    query = urlencode(sorted(params.items()))
    return parts._replace(query=query).geturl()


def _next_link(url: str, start: int, limit: int, count: int) -> str | None:
    return None if start + limit >= count else _replace_params(url, limit=limit, start=start + limit)


def _previous_link(url: str, start: int, limit: int) -> str | None:
    if start <= 0:
        return None
    return _replace_params(url, limit=limit, start=None if start - limit <= 0 else start - limit)


def _multipart(content_type: str, body: bytes) -> dict[str, tuple[str | None, bytes]]:
    """``name → (filename, bytes)`` of a multipart/form-data body."""
    message = BytesParser().parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    if not message.is_multipart():
        raise ApiError(400, {"detail": "Multipart form parse error."})
    parts = {}
    for part in message.get_payload():
        name = part.get_param("name", header="content-disposition")
        parts[name] = (part.get_filename(), part.get_payload(decode=True) or b"")
    return parts


class _Handler(BaseHTTPRequestHandler):
    """HTTP/1.1 keep-alive handler: faults first, then the fake's answer."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # TCP_NODELAY, as web servers set it
    timeout = 5
    fake: FakeKoboToolbox

    def log_message(self, format: str, *args: Any) -> None:  # quiet server
        pass

    def do_GET(self) -> None:
        self.serve("GET")

    def do_POST(self) -> None:
        self.serve("POST")

    def do_PATCH(self) -> None:
        self.serve("PATCH")

    def do_DELETE(self) -> None:
        self.serve("DELETE")

    def serve(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        fault = self.fake.faults.take(method, self.path.partition("?")[0])
        if fault is not None and fault.kind == HANG:
            self.fake._stopping.wait(fault.seconds)
            return self.drop(reset=False)
        if fault is not None and fault.kind == RESET:
            return self.drop(reset=True)
        if fault is not None and fault.kind == STATUS:
            reply = _fault_reply(fault.status, fault.retry_after)
        else:
            reply = self.fake.handle(method, self.path, self.headers, body)
        self.fake.requests.append((method, self.path, reply.status))
        if fault is not None and fault.kind == INVALID_JSON:
            reply.body = reply.body[: len(reply.body) // 2]
            reply.headers = [(k, str(len(reply.body)) if k == "Content-Length" else v) for k, v in reply.headers]
        truncate = fault is not None and fault.kind == TRUNCATE
        try:
            self.send_response_only(reply.status)
            for name, value in reply.headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(reply.body[: len(reply.body) // 2] if truncate else reply.body)
            self.wfile.flush()
            if truncate:
                self.drop(reset=False)
        except OSError:
            self.close_connection = True

    def drop(self, *, reset: bool) -> None:
        self.close_connection = True
        try:
            if reset:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            else:
                self.connection.shutdown(socket.SHUT_RDWR)
            self.connection.close()
        except OSError:
            pass


def _fault_reply(status: int, retry_after: str | None) -> Reply:
    """What the nginx in front of KPI (429, 502, 503, 504) or Django (500) answers: an HTML page."""
    reason = BaseHTTPRequestHandler.responses.get(status, ("Error",))[0]
    body = (f"<html><head><title>{status} {reason}</title></head>"
            f"<body><h1>{status} {reason}</h1></body></html>\n").encode()
    headers = [("Date", formatdate(usegmt=True)), ("Server", "nginx"), ("Content-Type", "text/html"),
               ("Content-Length", str(len(body)))]
    if retry_after is not None:
        headers.append(("Retry-After", retry_after))
    return Reply(status, headers, body)
