"""Retries, timeouts and broken bodies, through the ODK Central client against the fake server."""

from __future__ import annotations

import socket
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from connectors.errors import PROTOCOL, UNAVAILABLE, SourceError
from connectors.http import HttpSettings, build_session
from connectors.odk_central import OdkCentralClient
from tests.connectors.conftest import FAST, make_client
from tests.connectors.fake_faults import hang, http_error, invalid_json, reset, truncated_body
from tests.connectors.fake_odk_central import FakeOdkCentral

FEED = r"\.svc/Submissions$"


def feed_requests(fake: FakeOdkCentral) -> list[str]:
    return [r.target for r in fake.requests if ".svc/Submissions" in r.target]


def read_all(client: OdkCentralClient, **options) -> list[str]:
    return [row["__id"] for row in client.submissions.rows(3, "household_mini", **options)]


def test_500s_are_retried_then_succeed(fake: FakeOdkCentral, client: OdkCentralClient) -> None:
    fake.faults.add(http_error(500), path=FEED, times=2)
    fake.faults.add(http_error(502), path=FEED)
    assert len(read_all(client)) == 4
    assert [i.fault.status for i in fake.faults.injected] == [500, 500, 502]


def test_429_retry_after_is_honoured_and_capped(fake: FakeOdkCentral) -> None:
    settings = HttpSettings(read_timeout=2.0, backoff_factor=0.01, retry_after_max=1)
    fake.faults.add(http_error(429, retry_after=30), path=FEED)
    with make_client(fake, settings=settings) as client:
        client.login()
        started = time.monotonic()
        assert len(read_all(client)) == 4
        waited = time.monotonic() - started
    assert 0.9 <= waited < 5, "Retry-After: 30 must be waited for, cut to retry_after_max=1"


def test_retry_after_as_an_http_date_is_understood() -> None:
    retry = build_session(FAST).get_adapter("http://x").max_retries
    assert 1.0 <= retry.parse_retry_after(formatdate(time.time() + 3, usegmt=True)) <= 3.0
    assert retry.parse_retry_after("2") == 2


def test_persistent_503_is_a_clear_server_down_error(fake: FakeOdkCentral, client: OdkCentralClient) -> None:
    fake.faults.add(http_error(503), path=FEED, times=None)
    with pytest.raises(SourceError) as caught:
        read_all(client)
    assert caught.value.kind == UNAVAILABLE
    assert str(caught.value) == (
        f"ODK Central at {fake.url}: server down or unreachable after 5 tries: HTTP 503 Service Unavailable"
    )
    assert caught.value.status == 503
    assert len(feed_requests(fake)) == 5


def test_a_hang_longer_than_the_read_timeout_is_retried(fake: FakeOdkCentral) -> None:
    settings = HttpSettings(read_timeout=0.3, backoff_factor=0.01)
    fake.faults.add(hang(3), path=FEED)
    with make_client(fake, settings=settings) as client:
        started = time.monotonic()
        assert len(read_all(client)) == 4
    assert time.monotonic() - started < 2.5
    assert len(feed_requests(fake)) == 1  # the hung request never got an answer


def test_a_server_that_keeps_hanging_gives_a_timeout_error(fake: FakeOdkCentral) -> None:
    settings = HttpSettings(read_timeout=0.2, backoff_factor=0.01, max_tries=3)
    fake.faults.add(hang(2), path=FEED, times=None)
    with make_client(fake, settings=settings) as client, pytest.raises(SourceError) as caught:
        read_all(client)
    assert caught.value.kind == UNAVAILABLE
    assert str(caught.value).endswith("server down or unreachable after 3 tries: no answer within 0.2 s (read timeout)")


def test_a_connection_reset_is_retried(fake: FakeOdkCentral, client: OdkCentralClient) -> None:
    fake.faults.add(reset(), path=FEED, times=2)
    assert len(read_all(client)) == 4
    assert len(fake.faults.injected) == 2


def test_a_login_post_is_retried_too(fake: FakeOdkCentral, client: OdkCentralClient) -> None:
    fake.faults.add(reset(), path="/v1/sessions")
    fake.faults.add(http_error(503), path="/v1/sessions")
    client.login()
    assert [r.status for r in fake.requests if r.target == "/v1/sessions"] == [503, 200]  # a reset leaves no answer
    assert len(fake.faults.injected) == 2


@pytest.mark.parametrize("fault", [truncated_body(), invalid_json()], ids=["cut-mid-stream", "invalid-json"])
def test_a_broken_body_is_read_again(fake: FakeOdkCentral, client: OdkCentralClient, fault) -> None:
    fake.faults.add(fault, path=FEED, times=2)
    assert len(read_all(client, page_size=2)) == 4
    assert len(feed_requests(fake)) == 4  # page 1 three times, page 2 once


def test_bodies_broken_every_time_give_up(fake: FakeOdkCentral, client: OdkCentralClient) -> None:
    fake.faults.add(truncated_body(), path=FEED, times=None)
    with pytest.raises(SourceError) as caught:
        read_all(client)
    assert caught.value.kind == UNAVAILABLE
    assert "after 5 tries: connection dropped mid-answer" in str(caught.value)


def test_a_refused_connection_is_retried_then_reported() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with OdkCentralClient(f"http://127.0.0.1:{port}", "a@b.c", "pw", settings=FAST) as client, \
            pytest.raises(SourceError) as caught:
        client.login()
    assert caught.value.kind == UNAVAILABLE
    assert str(caught.value).startswith(
        f"ODK Central at http://127.0.0.1:{port}: server down or unreachable after 5 tries: could not connect"
    )


class _NotCentral(BaseHTTPRequestHandler):
    """A web server that is not ODK Central: an HTML page for everything, or a redirect."""

    redirect_to: str | None = None

    def answer(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = b"<!doctype html><title>Welcome</title>"
        self.send_response(301 if self.redirect_to else 200)
        if self.redirect_to:
            self.send_header("Location", self.redirect_to)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = answer

    def log_message(self, *args: object) -> None:
        pass


def login_error(redirect_to: str | None) -> tuple[str, SourceError]:
    handler = type("Handler", (_NotCentral,), {"redirect_to": redirect_to})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with OdkCentralClient(url, "a@b.c", "pw", settings=FAST) as client, pytest.raises(SourceError) as caught:
            client.login()
    finally:
        server.shutdown()
        server.server_close()
    return url, caught.value


def test_an_html_page_is_not_taken_for_central() -> None:
    url, error = login_error(None)
    assert error.kind == PROTOCOL
    assert str(error) == (
        f"ODK Central at {url}: the login answer (text/html) holds no session token: is {url} ODK Central?"
    )


def test_a_redirect_is_reported_not_followed() -> None:
    """Following a redirect would turn the login POST into a GET; say where to point the client instead."""
    url, error = login_error("https://central.example.org/v1/sessions")
    assert error.kind == PROTOCOL
    assert str(error).endswith("the server redirects to https://central.example.org/v1/sessions: use that address")
