"""ODK Central OData rows → the normalized :class:`SubmissionRecord`."""

from __future__ import annotations

from typing import Any

from connectors.records import SubmissionRecord

SOURCE = "odk_central"


def record_from_odata_row(row: dict[str, Any], project: int | str, form_id: str) -> SubmissionRecord:
    """Lift identity and system fields out of one OData ``Submissions`` row (``$expand=*``).

    ``instance_id`` is ``__id`` (stable across edits), ``current_instance_id`` is
    ``meta.instanceID`` (the current version), ``submitter`` the submitter's name, else id.
    The row itself becomes the ``payload``, untouched.
    """
    instance_id = row.get("__id")
    if not isinstance(instance_id, str) or not instance_id:
        raise ValueError(f"an OData submission row without __id (form {form_id}, project {project})")
    system = row.get("__system") or {}
    meta = row.get("meta")
    current = meta.get("instanceID") if isinstance(meta, dict) else None
    submitter = system.get("submitterName") or system.get("submitterId")
    return SubmissionRecord(
        source=SOURCE,
        project=str(project),
        form_id=form_id,
        instance_id=instance_id,
        form_version=system.get("formVersion"),
        current_instance_id=current,
        submitted_at=system.get("submissionDate"),
        updated_at=system.get("updatedAt"),
        deleted_at=system.get("deletedAt"),
        submitter=None if submitter is None else str(submitter),
        review_state=system.get("reviewState"),
        payload=row,
    )
