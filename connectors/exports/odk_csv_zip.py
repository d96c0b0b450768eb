"""ODK Central's ``submissions.csv.zip`` export → :class:`SubmissionRecord` objects in the canonical shape.

The format assumed (central-backend ``lib/data/briefcase.js``, the Briefcase-compatible export):

- ``<xmlFormId>.csv`` is the root table; each repeat has ``<xmlFormId>-<repeat name>.csv``
  (``~1``, ``~2`` … in form order when two repeats share a name), written even when empty.
  Other members (``media/…`` attachments) are ignored. UTF-8, comma-separated, RFC 4180 quotes;
  a byte-order mark is accepted.
- Root header: ``SubmissionDate``, the fields in form order, then ``KEY, SubmitterID,
  SubmitterName, AttachmentsPresent, AttachmentsExpected, Status, ReviewState, DeviceID, Edits,
  FormVersion`` (older Centrals lack some trailing ones: only ``SubmissionDate`` and ``KEY`` are
  required).
- A field's column is its path below its table joined with ``-`` (``location-province``), or
  its bare name when exported with “remove group names”; a geopoint is four columns
  ``<col>-Latitude``, ``-Longitude``, ``-Altitude``, ``-Accuracy``; a select_multiple may be
  followed by ``<col>/<choice>`` 0/1 columns (“split select multiple”), which are ignored.
- Cells hold the submission XML's text as is (empty: not answered). ``KEY`` is the instance id
  (ODK's ``__id``, kept across edits); ``meta-instanceID`` is the current version's.
- A repeat table has its fields, then ``PARENT_KEY`` (the root ``KEY``, or the enclosing repeat
  entry's ``KEY``) and ``KEY`` = ``<PARENT_KEY>/<groups>/<repeat>[n]`` (n from 1, in form order).
- Deleted submissions are not exported; ``updatedAt`` is not in the file (``None``).

Fields of the form with no column are taken as unanswered (an export made before they were
added); a column that is not a field of the form is refused (its answers would be lost).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from connectors.exports.common import (
    DEFAULT_LIMITS,
    ExportImport,
    ImportLimits,
    decode_text,
    listing,
    name_list,
    read_source,
    refuse,
)
from connectors.form_schema import Answers, FormField, FormSchema, canonical_payload
from connectors.records import SubmissionRecord

SOURCE = "file:odk_csv_zip"
ROOT_SYSTEM = ("SubmissionDate", "KEY", "SubmitterID", "SubmitterName", "AttachmentsPresent",
               "AttachmentsExpected", "Status", "ReviewState", "DeviceID", "Edits", "FormVersion")
REPEAT_SYSTEM = ("PARENT_KEY", "KEY")
GEO_PARTS = ("Latitude", "Longitude", "Altitude", "Accuracy")


@dataclass
class _Table:
    member: str
    header: list[str]
    rows: list[list[str]]
    columns: dict[int, tuple[FormField, int | None]]  # cell index → field (and geopoint part)
    system: dict[str, int]


def read_odk_csv_zip(source: Path | bytes, schema: FormSchema, *, name: str | None = None,
                     limits: ImportLimits = DEFAULT_LIMITS) -> ExportImport:
    """Read and check a whole ``submissions.csv.zip`` of ``schema``'s form; refuses it with a
    :class:`SourceError` before anything is yielded if it is malformed, of another form or beyond ``limits``."""
    content, name = read_source(source, name)
    what = f"ODK Central export {name}"
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        raise refuse(what, "not_zip", "not a zip archive (expected ODK Central's submissions.csv.zip)") from None
    with archive:
        members = {Path(m).name: m for m in archive.namelist() if m.lower().endswith(".csv") and "/" not in m}
        root_member = f"{schema.form_id}.csv"
        if root_member not in members:
            found = sorted(members)
            raise refuse(what, "no_root_member", f"no `{root_member}` in the archive" +
                         (f"; it holds {listing(found)}: an export of another form?" if found else ""),
                         member=root_member)
        expected = _repeat_members(schema)
        strangers = sorted(set(members) - {root_member} - set(expected))
        if strangers:
            raise refuse(what, "stray_members", f"{listing(strangers)}"
                         f" {'is not a repeat' if len(strangers) == 1 else 'are not repeats'} of form"
                         f" `{schema.form_id}`",
                         members=name_list(strangers), form_id=schema.form_id)
        missing = sorted(set(expected) - set(members))
        if missing:
            raise refuse(what, "missing_members", f"{listing(missing)} missing: the answers in repeats would be lost",
                         members=name_list(missing))
        root = _read_table(archive, members[root_member], schema, None, what, limits)
        repeats = {repeat.path: _read_table(archive, members[member], schema, repeat, what, limits)
                   for member, repeat in expected.items()}
    records = _records(schema, root, repeats, name, what)
    return ExportImport(name, content, records)


def _repeat_members(schema: FormSchema) -> dict[str, FormField]:
    totals = Counter(r.name for r in schema.repeats)
    seen: Counter[str] = Counter()
    members = {}
    for repeat in schema.repeats:
        seen[repeat.name] += 1
        suffix = f"~{seen[repeat.name]}" if totals[repeat.name] > 1 else ""
        members[f"{schema.form_id}-{repeat.name}{suffix}.csv"] = repeat
    return members


def _read_table(archive: zipfile.ZipFile, member: str, schema: FormSchema, repeat: FormField | None,
                what: str, limits: ImportLimits) -> _Table:
    text = decode_text(limits.read_member(archive, archive.getinfo(member), what), what, member)
    try:
        rows = limits.rows(csv.reader(io.StringIO(text, newline="")), member, what)
    except csv.Error as exc:
        raise refuse(what, "not_csv", f"`{member}` is not a readable CSV file ({exc})", member=member) from None
    if not rows:
        raise refuse(what, "member_empty", f"`{member}` is empty (no header row)", member=member)
    header, rows = rows[0], [r for r in rows[1:] if r]
    for number, row in enumerate(rows, start=2):
        if len(row) != len(header):
            raise refuse(what, "cell_count", f"`{member}` line {number} has {len(row)} cells, its header {len(header)}",
                         member=member, line=number, cells=len(row), header=len(header))
    duplicates = sorted(c for c, n in Counter(header).items() if n > 1)
    if duplicates:
        raise refuse(what, "column_twice", f"`{member}` has the column {listing(duplicates)} twice", member=member,
                     columns=name_list(duplicates))
    system_names = REPEAT_SYSTEM if repeat else ROOT_SYSTEM
    required = REPEAT_SYSTEM if repeat else ("SubmissionDate", "KEY")
    absent = [c for c in required if c not in header]
    if absent:
        raise refuse(what, "no_system_columns", f"`{member}` has no {listing(absent)} column: not an ODK Central"
                     " export", member=member, columns=name_list(absent))
    system = {c: i for i, c in enumerate(header) if c in system_names}
    table = None if repeat is None else repeat.path
    unknown: list[str] = []
    for grouped in (True, False):  # columns named by group paths (the default), or by field names only
        columns = _columns(schema, table, header, grouped=grouped)
        if columns is None:
            continue
        strays = [c for i, c in enumerate(header) if i not in columns and c not in system and not _split(c, header)]
        if not strays:
            break
        unknown = unknown or strays
    else:
        strays = f"{listing(unknown)}, not {'a field' if len(unknown) == 1 else 'fields'}" if unknown \
            else "columns that match several fields"
        raise refuse(what, "unknown_columns" if unknown else "ambiguous_columns",
                     f"`{member}` has {strays} of form `{schema.form_id}` version {schema.version}: an export of"
                     " another form or version?", member=member, columns=name_list(unknown), form_id=schema.form_id,
                     version=schema.version)
    return _Table(member, header, rows, columns, system)


def _columns(schema: FormSchema, table: str | None, header: list[str], *, grouped: bool
             ) -> dict[int, tuple[FormField, int | None]] | None:
    """Cell index → (field, geopoint part) for the fields of ``table``; ``None`` if names are ambiguous."""
    names: dict[str, tuple[FormField, int | None]] = {}
    for target in schema.table_fields(table):
        relative = target.path[len(table) + 1:] if table else target.path
        base = relative.replace("/", "-") if grouped else target.name
        spellings = [(f"{base}-{part}", i) for i, part in enumerate(GEO_PARTS)] if target.type == "geopoint" \
            else [(base, None)]
        for spelling, part in spellings:
            if spelling in names:
                return None
            names[spelling] = (target, part)
    return {i: names[c] for i, c in enumerate(header) if c in names}


def _split(column: str, header: list[str]) -> bool:
    """A ``<select_multiple column>/<choice>`` 0/1 column of the “split select multiple” option."""
    base, slash, _ = column.rpartition("/")
    return bool(slash) and base in header


def _answers(table: _Table, row: list[str]) -> Answers:
    answers = Answers()
    points: dict[str, list[str]] = {}
    for index, (target, part) in table.columns.items():
        cell = row[index]
        if part is not None:
            points.setdefault(target.path, ["", "", "", ""])[part] = cell.strip()
        elif cell != "":
            answers.values[target.path] = cell
    for path, parts in points.items():
        if parts[0] and parts[1]:
            while not parts[-1]:
                parts.pop()
            answers.values[path] = " ".join(parts)
    return answers


def _records(schema: FormSchema, root: _Table, repeats: dict[str, _Table], name: str,
             what: str) -> list[SubmissionRecord]:
    nodes: dict[str | None, dict[str, Answers]] = {None: {}}
    key_at = root.system["KEY"]
    for number, row in enumerate(root.rows, start=2):
        key = row[key_at]
        if not key:
            raise refuse(what, "no_key", f"`{root.member}` line {number} has no KEY", member=root.member,
                         line=number)
        if key in nodes[None]:
            raise refuse(what, "submission_twice", f"`{root.member}` holds submission `{key}` twice")
        _timestamp(row[root.system["SubmissionDate"]], root.member, number, what)
        nodes[None][key] = _answers(root, row)
    received: dict[str, dict[str, list[dict[str, str]]]] = {key: {} for key in nodes[None]}
    for repeat in schema.repeats:
        table = repeats[repeat.path]
        parents = nodes[repeat.repeat]
        entries: dict[str, tuple[Answers, str, int]] = {}
        for number, row in enumerate(table.rows, start=2):
            parent, key = row[table.system["PARENT_KEY"]], row[table.system["KEY"]]
            if parent not in parents:
                raise refuse(what, "orphan_line", f"`{table.member}` line {number}: PARENT_KEY `{parent}` points to"
                             f" no {'submission' if repeat.repeat is None else 'entry'} of this export",
                             member=table.member, line=number)
            position = _position(repeat, parent, key)
            if position is None:
                raise refuse(what, "bad_key", f"`{table.member}` line {number}: KEY `{key}` is not"
                             f" `{parent}/…{repeat.name}[n]`", member=table.member, line=number)
            if key in entries:
                raise refuse(what, "entry_twice", f"`{table.member}` holds entry `{key}` twice", member=table.member)
            entries[key] = (_answers(table, row), parent, position)
            root_key = key.split("/", 1)[0]
            received[root_key].setdefault(table.member, []).append(dict(zip(table.header, row, strict=True)))
        for answers, parent, _ in sorted(entries.values(), key=lambda entry: entry[2]):
            parents[parent].repeats.setdefault(repeat.path, []).append(answers)
        nodes[repeat.path] = {key: answers for key, (answers, _, _) in entries.items()}
    return [_record(schema, root, row, nodes[None][row[key_at]], name, what,
                    {"row": dict(zip(root.header, row, strict=True)), "repeats": received[row[key_at]]})
            for row in root.rows]


def _timestamp(text: str, member: str, line: int, what: str) -> None:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        raise refuse(what, "bad_timestamp", f"`{member}` line {line}: SubmissionDate `{text}` is not a timestamp",
                     member=member, line=line) from None


def _position(repeat: FormField, parent: str, key: str) -> int | None:
    holder = repeat.repeat or ""
    groups = repeat.parent[len(holder):].strip("/")
    prefix = f"{parent}/{groups}/" if groups else f"{parent}/"
    match = re.fullmatch(re.escape(prefix + repeat.name) + r"\[([1-9]\d*)\]", key)
    return int(match.group(1)) if match else None


def _record(schema: FormSchema, root: _Table, row: list[str], answers: Answers, name: str, what: str,
            received: dict[str, object]) -> SubmissionRecord:
    def cell(column: str) -> str | None:
        index = root.system.get(column)
        return (row[index] or None) if index is not None else None

    def count(column: str) -> int:
        text = cell(column)
        if text is None:
            return 0
        if not text.isdigit():
            raise refuse(what, "not_a_number", f"`{root.member}`: {column} `{text}` of submission"
                         f" `{cell('KEY')}` is not a number", member=root.member, column=column)
        return int(text)

    instance_id = cell("KEY")
    current = answers.values.get("meta/instanceID") or instance_id
    system = {
        "submissionDate": cell("SubmissionDate"),
        "updatedAt": None,
        "submitterId": cell("SubmitterID"),
        "submitterName": cell("SubmitterName"),
        "attachmentsPresent": count("AttachmentsPresent"),
        "attachmentsExpected": count("AttachmentsExpected"),
        "status": cell("Status"),
        "reviewState": cell("ReviewState"),
        "deviceId": cell("DeviceID"),
        "edits": count("Edits"),
        "formVersion": cell("FormVersion"),
        "deletedAt": None,
    }
    return SubmissionRecord(
        source=SOURCE,
        project=name,
        form_id=schema.form_id,
        instance_id=instance_id,
        form_version=system["formVersion"],
        current_instance_id=current,
        submitted_at=system["submissionDate"],
        updated_at=None,
        deleted_at=None,
        submitter=system["submitterName"] or system["submitterId"],
        review_state=system["reviewState"],
        payload=canonical_payload(schema, answers, instance_id, system),
        received=received,
    )
