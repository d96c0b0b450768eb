"""A sync that matches more than a page reads the rest in submissionDate windows: all rows once, bounded state."""

from __future__ import annotations

import random
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from connectors.odk_central import sync_submissions
from tests.connectors.conftest import make_client
from tests.connectors.fake_odata_filter import CompiledFilter
from tests.connectors.fake_odk_central import FakeOdkCentral

FORM = "household_mini"


def populate(fake: FakeOdkCentral, count: int, seed: int) -> list[str]:
    """Bursts, quiet days, and several rows in one millisecond: what field campaigns look like."""
    rng = random.Random(seed)
    fake.clock.set("2026-11-24T00:00:00.000Z")
    ids = []
    for n in range(count):
        roll = rng.random()
        fake.clock.advance(0 if roll < 0.15 else 0.001 if roll < 0.3 else 86400 * 3 if roll < 0.32
                           else rng.choice([1, 30, 600]))
        ids.append(fake.add_submission(3, FORM, {"consent": "yes", "province": f"P{n}", "hh_size": n % 9 + 1}))
    return ids


def feed_filters(fake: FakeOdkCentral) -> list[str]:
    return [parse_qs(urlsplit(r.target).query).get("$filter", [""])[0] for r in fake.requests
            if ".svc/Submissions" in r.target]


@pytest.mark.parametrize("page_size, seed", [(4, 1), (7, 2), (25, 3)])
def test_windows_read_every_row_once_newest_first(fake_before_changes: FakeOdkCentral, page_size: int,
                                                  seed: int) -> None:
    fake = fake_before_changes
    populate(fake, 150, seed)
    for instance_id in fake.submission_ids(3, FORM)[10:40:7]:
        fake.delete_submission(3, FORM, instance_id)
    with make_client(fake) as client:
        sync = sync_submissions(client, 3, FORM, page_size=page_size)
        records = list(sync)
    live = [r for r in records if r.deleted_at is None]
    assert [r.instance_id for r in live] == fake.submission_ids(3, FORM)  # all, once, newest first
    assert {r.instance_id for r in records if r.deleted_at} == set(fake.submission_ids(3, FORM, deleted=True))
    # following next links would match ~N rows per page; the windows match about a page per query, plus
    # the first open-ended page of each traversal and a jump over each quiet spell

    with fake._lock:
        form = fake.state.form(3, FORM)
        matched = [sum(1 for s in form.subs if (CompiledFilter(f).mentions_deleted or s.deleted_ms is None)
                       and CompiledFilter(f).matches(s)) if f else len(form.subs) for f in feed_filters(fake)]
    assert sum(matched) < 5 * len(form.subs), matched
    assert len(matched) < 12 * len(form.subs) / page_size + 20


def test_an_incremental_run_after_windows_reads_only_what_changed(fake_before_changes: FakeOdkCentral) -> None:
    fake = fake_before_changes
    populate(fake, 60, seed=4)
    fake.clock.advance(1)  # Central's Date has whole seconds: the run starts after the last row's second
    with make_client(fake) as client:
        first = sync_submissions(client, 3, FORM, page_size=5, overlap=timedelta(0))
        list(first)
        fake.clock.advance(3600)
        old = fake.submission_ids(3, FORM)[-3]
        fake.set_review_state(3, FORM, old, "approved")
        fake.clock.advance(1)
        new = fake.add_submission(3, FORM, {"consent": "yes", "province": "New", "hh_size": 2})
        second = sync_submissions(client, 3, FORM, first.cursor, page_size=5, overlap=timedelta(0))
        assert {r.instance_id for r in second} == {old, new}


def test_rows_sharing_the_millisecond_where_a_page_stops_come_once(fake_before_changes: FakeOdkCentral) -> None:
    fake = fake_before_changes
    fake.clock.set("2026-11-24T00:00:00.000Z")
    same = [fake.add_submission(3, FORM, {"consent": "yes", "province": f"S{n}", "hh_size": 1}) for n in range(9)]
    with make_client(fake) as client:
        sync = sync_submissions(client, 3, FORM, page_size=4)
        ids = [r.instance_id for r in sync if r.deleted_at is None]
    assert sorted(ids) == sorted(set(ids)) and set(same) <= set(ids)
    assert sync.duplicate_count > 0  # the open-ended page's last millisecond, read again by the window


def test_sparse_rows_widen_the_windows_without_running_past_the_calendar(fake_before_changes: FakeOdkCentral) -> None:
    """Deleted rows years apart: the windows grow fourfold while empty, and end in an open-ended query instead of
    reaching back past year 1."""
    fake = fake_before_changes
    fake.clock.set("2026-11-24T00:00:00.000Z")
    ids = []
    for n in range(9):
        fake.clock.advance(86400 * 200)
        ids.append(fake.add_submission(3, FORM, {"consent": "yes", "province": f"P{n}", "hh_size": 1}))
    for instance_id in ids[::4]:
        fake.delete_submission(3, FORM, instance_id)
    with make_client(fake) as client:
        records = list(sync_submissions(client, 3, FORM, page_size=2))
    deleted = set(fake.submission_ids(3, FORM, deleted=True))
    assert {r.instance_id for r in records if r.deleted_at} == deleted and set(ids[::4]) <= deleted
    assert {r.instance_id for r in records if not r.deleted_at} == set(fake.submission_ids(3, FORM))


def test_no_window_reaches_back_before_the_form_was_created(fake_before_changes: FakeOdkCentral) -> None:
    """Nothing can be submitted before the form existed: a window reaching back past its creation is open-ended
    (the last query of the traversal), not one more empty window."""
    fake = fake_before_changes
    populate(fake, 30, seed=5)
    with make_client(fake) as client:
        assert len(list(sync_submissions(client, 3, FORM, page_size=4))) == 35
        created = client.forms.get(3, FORM)["createdAt"]
    lower_ends = re.findall(r"submissionDate%20gt%20([0-9TZ:.-]+)", " ".join(r.target for r in fake.requests))
    assert lower_ends and min(lower_ends) >= created


def test_windows_come_back_full_so_that_few_queries_return_less_than_a_page(
        fake_before_changes: FakeOdkCentral) -> None:
    fake = fake_before_changes  # 5 submissions from 03:47:12, the form created at 03:47:07
    fake.clock.set("2026-11-23T03:48:00.000Z")
    for n in range(195):
        fake.clock.advance(60)
        fake.add_submission(3, FORM, {"consent": "yes", "province": f"P{n}", "hh_size": n % 9 + 1})
    fake.clock.advance(1)
    with make_client(fake) as client:
        records = list(sync_submissions(client, 3, FORM, page_size=20))
    assert len(records) == len({r.instance_id for r in records}) == 200
    filters = feed_filters(fake)
    assert len(filters) <= 11, filters  # 200 rows in pages of 20: nearly every query returns a full page

