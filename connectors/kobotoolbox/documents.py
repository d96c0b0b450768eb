"""KoboToolbox submission documents → the normalized :class:`SubmissionRecord` in the canonical shape.

A Kobo document is flat: answers keyed by full group paths (``location/province``), repeats as
lists of dicts keyed by full paths too, values as strings, plus system keys (``_id``, ``_uuid``,
``_submission_time`` …). Identity: ``meta/rootUuid`` survives edits and equals the original
``meta/instanceID`` — the ``__id`` ODK Central gives the same answers — so it is the
``instance_id``; a document without it (received before KoboToolbox kept one) falls back to
``uuid:`` + ``_uuid``. An edit of such a document gets a new ``meta/rootUuid``: the sync keeps the identity
first stored for its ``_id`` and passes it as ``identity`` (:mod:`connectors.kobotoolbox.sync`). kpi writes
``meta/rootUuid`` with the ``uuid:`` prefix and ``meta/instanceID`` as the device sent it, with or without it:
the two are compared without it.

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
from collections.abc import Callable
from datetime import datetime
from typing import Any

from connectors.form_schema import (
    GROUP,
    REPEAT,
    Answers,
    Filled,
    FormSchema,
    attach_repeats,
    canonical_payload,
)
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
_UTC_SUFFIX = re.compile(r"(Z|[+-]00:?00)$")
# 2026-11-01T08:00:00 with a year from 1000 and a time of the day: as _submission_time is sent, and written back as is
_PLAIN_TIME = re.compile(r"[1-9]\d{3}-[01]\d-[0-3]\dT(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d", re.ASCII)


class DocumentError(ValueError):
    """A document this normalizer cannot use; the message names what is wrong."""


def with_uuid_prefix(value: str) -> str:
    return value if ":" in value else f"uuid:{value}"


def instance_ids(document: dict[str, Any], identity: str | None = None) -> tuple[str, str]:
    """(stable instance id, current instance id) of a Kobo document; ``identity``: the stable id already known
    for its ``_id``."""
    uuid = document.get("_uuid")
    current = document.get(INSTANCE_ID) or (with_uuid_prefix(uuid) if isinstance(uuid, str) and uuid else None)
    root = document.get("meta/rootUuid")
    stable = identity or (with_uuid_prefix(root) if isinstance(root, str) and root else current)
    if not stable or not current:
        raise DocumentError(f"submission {document.get('_id', '?')} has neither `meta/rootUuid` nor `_uuid`")
    return stable, current


def is_edited(document: dict[str, Any], identity: str | None = None) -> bool:
    stable, current = instance_ids(document, identity)
    return _edited(document, stable, current)


def _edited(document: dict[str, Any], stable: str, current: str) -> bool:
    """:func:`is_edited` with the document's instance ids already read (``uuid:`` or not, the same id)."""
    return with_uuid_prefix(current) != with_uuid_prefix(stable) or bool(document.get("meta/deprecatedID"))


def review_state(validation_status: Any, *, edited: bool) -> str | None:
    """ODK Central's review state for a Kobo ``_validation_status`` (a dict, its uid or its label)."""
    key = validation_status.get("uid") if isinstance(validation_status, dict) else validation_status
    state = REVIEW_STATES.get(key) or REVIEW_LABELS.get(key)
    return state or ("edited" if edited else None)


def submission_date(value: Any) -> str | None:
    """``_submission_time`` (UTC, no zone: ``2026-11-01T08:00:00``) as ``2026-11-01T08:00:00.000Z``."""
    if value in (None, ""):
        return None
    if value.__class__ is str and _PLAIN_TIME.fullmatch(value) is not None:  # the usual text, its own isoformat()
        try:
            datetime.fromisoformat(value)
        except ValueError:
            pass  # not a day of the calendar: said below
        else:
            return f"{value}.000Z"
    moment = value if isinstance(value, datetime) else _parse_time(str(value))
    if moment.tzinfo is None and moment.year >= 1000:  # the same text as strftime's, in a third of its time
        return f"{moment.isoformat(timespec='seconds')}.{moment.microsecond // 1000:03d}Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _parse_time(text: str) -> datetime:
    try:
        return datetime.fromisoformat(_UTC_SUFFIX.sub("", text.strip()))
    except ValueError:
        raise DocumentError(f"`_submission_time` {text!r} is not a timestamp") from None


def answers_from_document(document: dict[str, Any], schema: FormSchema, *, strict: bool) -> Answers:
    """The answers of a Kobo document (or of one repeat entry of it), keyed by full paths.

    Keys that are not fields of the form are skipped, or refused with ``strict=True``; keys
    starting with ``_`` and Kobo's own (``__version__``, ``formhub/uuid``, ``meta/rootUuid`` …)
    are not answers.
    """
    types = schema.types  # one dict lookup per key, built once per schema
    answers = Answers()
    values = answers.values
    for key, value in document.items():
        kind = types.get(key)
        if kind is None or kind == GROUP:
            if strict and not key.startswith("_") and key not in KOBO_KEYS:
                raise DocumentError(f"`{key}` is not a question of form `{schema.form_id}`")
            continue
        if kind == REPEAT:
            if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
                raise DocumentError(f"repeat `{key}` is not a list of entries")
            answers.repeats[key] = [answers_from_document(entry, schema, strict=strict) for entry in value]
        elif value is not None and value != "":
            values[key] = value if isinstance(value, str) else _text(key, value)
    return answers


def _text(key: str, value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise DocumentError(f"the answer to `{key}` is not text but {type(value).__name__}")  # never its value
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def record_from_document(
    document: dict[str, Any],
    schema: FormSchema,
    *,
    project: str,
    form_id: str | None = None,
    source: str = SOURCE,
    strict: bool = False,
    identity: str | None = None,
) -> SubmissionRecord:
    """The :class:`SubmissionRecord` of one Kobo document (kept whole in ``received``); ``identity``: its
    ``instance_id`` when already known for its ``_id`` (else ``meta/rootUuid``, see the module docstring).

    The answers go straight from the document into the payload's frames, by the form's filling functions
    (:func:`_fillers`, made once per form); a document they cannot place (a question of another table, a
    repeat that is not a list of entries, an answer that is neither text nor a number, a key ``strict``
    refuses …) takes the general way, :func:`answers_from_document` then :func:`record_from_answers`, which
    reads it or says what is wrong, in its own order.
    """
    filled: Filled | None = None
    fill = _fill(schema)
    if fill is not None:
        try:
            filled = fill(document, strict)
        except (_Unusual, ValueError):  # a document out of the usual (or an answer a typer refuses, e.g. an int
            filled = None               # too long to read): the general way reads it or says what is wrong
    attachments = document.get("_attachments")
    present = sum(1 for a in attachments if isinstance(a, dict) and not a.get("is_deleted")) if attachments else 0
    if filled is None:
        answers = answers_from_document(document, schema, strict=strict)
        return record_from_answers(answers, schema, document, project=project, form_id=form_id, source=source,
                                   attachments_present=present, identity=identity)
    row, entries = filled
    stable, current = instance_ids(document, identity)
    plan = schema.table_plan(None)
    slot = plan.slots.get(INSTANCE_ID)
    if slot is not None and document.get(INSTANCE_ID) in (None, ""):
        groups, key, typer = slot
        container = row
        for group in groups:
            container = container[group]
        container[key] = current if typer is None else typer(current)
    files = schema.file_paths
    system = _system(document, stable, current, present,
                     _files_in_document(files, schema.types, document) if files else 0)
    row["__id"] = stable
    row["__system"] = system
    if entries:
        attach_repeats(schema, plan, row, entries, [], stable)
    return _record(source, project, form_id or schema.form_id, stable, current, system, row, document)


class _Unusual(Exception):
    """A document the filling functions leave to the general way."""


# KPI's own keys in a document (none is an answer): a document holding only these and the form's questions needs
# no look at its other keys
SYSTEM_KEYS = KOBO_KEYS | {
    "_id", "_uuid", "_attachments", "_status", "_geolocation", "_submission_time", "_tags", "_notes",
    "_validation_status", "_submitted_by", "_xform_id_string", "_xform_id", "_media_all_received", "_total_media",
    "_media_count", "_supplementalDetails",
}
_MISSING = object()


def _fill(schema: FormSchema) -> Callable[[dict[str, Any], bool], Filled] | None:
    """The filling function of the form's root table (``None``: its documents always take the general way)."""
    return schema.derived("kobotoolbox.fill", _fillers)


def _fillers(schema: FormSchema) -> Callable[[dict[str, Any], bool], Filled] | None:
    """One Python function per table (the root and each repeat), written from the form and compiled once.

    ``fill(document, strict)`` → (the table's frame with the document's answers typed in, its repeats' entries
    filled likewise or ``None``): what walking the document key by key into :meth:`FormSchema.table_plan`'s
    frames gives (the general way's :func:`connectors.form_schema._fill`), but with one ``document.get`` per
    question of the table and the frame written as one dict display, so the per-answer work is a few bytecodes.
    A document with a key the function does not read (a question of another table, a misplaced repeat, or with
    ``strict`` a key that is not a question) or a value that is not text, a number or ``None`` raises
    :class:`_Unusual`. ``None`` when a table's questions do not map one to one onto its frame (two names the
    same after sanitizing): such a form takes the general way, which keeps the last answer in document order.
    """
    if not (schema.get(INSTANCE_ID) is None or INSTANCE_ID in schema.table_plan(None).slots):
        return None  # meta/instanceID inside a repeat: the general way fills it in
    types = schema.types
    system = SYSTEM_KEYS - types.keys()
    namespace: dict[str, Any] = {"_Unusual": _Unusual, "_MISSING": _MISSING, "_answer_text": _answer_text,
                                 "_check_keys": _check_keys, "_types": types}
    sources: list[str] = []

    def write(table: str | None) -> str | None:
        plan = schema.table_plan(table)
        name = f"_fill_{len(sources)}"
        sources.append("")  # this table's place: the nested tables' functions come after it
        place = len(sources) - 1
        variables: dict[tuple[tuple[str, ...], str], str] = {}
        body: list[str] = []
        for number, (path, (groups, key, typer)) in enumerate(plan.slots.items()):
            variable = f"v{number}"
            variables[(groups, key)] = variable
            if typer is None:
                body += [f"    {variable} = get({path!r})",
                         f"    if {variable}.__class__ is str:",
                         f"        if not {variable}: {variable} = None",
                         f"    elif {variable} is not None: {variable} = _answer_text({path!r}, {variable})"]
            else:
                namespace[f"t{place}_{number}"] = typer
                body += [f"    {variable} = get({path!r})",
                         f"    if {variable}.__class__ is str:",
                         f"        {variable} = t{place}_{number}({variable}) if {variable} else None",
                         f"    elif {variable} is not None:"
                         f" {variable} = t{place}_{number}(_answer_text({path!r}, {variable}))"]
        if len(variables) != len(plan.slots):
            return None
        display = _display(plan.frame, (), variables)
        if display is None:
            return None
        body.append("    entries = None")
        for number, slot in enumerate(plan.repeats):
            path = slot.field.path
            entry = write(path)
            if entry is None:
                return None
            body += [f"    r{number} = get({path!r}, _MISSING)",
                     f"    if r{number} is not _MISSING:",
                     f"        if r{number}.__class__ is not list: raise _Unusual({path!r})",
                     f"        if r{number}:",
                     "            if entries is None: entries = {}",
                     f"            entries[{path!r}] = [{entry}(entry, strict) for entry in r{number}]"]
        namespace[f"_known{place}"] = frozenset(plan.slots) | plan.repeat_paths | system
        sources[place] = "\n".join([
            f"def {name}(document, strict):",
            "    if document.__class__ is not dict: raise _Unusual(document)",
            f"    if not _known{place}.issuperset(document): _check_keys(document, _known{place}, _types, strict)",
            "    get = document.get",
            *body,
            f"    return {display}, entries",
        ])
        return name

    if write(None) is None:
        return None
    exec(compile("\n\n".join(sources), f"<kobotoolbox fill: {schema.form_id}>", "exec"), namespace)  # noqa: S102
    return namespace["_fill_0"]


def _display(frame: Any, groups: tuple[str, ...], variables: dict[tuple[tuple[str, ...], str], str]) -> str | None:
    """The dict display of a frame: each key's answer variable, a group's own display; ``None`` if a key has none."""
    nested = dict(frame.groups)
    items = []
    for key in frame.keys:
        if key in nested:
            value = _display(nested[key], (*groups, key), variables)
        else:
            value = variables.pop((groups, key), None)
        if value is None:
            return None
        items.append(f"{key!r}: {value}")
    if not groups and variables:
        return None  # an answer with no place of its own in the frame
    return "{" + ", ".join(items) + "}"


def _check_keys(document: dict[str, Any], known: frozenset[str], types: dict[str, str], strict: bool) -> None:
    """The keys of a document that its filling function does not read: skipped as :func:`answers_from_document`
    skips them (not a question, or a group), or :class:`_Unusual`."""
    for key in document:
        if key in known:
            continue
        kind = types.get(key)
        if kind is not None and kind != GROUP:
            raise _Unusual(key)  # a question of another table, or a repeat that is not directly in this one
        if strict and not key.startswith("_") and key not in KOBO_KEYS:
            raise _Unusual(key)


def _answer_text(key: str, value: Any) -> str:
    """A number answered as text (:func:`_text`); any other value is unusual."""
    try:
        return _text(key, value)
    except DocumentError:
        raise _Unusual(key) from None


def _files_in_document(files: frozenset[str], types: dict[str, str], document: dict[str, Any]) -> int:
    count = 0
    for key, value in document.items():
        if key in files:
            count += value is not None and value != ""
        elif value.__class__ is list and types.get(key) == REPEAT:
            count += sum(_files_in_document(files, types, entry) for entry in value)
    return count


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
    identity: str | None = None,
) -> SubmissionRecord:
    """A record from answers and Kobo's system keys (``_uuid``, ``meta/rootUuid``, ``_submission_time`` …).

    ``received`` defaults to ``system_keys`` (a whole Kobo document); ``identity`` as for
    :func:`record_from_document`.
    """
    stable, current = instance_ids(system_keys, identity)
    if schema.get(INSTANCE_ID) is not None:
        answers.values.setdefault(INSTANCE_ID, current)
    system = _system(system_keys, stable, current, attachments_present, _files_answered(schema, answers))
    try:
        payload = canonical_payload(schema, answers, stable, system)
    except ValueError as exc:
        raise DocumentError(str(exc)) from None
    return _record(source, project, form_id or schema.form_id, stable, current, system, payload,
                   system_keys if received is None else received)


def _system(system_keys: dict[str, Any], stable: str, current: str, attachments_present: int,
            attachments_expected: int) -> dict[str, Any]:
    """``__system`` as Central's keys (module docstring)."""
    edited = _edited(system_keys, stable, current)
    review = review_state(system_keys.get("_validation_status"), edited=edited)
    return {
        "submissionDate": submission_date(system_keys.get("_submission_time")),
        "updatedAt": None,
        "submitterId": None,
        "submitterName": system_keys.get("_submitted_by") or None,
        "attachmentsPresent": attachments_present,
        "attachmentsExpected": attachments_expected,
        "status": None,
        "reviewState": review,
        "deviceId": None,
        "edits": None if edited else 0,
        "formVersion": system_keys.get("__version__") or None,
        "deletedAt": None,
    }


def _record(source: str, project: str, form_id: str, stable: str, current: str, system: dict[str, Any],
            payload: dict[str, Any], received: dict[str, Any]) -> SubmissionRecord:
    """The record, its fields given by position in their order: by keyword they cost three times as much."""
    return SubmissionRecord(source, project, form_id, stable, system["formVersion"], current,
                            system["submissionDate"], None, None, system["submitterName"], system["reviewState"],
                            payload, received)


def _files_answered(schema: FormSchema, answers: Answers) -> int:
    files = schema.file_paths
    return _count_files(files, answers) if files else 0  # most forms have no file question: no walk


def _count_files(files: frozenset[str], answers: Answers) -> int:
    count = sum(1 for path in answers.values if path in files)
    return count + sum(_count_files(files, entry) for entries in answers.repeats.values() for entry in entries)
