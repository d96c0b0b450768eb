"""The typed field list of a form, and the canonical payload built from a submission's raw answers.

A :class:`FormSchema` comes from the XForm that pyxform makes of an XLSForm (the local ``.xlsx``:
``connectors.xlsform``, or a KoboToolbox asset's ``content`` turned back into XLSForm rows): every field's path
(``child/work/hours_day``), XForm data type (``string``, ``int``, ``decimal``, ``date``,
``dateTime``, ``geopoint`` …), how it is asked (``select_one``, ``select_multiple``,
``calculate`` …) and the repeat holding it.

:func:`canonical_payload` turns raw text answers (as in submission XML, Kobo JSON or export
cells) into the canonical shape: the ODK Central OData row with ``$expand=*``, built the way
central-backend's ``lib/data/odata.js`` builds it — every field present (``null`` when not
answered), groups nested, repeats as arrays with a positional ``__id`` and a navigation link,
geopoints as GeoJSON.

Numbers are read strictly (:func:`read_int`, :func:`read_decimal`), where Central uses JavaScript's
``parseInt``/``parseFloat``: for the texts ODK Collect and Enketo write the two agree, but a text that is
not a number as the form writes it (``14 tuổi``, ``12,5``, ``1.4e1`` for an ``int``, ``abc``) is kept as
that text — never cut to the number it starts with, nor turned into "not answered" — so that the
warehouse quarantines it, with the same reason whichever route brought it.
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import quote

from pyxform.xls2xform import convert

XFORMS = "{http://www.w3.org/2002/xforms}"
XHTML = "{http://www.w3.org/1999/xhtml}"
JR_TEMPLATE = "{http://openrosa.org/javarosa}template"
JR_PRELOAD = "{http://openrosa.org/javarosa}preload"
GROUP, REPEAT = "group", "repeat"
_CONTROLS = {"select1": "select_one", "select": "select_multiple", "input": "input", "upload": "upload",
             "trigger": "trigger", "range": "range", "rank": "rank"}
_KOBO_ONLY_ROWS = {"__version__"}  # KPI appends it to every deployed form; not part of the XLSForm
# The texts read as numbers: XML Schema's int and decimal (an optional sign, ASCII digits, a point), a decimal also
# with the exponent Java's Double.toString gives ODK Collect's answers below 0.001 or from 10^7 ("1.0E-4")
_STRICT_INT = re.compile(r"[+-]?[0-9]+")
_STRICT_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_XML_SPACE = " \t\r\n"  # the whitespace XML Schema's numbers and dates may have around them
_FLOAT = re.compile(r"\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)")
_SPACES = re.compile(r"\s+")  # between a geopoint's numbers
# The characters of the usual geopoint, "lat lon[ alt[ accuracy]]" of plain decimals one space apart: where float()
# reads each of its parts, it reads what _point reads
_PLAIN_POINT_CHARACTERS = frozenset("0123456789.+- ")
_POINTS = re.compile(r"; ?")  # between a geotrace's or geoshape's points
_ZONE_HOURS = re.compile(r"[+-]\d\d$")  # a dateTime ending in "+07": Central writes "+07:00"
_URI_COMPONENT_SAFE = "-_.!~*'()"  # what JavaScript's encodeURIComponent leaves alone
_SAFE_BUT_COLONS = re.compile(r"[A-Za-z0-9\-_.!~*'():]*")  # "uuid:…": only its colons are encoded
_T = TypeVar("_T")


@dataclass(frozen=True)
class FormField:
    """One node of the form: a question, a calculation, metadata, a group or a repeat."""

    path: str  # relative to the instance root: "child/work/hours_day"
    name: str
    type: str  # XForm data type ("string", "int", "decimal", "date", "geopoint" …); "group"/"repeat"
    kind: str  # "select_one", "select_multiple", "input", "calculate", "note", "metadata", "group", "repeat" …
    repeat: str | None  # path of the innermost repeat holding this node (a repeat: the one around it)

    @property
    def structural(self) -> bool:
        return self.type in (GROUP, REPEAT)

    @property
    def parent(self) -> str:
        return self.path.rpartition("/")[0]


@dataclass(frozen=True)
class FormSchema:
    form_id: str
    version: str
    title: str
    fields: tuple[FormField, ...]  # document order
    _by_path: dict[str, FormField] = field(init=False, repr=False, compare=False)
    _children: dict[str, list[FormField]] = field(init=False, repr=False, compare=False)
    _repeats: tuple[FormField, ...] = field(init=False, repr=False, compare=False)
    # derived from the fields on first use, then kept: what building every payload of the form needs
    _frames: dict[str, _Frame] = field(init=False, repr=False, compare=False)
    _tables: dict[str | None, TablePlan] = field(init=False, repr=False, compare=False)
    _derived: dict[str, Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_path", {f.path: f for f in self.fields})
        children: dict[str, list[FormField]] = {}
        for node in self.fields:
            children.setdefault(node.parent, []).append(node)
        object.__setattr__(self, "_children", children)
        object.__setattr__(self, "_repeats", tuple(f for f in self.fields if f.type == REPEAT))
        object.__setattr__(self, "_frames", {})
        object.__setattr__(self, "_tables", {})
        object.__setattr__(self, "_derived", {})

    @classmethod
    def from_kobo_content(cls, content: dict[str, Any], *, form_id: str | None = None) -> FormSchema:
        """Type a deployed KoboToolbox asset from its ``content`` (``survey``, ``choices``, ``settings``).

        The rows go back through pyxform, so types come out exactly as for the ``.xlsx``; the
        ``__version__`` calculation KPI adds is left out. Raises ``ValueError`` when pyxform
        cannot read the content (KPI-only question types such as ``score`` or ``kobomatrix``).
        """
        settings = dict(content.get("settings") or {})
        workbook = {
            "survey": [_xlsform_row(row) for row in content.get("survey") or []
                       if _name(row) not in _KOBO_ONLY_ROWS],
            "choices": [{"list_name": c["list_name"], "name": _name(c), "label": _name(c)}
                        for c in content.get("choices") or []],
            "settings": [{"form_id": form_id or settings.get("form_id") or settings.get("id_string") or "data",
                          "version": str(settings.get("version") or ""),
                          "form_title": str(settings.get("form_title") or ""),
                          **({"instance_name": settings["instance_name"]} if settings.get("instance_name") else {})}],
        }
        if not workbook["choices"]:
            del workbook["choices"]
        return cls.from_xlsform_dict(workbook)

    @classmethod
    def from_xlsform_dict(cls, workbook: dict[str, list[dict[str, Any]]]) -> FormSchema:
        try:
            result = convert(xlsform=workbook)
        except Exception as exc:
            raise ValueError(f"not a valid form: {exc}") from None
        return cls.from_xform(result.xform)

    @classmethod
    def from_xform(cls, xml: str | bytes) -> FormSchema:
        """Read the fields of an XForm: binds give types, the body gives controls and repeats."""
        root = ET.fromstring(xml)
        model = root.find(f".//{XFORMS}model")
        primary = next((i for i in model.findall(f"{XFORMS}instance") if "id" not in i.attrib), None) \
            if model is not None else None
        if primary is None or len(primary) == 0:
            raise ValueError("an XForm without a primary instance")
        data = primary[0]
        top = f"/{_local(data.tag)}"
        binds = {b.get("nodeset"): b for b in model.iter(f"{XFORMS}bind")}
        controls: dict[str, str] = {}
        repeats: set[str] = set()
        body = root.find(f"{XHTML}body")
        for element in body.iter() if body is not None else ():
            tag = _local(element.tag)
            if tag == "repeat":
                repeats.add(element.get("nodeset", ""))
            elif tag in _CONTROLS and element.get("ref"):
                controls[element.get("ref")] = _CONTROLS[tag]
        fields: list[FormField] = []
        seen: set[str] = set()

        def walk(element: ET.Element, path: str, repeat: str | None) -> None:
            for child in element:
                name = _local(child.tag)
                child_path = f"{path}/{name}" if path else name
                if child_path in seen:  # a repeat's jr:template and its first instance
                    continue
                seen.add(child_path)
                absolute = f"{top}/{child_path}"
                if absolute in repeats or child.get(JR_TEMPLATE) is not None:
                    fields.append(FormField(child_path, name, REPEAT, REPEAT, repeat))
                    walk(child, child_path, child_path)
                elif len(child):
                    fields.append(FormField(child_path, name, GROUP, GROUP, repeat))
                    walk(child, child_path, repeat)
                else:
                    bind = binds.get(absolute)
                    data_type = (bind.get("type") if bind is not None else None) or "string"
                    fields.append(FormField(child_path, name, data_type.split(":")[-1],
                                            _kind(controls.get(absolute), bind), repeat))

        walk(data, "", None)
        title = root.find(f".//{XHTML}title")
        return cls(form_id=data.get("id") or "", version=data.get("version") or "",
                   title=(title.text or "") if title is not None else "", fields=tuple(fields))

    def get(self, path: str) -> FormField | None:
        return self._by_path.get(path)

    def children(self, path: str) -> list[FormField]:
        """The nodes directly under ``path`` ("" for the root), in document order."""
        return list(self._children.get(path, ()))

    @functools.cached_property
    def types(self) -> dict[str, str]:
        """Every node's data type by path (``"group"``/``"repeat"`` for structure): one lookup per answer."""
        return {f.path: f.type for f in self.fields}

    @property
    def repeats(self) -> tuple[FormField, ...]:
        return self._repeats

    @functools.cached_property
    def file_paths(self) -> frozenset[str]:
        """The paths of the file questions (``binary``: image, audio, video, file …); empty for most forms."""
        return frozenset(f.path for f in self.fields if f.type == "binary")

    def table_fields(self, table: str | None) -> list[FormField]:
        """The answer fields of one table: the root (``None``) or a repeat, without nested repeats."""
        return [f for f in self.fields if not f.structural and f.repeat == table]

    def _frame_template(self, path: str) -> _Frame:
        """The empty answers under ``path`` (every field ``None``, groups nested, repeats left out, as Central
        does) as a template, built once per path."""
        templates = self._frames
        template = templates.get(path)
        if template is None:
            last: dict[str, FormField] = {}  # a name twice (after sanitizing): its first place, its last value
            for child in self._children.get(path, ()):
                if child.type != REPEAT:
                    last[odata_name(child.name)] = child
            template = _Frame(tuple(last), tuple((key, self._frame_template(child.path))
                                                 for key, child in last.items() if child.type == GROUP))
            templates[path] = template
        return template

    def derived(self, key: str, build: Callable[[FormSchema], _T]) -> _T:
        """What a reader derives from the form alone (``build(self)``), built on first use and kept under ``key``
        (e.g. a connector's per-form plan)."""
        derived = self._derived
        if key not in derived:
            derived[key] = build(self)
        return derived[key]

    def table_plan(self, table: str | None) -> TablePlan:
        """How the answers of one table (``None``: the root; or a repeat's path) go into its frame.

        Built once per schema and table: the frame, each answer path's place and typing, the repeats
        directly in the table (a payload is then one dict lookup and one assignment per answer).
        """
        tables = self._tables
        plan = tables.get(table)
        if plan is None:
            prefix = len(table) + 1 if table else 0
            slots: dict[str, tuple[tuple[str, ...], str, Callable[[str], Any] | None]] = {}
            for f in self.fields:
                if not f.structural and f.repeat == table:
                    *groups, name = f.path[prefix:].split("/")
                    slots[f.path] = (tuple(odata_name(g) for g in groups), odata_name(name), _TYPERS.get(f.type))
            repeats: list[RepeatSlot] = []
            for repeat in self._repeats:
                if repeat.repeat != table:
                    continue
                keys, above, path = [], [], table or ""
                for group in filter(None, repeat.parent[prefix:].split("/")):
                    path = f"{path}/{group}" if path else group
                    keys.append(odata_name(group))
                    above.append((self.get(path), None))
                key = odata_name(repeat.name)
                repeats.append(RepeatSlot(repeat, tuple(keys), tuple(above), key, "/".join([*keys, key]),
                                          "".join(f"%%{node.name}#" for node, _ in above) + f"%%{repeat.name}#"))
            plan = TablePlan(self._frame_template(table or ""), slots, tuple(repeats),
                             frozenset(r.field.path for r in repeats))
            tables[table] = plan
        return plan

@dataclass(frozen=True)
class _Frame:
    """The empty answers of a table or group: every key in order, ``None``, then the groups' own frames."""

    keys: tuple[str, ...]
    groups: tuple[tuple[str, _Frame], ...]

    def build(self) -> dict[str, Any]:
        frame = dict.fromkeys(self.keys)
        for key, group in self.groups:
            frame[key] = group.build()
        return frame


@dataclass(frozen=True)
class RepeatSlot:
    """A repeat directly in a table: the groups leading to it (their keys, and as stack entries), its key."""

    field: FormField
    groups: tuple[str, ...]
    above: tuple[tuple[FormField, None], ...]
    key: str
    # with nothing above the table (its stack empty): the navigation link after ``Submissions('…')/``, and what an
    # entry's ``__id`` hashes after ``Submissions#<instance id>`` but its position
    link_tail: str
    id_tail: str


@dataclass(frozen=True)
class TablePlan:
    """:meth:`FormSchema.table_plan`: what a table's payload needs from the form, derived once."""

    frame: _Frame  # ``frame.build()``: the table's empty answers
    slots: dict[str, tuple[tuple[str, ...], str, Callable[[str], Any] | None]]  # path → (groups, key, typer)
    repeats: tuple[RepeatSlot, ...]  # the repeats directly in the table, in document order
    repeat_paths: frozenset[str]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _kind(control: str | None, bind: ET.Element | None) -> str:
    if control == "input" and bind is not None and bind.get("readonly") == "true()" and bind.get("calculate") is None:
        return "note"
    if control is not None:
        return control
    if bind is not None and bind.get("calculate") is not None:
        return "calculate"
    return "metadata" if bind is not None and bind.get(JR_PRELOAD) else "hidden"


def _name(row: dict[str, Any]) -> str:
    return row.get("name") or row.get("$autoname") or row.get("$autovalue") or ""


def _xlsform_row(row: dict[str, Any]) -> dict[str, Any]:
    """A KPI content row back as an XLSForm survey row with only what decides types and paths."""
    kind = str(row.get("type", ""))
    if row.get("select_from_list_name") and " " not in kind:
        kind = f"{kind} {row['select_from_list_name']}"
    elif row.get("file") and " " not in kind:
        kind = f"{kind} {row['file']}"
    out: dict[str, Any] = {"type": kind}
    if kind.startswith(("end_", "end ")):
        return out
    out["name"] = _name(row)
    out["label"] = out["name"]
    for key in ("calculation", "parameters"):
        if row.get(key):
            out[key] = row[key]
    out.update({k: v for k, v in row.items() if k.startswith("bind::")})
    return out


@functools.cache
def odata_name(name: str) -> str:
    """Central's ``sanitizeOdataIdentifier``: a leading non-letter gets ``_``, other characters become ``_``."""
    return re.sub(r"[^a-z0-9_]+", "_", re.sub(r"^([^a-z_])", r"_\1", name, flags=re.I), flags=re.I)


def typed_value(data_type: str, text: str) -> Any:
    """One answer typed as Central's OData feed types it (``int``, ``decimal``, geo types, ``dateTime``), numbers
    strictly (the module's docstring)."""
    typer = _TYPERS.get(data_type)
    return text if typer is None else typer(text)


def read_int(text: str) -> int | None:
    """An ``int`` answer's number: an optional sign and ASCII digits (XML whitespace around them allowed); ``None``
    for any other text (``1.4e1``, ``14 tuổi``, ``1_0``, Arabic-Indic digits, a number too long to read)."""
    text = text.strip(_XML_SPACE)
    if not _STRICT_INT.fullmatch(text):
        return None
    try:
        return int(text)
    except ValueError:  # more digits than Python reads
        return None


def read_decimal(text: str) -> float | None:
    """A ``decimal`` answer's number: :func:`read_int`'s text with a decimal point (never a comma: the form writes a
    point in every language) and an exponent; ``None`` for any other text and for a number too large for a
    float (``1e999``)."""
    text = text.strip(_XML_SPACE)
    if not _STRICT_DECIMAL.fullmatch(text):
        return None
    value = float(text)
    return value if value - value == 0.0 else None  # an infinity (value - value is NaN) is not a number read


def _int(text: str) -> int | str | None:
    if text.isdigit() and text.isascii() and len(text) < 20:  # the usual answer
        return int(text)
    value = read_int(text)
    return value if value is not None else _not_a_number(text)


def _decimal(text: str) -> int | float | str | None:
    if text.isascii() and text.replace(".", "", 1).isdigit():  # "5.9", "12", ".5", "5.": a number as it is
        number = _js_number(float(text))
        return text if number is None else number  # None: more digits than a float holds
    value = read_decimal(text)
    return _js_number(value) if value is not None else _not_a_number(text)


def _not_a_number(text: str) -> str | None:
    """What a number question's text that is not a number becomes: itself (the warehouse says why it is refused);
    only XML whitespace, as Central's ``null``: not answered."""
    return text if text.strip(_XML_SPACE) else None


def _geopoint(text: str) -> dict[str, Any] | None:
    parts = text.split(" ")
    if 1 < len(parts) < 5 and _PLAIN_POINT_CHARACTERS.issuperset(text):  # the usual text, without a regex
        try:
            numbers = list(map(float, parts))
        except ValueError:  # "1.2.3", "5-", two spaces …: _point reads what it can
            pass
        else:
            coordinates = [_js_number(numbers[1]), _js_number(numbers[0])]
            geo: dict[str, Any] = {"type": "Point", "coordinates": coordinates}
            if len(numbers) > 2:
                coordinates.append(_js_number(numbers[2]))
                if len(numbers) > 3 and (accuracy := _js_number(numbers[3])) is not None:
                    geo["properties"] = {"accuracy": accuracy}
            return geo
    point = _point(text)
    if point is None:
        return None
    coordinates, accuracy = point
    geo = {"type": "Point", "coordinates": coordinates}
    if accuracy is not None:
        geo["properties"] = {"accuracy": accuracy}
    return geo


def _date_time(text: str) -> str:
    trimmed = text.strip()
    return f"{trimmed}:00" if _ZONE_HOURS.search(trimmed) else trimmed


def _parse_float(text: str) -> float:
    match = _FLOAT.match(text)
    return float(match.group(1)) if match else math.nan


def _js_number(value: float) -> int | float | None:
    """As ``JSON.stringify`` writes a JavaScript number: NaN and infinities → null, 21.0 → 21."""
    if value - value != 0.0:  # NaN or an infinity (value - value is NaN); any finite float gives 0.0
        return None
    return int(value) if value.is_integer() else value


def _point(text: str) -> tuple[list[Any], Any] | None:
    numbers = [_parse_float(p) for p in _SPACES.split(text)]
    if len(numbers) < 2 or math.isnan(numbers[0]) or math.isnan(numbers[1]):
        return None
    coordinates = [_js_number(numbers[1]), _js_number(numbers[0])]
    if len(numbers) > 2 and not math.isnan(numbers[2]):
        coordinates.append(_js_number(numbers[2]))
    accuracy = numbers[3] if len(numbers) > 3 and not math.isnan(numbers[3]) else None
    return coordinates, None if accuracy is None else _js_number(accuracy)


def _line(data_type: str, text: str) -> dict[str, Any] | None:
    pieces = _POINTS.split(text)
    coordinates, accuracies = [], []
    for piece in pieces:
        point = _point(piece)
        if point is None:
            if len(pieces) == 1:
                return None
            continue
        coordinates.append(point[0])
        accuracies.append(point[1] or None)
    geo: dict[str, Any] = ({"type": "LineString", "coordinates": coordinates} if data_type == "geotrace"
                           else {"type": "Polygon", "coordinates": [coordinates]})
    if any(a is not None for a in accuracies):
        geo["properties"] = {"accuracies": accuracies}
    return geo


# How each XForm type's text is typed (any other type: the text as is)
_TYPERS: dict[str, Callable[[str], Any]] = {
    "int": _int, "decimal": _decimal, "geopoint": _geopoint, "dateTime": _date_time,
    "geotrace": functools.partial(_line, "geotrace"), "geoshape": functools.partial(_line, "geoshape"),
}


@dataclass
class Answers:
    """One submission (or one repeat entry) as raw text answers, before typing and nesting.

    ``values`` maps full field paths to their text (``{"location/province": "01"}``); an
    unanswered field is simply absent. ``repeats`` maps a repeat's full path to its entries.
    """

    values: dict[str, str] = field(default_factory=dict)
    repeats: dict[str, list[Answers]] = field(default_factory=dict)


# A table's answers in its frame, and its repeats' entries likewise by repeat path (None: no entries), before
# the positional ids and links are added (they need the instance id): what :func:`attach_repeats` completes.
Filled = tuple[dict[str, Any], "dict[str, list[Filled]] | None"]


def canonical_payload(schema: FormSchema, answers: Answers, instance_id: str, system: dict[str, Any]) -> dict[str, Any]:
    """The ODK Central OData row (``$expand=*``) for ``answers``; ``instance_id`` is the stable ``__id``.

    Raises ``ValueError`` for an answer whose path is not a field of that table of the form. What is
    derived from the form alone (frames, where each answer goes and how it is typed, the repeats of
    each table) is built once per schema (:meth:`FormSchema.table_plan`).
    """
    plan = schema.table_plan(None)
    row, entries = _fill(schema, plan, None, answers)
    row["__id"] = instance_id
    row["__system"] = system
    if entries:
        attach_repeats(schema, plan, row, entries, [], instance_id)
    return row


def _fill(schema: FormSchema, plan: TablePlan, table: str | None, answers: Answers) -> Filled:
    node = plan.frame.build()
    slots = plan.slots
    for path, text in answers.values.items():
        slot = slots.get(path)
        if slot is None:
            raise ValueError(f"`{path}` is not a question of {'the form' if table is None else f'repeat `{table}`'}")
        groups, key, typer = slot
        container = node
        for group in groups:
            container = container[group]
        container[key] = text if typer is None else typer(text)
    if not answers.repeats:
        return node, None
    unknown = answers.repeats.keys() - plan.repeat_paths
    if unknown:
        where = "the form" if table is None else f"repeat `{table}`"
        raise ValueError(f"`{sorted(unknown)[0]}` is not a repeat of {where}")
    entries: dict[str, list[Filled]] = {}
    for slot in plan.repeats:
        path = slot.field.path
        if answers.repeats.get(path):
            entry_plan = schema.table_plan(path)
            entries[path] = [_fill(schema, entry_plan, path, entry) for entry in answers.repeats[path]]
    return node, entries


def attach_repeats(schema: FormSchema, plan: TablePlan, node: dict[str, Any], entries: dict[str, list[Filled]],
                   stack: list[tuple[FormField, int | None]], instance_id: str) -> None:
    """Add the filled repeat entries of a table to ``node`` (its filled frame, ``__id`` already set) as Central
    does: per repeat (document order) a navigation link and the entries, each with its positional ``__id``."""
    for slot in plan.repeats:
        repeat = slot.field
        filled = entries.get(repeat.path)
        if not filled:
            continue
        container = node
        for group in slot.groups:
            container = container[group]
        inner = [*stack, *slot.above]
        key = slot.key
        if stack:
            link = _navigation_link([*inner, (repeat, 0)], instance_id)
            prefix = f"{_entry_id_text(inner, instance_id)}%%{repeat.name}#"  # repeat_entry_id's text but the index
        else:  # the same, from the parts made once with the plan
            link = f"Submissions('{_uri_component(instance_id)}')/{slot.link_tail}"
            prefix = f"Submissions#{instance_id}{slot.id_tail}"
        container[f"{key}@odata.navigationLink"] = link
        bags: list[dict[str, Any]] = []
        container[key] = bags
        entry_plan = schema.table_plan(repeat.path)
        for index, (bag, nested) in enumerate(filled):
            bag["__id"] = hashlib.sha1(f"{prefix}{index}".encode(), usedforsecurity=False).hexdigest()
            if nested:
                attach_repeats(schema, entry_plan, bag, nested, [*inner, (repeat, index)], instance_id)
            bags.append(bag)


def repeat_entry_id(stack: list[tuple[FormField, int | None]], instance_id: str) -> str:
    """Central's positional ``__id`` of a repeat entry: sha1 of the groups and repeat positions above it."""
    return hashlib.sha1(_entry_id_text(stack, instance_id).encode(), usedforsecurity=False).hexdigest()


def _entry_id_text(stack: list[tuple[FormField, int | None]], instance_id: str) -> str:
    """The text :func:`repeat_entry_id` hashes."""
    parts = [f"Submissions#{instance_id}"]
    parts += [f"{f.name}#" if f.type == GROUP else f"{f.name}#{index}" for f, index in stack]
    return "%%".join(parts)


def _navigation_link(stack: list[tuple[FormField, int | None]], instance_id: str) -> str:
    parts = [f"Submissions('{_uri_component(instance_id)}')"]
    for position, (node, _) in enumerate(stack):
        if node.type == REPEAT and position < len(stack) - 1:
            parts.append(f"{odata_name(node.name)}('{repeat_entry_id(stack[: position + 1], instance_id)}')")
        else:
            parts.append(odata_name(node.name))
    return "/".join(parts)


def _uri_component(text: str) -> str:
    """``encodeURIComponent(text)``; an instance id such as ``uuid:…`` takes the short way."""
    if _SAFE_BUT_COLONS.fullmatch(text):
        return text.replace(":", "%3A")
    return quote(text, safe=_URI_COMPONENT_SAFE)
