"""A fake ODK Central on loopback, answering like central-backend v2026.2 did when recorded.

Real HTTP (``ThreadingHTTPServer`` on port 0, in a thread; HTTP/1.1 keep-alive). Shapes, key
order, status codes, error bodies and header order follow ``shared/fixtures/odk-central``, which
``test_fake_odk_central_fixtures.py`` replays against it. Seeded with the five recorded
submissions, with or without their later edit, approval and deletion.

Modules: ``fake_odk_model`` (state and Central's rules), ``fake_odk_routes`` and
``fake_odk_odata`` (the endpoints), ``fake_odk_replies`` (status, headers, ETags, error bodies),
``fake_xforms`` (XForm and submission XML → OData rows), ``fake_odata_filter`` ($filter),
``fake_faults`` (fault injection).

Test API, all thread-safe:

- data: :meth:`~FakeOdkCentral.add_submission`, :meth:`~FakeOdkCentral.edit_submission`,
  :meth:`~FakeOdkCentral.set_review_state`, :meth:`~FakeOdkCentral.delete_submission`,
  :meth:`~FakeOdkCentral.restore_submission`, :meth:`~FakeOdkCentral.purge_submission`,
  :meth:`~FakeOdkCentral.submit` (OpenRosa XML), :meth:`~FakeOdkCentral.publish_form`,
  :meth:`~FakeOdkCentral.create_project`, :meth:`~FakeOdkCentral.add_user`,
  :meth:`~FakeOdkCentral.submission_ids`;
- time: :attr:`~FakeOdkCentral.clock`, a :class:`ManualClock` (every change happens at its "now", and every
  answer's ``Date`` is it);
- sessions: :meth:`~FakeOdkCentral.expire_sessions`, :attr:`~FakeOdkCentral.sso_enabled`,
  :attr:`~FakeOdkCentral.issued_tokens`, :attr:`~FakeOdkCentral.login_count`;
- faults: :attr:`~FakeOdkCentral.faults`, a :class:`fake_faults.FaultPlan` (queue per path, or a
  seeded random rate): error statuses with Retry-After, hangs, resets, truncated or invalid bodies,
  sessions expiring;
- what happened: :attr:`~FakeOdkCentral.requests` (method, target as received, status, headers).

Cost per OData page: O(page) plus the scan from the skiptoken position over rows the filter
rejects; only ``$count`` scans the whole form. Adding a submission is O(1) amortized when the
clock does not go backwards.
"""

from __future__ import annotations

import os
import shutil
import socket
import struct
import tempfile
import threading
import uuid
from collections import deque
from dataclasses import dataclass
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.connectors.fake_faults import EXPIRE, HANG, INVALID_JSON, RESET, STATUS, TRUNCATE, FaultPlan
from tests.connectors.fake_odk_model import CentralState, ManualClock, User, read_definition
from tests.connectors.fake_odk_replies import Problem, Reply, fault_reply, lead, matches_etag, problem_reply, tail
from tests.connectors.fake_odk_routes import Router
from tests.connectors.submission_xml import submission_xml

_SHARED = Path(os.environ.get("CLMS_SHARED", Path(__file__).resolve().parents[3] / "shared"))
FIXTURES = _SHARED / "fixtures" / "odk-central"
RECORDED_DOMAIN = "http://127.0.0.1:8383"
DEFAULT_PASSWORD = "fake-Central-pa55word!"
RECORDED_USER_AGENT = "python-requests/2.34.2"
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class RequestRecord:
    method: str
    target: str  # path and query exactly as received
    status: int
    headers: dict[str, str]  # request headers, Authorization reduced to its scheme


class FakeOdkCentral:
    """The fake server. ``seed``: "recorded" (after the recorded edit, approval and deletion),
    "recorded_before_changes" (the five submissions as first received) or None (no project).
    ``domain`` is Central's configured domain, used in absolute links (default: the fake's URL).
    The administrator is ``admin@example.com`` (id 5) with ``admin_password``.
    """

    def __init__(self, *, seed: str | None = "recorded", domain: str | None = None,
                 admin_password: str = DEFAULT_PASSWORD, log_size: int = 10_000) -> None:
        self.clock = ManualClock("2026-11-23T03:31:48.016Z")
        self.state = CentralState(self.clock)
        self.faults = FaultPlan()
        self.sso_enabled = False
        self.requests: deque[RequestRecord] = deque(maxlen=log_size)
        self._domain = domain
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._sessions: Path | None = None
        self._server: ThreadingHTTPServer | None = None
        self.admin = self.state.admin = self.state.add_user(
            "admin@example.com", admin_password, roles=None, user_id=5, created_at="2026-11-23T03:31:48.016Z"
        )
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
        if self._sessions is not None:
            shutil.rmtree(self._sessions, ignore_errors=True)

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
    def session_dir(self) -> str:
        """A folder for the pipeline's session files (``OdkCentralSource.session_dir``), removed with the fake."""
        if self._sessions is None:
            self._sessions = Path(tempfile.mkdtemp(prefix="fake-odk-sessions-"))
        return str(self._sessions)

    @property
    def domain(self) -> str:
        return self._domain or self.url

    # ------------------------------------------------------------------ users and sessions

    def add_user(self, email: str, password: str, *, project_roles: dict[int, str] | None = None) -> User:
        """A web user with roles per project: "viewer" (read only) or "manager" (may publish)."""
        with self._lock:
            return self.state.add_user(email, password, roles=dict(project_roles or {}))

    def expire_sessions(self) -> None:
        """Every session stops working: the next authenticated request gets a 401."""
        with self._lock:
            self.state.tokens.clear()

    @property
    def issued_tokens(self) -> list[str]:
        with self._lock:
            return list(self.state.issued)

    @property
    def login_count(self) -> int:
        """Login attempts that got an answer (refused ones included)."""
        return sum(1 for r in list(self.requests) if r.method == "POST" and r.target == "/v1/sessions")

    # ------------------------------------------------------------------ projects and forms

    def create_project(self, name: str, *, project_id: int | None = None) -> int:
        with self._lock:
            return self.state.create_project(name, project_id=project_id).id

    def publish_form(self, project_id: int, definition: bytes, *, form_id_fallback: str | None = None) -> str:
        """Create and publish a form from XForm XML or an XLSForm; returns its form id."""
        with self._lock:
            xform, excel = read_definition(definition, form_id_fallback)
            self.state.create_form(self.state.project(project_id), xform, excel=excel, publish=True)
            return xform.form_id

    # ------------------------------------------------------------------ submissions

    def submit(self, project_id: int, xml: bytes, *, user: User | None = None, device_id: str | None = None,
               user_agent: str = RECORDED_USER_AGENT) -> tuple[int, str]:
        """An OpenRosa submission (new, edit with meta/deprecatedID, or re-post): (status, message)."""
        with self._lock:
            return self.state.submit(self.state.project(project_id), xml, user or self.admin, device_id, user_agent)

    def add_submission(self, project_id: int, form_id: str, values: dict[str, Any], *,
                       instance_id: str | None = None) -> str:
        """Submit ``values`` (groups as dicts, repeats as lists of dicts) now; returns the instance id."""
        instance_id = instance_id or f"uuid:{uuid.uuid4()}"
        self._submit_or_raise(project_id, self._xml(project_id, form_id, values, instance_id))
        return instance_id

    def edit_submission(self, project_id: int, form_id: str, instance_id: str, values: dict[str, Any], *,
                        new_instance_id: str | None = None) -> str:
        """Replace a submission's data now (a new version, as an edit in Enketo); returns the new instanceID."""
        new_instance_id = new_instance_id or f"uuid:{uuid.uuid4()}"
        with self._lock:
            _, sub = self.state.submission(project_id, form_id, instance_id)
            current = sub.versions[0].instance_id
        self._submit_or_raise(project_id, self._xml(project_id, form_id, values, new_instance_id, current))
        return new_instance_id

    def set_review_state(self, project_id: int, form_id: str, instance_id: str, state: str | None) -> None:
        with self._lock:
            self.state.review(*self.state.submission(project_id, form_id, instance_id), state)

    def delete_submission(self, project_id: int, form_id: str, instance_id: str) -> None:
        """Soft delete now: deletedAt set, updatedAt untouched, hidden from default queries."""
        with self._lock:
            self.state.delete(*self.state.submission(project_id, form_id, instance_id))

    def restore_submission(self, project_id: int, form_id: str, instance_id: str) -> None:
        with self._lock:
            self.state.restore(*self.state.submission(project_id, form_id, instance_id))

    def purge_submission(self, project_id: int, form_id: str, instance_id: str) -> None:
        """Remove a submission for good (Central purges deleted ones after 30 days)."""
        with self._lock:
            form, sub = self.state.submission(project_id, form_id, instance_id)
            form.remove(sub)

    def submission_ids(self, project_id: int, form_id: str, *, deleted: bool = False) -> list[str]:
        """Instance ids newest first, live (default) or soft-deleted."""
        with self._lock:
            form = self.state.form(project_id, form_id)
            return [s.instance_id for s in form.newest_first() if (s.deleted_ms is not None) == deleted]

    def _submit_or_raise(self, project_id: int, xml: bytes) -> None:
        status, message = self.submit(project_id, xml)
        if status != 201:
            raise ValueError(message)

    def _xml(self, project_id: int, form_id: str, values: dict[str, Any], instance_id: str,
             deprecated_id: str | None = None) -> bytes:
        with self._lock:
            version = self.state.form(project_id, form_id).current.version
        return submission_xml(form_id, version, values, instance_id, deprecated_id)

    def _seed(self, *, with_changes: bool) -> None:
        def read(name: str) -> bytes:
            return (FIXTURES / name).read_bytes()

        self.clock.set("2026-11-23T03:47:07.162Z")
        self.state.create_project("fixtures", project_id=3, actee_id="2fd2e82f-61ee-4a98-b241-3df89d202387")
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

    # ------------------------------------------------------------------ HTTP

    def handle(self, method: str, target: str, headers: Any, body: bytes) -> Reply:
        """Answer one request as Central would (the handler threads call this)."""
        path, _, query = target.partition("?")
        with self._lock:
            router = Router(self.state, domain=self.domain, sso_enabled=self.sso_enabled, method=method, path=path,
                            query=query, headers=headers, body=body)
            try:
                reply = router.route()
            except Problem as problem:
                reply = problem_reply(problem, write=method != "GET", odata=bool(problem.odata))
        if method == "GET" and reply.status == 200:
            etag = dict(reply.headers).get("ETag")
            if etag and matches_etag(headers.get("If-None-Match"), etag):
                odata = any(name == "OData-Version" for name, _ in reply.headers)
                return Reply(304, lead(False, odata) + [("ETag", etag)] + tail())
        return reply

    def record(self, method: str, target: str, status: int, headers: Any) -> None:
        kept = {k: v for k, v in headers.items() if k.lower() not in ("authorization", "cookie")}
        if headers.get("Authorization"):
            kept["Authorization"] = headers["Authorization"].split(" ", 1)[0] + " …"
        self.requests.append(RequestRecord(method, target, status, kept))


class _Handler(BaseHTTPRequestHandler):
    """HTTP/1.1 keep-alive handler: faults first, then the fake's answer, written as Central does."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # TCP_NODELAY, as web servers set it
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
        if fault is not None and fault.kind == EXPIRE:
            self.fake.expire_sessions()
        if fault is not None and fault.kind == STATUS:
            reply = fault_reply(fault, write=method != "GET")
        else:
            reply = self.fake.handle(method, self.path, self.headers, body)
        self.fake.record(method, self.path, reply.status, self.headers)
        now = formatdate(self.fake.clock.now_ms() / 1000, usegmt=True)  # the fake's time, as Central's is its own
        reply.headers = [(k, now if k == "Date" else v) for k, v in reply.headers]
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
