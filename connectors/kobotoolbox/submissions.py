"""Submissions of a KoboToolbox asset (``/api/v2/assets/{uid}/data/``), read in ascending ``_id``.

Pages are chained by ``_id`` rather than by the ``start`` offsets of the ``next`` links: a
submission deleted while a traversal runs would shift every offset after it and one row would
be skipped. Each page asks ``{"_id": {"$gt": <last _id of the previous page>}}`` sorted by
``_id``; the traversal ends when the server says there is no ``next`` page. A ``limit`` above
the server's maximum (1,000 on hosted servers) is cut silently, which this handles as well. Since
a query needs only the last ``_id`` of the page before, the next page is requested (in a thread)
while the caller works on the current one, as the ODK Central sync does: one page ahead, no more.
The thread only reads the page's bytes; they are decoded in the caller's thread when their turn comes.
Decoding is work under the interpreter lock either way; done right before the page is used, it leaves
that page's documents fresh in the processor's caches, and one decoded page is held instead of two (measured
in ``bench/RESULTS.md`` §2b).
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from connectors.errors import PROTOCOL, SourceError
from connectors.json_decode import loads
from connectors.kobotoolbox.assets import asset_path
from connectors.kobotoolbox.session import KoboSession

log = logging.getLogger(__name__)

PAGE_SIZE = 1000  # the most a hosted KoboToolbox returns per page
IDENTITY_FIELDS = ("_id", "_uuid", "meta/instanceID", "meta/rootUuid", "meta/deprecatedID", "_validation_status")


class SubmissionService:
    def __init__(self, session: KoboSession) -> None:
        self._session = session

    def documents(
        self,
        uid: str,
        *,
        after: int | None = None,
        upto: int | None = None,
        ids: Sequence[int] | None = None,
        fields: Sequence[str] | None = None,
        page_size: int = PAGE_SIZE,
        read_ahead: bool = True,
    ) -> Iterator[dict[str, Any]]:
        """Yield submission documents with ``after < _id <= upto`` (or ``_id`` in ``ids``), ascending.

        ``fields`` limits each document to those keys (``_id`` always comes). The next page's query
        needs only the last ``_id`` of the current one, so with ``read_ahead`` it is sent (in a thread)
        before the current page is handed over: the server and the network work while the caller
        uses the page. At most two pages are held: the one handed over and the one read ahead (as bytes).
        """
        fetch = functools.partial(self._fetch, uid, upto=upto, ids=ids, fields=fields, page_size=page_size)
        last, pages, count = after, 0, 0
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kobo-next-page") as ahead:
            pending: Future | None = ahead.submit(fetch, last) if read_ahead else None
            while True:
                url, body = pending.result() if pending is not None else fetch(last)
                results, more = self._page(url, body)
                for document in results:
                    current = document.get("_id") if isinstance(document, dict) else None
                    if not isinstance(current, int) or (last is not None and current <= last):
                        raise SourceError(f"{self._session.label}: asset `{uid}` sent a submission out of `_id`"
                                          f" order ({current!r} after {last!r})", kind=PROTOCOL)
                    last = current
                pages += 1
                count += len(results)
                more = more and bool(results)
                pending = ahead.submit(fetch, last) if more and read_ahead else None
                yield from results
                if not more:
                    break
        log.info("%s: read %d submissions of asset %s in %d pages", self._session.label, count, uid, pages)

    def _fetch(self, uid: str, last: int | None, *, upto: int | None, ids: Sequence[int] | None,
               fields: Sequence[str] | None, page_size: int) -> tuple[str, bytes]:
        """The URL and the undecoded body of one page of documents with ``_id`` above ``last`` (and the other
        conditions)."""
        condition: dict[str, Any] = {}
        if last is not None:
            condition["$gt"] = last
        if upto is not None:
            condition["$lte"] = upto
        if ids is not None:
            condition["$in"] = list(ids)
        params = [("format", "json"), ("limit", str(page_size)), ("sort", '{"_id":1}')]
        if condition:
            params.append(("query", json.dumps({"_id": condition}, separators=(",", ":"))))
        if fields is not None:
            params.append(("fields", json.dumps(list(fields), separators=(",", ":"))))
        url = self._session.api_url(asset_path(uid, "data/"), params)
        return url, self._session.request("GET", url, decode=False)

    def _page(self, url: str, body: bytes) -> tuple[list[dict[str, Any]], bool]:
        """A page's (documents, more to read), decoded from its ``body``; a body that does not parse is asked for
        again (with the session's rereads of broken bodies)."""
        try:
            page = loads(body)
        except ValueError:
            log.warning("%s: the answer to GET %s was not JSON; asking again", self._session.label, url)
            page = self._session.request("GET", url)
        results = page.get("results") if isinstance(page, dict) else None
        if not isinstance(results, list):
            raise SourceError(f"{self._session.label}: the answer to GET {url} has no `results` list", kind=PROTOCOL)
        return results, bool(page.get("next"))

    def identities(self, uid: str, *, upto: int | None = None, page_size: int = PAGE_SIZE) -> Iterator[dict[str, Any]]:
        """The identity keys (:data:`IDENTITY_FIELDS`) of every submission up to ``upto``."""
        return self.documents(uid, upto=upto, fields=IDENTITY_FIELDS, page_size=page_size)
