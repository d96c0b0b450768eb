"""Export files built the way the platforms build them, from form values or Kobo documents.

- :func:`odk_csv_zip`: ODK Central's ``submissions.csv.zip``, after central-backend's
  ``lib/data/briefcase.js`` (root table, one table per repeat with ``PARENT_KEY``/``KEY``,
  ``-``-joined group paths, geopoints in four columns, the trailing system columns).
- :func:`kobo_xlsx`: a KoboToolbox XLS export with XML values and headers, after formpack's
  ``Export.to_xlsx`` with KPI's defaults (one sheet per repeat, ``_index`` on every sheet,
  ``_parent_table_name``/``_parent_index``, KPI's copied ``_id``/``_uuid``/… columns, geopoint
  and select_multiple extra columns, text cells).

Form values are nested like the fakes' ``add_submission`` values: groups as dicts, repeats as
lists of dicts, ``None`` for no answer.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from openpyxl import Workbook

from connectors.form_schema import FormSchema

SYSTEM_TAIL = ("KEY", "SubmitterID", "SubmitterName", "AttachmentsPresent", "AttachmentsExpected", "Status",
               "ReviewState", "DeviceID", "Edits", "FormVersion")
KOBO_COPY_FIELDS = ("_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status", "_submitted_by",
                    "__version__", "_tags")
GEO = ("latitude", "longitude", "altitude", "precision")


@dataclass
class CentralSubmission:
    """One submission as Central holds it: its instance id (``KEY``) and the current version's values."""

    instance_id: str
    values: dict[str, Any]
    current_instance_id: str | None = None
    submission_date: str = "2026-11-01T08:00:00.000Z"
    submitter_id: str = "5"
    submitter_name: str = "collector@example.com"
    review_state: str | None = None
    edits: int = 0
    form_version: str = "2026112303"


def _at(values: dict[str, Any] | None, relative: str) -> Any:
    node: Any = values
    for part in relative.split("/"):
        node = node.get(part) if isinstance(node, dict) else None
    return node


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def odk_csv_zip(schema: FormSchema, submissions: list[CentralSubmission], *, group_paths: bool = True,
                split_choices: dict[str, list[str]] | None = None) -> bytes:
    """``submissions.csv.zip`` of ``schema``'s form; ``split_choices`` adds “split select multiple” columns."""
    split_choices = split_choices or {}
    tables: dict[str | None, list[list[str]]] = {None: [], **{r.path: [] for r in schema.repeats}}

    def header(table: str | None) -> list[str]:
        columns = []
        for field in schema.table_fields(table):
            relative = field.path[len(table) + 1:] if table else field.path
            base = relative.replace("/", "-") if group_paths else field.name
            if field.type == "geopoint":
                columns += [f"{base}-{p}" for p in ("Latitude", "Longitude", "Altitude", "Accuracy")]
            else:
                columns.append(base)
                columns += [f"{base}/{choice}" for choice in split_choices.get(field.path, [])]
        return columns

    def cells(table: str | None, values: dict[str, Any]) -> list[str]:
        row = []
        for field in schema.table_fields(table):
            relative = field.path[len(table) + 1:] if table else field.path
            text = _text(_at(values, relative))
            if field.type == "geopoint":
                row += [*text.split(), "", "", "", ""][:4]
            else:
                row.append(text)
                chosen = text.split()
                row += ["1" if c in chosen else "0" for c in split_choices.get(field.path, [])]
        return row

    def repeats(table: str | None, values: dict[str, Any], key: str) -> None:
        for repeat in schema.repeats:
            if repeat.repeat != table:
                continue
            relative = repeat.path[len(table) + 1:] if table else repeat.path
            groups = relative.rpartition("/")[0]
            for number, entry in enumerate(_at(values, relative) or [], start=1):
                entry_key = f"{key}/{groups + '/' if groups else ''}{repeat.name}[{number}]"
                tables[repeat.path].append([*cells(repeat.path, entry), key, entry_key])
                repeats(repeat.path, entry, entry_key)

    for submission in submissions:
        values = {**submission.values, "meta": {"instanceID": submission.current_instance_id or submission.instance_id}}
        tables[None].append([submission.submission_date, *cells(None, values), submission.instance_id,
                             submission.submitter_id, submission.submitter_name, "0", "0", "",
                             _text(submission.review_state), "", str(submission.edits), submission.form_version])
        repeats(None, values, submission.instance_id)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{schema.form_id}.csv", _csv([["SubmissionDate", *header(None), *SYSTEM_TAIL],
                                                        *tables[None]]))
        for repeat in schema.repeats:
            archive.writestr(f"{schema.form_id}-{repeat.name}.csv",
                             _csv([[*header(repeat.path), "PARENT_KEY", "KEY"], *tables[repeat.path]]))
    return buffer.getvalue()


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def kobo_xlsx(content: dict[str, Any], documents: list[dict[str, Any]], *, title: str = "Household survey",
              hierarchy: bool = True, typed: bool = False) -> bytes:
    """A KoboToolbox XLS export (XML values and headers) of ``documents`` of an asset with ``content``.

    ``hierarchy``: “include groups in headers”; ``typed``: numbers and dates stored as such, not as text.
    """
    choices: dict[str, list[str]] = {}
    for choice in content.get("choices", []):
        choices.setdefault(choice["list_name"], []).append(choice["name"])
    sections = _sections(content, title)
    indexes = {name: 0 for name in sections}
    rows: dict[str, list[list[Any]]] = {name: [] for name in sections}

    def write(section: str, entry: dict[str, Any], parent: tuple[str, int] | None, document: dict[str, Any]) -> None:
        indexes[section] += 1
        info = sections[section]
        row: list[Any] = []
        for path, row_def, kind in info["fields"]:
            value = entry.get(path)
            if kind == "geopoint":
                parts = (value or "").split()
                row += [value or ""] + [(parts[i] if i < len(parts) else "") for i in range(4)]
            elif kind == "select_multiple":
                chosen = (value or "").split()
                row.append(value or "")
                row += ["1" if c in chosen else "0" if value else "" for c in choices[row_def["select_from_list_name"]]]
            else:
                row.append(_typed(value, kind) if typed else (value or ""))
        if parent is None:
            row += [_copy(document, name) for name in KOBO_COPY_FIELDS]
        row.append(indexes[section])  # KPI exports with force_index: every sheet has `_index`
        if parent is not None:
            row += [parent[0], parent[1]] + [_copy(document, name) for name in KOBO_COPY_FIELDS]
        rows[section].append(row)
        for child in info["children"]:
            for child_entry in entry.get(sections[child]["path"]) or []:
                write(child, child_entry, (section, indexes[section]), document)

    for document in documents:
        write(title[:31], document, None, document)
    workbook = Workbook()
    workbook.remove(workbook.active)
    for section, info in sections.items():
        sheet = workbook.create_sheet(section)
        header = []
        for path, row_def, kind in info["fields"]:
            label = path if hierarchy else path.rpartition("/")[2]
            if kind == "geopoint":
                prefix = path.rpartition("/")[0] if hierarchy else ""
                name = path.rpartition("/")[2]
                header += [name] + [f"{prefix + '/' if prefix else ''}_{name}_{g}" for g in GEO]
            elif kind == "select_multiple":
                header += [label] + [f"{label}/{c}" for c in choices[row_def["select_from_list_name"]]]
            else:
                header.append(label)
        if info["parent"] is None:
            header += list(KOBO_COPY_FIELDS)
        header.append("_index")
        if info["parent"] is not None:
            header += ["_parent_table_name", "_parent_index"] + [f"_submission_{n}" for n in KOBO_COPY_FIELDS]
        sheet.append(header)
        for row in rows[section]:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sections(content: dict[str, Any], title: str) -> dict[str, dict[str, Any]]:
    """formpack's sections: the main one and one per repeat, each with its fields in form order."""
    main = title[:31]
    sections: dict[str, dict[str, Any]] = {main: {"path": "", "parent": None, "children": [], "fields": []}}
    groups: list[str] = []
    current = [main]
    for row in content["survey"]:
        kind = row["type"]
        if kind in ("end_group", "end_repeat"):
            groups.pop()
            if kind == "end_repeat":
                current.pop()
            continue
        name = row.get("name") or row.get("$autoname")
        path = "/".join([*groups, name])
        if kind in ("begin_group", "begin_repeat"):
            groups.append(name)
        if kind == "begin_repeat":
            sections[name[:31]] = {"path": path, "parent": current[-1], "children": [], "fields": []}
            sections[current[-1]]["children"].append(name[:31])
            current.append(name[:31])
        elif kind not in ("begin_group", "note"):
            sections[current[-1]]["fields"].append((path, row, kind))
    return sections


def _copy(document: dict[str, Any], name: str) -> Any:
    value = document.get(name)
    if name == "_validation_status":
        return (value or {}).get("uid", "")
    if name in ("_notes", "_tags"):
        return ", ".join(map(str, value or []))
    return "" if value is None else value


def _typed(value: str | None, kind: str) -> Any:
    if value is None:
        return ""
    if kind == "integer":
        return int(value)
    if kind == "decimal":
        return float(value)
    if kind == "date":
        return datetime.fromisoformat(value)
    return value
