"""A fake KoboToolbox (kpi, API v2 and OpenRosa) on loopback, answering as kpi 2e5efb0 did when recorded.

Real HTTP (``ThreadingHTTPServer`` on port 0, in a thread; HTTP/1.1 keep-alive). Status codes, bodies (key
order, number formatting), ``Content-Type``, ``Allow`` and the quirks follow ``shared/fixtures/kobotoolbox``,
which ``test_kobo_fake_fixtures.py`` replays against it:

- ``Authorization: Token <key>``; an unknown key is 401 ``{"detail":"Invalid token."}``; no header, or a key
  under another scheme (``Bearer``), is anonymous: empty asset list, 404 on an asset and its data;
- ``POST /api/v2/imports/`` → 201 ``processing``; ``GET /api/v2/imports/{uid}/`` is ``processing`` for
  :attr:`FakeKoboToolbox.import_polls` polls, then ``complete`` (``messages.created``/``updated``) or ``error``
  (a ``name`` used twice anywhere in the survey: ``Duplicate node name``);
- ``GET /api/v2/assets/`` and ``/api/v2/assets/{uid}/``: the asset with its ``content`` as kpi stores it
  (PostgreSQL ``jsonb`` key order, labels as lists per translation, ``$kuid``, ``$xpath``, ``$autoname``);
- ``…/files/`` (list, upload, a name already there is 400, delete); ``…/deployment/`` (``POST`` once, then 405;
  ``PATCH`` with the current ``version_id``, an older one is 500); ``…/permission-assignments/``;
- ``…/data/`` pages (``limit`` default 100, cut to :attr:`~FakeKoboToolbox.max_limit`, ``start``, absolute
  ``next``/``previous`` with sorted parameters), a type-strict Mongo ``query``, ``sort``, ``fields`` (kpi adds
  ``_uuid``, ``meta/rootUuid``, ``_id`` and ``_validation_status``), each parameter's 400; a query the database
  refuses, or one of :attr:`~FakeKoboToolbox.query_timeouts`, is 400 ``["Unsupported query"]``; an unknown
  asset's data is kpi's HTML 404 page; without ``view_submissions`` it is 404 ``{"detail":"Not found."}``;
- ``…/data/{id}/`` (by ``_id`` or instance id), its ``validation_status/``, ``validation_statuses/`` and
  ``bulk/`` (edit, delete);
- OpenRosa ``POST /submission`` (Basic or Token): 201, a byte-identical copy 202, another XML with the same
  instanceID 409 (the ``_id`` it took is lost, as kpi's sequence skips it), an edit naming an old
  ``deprecatedID`` 410; 401 with a Digest challenge; ``HEAD`` 204;
- documents: ``_id`` first, answers keyed by group paths as strings, repeats as lists of full-path dicts,
  ``meta/rootUuid`` always with ``uuid:`` while ``meta/instanceID`` is as sent;
- faults from a :class:`fake_faults.FaultPlan` (statuses with ``Retry-After``, hangs, resets …).

Test API: :meth:`create_asset`, :meth:`add_submission` (``hidden=True`` then :meth:`reveal`: an ``_id`` taken
before its submission is visible), :meth:`edit_submission`, :meth:`delete_submission`,
:meth:`set_validation_status`, :meth:`move_submissions`, :meth:`add_user`, :meth:`share`; :attr:`clock`,
:attr:`query_timeouts`; what happened: :attr:`requests`.
"""

from __future__ import annotations

import base64
import hashlib
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
from xml.etree import ElementTree

from pyxform import xls2json_backends
from pyxform.xls2xform import convert

from tests.connectors.fake_faults import HANG, INVALID_JSON, RESET, STATUS, TRUNCATE, FaultPlan

DEFAULT_TOKEN = "f4k3-k0b0-t0k3n-0123456789abcdef0123456789abcdef"
DEFAULT_PASSWORD = "f4k3-k0b0-pa55word"
OWNER = "clms_admin"
JSON_TYPE = "application/json"
HTML_TYPE = "text/html; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"
VALIDATION_LABELS = {"validation_status_approved": ("Approved", "#00ff00"),  # (label, colour of kpi's UI)
                     "validation_status_not_approved": ("Not Approved", "#ff0000"),
                     "validation_status_on_hold": ("On Hold", "#0000ff")}
PERMISSION_LABELS = {"view_asset": "View form", "change_asset": "Edit form", "manage_asset": "Manage project",
                     "add_submissions": "Add submissions", "view_submissions": "View submissions",
                     "change_submissions": "Edit submissions", "delete_submissions": "Delete submissions",
                     "validate_submissions": "Validate submissions", "delete_asset": "Delete form"}
OWNER_PERMISSIONS = ("change_asset", "view_submissions", "validate_submissions", "delete_asset",
                     "delete_submissions", "add_submissions", "view_asset", "manage_asset", "change_submissions")
_FORM_TYPES = ("select_one_from_file", "select_multiple_from_file", "select_one", "select_multiple", "rank")
_TRANSLATABLE = ("label", "hint", "constraint_message", "required_message")
_SYSTEM_TAIL = ("_attachments", "_status", "_geolocation", "_submission_time", "_validation_status", "_submitted_by")
_NOT_COUNTED = ("start", "end", "begin_group", "end_group", "begin_repeat", "end_repeat", "calculate")  # in summary
_ALWAYS_PROJECTED = ("_uuid", "meta/rootUuid")
NOT_FOUND = {"detail": "Not found."}
FORBIDDEN = {"detail": "You do not have permission to perform this action."}
# kpi's own 404 page (its template, as served for an unknown asset's data)
NOT_FOUND_PAGE = """


<!doctype html>
<html>
  <head>
    <!-- Setup -->
    <meta charset="utf-8">
    <meta http-equiv="X-UA-Compatible" content="IE=edge,chrome=1">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    
    

    <!-- Title and description -->
    <title>KoboToolbox </title>
    <meta name="description" content="KoboToolbox is a free toolkit for collecting and managing data in \
challenging environments and is the most widely-used tool in humanitarian emergencies">

    <!-- Icons -->
    <link rel="icon" href="/static/favicon.png" />
    <link rel="apple-touch-icon" href="/static/apple-touch-icon.png" />
    <link rel="manifest" href="/static/site.webmanifest" />
    <link rel="mask-icon" href="/static/safari-pinned-tab.svg" color="#2095f3" />

    <!-- Scripts -->
    <!-- Make Django's internationalization functionality available in client code. -->
    <script src="/jsi18n/"></script>
    <script src="/static/js/global_t.js"></script>
    
  <script src="http://localhost/static/webpack_bundles/test.bundle.js"></script>


    <!-- Stylesheets -->
    
  


    
  </head>

  <body>
    
  <div class="registration__bg">
    

    
  <form class='registration registration--login'>
    <h1>
      Page not found (404)
    </h1>

    This page does not exist on the server. Please check the URL or link that sent you here.

    <a href="javascript: history.back()">Go back</a>
  </form>


    

    <div class="registration__footer">
      
        
      
    </div>
  </div>

  

  

  </body>
</html>
"""
# The Allow header of each kpi view
ALLOW = {"assets": "GET, POST, HEAD, OPTIONS", "asset": "GET, PUT, PATCH, DELETE, HEAD, OPTIONS",
         "imports": "GET, POST, HEAD, OPTIONS", "import": "GET, HEAD, OPTIONS",
         "files": "GET, POST, HEAD, OPTIONS", "file": "GET, PUT, PATCH, DELETE, HEAD, OPTIONS",
         "deployment": "GET, POST, PATCH, HEAD, OPTIONS", "permissions": "GET, POST, HEAD, OPTIONS",
         "data": "GET, HEAD, OPTIONS", "submission": "GET, DELETE, HEAD, OPTIONS",
         "validation_status": "GET, PATCH, DELETE, HEAD, OPTIONS", "bulk": "PATCH, DELETE, OPTIONS",
         "openrosa": "POST, HEAD, OPTIONS"}
_OPENROSA_DONE = """<OpenRosaResponse xmlns="http://openrosa.org/http/response">
    <message>Successful submission.</message>
    <submissionMetadata xmlns="http://www.opendatakit.org/xforms" id="{asset}"  instanceID="{instance}" \
submissionDate="{date}" isComplete="true" markedAsCompleteDate="{complete}"/>
</OpenRosaResponse>
"""
_OPENROSA_MESSAGE = """<?xml version='1.0' encoding='UTF-8' ?>
<OpenRosaResponse xmlns="http://openrosa.org/http/response">
        <message nature="">{message}</message>
</OpenRosaResponse>"""
_OPENROSA_AUTH = '<?xml version="1.0" encoding="utf-8"?>\n<root><detail>{message}</detail></root>'


class ApiError(Exception):
    def __init__(self, status: int, body: Any, *, view: str | None = None, raw: bytes | None = None,
                 content_type: str = JSON_TYPE) -> None:
        super().__init__(status)
        self.status, self.body, self.view, self.raw, self.content_type = status, body, view, raw, content_type


@dataclass
class Reply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes = b""


@dataclass
class Version:
    uid: str
    content_hash: str
    deployed_at: datetime


@dataclass
class Asset:
    uid: str
    owner: str
    name: str
    xlsx: bytes
    content: dict[str, Any]
    version_id: str
    created: datetime
    modified: datetime
    deployed_version_id: str | None = None
    deployed_at: datetime | None = None
    deployed_versions: list[Version] = field(default_factory=list)
    version_count: int = 1
    formhub_uuid: str = field(default_factory=lambda: uuid.uuid4().hex)
    files: dict[str, dict[str, Any]] = field(default_factory=dict)  # file uid → kpi's file JSON
    deleted_files: set[str] = field(default_factory=set)  # kpi keeps them (the asset's `files` still lists them)
    blobs: dict[str, bytes] = field(default_factory=dict)  # file uid → content
    documents: dict[int, dict[str, Any]] = field(default_factory=dict)  # _id → document
    xml: dict[int, bytes] = field(default_factory=dict)  # _id → the submission XML last received
    shared: dict[str, set[str]] = field(default_factory=dict)  # username → permissions
    number: int = 0  # the database id

    def can(self, username: str | None, permission: str) -> bool:
        if username is None:
            return False
        return username == self.owner or permission in self.shared.get(username, set())

    def permissions_of(self, username: str) -> list[str]:
        if username == self.owner:
            return list(OWNER_PERMISSIONS)
        return [p for p in OWNER_PERMISSIONS if p in self.shared.get(username, set())]


@dataclass
class ImportTask:
    uid: str
    user: str
    xlsx: bytes
    filename: str
    destination: str | None
    polls_left: int
    created: datetime
    status: str = "processing"
    messages: dict[str, Any] = field(default_factory=dict)


def uid(prefix: str) -> str:
    """A kpi uid: a prefix (``a`` asset, ``v`` version, ``i`` import, ``af`` file …), then 21 random characters."""
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
    return prefix + "".join(secrets.choice(alphabet) for _ in range(21))


def jsonb(value: Any) -> Any:
    """``value`` as PostgreSQL's ``jsonb`` gives it back: object keys by length, then bytewise."""
    if isinstance(value, dict):
        return {k: jsonb(value[k]) for k in sorted(value, key=lambda k: (len(k.encode()), k.encode()))}
    if isinstance(value, list):
        return [jsonb(v) for v in value]
    return value


def kpi_content(xlsx: bytes) -> dict[str, Any]:
    """The XLSForm as kpi keeps it in ``asset.content`` (formpack's ``expand_content``, stored as ``jsonb``)."""
    book = xls2json_backends.xlsx_to_dict(BytesIO(xlsx))
    columns = [c for row in book.get("survey", []) + book.get("choices", []) for c in row]
    translations = list(dict.fromkeys(c.split("::", 1)[1] for c in columns if c.startswith("label::")))
    translated: set[str] = set()

    def translate(row: dict[str, Any], out: dict[str, Any]) -> None:
        for column in _TRANSLATABLE:
            values = [row.get(f"{column}::{language}") for language in translations]
            if any(values):
                out[column] = values
                translated.add(column)

    survey = []
    stack: list[str] = []
    for row in book.get("survey", []):
        kind, *rest = re.sub(r"^(begin|end) (group|repeat)", r"\1_\2", str(row.get("type", "")).strip()).split()
        out: dict[str, Any] = {"type": kind, "$kuid": _kuid()}
        if kind in ("end_group", "end_repeat"):
            out["name"] = stack.pop() if stack else row.get("name")
            survey.append(out)
            continue
        if kind.startswith(("select_one_from_file", "select_multiple_from_file")):
            out["file"] = rest[0]
        elif kind in _FORM_TYPES:
            out["select_from_list_name"] = rest[0]
        if row.get("name"):
            out["name"] = out["$autoname"] = row["name"]
            out["$xpath"] = "/".join([*stack, row["name"]])
        translate(row, out)
        for column, value in row.items():
            if column in ("type", "name") or ("::" in column and not column.startswith("bind::")):
                continue
            out[column] = value in ("yes", "true", "TRUE") if column == "required" else value
        if kind in ("begin_group", "begin_repeat"):
            stack.append(row.get("name"))
        survey.append(out)
    choices = []
    for row in book.get("choices", []):
        out = {"list_name": row["list_name"], "name": row["name"], "$autovalue": row["name"], "$kuid": _kuid()}
        translate(row, out)
        choices.append(out)
    sheet = dict(book.get("settings", [{}])[0]) if book.get("settings") else {}
    settings = {("id_string" if key == "form_id" else key): value for key, value in sheet.items()
                if key != "form_title"}
    return jsonb({"schema": "1", "survey": survey, "choices": choices, "settings": settings,
                  "translated": sorted(translated), "translations": translations or [None]})


def _kuid() -> str:
    return "".join(secrets.choice("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
                   for _ in range(9))


def form_title(xlsx: bytes) -> str | None:
    book = xls2json_backends.xlsx_to_dict(BytesIO(xlsx))
    return (book.get("settings") or [{}])[0].get("form_title")


def duplicate_name(content: dict[str, Any]) -> str | None:
    """The first ``name`` used twice in the survey, which kpi refuses (even in different groups)."""
    seen: set[str] = set()
    for row in content["survey"]:
        name = row.get("name")
        if name and row["type"] not in ("end_group", "end_repeat"):
            if name in seen:
                return name
            seen.add(name)
    return None


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


def summary(content: dict[str, Any], *, stored: bool) -> dict[str, Any]:
    """kpi's asset ``summary`` of a content: as just computed, or (``stored``) as read back from the database."""
    rows = [r for r in content["survey"] if r["type"] not in _NOT_COUNTED]
    columns = list(dict.fromkeys(k for r in content["survey"] for k in r if not k.startswith("$")))
    translations = content["translations"]
    labels = [r["label"][0] for r in rows if r.get("label") and r["type"] != "note"][:5]
    value = {"row_count": len(rows), "languages": translations, "default_translation": translations[0],
             "geo": any(r["type"] == "geopoint" for r in rows), "lock_all": False, "lock_any": False,
             "labels": labels, "columns": columns,
             "name_quality": {"firsts": {}, "bad": 0, "ok": 0, "good": len(rows), "total": len(rows)}}
    return jsonb(value) if stored else value


class FakeKoboToolbox:
    """The fake server and its state; ``max_limit`` is the page-size cap (kpi's SUBMISSION_LIST_LIMIT)."""

    def __init__(self, *, token: str = DEFAULT_TOKEN, max_limit: int = 1000, default_limit: int = 100,
                 import_polls: int = 1, log_size: int = 10_000, first_id: int = 101, first_asset_id: int = 1,
                 public_url: str | None = None) -> None:
        self.max_limit = max_limit
        self.default_limit = default_limit
        self.import_polls = import_polls
        self.query_timeouts = 0  # the next data pages that time out in the database (400 ["Unsupported query"])
        self.public_url = public_url  # the address kpi writes in its links (default: the fake's own)
        self.faults = FaultPlan()
        self.requests: deque[tuple[str, str, int]] = deque(maxlen=log_size)
        self.clock = datetime(2026, 11, 23, 8, 0, 0, tzinfo=UTC)
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._tokens: dict[str, str] = {token: OWNER}
        self._passwords: dict[str, str] = {OWNER: DEFAULT_PASSWORD}
        self._assets: dict[str, Asset] = {}
        self._imports: dict[str, ImportTask] = {}
        self._ids = itertools.count(first_id)  # _id: one sequence for every asset of the server
        self._asset_ids = itertools.count(first_asset_id)  # the assets' database ids
        self._hidden: dict[int, tuple[str, dict[str, Any]]] = {}
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

    def add_user(self, username: str, token: str, password: str | None = None) -> None:
        with self._lock:
            self._tokens[token] = username
            if password is not None:
                self._passwords[username] = password

    def share(self, asset_uid: str, username: str, *permissions: str) -> None:
        with self._lock:
            self._assets[asset_uid].shared[username] = set(permissions)

    def create_asset(self, xlsx: bytes, *, name: str = "Household survey", deploy: bool = True,
                     asset_uid: str | None = None) -> str:
        """An asset owned by :data:`OWNER` with this XLSForm, deployed unless ``deploy=False``."""
        with self._lock:
            asset = Asset(asset_uid or uid("a"), OWNER, name, xlsx, kpi_content(xlsx), uid("v"), self.clock,
                          self.clock, number=next(self._asset_ids))
            self._assets[asset.uid] = asset
            if deploy:
                self._deploy(asset)
            return asset.uid

    def asset(self, asset_uid: str) -> Asset:
        with self._lock:
            return self._assets[asset_uid]

    # ------------------------------------------------------------------ submissions

    def add_submission(self, asset_uid: str, values: dict[str, Any], *, instance_id: str | None = None,
                       submitted_by: str | None = OWNER, legacy: bool = False, hidden: bool = False) -> int:
        """Receive ``values`` (groups as dicts, repeats as lists of dicts) now; returns its ``_id``.

        ``legacy=True``: a document from before kpi stored ``meta/rootUuid``. ``hidden=True``: the ``_id`` is
        taken but the submission is not visible until :meth:`reveal`.
        """
        with self._lock:
            asset = self._assets[asset_uid]
            instance_id = instance_id or f"uuid:{uuid.uuid4()}"
            kobo_id = next(self._ids)
            self.clock += timedelta(seconds=1)
            answers = _flatten(values, "", content_paths(asset.content))
            meta = [("meta/instanceID", instance_id)]
            document = self._document(asset, kobo_id, answers, meta, root=None if legacy else _root(instance_id),
                                      submitted_by=submitted_by, submitted=self.clock, validation={})
            if hidden:
                self._hidden[kobo_id] = (asset_uid, document)
            else:
                asset.documents[kobo_id] = document
            return kobo_id

    def reveal(self, kobo_id: int) -> None:
        """Make visible a submission added with ``hidden=True`` (its transaction committed late)."""
        with self._lock:
            asset_uid, document = self._hidden.pop(kobo_id)
            self._assets[asset_uid].documents[kobo_id] = document

    def edit_submission(self, asset_uid: str, kobo_id: int, values: dict[str, Any], *,
                        new_instance_id: str | None = None) -> str:
        """An edit (Enketo or Collect): new ``_uuid``/``meta/instanceID`` and ``meta/deprecatedID``, same ``_id``.

        ``meta/rootUuid`` is kept; a legacy document (none stored) gets one made from the new instanceID, as kpi
        does.
        """
        with self._lock:
            asset = self._assets[asset_uid]
            old = asset.documents[kobo_id]
            new_instance_id = new_instance_id or f"uuid:{uuid.uuid4()}"
            answers = _flatten(values, "", content_paths(asset.content))
            meta = [("meta/instanceID", new_instance_id), ("meta/deprecatedID", old["meta/instanceID"])]
            asset.documents[kobo_id] = self._edited(asset, old, answers, meta)
            return new_instance_id

    def delete_submission(self, asset_uid: str, kobo_id: int) -> None:
        with self._lock:
            del self._assets[asset_uid].documents[kobo_id]

    def set_validation_status(self, asset_uid: str, kobo_id: int, status_uid: str | None) -> None:
        with self._lock:
            document = self._assets[asset_uid].documents[kobo_id]
            document["_validation_status"] = {} if status_uid is None else self._validation(status_uid, OWNER)

    def move_submissions(self, asset_uid: str, offset: int) -> None:
        """Give every submission a new ``_id`` (``_id + offset``), as a move between servers does."""
        with self._lock:
            asset = self._assets[asset_uid]
            asset.documents = {k + offset: {**d, "_id": k + offset} for k, d in asset.documents.items()}

    def documents(self, asset_uid: str) -> list[dict[str, Any]]:
        with self._lock:
            return [json.loads(json.dumps(d)) for _, d in sorted(self._assets[asset_uid].documents.items())]

    def _validation(self, status_uid: str, user: str) -> dict[str, Any]:
        return {"timestamp": int(self.clock.timestamp()), "uid": status_uid, "by_whom": user,
                "label": VALIDATION_LABELS[status_uid][0]}

    def _document(self, asset: Asset, kobo_id: int, answers: dict[str, Any], meta: list[tuple[str, str]], *,
                  root: str | None, submitted_by: str | None, submitted: datetime, validation: dict[str, Any],
                  version: str | None = None, formhub: str | None = None) -> dict[str, Any]:
        """A document in kpi's key order: ``_id``, the XML's elements, then kpi's own keys."""
        paths = content_paths(asset.content)
        geopoint = next((v for k, v in answers.items() if paths.get(k) == "geopoint"), None)
        document: dict[str, Any] = {"_id": kobo_id, "formhub/uuid": formhub or asset.formhub_uuid, **answers,
                                    "__version__": version or asset.deployed_version_id, **dict(meta)}
        document["_xform_id_string"] = asset.uid
        document["_uuid"] = document["meta/instanceID"].removeprefix("uuid:")
        if root is not None and "meta/rootUuid" not in document:
            document["meta/rootUuid"] = root
        document.update({
            "_attachments": [],
            "_status": "submitted_via_web",
            "_geolocation": [float(x) for x in geopoint.split()[:2]] if geopoint else [None, None],
            "_submission_time": submitted.strftime("%Y-%m-%dT%H:%M:%S"),
            "_validation_status": validation,
            "_submitted_by": submitted_by,
        })
        return document

    def _edited(self, asset: Asset, old: dict[str, Any], answers: dict[str, Any],
                meta: list[tuple[str, str]]) -> dict[str, Any]:
        root = old.get("meta/rootUuid") or _root(meta[0][1])
        submitted = datetime.fromisoformat(old["_submission_time"]).replace(tzinfo=UTC)
        return self._document(asset, old["_id"], answers, meta, root=root, submitted_by=old["_submitted_by"],
                              submitted=submitted, validation=old["_validation_status"],
                              version=old.get("__version__"), formhub=old.get("formhub/uuid"))

    # ------------------------------------------------------------------ HTTP

    def handle(self, method: str, target: str, headers: Any, body: bytes) -> Reply:
        path, _, query = target.partition("?")
        router = _Router(self, method, path, query, headers, body)
        with self._lock:
            try:
                status, payload = router.route()
                view, raw, content_type = router.view, None, JSON_TYPE
            except ApiError as error:
                status, payload, raw, content_type = error.status, error.body, error.raw, error.content_type
                view = error.view or router.view
        extra = list(router.extra_headers)
        if router.user is not None and content_type != HTML_TYPE:
            extra.append(("X-KoBoNaUt", router.user))
        if status in (204, 301):
            return Reply(status, _headers(None, None if content_type == JSON_TYPE else content_type, view, extra))
        data = raw if raw is not None else json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        return Reply(status, _headers(data, content_type, view, extra), data)

    def _deploy(self, asset: Asset) -> None:
        book = {sheet: rows for sheet, rows in xls2json_backends.xlsx_to_dict(BytesIO(asset.xlsx)).items()
                if sheet in ("survey", "choices", "settings")}  # headers are taken from the rows
        book["survey"] = [*book["survey"], {"type": "calculate", "name": "__version__",
                                            "calculation": f"'{asset.version_id}'"}]
        book["settings"] = [{**(book.get("settings") or [{}])[0], "form_id": asset.uid,
                             "version": f"{asset.version_count} ({self.clock:%Y-%m-%d %H:%M:%S})"}]
        try:
            convert(xlsform=book)
        except Exception as exc:  # pyxform's refusal becomes kpi's 400
            raise ApiError(400, {"detail": f"ODK Validate Errors: {exc}"}) from None
        content_hash = hashlib.sha1(json.dumps(asset.content, sort_keys=True).encode()).hexdigest()
        asset.deployed_versions.insert(0, Version(asset.version_id, content_hash, self.clock))
        asset.deployed_version_id = asset.version_id
        asset.deployed_at = asset.modified = self.clock


def _root(instance_id: str) -> str:
    return instance_id if instance_id.startswith("uuid:") else f"uuid:{instance_id}"


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


def _xml_answers(element: ElementTree.Element, prefix: str, repeats: set[str]) -> dict[str, Any]:
    """A submission's elements → Kobo keys, in the XML's order (repeats: lists of full-path dicts)."""
    flat: dict[str, Any] = {}
    for child in element:
        path = f"{prefix}/{child.tag}" if prefix else child.tag
        if path in repeats:
            flat.setdefault(path, []).append(_xml_answers(child, path, repeats))
        elif len(child):
            flat.update(_xml_answers(child, path, repeats))
        elif child.text:
            flat[path] = child.text
    return flat


def _headers(body: bytes | None, content_type: str | None, view: str | None,
             extra: list[tuple[str, str]]) -> list[tuple[str, str]]:
    headers = [("Date", formatdate(usegmt=True)), ("Server", "WSGIServer/0.2 CPython/3.11.7")]
    if content_type is not None:
        headers.append(("Content-Type", content_type))
    headers.append(("Vary", "Accept, origin, Accept-Language, Cookie"))
    if view is not None:
        headers.append(("Allow", ALLOW[view]))
    headers += extra
    headers.append(("Content-Length", str(len(body or b""))))
    return headers


class _Router:
    """One request against the fake's state (runs under the fake's lock)."""

    def __init__(self, fake: FakeKoboToolbox, method: str, path: str, query: str, headers: Any, body: bytes) -> None:
        self.fake, self.method, self.path = fake, method, path
        self.pairs = parse_qsl(query, keep_blank_values=True)
        self.query = dict(self.pairs)
        self.headers, self.body = headers, body
        self.user: str | None = None
        self.view: str | None = None
        self.extra_headers: list[tuple[str, str]] = []
        self.base = fake.public_url or f"http://{headers.get('Host')}"

    def route(self) -> tuple[int, Any]:
        if self.path == "/submission":
            return self.openrosa()
        parts = [unquote(p) for p in self.path.strip("/").split("/")]
        if parts[:2] != ["api", "v2"]:
            raise ApiError(404, NOT_FOUND)
        if not self.path.endswith("/"):
            location = f"{self.path}/" + (f"?{urlencode(self.pairs)}" if self.pairs else "")
            self.extra_headers += [("Location", location), ("Connection", "close")]
            raise ApiError(301, None, raw=b"", content_type=HTML_TYPE)
        rest = parts[2:]
        self.view = _view(rest)
        self.authenticate()
        if rest == ["assets"] and self.method == "GET":
            return self.asset_list()
        if rest == ["imports"] and self.method == "POST":
            return self.create_import()
        if len(rest) == 2 and rest[0] == "imports" and self.method == "GET":
            return self.import_status(rest[1])
        if len(rest) >= 2 and rest[0] == "assets":
            return self.asset_resource(rest[1], rest[2:])
        raise ApiError(404, NOT_FOUND)

    def authenticate(self) -> None:
        """``Token <key>``: the key's user, or 401; any other scheme, or none, is anonymous."""
        scheme, _, key = (self.headers.get("Authorization") or "").partition(" ")
        if scheme != "Token":
            return
        if key not in self.fake._tokens:
            self.extra_headers.append(("WWW-Authenticate", "Session"))
            raise ApiError(401, {"detail": "Invalid token."})
        self.user = self.fake._tokens[key]

    def link(self, path: str) -> str:
        """An absolute link, with ``?format=json`` when the request asked for it (DRF's ``reverse``)."""
        return f"{self.base}{path}" + ("?format=json" if self.query.get("format") == "json" else "")

    # ------------------------------------------------------------------ OpenRosa

    def openrosa(self) -> tuple[int, Any]:
        self.view = "openrosa"
        user = self.openrosa_user()
        self.extra_headers = [("X-OpenRosa-Version", "1.0"), ("X-OpenRosa-Accept-Content-Length", "10000000"),
                              ("Location", f"{self.base}/submission")]
        if self.method == "HEAD":
            raise ApiError(204, None, content_type=XML_TYPE)
        fields = _multipart(self.headers.get("Content-Type", ""), self.body)
        xml = fields.get("xml_submission_file", (None, b""))[1]
        status, message = self.receive(user, xml)
        if status == 201:
            return self.xml(201, message)
        if status == 410:
            self.extra_headers = self.extra_headers[:2]
        return self.xml(status, _OPENROSA_MESSAGE.format(message=message))

    def openrosa_user(self) -> str:
        scheme, _, credentials = (self.headers.get("Authorization") or "").partition(" ")
        if scheme == "Token" and credentials in self.fake._tokens:
            self.user = self.fake._tokens[credentials]
            return self.user
        if scheme == "Basic":
            username, _, password = base64.b64decode(credentials).decode().partition(":")
            if self.fake._passwords.get(username) == password:
                self.user = username
                return username
            message = "Invalid username/password."
        else:
            message = "Authentication credentials were not provided."
        nonce = f"{self.fake.clock.timestamp()}:{secrets.token_hex(2).upper()}:{secrets.token_hex(16)}"
        self.extra_headers = [("WWW-Authenticate", f'Digest realm="DJANGO", qop="auth", nonce="{nonce}", '
                                                   f'opaque="{secrets.token_hex(16).upper()}", algorithm="MD5", '
                                                   'stale="false"')]
        raise ApiError(401, None, raw=_OPENROSA_AUTH.format(message=message).encode(), content_type=XML_TYPE)

    def xml(self, status: int, text: str) -> tuple[int, Any]:
        raise ApiError(status, None, raw=text.encode(), content_type=XML_TYPE)

    def receive(self, user: str, xml: bytes) -> tuple[int, str]:
        """kpi's ``safe_create_instance``: (status, the 201 body or the refusal's message)."""
        root = ElementTree.fromstring(xml)
        asset = self.fake._assets.get(root.get("id") or root.tag)
        if asset is None or asset.deployed_version_id is None:
            return 404, "Form not found"
        if not asset.can(user, "add_submissions"):
            return 403, f"{user} is not allowed to make submissions to {asset.uid}"
        paths = content_paths(asset.content)
        repeats = {p for p, kind in paths.items() if kind == "begin_repeat"}
        elements = _xml_answers(root, "", repeats)
        meta = [(k, elements.pop(k)) for k in list(elements) if k.startswith("meta/")]
        formhub, version = elements.pop("formhub/uuid", None), elements.pop("__version__", None)
        instance_id = dict(meta).get("meta/instanceID")
        deprecated = dict(meta).get("meta/deprecatedID")
        current = {d["meta/instanceID"]: k for k, d in asset.documents.items()}
        if instance_id in current:
            if asset.xml.get(current[instance_id]) == xml:
                return 202, "Duplicate Instance"
            next(self.fake._ids)  # the refused insert took an _id
            return 409, "Submission with this instance ID already exists"
        now = self.fake.clock
        if deprecated is not None:
            if deprecated not in current:
                return 410, "Invalid submission - deprecatedID refers to an old version"
            kobo_id = current[deprecated]
            asset.documents[kobo_id] = self.fake._edited(asset, asset.documents[kobo_id], elements, meta)
        else:
            kobo_id = next(self.fake._ids)
            asset.documents[kobo_id] = self.fake._document(
                asset, kobo_id, elements, meta, root=_root(instance_id), submitted_by=user, submitted=now,
                validation={}, version=version, formhub=formhub)
        asset.xml[kobo_id] = xml
        stamp = now.isoformat(timespec="microseconds")
        return 201, _OPENROSA_DONE.format(asset=asset.uid, instance=_root(instance_id), date=stamp, complete=stamp)

    # ------------------------------------------------------------------ imports

    def create_import(self) -> tuple[int, Any]:
        self.must_be_user()
        fields = _multipart(self.headers.get("Content-Type", ""), self.body)
        if "file" not in fields:
            raise ApiError(400, {"detail": "An import task must have `file`, `url` or `base64Encoded`."})
        destination = fields.get("destination", (None, b""))[1].decode() or None
        task = ImportTask(uid("i"), self.user, fields["file"][1], fields["file"][0] or "form.xlsx",
                          destination, self.fake.import_polls, self.fake.clock)
        self.fake._imports[task.uid] = task
        return 201, {"uid": task.uid, "url": f"{self.base}/api/v2/imports/{task.uid}/", "status": "processing"}

    def import_status(self, task_uid: str) -> tuple[int, Any]:
        self.must_be_user()
        task = self.fake._imports.get(task_uid)
        if task is None or task.user != self.user:
            raise ApiError(404, {"detail": "No ImportTask matches the given query."})
        if task.status == "processing":
            if task.polls_left > 0:
                task.polls_left -= 1
            else:
                self.run_import(task)
        return 200, {"status": task.status, "uid": task.uid, "messages": task.messages,
                     "date_created": _stamp(task.created)}

    def run_import(self, task: ImportTask) -> None:
        try:
            content = kpi_content(task.xlsx)
            if not any(row.get("type") for row in content["survey"]):
                raise SyntaxError("xls upload must have one of these sheets: survey, library")
            duplicate = duplicate_name(content)
            if duplicate is not None:
                task.messages = {"error": f"Duplicate node name: {duplicate}", "error_type": "DuplicateNameException"}
                task.status = "error"
                return
            name = form_title(task.xlsx) or task.filename.rsplit(".", 1)[0]
            audit = None
            if task.destination:
                asset = self.fake._assets.get(urlsplit(task.destination).path.rstrip("/").rsplit("/", 1)[-1])
                if asset is None or not asset.can(task.user, "change_asset"):
                    raise PermissionError("user cannot update asset")
                audit = {"source": "Python Requests (Other)", "asset_id": asset.number, "new_name": name,
                         "old_name": asset.name, "asset_uid": asset.uid, "ip_address": "127.0.0.1",
                         "project_owner": asset.owner}
                asset.xlsx, asset.content, asset.version_id, asset.name = task.xlsx, content, uid("v"), name
                asset.modified = self.fake.clock
                asset.version_count += 1
                audit["latest_version_uid"] = asset.version_id
                key = "updated"
            else:
                asset = Asset(uid("a"), task.user, name, task.xlsx, content, uid("v"), self.fake.clock,
                              self.fake.clock, number=next(self.fake._asset_ids))
                self.fake._assets[asset.uid] = asset
                key = "created"
            task.messages = {key: [{"uid": asset.uid, "kind": "asset", "summary": summary(content, stored=True),
                                    "owner__username": task.user}]}
            if audit is not None:
                task.messages["audit_logs"] = [audit]
            task.status = "complete"
        except Exception as exc:  # kpi records any failure on the task
            task.messages = {"error": str(exc), "error_type": type(exc).__name__}
            task.status = "error"

    # ------------------------------------------------------------------ assets

    def must_be_user(self) -> None:
        if self.user is None:
            raise ApiError(401, {"detail": "Authentication credentials were not provided."})

    def find_asset(self, asset_uid: str, permission: str, *, data: bool = False) -> Asset:
        """The asset, or: unknown → 404 (kpi's HTML page for data); not viewable → 404; no ``permission`` → 404
        for reading data, 403 for a change."""
        asset = self.fake._assets.get(asset_uid)
        if asset is None and data:
            self.view = None
            raise ApiError(404, None, raw=NOT_FOUND_PAGE.encode(), content_type=HTML_TYPE)
        if asset is None or not asset.can(self.user, "view_asset"):
            raise ApiError(404, NOT_FOUND)
        if not asset.can(self.user, permission):
            raise ApiError(404 if permission == "view_submissions" else 403,
                           NOT_FOUND if permission == "view_submissions" else FORBIDDEN)
        return asset

    def asset_list(self) -> tuple[int, Any]:
        visible = [a for a in self.fake._assets.values() if a.can(self.user, "view_asset")
                   and self.query.get("asset_type", "survey") == "survey"]
        return 200, self.page([self.asset_json(a, listed=True) for a in visible], len(visible))

    def asset_resource(self, asset_uid: str, rest: list[str]) -> tuple[int, Any]:
        if not rest and self.method == "GET":
            return 200, self.asset_json(self.find_asset(asset_uid, "view_asset"))
        if rest and rest[0] == "data":
            return self.data_resource(asset_uid, rest[1:])
        if rest == ["deployment"]:
            return self.deployment(asset_uid)
        if rest == ["files"] and self.method == "GET":
            asset = self.find_asset(asset_uid, "view_asset")
            files = [{**f, "metadata": jsonb(f["metadata"])} for f in asset.files.values()
                     if f["file_type"] == self.query.get("file_type", f["file_type"])
                     and f["uid"] not in asset.deleted_files]
            return 200, self.page(files, len(files))
        if rest == ["files"] and self.method == "POST":
            return self.upload(self.find_asset(asset_uid, "change_asset"))
        if len(rest) == 2 and rest[0] == "files" and self.method == "DELETE":
            asset = self.find_asset(asset_uid, "change_asset")
            if rest[1] not in asset.files or rest[1] in asset.deleted_files:
                raise ApiError(404, NOT_FOUND)
            asset.deleted_files.add(rest[1])
            raise ApiError(204, None)
        if rest == ["permission-assignments"] and self.method == "POST":
            return self.assign(self.find_asset(asset_uid, "manage_asset"))
        raise ApiError(405, {"detail": f'Method "{self.method}" not allowed.'})

    def page(self, results: list[Any], count: int) -> dict[str, Any]:
        return {"count": count, "next": None, "previous": None, "results": results}

    def asset_json(self, asset: Asset, *, listed: bool = False, saved: bool = False) -> dict[str, Any]:
        """kpi's asset serializer, the keys it has in a list or the detail, in its order (a few left out: see
        ``test_kobo_fake_fixtures.ASSET_KEYS_LEFT_OUT``); ``saved``: the asset just saved, its summary not yet
        read back from the database."""
        path = f"/api/v2/assets/{asset.uid}/"
        deployed = asset.deployed_version_id is not None
        user = self.user or ""
        exports = f"{self.base}/{asset.owner}/"
        files = [{**f, **{k: self.link(urlsplit(f[k]).path) for k in ("url", "asset", "user", "content")},
                  "metadata": jsonb(f["metadata"])} for f in asset.files.values()]
        versions = [{"uid": v.uid, "url": self.link(f"{path}versions/{v.uid}/"), "content_hash": v.content_hash,
                     "date_deployed": _stamp(v.deployed_at), "date_modified": _stamp(v.deployed_at),
                     "version_number": str(len(asset.deployed_versions) - n)}
                    for n, v in enumerate(asset.deployed_versions)]
        values: dict[str, Any] = {
            "url": self.link(path), "owner": self.link(f"/api/v2/users/{asset.owner}/"),
            "owner__username": asset.owner, "parent": None,
            "settings": {"sector": {}, "country": [], "description": "", "organization": "", "country_codes": []},
            "asset_type": "survey", "files": files, "summary": summary(asset.content, stored=not saved),
            "date_created": _stamp(asset.created), "date_modified": _stamp(asset.modified),
            "date_deployed": _stamp(asset.deployed_at) if deployed else None, "version_id": asset.version_id,
            "version_count": asset.version_count, "has_deployment": deployed,
            "deployed_version_id": asset.deployed_version_id,
            "deployed_versions": self.page(versions, len(versions)), "deployment__links": {},
            "deployment__active": deployed,
            "deployment__data_download_links": {
                "xls_legacy": f"{exports}exports/{asset.uid}/xls/", "csv_legacy": f"{exports}exports/{asset.uid}/csv/",
                "zip_legacy": f"{exports}exports/{asset.uid}/zip/",
                "xls": f"{exports}reports/{asset.uid}/export.xlsx",
                "csv": f"{exports}reports/{asset.uid}/export.csv"} if deployed else {},
            "deployment__submission_count": len(asset.documents) if asset.can(user, "view_submissions") else None,
            "deployment__encrypted": False,
            "deployment__uuid": asset.formhub_uuid if deployed else None,
            "deployment_status": "deployed" if deployed else "draft",
            "report_custom": {}, "advanced_features": {"_version": "20250820"}, "map_styles": {}, "map_custom": {},
            "content": asset.content,
            "downloads": [{"format": f, "url": f"{self.base}{path}?format=json.{f}"} for f in ("xls", "xml")]
            if self.query.get("format") == "json" else
            [{"format": f, "url": f"{self.base}{path.rstrip('/')}.{f}"} for f in ("xls", "xml")],
            "embeds": [{"format": "xls", "url": self.link(f"{path}xls/")},
                       {"format": "xform", "url": self.link(f"{path}xform/")}],
            "analysis_form_json": {"additional_fields": []}, "xform_link": self.link(f"{path}xform/"),
            "hooks_link": self.link(f"{path}hooks/"), "tag_string": "", "uid": asset.uid, "kind": "asset",
            "xls_link": self.link(f"{path}xls/"), "name": asset.name,
            "effective_permissions": [{"codename": p} for p in asset.permissions_of(user)],
            "exports": self.link(f"{path}exports/"), "export_settings": [], "data": self.link(f"{path}data/"),
            "children": {"count": 0}, "subscribers_count": 0, "status": "private" if not asset.shared else "shared",
            "access_types": None, "data_sharing": {}, "paired_data": self.link(f"{path}paired-data/"),
            "project_ownership": None, "owner_label": asset.owner, "last_modified_by": None, "created_by": None,
        }
        order = _LIST_KEYS if listed else _DETAIL_KEYS
        return {key: values[key] for key in order if key in values}

    def deployment(self, asset_uid: str) -> tuple[int, Any]:
        if self.method == "GET":
            asset = self.find_asset(asset_uid, "view_asset")
        else:
            asset = self.find_asset(asset_uid, "change_asset")
        deployed = asset.deployed_version_id is not None
        if self.method == "POST":
            if deployed:
                raise ApiError(405, {"detail": "Use PATCH to update an existing deployment"})
            self.fake._deploy(asset)
        elif self.method == "PATCH":
            request = json.loads(self.body or b"{}")
            if not deployed:
                raise ApiError(400, {"detail": "The specified asset has not been deployed"})
            if "version_id" in request and request["version_id"] != asset.version_id:
                self.view = None  # Django's own 500 page, as JSON
                raise ApiError(500, None, raw=b'{"error": "Server Error (500)"}')
            self.fake._deploy(asset)
        elif self.method != "GET":
            raise ApiError(405, {"detail": f'Method "{self.method}" not allowed.'})
        if not deployed and self.method == "GET":
            raise ApiError(404, NOT_FOUND)
        return 200, {"backend": "openrosa", "active": True, "version_id": asset.deployed_version_id,
                     "asset": self.asset_json(asset, saved=self.method != "GET")}

    def upload(self, asset: Asset) -> tuple[int, Any]:
        fields = _multipart(self.headers.get("Content-Type", ""), self.body)
        metadata = json.loads(fields.get("metadata", (None, b"{}"))[1] or b"{}")
        filename, content = fields.get("content", (None, b""))
        name = metadata.get("filename") or filename
        if any(f["metadata"].get("filename") == name and f["uid"] not in asset.deleted_files
               for f in asset.files.values()):
            raise ApiError(400, {"content": ["File already exists"]})
        file_uid = uid("af")
        url = f"{self.base}/api/v2/assets/{asset.uid}/files/{file_uid}/"
        asset.files[file_uid] = {
            "uid": file_uid, "url": url, "asset": f"{self.base}/api/v2/assets/{asset.uid}/",
            "user": f"{self.base}/api/v2/users/{self.user}/", "user__username": self.user,
            "file_type": fields.get("file_type", (None, b""))[1].decode(),
            "description": fields.get("description", (None, b""))[1].decode(),
            "date_created": _stamp(self.fake.clock), "content": f"{url}content/",
            "metadata": {"filename": name, "hash": f"md5:{hashlib.md5(content).hexdigest()}",
                         "mimetype": "text/csv" if name.endswith(".csv") else "application/octet-stream"},
        }
        asset.blobs[file_uid] = content
        self.extra_headers.append(("Location", url))
        return 201, asset.files[file_uid]

    def assign(self, asset: Asset) -> tuple[int, Any]:
        request = json.loads(self.body or b"{}")
        username = urlsplit(request.get("user", "")).path.rstrip("/").rsplit("/", 1)[-1]
        permission = urlsplit(request.get("permission", "")).path.rstrip("/").rsplit("/", 1)[-1]
        if permission not in PERMISSION_LABELS:
            raise ApiError(400, {"permission": ["Invalid hyperlink - Object does not exist."]})
        asset.shared.setdefault(username, set()).update({permission, "view_asset"})
        url = f"{self.base}/api/v2/assets/{asset.uid}/permission-assignments/{uid('p')}/"
        self.extra_headers.append(("Location", url))
        return 201, {"url": url, "user": request["user"], "permission": request["permission"],
                     "label": PERMISSION_LABELS[permission]}

    # ------------------------------------------------------------------ data

    def data_resource(self, asset_uid: str, rest: list[str]) -> tuple[int, Any]:
        if not rest:
            if self.method != "GET":
                raise ApiError(405, {"detail": f'Method "{self.method}" not allowed.'})
            return self.data(self.find_asset(asset_uid, "view_submissions", data=True))
        if rest == ["bulk"]:
            asset = self.find_asset(asset_uid, "view_submissions", data=True)
            return self.bulk(asset)
        if rest == ["validation_statuses"] and self.method == "PATCH":
            asset = self.find_asset(asset_uid, "view_submissions", data=True)
            self.must(asset, "validate_submissions")
            payload = json.loads(self.body or b"{}").get("payload") or {}
            ids = [i for i in payload.get("submission_ids", []) if i in asset.documents]
            status_uid = payload.get("validation_status.uid")
            if status_uid not in VALIDATION_LABELS:
                raise ApiError(400, {"detail": f"Invalid validation status: `{status_uid}`"})
            for kobo_id in ids:
                asset.documents[kobo_id]["_validation_status"] = self.fake._validation(status_uid, self.user)
            return 200, {"detail": f"{len(ids)} submissions have been updated"}
        asset = self.find_asset(asset_uid, "view_submissions", data=True)
        kobo_id = self.submission_id(asset, rest[0])
        if len(rest) == 1:
            if self.method == "DELETE":
                self.must(asset, "delete_submissions")
                del asset.documents[kobo_id]
                raise ApiError(204, None)
            return 200, asset.documents[kobo_id]
        if rest[1:] == ["validation_status"]:
            document = asset.documents[kobo_id]
            if self.method == "GET":
                return 200, document["_validation_status"]
            self.must(asset, "validate_submissions")
            if self.method == "DELETE":
                document["_validation_status"] = {}
                raise ApiError(204, None)
            status_uid = json.loads(self.body or b"{}").get("validation_status.uid")
            if status_uid not in VALIDATION_LABELS:
                raise ApiError(400, {"detail": f"Invalid validation status: `{status_uid}`"})
            document["_validation_status"] = self.fake._validation(status_uid, self.user)
            return 200, document["_validation_status"]
        raise ApiError(404, NOT_FOUND)

    def must(self, asset: Asset, permission: str) -> None:
        if not asset.can(self.user, permission):
            raise ApiError(403, FORBIDDEN)

    def submission_id(self, asset: Asset, key: str) -> int:
        """The ``_id`` of ``data/{key}/``: an ``_id`` or an instance id."""
        for kobo_id, document in asset.documents.items():
            if key in (str(kobo_id), document["meta/instanceID"], document.get("meta/rootUuid")):
                return kobo_id
        raise ApiError(404, NOT_FOUND)

    def bulk(self, asset: Asset) -> tuple[int, Any]:
        payload = json.loads(self.body or b"{}").get("payload") or {}
        ids = [i for i in payload.get("submission_ids", []) if i in asset.documents]
        if self.method == "DELETE":
            self.must(asset, "delete_submissions")
            for kobo_id in ids:
                del asset.documents[kobo_id]
            return 200, {"detail": f"{len(ids)} submissions have been deleted"}
        if self.method != "PATCH":
            raise ApiError(405, {"detail": f'Method "{self.method}" not allowed.'})
        self.must(asset, "change_submissions")
        results = []
        for kobo_id in ids:
            old = asset.documents[kobo_id]
            answers = {k: v for k, v in old.items() if not k.startswith(("_", "meta/")) and k != "formhub/uuid"}
            answers.update(payload.get("data") or {})
            new = str(uuid.uuid4())
            root = old.get("meta/rootUuid") or _root(new)
            meta = [("meta/instanceID", f"uuid:{new}"), ("meta/deprecatedID", old["meta/instanceID"]),
                    ("meta/rootUuid", root)]
            asset.documents[kobo_id] = self.fake._edited(asset, old, answers, meta)
            results.append({"uuid": new, "root_uuid": root.removeprefix("uuid:"), "status_code": 201,
                            "message": "Successful submission"})
        return 200, {"count": len(ids), "successes": len(results), "failures": 0, "results": results}

    def data(self, asset: Asset) -> tuple[int, Any]:
        if self.query.get("format", "json") != "json":
            self.user = None
            raise ApiError(406, {"detail": "Could not satisfy the request Accept header."})
        if "count" in self.query:
            raise ApiError(400, {"count": "This param is not implemented. Use `count` property of the response "
                                          "instead."})
        limit = self.positive("limit", self.fake.default_limit, "A positive integer is required", zero=False)
        limit = min(limit, self.fake.max_limit)
        start = self.positive("start", 0, "A positive integer is required.", zero=True)
        query, sort, fields = (self.json_param(name, default) for name, default in
                               (("query", {}), ("sort", {"_id": 1}), ("fields", [])))
        if self.fake.query_timeouts > 0:
            self.fake.query_timeouts -= 1
            raise ApiError(400, ["Unsupported query"])
        matching = [d for d in asset.documents.values() if _matches(d, query)]
        for key, direction in reversed(list(sort.items())):
            matching.sort(key=lambda d: (d.get(key) is None, d.get(key)), reverse=int(direction) < 0)
        page = matching[start:start + limit]
        if fields:
            page = [_project(d, fields) for d in page]
        url = f"{self.base}{self.path}" + (f"?{urlencode(self.pairs)}" if self.pairs else "")
        if "page_size" in self.query:  # DRF's page parameters change the links, not the rows
            limit = self.positive("page_size", limit, "A positive integer is required", zero=False)
            start = (self.positive("page", 1, "A positive integer is required", zero=False) - 1) * limit
        return 200, {"count": len(matching), "next": _next_link(url, start, limit, len(matching)),
                     "previous": _previous_link(url, start, limit), "results": page}

    def positive(self, name: str, default: int, message: str, *, zero: bool) -> int:
        try:
            value = int(self.query.get(name, default))
        except ValueError:
            value = -1
        if value < 0 or (value == 0 and not zero):
            raise ApiError(400, {name: message})
        return value

    def json_param(self, name: str, default: Any) -> Any:
        try:
            return json.loads(self.query[name]) if name in self.query else default
        except ValueError:
            raise ApiError(400, {name: "Value must be valid JSON."}) from None


_DETAIL_KEYS = (
    "url", "owner", "owner__username", "parent", "settings", "asset_type", "files", "summary", "date_created",
    "date_modified", "date_deployed", "version_id", "version__content_hash", "version_count", "has_deployment",
    "deployed_version_id", "deployed_versions", "deployment__links", "deployment__active",
    "deployment__data_download_links", "deployment__submission_count", "deployment__last_submission_time",
    "deployment__encrypted", "deployment__uuid", "deployment_status", "report_styles", "report_custom",
    "advanced_features", "map_styles", "map_custom", "content", "downloads", "embeds", "analysis_form_json",
    "xform_link", "hooks_link", "tag_string", "uid", "kind", "xls_link", "name", "assignable_permissions",
    "permissions", "effective_permissions", "exports", "export_settings", "data", "children", "subscribers_count",
    "status", "access_types", "data_sharing", "paired_data", "project_ownership", "owner_label", "last_modified_by",
    "created_by",
)
_LIST_KEYS = (
    "url", "date_created", "date_modified", "date_deployed", "owner", "summary", "owner__username", "parent", "uid",
    "tag_string", "settings", "kind", "name", "asset_type", "version_id", "has_deployment", "deployed_version_id",
    "deployment__active", "deployment__submission_count", "deployment__last_submission_time",
    "deployment__encrypted", "deployment__uuid", "deployment_status", "permissions", "export_settings", "downloads",
    "data", "subscribers_count", "status", "access_types", "children", "data_sharing", "owner_label",
    "last_modified_by", "created_by",
)


def _view(rest: list[str]) -> str | None:
    """The kpi view answering ``/api/v2/<rest>/`` (for its ``Allow`` header)."""
    if rest == ["assets"]:
        return "assets"
    if rest and rest[0] == "imports":
        return "imports" if len(rest) == 1 else "import"
    if len(rest) < 2 or rest[0] != "assets":
        return None
    tail = rest[2:]
    if not tail:
        return "asset"
    if tail[0] == "files":
        return "files" if len(tail) == 1 else "file"
    if tail[0] in ("deployment", "permission-assignments"):
        return "deployment" if tail[0] == "deployment" else "permissions"
    if tail[0] == "data":
        if len(tail) == 1:
            return "data"
        if tail[1] in ("bulk", "validation_statuses"):
            return "bulk"
        return "validation_status" if tail[2:] == ["validation_status"] else "submission"
    return None


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


_OPERATORS = {"$gt": operator.gt, "$gte": operator.ge, "$lt": operator.lt, "$lte": operator.le,
              "$ne": operator.ne, "$in": lambda value, operand: value in operand}


def _matches(document: dict[str, Any], query: dict[str, Any]) -> bool:
    """MongoDB's match of one document: type-strict comparisons; a malformed operator is the database's refusal."""
    if not isinstance(query, dict):
        raise ApiError(400, ["Unsupported query"])
    for key, condition in query.items():
        value = document
        for part in key.split(".") if key.startswith("_validation_status.") else [key]:
            value = value.get(part) if isinstance(value, dict) else None
        if not isinstance(condition, dict):
            if value != condition or type(value) is not type(condition):
                return False
            continue
        for name, operand in condition.items():
            if name not in _OPERATORS or (name == "$in" and not isinstance(operand, list)):
                raise ApiError(400, ["Unsupported query"])
            if name == "$in":
                if not any(value == o and type(value) is type(o) for o in operand):
                    return False
            elif value is None or type(value) is not type(operand) or not _OPERATORS[name](value, operand):
                return False
    return True


def _project(document: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    """A ``fields`` projection as kpi (on mongomock) returns it: the fields asked and ``_uuid``, ``meta/rootUuid``
    in the document's order, ``_id`` after them, then ``_validation_status`` if not asked."""
    wanted = set(fields) | set(_ALWAYS_PROJECTED)
    projected = {k: v for k, v in document.items() if k in wanted and k != "_id"}
    projected["_id"] = document["_id"]
    projected.setdefault("_validation_status", document.get("_validation_status", {}))
    return projected


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

    def do_HEAD(self) -> None:
        self.serve("HEAD")

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
            if method != "HEAD":
                self.wfile.write(reply.body[: len(reply.body) // 2] if truncate else reply.body)
            self.wfile.flush()
            if truncate:
                self.drop(reset=False)
            if ("Connection", "close") in reply.headers:
                self.close_connection = True
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
    """What the nginx in front of kpi (429, 502, 503, 504) or Django (500) answers: an HTML page."""
    reason = BaseHTTPRequestHandler.responses.get(status, ("Error",))[0]
    body = (f"<html><head><title>{status} {reason}</title></head>"
            f"<body><h1>{status} {reason}</h1></body></html>\n").encode()
    headers = [("Date", formatdate(usegmt=True)), ("Server", "nginx"), ("Content-Type", "text/html"),
               ("Content-Length", str(len(body)))]
    if retry_after is not None:
        headers.append(("Retry-After", retry_after))
    return Reply(status, headers, body)
