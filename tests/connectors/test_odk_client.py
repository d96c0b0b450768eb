"""ODK Central client: login, re-login on expiry, errors in plain words, secrets kept out."""

from __future__ import annotations

import json
import logging
import stat
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest

from connectors.errors import ACCESS, AUTH, NOT_FOUND, REJECTED, SourceError
from connectors.odk_central import OdkCentralClient
from tests.connectors.conftest import DEFAULT_PASSWORD, FAST, make_client
from tests.connectors.fake_faults import http_error
from tests.connectors.fake_odk_central import FakeOdkCentral
from tests.connectors.fake_odk_replies import skiptoken

FORM = "household_mini"


def error_of(action: Callable[[], object]) -> SourceError:
    with pytest.raises(SourceError) as caught:
        action()
    return caught.value


def test_login_gets_a_bearer_token_used_afterwards(fake: FakeOdkCentral, client: OdkCentralClient) -> None:
    assert client.forms.get(3, FORM)["version"] == "2026112301"
    assert [(r.method, r.target, r.status) for r in fake.requests] == [
        ("POST", "/v1/sessions", 200),
        ("GET", "/v1/projects/3/forms/household_mini", 200),
    ]
    assert fake.requests[1].headers["Authorization"] == "Bearer …"
    assert "Cookie" not in fake.requests[1].headers  # the session cookie is not kept


def test_wrong_password(fake: FakeOdkCentral) -> None:
    with make_client(fake, password="not-the-password") as client:
        error = error_of(lambda: client.forms.list(3))
    assert str(error) == f"ODK Central at {fake.url}: wrong email or password (HTTP 401, code 401.2)"
    assert error.kind == AUTH
    assert error.status == 401
    assert fake.login_count == 1  # a refused login is not retried


def test_single_sign_on_disables_password_login(fake: FakeOdkCentral, client: OdkCentralClient) -> None:
    fake.sso_enabled = True
    error = error_of(client.login)
    assert error.kind == AUTH
    assert "single sign-on is enabled, password login is disabled" in str(error)


def test_expired_session_mid_run_logs_in_again_once(fake: FakeOdkCentral, client: OdkCentralClient) -> None:
    rows = client.submissions.rows(3, FORM, page_size=2)
    first_page = [next(rows)["__id"], next(rows)["__id"]]
    fake.expire_sessions()  # the 24 h session ends between two pages
    rest = [row["__id"] for row in rows]
    assert len(first_page + rest) == 4
    assert fake.login_count == 2
    assert [r.status for r in fake.requests if ".svc" in r.target] == [200, 401, 200]


def test_a_session_refused_twice_is_an_error(fake: FakeOdkCentral, client: OdkCentralClient) -> None:
    fake.faults.add(http_error(401), path=r"/forms$", times=2)
    error = error_of(lambda: client.forms.list(3))
    assert error.kind == AUTH
    assert str(error).endswith("the session was refused even after logging in again"
                               " (HTTP 401, code 401.2: Could not authenticate with the provided credentials.)")
    assert fake.login_count == 2


def test_no_access_to_a_project(fake: FakeOdkCentral) -> None:
    other = fake.create_project("other")
    fake.add_user("viewer@example.com", "viewer-pass-1", project_roles={3: "viewer"})
    with make_client(fake, email="viewer@example.com", password="viewer-pass-1") as client:
        assert len(client.forms.list(3)) == 1
        error = error_of(lambda: client.forms.list(other))
    assert str(error) == (
        f"ODK Central at {fake.url}: no access to project {other} (the account needs the Project Viewer role)"
        " (HTTP 403, code 403.1: The authenticated actor does not have rights to perform that action.)"
    )
    assert error.kind == ACCESS
    assert error.response.code == "403.1"


def test_unknown_form_and_project(client: OdkCentralClient, fake: FakeOdkCentral) -> None:
    error = error_of(lambda: list(client.submissions.rows(3, "household_survey")))
    assert str(error) == (f"ODK Central at {fake.url}: form `household_survey` not found in project 3"
                          " (HTTP 404, code 404.1: Could not find the resource you were looking for.)")
    assert (error.kind, error.response.code) == (NOT_FOUND, "404.1")
    assert error.response.headers["OData-Version"] == "4.0"
    error = error_of(lambda: client.forms.list(7))
    assert str(error).startswith(f"ODK Central at {fake.url}: project 7 not found (HTTP 404, code 404.1: ")


def test_a_filter_the_server_refuses(client: OdkCentralClient) -> None:
    gte = "__system/submissionDate gte 2020-01-01T00:00:00Z"
    error = error_of(lambda: list(client.submissions.rows(3, FORM, filter=gte)))
    assert error.kind == REJECTED
    assert str(error).endswith(
        "request refused (HTTP 400, code 400.18: The OData filter expression you provided could not be parsed:"
        " Unexpected character at 23)"
    )
    error = error_of(lambda: list(client.submissions.rows(3, FORM, filter="hh_size gt 5")))
    assert "(HTTP 501, code 501.5: " in str(error)


def test_base_url_forms() -> None:
    def normalize_base_url(address: str) -> str:
        return OdkCentralClient(address, "admin@example.org", DEFAULT_PASSWORD).base_url

    assert normalize_base_url("https://central.example.org/") == "https://central.example.org"
    assert normalize_base_url("https://central.example.org/v1/") == "https://central.example.org"
    assert normalize_base_url("http://10.0.0.5:8383/central/v1") == "http://10.0.0.5:8383/central"
    with pytest.raises(ValueError, match="must not contain credentials"):
        normalize_base_url("https://admin:secret@central.example.org")
    with pytest.raises(ValueError):
        normalize_base_url("central.example.org")


def test_next_links_to_another_host_are_followed_on_this_server() -> None:
    """Central writes absolute links with its configured domain; the token stays on our server."""
    with FakeOdkCentral(domain="https://central.example.invalid") as fake, make_client(fake) as client:
        assert len(list(client.submissions.rows(3, FORM, page_size=3))) == 4
        pages = [r.target for r in fake.requests if ".svc" in r.target]
    token = quote(skiptoken({"instanceId": "uuid:3a75adea-9252-45f0-9f7f-5e097697effa"}), safe="")
    feed = "/v1/projects/3/forms/household_mini.svc/Submissions"
    assert pages == [f"{feed}?$top=3&$expand=*", f"{feed}?%24top=3&%24expand=*&%24skiptoken={token}"]


# ---------------------------------------------------------------- secrets

SECRET_PASSWORD = "Sup3r-Secret-Passw0rd!"


def _failures(fake: FakeOdkCentral) -> list[SourceError]:
    """One SourceError from every kind of failure, with a client that holds SECRET_PASSWORD."""
    fake.add_user("dm@example.com", SECRET_PASSWORD, project_roles={3: "viewer"})
    errors = []

    def client() -> OdkCentralClient:
        return make_client(fake, email="dm@example.com", password=SECRET_PASSWORD)

    with client() as odk:
        odk.login()
        fake.faults.add(http_error(401), path=r"/forms$", times=2)
        errors.append(error_of(lambda: odk.forms.list(3)))  # refused after a new login
        errors.append(error_of(lambda: odk.forms.list(9)))  # 404
        errors.append(error_of(lambda: odk.forms.create(3, b"<h:html/>")))  # 403 on a write
        fake.faults.add(http_error(503), path=r"\.svc", times=None)
        errors.append(error_of(lambda: list(odk.submissions.rows(3, FORM))))  # server down
        fake.faults.clear()
    with make_client(fake, email="", password=SECRET_PASSWORD) as odk:
        errors.append(error_of(odk.login))  # Central echoes the credentials in this 400
    fake.sso_enabled = True
    with client() as odk:
        errors.append(error_of(odk.login))
    return errors


def _walk(error: BaseException) -> list[object]:
    """Everything reachable from the error that could end up in a log or a report."""
    seen: list[object] = []
    current: BaseException | None = error
    while current is not None:
        seen += [str(current), repr(current), current.args]
        for attribute in ("request", "response"):
            seen.append(repr(getattr(current, attribute, None)))
        current = current.__cause__ or current.__context__
    return seen


def test_secrets_never_appear_in_errors_or_logs(fake: FakeOdkCentral, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    errors = _failures(fake)
    issued = set(fake.issued_tokens)
    assert len(errors) == 6 and len(issued) == 2
    secrets = [SECRET_PASSWORD, *issued]
    for error in errors:
        text = "\n".join(map(str, _walk(error)))
        for secret in secrets:
            assert secret not in text, f"a secret leaked into {error!r}"
        if error.request is not None and "Authorization" in error.request.headers:
            assert error.request.headers["Authorization"] == "[redacted]"
    assert any(e.request is not None and "Authorization" in e.request.headers for e in errors)
    for secret in secrets:
        assert secret not in caplog.text


def test_a_saved_session_spares_the_next_clients_login(fake: FakeOdkCentral, tmp_path: Path) -> None:
    session = tmp_path / "var" / "session.json"
    with OdkCentralClient(fake.url, "admin@example.com", DEFAULT_PASSWORD, settings=FAST,
                          session_file=session) as first:
        first.forms.list(3)
    assert stat.S_IMODE(session.stat().st_mode) == 0o600
    assert DEFAULT_PASSWORD not in session.read_text(encoding="utf-8")
    with OdkCentralClient(fake.url, "admin@example.com", DEFAULT_PASSWORD, settings=FAST,
                          session_file=session) as second:
        second.forms.list(3)
    assert fake.login_count == 1
    with OdkCentralClient(fake.url, "viewer@example.com", "viewer-pass-1", settings=FAST,
                          session_file=session) as other:  # another account's session is not used
        fake.add_user("viewer@example.com", "viewer-pass-1", project_roles={3: "viewer"})
        other.forms.list(3)
    assert fake.login_count == 2


def test_a_refused_saved_session_leads_to_a_login_that_replaces_it(fake: FakeOdkCentral, tmp_path: Path,
                                                                    caplog: pytest.LogCaptureFixture) -> None:
    session = tmp_path / "session.json"
    with OdkCentralClient(fake.url, "admin@example.com", DEFAULT_PASSWORD, settings=FAST,
                          session_file=session) as first:
        first.forms.list(3)
    old = json.loads(session.read_text(encoding="utf-8"))["token"]
    fake.expire_sessions()
    caplog.set_level(logging.DEBUG)
    with OdkCentralClient(fake.url, "admin@example.com", DEFAULT_PASSWORD, settings=FAST,
                          session_file=session) as second:
        assert len(second.forms.list(3)) == 1
    assert [(r.method, r.target, r.status) for r in list(fake.requests)[-3:]] == [
        ("GET", "/v1/projects/3/forms", 401), ("POST", "/v1/sessions", 200), ("GET", "/v1/projects/3/forms", 200)]
    new = json.loads(session.read_text(encoding="utf-8"))["token"]
    assert new != old and stat.S_IMODE(session.stat().st_mode) == 0o600
    assert old not in caplog.text and new not in caplog.text
