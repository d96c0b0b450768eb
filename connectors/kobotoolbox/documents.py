"""KoboToolbox submission documents → the normalized :class:`SubmissionRecord` in the canonical shape.

A Kobo document is flat: answers keyed by full group paths (``location/province``), repeats as
lists of dicts keyed by full paths too, values as strings, plus system keys (``_id``, ``_uuid``,
``_submission_time`` …). Identity: ``meta/rootUuid`` survives edits and equals the original
``meta/instanceID`` — the ``__id`` ODK Central gives the same answers — so it is the
``instance_id``; a document without it (received before KoboToolbox kept one) falls back to
``uuid:`` + ``_uuid``, which changes when that submission is edited.

``__system`` has ODK Central's keys, filled from what Kobo knows:

- ``submissionDate``: ``_submission_time`` (UTC without a zone) as ``…T…:…:….000Z``;
- ``updatedAt``: ``None`` (Kobo keeps no modification time); ``deletedAt``: ``None`` (a deleted
  document is gone; :mod:`connectors.kobotoolbox.sync` reports deletions);
- ``submitterId``: ``None`` (no user id); ``submitterName``: ``_submitted_by``;
- ``reviewState``: from ``_validation_status`` (approved → ``approved``, not approved →
  ``rejected``, on hold → ``hasIssues``), else ``edited`` for an edited submission, else ``None``;
- ``edits``: ``0`` when never edited, ``None`` when edited (Kobo does not count edits);
- ``formVersion``: ``__version__`` (the KPI version id, not the XLSForm's ``settings.version``);
- ``attachmentsPresent``: ``_attachments`` not deleted; ``attachmentsExpected``: answered file
  questions; ``status`` and ``deviceId``: ``None``.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from connectors.form_schema import REPEAT, Answers, FormSchema, canonical_payload
from connectors.records import SubmissionRecord

SOURCE = "kobotoolbox"
REVIEW_STATES = {
    "validation_status_approved": "approved",
    "validation_status_not_approved": "rejected",
    "validation_status_on_hold": "hasIssues",
}
REVIEW_LABELS = {"Approved": "approved", "Not Approved": "rejected", "On Hold": "hasIssues"}
KOBO_KEYS = frozenset({"__version__", "formhub/uuid", "meta/rootUuid", "meta/deprecatedID"})  # not answers
INSTANCE_ID = "meta/instanceID"


class DocumentError(ValueError):
    """A document this normalizer cannot use; the message names what is wrong."""


def with_uuid_prefix(value: str) -> str:
    return value if ":" in value else f"uuid:{value}"


def instance_ids(document: dict[str, Any]) -> tuple[str, str]:
    """(stable instance id, current instance id) of a Kobo document."""
    uuid = document.get("_uuid")
    current = document.get(INSTANCE_ID) or (with_uuid_prefix(uuid) if isinstance(uuid, str) and uuid else None)
    root = document.get("meta/rootUuid")
    stable = with_uuid_prefix(root) if isinstance(root, str) and root else current
    if not stable or not current:
        raise DocumentError(f"submission {document.get('_id', '?')} has neither `meta/rootUuid` nor `_uuid`")
    return stable, current


def is_edited(document: dict[str, Any]) -> bool:
    stable, current = instance_ids(document)
    return current != stable or bool(document.get("meta/deprecatedID"))


def review_state(validation_status: Any, *, edited: bool) -> str | None:
    """ODK Central's review state for a Kobo ``_validation_status`` (a dict, its uid or its label)."""
    key = validation_status.get("uid") if isinstance(validation_status, dict) else validation_status
    state = REVIEW_STATES.get(key) or REVIEW_LABELS.get(key)
    return state or ("edited" if edited else None)


def submission_date(value: Any) -> str | None:
    """``_submission_time`` (UTC, no zone: ``2026-11-01T08:00:00``) as ``2026-11-01T08:00:00.000Z``."""
    if value in (None, ""):
        return None
    moment = value if isinstance(value, datetime) else _parse_time(str(value))
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _parse_time(text: str) -> datetime:
    try:
        return datetime.fromisoformat(re.sub(r"(Z|[+-]00:?00)$", "", text.strip()))
    except ValueError:
        raise DocumentError(f"`_submission_time` {text!r} is not a timestamp") from None


def answers_from_document(document: dict[str, Any], schema: FormSchema, *, strict: bool) -> Answers:
    """The answers of a Kobo document (or of one repeat entry of it), keyed by full paths.

    Keys that are not fields of the form are skipped, or refused with ``strict=True``; keys
    starting with ``_`` and Kobo's own (``__version__``, ``formhub/uuid``, ``meta/rootUuid`` …)
    are not answers.
    """
    answers = Answers()
    for key, value in document.items():
        target = schema.get(key)
        if target is None or target.type == "group":
            if strict and not key.startswith("_") and key not in KOBO_KEYS:
                raise DocumentError(f"`{key}` is not a question of form `{schema.form_id}`")
            continue
        if target.type == REPEAT:
            if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
                raise DocumentError(f"repeat `{key}` is not a list of entries")
            answers.repeats[key] = [answers_from_document(entry, schema, strict=strict) for entry in value]
        elif value not in (None, ""):
            answers.values[key] = value if isinstance(value, str) else _text(key, value)
    return answers


def _text(key: str, value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise DocumentError(f"the answer to `{key}` is not text: {value!r}"[:200])
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def record_from_document(
    document: dict[str, Any],
    schema: FormSchema,
    *,
    project: str,
    form_id: str | None = None,
    source: str = SOURCE,
    strict: bool = False,
) -> SubmissionRecord:
    """The :class:`SubmissionRecord` of one Kobo document (kept whole in ``received``)."""
    answers = answers_from_document(document, schema, strict=strict)
    attachments = [a for a in document.get("_attachments") or [] if isinstance(a, dict) and not a.get("is_deleted")]
    return record_from_answers(
        answers, schema, document, project=project, form_id=form_id, source=source, attachments_present=len(attachments)
    )


def record_from_answers(
    answers: Answers,
    schema: FormSchema,
    system_keys: dict[str, Any],
    *,
    project: str,
    form_id: str | None,
    source: str,
    attachments_present: int = 0,
    received: dict[str, Any] | None = None,
) -> SubmissionRecord:
    """A record from answers and Kobo's system keys (``_uuid``, ``meta/rootUuid``, ``_submission_time`` …).

    ``received`` defaults to ``system_keys`` (a whole Kobo document).
    """
    stable, current = instance_ids(system_keys)
    if schema.get(INSTANCE_ID) is not None:
        answers.values.setdefault(INSTANCE_ID, current)
    edited = is_edited(system_keys)
    review = review_state(system_keys.get("_validation_status"), edited=edited)
    submitted = submission_date(system_keys.get("_submission_time"))
    submitter = system_keys.get("_submitted_by") or None
    version = system_keys.get("__version__") or None
    system = {
        "submissionDate": submitted,
        "updatedAt": None,
        "submitterId": None,
        "submitterName": submitter,
        "attachmentsPresent": attachments_present,
        "attachmentsExpected": _files_answered(schema, answers),
        "status": None,
        "reviewState": review,
        "deviceId": None,
        "edits": None if edited else 0,
        "formVersion": version,
        "deletedAt": None,
    }
    try:
        payload = canonical_payload(schema, answers, stable, system)
    except ValueError as exc:
        raise DocumentError(str(exc)) from None
    return SubmissionRecord(
        source=source,
        project=project,
        form_id=form_id or schema.form_id,
        instance_id=stable,
        form_version=version,
        current_instance_id=current,
        submitted_at=submitted,
        updated_at=None,
        deleted_at=None,
        submitter=submitter,
        review_state=review,
        payload=payload,
        received=system_keys if received is None else received,
    )


def _files_answered(schema: FormSchema, answers: Answers) -> int:
    count = sum(1 for path in answers.values if (f := schema.get(path)) is not None and f.type == "binary")
    return count + sum(_files_answered(schema, entry) for entries in answers.repeats.values() for entry in entries)
