"""HTTP plumbing shared by the survey-platform connectors: timeouts, retries, whole-body reads, base URLs, and the
errors every platform words alike (:func:`status_error`; each platform's ``error_for`` words its own cases first).

urllib3's ``Retry`` (mounted on the session's adapters) retries every method on connection
errors, timeouts, resets and on 429/500/502/503/504, with exponential backoff, honouring
``Retry-After`` in seconds or as an HTTP date. It cannot see a body cut short after the status
line, nor a JSON body that does not parse: :meth:`HttpClient.send` reads the whole body and,
when asked to (idempotent reads), sends the request again in that case.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from http.cookiejar import DefaultCookiePolicy
from typing import Any, ClassVar, Self
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
)
from urllib3.util.retry import Retry

from connectors.errors import PROTOCOL, REJECTED, UNAVAILABLE, RequestInfo, ResponseInfo, SourceError
from connectors.json_decode import loads

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class HttpSettings:
    """Timeouts (seconds) and the retry policy. Tests use tiny values to stay fast."""

    connect_timeout: float = 10.0
    read_timeout: float = 120.0
    max_tries: int = 5  # attempts in all, the first one included
    backoff_factor: float = 1.0  # sleeps 0, 2, 4, 8 … × factor between tries
    backoff_max: float = 60.0
    retry_after_max: int = 300  # a longer Retry-After is cut to this
    user_agent: str = "clms-connectors"

    def __post_init__(self) -> None:
        if self.max_tries < 1:
            raise ValueError("max_tries must be at least 1")

    def backoff(self, attempt: int) -> float:
        """Seconds to wait before try number ``attempt + 1`` (same curve as urllib3's)."""
        if attempt <= 1:
            return 0.0
        return min(self.backoff_max, self.backoff_factor * 2 ** (attempt - 1))


class _TimeoutAdapter(HTTPAdapter):
    """An adapter that applies the default (connect, read) timeout to every request."""

    def __init__(self, timeout: tuple[float, float], **kwargs: Any) -> None:
        self._timeout = timeout
        super().__init__(**kwargs)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self._timeout
        return super().send(request, **kwargs)


def build_session(settings: HttpSettings) -> requests.Session:
    """A session with timeouts and retries on both schemes, and no cookie jar (tokens only)."""
    retry = Retry(
        total=settings.max_tries - 1,
        allowed_methods=None,  # every method: login is a POST, reads are GETs
        status_forcelist=RETRY_STATUSES,
        backoff_factor=settings.backoff_factor,
        backoff_max=settings.backoff_max,
        retry_after_max=settings.retry_after_max,
        respect_retry_after_header=True,
        raise_on_status=False,  # hand the last answer back; the caller words the error
    )
    adapter = _TimeoutAdapter((settings.connect_timeout, settings.read_timeout), max_retries=retry)
    session = requests.Session()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = settings.user_agent
    session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
    return session


def tries_made(response: requests.Response) -> int:
    """How many times urllib3 sent the request that produced ``response``."""
    retries = getattr(response.raw, "retries", None)
    return 1 + len(retries.history) if retries is not None else 1


def tries_text(tries: int) -> str:
    """``"1 try"``, ``"3 tries"``."""
    return "1 try" if tries == 1 else f"{tries} tries"


def read_body(response: requests.Response) -> bytes:
    """The whole body of a streamed response, read at once and kept as its ``content`` (``.text`` and the error
    reports read it there).

    ``response.content`` reads 10 KB at a time: a 1.6 MB page took 160 reads, each through urllib3's and requests'
    layers and each taking the interpreter's lock back from the thread that works on the previous page. One read
    with requests' own errors (``iter_content`` with no chunk size) is one trip through them.
    """
    body = b"".join(response.iter_content(chunk_size=None))
    response._content = body
    return body


def is_json(response: requests.Response) -> bool:
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    return content_type == "application/json" or content_type.endswith("+json")


class HttpClient:
    """A configured session that reads whole bodies and words transport failures for people.

    ``label`` names the server in every message, e.g. ``"ODK Central at https://…"``.
    """

    def __init__(self, settings: HttpSettings, *, label: str) -> None:
        self.settings = settings
        self.label = label
        self.session = build_session(settings)

    def close(self) -> None:
        self.session.close()

    def send(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        data: bytes | None = None,
        json_body: Any = None,
        reread: bool = False,
        decode: bool = True,
    ) -> tuple[requests.Response, Any]:
        """Send (urllib3 retries failed connections and 429/5xx inside) and read the whole body.

        Returns the response and, for a 2xx JSON answer, the parsed body (else ``None``; with ``decode=False``
        always ``None``: the body is only read, as ``response.content``, for the caller to decode).
        With ``reread=True`` a body cut short or a JSON body that does not parse is requested
        again, up to ``max_tries`` times in all. Raises :class:`SourceError` when the server
        cannot be reached or keeps sending broken bodies.
        """
        attempt = 0
        while True:
            attempt += 1
            response = self._send_once(method, url, headers=headers, data=data, json_body=json_body)
            try:
                body = read_body(response)
                parsed = self._parse(response, body) if decode else None
            except (requests.RequestException, ValueError) as exc:
                failure = describe(exc, self.settings)
            else:
                return response, parsed
            request_info = RequestInfo.from_prepared(response.request)
            response.close()
            if not reread or attempt >= self.settings.max_tries:
                break
            log.warning(
                "%s: the answer to %s %s was broken (%s); trying again (%d/%d)",
                self.label, method, url, failure, attempt + 1, self.settings.max_tries,
            )
            time.sleep(self.settings.backoff(attempt + 1))
        raise SourceError(
            f"{self.label}: server down or unreachable after {tries_text(attempt)}: {failure}",
            kind=UNAVAILABLE,
            request=request_info,
        )

    def open(self, method: str, url: str, *, headers: dict[str, str] | None = None) -> requests.Response:
        """Send (with urllib3's retries, as :meth:`send`) and return the answer with its body unread, for the
        caller to stream (``iter_content``) and close."""
        return self._send_once(method, url, headers=headers, data=None, json_body=None)

    def _send_once(
        self, method: str, url: str, *, headers: dict[str, str] | None, data: bytes | None, json_body: Any
    ) -> requests.Response:
        failure = None
        try:
            return self.session.request(
                method, url, headers=headers, data=data, json=json_body, stream=True, allow_redirects=False
            )
        except requests.RequestException as exc:
            failure = describe(exc, self.settings)
            request_info = RequestInfo(method=method, url=url)
        # Raised outside the except block so that no exception holding the request's
        # headers (with the bearer token) is chained to the error.
        raise SourceError(
            f"{self.label}: server down or unreachable after {tries_text(self.settings.max_tries)}: {failure}",
            kind=UNAVAILABLE,
            request=request_info,
        )

    def _parse(self, response: requests.Response, body: bytes) -> Any:
        if not (200 <= response.status_code < 300) or not is_json(response):
            return None
        try:
            return loads(body)
        except ValueError as exc:
            raise ValueError(f"incomplete or invalid JSON ({len(body)} bytes: {exc})") from None


def normalize_base_url(base_url: str, *, api_prefix: str, platform: str, credentials: str) -> str:
    """``https://host[:port][/prefix]`` without a trailing ``/`` or ``api_prefix``; refuses an address that is not
    http(s) or that holds credentials (``credentials`` says what to pass instead)."""
    parts = urlsplit(base_url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) address: {base_url!r}")
    if parts.username is not None or parts.password is not None:
        raise ValueError(f"the {platform} address must not contain credentials; pass {credentials}")
    path = parts.path.rstrip("/")
    if path.endswith(api_prefix):
        path = path[: -len(api_prefix)]
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


class PlatformSession:
    """A session with one platform's server: its normalized address, the label its errors name it by, and the
    :class:`HttpClient` it sends with; a context manager that closes it. Each platform sets ``platform``,
    ``api_prefix`` and ``credentials`` (what to pass instead of credentials in the address)."""

    platform: ClassVar[str]
    api_prefix: ClassVar[str]
    credentials: ClassVar[str]

    def __init__(self, base_url: str, settings: HttpSettings | None = None) -> None:
        self.base_url = normalize_base_url(base_url, api_prefix=self.api_prefix, platform=self.platform,
                                           credentials=self.credentials)
        self.label = f"{self.platform} at {self.base_url}"
        self.http = HttpClient(settings or HttpSettings(), label=self.label)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.base_url!r})"

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self.http.close()


def answer_error(label: str, message: str, kind: str, response: requests.Response, *,
                 keep_body: bool = True) -> SourceError:
    """``label: message`` about ``response``, with the request and the answer (its body only with ``keep_body``)."""
    return SourceError(
        f"{label}: {message}",
        kind=kind,
        request=RequestInfo.from_prepared(response.request),
        response=ResponseInfo.from_response(response, keep_body=keep_body),
    )


def status_error(label: str, response: requests.Response, refused: str, *, keep_body: bool = True) -> SourceError:
    """The error for a non-2xx answer that no rule of the platform words: a retried status (429, 5xx) is a server
    down, a redirect names the address to use, another 4xx or 5xx is ``request refused`` followed by ``refused``
    (the server's own words), anything else is an unexpected answer."""
    status = response.status_code
    if status in RETRY_STATUSES:
        tries = tries_text(tries_made(response))
        message = f"server down or unreachable after {tries}: HTTP {status} {response.reason}"
        return answer_error(label, message, UNAVAILABLE, response, keep_body=keep_body)
    if 300 <= status < 400 and response.headers.get("Location"):
        message = f"the server redirects to {response.headers['Location']}: use that address"
        return answer_error(label, message, PROTOCOL, response, keep_body=keep_body)
    if 400 <= status < 600:
        return answer_error(label, f"request refused{refused}", REJECTED, response, keep_body=keep_body)
    return answer_error(label, f"unexpected answer HTTP {status} {response.reason}", PROTOCOL, response,
                        keep_body=keep_body)


def describe(exc: BaseException, settings: HttpSettings) -> str:
    """A short, secret-free account of a transport failure."""
    if isinstance(exc, ValueError) and not isinstance(exc, requests.RequestException):
        return str(exc)
    reason: BaseException = exc
    if exc.args and isinstance(exc.args[0], MaxRetryError):
        reason = exc.args[0].reason or exc.args[0]
    elif exc.args and isinstance(exc.args[0], BaseException):
        reason = exc.args[0]
    if isinstance(reason, (ReadTimeoutError, requests.ReadTimeout)):
        return f"no answer within {settings.read_timeout:g} s (read timeout)"
    if isinstance(reason, (ConnectTimeoutError, requests.ConnectTimeout)):
        return f"could not connect within {settings.connect_timeout:g} s (connect timeout)"
    if isinstance(reason, NewConnectionError):
        return f"could not connect ({_root_cause(reason)})"
    if isinstance(reason, (ProtocolError, requests.exceptions.ChunkedEncodingError)):
        return f"connection dropped mid-answer ({_root_cause(reason)})"
    return f"{type(reason).__name__}: {_root_cause(reason)}"


def _root_cause(exc: BaseException) -> str:
    inner: BaseException = exc
    while inner.args and isinstance(inner.args[-1], BaseException):
        inner = inner.args[-1]
    if isinstance(inner, OSError) and inner.strerror:
        return inner.strerror
    text = str(inner)
    return text.split(": ", 1)[-1] if text else type(inner).__name__
