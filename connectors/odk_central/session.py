"""A session with one ODK Central server: login, authenticated JSON requests, errors in plain words."""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

import requests

from connectors.errors import ACCESS, AUTH, CONFLICT, NOT_FOUND, PROTOCOL, UNAVAILABLE, ResponseInfo, SourceError
from connectors.http import (
    RETRY_STATUSES,
    HttpSettings,
    PlatformSession,
    answer_error,
    is_json,
    read_body,
    status_error,
    tries_made,
)
from connectors.odk_central.problem import central_says

log = logging.getLogger(__name__)

API_PREFIX = "/v1"
_RESOURCE = re.compile(r"/v1/projects/(?P<project>\d+)(?:/forms/(?P<form>[^/?]+?)(?:\.svc)?(?=[/?(]|$))?")


class CentralSession(PlatformSession):
    """Logs in with an email and password (``POST /v1/sessions``) and sends bearer requests.

    A 401 during a run (the 24 h session expired) leads to one new login and one more try of
    the request. With ``session_file`` the session outlives the object: its token is kept there
    (mode 0600) and used by the next session of the same server and email without logging in
    (a login costs Central a bcrypt hash); a 401 logs in again and rewrites it. Use as a context
    manager or call :meth:`close`.
    """

    platform, api_prefix, credentials = "ODK Central", API_PREFIX, "email and password"

    def __init__(self, base_url: str, email: str, password: str, *, settings: HttpSettings | None = None,
                 session_file: Path | None = None) -> None:
        super().__init__(base_url, settings)
        self.email = email
        self._password = password
        self._token: str | None = None
        self._session_file = session_file

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.base_url!r}, email={self.email!r})"

    def api_url(self, path: str) -> str:
        """The absolute URL of an API path such as ``/projects/3/forms``."""
        return f"{self.base_url}{API_PREFIX}{path}"

    def on_this_server(self, url: str) -> str:
        """``url`` with this client's scheme and host, path and query kept exactly as given.

        Central builds absolute links (``@odata.nextLink``) from its configured domain, which
        can differ from the address this client uses; the bearer token must not go elsewhere.
        """
        link = urlsplit(url)
        base = urlsplit(self.base_url)
        if (link.scheme, link.netloc) == (base.scheme, base.netloc):
            return url
        log.warning(
            "%s: a link points to %s://%s; following it on %s", self.label, link.scheme, link.netloc, self.base_url
        )
        return urlunsplit((base.scheme, base.netloc, link.path, link.query, link.fragment))

    def login(self) -> None:
        """Open a session; raises :class:`SourceError` with the reason when that is refused."""
        self._token = None
        response, body = self.http.send(
            "POST", self.api_url("/sessions"), json_body={"email": self.email, "password": self._password}, reread=True
        )
        if response.status_code == 200 and isinstance(body, dict) and isinstance(body.get("token"), str):
            self._token = body["token"]
            log.info("%s: logged in as %s", self.label, self.email)
            self._save_session()
            return
        if response.status_code == 200:
            content_type = response.headers.get("Content-Type", "none")
            message = f"the login answer ({content_type}) holds no session token: is {self.base_url} ODK Central?"
            raise answer_error(self.label, message, PROTOCOL, response, keep_body=False)
        reasons = {
            401: "wrong email or password",
            404: "single sign-on is enabled, password login is disabled (or this address is not ODK Central)",
            400: "the login was rejected: both an email and a password are required",
        }
        if response.status_code in reasons:  # Central's code only: its message can echo the credentials
            words = central_says(ResponseInfo.from_response(response, keep_body=False))
            raise answer_error(self.label, reasons[response.status_code] + words, AUTH, response, keep_body=False)
        raise error_for(self.label, response, keep_body=False)

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        data: bytes | None = None,
        json_body: Any = None,
    ) -> Any:
        """Send an authenticated request to an absolute ``url``; return the parsed JSON body.

        GETs whose body arrives cut short or unparsable are sent again (see
        :meth:`connectors.http.HttpClient.send`). Any answer but a 2xx JSON one raises
        :class:`SourceError`.
        """
        return self._exchange(method, url, headers=headers, data=data, json_body=json_body)[1]

    def request_timed(self, method: str, url: str, *, headers: dict[str, str] | None = None,
                      arrival: bool = False) -> tuple[Any, datetime]:
        """:meth:`request`, and a moment on Central's clock no later than its answer: the ``Date`` of the answer
        (whole seconds: never ahead), or this machine's clock at sending when that is earlier or the answer has
        no ``Date``. With ``arrival``, no later than the request's arrival: the ``Date`` less the round trip
        (retries included), in whole seconds (the same for the same answer however fast it came), for a query
        whose own snapshot must come after the moment."""
        sent = datetime.now(UTC)
        response, body = self._exchange(method, url, headers=headers)
        return body, _central_clock(response, sent, arrival)

    def open_json(self, url: str) -> tuple[requests.Response, datetime]:
        """An authenticated ``GET`` of ``url`` whose 2xx JSON answer is returned with its body unread (stream it
        with ``iter_content``, then close it), and Central's clock at the request's arrival (as
        :meth:`request_timed` with ``arrival``). Other answers raise :class:`SourceError` as :meth:`request`'s."""
        sent = datetime.now(UTC)
        response = self._exchange("GET", url, stream=True)[0]
        return response, _central_clock(response, sent, arrival=True)

    def _exchange(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        data: bytes | None = None,
        json_body: Any = None,
        stream: bool = False,
    ) -> tuple[requests.Response, Any]:
        """The answer and its parsed body; with ``stream`` (a ``GET``), a 2xx JSON answer with its body unread
        (and ``None``)."""
        if self._token is None:
            self._token = self._saved_session()
        if self._token is None:
            self.login()
        logged_in_again = False
        while True:
            sent_headers = {**(headers or {}), "Authorization": f"Bearer {self._token}"}
            if stream:
                response, body = self.http.open(method, url, headers=sent_headers), None
                if not 200 <= response.status_code < 300 or not is_json(response):
                    _read_whole(response)
            else:
                response, body = self.http.send(
                    method, url, headers=sent_headers, data=data, json_body=json_body, reread=method == "GET"
                )
            if response.status_code == 401 and not logged_in_again:
                log.info("%s: the session was refused (expired?); logging in again", self.label)
                logged_in_again = True
                self.login()
                continue
            if not 200 <= response.status_code < 300:
                raise error_for(self.label, response)
            if stream and is_json(response):
                return response, None
            if body is None:
                content_type = response.headers.get("Content-Type", "none")
                message = f"expected JSON from {method} {url} but got {content_type}: is {self.base_url} ODK Central?"
                raise answer_error(self.label, message, PROTOCOL, response)
            return response, body

    def get(self, path: str, *, headers: dict[str, str] | None = None) -> Any:
        return self.request("GET", self.api_url(path), headers=headers)

    def _saved_session(self) -> str | None:
        """The token kept in the session file for this server and email, if any (not checked: a 401 will tell)."""
        if self._session_file is None:
            return None
        try:
            saved = json.loads(self._session_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(saved, dict) or (saved.get("server"), saved.get("email")) != (self.base_url, self.email):
            return None
        token = saved.get("token")
        if isinstance(token, str) and token:
            log.info("%s: using the saved session of %s", self.label, self.email)
            return token
        return None

    def _save_session(self) -> None:
        """Write the token to the session file, readable by this user only, replacing it whole."""
        if self._session_file is None or self._token is None:
            return
        path = self._session_file
        partial = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as file:
                os.fchmod(file.fileno(), 0o600)
                json.dump({"server": self.base_url, "email": self.email, "token": self._token}, file)
            os.replace(partial, path)
        except OSError as error:
            log.warning("%s: the session could not be kept in %s (%s); the next run logs in again",
                        self.label, path, error.strerror)


def _central_clock(response: requests.Response, sent: datetime, arrival: bool) -> datetime:
    """See :meth:`CentralSession.request_timed`."""
    try:
        server = parsedate_to_datetime(response.headers["Date"])
    except (KeyError, TypeError, ValueError):
        return sent
    if server.tzinfo is None:
        return sent
    if arrival:
        server = (server - response.elapsed).replace(microsecond=0)
    return min(sent, server)


def _read_whole(response: requests.Response) -> None:
    """Read a streamed answer's body for the error report; one cut short is reported without it."""
    try:
        read_body(response)
    except requests.RequestException:
        response._content = b""
    finally:
        response.close()


def error_for(label: str, response: requests.Response, *, keep_body: bool = True) -> SourceError:
    """The :class:`SourceError` for a non-2xx answer, worded for a data manager, with Central's own code and
    message (and ``details.error``) when it gave them (other answers: :func:`connectors.http.status_error`)."""
    status = response.status_code
    method = (response.request.method or "GET").upper()
    match = _RESOURCE.search(urlsplit(response.url).path)
    project = match and match.group("project")
    form = match and match.group("form") and unquote(match.group("form"))
    info = ResponseInfo.from_response(response, keep_body=keep_body)
    says = central_says(info)

    def error(message: str, kind: str) -> SourceError:
        return answer_error(label, f"{message}{says}", kind, response, keep_body=keep_body)

    if status in RETRY_STATUSES and info.code is not None:  # Central answered: it is up, something it needs is not
        return error(f"ODK Central is up but could not do this (tried {tries_made(response)} times)", UNAVAILABLE)
    if status == 401:
        return error("the session was refused even after logging in again", AUTH)
    if status == 403:
        if method == "GET":
            where = f"project {project}" if project else "this resource"
            return error(f"no access to {where} (the account needs the Project Viewer role)", ACCESS)
        where = f"in project {project}" if project else "here"
        return error(
            f"no permission to change forms {where} (the account needs the Project Manager role)", ACCESS
        )
    if status == 404:
        if form:
            return error(f"form `{form}` not found in project {project}", NOT_FOUND)
        if project:
            return error(f"project {project} not found", NOT_FOUND)
        return error(f"not found: {urlsplit(response.url).path}", NOT_FOUND)
    if status == 409 and info.code == "409.6" and info.details:
        version, form_id = info.details.get("version"), info.details.get("xmlFormId", form)
        return error(
            f"version {version} of form `{form_id}` is already published: raise the version in the form's settings",
            CONFLICT,
        )
    if status == 409:
        return error("conflict", CONFLICT)
    return status_error(label, response, says, keep_body=keep_body)  # a proxy's 5xx (no code of Central's) too
