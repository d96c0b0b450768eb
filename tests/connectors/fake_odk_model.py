"""The fake ODK Central's state: users and sessions, projects, forms and their versions, submissions.

:class:`CentralState` applies changes the way Central does (an edit keeps ``__id`` and makes a new
version, a review or an edit moves ``updatedAt``, a deletion sets ``deletedAt`` only). It does no
locking: :class:`tests.connectors.fake_odk_central.FakeOdkCentral` holds the lock around it.
Submissions of a form stay sorted by (submissionDate, arrival) so that a page is a slice.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from io import BytesIO
from typing import Any

from tests.connectors.fake_odata_filter import to_ms
from tests.connectors.fake_odk_replies import NOT_FOUND, Problem, eventhash
from tests.connectors.fake_xforms import Schema, XForm, parse_xform, submission_meta, submission_to_row

UPLOADED = "full submission upload was successful!"

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

    def refresh_system(self) -> None:
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

    def changed(self, sub: Submission) -> None:
        sub.refresh_system()
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


def read_definition(body: bytes, fallback: str | None) -> tuple[XForm, bool]:
    """An uploaded XForm (XML) or XLSForm (converted with pyxform, as Central does); True if XLSX."""
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


class CentralState:
    """Everything the fake server knows, and the changes Central would make to it."""

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.users: dict[str, User] = {}
        self.tokens: dict[str, User] = {}  # live session tokens
        self.issued: list[str] = []  # every token ever handed out
        self.projects: dict[int, Project] = {}
        self._seq = itertools.count(1)
        self.admin: User | None = None

    def add_user(self, email: str, password: str, *, roles: dict[int, str] | None, user_id: int | None = None,
                 created_at: str | None = None) -> User:
        user = User(
            id=user_id if user_id is not None else max((u.id for u in self.users.values()), default=0) + 1,
            email=email,
            password=password,
            display_name=email,
            created_at=created_at or self.clock.now(),
            roles=roles,
        )
        self.users[email] = user
        return user

    def open_session(self, user: User) -> str:
        token = uuid.uuid4().hex + uuid.uuid4().hex
        self.tokens[token] = user
        self.issued.append(token)
        return token

    def create_project(self, name: str, *, project_id: int | None = None, actee_id: str | None = None) -> Project:
        pid = project_id if project_id is not None else max(self.projects, default=0) + 1
        project = Project(pid, name, self.clock.now_ms(), actee_id or str(uuid.uuid4()))
        self.projects[pid] = project
        return project

    def project(self, project_id: int) -> Project:
        project = self.projects.get(int(project_id))
        if project is None:
            raise Problem(404, 404.1, NOT_FOUND)
        return project

    def form(self, project_id: int, form_id: str) -> Form:
        form = self.project(project_id).forms.get(form_id)
        if form is None:
            raise Problem(404, 404.1, NOT_FOUND)
        return form

    def submission(self, project_id: int, form_id: str, instance_id: str) -> tuple[Form, Submission]:
        form = self.form(project_id, form_id)
        sub = form.by_id.get(instance_id)
        if sub is None:
            raise Problem(404, 404.1, NOT_FOUND)
        return form, sub

    def create_form(self, project: Project, xform: XForm, *, excel: bool, publish: bool,
                    user: User | None = None) -> Form:
        if xform.form_id in project.forms:
            raise Problem(409, 409.3, f"A resource already exists with xmlFormId,projectId value(s) of"
                                      f" {xform.form_id},{project.id}.",
                          {"fields": ["xmlFormId", "projectId"], "values": [xform.form_id, str(project.id)]})
        form = Form(project.id, xform.form_id, self.clock.now_ms(), user or self.admin, excel=excel)
        if publish:
            self.publish(form, xform)
        else:
            form.draft = xform
        project.forms[xform.form_id] = form
        return form

    def publish(self, form: Form, xform: XForm) -> None:
        form.published.append((xform, self.clock.now_ms()))
        form.schemas[xform.version] = Schema(xform.fields)
        form.draft, form.draft_attachments = None, {}

    def submit(self, project: Project, xml: bytes, user: User, device_id: str | None,
               user_agent: str) -> tuple[int, str]:
        """OpenRosa semantics: new, edit (meta/deprecatedID), identical re-post, or a 4xx and why."""
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
            return self._edit(form, schema, xml, meta.deprecated_id, version, meta.version)
        existing = form.by_version_id.get(meta.instance_id)
        if existing is not None:
            if existing.deleted_ms is not None:
                return 409, "This submission has been deleted. You may not resubmit it."
            if any(v.instance_id == meta.instance_id and v.xml_sha == xml_sha for v in existing.versions):
                return 201, UPLOADED
            return 409, ("A submission already exists with this ID, but with different XML. Resubmissions to attach"
                         " additional multimedia must resubmit an identical xml_submission_file.")
        system = {
            "submissionDate": iso(now), "updatedAt": None, "submitterId": str(user.id),
            "submitterName": user.display_name, "attachmentsPresent": 0, "attachmentsExpected": 0, "status": None,
            "reviewState": None, "deviceId": device_id, "edits": 0, "formVersion": meta.version, "deletedAt": None,
        }
        row = submission_to_row(schema, xml, meta.instance_id, system)
        form.insert(Submission(meta.instance_id, next(self._seq), now, user.id, row, version))
        return 201, UPLOADED

    def _edit(self, form: Form, schema: Schema, xml: bytes, deprecated_id: str, version: SubmissionVersion,
              form_version: str) -> tuple[int, str]:
        sub = form.by_version_id.get(deprecated_id)
        if sub is None or sub.deleted_ms is not None:
            return 404, NOT_FOUND
        if sub.versions[0].instance_id != deprecated_id:
            return 409, "You are trying to update a submission version that is no longer current."
        if version.instance_id in form.by_version_id:
            return 409, "A submission already exists with this ID."
        system = sub.system
        system["edits"] += 1
        system["formVersion"] = form_version
        sub.row = submission_to_row(schema, xml, sub.instance_id, system)
        sub.versions.insert(0, version)
        form.by_version_id[version.instance_id] = sub
        sub.updated_ms, sub.review_state = version.created_ms, "edited"
        form.changed(sub)
        return 201, UPLOADED

    def review(self, form: Form, sub: Submission, state: str | None) -> None:
        """A review-state change moves updatedAt, as an edit does."""
        sub.review_state, sub.updated_ms = state, self.clock.now_ms()
        form.changed(sub)

    def delete(self, form: Form, sub: Submission) -> None:
        """Soft delete: deletedAt set, updatedAt untouched."""
        sub.deleted_ms = self.clock.now_ms()
        form.changed(sub)

    def restore(self, form: Form, sub: Submission) -> None:
        sub.deleted_ms = None
        form.changed(sub)
