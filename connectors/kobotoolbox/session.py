"""A session with one KoboToolbox server (KPI API v2): token-authenticated JSON requests, errors in plain words."""

from __future__ import annotations

import json
import logging
import re
import time
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import requests

from connectors.errors import ACCESS, AUTH, CONFLICT, NOT_FOUND, PROTOCOL, REJECTED, UNAVAILABLE, SourceError
from connectors.http import (
    HttpSettings,
    PlatformSession,
    answer_error,
    is_json,
    status_error,
    tries_text,
)

log = logging.getLogger(__name__)

API_PREFIX = "/api/v2"
# kpi's answer (HTTP 400) when MongoDB times out on a data query, or refuses one; this client's queries are well formed
UNSUPPORTED_QUERY = ["Unsupported query"]
_ASSET = re.compile(r"/api/v2/assets/(?P<asset>[^/?]+)(?:/(?P<part>[^/?]+))?")
_IMPORT = re.compile(r"/api/v2/imports/(?P<task>[^/?]+)")
_MAX_DETAIL = 300


class KoboSession(PlatformSession):
    """Sends ``Authorization: Token <key>`` requests to a KPI server (``https://kf.kobotoolbox.org``).

    Use as a context manager or call :meth:`close`.
    """

    platform, api_prefix, credentials = "KoboToolbox", API_PREFIX, "the API token"

    def __init__(self, base_url: str, token: str, *, settings: HttpSettings | None = None) -> None:
        super().__init__(base_url, settings)
        self._token = token

    def api_url(self, path: str, params: list[tuple[str, str]] | None = None) -> str:
        """The absolute URL of an API path such as ``/assets/aB3…/data/``, with a query string."""
        url = f"{self.base_url}{API_PREFIX}{path}"
        return f"{url}?{urlencode(params, quote_via=quote)}" if params else url

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        data: bytes | None = None,
        json_body: Any = None,
        decode: bool = True,
    ) -> Any:
        """Send an authenticated request to an absolute ``url``; the parsed JSON body (``None`` for 204).

        GETs whose body arrives cut short or unparsable are sent again, and so is a GET answered 400
        ``["Unsupported query"]`` (kpi's answer when its database times out), with the backoff of 5xx answers.
        Any other answer than a 2xx raises :class:`SourceError`. With ``decode=False`` the JSON body is returned
        as its bytes, for the caller to decode (a body that is cut short is still sent again; one that does not
        parse is the caller's).
        """
        sent = {**(headers or {}), "Accept": "application/json", "Authorization": f"Token {self._token}"}
        tries = self.http.settings.max_tries if method == "GET" else 1
        for attempt in range(1, tries + 1):
            response, body = self.http.send(method, url, headers=sent, data=data, json_body=json_body,
                                            reread=method == "GET", decode=decode)
            if not (attempt < tries and database_timeout(response)):
                break
            log.warning("%s: the database timed out on GET %s; trying again (%d/%d)", self.label, url, attempt + 1,
                        tries)
            time.sleep(self.http.settings.backoff(attempt + 1))
        if not 200 <= response.status_code < 300:
            raise error_for(self.label, response, tries=attempt)
        if response.status_code == 204:
            return None
        if not decode and is_json(response):
            return response.content
        if body is None:
            content_type = response.headers.get("Content-Type", "none")
            message = f"expected JSON from {method} {url} but got {content_type}: is {self.base_url} KoboToolbox?"
            raise answer_error(self.label, message, PROTOCOL, response)
        return body

    def get(self, path: str, params: list[tuple[str, str]] | None = None) -> Any:
        return self.request("GET", self.api_url(path, params))


def database_timeout(response: requests.Response) -> bool:
    """kpi's 400 ``["Unsupported query"]``: a database timeout (or a query the database refuses)."""
    if response.status_code != 400 or not is_json(response):
        return False
    try:
        return json.loads(response.content) == UNSUPPORTED_QUERY
    except ValueError:
        return False


def error_for(label: str, response: requests.Response, *, tries: int = 1) -> SourceError:
    """The :class:`SourceError` for a non-2xx answer, worded for a data manager (``tries``: of a 400 that was
    sent again; other answers: :func:`connectors.http.status_error`)."""
    status = response.status_code
    method = (response.request.method or "GET").upper()
    path = urlsplit(response.url).path
    asset = _ASSET.search(path)
    task = _IMPORT.search(path)

    def error(message: str, kind: str) -> SourceError:
        return answer_error(label, message, kind, response)

    if database_timeout(response):
        return error(f"the server's database did not answer in time after {tries_text(tries)}"
                     " (HTTP 400 “Unsupported query”): try again later, or ask the server's administrator",
                     UNAVAILABLE)
    if status == 500 and asset and asset.group("part") == "deployment" and method == "PATCH":
        return error(f"the redeployment of asset `{asset.group('asset')}` was refused (HTTP 500): KoboToolbox"
                     " answers so when the version to deploy is not the asset's current one", REJECTED)
    if status == 401:
        return error("the API token was refused (wrong or revoked token)", AUTH)
    if status == 403:
        if asset and asset.group("part") == "data":
            return error(f"no access to the submissions of asset `{asset.group('asset')}`"
                         " (the account needs the “View submissions” permission)", ACCESS)
        if asset and method != "GET":
            return error(f"no permission to change asset `{asset.group('asset')}`"
                         " (the account needs the “Edit form” permission)", ACCESS)
        if asset:
            return error(f"no access to asset `{asset.group('asset')}`", ACCESS)
        return error(f"no permission for {method} {path}", ACCESS)
    if status == 405 and asset and asset.group("part") == "deployment" and method == "POST":
        return error(f"asset `{asset.group('asset')}` is already deployed (a new deployment is refused: HTTP 405)",
                     CONFLICT)
    if status == 404:
        if asset and asset.group("part") == "data" and not is_json(response):
            return error(f"asset `{asset.group('asset')}` not found: no such asset on this server", NOT_FOUND)
        if asset and asset.group("part") == "data":
            return error(f"the submissions of asset `{asset.group('asset')}` are not visible to this account: it"
                         " lacks the “View submissions” permission (view_submissions), or the asset does not exist"
                         " or is not shared with it", NOT_FOUND)
        if asset:
            return error(f"asset `{asset.group('asset')}` not found (or not shared with this account)", NOT_FOUND)
        if task:
            return error(f"import `{task.group('task')}` not found", NOT_FOUND)
        return error(f"not found: {path}", NOT_FOUND)
    detail = _detail(response)
    return status_error(label, response, f" (HTTP {status}): {detail}" if detail else f" (HTTP {status})")


def _detail(response: requests.Response) -> str | None:
    """What a Django REST framework error body says: ``{"detail": …}`` or ``{"field": ["…"]}``."""
    try:
        body = json.loads(response.text)
    except ValueError:
        return None
    if isinstance(body, dict) and isinstance(body.get("detail"), str):
        text = body["detail"]
    elif isinstance(body, dict) and body:
        text = "; ".join(f"{key}: {' '.join(map(str, value)) if isinstance(value, list) else value}"
                         for key, value in body.items())
    elif isinstance(body, list) and body:
        text = " ".join(map(str, body))
    else:
        return None
    return text[:_MAX_DETAIL]
