"""A KoboToolbox XLSX export → :class:`SubmissionRecord` objects in the canonical shape.

The format assumed (formpack's ``to_xlsx`` as KPI runs it):

- Exported with “XML values and headers”: headers are question names and cells choice codes
  (labels cannot be mapped back to codes; such a file is refused as having unknown columns).
- The first sheet holds the submissions; each repeat has a sheet named after it (cut to 31
  characters).
- A field's header is its full path joined with ``/`` (“include groups in headers”) or its bare
  name. A geopoint's main column is its bare name either way (a formpack quirk), followed by
  ``_<name>_latitude``, ``_longitude``, ``_altitude``, ``_precision`` columns (ignored); a
  select_multiple is followed by ``<header>/<choice>`` 0/1 columns (ignored).
- The submissions sheet ends with ``_id, _uuid, _submission_time, _validation_status, _notes,
  _status, _submitted_by, __version__, _tags, _index``; a repeat sheet with ``_index`` (when it
  has repeats of its own), ``_parent_table_name``, ``_parent_index`` and ``_submission_…``
  copies. ``_parent_index`` is the ``_index`` of its row in the sheet ``_parent_table_name``.
- Cells are text as submitted (the default, “store date and number responses as text”), or
  numbers and dates when exported typed, turned back into text. ``_validation_status`` is a
  status uid (``validation_status_approved``) or its label (``Approved``).
- Identity: KPI does not export ``meta/rootUuid``, so a submission is known by ``uuid:`` +
  ``_uuid`` — for one edited on the server that is its current version's id, not the original
  one the API sync uses. Pass ``known_ids`` (current instance id → stable instance id, e.g. the
  ``current_instance_id``/``instance_id`` pairs the Kobo sync stored) to recover it; a
  ``meta/rootUuid`` column is used when present. ``meta/instanceName`` is not exported either.
"""

from __future__ import annotations

import io
import zipfile
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from itertools import islice
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from connectors.exports.common import (
    DEFAULT_LIMITS,
    ExportImport,
    ImportLimits,
    listing,
    name_list,
    read_source,
    refuse,
)
from connectors.form_schema import Answers, FormField, FormSchema
from connectors.kobotoolbox.documents import DocumentError, record_from_answers, with_uuid_prefix
from connectors.records import SubmissionRecord

SOURCE = "file:kobo_xlsx"
SHEET_NAME_MAX = 31
IDENTITY_COLUMNS = ("meta/rootUuid", "meta/instanceID", "meta/deprecatedID")


@dataclass
class _Sheet:
    title: str
    header: list[str]
    rows: list[tuple[Any, ...]]
    columns: dict[int, FormField]
    system: dict[str, int]  # ``_``-prefixed and identity columns


def read_kobo_xlsx(source: Path | bytes, schema: FormSchema, *, name: str | None = None,
                   known_ids: Mapping[str, str] | None = None, limits: ImportLimits = DEFAULT_LIMITS) -> ExportImport:
    """Read and check a whole KoboToolbox XLSX export of ``schema``'s form; refuses it with a
    :class:`SourceError` before anything is yielded if it is malformed, of another form or beyond ``limits``."""
    content, name = read_source(source, name)
    what = f"KoboToolbox export {name}"
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            limits.check_archive(archive.infolist(), what)
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError):
        raise refuse(what, "not_xlsx", "not an XLSX workbook (expected a KoboToolbox XLS export)") from None
    try:
        sheets = [(ws.title, _filled_rows(ws, limits, what)) for ws in workbook.worksheets]
    finally:
        workbook.close()
    if not sheets or not sheets[0][1]:
        raise refuse(what, "first_sheet_empty", "the first sheet is empty: no submissions header")
    by_title = _repeat_sheets(schema, what)
    strangers = [title for title, _ in sheets[1:] if title not in by_title]
    if strangers:
        raise refuse(what, "stray_sheets", f"sheet {listing(strangers)} is not a repeat of form `{schema.form_id}`",
                     sheets=name_list(strangers), form_id=schema.form_id)
    main = _sheet(schema, None, *sheets[0], what)
    if "_uuid" not in main.system and "meta/rootUuid" not in main.system:
        raise refuse(what, "no_uuid", f"sheet `{main.title}` has no `_uuid` column: not a KoboToolbox export (or"
                     " exported without its metadata columns)", sheet=main.title)
    repeats = {by_title[title].path: _sheet(schema, by_title[title], title, rows, what) for title, rows in sheets[1:]}
    records = _records(schema, main, repeats, name, what, known_ids or {})
    return ExportImport(name, content, records)


def _filled_rows(ws: ReadOnlyWorksheet, limits: ImportLimits, what: str) -> list[tuple[Any, ...]]:
    """The sheet's non-blank rows from its first one (the header) on, each no wider than the header. The size the
    file declares is not trusted: read as declared (up to XFD), every row would be 16,384 cells wide."""
    ws.reset_dimensions()
    leading = islice(ws.iter_rows(values_only=True), limits.max_rows)
    first = next((n for n, row in enumerate(leading, 1) if _filled(row)), None)
    if first is None:
        return []
    width = len(next(ws.iter_rows(min_row=first, max_row=first, values_only=True)))
    rows = limits.rows(ws.iter_rows(min_row=first, max_col=width, values_only=True), ws.title, what)
    return [row for row in rows if _filled(row)]


def _filled(row: tuple[Any, ...]) -> bool:
    return any(c not in (None, "") for c in row)


def _repeat_sheets(schema: FormSchema, what: str) -> dict[str, FormField]:
    titles = Counter(r.name[:SHEET_NAME_MAX] for r in schema.repeats)
    ambiguous = [t for t, n in titles.items() if n > 1]
    if ambiguous:
        raise refuse(what, "shared_sheet_name", f"repeats share the sheet name {listing(ambiguous)}: import the JSON"
                     " export instead", sheets=name_list(ambiguous))
    return {r.name[:SHEET_NAME_MAX]: r for r in schema.repeats}


def _sheet(schema: FormSchema, repeat: FormField | None, title: str, rows: list[tuple[Any, ...]], what: str) -> _Sheet:
    if not rows:
        raise refuse(what, "sheet_empty", f"sheet `{title}` is empty (no header row)", sheet=title)
    header = ["" if c is None else str(c) for c in rows[0]]
    while header and not header[-1]:
        header.pop()
    duplicates = sorted(c for c, n in Counter(header).items() if n > 1 and c)
    if duplicates:
        raise refuse(what, "sheet_column_twice", f"sheet `{title}` has the column {listing(duplicates)} twice",
                     sheet=title, columns=name_list(duplicates))
    table = None if repeat is None else repeat.path
    fields = schema.table_fields(table)
    by_path = {f.path: f for f in fields}
    names = Counter(f.name for f in fields)
    by_name = {f.name: f for f in fields if names[f.name] == 1}
    columns: dict[int, FormField] = {}
    system: dict[str, int] = {}
    for index, column in enumerate(header):
        target = by_path.get(column) or by_name.get(column)
        if target is not None:
            columns[index] = target
        elif column.startswith("_") or column in IDENTITY_COLUMNS:
            system[column] = index
    multiples = {header[i] for i, f in columns.items() if f.kind == "select_multiple"}
    unknown = [c for i, c in enumerate(header) if c and i not in columns and c not in system
               and c.rpartition("/")[0] not in multiples and not _geopoint_part(c, fields)]
    if unknown:
        raise refuse(what, "sheet_unknown_columns", f"sheet `{title}` has {listing(unknown)},"
                     f" not {'a field' if len(unknown) == 1 else 'fields'} of form `{schema.form_id}`: an export of"
                     " another form, or with labels instead of XML values and headers?", sheet=title,
                     columns=name_list(unknown), form_id=schema.form_id)
    if repeat is not None and not {"_parent_index", "_parent_table_name"} <= set(system):
        raise refuse(what, "no_parent_columns", f"sheet `{title}` has no `_parent_index`/`_parent_table_name`"
                     " columns", sheet=title)
    return _Sheet(title, header, [r + (None,) * (len(header) - len(r)) for r in rows[1:]], columns, system)


def _geopoint_part(column: str, fields: list[FormField]) -> bool:
    tail = column.rpartition("/")[2]
    return any(tail == f"_{f.name}_{part}" for f in fields if f.type == "geopoint"
               for part in ("latitude", "longitude", "altitude", "precision"))


def _text(value: Any, target: FormField) -> str | None:
    """A cell as the text KoboToolbox received (typed exports hold numbers and dates)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date().isoformat() if target.type == "date" else value.isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (date, time)) else value


def _row(header: list[str], row: tuple[Any, ...]) -> dict[str, Any]:
    """A row as JSON-ready ``{header: cell}`` (cells beyond the header are dropped)."""
    return {column: _plain(value) for column, value in zip(header, row, strict=False)}


def _records(schema: FormSchema, main: _Sheet, repeats: dict[str, _Sheet], name: str, what: str,
             known_ids: Mapping[str, str]) -> list[SubmissionRecord]:
    index_at = main.system.get("_index")
    if repeats and index_at is None:
        raise refuse(what, "no_index", f"sheet `{main.title}` has no `_index` column to link the repeat sheets to",
                     sheet=main.title)
    nodes: dict[str | None, dict[Any, tuple[Answers, int]]] = {None: {}}  # table → _index → (answers, root row)
    received: list[dict[str, Any]] = []
    for number, row in enumerate(main.rows):
        answers = _answers(main, row)
        index = row[index_at] if index_at is not None else number + 1
        if index in nodes[None]:
            raise refuse(what, "index_twice", f"sheet `{main.title}` has `_index` {index} twice", sheet=main.title,
                         row=number + 2)
        nodes[None][index] = (answers, number)
        received.append({"sheet": main.title, "row": _row(main.header, row), "repeats": {}})
    for repeat in schema.repeats:
        sheet = repeats.get(repeat.path)
        if sheet is None:
            continue
        parent_title = main.title if repeat.repeat is None else repeat.repeat.rpartition("/")[2][:SHEET_NAME_MAX]
        parents = nodes.get(repeat.repeat, {})
        own_index = sheet.system.get("_index")
        nodes[repeat.path] = {}
        for number, row in enumerate(sheet.rows, start=2):
            table, parent = row[sheet.system["_parent_table_name"]], row[sheet.system["_parent_index"]]
            if table != parent_title or parent not in parents:
                raise refuse(what, "orphan_row", f"sheet `{sheet.title}` row {number}: `_parent_index` {parent} of"
                                   f" `{table}` points to no row of sheet `{parent_title}`", sheet=sheet.title,
                             row=number, parent_sheet=parent_title)
            answers, root_row = _answers(sheet, row), parents[parent][1]
            parents[parent][0].repeats.setdefault(repeat.path, []).append(answers)
            if own_index is not None:
                nodes[repeat.path][row[own_index]] = (answers, root_row)
            received[root_row]["repeats"].setdefault(sheet.title, []).append(_row(sheet.header, row))
    records, seen = [], set()
    for (answers, root_row), row in zip(nodes[None].values(), main.rows, strict=True):
        keys = {column: _plain(row[i]) for column, i in main.system.items() if row[i] not in (None, "")}
        keys.update({p: v for p, v in answers.values.items() if p in IDENTITY_COLUMNS})
        if "meta/rootUuid" not in keys and isinstance(keys.get("_uuid"), str):
            stable = known_ids.get(with_uuid_prefix(keys["_uuid"]))
            if stable:
                keys["meta/rootUuid"] = stable
        try:
            record = record_from_answers(answers, schema, keys, project=name, form_id=schema.form_id, source=SOURCE,
                                         received=received[root_row])
        except DocumentError as exc:
            raise refuse(what, "bad_row", f"sheet `{main.title}` row {root_row + 2}: {exc}", sheet=main.title,
                         row=root_row + 2) from None
        if record.instance_id in seen:
            raise refuse(what, "submission_twice", f"submission `{record.instance_id}` is in the file twice")
        seen.add(record.instance_id)
        records.append(record)
    return records


def _answers(sheet: _Sheet, row: tuple[Any, ...]) -> Answers:
    answers = Answers()
    for index, target in sheet.columns.items():
        text = _text(row[index], target)
        if text is not None:
            answers.values[target.path] = text
    return answers
