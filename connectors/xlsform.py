"""An XLSForm read once into its definition: settings, questions by level, choices with their labels, the media
files and entity lists it reads, and the XForm (with its typed fields) that pyxform makes of it.

Every layer reads a form through :func:`read_xlsform`: publishing, typing a source's answers, the codes the
parsers accept, the unknown-question check and the report's labels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from zipfile import BadZipFile

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from pyxform.xls2xform import convert

from connectors.form_schema import FormSchema

_FROM_FILE = re.compile(r"^select_(?:one|multiple)_from_file\s+(\S+)$")
_LABEL_LANGUAGE = re.compile(r"^label::.*\((\w+)\)\s*$")  # "label::Vietnamese (vi)" → "vi"

Levels = dict[str, tuple[frozenset[str], frozenset[str]]]


@dataclass(frozen=True)
class XlsForm:
    path: Path
    form_id: str
    version: str
    title: str
    levels: Levels  # {"": (names, groups), "child/": …}: the questions and groups at each level, and the groups
    choices: dict[tuple[str, str], dict[str, str]]  # {(list_name, name): {language: label}}, in the form's order
    media: tuple[str, ...]  # files it reads (select_*_from_file) that are uploaded with it
    entity_lists: tuple[str, ...]  # entity lists it reads or updates: a server serves them, never uploaded

    @cached_property
    def codes(self) -> dict[str, frozenset[str]]:
        """``{list_name: {choice name, …}}``: the codes each choice list allows."""
        codes: dict[str, set[str]] = {}
        for list_name, name in self.choices:
            codes.setdefault(list_name, set()).add(name)
        return {list_name: frozenset(names) for list_name, names in codes.items()}

    @cached_property
    def xform(self) -> bytes:
        """The XForm XML, converted with the project's pyxform (the one the form tests validate)."""
        try:
            return convert(xlsform=str(self.path)).xform.encode()
        except Exception as exc:  # pyxform raises many kinds; all mean "not a usable form"
            raise ValueError(f"{self.path.name} does not convert to an XForm: {exc}") from None

    @cached_property
    def schema(self) -> FormSchema:
        """The form's typed fields, as both servers read them."""
        return FormSchema.from_xform(self.xform)


def read_xlsform(path: Path) -> XlsForm:
    """The definition of the XLSForm at ``path``, read again only when the file changed; ``ValueError`` when it is
    not a workbook or its settings lack a form id or version."""
    stat = path.stat()
    return _read(Path(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=32)
def _read(path: Path, _mtime_ns: int, _size: int) -> XlsForm:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, KeyError) as exc:
        raise ValueError(f"{path.name} is not an XLSForm workbook: {type(exc).__name__}") from None
    try:
        sheets = {name: _rows(workbook[name]) for name in ("settings", "survey", "choices", "entities")
                  if name in workbook.sheetnames}
    finally:
        workbook.close()
    settings = (sheets.get("settings") or [{}])[0]
    if not settings.get("form_id") or not settings.get("version"):
        raise ValueError(f"{path.name}: the settings sheet needs a form_id and a version")
    survey = sheets.get("survey", [])
    entity_lists = sorted({str(row["list_name"]).strip() for row in sheets.get("entities", ())
                           if row.get("list_name")})
    files = {m.group(1) for row in survey if (m := _FROM_FILE.match(str(row.get("type") or "").strip()))}
    return XlsForm(path=path, form_id=str(settings["form_id"]), version=str(settings["version"]),
                   title=str(settings.get("form_title") or ""), levels=_levels(survey),
                   choices=_choices(sheets.get("choices", [])),
                   media=tuple(sorted(f for f in files if Path(f).stem not in entity_lists)),
                   entity_lists=tuple(entity_lists))


def _rows(sheet) -> list[dict]:
    rows = sheet.iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
    return [dict(zip(header, row)) for row in rows if any(v is not None for v in row)]


def _levels(survey: list[dict]) -> Levels:
    levels: dict[str, tuple[set[str], set[str]]] = {"": (set(), set())}
    stack: list[str] = []
    for row in survey:
        kind = str(row.get("type") or "").strip().replace(" ", "_")
        name = str(row.get("name") or "").strip()
        if kind in ("end_group", "end_repeat"):
            stack.pop()
            continue
        if not name:
            continue
        names, groups = levels.setdefault("".join(f"{part}/" for part in stack), (set(), set()))
        names.add(name)
        if kind in ("begin_group", "begin_repeat"):
            groups.add(name)
            stack.append(name)
    return {level: (frozenset(names), frozenset(groups)) for level, (names, groups) in levels.items()}


def _choices(rows: list[dict]) -> dict[tuple[str, str], dict[str, str]]:
    languages = {column: m.group(1) for column in (rows[0] if rows else {}) if (m := _LABEL_LANGUAGE.match(column))}
    return {(str(row["list_name"]).strip(), str(row["name"]).strip()):
            {language: str(row[column]) for column, language in languages.items() if row.get(column) is not None}
            for row in rows if row.get("list_name") and row.get("name") is not None}
