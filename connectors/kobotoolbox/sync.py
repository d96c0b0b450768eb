"""Incremental sync of one KoboToolbox asset: new submissions by ``_id``; edits, reviews, deletions by reconciliation.

Cursor (a JSON-serializable dict; persist it only after every record of the run is stored)::

    {"version": 1, "asset_uid": "aB3dE…", "max_id": 1234,    # the largest ``_id`` seen (None: none yet)
     "recent_ids": [1190, 1193, …, 1234],                      # the last ``recent`` ``_id``s seen, ascending
     "recent_after": 1187,                                     # the ``_id`` seen before them (None: none)
     "reconciled_at": "2026-11-23T08:00:00.000Z",              # start of the last reconciliation (None: never)
     "reconciled": true}                                       # whether the run that wrote it reconciled

KoboToolbox keeps no modification time and a deleted submission simply disappears, so edits, reviews
and deletions can only be seen by comparing every stored submission with the server, a cost that grows
with the asset's whole history (1M stored: hundreds of requests and ~120 MB of identities), while new
submissions cost only what is new. So a run:

1. reconciles what is stored with the server, only when it is due (``reconcile_every`` since the
   cursor's ``reconciled_at``, 24 hours by default; or never reconciled; or forced with
   ``reconcile=True``) and only when the caller gives its store: the ids of every submission up to
   ``max_id`` (``fields=["_id","_uuid","meta/rootUuid",…]``, 1,000 a page) are merged, in ascending
   ``_id``, with the stored identities the caller streams in the same order. A different ``_uuid``
   (an edit) or review, or a submission the store lacks, is fetched whole and yielded; a stored
   submission the server no longer has is deleted. Memory stays flat at any size: a page or two of
   each side, plus the submissions that changed;
2. reads the submissions with ``_id > max_id`` (new since the last run): every run, its cost depends
   only on how many are new. kpi assigns ``_id`` before a submission is visible, so one with a lower ``_id``
   can appear after a run moved past it: every run reads again after ``recent_after``, the ``_id`` seen before
   the last ``recent`` (100 by default), and takes the submissions there it has not seen;
3. yields each deletion as the stored record (the caller's :meth:`StoredSubmissions.records`)
   with ``deleted_at`` and ``__system.deletedAt`` set to the time the run saw it gone, so the
   warehouse keeps the last answers. A submission whose ``_id`` changed (data moved between
   servers) comes back under its new ``_id`` with the same ``instance_id`` and is not deleted.

The trade-off: between reconciliations a run sees new submissions only, so an edit, a review
(approval) or a deletion made on the server reaches the warehouse at the next due reconciliation,
within ``reconcile_every`` (a day by default), or at once with ``reconcile=True``. A first sync into
an empty store compares nothing and does not count as a reconciliation (the next run with a store
reconciles). Without a store only step 2 runs: new submissions, no edits or deletions.

Identity: a submission's ``instance_id`` is its ``meta/rootUuid``, stable across edits, except that kpi gives
an edit of an older submission whose root id it never stored a new ``meta/rootUuid`` under the same ``_id``.
So the identity of an ``_id`` is the one first stored for it: when reconciling finds a stored identity for a
document's ``_id``, the record keeps it, whatever ``meta/rootUuid`` now says. A store that already holds two
live submissions under one ``_id`` (written before this rule) keeps the one whose identity the document still
has, or else the first, and the other is deleted.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Generator, Iterator
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from connectors.collector import fewer_collections
from connectors.errors import PROTOCOL, SourceError
from connectors.form_schema import FormSchema
from connectors.kobotoolbox.documents import (
    DocumentError,
    instance_ids,
    is_edited,
    record_from_document,
    review_state,
)
from connectors.kobotoolbox.submissions import PAGE_SIZE
from connectors.records import SubmissionRecord, utc_moment, utc_now
from connectors.sync import RECONCILE_EVERY, IncrementalSync, StoredIdentity, StoredSubmissions

if TYPE_CHECKING:
    from connectors.kobotoolbox.client import KoboClient

log = logging.getLogger(__name__)

CURSOR_VERSION = 1
FETCH_BATCH = 200  # ids per `$in` query: keeps the URL short
RECENT = 100  # the last _ids seen that every run reads again (a submission visible after a higher _id)


def stored_identity(record: SubmissionRecord) -> StoredIdentity:
    """The :class:`StoredIdentity` of a record this connector yielded."""
    kobo_id = (record.received or {}).get("_id")
    if not isinstance(kobo_id, int):
        raise ValueError(f"record {record.instance_id} has no Kobo `_id` in `received`")
    return StoredIdentity(kobo_id, record.instance_id, record.current_instance_id, record.review_state)


class KoboSync(IncrementalSync):
    """One incremental read of an asset: iterate it once, then take :attr:`cursor`.

    ``schema`` types the answers (default: the asset's own form content); ``form_id`` names the
    form in the records (default: the schema's ``form_id``). With a ``store``, reconciliation runs
    when due: ``reconcile_every`` after the cursor's last one (``timedelta(0)``: every run), or
    whenever ``reconcile`` is true. ``recent``: how many of the last ``_id``s seen every run reads again.
    Counts: :attr:`changed_count` (edited, reviewed or missing from the store), :attr:`new_count`,
    :attr:`deleted_count`; :attr:`reconciled` once the run is done.
    """

    def __init__(
        self,
        client: KoboClient,
        asset_uid: str,
        cursor: dict[str, Any] | None = None,
        *,
        store: StoredSubmissions | None = None,
        schema: FormSchema | None = None,
        form_id: str | None = None,
        page_size: int = PAGE_SIZE,
        reconcile_every: timedelta = RECONCILE_EVERY,
        reconcile: bool = False,
        recent: int = RECENT,
        now: Callable[[], str] = utc_now,
    ) -> None:
        if reconcile_every < timedelta(0):
            raise ValueError(f"reconcile_every must not be negative: {reconcile_every}")
        if recent < 0:
            raise ValueError(f"recent must not be negative: {recent}")
        self._client = client
        self.asset_uid = asset_uid
        self._max_id, self._recent_ids, self._recent_after, self._reconciled_at = _read_cursor(cursor, asset_uid)
        self._recent = recent
        self._store = store
        self._schema = schema
        self._form_id = form_id
        self._page_size = page_size
        self._reconcile_every = reconcile_every
        self._force = reconcile
        self._now = now
        self.changed_count = 0
        self.new_count = 0
        self.deleted_count = 0

    def _run(self) -> Iterator[SubmissionRecord]:
        with fewer_collections():
            yield from self._records()

    def _records(self) -> Iterator[SubmissionRecord]:
        schema = self._schema or self._client.assets.schema(self.asset_uid, form_id=self._form_id)
        started = self._now()
        gone: dict[str, StoredIdentity] = {}
        resurfaced: set[str] = set()
        compared = False
        fetched: set[int] = set()  # _ids yielded by the reconciliation
        if self.reconciliation_due(started):
            compared = yield from self._reconcile(schema, gone, resurfaced, fetched)
        newest = self._max_id
        seen = set(self._recent_ids)
        after = self._recent_after if self._recent else self._max_id
        window: deque[int] = deque(maxlen=self._recent)  # the last _ids read, ascending
        recent_after = after
        documents = self._client.submissions.documents(self.asset_uid, after=after, page_size=self._page_size)
        for document in documents:
            kobo_id = document["_id"]
            newest = kobo_id if newest is None else max(newest, kobo_id)
            if self._recent:
                if len(window) == self._recent:
                    recent_after = window[0]
                window.append(kobo_id)
            if kobo_id in seen or kobo_id in fetched:
                continue
            record = self._record(document, schema)
            gone.pop(record.instance_id, None)
            self.new_count += 1
            yield record
        for record in self._deletions([i for i in gone if i not in resurfaced]):
            self.deleted_count += 1
            yield record
        self.reconciled = compared
        self._new_cursor = {"version": CURSOR_VERSION, "asset_uid": self.asset_uid, "max_id": newest,
                            "recent_ids": list(window) if self._recent else [],
                            "recent_after": recent_after if self._recent else newest,
                            "reconciled_at": started if compared else self._reconciled_at,
                            "reconciled": compared}
        log.info("%s: asset %s synced: %d new, %d changed, %d deleted (%s)", self._client.label, self.asset_uid,
                 self.new_count, self.changed_count, self.deleted_count,
                 "reconciled with the store" if compared else
                 "new submissions only" if self._store is None else
                 f"new submissions only; last reconciled {self._reconciled_at or 'never'}")

    def _reconcile(self, schema: FormSchema, gone: dict[str, StoredIdentity], resurfaced: set[str],
                   fetched: set[int]) -> Generator[SubmissionRecord, None, bool]:
        """Fetch what changed up to ``max_id``; collect stored submissions the server lacks into ``gone``.

        Returns whether anything was compared (``False``: an empty store).
        """
        stored = iter(self._store.identities())
        first = next(stored, None)
        if first is None:
            return False  # nothing stored: nothing to compare (a first sync reads everything in step 2)
        refetch = self._max_id is not None  # without a cursor, step 2 reads everything anyway
        server = self._client.submissions.identities(self.asset_uid, upto=self._max_id, page_size=self._page_size)
        batch: dict[int, StoredIdentity | None] = {}  # _id → its stored identity (None: missing from the store)
        for kobo_id, document, identities in _merge(server, _ascending(first, stored)):
            if document is None:
                gone.update((identity.instance_id, identity) for identity in identities)
                continue
            kept = _kept(document, identities)
            gone.update((i.instance_id, i) for i in identities if i is not kept)
            if refetch and (kept is None or _changed(document, kept)):
                batch[kobo_id] = kept
            if len(batch) >= FETCH_BATCH:
                yield from self._fetch(batch, schema, gone, resurfaced, fetched)
                batch = {}
        if batch:
            yield from self._fetch(batch, schema, gone, resurfaced, fetched)
        return True

    def _fetch(self, batch: dict[int, StoredIdentity | None], schema: FormSchema, gone: dict[str, StoredIdentity],
               resurfaced: set[str], fetched: set[int]) -> Iterator[SubmissionRecord]:
        for document in self._client.submissions.documents(self.asset_uid, ids=list(batch), page_size=self._page_size):
            identity = batch.get(document["_id"])
            record = self._record(document, schema, None if identity is None else identity.instance_id)
            gone.pop(record.instance_id, None)
            if identity is None:
                resurfaced.add(record.instance_id)
            fetched.add(document["_id"])
            self.changed_count += 1
            yield record

    def _deletions(self, instance_ids: list[str]) -> Iterator[SubmissionRecord]:
        when = self._now()
        for start in range(0, len(instance_ids), FETCH_BATCH):
            wanted = set(instance_ids[start:start + FETCH_BATCH])
            for record in self._store.records(sorted(wanted)):
                wanted.discard(record.instance_id)
                system = {**(record.payload.get("__system") or {}), "deletedAt": when}
                yield record._replace(deleted_at=when, payload={**record.payload, "__system": system})
            if wanted:
                log.warning("%s: %d submissions of asset %s are gone from the server but not in the store",
                            self._client.label, len(wanted), self.asset_uid)

    def _record(self, document: dict[str, Any], schema: FormSchema, identity: str | None = None) -> SubmissionRecord:
        try:
            return record_from_document(document, schema, project=self.asset_uid, form_id=self._form_id,
                                        identity=identity)
        except DocumentError as exc:
            raise SourceError(f"{self._client.label}: submission {document.get('_id')} of asset"
                              f" `{self.asset_uid}` cannot be read: {exc}", kind=PROTOCOL) from None


sync_submissions = KoboSync  # (client, asset_uid, cursor or None for everything, **options)


def _changed(document: dict[str, Any], identity: StoredIdentity) -> bool:
    _, current = instance_ids(document)
    edited = is_edited(document, identity.instance_id)
    return (current != identity.current_instance_id
            or review_state(document.get("_validation_status"), edited=edited) != identity.review_state)


def _kept(document: dict[str, Any], identities: list[StoredIdentity]) -> StoredIdentity | None:
    """Of the live submissions stored under a document's ``_id`` (one, unless stored before the identity rule of
    the module docstring), the one that stays: the one with the document's identity, else the first."""
    if len(identities) <= 1:
        return identities[0] if identities else None
    stable, _ = instance_ids(document)
    return next((i for i in identities if i.instance_id == stable), identities[0])


def _ascending(first: StoredIdentity, rest: Iterator[StoredIdentity]) -> Iterator[StoredIdentity]:
    previous = first
    yield first
    for identity in rest:
        if identity.source_row_id < previous.source_row_id:
            raise ValueError(f"stored identities must come in ascending source_row_id: {identity.source_row_id} after"
                             f" {previous.source_row_id}")
        previous = identity
        yield identity


def _merge(server: Iterator[dict[str, Any]], stored: Iterator[StoredIdentity]
           ) -> Iterator[tuple[int, dict[str, Any] | None, list[StoredIdentity]]]:
    """(``_id``, server document or None, the stored identities of that ``_id``), ascending, both sides streamed."""
    document, identity = next(server, None), next(stored, None)
    while document is not None or identity is not None:
        kobo_id = min(k for k in (None if document is None else document["_id"],
                                  None if identity is None else identity.source_row_id) if k is not None)
        identities = []
        while identity is not None and identity.source_row_id == kobo_id:
            identities.append(identity)
            identity = next(stored, None)
        here = document if document is not None and document["_id"] == kobo_id else None
        if here is not None:
            document = next(server, None)
        yield kobo_id, here, identities


def _read_cursor(cursor: dict[str, Any] | None, asset_uid: str
                 ) -> tuple[int | None, list[int], int | None, str | None]:
    """(``max_id``, ``recent_ids``, ``recent_after``, ``reconciled_at``) of a cursor; one written before
    ``recent_ids`` existed reads after ``max_id``; one written before ``reconciled_at`` existed has none."""
    if cursor is None:
        return None, [], None, None
    if cursor.get("version") != CURSOR_VERSION:
        raise ValueError(f"unknown Kobo sync cursor version {cursor.get('version')!r}")
    if cursor.get("asset_uid") != asset_uid:
        raise ValueError(f"the cursor belongs to asset {cursor.get('asset_uid')!r}, not to {asset_uid!r}")
    max_id = cursor.get("max_id")
    if max_id is not None and not isinstance(max_id, int):
        raise ValueError(f"a cursor with a max_id that is not a number: {max_id!r}")
    recent_ids = cursor.get("recent_ids") or []
    recent_after = cursor.get("recent_after") if "recent_ids" in cursor else max_id
    if not all(isinstance(i, int) for i in recent_ids) or recent_ids != sorted(recent_ids):
        raise ValueError("a cursor whose recent_ids are not ascending numbers")
    if recent_after is not None and not isinstance(recent_after, int):
        raise ValueError(f"a cursor with a recent_after that is not a number: {recent_after!r}")
    reconciled_at = cursor.get("reconciled_at")
    if reconciled_at is not None:
        try:
            utc_moment(reconciled_at)
        except (TypeError, ValueError):
            raise ValueError(f"a cursor with a reconciled_at that is not a time: {reconciled_at!r}") from None
    return max_id, recent_ids, recent_after, reconciled_at
