"""The one error type every connector raises, with a message a data manager understands.

A :class:`SourceError` carries what is useful to diagnose a failure — the request method and
URL, the response status, the server's error code, message and details — as plain, detached
snapshots. It never holds a live ``requests`` object, a password, a token or a cookie:
request bodies are not kept, ``Authorization`` is redacted, ``Set-Cookie`` is dropped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import requests

REDACTED = "[redacted]"
_SECRET_REQUEST_HEADERS = {"authorization", "cookie", "proxy-authorization"}
_SECRET_RESPONSE_HEADERS = {"set-cookie"}
_MAX_BODY_CHARS = 2000

# What kind of failure it is, for a caller deciding whether to retry later or alert someone.
AUTH = "auth"  # wrong credentials, single sign-on, session refused
ACCESS = "access"  # authenticated, but the account lacks a role
NOT_FOUND = "not_found"  # project or form does not exist
CONFLICT = "conflict"  # e.g. a form version that is already published
UNAVAILABLE = "unavailable"  # server down, unreachable, overloaded, timing out, truncated answers
REJECTED = "rejected"  # the server refused the request as invalid (4xx, 501)
PROTOCOL = "protocol"  # the server answered something this connector does not understand


@dataclass(frozen=True)
class RequestInfo:
    """The request that failed: method, URL and headers with credentials redacted (no body)."""

    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_prepared(cls, request: requests.PreparedRequest) -> RequestInfo:
        headers = {
            name: (REDACTED if name.lower() in _SECRET_REQUEST_HEADERS else str(value))
            for name, value in request.headers.items()
        }
        return cls(method=request.method or "", url=request.url or "", headers=headers)


@dataclass(frozen=True)
class ResponseInfo:
    """The server's answer: status, its error code/message/details and a bounded body excerpt."""

    status: int
    reason: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    code: str | None = None  # the server's problem code, e.g. "404.1" on ODK Central
    server_message: str | None = None
    details: dict[str, Any] | None = None
    body: str = ""

    @classmethod
    def from_response(cls, response: requests.Response, *, keep_body: bool = True) -> ResponseInfo:
        """Snapshot ``response``. With ``keep_body=False`` (answers to a login, which may echo
        the credentials or hold a token) only the server's error code is kept from the body."""
        headers = {
            name: value
            for name, value in response.headers.items()
            if name.lower() not in _SECRET_RESPONSE_HEADERS
        }
        text = response.text
        code = message = details = None
        try:
            problem = json.loads(text) if text else None
        except ValueError:
            problem = None
        if isinstance(problem, dict):
            code = None if problem.get("code") is None else str(problem["code"])
            message = problem.get("message") if isinstance(problem.get("message"), str) else None
            details = problem.get("details") if isinstance(problem.get("details"), dict) else None
        if not keep_body:
            text, message, details = "", None, None
        return cls(
            status=response.status_code,
            reason=response.reason or "",
            url=response.url,
            headers=headers,
            code=code,
            server_message=message,
            details=details,
            body=text[:_MAX_BODY_CHARS],
        )


class SourceError(Exception):
    """A survey platform could not give what was asked; ``str()`` says why in plain words."""

    def __init__(
        self,
        message: str,
        *,
        kind: str,
        request: RequestInfo | None = None,
        response: ResponseInfo | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.request = request
        self.response = response

    @property
    def status(self) -> int | None:
        return None if self.response is None else self.response.status

    def __repr__(self) -> str:
        return f"SourceError({self.message!r}, kind={self.kind!r}, status={self.status!r})"
