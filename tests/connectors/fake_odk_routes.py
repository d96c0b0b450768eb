"""The fake ODK Central's router and REST endpoints: sessions, projects, forms and drafts, submissions, OpenRosa.

Order of checks as in Central: authentication (401.2, also without any Authorization header),
then the project (404.1), then the role (403.1); a Project Viewer may only read.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from email.parser import BytesParser
from email.utils import formatdate
from typing import Any
from urllib.parse import parse_qsl, quote, unquote
from xml.sax.saxutils import escape

from tests.connectors.fake_odk_model import (
    CentralState,
    Form,
    Project,
    Submission,
    SubmissionVersion,
    User,
    iso,
    read_definition,
)
from tests.connectors.fake_odk_entities import EntityRoutes, apply_submission
from tests.connectors.fake_odk_odata import ODataRoutes
from tests.connectors.fake_odk_replies import (
    JSON_TYPE,
    NOT_FOUND,
    Problem,
    Reply,
    dumps,
    eventhash,
    express_etag,
    json_reply,
    lead,
    tail,
)
from tests.connectors.fake_xforms import XForm, parse_xform

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Router(ODataRoutes):
    """One request against the state (the caller holds the lock)."""

    def __init__(self, state: CentralState, *, domain: str, sso_enabled: bool, method: str, path: str, query: str,
                 headers: Any, body: bytes) -> None:
        self.state, self.domain, self.sso_enabled = state, domain, sso_enabled
        self.method, self.path = method, path
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
        project = self.state.project(int(parts[1]))
        if not self.user.can(project.id, write=self.write):
            raise Problem(403, 403.1, "The authenticated actor does not have rights to perform that action.")
        rest = parts[2:]
        if rest[:1] == ["datasets"]:
            return EntityRoutes(self, project).route(rest[1:])
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
                return self.odata(self.state.form(project.id, form_part[:-4]), rest[2:])
            except Problem as problem:
                problem.odata = True if problem.odata is None else problem.odata
                raise
        form = self.state.form(project.id, form_part)
        return self.form_resource(form, rest[2:])

    def login(self) -> Reply:
        if self.sso_enabled:
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
        user = self.state.users.get(email)
        if user is None or not secrets.compare_digest(user.password, password):
            raise Problem(401, 401.2, "Could not authenticate with the provided credentials.")
        token, csrf = self.state.open_session(user), secrets.token_urlsafe(48)
        now = self.state.clock.now_ms()
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
        user = self.state.tokens.get(token) if scheme == "Bearer" else None
        if user is None:
            raise Problem(401, 401.2, "Could not authenticate with the provided credentials.")
        self.user = user

    def project_json(self, project: Project) -> dict[str, Any]:
        return {"id": project.id, "name": project.name, "acteeId": project.actee_id,
                "createdAt": iso(project.created_ms), "updatedAt": None, "deletedAt": None, "archived": None,
                "keyId": None, "description": None}

    def create_project(self) -> Reply:
        if self.user.roles is not None:
            raise Problem(403, 403.1, "The authenticated actor does not have rights to perform that action.")
        name = json.loads(self.body or b"{}").get("name") or "project"
        project = self.state.create_project(name)
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
        xform, excel = read_definition(self.body, self.headers.get("X-XlsForm-FormId-Fallback"))
        publish = self.query.get("publish") == "true"
        form = self.state.create_form(project, xform, excel=excel, publish=publish, user=self.user)
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
        now = self.state.clock.now_ms()
        if self.method == "POST" and not rest:
            if self.body:
                xform, excel = read_definition(self.body, self.headers.get("X-XlsForm-FormId-Fallback"))
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
            self.state.publish(form, xform)
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

    def rest_submissions(self, form: Form, rest: list[str]) -> Reply:
        if not rest and self.method == "GET":
            deleted = self.query.get("deleted") == "true"
            subs = [s for s in form.newest_first() if (s.deleted_ms is not None) == deleted]
            body = dumps([self.rest_json(s) for s in subs])
            headers = lead(False, False) + [("ETag", eventhash(subs)), ("Content-Type", JSON_TYPE),
                                             ("Content-Length", str(len(body)))]
            return Reply(200, headers + tail(), body)
        sub = form.by_id.get(rest[0]) if rest else None
        if sub is None:
            raise Problem(404, 404.1, NOT_FOUND)
        if self.method == "GET" and rest[1:] == ["versions"]:
            return json_reply([self.version_json(v, i == 0) for i, v in enumerate(sub.versions)])
        if self.method == "PATCH" and len(rest) == 1:
            self.state.review(form, sub, json.loads(self.body or b"{}").get("reviewState"))
            first = sub.versions[-1]
            return json_reply({"instanceId": sub.instance_id, "submitterId": sub.submitter_id,
                               "deviceId": first.device_id, "createdAt": iso(sub.created_ms),
                               "updatedAt": iso(sub.updated_ms), "reviewState": sub.review_state,
                               "deletedAt": iso(sub.deleted_ms)}, write=True)
        if self.method == "DELETE" and len(rest) == 1:
            self.state.delete(form, sub)
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

    def openrosa(self, project: Project) -> Reply:
        content_type = self.headers.get("Content-Type") or ""
        message = BytesParser().parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + self.body)
        xml = next((part.get_payload(decode=True) for part in message.walk()
                    if part.get_param("name", header="content-disposition") == "xml_submission_file"), None)
        if xml is None:
            status, text = 400, "Required multipart POST field xml_submission_file missing."
        else:
            user_agent = self.headers.get("User-Agent") or ""
            status, text = self.state.submit(project, xml, self.user, self.query.get("deviceID"), user_agent)
            if status == 201:
                apply_submission(self.state, project, xml, self.user, user_agent)
        nature = "" if status == 201 else "error"
        body = (f'\n  <OpenRosaResponse xmlns="http://openrosa.org/http/response" items="0">\n'
                f'    <message nature="{nature}">{escape(text)}</message>\n  </OpenRosaResponse>').encode()
        headers = lead(True, False) + [
            ("Content-Language", "en"), ("X-OpenRosa-Version", "1.0"),
            ("X-OpenRosa-Accept-Content-Length", "100000000"), ("Date", formatdate(usegmt=True)),
            ("Content-Type", "text/xml; charset=utf-8"), ("Content-Length", str(len(body))),
            ("ETag", express_etag(body)), ("Connection", "keep-alive"), ("Keep-Alive", "timeout=5"),
        ]
        return Reply(status, headers, body)
