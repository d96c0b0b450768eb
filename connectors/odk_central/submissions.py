"""Submissions of a form through the OData feed, streamed page by page."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from urllib.parse import quote, urljoin

import requests

from connectors.errors import PROTOCOL, UNAVAILABLE, RequestInfo, SourceError
from connectors.http import describe
from connectors.odata_stream import READ, value_rows
from connectors.odk_central.forms import form_path
from connectors.odk_central.rows import record_from_odata_row
from connectors.odk_central.session import CentralSession
from connectors.records import SubmissionRecord

log = logging.getLogger(__name__)

DEFAULT_PAGE_SIZE = 5000  # small pages make a full read quadratic on Central (see the domain notes)
STREAMED_BATCH = 1000  # rows handed over at a time from an answer read as it arrives (no page size)
_QUERY_SAFE = "$/:,*'()"  # left literal, spaces as %20: the way Central's own clients send them


class BrokenAnswer(SourceError):
    """An answer read as it arrived broke off, or turned out not to be OData JSON (its rows before that were
    handed over)."""


class SubmissionService:
    """Reads ``…/forms/{id}.svc/Submissions``, following ``@odata.nextLink`` exactly as given.

    Only one page is held at a time. Central orders rows newest first and pages with an
    opaque ``$skiptoken``; rows arriving during a traversal are not part of it.
    """

    def __init__(self, session: CentralSession) -> None:
        self._session = session

    def rows(
        self,
        project_id: int | str,
        form_id: str,
        *,
        filter: str | None = None,
        page_size: int | None = DEFAULT_PAGE_SIZE,
        expand: bool = True,
        select: str | None = None,
        count: bool = False,
    ) -> Iterator[dict[str, Any]]:
        """Yield the OData rows, repeats inlined (``$expand=*``) unless ``expand=False``.

        ``filter`` is an OData ``$filter`` on system fields (``__id``, ``__system/…``) with
        ``eq ne lt le gt ge and or not``; ``page_size=None`` asks for everything at once, in one answer read as
        it arrives (see :meth:`pages`).
        """
        pages = self.pages(project_id, form_id, filter=filter, page_size=page_size, expand=expand, select=select,
                           count=count)
        for page in pages:
            yield from page

    def pages(
        self,
        project_id: int | str,
        form_id: str,
        *,
        filter: str | None = None,
        page_size: int | None = DEFAULT_PAGE_SIZE,
        expand: bool = True,
        select: str | None = None,
        count: bool = False,
        clock: Callable[[datetime], None] | None = None,
    ) -> Iterator[list[dict[str, Any]]]:
        """Yield the rows page by page (same options as :meth:`rows`); the next page is asked for only
        when the previous one was consumed, so stopping after the first page sends one request. A page is read
        whole and asked for again when its answer breaks; without ``page_size`` the one answer is read as it
        arrives, in lists of :data:`STREAMED_BATCH` rows, and :class:`BrokenAnswer` tells when it breaks. ``clock``
        is called with Central's clock at the first request's arrival (:meth:`CentralSession.request_timed`)."""
        options: list[tuple[str, str]] = []
        if page_size is not None:
            options.append(("$top", str(page_size)))
        if count:
            options.append(("$count", "true"))
        if expand:
            options.append(("$expand", "*"))
        if select is not None:
            options.append(("$select", select))
        if filter is not None:
            options.append(("$filter", filter))
        query = "&".join(f"{name}={quote(value, safe=_QUERY_SAFE)}" for name, value in options)
        url = self._session.api_url(f"{form_path(project_id, form_id)}.svc/Submissions")
        if query:
            url = f"{url}?{query}"
        pages = rows = 0
        while True:
            if page_size is None:
                members: dict[str, Any] = {}
                for batch in self._streamed(url, members, clock):
                    rows += len(batch)
                    yield batch
                next_link = members.get("@odata.nextLink")
            else:
                if clock is None:
                    document = self._session.request("GET", url)
                else:
                    document, now = self._session.request_timed("GET", url, arrival=True)
                    clock(now)
                value = document.get("value") if isinstance(document, dict) else None
                if not isinstance(value, list):
                    message = f"{self._session.label}: the answer to GET {url} has no OData `value` list"
                    raise SourceError(message, kind=PROTOCOL)
                next_link = document.get("@odata.nextLink")
                del document
                rows += len(value)
                log.debug("%s: page %d of form %s: %d rows", self._session.label, pages + 1, form_id, len(value))
                yield value
            clock = None
            pages += 1
            if not next_link:
                break
            next_url = self._session.on_this_server(urljoin(url, next_link))
            if next_url == url:
                raise SourceError(f"{self._session.label}: @odata.nextLink points back to {url}", kind=PROTOCOL)
            url = next_url
        log.info("%s: read %d rows of form %s in %d pages", self._session.label, rows, form_id, pages)

    def _streamed(self, url: str, members: dict[str, Any], clock: Callable[[datetime], None] | None
                  ) -> Iterator[list[dict[str, Any]]]:
        """The rows of one answer, parsed as they arrive, in lists of up to :data:`STREAMED_BATCH`; its other
        members go into ``members``. An answer cut short or broken raises :class:`BrokenAnswer` (its rows
        before the break were yielded)."""
        response, now = self._session.open_json(url)
        if clock is not None:
            clock(now)
        batch: list[dict[str, Any]] = []
        try:
            for row in value_rows(response.iter_content(chunk_size=READ), members):
                batch.append(row)
                if len(batch) == STREAMED_BATCH:
                    yield batch
                    batch = []
        except (requests.RequestException, ValueError) as error:
            failure = describe(error, self._session.http.settings)
            raise BrokenAnswer(f"{self._session.label}: the answer to GET {url} broke off: {failure}",
                               kind=UNAVAILABLE, request=RequestInfo.from_prepared(response.request)) from None
        finally:
            response.close()
        if batch:
            yield batch

    def records(
        self,
        project_id: int | str,
        form_id: str,
        *,
        filter: str | None = None,
        page_size: int | None = DEFAULT_PAGE_SIZE,
    ) -> Iterator[SubmissionRecord]:
        """Yield :class:`SubmissionRecord` objects, one per OData row (``$expand=*``)."""
        for row in self.rows(project_id, form_id, filter=filter, page_size=page_size):
            yield record_from_odata_row(row, project_id, form_id)

    def ids(self, project_id: int | str, form_id: str, *, page_size: int | None = DEFAULT_PAGE_SIZE) -> Iterator[str]:
        """Yield the ``__id`` of every live (not deleted) submission, with ``$select=__id``."""
        for row in self.rows(project_id, form_id, page_size=page_size, expand=False, select="__id"):
            yield row["__id"]
