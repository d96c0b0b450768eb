"""Incremental sync of one form that loses nothing, and a reconciliation of submission ids.

Cursor (a JSON-serializable dict; persist it only after every record of the run is stored)::

    {"version": 1, "project": "3", "form_id": "household_mini",
     "watermark": "2026-11-23T03:47:28.854Z",          # max submissionDate/updatedAt seen
     "deleted_watermark": "2026-11-23T03:47:29.861Z"}  # max deletedAt seen (never below watermark)

A run reads ``__system/submissionDate gt W' or __system/updatedAt gt W'`` (W' = watermark minus
the overlap: commits become visible late and uploads share milliseconds), then the deletions
``__system/deletedAt gt D'``. Without a cursor it reads every live row and every deleted row.
Rows come newest first, so the new cursor exists only once both traversals are complete.

Central's cost of a page grows with every row its query matches, not only with the page (see
``bench/costmodel.py``): following ``@odata.nextLink`` through N matching rows in pages of s costs
(N/s)·N, quadratic. So each query is read for one page only, and the next query starts where that page
stopped: a full page ends at its oldest ``submissionDate`` T, and the rest is asked for in a time window
``… and submissionDate le T and submissionDate gt L`` sized, from the density just seen, to hold about one
page; a window that is not full is exhausted, and the next one starts at its lower end, wider or narrower
as the last one was empty or crowded. After a few empty windows an open-ended query (``le T`` only) jumps
the gap, and ends the traversal when it comes back short. Every query thus matches about one page of rows
(linear in N), every row has one ``submissionDate``, so nothing is missed, and only the rows sharing T with
the end of the previous page are seen twice: they are skipped, and they are the only de-duplication state,
bounded by a page. Memory is bounded by the page size, whatever the form's history.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from connectors.odk_central.rows import record_from_odata_row
from connectors.odk_central.submissions import DEFAULT_PAGE_SIZE
from connectors.records import SubmissionRecord

if TYPE_CHECKING:
    from connectors.odk_central.client import OdkCentralClient

log = logging.getLogger(__name__)

CURSOR_VERSION = 1
DEFAULT_OVERLAP = timedelta(minutes=5)
WINDOW_FILL = 0.8  # a window aims at this share of a page, so that most windows take one request
EMPTY_WINDOWS_BEFORE_JUMP = 6  # empty windows, each 4× wider, before an open-ended query jumps the gap
_SUBMITTED = "__system/submissionDate"
_EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)  # before ODK Central: a window reaching it is open-ended


class SubmissionSync:
    """One incremental read of a form: iterate it once, then take :attr:`cursor`.

    Yields live rows (new, edited, reviewed) first, then soft-deleted rows (``deleted_at``
    set). Within each of the two queries a submission is yielded once; a row deleted while
    the run was going can come twice, live then deleted: upsert in order and the last wins.
    """

    def __init__(
        self,
        client: OdkCentralClient,
        project_id: int | str,
        form_id: str,
        cursor: dict[str, Any] | None = None,
        *,
        overlap: timedelta = DEFAULT_OVERLAP,
        page_size: int | None = DEFAULT_PAGE_SIZE,
    ) -> None:
        if overlap < timedelta(0):
            raise ValueError("overlap must not be negative")
        self._client = client
        self.project = str(project_id)
        self.form_id = form_id
        self._overlap = overlap
        self._page_size = page_size
        self._watermark, self._deleted_watermark = _read_cursor(cursor, self.project, form_id)
        self._new_cursor: dict[str, Any] | None = None
        self._started = False
        self.live_count = 0
        self.deleted_count = 0
        self.duplicate_count = 0

    def __iter__(self) -> Iterator[SubmissionRecord]:
        if self._started:
            raise RuntimeError("a SubmissionSync can be iterated only once; start a new one with its cursor")
        self._started = True
        return self._run()

    @property
    def cursor(self) -> dict[str, Any]:
        """The cursor for the next run; only once every record of this run was read."""
        if self._new_cursor is None:
            raise RuntimeError("the new cursor exists only after every record of the sync was read")
        return dict(self._new_cursor)

    def _run(self) -> Iterator[SubmissionRecord]:
        live_filter = None
        if self._watermark is not None:
            since = _format(_parse(self._watermark) - self._overlap)
            live_filter = f"__system/submissionDate gt {since} or __system/updatedAt gt {since}"
        newest = self._watermark
        for record in self._query(live_filter):
            newest = _latest(newest, record.submitted_at, record.updated_at)
            self.live_count += 1
            yield record

        deleted_filter = "__system/deletedAt ne null"
        if self._deleted_watermark is not None:
            since = _format(_parse(self._deleted_watermark) - self._overlap)
            deleted_filter = f"__system/deletedAt gt {since}"
        newest_deleted = self._deleted_watermark
        for record in self._query(deleted_filter):
            newest_deleted = _latest(newest_deleted, record.deleted_at)
            self.deleted_count += 1
            yield record

        # Any deletion after this run has a deletedAt later than everything seen now.
        self._new_cursor = {
            "version": CURSOR_VERSION,
            "project": self.project,
            "form_id": self.form_id,
            "watermark": newest,
            "deleted_watermark": _latest(newest_deleted, newest),
        }
        log.info(
            "%s: form %s of project %s synced: %d live, %d deleted, %d duplicates skipped",
            self._client.label, self.form_id, self.project, self.live_count, self.deleted_count, self.duplicate_count,
        )

    def _query(self, filter: str | None) -> Iterator[SubmissionRecord]:
        """Every row ``filter`` selects, newest first, one page per query (module docstring).

        The next query depends only on the page just read, so it is sent (in a thread) before this page's
        records are handed over: the server works on it while the caller stores them.
        """
        size = self._page_size
        if size is None:
            yield from self._records(self._pages(filter))
            return
        upper: str | None = None  # every row submitted after `upper` is read; at `upper`, those in `boundary`
        lower: str | None = None  # the window's exclusive lower end; None: open-ended
        boundary: frozenset[str] = frozenset()
        width, empty = timedelta(0), 0
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="odk-next-page") as ahead:
            pending: Future | None = ahead.submit(self._first_page, filter, upper, lower)
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
                        upper = _format(_parse(oldest) - timedelta(milliseconds=1))
                    width = max((_parse(newest) - _parse(oldest)) * (WINDOW_FILL * size / len(page)),
                                timedelta(milliseconds=1))
                if pending is not None:
                    lower = None if empty >= EMPTY_WINDOWS_BEFORE_JUMP else _lower_end(upper, width)
                    pending = None if millisecond else ahead.submit(self._first_page, filter, upper, lower)
                yield from self._records([page], skip=skip)
                if millisecond:  # (one client, one request at a time: read it before asking for the next page)
                    at, skip = millisecond
                    yield from self._records(self._pages(_and(filter, f"{_SUBMITTED} le {at}",
                                                              f"{_SUBMITTED} gt {upper}")), skip=skip)
                    pending = ahead.submit(self._first_page, filter, upper, lower)

    def _first_page(self, filter: str | None, upper: str | None, lower: str | None) -> list[dict[str, Any]]:
        """The first page of ``filter`` among rows submitted in (``lower``, ``upper``] (open ends: ``None``)."""
        pages = self._pages(_and(filter, upper and f"{_SUBMITTED} le {upper}", lower and f"{_SUBMITTED} gt {lower}"))
        try:
            return next(pages, [])
        finally:
            pages.close()

    def _pages(self, filter: str | None) -> Iterator[list[dict[str, Any]]]:
        return self._client.submissions.pages(self.project, self.form_id, filter=filter, page_size=self._page_size)

    def _records(self, pages: Iterable[Sequence[dict[str, Any]]], *, skip: frozenset[str] = frozenset()
                 ) -> Iterator[SubmissionRecord]:
        for page in pages:
            for row in page:
                record = record_from_odata_row(row, self.project, self.form_id)
                if record.instance_id in skip:
                    self.duplicate_count += 1
                    continue
                yield record


def sync_submissions(
    client: OdkCentralClient,
    project_id: int | str,
    form_id: str,
    cursor: dict[str, Any] | None = None,
    *,
    overlap: timedelta = DEFAULT_OVERLAP,
    page_size: int | None = DEFAULT_PAGE_SIZE,
) -> SubmissionSync:
    """Start an incremental sync of one form from ``cursor`` (``None``: everything)."""
    return SubmissionSync(client, project_id, form_id, cursor, overlap=overlap, page_size=page_size)


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
    page_size: int | None = DEFAULT_PAGE_SIZE,
) -> IdReconciliation:
    """Compare the ids stored as live with all live ids on the server (``$select=__id``).

    Run it from time to time: deleted rows are purged after 30 days and restores do not
    move a watermark, so only a full id comparison sees them.
    """
    live = set(client.submissions.ids(project_id, form_id, page_size=page_size))
    stored = set(stored_live_ids)
    return IdReconciliation(live=len(live), gone=frozenset(stored - live), missing=frozenset(live - stored))


def _read_cursor(cursor: dict[str, Any] | None, project: str, form_id: str) -> tuple[str | None, str | None]:
    if cursor is None:
        return None, None
    if cursor.get("version") != CURSOR_VERSION:
        raise ValueError(f"unknown sync cursor version {cursor.get('version')!r}")
    if (str(cursor.get("project")), cursor.get("form_id")) != (project, form_id):
        raise ValueError(
            f"the cursor belongs to form {cursor.get('form_id')!r} of project {cursor.get('project')!r},"
            f" not to form {form_id!r} of project {project!r}"
        )
    watermark, deleted = cursor.get("watermark"), cursor.get("deleted_watermark")
    for value in (watermark, deleted):
        if value is not None:
            _parse(value)
    return watermark, deleted


def _parse(timestamp: str) -> datetime:
    parsed = datetime.fromisoformat(timestamp)
    if parsed.tzinfo is None:
        raise ValueError(f"timestamp without a time zone: {timestamp!r}")
    return parsed


def _format(moment: datetime) -> str:
    """ISO 8601 in UTC with milliseconds, the way Central writes timestamps."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _and(*filters: str | None) -> str | None:
    """The conjunction of the given filters (``None`` ones left out), each in parentheses when needed."""
    present = [f for f in filters if f]
    if len(present) <= 1:
        return present[0] if present else None
    return " and ".join(f"({f})" if " or " in f else f for f in present)


def _lower_end(upper: str, width: timedelta) -> str | None:
    """``upper - width``, or None (open-ended) when that is before any submission could have been made."""
    end = _parse(upper)
    return None if end - _EARLIEST <= width else _format(end - width)


def _submitted(row: dict[str, Any]) -> str:
    return row["__system"]["submissionDate"]


def _latest(current: str | None, *candidates: str | None) -> str | None:
    for candidate in candidates:
        if candidate is not None and (current is None or _parse(candidate) > _parse(current)):
            current = candidate
    return current
