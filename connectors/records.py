"""The normalized submission record every source yields, and its timestamps."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, NamedTuple


def utc_stamp(moment: datetime) -> str:
    """``moment`` as the records' timestamps are written: ISO 8601 in UTC with milliseconds, ``…T03:45:00.000Z``."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def utc_now() -> str:
    """This machine's clock as :func:`utc_stamp` writes it."""
    return utc_stamp(datetime.now(UTC))


def utc_moment(text: str) -> datetime:
    """An ISO 8601 time (``…Z`` as :func:`utc_stamp` writes it); without a zone: UTC."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class SubmissionRecord(NamedTuple):
    """One submission as a source delivered it, with its identity and system fields lifted out.

    ``payload`` is the submission in the canonical shape: the ODK Central OData row with
    ``$expand=*`` (groups as nested objects, repeats as arrays of objects, typed numbers,
    select_multiple as one space-separated string, ``__id`` and ``__system`` included).
    For ODK Central it is exactly the row received. A source whose native shape differs
    (KoboToolbox, export files) converts to this shape and keeps its own document in
    ``received``.

    Timestamps are ISO 8601 strings in UTC as the source gave them (``...Z``, see :func:`utc_stamp`), or ``None``.

    A named tuple, immutable: a sync builds one per submission, and a frozen dataclass cost four times as much to
    make (2.5 µs against 0.6). ``record._replace(...)`` makes a changed copy.
    """

    source: str  # the route: "odk_central", "kobotoolbox", "file:<kind>", "demo"
    project: str  # ODK project id, Kobo asset uid, export file name
    form_id: str  # xmlFormId (ODK) / form_id of the XLSForm settings
    instance_id: str  # the root instance id, stable across edits and routes: ODK ``__id``, Kobo ``meta/rootUuid``
    form_version: str | None
    current_instance_id: str | None  # ``meta/instanceID`` of the current version (changes on edit)
    submitted_at: str | None
    updated_at: str | None
    deleted_at: str | None
    submitter: str | None
    review_state: str | None
    payload: dict[str, Any]
    received: dict[str, Any] | None = None

    @property
    def key(self) -> tuple[str, str]:
        """The identity a warehouse upserts on: the form and the root instance id, whatever route or file
        brought the submission (``warehouse.raw.raw_store`` says which version wins)."""
        return (self.form_id, self.instance_id)

    def __repr__(self) -> str:  # without the answers: a record in a log or an error shows who, not what
        return (f"SubmissionRecord(source={self.source!r}, project={self.project!r}, form_id={self.form_id!r}, "
                f"instance_id={self.instance_id!r}, form_version={self.form_version!r})")
