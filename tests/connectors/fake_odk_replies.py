"""How the fake ODK Central words its answers: status, header order, ETags, error bodies, paging tokens.

Header order and values follow the recorded exchanges (Express behind no nginx): GETs carry
``Cache-Control: private, no-cache`` and ``Vary: Accept-Encoding, Origin``, writes ``no-store``
and ``Vary: *``; OData answers add ``OData-Version: 4.0``; data feeds are chunked and carry an
``eventhash`` ETag of the selected submissions, everything else Express's ``W/"<len>-<sha1>"``.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import quote_plus

from tests.connectors.fake_faults import Fault

JSON_TYPE = "application/json; charset=utf-8"
NOT_FOUND = "Could not find the resource you were looking for."


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
    """A weak ETag of a set of submissions (instance id and change counter), like Central's."""
    digest = hashlib.md5(usedforsecurity=False)
    for line in sorted(f"{s.instance_id}\t{s.state}" for s in subs):
        digest.update(line.encode() + b"\n")
    return f'W/"eventhash:{digest.hexdigest()}"'


def express_etag(body: bytes) -> str:
    """Express's default weak ETag: body length in hex and the start of its base64 SHA-1."""
    digest = base64.b64encode(hashlib.sha1(body, usedforsecurity=False).digest()).decode()
    return f'W/"{len(body):x}-{digest[:27]}"'


def dumps(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def tail() -> list[tuple[str, str]]:
    return [("Date", formatdate(usegmt=True)), ("Connection", "keep-alive"), ("Keep-Alive", "timeout=5")]


def lead(write: bool, odata: bool) -> list[tuple[str, str]]:
    if write:
        return [("Cache-Control", "no-store"), ("Vary", "*")]
    lead = [("Cache-Control", "private, no-cache"), ("Vary", "Accept-Encoding, Origin")]
    return lead + [("OData-Version", "4.0")] if odata else lead


def json_reply(payload: Any, *, status: int = 200, write: bool = False, odata: bool = False,
               content_type: str = JSON_TYPE, extra: list[tuple[str, str]] | None = None) -> Reply:
    body = dumps(payload)
    headers = lead(write, odata) + (extra or []) + [
        ("Content-Type", content_type), ("Content-Length", str(len(body))), ("ETag", express_etag(body))
    ]
    return Reply(status, headers + tail(), body)


def problem_reply(problem: Problem, *, write: bool, odata: bool) -> Reply:
    payload: dict[str, Any] = {"message": problem.message, "code": problem.code}
    if problem.details is not None:
        payload["details"] = problem.details
    if problem.etag is None:
        return json_reply(payload, status=problem.status, write=write, odata=odata)
    body = dumps(payload)
    headers = lead(write, odata) + [
        ("ETag", problem.etag), ("Content-Type", JSON_TYPE), ("Content-Length", str(len(body)))
    ]
    return Reply(problem.status, headers + tail(), body)


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
    """Central's opaque ``$skiptoken``: "01" and base64 of ``{"instanceId": …}`` or ``{"repeatId": …}``."""
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
    """Weak comparison, as Express does: ``W/`` or not, any of a comma-separated list, or ``*``."""
    if not if_none_match:
        return False
    opaque = etag.removeprefix("W/")
    return any(tag.strip() == "*" or tag.strip().removeprefix("W/") == opaque for tag in if_none_match.split(","))
