"""Fixtures: a started fake ODK Central and clients with tiny timeouts and backoff."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from connectors.http import HttpSettings
from connectors.odk_central import OdkCentralClient
from tests.connectors.fake_odk_central import DEFAULT_PASSWORD, FakeOdkCentral

# Timeouts long enough for a loaded test machine (a fake answering late is retried, and a non-idempotent
# request retried changes what the server saw); the tests of timeouts set their own.
FAST = HttpSettings(connect_timeout=10.0, read_timeout=10.0, max_tries=5, backoff_factor=0.01, backoff_max=0.05)


@pytest.fixture
def fake() -> Iterator[FakeOdkCentral]:
    """The recorded state: five submissions, one edited, one approved, one deleted."""
    with FakeOdkCentral() as server:
        yield server


@pytest.fixture
def fake_before_changes() -> Iterator[FakeOdkCentral]:
    """The five recorded submissions as first received."""
    with FakeOdkCentral(seed="recorded_before_changes") as server:
        yield server


def make_client(server: FakeOdkCentral, *, password: str = DEFAULT_PASSWORD, settings: HttpSettings = FAST,
                email: str = "admin@example.com") -> OdkCentralClient:
    return OdkCentralClient(server.url, email, password, settings=settings)


@pytest.fixture
def client(fake: FakeOdkCentral) -> Iterator[OdkCentralClient]:
    with make_client(fake) as odk:
        yield odk
