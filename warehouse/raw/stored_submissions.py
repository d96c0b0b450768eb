"""What the warehouse holds of one form from one source, as a connector that reconciles against it sees it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlalchemy import Engine, select, union

from connectors.kobotoolbox.documents import with_uuid_prefix
from connectors.records import SubmissionRecord
from connectors.sync import StoredIdentity
from warehouse.schema.models import RawSubmission, RawSubmissionHistory

PAGE = 5000


class WarehouseSubmissions:
    """Stored live submissions streamed in the platform's row order, page by page (memory flat at any size).

    Those whose kept version this source and project brought: a submission whose newer version came by another
    route (``warehouse.raw.raw_store``) is that route's to reconcile, never taken for one this platform deleted."""

    def __init__(self, engine: Engine, source: str, project: str, form_id: str, page: int = PAGE):
        self.engine, self._page, self._form_id = engine, page, form_id
        r = RawSubmission
        self._where = (r.source == source, r.project == project, r.form_id == form_id)

    def identities(self) -> Iterator[StoredIdentity]:
        r = RawSubmission
        after = -1
        while True:
            with self.engine.connect() as conn:
                rows = conn.execute(
                    select(r.source_row_id, r.instance_id, r.current_instance_id, r.review_state)
                    .where(*self._where, r.deleted_at.is_(None), r.source_row_id > after)
                    .order_by(r.source_row_id).limit(self._page)).all()
            if not rows:
                return
            yield from (StoredIdentity(*row) for row in rows)
            after = rows[-1].source_row_id

    def live_instance_ids(self) -> Iterator[str]:
        """The instance id of every stored live submission, a page at a time (ODK Central's id reconciliation)."""
        r = RawSubmission
        after = ""
        while True:
            with self.engine.connect() as conn:
                ids = conn.execute(select(r.instance_id)
                                   .where(*self._where, r.deleted_at.is_(None), r.instance_id > after)
                                   .order_by(r.instance_id).limit(self._page)).scalars().all()
            if not ids:
                return
            yield from ids
            after = ids[-1]

    def records(self, instance_ids: Sequence[str]) -> list[SubmissionRecord]:
        r = RawSubmission
        with self.engine.connect() as conn:
            rows = conn.execute(select(
                r.source, r.project, r.form_id, r.instance_id, r.form_version, r.current_instance_id, r.submitted_at,
                r.updated_at, r.deleted_at, r.submitter, r.review_state, r.payload, r.received,
            ).where(*self._where, r.instance_id.in_(list(instance_ids)))).all()
        return [SubmissionRecord(*row) for row in rows]

    def root_instance_ids(self) -> dict[str, str]:
        """Of the whole form, whatever route brought it: each later version's instance id (the kept one's and
        those in the history) → its submission's root instance id. What a KoboToolbox XLSX export, which names
        an edited submission by its current version, needs to name it as the Kobo sync did (``known_ids``).
        Edited submissions only."""
        r, h = RawSubmission, RawSubmissionHistory
        kept = select(r.current_instance_id, r.instance_id).where(
            r.form_id == self._form_id, r.current_instance_id != r.instance_id)
        earlier = select(h.current_instance_id, r.instance_id).join(r, r.id == h.raw_submission_id).where(
            r.form_id == self._form_id, h.current_instance_id != r.instance_id)
        with self.engine.connect() as conn:
            return {with_uuid_prefix(current): root for current, root in conn.execute(union(kept, earlier))}
