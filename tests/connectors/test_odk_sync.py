"""Incremental sync: nothing lost across edits, reviews, deletions, late commits and crashes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest

from connectors.errors import UNAVAILABLE, SourceError
from connectors.odk_central import OdkCentralClient, reconcile_ids, submissions, sync_submissions
from connectors.records import SubmissionRecord
from tests.connectors.conftest import make_client
from tests.connectors.fake_faults import http_error, truncated_body
from tests.connectors.fake_odk_central import FIXTURES, FakeOdkCentral

FORM = "household_mini"
S1, S2, S3, S4, S5 = (
    "uuid:f798ea8b-d657-4700-8c93-827087eff09d",
    "uuid:3a75adea-9252-45f0-9f7f-5e097697effa",
    "uuid:4df2b9cb-a77f-4088-a976-c80d4ab54654",
    "uuid:7508a483-387b-4328-98ce-6809b5bde3f7",
    "uuid:996eb553-1911-460c-bfb3-901432c224ff",
)


@pytest.fixture
def before(fake_before_changes: FakeOdkCentral) -> Iterator[tuple[FakeOdkCentral, OdkCentralClient]]:
    with make_client(fake_before_changes) as client:
        yield fake_before_changes, client


def run(client: OdkCentralClient, cursor: dict | None = None, **options) -> tuple[list[SubmissionRecord], dict]:
    sync = sync_submissions(client, 3, FORM, cursor, **options)
    records = list(sync)
    return records, json.loads(json.dumps(sync.cursor))  # the cursor survives JSON


def household(province: str, size: int) -> dict:
    return {"consent": "yes", "province": province, "commune": "Xã A", "hh_size": size}


def test_first_sync_reads_every_live_and_deleted_row(fake: FakeOdkCentral, client: OdkCentralClient) -> None:
    records, cursor = run(client)
    assert [r.instance_id for r in records] == [S5, S4, S3, S2, S1]  # newest first, S3 deleted
    assert [r.deleted_at is not None for r in records] == [False, False, True, False, False]
    assert cursor == {
        "version": 2,
        "project": "3",
        "form_id": FORM,
        "since": "2026-11-23T03:45:00.000Z",  # the run's start (Central's clock: 03:50) minus the overlap
        "deleted_since": "2026-11-23T03:45:00.000Z",
        "reconciled_at": None,
    }
    filters = [r.target.partition("$filter=")[2] for r in fake.requests if ".svc" in r.target]
    assert filters == ["__system/deletedAt%20eq%20null%20or%20__system/deletedAt%20ne%20null"]  # one query
    assert not [r.target for r in fake.requests if "$top" in r.target]  # Central counts the rows of a $top query


def test_an_answer_that_breaks_off_is_taken_up_after_its_last_row(fake: FakeOdkCentral, client: OdkCentralClient,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(submissions, "STREAMED_BATCH", 1)  # each row handed over as soon as it is read
    fake.faults.add(truncated_body(), path=r"\.svc/Submissions", times=1)  # the first answer stops halfway
    records, _ = run(client)
    assert [r.instance_id for r in records] == [S5, S4, S3, S2, S1]
    filters = [r.target.partition("$filter=")[2] for r in fake.requests if ".svc" in r.target]
    last_read = {r.instance_id: r.submitted_at for r in records}[S4]  # the first answer held S5 and S4
    assert filters[1].endswith(f"%20and%20__system/submissionDate%20le%20{last_read}") and len(filters) == 2


def test_an_answer_that_keeps_breaking_without_a_new_row_gives_up(fake: FakeOdkCentral, client: OdkCentralClient,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(submissions, "STREAMED_BATCH", 1)
    fake.faults.add(truncated_body(), path=r"\.svc/Submissions", times=None)  # every answer stops halfway
    sync = sync_submissions(client, 3, FORM)
    read = []
    with pytest.raises(SourceError, match="broke off: connection dropped mid-answer") as caught:
        read.extend(r.instance_id for r in sync)
    assert caught.value.kind == UNAVAILABLE
    assert read == [S5, S4, S3, S2][:len(read)] and read  # newest first, none twice


def test_edits_reviews_and_deletions_between_two_syncs(before: tuple[FakeOdkCentral, OdkCentralClient]) -> None:
    fake, client = before
    records, cursor = run(client, overlap=timedelta(seconds=1))
    assert {r.instance_id for r in records} == {S1, S2, S3, S4, S5}
    assert cursor["since"] == "2026-11-23T03:49:59.000Z"

    fake.clock.set("2026-11-23T05:00:00.000Z")
    fake.submit(3, (FIXTURES / "submission_1_edit.xml").read_bytes())
    fake.clock.advance(1)
    fake.set_review_state(3, FORM, S2, "approved")
    fake.clock.advance(1)
    fake.delete_submission(3, FORM, S3)
    fake.clock.advance(1)
    new = fake.add_submission(3, FORM, household("Điện Biên", 4))

    records, cursor = run(client, cursor, overlap=timedelta(seconds=1))
    live = {r.instance_id: r for r in records if r.deleted_at is None}
    deleted = [r for r in records if r.deleted_at is not None]
    assert set(live) == {new, S1, S2}  # S4 and S5 are untouched and older than the overlap of the last run
    edited = live[S1]
    assert edited.current_instance_id == "uuid:6fbcb571-e9cb-4a42-97a8-e7f4c2136adb"
    assert (edited.review_state, edited.updated_at) == ("edited", "2026-11-23T05:00:00.000Z")
    assert edited.payload["hh_size"] == 6 and len(edited.payload["child"]) == 3
    assert live[S2].review_state == "approved"
    assert [(r.instance_id, r.deleted_at) for r in deleted] == [(S3, "2026-11-23T05:00:02.000Z")]
    # the run's start: Central's Date (05:00:03) less the round trip, in whole seconds; minus the overlap
    assert cursor["since"] == cursor["deleted_since"] == "2026-11-23T05:00:01.000Z"

    records, _ = run(client, cursor, overlap=timedelta(seconds=1))
    assert [r.instance_id for r in records] == [new, S3]  # only what lies within the overlap


def test_a_run_from_a_cursor_sends_one_query_and_reads_the_form_only_when_ids_may_be_compared(
        before: tuple[FakeOdkCentral, OdkCentralClient]) -> None:
    fake, client = before
    stored = Stored()
    records, cursor = run(client, store=stored, overlap=timedelta(seconds=1))
    stored.store(records)
    fake.clock.set("2026-11-23T05:00:00.000Z")
    new = fake.add_submission(3, FORM, household("Sơn La", 2))
    fake.clock.advance(1)
    fake.requests.clear()
    records, cursor = run(client, cursor, overlap=timedelta(seconds=1))
    assert [r.instance_id for r in records] == [new]
    assert [r.target.split("?")[0] for r in fake.requests] == [f"/v1/projects/3/forms/{FORM}.svc/Submissions"]
    assert cursor["since"] == "2026-11-23T04:59:59.000Z"  # Central's Date (05:00:01) less the round trip, less 1 s
    fake.requests.clear()
    run(client, cursor, store=stored, overlap=timedelta(seconds=1))  # never compared: due
    assert [r.target.split("?")[0] for r in fake.requests][:2] == [
        f"/v1/projects/3/forms/{FORM}", f"/v1/projects/3/forms/{FORM}.svc/Submissions"]


def test_the_default_overlap_leaves_old_untouched_rows_out(before: tuple[FakeOdkCentral, OdkCentralClient]) -> None:
    fake, client = before
    fake.clock.set("2026-11-23T04:00:00.000Z")
    _, cursor = run(client)
    fake.clock.set("2026-11-23T05:00:00.000Z")
    new = fake.add_submission(3, FORM, household("Lai Châu", 3))
    records, cursor = run(client, cursor)
    assert {r.instance_id for r in records} == {new}  # the rest was older than 5 min before the last run
    fake.clock.set("2026-11-23T06:00:00.000Z")
    fake.set_review_state(3, FORM, S4, "hasIssues")
    records, _ = run(client, cursor)
    assert {r.instance_id for r in records} == {new, S4}  # new: within the overlap of 05:00


def test_rows_sharing_the_watermark_millisecond_are_not_lost(before: tuple[FakeOdkCentral, OdkCentralClient]) -> None:
    """A row committed late with the same millisecond as the watermark: a strict `gt W` misses it."""
    fake, client = before
    fake.clock.set("2026-11-23T05:00:00.000Z")
    first = fake.add_submission(3, FORM, household("A", 1))
    _, no_overlap = run(client, overlap=timedelta(0))
    _, cursor = run(client)
    late = fake.add_submission(3, FORM, household("B", 2))  # same millisecond, visible only now
    without_overlap, _ = run(client, no_overlap)
    assert late not in {r.instance_id for r in without_overlap}
    with_overlap, _ = run(client, cursor)
    assert {first, late} <= {r.instance_id for r in with_overlap}


def test_the_cursor_exists_only_after_the_whole_run(fake: FakeOdkCentral, client: OdkCentralClient) -> None:
    sync = sync_submissions(client, 3, FORM, page_size=2)
    records = iter(sync)
    next(records)
    with pytest.raises(RuntimeError, match="only after every record"):
        _ = sync.cursor
    list(records)
    assert sync.cursor["since"] == "2026-11-23T03:45:00.000Z"
    with pytest.raises(RuntimeError, match="only once"):
        iter(sync)


def test_a_run_that_fails_midway_is_redone_from_the_old_cursor(before: tuple[FakeOdkCentral, OdkCentralClient]) -> None:
    fake, client = before
    _, cursor = run(client)
    fake.clock.set("2026-11-23T05:00:00.000Z")
    added = []
    for number in range(5):
        fake.clock.advance(1)
        added.append(fake.add_submission(3, FORM, household(f"P{number}", number)))
    fake.faults.add(http_error(503), path=r"\.svc", after=1, times=None)  # page 2 never comes
    sync = sync_submissions(client, 3, FORM, cursor, page_size=2)
    stored = []
    with pytest.raises(SourceError, match="server down"):
        for record in sync:
            stored.append(record.instance_id)
    assert stored == added[::-1][:2]  # the two newest: the watermark must not move past the rest
    with pytest.raises(RuntimeError):
        _ = sync.cursor
    fake.faults.clear()
    records, _ = run(client, cursor, page_size=2)
    assert set(added) <= {r.instance_id for r in records}


def test_rows_arriving_during_a_run_come_with_the_next_run(fake: FakeOdkCentral, client: OdkCentralClient) -> None:
    fake.clock.set("2026-11-23T05:00:00.000Z")
    sync = sync_submissions(client, 3, FORM, page_size=2)
    records = iter(sync)
    seen = [next(records).instance_id]
    fake.clock.advance(1)
    arrived = fake.add_submission(3, FORM, household("C", 5))
    seen += [r.instance_id for r in records]
    assert arrived not in seen
    records_next, _ = run(client, sync.cursor)
    assert arrived in {r.instance_id for r in records_next}


def test_a_submission_deleted_during_a_run_is_deleted_by_the_next(fake: FakeOdkCentral,
                                                                   client: OdkCentralClient) -> None:
    sync = sync_submissions(client, 3, FORM)
    records = iter(sync)
    first = next(records)
    fake.clock.set("2026-11-23T05:00:00.000Z")
    fake.delete_submission(3, FORM, first.instance_id)
    assert first.instance_id not in {r.instance_id for r in records}  # the run's query was answered before
    later, _ = run(client, sync.cursor)
    assert {r.instance_id: r.deleted_at for r in later}[first.instance_id] == "2026-11-23T05:00:00.000Z"


def test_a_cursor_of_another_form_is_refused(client: OdkCentralClient) -> None:
    _, cursor = run(client)
    with pytest.raises(ValueError, match="belongs to form 'household_mini' of project '3'"):
        sync_submissions(client, 3, "other_form", cursor)
    with pytest.raises(ValueError, match="version"):
        sync_submissions(client, 3, FORM, {**cursor, "version": 99})


def test_a_version_1_cursor_goes_on_from_its_watermarks_minus_the_overlap(
        before: tuple[FakeOdkCentral, OdkCentralClient]) -> None:
    fake, client = before
    old = {"version": 1, "project": "3", "form_id": FORM, "watermark": "2026-11-23T03:47:12.000Z",
           "deleted_watermark": "2026-11-23T03:47:12.000Z"}
    records, cursor = run(client, old, overlap=timedelta(seconds=1))
    assert {r.instance_id for r in records} == {S3, S4, S5}  # submitted after 03:47:11
    assert (cursor["version"], cursor["since"]) == (2, "2026-11-23T03:49:58.000Z")  # (Date less the round trip)


def test_reconcile_ids_finds_deleted_purged_and_missing(fake: FakeOdkCentral, client: OdkCentralClient) -> None:
    fake.clock.set("2026-11-23T05:00:00.000Z")
    fake.purge_submission(3, FORM, S5)
    result = reconcile_ids(client, 3, FORM, [S1, S2, S3, S5], page_size=2)
    assert result.live == 3
    assert result.gone == {S3, S5}  # S3 soft-deleted, S5 purged
    assert result.missing == {S4}
    fake.restore_submission(3, FORM, S3)
    assert reconcile_ids(client, 3, FORM, [S1, S2, S4]).missing == {S3}  # a restore moves no watermark


class Stored:
    """What a warehouse stored: the last record of each submission."""

    def __init__(self) -> None:
        self.rows: dict[str, SubmissionRecord] = {}

    def store(self, records: list[SubmissionRecord]) -> list[SubmissionRecord]:
        self.rows.update((r.instance_id, r) for r in records)
        return records

    def live_instance_ids(self) -> list[str]:
        return [i for i, r in self.rows.items() if r.deleted_at is None]

    def records(self, instance_ids: list[str]) -> list[SubmissionRecord]:
        return [self.rows[i] for i in instance_ids]


def test_purges_and_restores_are_reconciled_when_due(before: tuple[FakeOdkCentral, OdkCentralClient]) -> None:
    fake, client = before
    stored = Stored()
    options = {"store": stored, "overlap": timedelta(seconds=1)}
    records, cursor = run(client, **options)
    assert cursor["reconciled_at"] is None  # a first run reads everything, compares nothing
    stored.store(records)
    fake.clock.set("2026-11-23T04:00:00.000Z")
    records, cursor = run(client, cursor, **options)
    assert (records, cursor["reconciled_at"]) == ([], "2026-11-23T04:00:00.000Z")  # compared: nothing differs
    fake.clock.set("2026-11-23T05:00:00.000Z")
    fake.delete_submission(3, FORM, S4)
    records, cursor = run(client, cursor, **options)
    assert [r.instance_id for r in stored.store(records)] == [S4]  # seen by its deletedAt
    fake.clock.set("2026-11-23T05:30:00.000Z")
    fake.restore_submission(3, FORM, S4)
    fake.delete_submission(3, FORM, S3)
    fake.purge_submission(3, FORM, S3)
    assert run(client, cursor, **options)[0] == []  # neither moves a timestamp; the last comparison: 04:00
    records, cursor = run(client, cursor, **options, reconcile=True)
    assert [(r.instance_id, r.deleted_at) for r in stored.store(records)] == [
        (S4, None), (S3, "2026-11-23T05:30:00.000Z")]
    fake.clock.set("2026-11-24T05:30:00.000Z")
    fake.delete_submission(3, FORM, S5)
    fake.purge_submission(3, FORM, S5)
    records, _ = run(client, cursor, **options)  # a day later: due
    assert [(r.instance_id, r.deleted_at) for r in records] == [(S5, "2026-11-24T05:30:00.000Z")]
