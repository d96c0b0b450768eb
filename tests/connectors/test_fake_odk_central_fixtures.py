"""The fake ODK Central answers the recorded requests the way the real server did.

Each sidecar (``*.meta.json``) in shared/fixtures/odk-central holds a request exactly as sent
and the real answer. Replayed against the seeded fake: same status, same header names in the
same order, same bodies byte for byte (so same key order), same Express ETags, and eventhash
ETags that correspond one to one (the hash input of the real server is not reproducible, the
grouping is: same selected submissions, same ETag).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests.connectors.fake_odk_central import (
    DEFAULT_PASSWORD,
    FIXTURES,
    RECORDED_DOMAIN,
    RECORDED_USER_AGENT,
    FakeOdkCentral,
)

SIDECARS = {path.name.removesuffix(".meta.json"): json.loads(path.read_text()) for path in FIXTURES.glob("*.meta.json")}
NOT_REPLAYED = {
    "odata_metadata": "the fake does not render the EDMX $metadata document",
    "etag_metadata_if_none_match": "the fake does not render the EDMX $metadata document",
    "odata_submissions_expand_before_changes": "recorded before the changes: see test_before_changes",
    "etag_forms_list_if_none_match": "recorded after a draft was made and deleted: test_forms_list_etag_after_draft",
}
AFTER_CHANGES_GETS = sorted(
    name for name, meta in SIDECARS.items() if meta["request"]["method"] == "GET" and name not in NOT_REPLAYED
)
# 200s first: they teach the ETag correspondence the If-None-Match requests need.
AFTER_CHANGES_GETS.sort(key=lambda name: SIDECARS[name]["response"]["status"] == 304)


def recorded_body(meta: dict[str, Any]) -> bytes:
    name = meta["response"].get("body_file")
    if name is None:
        return b""
    raw = (FIXTURES / name).read_bytes()
    if name.endswith(".json"):
        return json.dumps(json.loads(raw), ensure_ascii=False, separators=(",", ":")).encode()
    return raw


class EtagMap:
    """Recorded eventhash ETags ↔ the fake's, required to be one to one."""

    def __init__(self) -> None:
        self.forward: dict[str, str] = {}

    @staticmethod
    def opaque(etag: str) -> str:
        return etag.removeprefix("W/")

    def learn(self, recorded: str, fake: str) -> None:
        recorded, fake = self.opaque(recorded), self.opaque(fake)
        assert self.forward.setdefault(recorded, fake) == fake, f"{recorded} answered as two different ETags"
        assert list(self.forward.values()).count(fake) == 1, f"two recorded ETags became {fake}"

    def translate(self, header: str) -> str:
        for recorded, fake in self.forward.items():
            header = header.replace(recorded, fake)
        return header


def replay(fake: FakeOdkCentral, token: str, meta: dict[str, Any], etags: EtagMap) -> requests.Response:
    request = meta["request"]
    headers = dict(request["headers"])
    if headers.get("Authorization") == "Bearer REDACTED-TOKEN":
        headers["Authorization"] = f"Bearer {token}"
    if "If-None-Match" in headers:
        headers["If-None-Match"] = etags.translate(headers["If-None-Match"])
    body = request.get("body")
    if body is not None and body.get("password") == "REDACTED-PASSWORD":
        body = {**body, "password": DEFAULT_PASSWORD}
    data = json.dumps(body).encode() if body is not None else None
    if "body_file" in request:
        data = (FIXTURES / request["body_file"]).read_bytes()
    return requests.request(request["method"], fake.url + request["url"], headers=headers, data=data, timeout=10)


def check(response: requests.Response, meta: dict[str, Any], etags: EtagMap, *, ignore: tuple[str, ...] = ()) -> None:
    expected = meta["response"]
    assert response.status_code == expected["status"]
    recorded_names = [name for name, _ in expected["headers"]]
    assert [name for name, _ in response.raw.headers.items()] == recorded_names
    recorded = dict(expected["headers"])
    for name in ("Content-Type", "OData-Version", "Cache-Control", "Vary", "Transfer-Encoding", "Content-Length"):
        if name in recorded and name not in ignore:
            assert response.headers[name] == recorded[name], name
    if "body_file" in expected and "body" not in ignore:
        assert response.content == recorded_body(meta)
    if "ETag" in recorded and "etag" not in ignore:
        if "eventhash:" in recorded["ETag"]:
            assert response.headers["ETag"].startswith('W/"eventhash:')
            etags.learn(recorded["ETag"], response.headers["ETag"])
        else:
            assert response.headers["ETag"] == recorded["ETag"]


def login(fake: FakeOdkCentral) -> str:
    answer = requests.post(f"{fake.url}/v1/sessions", json={"email": "admin@example.com", "password": DEFAULT_PASSWORD})
    return answer.json()["token"]


@pytest.fixture(scope="module")
def recorded_fake() -> Iterator[tuple[FakeOdkCentral, str, EtagMap]]:
    with FakeOdkCentral(domain=RECORDED_DOMAIN) as fake:
        yield fake, login(fake), EtagMap()


@pytest.mark.parametrize("name", AFTER_CHANGES_GETS)
def test_recorded_get(recorded_fake: tuple[FakeOdkCentral, str, EtagMap], name: str) -> None:
    fake, token, etags = recorded_fake
    meta = SIDECARS[name]
    check(replay(fake, token, meta, etags), meta, etags)


def test_before_changes() -> None:
    with FakeOdkCentral(seed="recorded_before_changes", domain=RECORDED_DOMAIN) as fake:
        meta = SIDECARS["odata_submissions_expand_before_changes"]
        check(replay(fake, login(fake), meta, EtagMap()), meta, EtagMap())


def test_eventhash_groups_match_the_recording(recorded_fake: tuple[FakeOdkCentral, str, EtagMap]) -> None:
    """Four distinct selections were recorded; the fake tells them apart the same way."""
    fake, token, etags = recorded_fake
    for name in AFTER_CHANGES_GETS:
        if SIDECARS[name]["response"]["status"] == 200:
            check(replay(fake, token, SIDECARS[name], etags), SIDECARS[name], etags)
    assert len(etags.forward) == 4  # all live rows; rows 5+4 (page 1); rows 2+1 (page 2); the deleted row
    assert len(set(etags.forward.values())) == len(etags.forward)


def test_forms_list_etag_after_draft() -> None:
    """Making and deleting a draft moves the form's updatedAt; the recorded ETag then matches."""
    with FakeOdkCentral(domain=RECORDED_DOMAIN) as fake:
        token, etags = login(fake), EtagMap()
        fake.clock.set("2026-11-23T03:48:31.304Z")
        for name in ("form_draft_create_from_published", "error_publish_existing_version",
                     "error_publish_existing_version_implicit", "form_draft_delete", "etag_forms_list_if_none_match"):
            check(replay(fake, token, SIDECARS[name], etags), SIDECARS[name], etags)


def test_login_and_wrong_password() -> None:
    with FakeOdkCentral(domain=RECORDED_DOMAIN) as fake:
        fake.clock.set("2026-11-23T03:47:07.151Z")
        meta = SIDECARS["auth_session_create"]
        answer = replay(fake, "", meta, EtagMap())
        check(answer, meta, EtagMap(), ignore=("body", "etag", "Content-Length"))
        body = answer.json()
        assert list(body) == ["token", "csrf", "expiresAt", "createdAt"]
        assert (body["createdAt"], body["expiresAt"]) == ("2026-11-23T03:47:07.151Z", "2026-11-24T03:47:07.151Z")
        assert answer.headers["Set-Cookie"].startswith("session=")
        meta = SIDECARS["error_session_wrong_password"]
        check(replay(fake, "", meta, EtagMap()), meta, EtagMap())


def test_form_create_publish() -> None:
    with FakeOdkCentral(seed=None, domain=RECORDED_DOMAIN) as fake:
        fake.create_project("fixtures", project_id=3)
        fake.clock.set("2026-11-23T03:47:07.176Z")
        meta = SIDECARS["form_create_publish"]
        check(replay(fake, login(fake), meta, EtagMap()), meta, EtagMap())


def test_review_delete_and_openrosa_answers() -> None:
    """Replaying the recorded writes on the first state gives the recorded bodies and the after state."""
    with FakeOdkCentral(seed="recorded_before_changes", domain=RECORDED_DOMAIN) as fake:
        token, etags = login(fake), EtagMap()
        steps = [
            ("2026-11-23T03:47:27.839Z", "openrosa_submission_edit"),
            ("2026-11-23T03:47:28.854Z", "submission_review_approve"),
            ("2026-11-23T03:47:29.861Z", "submission_delete"),
            ("2026-11-23T03:47:30.000Z", "openrosa_submission_duplicate_identical"),
            ("2026-11-23T03:47:30.000Z", "openrosa_submission_duplicate_conflict"),
            ("2026-11-23T03:47:30.000Z", "openrosa_submission_resubmit_deleted"),
        ]
        for moment, name in steps:
            fake.clock.set(moment)
            check(openrosa_or_rest(fake, token, SIDECARS[name], etags), SIDECARS[name], etags)
        meta = SIDECARS["odata_submissions_expand_wkt"]
        check(replay(fake, token, meta, etags), meta, etags)


def openrosa_or_rest(fake: FakeOdkCentral, token: str, meta: dict[str, Any], etags: EtagMap) -> requests.Response:
    request = meta["request"]
    if request["url"] != "/v1/projects/3/submission":
        return replay(fake, token, meta, etags)
    xml = (FIXTURES / request["body_file"]).read_bytes()
    return requests.post(
        fake.url + request["url"],
        headers={"Authorization": f"Bearer {token}", "X-OpenRosa-Version": "1.0", "User-Agent": RECORDED_USER_AGENT},
        files={"xml_submission_file": ("submission.xml", xml, "text/xml")},
        timeout=10,
    )
