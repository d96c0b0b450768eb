"""What the incremental syncs of the platforms share: a run is read once, then gives the cursor of the next one,
and it compares the caller's store (:class:`StoredSubmissions`, which the warehouse implements) with the server
when that is due."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from connectors.records import SubmissionRecord, utc_moment

RECONCILE_EVERY = timedelta(hours=24)  # edits, reviews, deletions, purges and restores reach the caller within this


@dataclass(frozen=True)
class StoredIdentity:
    """What the caller holds of one live submission, enough to see it changed on the server."""

    source_row_id: int  # the platform's number of the submission (KoboToolbox's ``_id``)
    instance_id: str
    current_instance_id: str | None
    review_state: str | None


class StoredSubmissions(Protocol):
    """What the caller stored of one form from one source (the warehouse's
    :class:`~warehouse.raw.stored_submissions.WarehouseSubmissions`)."""

    def identities(self) -> Iterable[StoredIdentity]:
        """Every stored live submission, in ascending ``source_row_id`` (ties in any order)."""

    def live_instance_ids(self) -> Iterable[str]:
        """The instance id of every stored live submission."""

    def records(self, instance_ids: Sequence[str]) -> Iterable[SubmissionRecord]:
        """The stored records with these instance ids (as last stored)."""

    def root_instance_ids(self) -> Mapping[str, str]:
        """Of the whole form, whatever route brought it: each later version's instance id → its root instance id."""


class IncrementalSync:
    """One incremental read: iterate it once (:meth:`_run`, which sets ``_new_cursor`` at its end), then take
    :attr:`cursor`. Subclasses set ``_store``, ``_force``, ``_reconciled_at`` and ``_reconcile_every``."""

    _store: StoredSubmissions | None
    _force: bool  # compare whether due or not
    _reconciled_at: str | None  # the start of the last comparison
    _reconcile_every: timedelta
    _new_cursor: dict[str, Any] | None = None
    _started = False
    reconciled: bool | None = None  # whether the run compared the store with the server, once it is done

    def __iter__(self) -> Iterator[SubmissionRecord]:
        if self._started:
            raise RuntimeError(f"a {type(self).__name__} can be iterated only once; start a new one with its cursor")
        self._started = True
        return self._run()

    def _run(self) -> Iterator[SubmissionRecord]:
        raise NotImplementedError

    @property
    def cursor(self) -> dict[str, Any]:
        """The cursor for the next run; only once every record of this run was read."""
        if self._new_cursor is None:
            raise RuntimeError("the new cursor exists only after every record of the sync was read")
        return dict(self._new_cursor)

    def reconciliation_due(self, now: datetime | str) -> bool:
        """Whether a run starting at ``now`` compares the caller's store with the server."""
        if self._store is None:
            return False
        if self._force or self._reconciled_at is None:
            return True
        elapsed = (now if isinstance(now, datetime) else utc_moment(now)) - utc_moment(self._reconciled_at)
        return elapsed >= self._reconcile_every or elapsed < timedelta(0)  # a clock set back: reconcile
