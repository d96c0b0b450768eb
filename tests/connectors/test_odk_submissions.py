"""Submissions service: paging by next link, filters, rows → SubmissionRecord."""

from __future__ import annotations

import json

import pytest

from connectors.odk_central import OdkCentralClient, record_from_odata_row
from tests.connectors.fake_odk_central import FIXTURES, FakeOdkCentral

FORM = "household_mini"
EDITED = "uuid:f798ea8b-d657-4700-8c93-827087eff09d"


def feed_targets(fake: FakeOdkCentral) -> list[str]:
    return [r.target for r in fake.requests if ".svc/Submissions" in r.target]


def test_pages_follow_the_next_link_exactly(fake: FakeOdkCentral, client: OdkCentralClient) -> None:
    for number in range(7):
        fake.clock.advance(1)
        fake.add_submission(3, FORM, {"consent": "yes", "province": f"P{number}", "hh_size": number})
    rows = list(client.submissions.rows(3, FORM, page_size=3))
    assert len(rows) == 11
    assert len({row["__id"] for row in rows}) == 11
    dates = [row["__system"]["submissionDate"] for row in rows]
    assert dates == sorted(dates, reverse=True)  # newest first
    targets = feed_targets(fake)
    assert len(targets) == 4
    assert targets[0] == "/v1/projects/3/forms/household_mini.svc/Submissions?$top=3&$expand=*"
    # every later request is the previous page's @odata.nextLink, byte for byte
    bearer = {"Authorization": f"Bearer {fake.issued_tokens[-1]}"}
    for previous, following in zip(targets, targets[1:], strict=False):
        raw = fake.handle("GET", previous, bearer, b"")
        next_link = json.loads(raw.body)["@odata.nextLink"]
        assert next_link == fake.url + following


def test_one_page_at_a_time(fake: FakeOdkCentral, client: OdkCentralClient) -> None:
    rows = client.submissions.rows(3, FORM, page_size=2)
    next(rows)
    assert len(feed_targets(fake)) == 1  # the second page is asked for only when needed
    list(rows)
    assert len(feed_targets(fake)) == 2


def test_repeats_are_inlined_and_absent_without_instances(client: OdkCentralClient) -> None:
    rows = {row["__id"]: row for row in client.submissions.rows(3, FORM)}
    assert len(rows[EDITED]["child"]) == 3
    no_children = rows["uuid:3a75adea-9252-45f0-9f7f-5e097697effa"]
    assert "child" not in no_children and "child@odata.navigationLink" not in no_children


def test_filters_on_system_fields(client: OdkCentralClient) -> None:
    def ids(filter: str) -> set[str]:
        return {row["__id"] for row in client.submissions.rows(3, FORM, filter=filter)}

    assert ids("__system/submissionDate gt 2026-11-23T03:47:10.229Z") == {
        "uuid:7508a483-387b-4328-98ce-6809b5bde3f7", "uuid:996eb553-1911-460c-bfb3-901432c224ff"
    }
    approved = "uuid:3a75adea-9252-45f0-9f7f-5e097697effa"
    assert ids("__system/updatedAt gt 2020-01-01T00:00:00.000Z") == {EDITED, approved}
    assert ids("__system/deletedAt ne null") == {"uuid:4df2b9cb-a77f-4088-a976-c80d4ab54654"}
    assert ids("__system/reviewState eq 'approved' or __system/reviewState eq 'edited'") == {
        EDITED, "uuid:3a75adea-9252-45f0-9f7f-5e097697effa"
    }
    assert ids("__system/updatedAt eq null") == {
        "uuid:7508a483-387b-4328-98ce-6809b5bde3f7", "uuid:996eb553-1911-460c-bfb3-901432c224ff"
    }
    assert ids("not (__system/updatedAt eq null)") == {EDITED, "uuid:3a75adea-9252-45f0-9f7f-5e097697effa"}


def test_live_ids(client: OdkCentralClient, fake: FakeOdkCentral) -> None:
    assert list(client.submissions.ids(3, FORM, page_size=3)) == fake.submission_ids(3, FORM)
    assert "$select=__id" in feed_targets(fake)[0]


def test_record_from_odata_row() -> None:
    document = json.loads((FIXTURES / "odata_submissions_expand_wkt.json").read_text())
    row = next(r for r in document["value"] if r["__id"] == EDITED)
    record = record_from_odata_row(row, 3, FORM)
    assert (record.source, record.project, record.key) == ("odk_central", "3", (FORM, EDITED))
    assert record.current_instance_id == "uuid:6fbcb571-e9cb-4a42-97a8-e7f4c2136adb"
    assert (record.form_version, record.review_state, record.submitter) == ("2026112301", "edited", "admin@example.com")
    assert (record.submitted_at, record.updated_at, record.deleted_at) == (
        "2026-11-23T03:47:07.198Z", "2026-11-23T03:47:27.839Z", None
    )
    assert record.payload is row and record.received is None
    anonymous = {**row, "__system": {**row["__system"], "submitterName": None}}
    assert record_from_odata_row(anonymous, 3, FORM).submitter == "5"
    with pytest.raises(ValueError, match="without __id"):
        record_from_odata_row({"__system": {}}, 3, FORM)
