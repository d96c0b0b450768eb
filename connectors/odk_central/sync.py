"""Incremental sync of one form that loses nothing, and a reconciliation of submission ids.

Cursor (a JSON-serializable dict; persist it only after every record of the run is stored)::

    {"version": 2, "project": "3", "form_id": "household_mini",
     "since": "2026-11-23T03:45:00.000Z",          # every live change up to this moment was read
     "deleted_since": "2026-11-23T03:45:00.000Z",  # every deletion up to this moment was read
     "reconciled_at": "2026-11-23T03:50:00.000Z"}  # start of the last id reconciliation (None: never)

A run reads, in one query, the live rows with ``__system/submissionDate gt since or __system/updatedAt gt since``
and the rows with ``__system/deletedAt gt deleted_since``; without a cursor every live row and every deleted row.
Central stamps a change when it receives it, but it becomes visible only when its transaction commits: a change
stamped before the run's start T (Central's clock: the ``Date`` of the form's answer, read first by a first run
and by one that compares ids; else of the changes query's own answer less its round trip; or this machine's clock
if earlier) may still be invisible, one stamped before T − overlap is assumed visible. So the new cursor moves to
T − overlap (never back): what a run reads again is what arrived within the overlap before it started, never a
burst forever. Rows come newest first, so the new cursor exists only once the traversal is complete. (Version 1
cursors kept the newest stamp seen and subtracted the overlap at the next run: a burst within the overlap of the
newest submission was read again by every run until a newer one came.)

Deleted submissions are purged after 30 days and a restore moves no stamp, so neither is seen by those
queries: with the caller's store, a run from a cursor also compares the ids it stored as live with the
server's live ids (``$select=__id``) when that is due (``reconcile_every`` since the last one, or forced): a
restored or missing submission is read again, a deleted one is read with its ``deletedAt``, and a purged one
is yielded as the stored record marked deleted at T. (A first run reads everything and compares nothing.)

By default the run is one query without ``$top``, its answer read as it arrives (memory bounded by a read, not
the document): Central then computes no counts, and reads each row once, as for a single document. An answer that
breaks off is taken up again after the last row read (rows come newest first: ``submissionDate le T``, less the
rows of T already read).

With a page size, Central's cost of a page grows with every row its query matches, not only with the page (see
``bench/costmodel.py``): following ``@odata.nextLink`` through N matching rows in pages of s costs (N/s)·N,
quadratic. So each query is read for one page only, and the next query starts where that page stopped: a full page
ends at its oldest ``submissionDate`` T, and the rest is asked for in a time window ``… and submissionDate le T
and submissionDate gt L`` sized, from the density just seen, to hold a little more than a page (so that it comes
back full); a window that is not full is exhausted, and the next one starts at its lower end, wider or narrower as
the last one was empty or crowded. After a few empty windows an open-ended query (``le T`` only) jumps the gap,
and ends the traversal when it comes back short; so does a window reaching back before the form was created
(nothing can be older). Every query thus matches about one page of rows (linear in N), every row has one
``submissionDate``, so nothing is missed, and only the rows sharing T with the end of the previous page are seen
twice: they are skipped, and they are the only de-duplication state, bounded by a page. Memory is bounded by the
page size, whatever the form's history.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from connectors.odk_central.forms import form_path
from connectors.odk_central.rows import record_from_odata_row
from connectors.odk_central.submissions import BrokenAnswer
from connectors.records import SubmissionRecord, utc_stamp
from connectors.sync import RECONCILE_EVERY, IncrementalSync, StoredSubmissions

if TYPE_CHECKING:
    from connectors.odk_central.client import OdkCentralClient

log = logging.getLogger(__name__)

CURSOR_VERSION = 2
DEFAULT_OVERLAP = timedelta(minutes=5)
ID_BATCH = 100  # ids per `__id eq … or …` query: keeps the URL short
WINDOW_FILL = 1.2  # a window aims at this many pages: most come back full, so few queries return less than a page
EMPTY_WINDOWS_BEFORE_JUMP = 6  # empty windows, each 4× wider, before an open-ended query jumps the gap
_SUBMITTED = "__system/submissionDate"
_EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)  # before ODK Central: a window reaching it is open-ended


class SubmissionSync(IncrementalSync):
    """One incremental read of a form: iterate it once, then take :attr:`cursor`.

    Yields what the id reconciliation found (when due, with a ``store``), then the changed rows: live ones
    (new, edited, reviewed) and soft-deleted ones (``deleted_at`` set), newest first. The changes yield a
    submission once; one found by the reconciliation can come again among them: upsert in order and the
    last wins. ``reconciled`` tells, once the run is done, whether it compared ids.
    """

    def __init__(
        self,
        client: OdkCentralClient,
        project_id: int | str,
        form_id: str,
        cursor: dict[str, Any] | None = None,
        *,
        overlap: timedelta = DEFAULT_OVERLAP,
        page_size: int | None = None,
        store: StoredSubmissions | None = None,
        reconcile_every: timedelta = RECONCILE_EVERY,
        reconcile: bool = False,
    ) -> None:
        if overlap < timedelta(0) or reconcile_every < timedelta(0):
            raise ValueError("overlap and reconcile_every must not be negative")
        self._client = client
        self.project = str(project_id)
        self.form_id = form_id
        self._overlap = overlap
        self._page_size = page_size
        self._store = store
        self._reconcile_every = reconcile_every
        self._force = reconcile
        self._since, self._deleted_since, self._reconciled_at = _read_cursor(cursor, self.project, form_id, overlap)
        self.live_count = 0
        self.deleted_count = 0
        self.duplicate_count = 0
        self.restored_count = 0
        self.purged_count = 0
        self._earliest: datetime | None = None  # the form's creation (None: not read yet)
        self._answered: datetime | None = None  # Central's clock at the first request of the changes query

    def _run(self) -> Iterator[SubmissionRecord]:
        started = self._start()
        self.reconciled = started is not None and self._since is not None and self.reconciliation_due(started)
        if self.reconciled:
            yield from self._reconcile(utc_stamp(started))
        for record in self._query(self._changes()):
            if record.deleted_at is None:
                self.live_count += 1
            else:
                self.deleted_count += 1
            yield record

        started = started or self._answered
        visible = utc_stamp(started - self._overlap)  # every change stamped up to here was visible at the start
        self._new_cursor = {
            "version": CURSOR_VERSION,
            "project": self.project,
            "form_id": self.form_id,
            "since": _latest(self._since, visible),
            "deleted_since": _latest(self._deleted_since, visible),
            "reconciled_at": utc_stamp(started) if self.reconciled else self._reconciled_at,
        }
        log.info(
            "%s: form %s of project %s synced: %d live, %d deleted, %d duplicates skipped%s",
            self._client.label, self.form_id, self.project, self.live_count, self.deleted_count, self.duplicate_count,
            f"; ids reconciled: {self.restored_count} read again, {self.purged_count} purged"
            if self.reconciled else "",
        )

    def _start(self) -> datetime | None:
        """Central's clock at the start, from the form's ``GET``, made by a first run and by a run whose id
        comparison may be due (on this machine's clock; Central's decides, so a clock behind Central's delays
        it by as much); other runs take the clock from the changes query's answer (None here) and read the
        form only if a window needs its creation time."""
        if self._since is not None and not self.reconciliation_due(datetime.now(UTC)):
            return None
        path = self._client.api_url(form_path(self.project, self.form_id))
        form, started = self._client.request_timed("GET", path)
        self._read_created(form)
        return started

    def _read_created(self, form: Any) -> None:
        created = form.get("createdAt") if isinstance(form, dict) else None
        self._earliest = _parse(created) if created else _EARLIEST  # nothing was submitted before the form

    def _created(self) -> datetime:
        """The form's creation time, read from the form the first time a window needs it."""
        if self._earliest is None:
            self._read_created(self._client.get(form_path(self.project, self.form_id)))
        return self._earliest

    def _changes(self) -> str:
        """One filter for the live rows changed since the cursor and the rows deleted since it (mentioning
        ``deletedAt`` makes Central show deleted rows); without a cursor, every row."""
        deleted = "__system/deletedAt ne null"
        if self._deleted_since is not None:
            deleted = f"__system/deletedAt gt {self._deleted_since}"
        if self._since is None:
            return f"__system/deletedAt eq null or {deleted}"
        since = self._since
        return (f"(__system/deletedAt eq null and (__system/submissionDate gt {since}"
                f" or __system/updatedAt gt {since})) or {deleted}")

    def _reconcile(self, now: str) -> Iterator[SubmissionRecord]:
        """The stored live ids against the server's: read again what the store lacks (restored), read the
        deleted ones the store holds as live, mark the purged ones deleted at ``now``."""
        found = reconcile_ids(self._client, self.project, self.form_id, self._store.live_instance_ids(),
                              page_size=None)
        for record in self._by_id(sorted(found.missing), None):
            self.restored_count += 1
            yield record
        purged = set(found.gone)
        for record in self._by_id(sorted(found.gone), "__system/deletedAt ne null"):
            purged.discard(record.instance_id)
            yield record
        ids = sorted(purged)
        for start in range(0, len(ids), ID_BATCH):
            for record in self._store.records(ids[start:start + ID_BATCH]):
                self.purged_count += 1
                system = {**(record.payload.get("__system") or {}), "deletedAt": now}
                yield record._replace(deleted_at=now, payload={**record.payload, "__system": system})

    def _by_id(self, ids: Sequence[str], filter: str | None) -> Iterator[SubmissionRecord]:
        for start in range(0, len(ids), ID_BATCH):
            wanted = " or ".join(f"__id eq {_literal(i)}" for i in ids[start:start + ID_BATCH])
            yield from self._records(self._pages(_and(filter, wanted), page_size=ID_BATCH))  # read whole

    def _query(self, filter: str | None) -> Iterator[SubmissionRecord]:
        """Every row ``filter`` selects, newest first, one page per query (module docstring).

        The next query depends only on the page just read, so it is sent (in a thread) before this page's
        records are handed over: the server works on it while the caller stores them.
        """
        size = self._page_size
        if size is None:
            yield from self._streamed(filter)
            return
        upper: str | None = None  # every row submitted after `upper` is read; at `upper`, those in `boundary`
        lower: str | None = None  # the window's exclusive lower end; None: open-ended
        boundary: frozenset[str] = frozenset()
        width, empty = timedelta(0), 0
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="odk-next-page") as ahead:
            pending: Future | None = ahead.submit(self._first_page, filter, upper, lower, self._answer_clock)
            while pending is not None:
                page, skip, millisecond = pending.result(), boundary, None
                if len(page) < size:  # nothing more in (lower, upper]
                    if lower is None:
                        pending = None  # nothing older is left
                    else:
                        upper, boundary = lower, frozenset()
                        empty = 0 if page else empty + 1
                        width *= min(4.0, WINDOW_FILL * size / len(page)) if page else 4
                else:
                    newest, oldest = _submitted(page[0]), _submitted(page[-1])
                    seen = frozenset(r["__id"] for r in page if _submitted(r) == oldest)
                    boundary = seen | boundary if oldest == upper else seen
                    upper, empty = oldest, 0
                    if newest == oldest:  # a whole page in one millisecond: page through that millisecond
                        millisecond, boundary = (oldest, boundary), frozenset()
                        upper = utc_stamp(_parse(oldest) - timedelta(milliseconds=1))
                    width = max((_parse(newest) - _parse(oldest)) * (WINDOW_FILL * size / len(page)),
                                timedelta(milliseconds=1))
                if pending is not None:
                    lower = None if empty >= EMPTY_WINDOWS_BEFORE_JUMP else _lower_end(upper, width, self._created())
                    pending = None if millisecond else ahead.submit(self._first_page, filter, upper, lower)
                yield from self._records([page], skip=skip)
                if millisecond:  # (one client, one request at a time: read it before asking for the next page)
                    at, skip = millisecond
                    yield from self._records(self._pages(_and(filter, f"{_SUBMITTED} le {at}",
                                                              f"{_SUBMITTED} gt {upper}")), skip=skip)
                    pending = ahead.submit(self._first_page, filter, upper, lower)

    def _streamed(self, filter: str | None) -> Iterator[SubmissionRecord]:
        """Every row ``filter`` selects, newest first, in one query whose answer is read as it arrives. One that
        breaks off is taken up again where it broke: the rows submitted at or before the last one read, less
        those of that millisecond already read; after ``max_tries`` breaks with no row read between them, the
        error is raised."""
        upper: str | None = None
        boundary: frozenset[str] = frozenset()
        clock, breaks = self._answer_clock, 0
        settings = self._client.http.settings
        while True:
            oldest, at_oldest = upper, set(boundary)  # the oldest submissionDate read, and the ids read at it
            try:
                for record in self._records(self._pages(_and(filter, upper and f"{_SUBMITTED} le {upper}"),
                                                        clock=clock), skip=boundary):
                    if record.submitted_at != oldest:
                        oldest, at_oldest = record.submitted_at, set()
                    at_oldest.add(record.instance_id)
                    breaks = 0
                    yield record
                return
            except BrokenAnswer as broken:
                breaks += 1
                if breaks >= settings.max_tries:
                    raise
                log.warning("%s; reading on from the rows submitted at %s or before (%d/%d)",
                            broken, oldest or "the newest", breaks + 1, settings.max_tries)
                time.sleep(settings.backoff(breaks + 1))
                upper, boundary, clock = oldest, frozenset(at_oldest), None

    def _first_page(self, filter: str | None, upper: str | None, lower: str | None,
                    clock: Callable[[datetime], None] | None = None) -> list[dict[str, Any]]:
        """The first page of ``filter`` among rows submitted in (``lower``, ``upper``] (open ends: ``None``)."""
        pages = self._pages(_and(filter, upper and f"{_SUBMITTED} le {upper}", lower and f"{_SUBMITTED} gt {lower}"),
                            clock=clock)
        try:
            return next(pages, [])
        finally:
            pages.close()

    def _answer_clock(self, moment: datetime) -> None:
        """Keeps Central's clock at the changes query's first request, for a run that did not read the form."""
        if self._answered is None:
            self._answered = moment

    def _pages(self, filter: str | None, clock: Callable[[datetime], None] | None = None, *,
               page_size: int | None = None) -> Iterator[list[dict[str, Any]]]:
        """The pages of ``filter`` (of ``page_size`` rows, else of the sync's page size)."""
        return self._client.submissions.pages(self.project, self.form_id, filter=filter,
                                              page_size=page_size or self._page_size, clock=clock)

    def _records(self, pages: Iterable[Sequence[dict[str, Any]]], *, skip: frozenset[str] = frozenset()
                 ) -> Iterator[SubmissionRecord]:
        for page in pages:
            for row in page:
                record = record_from_odata_row(row, self.project, self.form_id)
                if record.instance_id in skip:
                    self.duplicate_count += 1
                    continue
                yield record


sync_submissions = SubmissionSync  # (client, project_id, form_id, cursor or None for everything, **options)


@dataclass(frozen=True)
class IdReconciliation:
    """Stored ids against the server's live ids."""

    live: int  # live submissions on the server
    gone: frozenset[str]  # stored as live, not live on the server: deleted or purged
    missing: frozenset[str]  # live on the server, not stored: fetch them (e.g. restored)


def reconcile_ids(
    client: OdkCentralClient,
    project_id: int | str,
    form_id: str,
    stored_live_ids: Iterable[str],
    *,
    page_size: int | None = None,
) -> IdReconciliation:
    """Compare the ids stored as live with all live ids on the server (``$select=__id``).

    Deleted rows are purged after 30 days and restores move no timestamp, so only a full id comparison sees
    them: :class:`SubmissionSync` runs it when due, with the caller's store.
    """
    tries = client.http.settings.max_tries
    for attempt in range(1, tries + 1):
        try:
            live = set(client.submissions.ids(project_id, form_id, page_size=page_size))
            break
        except BrokenAnswer as broken:  # an answer read as it arrived: read it all again
            if attempt == tries:
                raise
            log.warning("%s; reading the ids again (%d/%d)", broken, attempt + 1, tries)
    stored = set(stored_live_ids)
    return IdReconciliation(live=len(live), gone=frozenset(stored - live), missing=frozenset(live - stored))


def _read_cursor(cursor: dict[str, Any] | None, project: str, form_id: str,
                 overlap: timedelta) -> tuple[str | None, str | None, str | None]:
    """(since, deleted_since, reconciled_at) of a cursor; a version 1 cursor's watermarks minus ``overlap``."""
    if cursor is None:
        return None, None, None
    if cursor.get("version") not in (1, CURSOR_VERSION):
        raise ValueError(f"unknown sync cursor version {cursor.get('version')!r}")
    if (str(cursor.get("project")), cursor.get("form_id")) != (project, form_id):
        raise ValueError(
            f"the cursor belongs to form {cursor.get('form_id')!r} of project {cursor.get('project')!r},"
            f" not to form {form_id!r} of project {project!r}"
        )
    if cursor["version"] == 1:
        since, deleted = (None if cursor.get(key) is None else utc_stamp(_parse(cursor[key]) - overlap)
                          for key in ("watermark", "deleted_watermark"))
        return since, deleted, None
    since, deleted, reconciled = cursor.get("since"), cursor.get("deleted_since"), cursor.get("reconciled_at")
    for value in (since, deleted, reconciled):
        if value is not None:
            _parse(value)
    return since, deleted, reconciled


def _parse(timestamp: str) -> datetime:
    parsed = datetime.fromisoformat(timestamp)
    if parsed.tzinfo is None:
        raise ValueError(f"timestamp without a time zone: {timestamp!r}")
    return parsed


def _and(*filters: str | None) -> str | None:
    """The conjunction of the given filters (``None`` ones left out), each in parentheses when needed."""
    present = [f for f in filters if f]
    if len(present) <= 1:
        return present[0] if present else None
    return " and ".join(f"({f})" if " or " in f else f for f in present)


def _literal(text: str) -> str:
    """An OData string literal."""
    return "'" + text.replace("'", "''") + "'"


def _lower_end(upper: str, width: timedelta, earliest: datetime) -> str | None:
    """``upper - width``, or None (open-ended) when that is before any submission could have been made."""
    end = _parse(upper)
    return None if end - earliest <= width else utc_stamp(end - width)


def _submitted(row: dict[str, Any]) -> str:
    return row["__system"]["submissionDate"]


def _latest(current: str | None, *candidates: str | None) -> str | None:
    for candidate in candidates:
        if candidate is not None and (current is None or _parse(candidate) > _parse(current)):
            current = candidate
    return current
