"""Incremental sync of one KoboToolbox asset: new submissions by ``_id``; edits, reviews, deletions by reconciliation.

Cursor (a JSON-serializable dict; persist it only after every record of the run is stored)::

    {"version": 1, "asset_uid": "aB3dE…", "max_id": 1234,    # the largest ``_id`` seen (None: none yet)
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
   only on how many are new;
3. yields each deletion as the stored record (the caller's :meth:`StoredSubmissions.records`)
   with ``deleted_at`` and ``__system.deletedAt`` set to the time the run saw it gone, so the
   warehouse keeps the last answers. A submission whose ``_id`` changed (data moved between
   servers) comes back under its new ``_id`` with the same ``instance_id`` and is not deleted.

The trade-off: between reconciliations a run sees new submissions only, so an edit, a review
(approval) or a deletion made on the server reaches the warehouse at the next due reconciliation,
within ``reconcile_every`` (a day by default), or at once with ``reconcile=True``. A first sync into
an empty store compares nothing and does not count as a reconciliation (the next run with a store
reconciles). Without a store only step 2 runs: new submissions, no edits or deletions.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

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
from connectors.records import SubmissionRecord

if TYPE_CHECKING:
    from connectors.kobotoolbox.client import KoboClient

log = logging.getLogger(__name__)

CURSOR_VERSION = 1
FETCH_BATCH = 200  # ids per `$in` query: keeps the URL short
RECONCILE_EVERY = timedelta(hours=24)  # edits, reviews and deletions reach the warehouse within this


@dataclass(frozen=True)
class StoredIdentity:
    """What the warehouse holds of one live Kobo submission, enough to see it changed."""

    kobo_id: int  # Kobo ``_id`` (in ``received["_id"]``)
    instance_id: str
    current_instance_id: str | None
    review_state: str | None


class StoredSubmissions(Protocol):
    """The caller's view of what it stored from this asset."""

    def identities(self) -> Iterable[StoredIdentity]:
        """Every stored submission of the asset that is not deleted, in ascending ``kobo_id``."""

    def records(self, instance_ids: Sequence[str]) -> Iterable[SubmissionRecord]:
        """The stored records with these instance ids (as last stored)."""


def stored_identity(record: SubmissionRecord) -> StoredIdentity:
    """The :class:`StoredIdentity` of a record this connector yielded."""
    kobo_id = (record.received or {}).get("_id")
    if not isinstance(kobo_id, int):
        raise ValueError(f"record {record.instance_id} has no Kobo `_id` in `received`")
    return StoredIdentity(kobo_id, record.instance_id, record.current_instance_id, record.review_state)


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class KoboSync:
    """One incremental read of an asset: iterate it once, then take :attr:`cursor`.

    ``schema`` types the answers (default: the asset's own form content); ``form_id`` names the
    form in the records (default: the schema's ``form_id``). With a ``store``, reconciliation runs
    when due: ``reconcile_every`` after the cursor's last one (``timedelta(0)``: every run), or
    whenever ``reconcile`` is true. Counts: :attr:`changed_count` (edited, reviewed or missing from
    the store), :attr:`new_count`, :attr:`deleted_count`; :attr:`reconciled` once the run is done.
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
        now: Callable[[], str] = utc_now,
    ) -> None:
        if reconcile_every < timedelta(0):
            raise ValueError(f"reconcile_every must not be negative: {reconcile_every}")
        self._client = client
        self.asset_uid = asset_uid
        self._max_id, self._reconciled_at = _read_cursor(cursor, asset_uid)
        self._store = store
        self._schema = schema
        self._form_id = form_id
        self._page_size = page_size
        self._reconcile_every = reconcile_every
        self._force = reconcile
        self._now = now
        self._new_cursor: dict[str, Any] | None = None
        self._started = False
        self.changed_count = 0
        self.new_count = 0
        self.deleted_count = 0
        self.reconciled: bool | None = None  # known once the run is complete

    def __iter__(self) -> Iterator[SubmissionRecord]:
        if self._started:
            raise RuntimeError("a KoboSync can be iterated only once; start a new one with its cursor")
        self._started = True
        return self._run()

    @property
    def cursor(self) -> dict[str, Any]:
        """The cursor for the next run; only once every record of this run was read."""
        if self._new_cursor is None:
            raise RuntimeError("the new cursor exists only after every record of the sync was read")
        return dict(self._new_cursor)

    def reconciliation_due(self, now: str | None = None) -> bool:
        """Whether a run starting at ``now`` (default: the clock) compares the store with the server."""
        if self._store is None:
            return False
        if self._force or self._reconciled_at is None:
            return True
        elapsed = _moment(now or self._now()) - _moment(self._reconciled_at)
        return elapsed >= self._reconcile_every or elapsed < timedelta(0)  # a clock set back: reconcile

    def _run(self) -> Iterator[SubmissionRecord]:
        with fewer_collections():
            yield from self._records()

    def _records(self) -> Iterator[SubmissionRecord]:
        schema = self._schema or self._client.assets.schema(self.asset_uid, form_id=self._form_id)
        started = self._now()
        gone: dict[str, StoredIdentity] = {}
        resurfaced: set[str] = set()
        compared = False
        if self.reconciliation_due(started):
            compared = yield from self._reconcile(schema, gone, resurfaced)
        newest = self._max_id
        documents = self._client.submissions.documents(self.asset_uid, after=self._max_id, page_size=self._page_size)
        for document in documents:
            record = self._record(document, schema)
            gone.pop(record.instance_id, None)
            newest = document["_id"]
            self.new_count += 1
            yield record
        for record in self._deletions([i for i in gone if i not in resurfaced]):
            self.deleted_count += 1
            yield record
        self.reconciled = compared
        self._new_cursor = {"version": CURSOR_VERSION, "asset_uid": self.asset_uid, "max_id": newest,
                            "reconciled_at": started if compared else self._reconciled_at,
                            "reconciled": compared}
        log.info("%s: asset %s synced: %d new, %d changed, %d deleted (%s)", self._client.label, self.asset_uid,
                 self.new_count, self.changed_count, self.deleted_count,
                 "reconciled with the store" if compared else
                 "new submissions only" if self._store is None else
                 f"new submissions only; last reconciled {self._reconciled_at or 'never'}")

    def _reconcile(self, schema: FormSchema, gone: dict[str, StoredIdentity],
                   resurfaced: set[str]) -> Generator[SubmissionRecord, None, bool]:
        """Fetch what changed up to ``max_id``; collect stored submissions the server lacks into ``gone``.

        Returns whether anything was compared (``False``: an empty store).
        """
        stored = iter(self._store.identities())
        first = next(stored, None)
        if first is None:
            return False  # nothing stored: nothing to compare (a first sync reads everything in step 2)
        refetch = self._max_id is not None  # without a cursor, step 2 reads everything anyway
        server = self._client.submissions.identities(self.asset_uid, upto=self._max_id, page_size=self._page_size)
        batch: dict[int, bool] = {}  # _id → missing from the store
        for kobo_id, document, identity in _merge(server, _ascending(first, stored)):
            if document is None:
                gone[identity.instance_id] = identity
            elif refetch and (identity is None or _changed(document, identity)):
                batch[kobo_id] = identity is None
            if len(batch) >= FETCH_BATCH:
                yield from self._fetch(batch, schema, gone, resurfaced)
                batch = {}
        if batch:
            yield from self._fetch(batch, schema, gone, resurfaced)
        return True

    def _fetch(self, batch: dict[int, bool], schema: FormSchema, gone: dict[str, StoredIdentity],
               resurfaced: set[str]) -> Iterator[SubmissionRecord]:
        for document in self._client.submissions.documents(self.asset_uid, ids=list(batch), page_size=self._page_size):
            record = self._record(document, schema)
            gone.pop(record.instance_id, None)
            if batch.get(document["_id"]):
                resurfaced.add(record.instance_id)
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

    def _record(self, document: dict[str, Any], schema: FormSchema) -> SubmissionRecord:
        try:
            return record_from_document(document, schema, project=self.asset_uid, form_id=self._form_id)
        except DocumentError as exc:
            raise SourceError(f"{self._client.label}: submission {document.get('_id')} of asset"
                              f" `{self.asset_uid}` cannot be read: {exc}", kind=PROTOCOL) from None


def sync_submissions(
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
) -> KoboSync:
    """Start an incremental sync of one asset from ``cursor`` (``None``: everything); see :class:`KoboSync`."""
    return KoboSync(client, asset_uid, cursor, store=store, schema=schema, form_id=form_id, page_size=page_size,
                    reconcile_every=reconcile_every, reconcile=reconcile)


def _changed(document: dict[str, Any], identity: StoredIdentity) -> bool:
    _, current = instance_ids(document)
    return (current != identity.current_instance_id
            or review_state(document.get("_validation_status"), edited=is_edited(document)) != identity.review_state)


def _ascending(first: StoredIdentity, rest: Iterator[StoredIdentity]) -> Iterator[StoredIdentity]:
    previous = first
    yield first
    for identity in rest:
        if identity.kobo_id <= previous.kobo_id:
            raise ValueError(f"stored identities must come in ascending kobo_id: {identity.kobo_id} after"
                             f" {previous.kobo_id}")
        previous = identity
        yield identity


def _merge(server: Iterator[dict[str, Any]], stored: Iterator[StoredIdentity]
           ) -> Iterator[tuple[int, dict[str, Any] | None, StoredIdentity | None]]:
    """(``_id``, server document or None, stored identity or None), ascending, both sides streamed."""
    document, identity = next(server, None), next(stored, None)
    while document is not None or identity is not None:
        if identity is None or (document is not None and document["_id"] < identity.kobo_id):
            yield document["_id"], document, None
            document = next(server, None)
        elif document is None or identity.kobo_id < document["_id"]:
            yield identity.kobo_id, None, identity
            identity = next(stored, None)
        else:
            yield document["_id"], document, identity
            document, identity = next(server, None), next(stored, None)


def _read_cursor(cursor: dict[str, Any] | None, asset_uid: str) -> tuple[int | None, str | None]:
    """(``max_id``, ``reconciled_at``) of a cursor; a cursor written before ``reconciled_at`` existed has none."""
    if cursor is None:
        return None, None
    if cursor.get("version") != CURSOR_VERSION:
        raise ValueError(f"unknown Kobo sync cursor version {cursor.get('version')!r}")
    if cursor.get("asset_uid") != asset_uid:
        raise ValueError(f"the cursor belongs to asset {cursor.get('asset_uid')!r}, not to {asset_uid!r}")
    max_id = cursor.get("max_id")
    if max_id is not None and not isinstance(max_id, int):
        raise ValueError(f"a cursor with a max_id that is not a number: {max_id!r}")
    reconciled_at = cursor.get("reconciled_at")
    if reconciled_at is not None:
        try:
            _moment(reconciled_at)
        except (TypeError, ValueError):
            raise ValueError(f"a cursor with a reconciled_at that is not a time: {reconciled_at!r}") from None
    return max_id, reconciled_at


def _moment(text: str) -> datetime:
    """An ISO 8601 time (``…Z`` as :func:`utc_now` writes it); without a zone: UTC."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
