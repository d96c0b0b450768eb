"""A fake ODK Central on loopback, answering like central-backend v2026.2 did when recorded.

Real HTTP (``ThreadingHTTPServer`` on port 0, in a thread). Shapes, key order, status codes,
error bodies and header order follow ``shared/fixtures/odk-central`` (checked by
``test_fake_odk_central_fixtures.py``). Seeded with the five recorded submissions, with or
without their later edit, approval and deletion.

Test API (all thread-safe):

- state: :meth:`FakeOdkCentral.add_submission`, :meth:`~FakeOdkCentral.edit_submission`,
  :meth:`~FakeOdkCentral.set_review_state`, :meth:`~FakeOdkCentral.delete_submission`,
  :meth:`~FakeOdkCentral.restore_submission`, :meth:`~FakeOdkCentral.purge_submission`,
  :meth:`~FakeOdkCentral.submit` (OpenRosa XML), :meth:`~FakeOdkCentral.publish_form`,
  :meth:`~FakeOdkCentral.create_project`, :meth:`~FakeOdkCentral.add_user`;
- time: :attr:`~FakeOdkCentral.clock` (a :class:`ManualClock`: every change happens "now");
- sessions: :meth:`~FakeOdkCentral.expire_sessions`, :attr:`~FakeOdkCentral.sso_enabled`;
- faults: :attr:`~FakeOdkCentral.faults` (a :class:`fake_faults.FaultPlan`);
- what happened: :attr:`~FakeOdkCentral.requests` (method, target, status, headers).

Submissions are kept sorted by (submissionDate, arrival); a page costs O(page) plus a scan
from the skiptoken position, and only ``$count`` scans everything.
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import itertools
import json
import os
import secrets
import socket
import struct
import threading
import uuid
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.parser import BytesParser
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, unquote
from xml.sax.saxutils import escape

from tests.connectors.fake_faults import HANG, INVALID_JSON, RESET, STATUS, TRUNCATE, Fault, FaultPlan
from tests.connectors.fake_odata_filter import CompiledFilter, FilterError, to_ms
from tests.connectors.fake_xforms import (
    Schema,
    XForm,
    geojson_to_wkt,
    parse_xform,
    submission_meta,
    submission_to_row,
)

FIXTURES = Path(os.environ.get("CLMS_SHARED", Path(__file__).resolve().parents[3] / "shared")) / "fixtures" / "odk-central"
RECORDED_DOMAIN = "http://127.0.0.1:8383"
DEFAULT_PASSWORD = "fake-Central-pa55word!"
RECORDED_USER_AGENT = "python-requests/2.34.2"
JSON_TYPE = "application/json; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NOT_FOUND = "Could not find the resource you were looking for."
_CHUNK = 64 * 1024


def iso(ms: int | None) -> str | None:
    """Epoch milliseconds → Central's ``2026-11-23T03:47:07.198Z``."""
    if ms is None:
        return None
    moment = datetime.fromtimestamp(ms / 1000, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


class ManualClock:
    """The fake's "now": it moves only when told to, so tests control every timestamp."""

    def __init__(self, start: str) -> None:
        self._ms = to_ms(start)
        self._lock = threading.Lock()

    def now_ms(self) -> int:
        with self._lock:
            return self._ms

    def now(self) -> str:
        return iso(self.now_ms())

    def set(self, timestamp: str) -> None:
        with self._lock:
            self._ms = to_ms(timestamp)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._ms += round(seconds * 1000)


@dataclass
class User:
    id: int
    email: str
    password: str
    display_name: str
    created_at: str
    roles: dict[int, str] | None  # None: administrator; else project id → "viewer" | "manager"

    def can(self, project_id: int, write: bool) -> bool:
        if self.roles is None:
            return True
        role = self.roles.get(project_id)
        return role == "manager" or (role == "viewer" and not write)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": "user",
            "displayName": self.display_name,
            "createdAt": self.created_at,
            "updatedAt": None,
            "deletedAt": None,
        }


@dataclass
class SubmissionVersion:
    instance_id: str
    created_ms: int
    instance_name: str | None
    submitter: User
    device_id: str | None
    user_agent: str
    xml_sha: str


class Submission:
    """One submission: its OData row (every repeat expanded) kept current in place."""

    __slots__ = ("instance_id", "seq", "created_ms", "updated_ms", "deleted_ms", "submitter_id",
                 "review_state", "state", "row", "versions")

    def __init__(self, instance_id: str, seq: int, created_ms: int, submitter_id: int, row: dict[str, Any],
                 version: SubmissionVersion) -> None:
        self.instance_id = instance_id
        self.seq = seq
        self.created_ms = created_ms
        self.updated_ms: int | None = None
        self.deleted_ms: int | None = None
        self.submitter_id = submitter_id
        self.review_state: str | None = None
        self.state = 0  # bumped on every change; feeds the eventhash ETag
        self.row = row
        self.versions = [version]  # newest first

    @property
    def key(self) -> tuple[int, int]:
        return (self.created_ms, self.seq)

    @property
    def system(self) -> dict[str, Any]:
        return self.row["__system"]

    def changed(self) -> None:
        self.state += 1
        self.system["updatedAt"] = iso(self.updated_ms)
        self.system["reviewState"] = self.review_state
        self.system["deletedAt"] = iso(self.deleted_ms)


@dataclass
class Form:
    project_id: int
    form_id: str
    created_ms: int
    created_by: User
    excel: bool = False
    published: list[tuple[XForm, int]] = field(default_factory=list)  # (definition, publishedAt), oldest first
    draft: XForm | None = None
    draft_attachments: dict[str, bytes] = field(default_factory=dict)
    updated_ms: int | None = None
    schemas: dict[str, Schema] = field(default_factory=dict)
    subs: list[Submission] = field(default_factory=list)  # sorted by key
    keys: list[tuple[int, int]] = field(default_factory=list)
    by_id: dict[str, Submission] = field(default_factory=dict)
    by_version_id: dict[str, Submission] = field(default_factory=dict)
    changes: int = 0
    _live_hash: tuple[int, str] | None = None

    @property
    def current(self) -> XForm | None:
        return self.published[-1][0] if self.published else None

    def insert(self, sub: Submission) -> None:
        position = bisect.bisect_right(self.keys, sub.key)
        self.keys.insert(position, sub.key)
        self.subs.insert(position, sub)
        self.by_id[sub.instance_id] = sub
        self.by_version_id[sub.instance_id] = sub
        self.changes += 1

    def remove(self, sub: Submission) -> None:
        position = bisect.bisect_left(self.keys, sub.key)
        del self.keys[position], self.subs[position]
        del self.by_id[sub.instance_id]
        for version in sub.versions:
            self.by_version_id.pop(version.instance_id, None)
        self.changes += 1

    def newest_first(self, before: Submission | None = None) -> Iterator[Submission]:
        end = bisect.bisect_left(self.keys, before.key) if before is not None else len(self.subs)
        for index in range(end - 1, -1, -1):
            yield self.subs[index]

    def live_hash(self) -> str:
        if self._live_hash is None or self._live_hash[0] != self.changes:
            self._live_hash = (self.changes, eventhash(s for s in self.subs if s.deleted_ms is None))
        return self._live_hash[1]


@dataclass
class Project:
    id: int
    name: str
    created_ms: int
    actee_id: str
    forms: dict[str, Form] = field(default_factory=dict)


@dataclass(frozen=True)
class RequestRecord:
    method: str
    target: str  # path and query exactly as received
    status: int
    headers: dict[str, str]  # request headers, Authorization reduced to "Bearer …"


@dataclass
class Reply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes = b""
    chunked: bool = False


class Problem(Exception):
    """A Central error answer: ``{"message", "code", "details"?}``."""

    def __init__(self, status: int, code: float, message: str, details: dict | None = None, *,
                 odata: bool | None = None, etag: str | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details
        self.odata, self.etag = odata, etag


def eventhash(subs: Any) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    for line in sorted(f"{s.instance_id}\t{s.state}" for s in subs):
        digest.update(line.encode() + b"\n")
    return f'W/"eventhash:{digest.hexdigest()}"'


def express_etag(body: bytes) -> str:
    digest = base64.b64encode(hashlib.sha1(body, usedforsecurity=False).digest()).decode()
    return f'W/"{len(body):x}-{digest[:27]}"'


def dumps(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def _tail() -> list[tuple[str, str]]:
    return [("Date", formatdate(usegmt=True)), ("Connection", "keep-alive"), ("Keep-Alive", "timeout=5")]


def _lead(write: bool, odata: bool) -> list[tuple[str, str]]:
    if write:
        return [("Cache-Control", "no-store"), ("Vary", "*")]
    lead = [("Cache-Control", "private, no-cache"), ("Vary", "Accept-Encoding, Origin")]
    return lead + [("OData-Version", "4.0")] if odata else lead


def json_reply(payload: Any, *, status: int = 200, write: bool = False, odata: bool = False,
               content_type: str = JSON_TYPE, extra: list[tuple[str, str]] | None = None) -> Reply:
    body = dumps(payload)
    headers = _lead(write, odata) + (extra or []) + [
        ("Content-Type", content_type), ("Content-Length", str(len(body))), ("ETag", express_etag(body))
    ]
    return Reply(status, headers + _tail(), body)


def problem_reply(problem: Problem, *, write: bool, odata: bool) -> Reply:
    payload: dict[str, Any] = {"message": problem.message, "code": problem.code}
    if problem.details is not None:
        payload["details"] = problem.details
    if problem.etag is None:
        return json_reply(payload, status=problem.status, write=write, odata=odata)
    body = dumps(payload)
    headers = _lead(write, odata) + [
        ("ETag", problem.etag), ("Content-Type", JSON_TYPE), ("Content-Length", str(len(body)))
    ]
    return Reply(problem.status, headers + _tail(), body)


_CENTRAL_PROBLEMS = {
    401: (401.2, "Could not authenticate with the provided credentials."),
    403: (403.1, "The authenticated actor does not have rights to perform that action."),
    500: (500.1, "An unknown internal problem has occurred. Please try again later."),
}


def fault_reply(fault: Fault, write: bool) -> Reply:
    """What Central (401, 403, 500) or the nginx in front of it (429, 502, 503, 504 …) answers."""
    extra = [("Retry-After", fault.retry_after)] if fault.retry_after is not None else []
    if fault.status in _CENTRAL_PROBLEMS:
        reply = problem_reply(Problem(fault.status, *_CENTRAL_PROBLEMS[fault.status]), write=write, odata=False)
        reply.headers[2:2] = extra
        return reply
    reason = BaseHTTPRequestHandler.responses.get(fault.status, ("Error",))[0]
    body = (f"<html>\r\n<head><title>{fault.status} {reason}</title></head>\r\n<body>\r\n"
            f"<center><h1>{fault.status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n"
            "</body>\r\n</html>\r\n").encode()
    headers = [("Server", "nginx"), ("Date", formatdate(usegmt=True)), ("Content-Type", "text/html"),
               ("Content-Length", str(len(body))), ("Connection", "keep-alive")]
    return Reply(fault.status, headers + extra, body)


def form_encode(pairs: list[tuple[str, str]]) -> str:
    """application/x-www-form-urlencoded as WHATWG URLSearchParams writes it (Central's nextLink)."""
    def encode(text: str) -> str:
        return quote_plus(text, safe="*").replace("~", "%7E")

    return "&".join(f"{encode(k)}={encode(v)}" for k, v in pairs)


def skiptoken(data: dict[str, str]) -> str:
    return "01" + base64.b64encode(json.dumps(data, separators=(",", ":")).encode()).decode()


def parse_skiptoken(token: str) -> dict[str, Any]:
    try:
        if not token.startswith("01"):
            raise ValueError(token)
        data = json.loads(base64.b64decode(token[2:], validate=True))
        if not isinstance(data, dict):
            raise ValueError(token)
        return data
    except ValueError:
        raise Problem(400, 400.35, "Invalid $skiptoken") from None


def matches_etag(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    opaque = etag.removeprefix("W/")
    return any(tag.strip() == "*" or tag.strip().removeprefix("W/") == opaque for tag in if_none_match.split(","))


def _strip_repeats(node: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in node.items():
        if isinstance(value, list) and f"{key}@odata.navigationLink" in node:
            continue
        out[key] = _strip_repeats(value) if isinstance(value, dict) and key != "__system" else value
    return out


def _wkt_at(node: dict[str, Any], parts: list[str]) -> dict[str, Any]:
    value = node.get(parts[0])
    if value is None:
        return node
    copy = dict(node)
    if len(parts) == 1:
        copy[parts[0]] = geojson_to_wkt(value) if isinstance(value, dict) else value
    elif isinstance(value, list):
        copy[parts[0]] = [_wkt_at(item, parts[1:]) for item in value]
    elif isinstance(value, dict):
        copy[parts[0]] = _wkt_at(value, parts[1:])
    return copy


def _select(row: dict[str, Any], names: list[str]) -> dict[str, Any]:
    wanted = set(names)
    system_keys = {n.split("/", 1)[1] for n in names if n.startswith("__system/")}
    out = {}
    for key, value in row.items():
        if key in wanted:
            out[key] = value
        elif key == "__system" and system_keys:
            out[key] = {k: v for k, v in value.items() if k in system_keys}
    return out


class FakeOdkCentral:
    """The fake server and its state. ``seed``: "recorded" (after the recorded edit, approval
    and deletion), "recorded_before_changes" (the five submissions as first received) or None.
    ``domain`` is Central's configured domain used in absolute links (default: the fake's URL).
    """

    def __init__(self, *, seed: str | None = "recorded", domain: str | None = None,
                 admin_password: str = DEFAULT_PASSWORD, log_size: int = 10_000) -> None:
        self.clock = ManualClock("2026-11-23T03:31:48.016Z")
        self.faults = FaultPlan()
        self.sso_enabled = False
        self.requests: deque[RequestRecord] = deque(maxlen=log_size)
        self._domain = domain
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._users: dict[str, User] = {}
        self._tokens: dict[str, User] = {}
        self._projects: dict[int, Project] = {}
        self._seq = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self.admin = self.add_user("admin@example.com", admin_password, user_id=5, administrator=True,
                                   created_at="2026-11-23T03:31:48.016Z")
        if seed is not None:
            self._seed(with_changes={"recorded": True, "recorded_before_changes": False}[seed])

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeOdkCentral:
        handler = type("FakeOdkCentralHandler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        threading.Thread(target=self._server.serve_forever, args=(0.05,), name="fake-odk-central", daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> FakeOdkCentral:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the fake ODK Central is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def domain(self) -> str:
        return self._domain or self.url

    # ------------------------------------------------------------------ users and sessions

    def add_user(self, email: str, password: str, *, project_roles: dict[int, str] | None = None,
                 administrator: bool = False, user_id: int | None = None, created_at: str | None = None) -> User:
        with self._lock:
            user = User(
                id=user_id if user_id is not None else max((u.id for u in self._users.values()), default=0) + 1,
                email=email,
                password=password,
                display_name=email,
                created_at=created_at or self.clock.now(),
                roles=None if administrator else dict(project_roles or {}),
            )
            self._users[email] = user
            return user

    def expire_sessions(self) -> None:
        """Every session token stops working: the next authenticated request gets a 401."""
        with self._lock:
            self._tokens.clear()

    @property
    def login_count(self) -> int:
        return sum(1 for r in list(self.requests) if r.method == "POST" and r.target == "/v1/sessions")

    # ------------------------------------------------------------------ projects and forms

    def create_project(self, name: str, *, project_id: int | None = None) -> int:
        with self._lock:
            pid = project_id if project_id is not None else max(self._projects, default=0) + 1
            self._projects[pid] = Project(pid, name, self.clock.now_ms(), str(uuid.uuid4()))
            return pid

    def publish_form(self, project_id: int, definition: bytes, *, form_id_fallback: str | None = None) -> str:
        """Create and publish a form from XForm XML or an XLSForm (converted with pyxform)."""
        with self._lock:
            xform, excel = _read_definition(definition, form_id_fallback)
            self._create_form(self._project(project_id), xform, excel=excel, publish=True)
            return xform.form_id

    # ------------------------------------------------------------------ submissions

    def submit(self, project_id: int, xml: bytes, *, user: User | None = None, device_id: str | None = None,
               user_agent: str = RECORDED_USER_AGENT) -> tuple[int, str]:
        """An OpenRosa submission (new, edit with meta/deprecatedID, or re-post): (status, message)."""
        with self._lock:
            return self._submit(self._project(project_id), xml, user or self.admin, device_id, user_agent)

    def add_submission(self, project_id: int, form_id: str, values: dict[str, Any], *,
                       instance_id: str | None = None) -> str:
        """Submit ``values`` (groups as dicts, repeats as lists of dicts) now; returns the instance id."""
        instance_id = instance_id or f"uuid:{uuid.uuid4()}"
        status, message = self.submit(project_id, self._xml(project_id, form_id, values, instance_id))
        if status != 201:
            raise ValueError(message)
        return instance_id

    def edit_submission(self, project_id: int, form_id: str, instance_id: str, values: dict[str, Any], *,
                        new_instance_id: str | None = None) -> str:
        """Replace a submission's data now (a new version, like an edit in Enketo); returns its new instanceID."""
        new_instance_id = new_instance_id or f"uuid:{uuid.uuid4()}"
        with self._lock:
            current = self._form(project_id, form_id).by_id[instance_id].versions[0].instance_id
        xml = self._xml(project_id, form_id, values, new_instance_id, deprecated_id=current)
        status, message = self.submit(project_id, xml)
        if status != 201:
            raise ValueError(message)
        return new_instance_id

    def set_review_state(self, project_id: int, form_id: str, instance_id: str, state: str | None) -> None:
        with self._lock:
            self._review(self._form(project_id, form_id).by_id[instance_id], state)

    def delete_submission(self, project_id: int, form_id: str, instance_id: str) -> None:
        """Soft delete now: deletedAt set, updatedAt untouched, hidden from default queries."""
        with self._lock:
            self._delete(self._form(project_id, form_id).by_id[instance_id])

    def restore_submission(self, project_id: int, form_id: str, instance_id: str) -> None:
        with self._lock:
            form = self._form(project_id, form_id)
            sub = form.by_id[instance_id]
            sub.deleted_ms = None
            sub.changed()
            form.changes += 1

    def purge_submission(self, project_id: int, form_id: str, instance_id: str) -> None:
        """Remove a submission for good (Central purges deleted ones after 30 days)."""
        with self._lock:
            form = self._form(project_id, form_id)
            form.remove(form.by_id[instance_id])

    def submission_ids(self, project_id: int, form_id: str, *, deleted: bool = False) -> list[str]:
        """Instance ids newest first, live (default) or soft-deleted."""
        with self._lock:
            form = self._form(project_id, form_id)
            return [s.instance_id for s in form.newest_first() if (s.deleted_ms is not None) == deleted]

    def _xml(self, project_id: int, form_id: str, values: dict[str, Any], instance_id: str,
             deprecated_id: str | None = None) -> bytes:
        with self._lock:
            version = self._form(project_id, form_id).current.version

        def elements(data: dict[str, Any]) -> str:
            out = []
            for name, value in data.items():
                items = value if isinstance(value, list) else [value]
                for item in items:
                    if isinstance(item, dict):
                        out.append(f"<{name}>{elements(item)}</{name}>")
                    elif item is None:
                        out.append(f"<{name}/>")
                    else:
                        out.append(f"<{name}>{escape(str(item))}</{name}>")
            return "".join(out)

        meta = f"<instanceID>{escape(instance_id)}</instanceID>"
        if deprecated_id:
            meta += f"<deprecatedID>{escape(deprecated_id)}</deprecatedID>"
        return (f'<?xml version=\'1.0\' ?><data id="{escape(form_id)}" version="{escape(version)}">'
                f"{elements(values)}<meta>{meta}</meta></data>").encode()

    # ------------------------------------------------------------------ seed

    def _seed(self, *, with_changes: bool) -> None:
        def read(name: str) -> bytes:
            return (FIXTURES / name).read_bytes()

        self.clock.set("2026-11-23T03:47:07.162Z")
        self._projects[3] = Project(3, "fixtures", self.clock.now_ms(), "2fd2e82f-61ee-4a98-b241-3df89d202387")
        self.clock.set("2026-11-23T03:47:07.176Z")
        self.publish_form(3, read("household_mini.xml"))
        times = ["03:47:07.198", "03:47:09.218", "03:47:11.241", "03:47:13.258", "03:47:15.273"]
        for number, time in enumerate(times, start=1):
            self.clock.set(f"2026-11-23T{time}Z")
            self.submit(3, read(f"submission_{number}.xml"))
        if with_changes:
            self.clock.set("2026-11-23T03:47:27.839Z")
            self.submit(3, read("submission_1_edit.xml"))
            self.clock.set("2026-11-23T03:47:28.854Z")
            self.set_review_state(3, "household_mini", "uuid:3a75adea-9252-45f0-9f7f-5e097697effa", "approved")
            self.clock.set("2026-11-23T03:47:29.861Z")
            self.delete_submission(3, "household_mini", "uuid:4df2b9cb-a77f-4088-a976-c80d4ab54654")
        self.clock.set("2026-11-23T03:50:00.000Z")

    # ------------------------------------------------------------------ state changes

    def _project(self, project_id: int) -> Project:
        project = self._projects.get(int(project_id))
        if project is None:
            raise Problem(404, 404.1, NOT_FOUND)
        return project

    def _form(self, project_id: int, form_id: str) -> Form:
        form = self._project(project_id).forms.get(form_id)
        if form is None:
            raise Problem(404, 404.1, NOT_FOUND)
        return form

    def _create_form(self, project: Project, xform: XForm, *, excel: bool, publish: bool,
                     user: User | None = None) -> Form:
        if xform.form_id in project.forms:
            raise Problem(409, 409.3, f"A resource already exists with xmlFormId,projectId value(s) of"
                                      f" {xform.form_id},{project.id}.",
                          {"fields": ["xmlFormId", "projectId"], "values": [xform.form_id, str(project.id)]})
        form = Form(project.id, xform.form_id, self.clock.now_ms(), user or self.admin, excel=excel)
        if publish:
            self._publish(form, xform)
        else:
            form.draft = xform
        project.forms[xform.form_id] = form
        return form

    def _publish(self, form: Form, xform: XForm) -> None:
        form.published.append((xform, self.clock.now_ms()))
        form.schemas[xform.version] = Schema(xform.fields)
        form.draft, form.draft_attachments = None, {}

    def _submit(self, project: Project, xml: bytes, user: User, device_id: str | None,
                user_agent: str) -> tuple[int, str]:
        meta = submission_meta(xml)
        form = project.forms.get(meta.form_id)
        if form is None or not form.published:
            return 404, "The form you are trying to submit to does not exist or is not published."
        schema = form.schemas.get(meta.version)
        if schema is None:
            return 409, f"The form version specified in this submission '{meta.version}' does not exist."
        if not meta.instance_id:
            return 400, "The submission has no meta/instanceID."
        now = self.clock.now_ms()
        xml_sha = hashlib.sha1(xml, usedforsecurity=False).hexdigest()
        version = SubmissionVersion(meta.instance_id, now, meta.instance_name, user, device_id, user_agent, xml_sha)
        if meta.deprecated_id:
            sub = form.by_version_id.get(meta.deprecated_id)
            if sub is None or sub.deleted_ms is not None:
                return 404, NOT_FOUND
            if sub.versions[0].instance_id != meta.deprecated_id:
                return 409, "You are trying to update a submission version that is no longer current."
            if meta.instance_id in form.by_version_id:
                return 409, "A submission already exists with this ID."
            system = sub.system
            system["edits"] += 1
            system["formVersion"] = meta.version
            sub.row = submission_to_row(schema, xml, sub.instance_id, system)
            sub.versions.insert(0, version)
            form.by_version_id[meta.instance_id] = sub
            sub.updated_ms, sub.review_state = now, "edited"
            sub.changed()
            form.changes += 1
            return 201, "full submission upload was successful!"
        existing = form.by_version_id.get(meta.instance_id)
        if existing is not None:
            if existing.deleted_ms is not None:
                return 409, "This submission has been deleted. You may not resubmit it."
            if any(v.instance_id == meta.instance_id and v.xml_sha == xml_sha for v in existing.versions):
                return 201, "full submission upload was successful!"
            return 409, ("A submission already exists with this ID, but with different XML. Resubmissions to attach"
                         " additional multimedia must resubmit an identical xml_submission_file.")
        system = {
            "submissionDate": iso(now), "updatedAt": None, "submitterId": str(user.id),
            "submitterName": user.display_name, "attachmentsPresent": 0, "attachmentsExpected": 0, "status": None,
            "reviewState": None, "deviceId": device_id, "edits": 0, "formVersion": meta.version, "deletedAt": None,
        }
        row = submission_to_row(schema, xml, meta.instance_id, system)
        form.insert(Submission(meta.instance_id, next(self._seq), now, user.id, row, version))
        return 201, "full submission upload was successful!"

    def _review(self, sub: Submission, state: str | None) -> None:
        sub.review_state, sub.updated_ms = state, self.clock.now_ms()
        sub.changed()
        self._form_of(sub).changes += 1

    def _delete(self, sub: Submission) -> None:
        sub.deleted_ms = self.clock.now_ms()
        sub.changed()
        self._form_of(sub).changes += 1

    def _form_of(self, sub: Submission) -> Form:
        for project in self._projects.values():
            for form in project.forms.values():
                if form.by_id.get(sub.instance_id) is sub:
                    return form
        raise KeyError(sub.instance_id)

    # ------------------------------------------------------------------ HTTP

    def handle(self, method: str, target: str, headers: Any, body: bytes) -> Reply:
        """Answer one request (called by the handler threads)."""
        path, _, query = target.partition("?")
        write = method != "GET"
        with self._lock:
            try:
                reply = _Router(self, method, path, query, headers, body).route()
            except Problem as problem:
                reply = problem_reply(problem, write=write, odata=bool(problem.odata))
        if method == "GET" and reply.status == 200:
            etag = dict(reply.headers).get("ETag")
            if etag and matches_etag(headers.get("If-None-Match"), etag):
                odata = any(name == "OData-Version" for name, _ in reply.headers)
                return Reply(304, _lead(False, odata) + [("ETag", etag)] + _tail())
        return reply

    def record(self, method: str, target: str, status: int, headers: Any) -> None:
        kept = {k: v for k, v in headers.items() if k.lower() not in ("authorization", "cookie")}
        if headers.get("Authorization"):
            kept["Authorization"] = headers["Authorization"].split(" ", 1)[0] + " …"
        self.requests.append(RequestRecord(method, target, status, kept))


def _read_definition(body: bytes, fallback: str | None) -> tuple[XForm, bool]:
    """An uploaded XForm (XML) or XLSForm (converted with pyxform, as Central does)."""
    if body[:4] != b"PK\x03\x04":
        try:
            return parse_xform(body), False
        except Exception as exc:  # noqa: BLE001 - any parse failure is the client's fault
            raise Problem(400, 400.1, f"Could not parse the given data ({len(body)} bytes) as XML: {exc}") from None
    from pyxform.xls2xform import convert

    try:
        xml = convert(xlsform=BytesIO(body), file_type=".xlsx").xform.encode()
    except Exception as exc:  # noqa: BLE001
        raise Problem(400, 400.15, f"The given XLSX file was not valid: {exc}", {"error": str(exc)}) from None
    xform = parse_xform(xml)
    if xform.form_id == "data" and fallback:
        xml = xml.replace(b' id="data"', f' id="{fallback}"'.encode(), 1)
        xform = parse_xform(xml)
    return xform, True


class _Router:
    """One request against the fake's state (runs under the fake's lock)."""

    def __init__(self, fake: FakeOdkCentral, method: str, path: str, query: str, headers: Any, body: bytes) -> None:
        self.fake, self.method, self.path, self.raw_query = fake, method, path, query
        self.query = dict(parse_qsl(query, keep_blank_values=True))
        self.pairs = parse_qsl(query, keep_blank_values=True)
        self.headers, self.body = headers, body
        self.write = method != "GET"
        self.user: User | None = None

    def route(self) -> Reply:
        parts = [unquote(p) for p in self.path.split("/")[1:]]
        if parts[:1] != ["v1"]:
            raise Problem(404, 404.1, NOT_FOUND)
        parts = parts[1:]
        if parts == ["sessions"] and self.method == "POST":
            return self.login()
        self.authenticate()
        if parts == ["projects"] and self.method == "POST":
            return self.create_project()
        if len(parts) < 2 or parts[0] != "projects" or not parts[1].isdigit():
            raise Problem(404, 404.1, NOT_FOUND)
        project = self.fake._project(int(parts[1]))
        if not self.user.can(project.id, write=self.write):
            raise Problem(403, 403.1, "The authenticated actor does not have rights to perform that action.")
        rest = parts[2:]
        key = (self.method, tuple(rest[:1]), len(rest))
        if key == ("GET", (), 0):
            return json_reply(self.project_json(project))
        if key == ("POST", ("submission",), 1):
            return self.openrosa(project)
        if rest[:1] != ["forms"]:
            raise Problem(404, 404.1, NOT_FOUND)
        if len(rest) == 1:
            return self.create_form(project) if self.method == "POST" else self.forms_list(project)
        form_part = rest[1]
        if form_part.endswith(".svc") and self.method == "GET":
            try:
                return self.odata(self.fake._form(project.id, form_part[:-4]), rest[2:])
            except Problem as problem:
                problem.odata = True if problem.odata is None else problem.odata
                raise
        form = self.fake._form(project.id, form_part)
        return self.form_resource(form, rest[2:])

    # -------------------------------------------------------------- sessions

    def login(self) -> Reply:
        if self.fake.sso_enabled:
            raise Problem(404, 404.1, NOT_FOUND)
        try:
            credentials = json.loads(self.body or b"{}")
        except ValueError:
            raise Problem(400, 400.1, "Could not parse the given data as JSON.") from None
        email, password = credentials.get("email"), credentials.get("password")
        if not email or not password:
            raise Problem(400, 400.2, f"Required parameters missing. Expected (email, password), got"
                                      f" (email: {email}, password: {password}).",
                          {"expected": ["email", "password"], "got": {"email": email, "password": password}})
        user = self.fake._users.get(email)
        if user is None or not secrets.compare_digest(user.password, password):
            raise Problem(401, 401.2, "Could not authenticate with the provided credentials.")
        token, csrf = secrets.token_urlsafe(48), secrets.token_urlsafe(48)
        self.fake._tokens[token] = user
        now = self.fake.clock.now_ms()
        expires = now + 24 * 3600 * 1000
        cookie_expiry = formatdate(expires / 1000, usegmt=True)
        cookies = [
            ("Set-Cookie", f"session={quote(token)}; Path=/; Expires={cookie_expiry}; HttpOnly; SameSite=Strict"),
            ("Set-Cookie", f"__csrf={quote(csrf)}; Path=/; Expires={cookie_expiry}; SameSite=Strict"),
        ]
        payload = {"token": token, "csrf": csrf, "expiresAt": iso(expires), "createdAt": iso(now)}
        return json_reply(payload, write=True, extra=cookies)

    def authenticate(self) -> None:
        header = self.headers.get("Authorization") or ""
        scheme, _, token = header.partition(" ")
        user = self.fake._tokens.get(token) if scheme == "Bearer" else None
        if user is None:
            raise Problem(401, 401.2, "Could not authenticate with the provided credentials.")
        self.user = user

    # -------------------------------------------------------------- projects and forms

    def project_json(self, project: Project) -> dict[str, Any]:
        return {"id": project.id, "name": project.name, "acteeId": project.actee_id,
                "createdAt": iso(project.created_ms), "updatedAt": None, "deletedAt": None, "archived": None,
                "keyId": None, "description": None}

    def create_project(self) -> Reply:
        if self.user.roles is not None:
            raise Problem(403, 403.1, "The authenticated actor does not have rights to perform that action.")
        name = json.loads(self.body or b"{}").get("name") or "project"
        project = self.fake._project(self.fake.create_project(name))
        return json_reply(self.project_json(project), write=True)

    def form_json(self, form: Form, xform: XForm, published_ms: int | None, *, extended: bool,
                  single: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "projectId": form.project_id, "xmlFormId": form.form_id, "state": "open", "enketoId": None,
            "enketoOnceId": None, "createdAt": iso(form.created_ms), "updatedAt": iso(form.updated_ms),
            "webformsEnabled": True, "keyId": None, "version": xform.version,
            "hash": hashlib.md5(xform.xml, usedforsecurity=False).hexdigest(),
            "sha": hashlib.sha1(xform.xml, usedforsecurity=False).hexdigest(),
            "sha256": hashlib.sha256(xform.xml).hexdigest(), "draftToken": None,
            "publishedAt": iso(published_ms), "name": xform.title,
        }
        if extended:
            live = [s for s in form.subs if s.deleted_ms is None]
            states = [s.review_state for s in live]
            out.update({
                "submissions": len(live), "entityRelated": False,
                "reviewStates": {"received": states.count(None), "hasIssues": states.count("hasIssues"),
                                 "edited": states.count("edited")},
                "lastSubmission": iso(max((s.created_ms for s in live), default=None)),
                "excelContentType": XLSX_TYPE if form.excel else None, "publicLinks": 0,
                "createdBy": form.created_by.as_json(),
            })
            if single:
                out["publishNotes"] = None
        return out

    def current_form_json(self, form: Form, *, extended: bool, single: bool = False) -> dict[str, Any]:
        if form.published:
            xform, published_ms = form.published[-1]
            return self.form_json(form, xform, published_ms, extended=extended, single=single)
        return self.form_json(form, form.draft, None, extended=extended, single=single)

    def extended(self) -> bool:
        return (self.headers.get("X-Extended-Metadata") or "").lower() == "true"

    def forms_list(self, project: Project) -> Reply:
        forms = [self.current_form_json(f, extended=self.extended()) for f in project.forms.values()]
        return json_reply(forms)

    def create_form(self, project: Project) -> Reply:
        xform, excel = _read_definition(self.body, self.headers.get("X-XlsForm-FormId-Fallback"))
        publish = self.query.get("publish") == "true"
        form = self.fake._create_form(project, xform, excel=excel, publish=publish, user=self.user)
        return json_reply(self.current_form_json(form, extended=False), write=True)

    def form_resource(self, form: Form, rest: list[str]) -> Reply:
        route = (self.method, tuple(rest[:2]))
        if route == ("GET", ()):
            return json_reply(self.current_form_json(form, extended=self.extended(), single=self.extended()))
        if route == ("GET", ("fields",)):
            return json_reply([f.as_json() for f in form.current.fields] if form.current else [])
        if route == ("GET", ("versions",)):
            return json_reply([self.form_json(form, x, ms, extended=False) for x, ms in reversed(form.published)])
        if rest[:1] == ["draft"]:
            return self.draft(form, rest[1:])
        if rest[:1] == ["submissions"]:
            return self.rest_submissions(form, rest[1:])
        raise Problem(404, 404.1, NOT_FOUND)

    def draft(self, form: Form, rest: list[str]) -> Reply:
        now = self.fake.clock.now_ms()
        if self.method == "POST" and not rest:
            if self.body:
                xform, excel = _read_definition(self.body, self.headers.get("X-XlsForm-FormId-Fallback"))
                form.excel = excel
            else:
                xform = form.current
            if xform.form_id != form.form_id:
                raise Problem(400, 400.8, f"Unexpected xmlFormId value {xform.form_id}; it does not match the"
                                          f" form you are updating ({form.form_id}).")
            self.check_types(form, xform)
            form.draft, form.draft_attachments, form.updated_ms = xform, {}, now
            return json_reply({"success": True}, write=True)
        if form.draft is None:
            raise Problem(404, 404.1, NOT_FOUND)
        if self.method == "DELETE" and not rest:
            form.draft, form.draft_attachments, form.updated_ms = None, {}, now
            return json_reply({"success": True}, write=True)
        if self.method == "POST" and len(rest) == 2 and rest[0] == "attachments":
            if rest[1] not in form.draft.attachments:
                raise Problem(404, 404.1, NOT_FOUND)
            form.draft_attachments[rest[1]] = self.body
            return json_reply({"success": True}, write=True)
        if self.method == "POST" and rest == ["publish"]:
            version = self.query.get("version", form.draft.version)
            if any(x.version == version for x, _ in form.published):
                raise Problem(409, 409.6, f"You tried to publish the form '{form.form_id}' with version '{version}',"
                                          " but a published form has already existed in this project with those"
                                          " identifiers.", {"xmlFormId": form.form_id, "version": version})
            xform = form.draft
            if version != xform.version:
                xform = parse_xform(xform.xml.replace(f'version="{xform.version}"'.encode(),
                                                      f'version="{version}"'.encode(), 1))
            self.fake._publish(form, xform)
            form.updated_ms = now
            return json_reply({"success": True}, write=True)
        raise Problem(404, 404.1, NOT_FOUND)

    @staticmethod
    def check_types(form: Form, xform: XForm) -> None:
        new = {f.path: f.type for f in xform.fields}
        for old, _ in form.published:
            for existing in old.fields:
                if existing.path in new and new[existing.path] != existing.type:
                    raise Problem(400, 400.17, f"The form you have uploaded attempts to change the type of the field"
                                               f" at {existing.path}. In a previous version, it had the type"
                                               f" {existing.type}. Please either return that field to its previous"
                                               " type, or rename the field so it lives at a new path.",
                                  {"path": existing.path, "type": existing.type})

    # -------------------------------------------------------------- REST submissions

    def rest_submissions(self, form: Form, rest: list[str]) -> Reply:
        if not rest and self.method == "GET":
            deleted = self.query.get("deleted") == "true"
            subs = [s for s in form.newest_first() if (s.deleted_ms is not None) == deleted]
            body = dumps([self.rest_json(s) for s in subs])
            headers = _lead(False, False) + [("ETag", eventhash(subs)), ("Content-Type", JSON_TYPE),
                                             ("Content-Length", str(len(body)))]
            return Reply(200, headers + _tail(), body)
        sub = form.by_id.get(rest[0]) if rest else None
        if sub is None:
            raise Problem(404, 404.1, NOT_FOUND)
        if self.method == "GET" and rest[1:] == ["versions"]:
            return json_reply([self.version_json(v, i == 0) for i, v in enumerate(sub.versions)])
        if self.method == "PATCH" and len(rest) == 1:
            self.fake._review(sub, json.loads(self.body or b"{}").get("reviewState"))
            first = sub.versions[-1]
            return json_reply({"instanceId": sub.instance_id, "submitterId": sub.submitter_id,
                               "deviceId": first.device_id, "createdAt": iso(sub.created_ms),
                               "updatedAt": iso(sub.updated_ms), "reviewState": sub.review_state,
                               "deletedAt": iso(sub.deleted_ms)}, write=True)
        if self.method == "DELETE" and len(rest) == 1:
            self.fake._delete(sub)
            return json_reply({"success": True}, write=True)
        raise Problem(404, 404.1, NOT_FOUND)

    def rest_json(self, sub: Submission) -> dict[str, Any]:
        first = sub.versions[-1]
        out: dict[str, Any] = {
            "instanceId": sub.instance_id, "submitterId": sub.submitter_id, "deviceId": first.device_id,
            "createdAt": iso(sub.created_ms), "updatedAt": iso(sub.updated_ms), "reviewState": sub.review_state,
            "userAgent": first.user_agent, "deletedAt": iso(sub.deleted_ms),
        }
        if self.extended():
            out["submitter"] = first.submitter.as_json()
        out["currentVersion"] = self.version_json(sub.versions[0], True)
        return out

    def version_json(self, version: SubmissionVersion, current: bool) -> dict[str, Any]:
        out: dict[str, Any] = {
            "submitterId": version.submitter.id, "createdAt": iso(version.created_ms),
            "instanceName": version.instance_name, "instanceId": version.instance_id, "current": current,
            "deviceId": version.device_id, "userAgent": version.user_agent,
        }
        if self.extended():
            out["submitter"] = version.submitter.as_json()
        return out

    # -------------------------------------------------------------- OpenRosa

    def openrosa(self, project: Project) -> Reply:
        content_type = self.headers.get("Content-Type") or ""
        message = BytesParser().parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + self.body)
        xml = next((part.get_payload(decode=True) for part in message.walk()
                    if part.get_param("name", header="content-disposition") == "xml_submission_file"), None)
        if xml is None:
            status, text = 400, "Required multipart POST field xml_submission_file missing."
        else:
            user_agent = self.headers.get("User-Agent") or ""
            status, text = self.fake._submit(project, xml, self.user, self.query.get("deviceID"), user_agent)
        nature = "" if status == 201 else "error"
        body = (f'\n  <OpenRosaResponse xmlns="http://openrosa.org/http/response" items="0">\n'
                f'    <message nature="{nature}">{escape(text)}</message>\n  </OpenRosaResponse>').encode()
        headers = _lead(True, False) + [
            ("Content-Language", "en"), ("X-OpenRosa-Version", "1.0"),
            ("X-OpenRosa-Accept-Content-Length", "100000000"), ("Date", formatdate(usegmt=True)),
            ("Content-Type", "text/xml; charset=utf-8"), ("Content-Length", str(len(body))),
            ("ETag", express_etag(body)), ("Connection", "keep-alive"), ("Keep-Alive", "timeout=5"),
        ]
        return Reply(status, headers, body)

    # -------------------------------------------------------------- OData

    def service_root(self, form: Form) -> str:
        return f"{self.fake.domain}/v1/projects/{form.project_id}/forms/{quote(form.form_id, safe='')}.svc"

    def odata(self, form: Form, rest: list[str]) -> Reply:
        if not rest:
            return self.service_document(form)
        if rest[0].startswith("Submissions(") and len(rest) <= 2:
            return self.single(form, rest[0], rest[1:])
        tables = rest[0].split(".")
        if len(rest) != 1 or tables[0] != "Submissions":
            raise Problem(404, 404.1, NOT_FOUND)
        if len(tables) > 1:
            if self.repeat_field(form, tables[1:]) is None:
                raise Problem(404, 404.1, NOT_FOUND, etag=form.live_hash())
            return self.repeat_table(form, tables[1:])
        return self.submissions(form)

    def service_document(self, form: Form) -> Reply:
        tables = [f.path[1:].replace("/", ".") for f in (form.current.fields if form.current else ())
                  if f.type == "repeat"]
        sets = [{"name": "Submissions", "kind": "EntitySet", "url": "Submissions"}] + [
            {"name": f"Submissions.{t}", "kind": "EntitySet", "url": f"Submissions.{t}"} for t in tables
        ]
        payload = {"@odata.context": f"{self.service_root(form)}/$metadata", "value": sets}
        return json_reply(payload, odata=True, content_type=f"{JSON_TYPE}; odata.metadata=minimal")

    @staticmethod
    def repeat_field(form: Form, parts: list[str]) -> Any:
        path = "/" + "/".join(parts)
        for xform, _ in reversed(form.published):
            for f in xform.fields:
                if f.path == path and f.type == "repeat":
                    return f
        return None

    def options(self) -> tuple[CompiledFilter | None, int | None, int, dict | None, bool]:
        if "$select" in self.query and "$expand" in self.query:
            raise Problem(501, 501.11, "This server doesn't support $select query parameter with $expand.",
                          odata=False)
        try:
            compiled = CompiledFilter(self.query["$filter"]) if "$filter" in self.query else None
        except FilterError as error:
            raise Problem(error.status, error.code, error.message, error.details) from None
        top = int(self.query["$top"]) if self.query.get("$top", "").isdigit() else None
        token = parse_skiptoken(self.query["$skiptoken"]) if "$skiptoken" in self.query else None
        skip = int(self.query["$skip"]) if token is None and self.query.get("$skip", "").isdigit() else 0
        return compiled, top, skip, token, self.query.get("$count") == "true"

    def next_link(self, token: dict[str, str]) -> str:
        pairs = [(k, v) for k, v in self.pairs if k not in ("$skip", "$skiptoken")] + [("$skiptoken", skiptoken(token))]
        return f"{self.fake.domain}{self.path}?{form_encode(pairs)}"

    def submissions(self, form: Form) -> Reply:
        compiled, top, skip, token, count = self.options()
        if token is not None and "instanceId" not in token:
            raise Problem(400, 400.35, "Invalid $skiptoken")
        show_deleted = compiled is not None and compiled.mentions_deleted

        def selected(sub: Submission) -> bool:
            return (show_deleted or sub.deleted_ms is None) and (compiled is None or compiled.matches(sub))

        after = form.by_id.get(token["instanceId"]) if token else None
        page: list[Submission] = []
        more = False
        if token is None or after is not None:
            for sub in form.newest_first(before=after):
                if not selected(sub):
                    continue
                if skip:
                    skip -= 1
                elif top is None or len(page) < top:
                    page.append(sub)
                else:
                    more = True
                    break
        rows = [self.render(form, sub) for sub in page]
        footer: dict[str, Any] = {"@odata.context": f"{self.service_root(form)}/$metadata#Submissions"}
        if more and page:
            footer["@odata.nextLink"] = self.next_link({"instanceId": page[-1].instance_id})
        if count:
            footer["@odata.count"] = sum(1 for s in form.subs if selected(s))
        return self.feed(rows, footer, eventhash(page))

    def render(self, form: Form, sub: Submission) -> dict[str, Any]:
        row = sub.row if self.query.get("$expand") == "*" else _strip_repeats(sub.row)
        if self.query.get("$wkt") == "true":
            schema = form.schemas[sub.system["formVersion"]]
            for path in schema.geo_paths:
                row = _wkt_at(row, path[1:].split("/"))
        if "$select" in self.query and self.query["$select"] != "*":
            row = _select(row, [n.strip() for n in self.query["$select"].split(",")])
        return row

    def feed(self, rows: list[dict[str, Any]], footer: dict[str, Any], etag: str) -> Reply:
        body = b'{"value":[' + b",".join(dumps(r) for r in rows) + b"]," + dumps(footer)[1:]
        headers = _lead(False, True) + [("ETag", etag), ("Content-Type", JSON_TYPE)] + _tail()
        return Reply(200, headers + [("Transfer-Encoding", "chunked")], body, chunked=True)

    def repeat_rows(self, sub: Submission, parts: list[str]) -> Iterator[dict[str, Any]]:
        """The rows of a repeat table contributed by one submission, with their parent key."""
        def walk(node: dict[str, Any], index: int, parent_key: str, parent_id: str) -> Iterator[dict[str, Any]]:
            value = node.get(parts[index])
            items = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
            is_repeat = isinstance(value, list)
            for item in items:
                if index == len(parts) - 1:
                    row = {}
                    for key, field_value in item.items():
                        if isinstance(field_value, list) and f"{key}@odata.navigationLink" in item and \
                                self.query.get("$expand") != "*":
                            continue
                        row[key] = field_value
                        if key == "__id":
                            row[parent_key] = parent_id
                    yield row
                elif is_repeat:
                    yield from walk(item, index + 1, f"__Submissions-{'-'.join(parts[: index + 1])}-id", item["__id"])
                else:
                    yield from walk(item, index + 1, parent_key, parent_id)

        yield from walk(sub.row, 0, "__Submissions-id", sub.instance_id)

    def repeat_table(self, form: Form, parts: list[str]) -> Reply:
        compiled, top, skip, token, count = self.options()
        if token is not None and "repeatId" not in token:
            raise Problem(400, 400.35, "Invalid $skiptoken")
        started = token is None
        page: list[dict[str, Any]] = []
        more, total = False, 0
        for sub in form.newest_first():
            if sub.deleted_ms is not None or (compiled is not None and not compiled.matches(sub)):
                continue
            for row in self.repeat_rows(sub, parts):
                total += 1
                if not started:
                    started = row["__id"] == token["repeatId"]
                elif skip:
                    skip -= 1
                elif top is None or len(page) < top:
                    page.append(row)
                else:
                    more = True
            if more and not count:
                break
        if not started:
            raise Problem(400, 400.36, "The $skiptoken repeatId was not found.")
        footer: dict[str, Any] = {"@odata.context": f"{self.service_root(form)}/$metadata#Submissions.{'.'.join(parts)}"}
        if more and page:
            footer["@odata.nextLink"] = self.next_link({"repeatId": page[-1]["__id"]})
        if count:
            footer["@odata.count"] = total
        return self.feed(page, footer, form.live_hash())

    def single(self, form: Form, key_segment: str, rest: list[str]) -> Reply:
        instance_id = key_segment[len("Submissions('"):-2] if key_segment.endswith("')") else ""
        sub = form.by_id.get(instance_id)
        if sub is None or sub.deleted_ms is not None:
            raise Problem(404, 404.1, NOT_FOUND)
        if not rest:
            payload = {"value": [self.render(form, sub)],
                       "@odata.context": f"{self.service_root(form)}/$metadata#Submissions"}
            return json_reply(payload, odata=True)
        if self.repeat_field(form, rest) is None:
            raise Problem(404, 404.1, NOT_FOUND)
        payload = {"value": list(self.repeat_rows(sub, rest)),
                   "@odata.context": f"{self.service_root(form)}/$metadata#Submissions.{'.'.join(rest)}"}
        return json_reply(payload, odata=True)


class _Handler(BaseHTTPRequestHandler):
    """HTTP/1.1 keep-alive handler: faults first, then the fake's answer, written as Central does."""

    protocol_version = "HTTP/1.1"
    timeout = 5
    fake: FakeOdkCentral

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet server
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
        path = self.path.partition("?")[0]
        fault = self.fake.faults.take(method, path)
        if fault is not None and fault.kind == HANG:
            self.fake._stopping.wait(fault.seconds)
            return self.drop(reset=False)
        if fault is not None and fault.kind == RESET:
            return self.drop(reset=True)
        if fault is not None and fault.kind == STATUS:
            reply = fault_reply(fault, write=method != "GET")
        else:
            reply = self.fake.handle(method, self.path, self.headers, body)
        self.fake.record(method, self.path, reply.status, self.headers)
        if fault is not None and fault.kind == INVALID_JSON:
            reply.body = reply.body[: len(reply.body) // 2]
            reply.headers = [(k, str(len(reply.body)) if k == "Content-Length" else v) for k, v in reply.headers]
        try:
            self.send(reply, truncate=fault is not None and fault.kind == TRUNCATE)
        except OSError:
            self.close_connection = True

    def send(self, reply: Reply, *, truncate: bool) -> None:
        self.send_response_only(reply.status)
        for name, value in reply.headers:
            self.send_header(name, value)
        self.end_headers()
        body = reply.body[: len(reply.body) // 2] if truncate else reply.body
        if reply.chunked:
            for start in range(0, len(body), _CHUNK):
                piece = body[start:start + _CHUNK]
                self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            if not truncate:
                self.wfile.write(b"0\r\n\r\n")
        else:
            self.wfile.write(body)
        self.wfile.flush()
        if truncate:
            self.drop(reset=False)

    def drop(self, *, reset: bool) -> None:
        """Close the connection now; with ``reset`` as a TCP RST instead of a FIN."""
        self.close_connection = True
        try:
            if reset:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            else:
                self.connection.shutdown(socket.SHUT_RDWR)
            self.connection.close()
        except OSError:
            pass
