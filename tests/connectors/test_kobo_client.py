"""The KoboToolbox client against the fake: token auth, access, plain-words errors, retries, no secrets."""

from __future__ import annotations

import logging
import time

import pytest

from connectors.errors import ACCESS, AUTH, NOT_FOUND, REJECTED, UNAVAILABLE, SourceError
from connectors.http import HttpSettings
from connectors.kobotoolbox import KoboClient
from tests.connectors.fake_faults import hang, http_error, invalid_json, reset, truncated_body
from tests.connectors.fake_kobotoolbox import DEFAULT_TOKEN, FakeKoboToolbox
from tests.connectors.kobo_fixtures import (  # noqa: F401 - fixtures
    HOUSEHOLD_XLSX,
    asset,
    client,
    data_requests,
    household,
    kobo,
    make_client,
)

DATA = r"/data/$"


def read_ids(client: KoboClient, asset: str) -> list[int]:
    return [d["_id"] for d in client.submissions.documents(asset)]


def test_requests_carry_the_token_and_never_log_it(kobo: FakeKoboToolbox, client: KoboClient, asset: str,
                                                   caplog) -> None:
    caplog.set_level(logging.DEBUG)
    kobo.add_submission(asset, household(1))
    assert client.assets.get(asset)["uid"] == asset
    assert read_ids(client, asset) == [101]
    assert "/data/" in caplog.text and DEFAULT_TOKEN not in caplog.text


def test_a_wrong_token_is_a_clear_auth_error_without_the_token(kobo: FakeKoboToolbox, asset: str, caplog) -> None:
    secret = "s3cret-t0ken-that-must-never-show-up-anywhere-0123456789"
    caplog.set_level(logging.DEBUG)
    with make_client(kobo, token=secret) as wrong, pytest.raises(SourceError) as caught:
        wrong.assets.get(asset)
    error = caught.value
    assert error.kind == AUTH and error.status == 401
    assert str(error) == f"KoboToolbox at {kobo.url}: the API token was refused (wrong or revoked token)"
    assert error.response.body == '{"detail":"Invalid token."}'
    assert error.request.headers["Authorization"] == "[redacted]"
    for text in (str(error), repr(error), repr(error.request), repr(error.response), caplog.text, repr(wrong)):
        assert secret not in text
    assert error.__cause__ is None and error.__context__ is None


def test_asset_not_found_and_not_shared(kobo: FakeKoboToolbox, client: KoboClient, asset: str) -> None:
    with pytest.raises(SourceError) as caught:
        client.assets.get("aNoSuchAsset")
    assert caught.value.kind == NOT_FOUND
    assert str(caught.value).endswith("asset `aNoSuchAsset` not found (or not shared with this account)")
    kobo.add_user("viewer", "viewer-token")
    with make_client(kobo, token="viewer-token") as viewer, pytest.raises(SourceError) as caught:
        read_ids(viewer, asset)
    assert caught.value.kind == NOT_FOUND  # KPI hides assets a user may not see


def test_no_access_to_submissions_says_which_permission(kobo: FakeKoboToolbox, asset: str) -> None:
    kobo.add_user("viewer", "viewer-token")
    kobo.share(asset, "viewer", "view_asset")
    with make_client(kobo, token="viewer-token") as viewer:
        assert viewer.assets.get(asset)["uid"] == asset
        with pytest.raises(SourceError) as caught:
            read_ids(viewer, asset)
    assert caught.value.kind == NOT_FOUND and caught.value.status == 404  # kpi answers 404, not 403
    assert str(caught.value) == (
        f"KoboToolbox at {kobo.url}: the submissions of asset `{asset}` are not visible to this account: it lacks"
        " the “View submissions” permission (view_submissions), or the asset does not exist or is not shared"
        " with it")


def test_a_refused_request_says_what_the_server_said(kobo: FakeKoboToolbox, client: KoboClient) -> None:
    asset = kobo.create_asset(HOUSEHOLD_XLSX.read_bytes())
    with pytest.raises(SourceError) as caught:
        client.get(f"/assets/{asset}/data/", [("format", "json"), ("limit", "0")])
    assert caught.value.kind == REJECTED
    assert str(caught.value).endswith("request refused (HTTP 400): limit: A positive integer is required")


def test_5xx_and_429_are_retried_then_succeed(kobo: FakeKoboToolbox, client: KoboClient, asset: str) -> None:
    kobo.add_submission(asset, household(1))
    kobo.faults.add(http_error(500), path=DATA)
    kobo.faults.add(http_error(502), path=DATA)
    kobo.faults.add(http_error(503), path=DATA)
    kobo.faults.add(http_error(429, retry_after=0), path=DATA)
    assert read_ids(client, asset) == [101]
    assert [i.fault.status for i in kobo.faults.injected] == [500, 502, 503, 429]


def test_retry_after_is_honoured(kobo: FakeKoboToolbox, asset: str) -> None:
    settings = HttpSettings(read_timeout=2.0, backoff_factor=0.01, retry_after_max=1)
    kobo.faults.add(http_error(429, retry_after=30), path=DATA)
    with make_client(kobo, settings=settings) as slow:
        started = time.monotonic()
        assert read_ids(slow, asset) == []
        waited = time.monotonic() - started
    assert 0.9 <= waited < 5, "Retry-After: 30 is waited for, cut to retry_after_max=1"


def test_a_server_that_stays_down_is_a_clear_error(kobo: FakeKoboToolbox, client: KoboClient, asset: str) -> None:
    kobo.faults.add(http_error(503), path=DATA, times=None)
    with pytest.raises(SourceError) as caught:
        read_ids(client, asset)
    assert caught.value.kind == UNAVAILABLE
    assert str(caught.value) == (f"KoboToolbox at {kobo.url}: server down or unreachable after 5 tries:"
                                 " HTTP 503 Service Unavailable")
    assert data_requests(kobo) == 5


def test_timeouts_resets_and_broken_bodies_are_retried(kobo: FakeKoboToolbox, asset: str) -> None:
    kobo.add_submission(asset, household(1))
    settings = HttpSettings(read_timeout=0.3, backoff_factor=0.01, backoff_max=0.05)
    for fault in (hang(2), reset(), truncated_body(), invalid_json()):
        kobo.faults.add(fault, path=DATA)
    with make_client(kobo, settings=settings) as impatient:
        assert read_ids(impatient, asset) == [101]
    assert len(kobo.faults.injected) == 4


def test_a_server_that_keeps_hanging_is_a_timeout_error(kobo: FakeKoboToolbox, asset: str) -> None:
    settings = HttpSettings(read_timeout=0.2, backoff_factor=0.01, max_tries=2)
    kobo.faults.add(hang(2), path=DATA, times=None)
    with make_client(kobo, settings=settings) as impatient, pytest.raises(SourceError) as caught:
        read_ids(impatient, asset)
    assert caught.value.kind == UNAVAILABLE
    assert "no answer within 0.2 s (read timeout)" in str(caught.value)


def test_base_urls() -> None:
    def normalize_base_url(address: str) -> str:
        return KoboClient(address, DEFAULT_TOKEN).base_url

    assert normalize_base_url("https://kf.kobotoolbox.org/api/v2/") == "https://kf.kobotoolbox.org"
    assert normalize_base_url(" https://kobo.example.vn/kpi ") == "https://kobo.example.vn/kpi"
    with pytest.raises(ValueError, match="must not contain credentials"):
        normalize_base_url("https://user:pass@kf.kobotoolbox.org")
    with pytest.raises(ValueError, match="not an http"):
        KoboClient("kf.kobotoolbox.org", DEFAULT_TOKEN)
