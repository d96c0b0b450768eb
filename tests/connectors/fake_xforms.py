"""XForm definitions and submission XML turned into the shapes ODK Central serves.

Mirrors central-backend's ``lib/data/odata.js``: a data frame of nulls in schema order, then
``__id`` and ``__system``, then per repeat a navigation link and (with ``$expand=*``) the array;
typed ints/decimals/geopoints; repeat ``__id`` = sha1 of the positional path.
"""

from __future__ import annotations

import hashlib
import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

XFORMS = "{http://www.w3.org/2002/xforms}"
XHTML = "{http://www.w3.org/1999/xhtml}"
_MEDIA = re.compile(rb"jr://(?:file|file-csv|images|audio|video)/([^\"'<>\s)]+)")
_INT = re.compile(r"\s*([+-]?\d+)")
_FLOAT = re.compile(r"\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)")


@dataclass(frozen=True)
class FormField:
    path: str  # "/hh/poverty", relative to the instance root
    name: str
    type: str  # XForm bind type, "structure" for groups, "repeat"
    binary: bool | None = None
    select_multiple: bool | None = None

    @property
    def structural(self) -> bool:
        return self.type in ("structure", "repeat")

    def as_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "name": self.name,
            "type": self.type,
            "binary": self.binary,
            "selectMultiple": self.select_multiple,
        }


@dataclass(frozen=True)
class XForm:
    xml: bytes
    form_id: str
    version: str
    title: str
    fields: tuple[FormField, ...]
    attachments: tuple[str, ...]  # media files the form references (jr://file-csv/…)


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_xform(xml: bytes) -> XForm:
    """The form id, version, title, field list and expected media files of an XForm."""
    root = ET.fromstring(xml)
    model = root.find(f".//{XFORMS}model")
    if model is None:
        raise ValueError("no <model> in the XForm")
    primary = next((i for i in model.findall(f"{XFORMS}instance") if "id" not in i.attrib), None)
    if primary is None or len(primary) == 0:
        raise ValueError("no primary <instance> in the XForm")
    data = primary[0]
    binds = {b.get("nodeset"): b.get("type") for b in model.iter(f"{XFORMS}bind")}
    body = root.find(f".//{XHTML}body")
    repeats: set[str] = set()
    multiples: set[str] = set()
    for control in body.iter() if body is not None else ():
        if local(control.tag) == "repeat" and control.get("nodeset"):
            repeats.add(control.get("nodeset"))
        elif local(control.tag) == "select" and control.get("ref"):
            multiples.add(control.get("ref"))
    top = f"/{local(data.tag)}"
    fields: list[FormField] = []
    seen: set[str] = set()

    def walk(element: ET.Element, path: str) -> None:
        for child in element:
            name = local(child.tag)
            child_path = f"{path}/{name}"
            if child_path in seen:  # the jr:template copy and the first instance of a repeat
                continue
            seen.add(child_path)
            absolute = top + child_path
            if absolute in repeats or child.get("{http://openrosa.org/javarosa}template") is not None:
                fields.append(FormField(child_path, name, "repeat"))
                walk(child, child_path)
            elif len(child):
                fields.append(FormField(child_path, name, "structure"))
                walk(child, child_path)
            else:
                kind = (binds.get(absolute) or "unknown").split(":")[-1]
                fields.append(
                    FormField(
                        child_path,
                        name,
                        kind,
                        binary=True if kind == "binary" else None,
                        select_multiple=True if absolute in multiples else None,
                    )
                )

    walk(data, "")
    title = root.find(f".//{XHTML}title")
    media = dict.fromkeys(m.decode() for m in _MEDIA.findall(xml))
    return XForm(
        xml=xml,
        form_id=data.get("id") or "",
        version=data.get("version") or "",
        title=(title.text or "") if title is not None else "",
        fields=tuple(fields),
        attachments=tuple(media),
    )


@dataclass(frozen=True)
class SubmissionMeta:
    form_id: str
    version: str
    instance_id: str | None
    deprecated_id: str | None
    instance_name: str | None


def submission_meta(xml: bytes) -> SubmissionMeta:
    root = ET.fromstring(xml)
    meta = next((c for c in root if local(c.tag) == "meta"), None)
    values = {local(c.tag): (c.text or "").strip() or None for c in meta} if meta is not None else {}
    return SubmissionMeta(
        form_id=root.get("id") or "",
        version=root.get("version") or "",
        instance_id=values.get("instanceID"),
        deprecated_id=values.get("deprecatedID"),
        instance_name=values.get("instanceName"),
    )


class Schema:
    """Fields indexed by path and by parent, for building rows."""

    def __init__(self, fields: tuple[FormField, ...]) -> None:
        self.by_path = {f.path: f for f in fields}
        self.children: dict[str, list[FormField]] = {}
        for f in fields:
            self.children.setdefault(f.path.rsplit("/", 1)[0], []).append(f)
        self.geo_paths = [f.path for f in fields if f.type == "geopoint"]

    def frame(self, path: str = "") -> dict[str, Any]:
        frame: dict[str, Any] = {}
        for child in self.children.get(path, ()):
            if not child.structural:
                frame[child.name] = None
            elif child.type == "structure":
                frame[child.name] = self.frame(child.path)
        return frame


def submission_to_row(schema: Schema, xml: bytes, instance_id: str, system: dict[str, Any]) -> dict[str, Any]:
    """The OData ``Submissions`` row with every repeat expanded, as Central builds it."""
    root = schema.frame()
    root["__id"] = instance_id
    root["__system"] = system
    _fill(schema, ET.fromstring(xml), "", root, [], instance_id)
    return root


def _fill(schema: Schema, element: ET.Element, path: str, data: dict, stack: list, instance_id: str) -> None:
    for child in element:
        name = local(child.tag)
        child_path = f"{path}/{name}"
        field = schema.by_path.get(child_path)
        if field is None:
            continue
        if field.type == "structure":
            _fill(schema, child, child_path, data[name], stack + [(field, None)], instance_id)
        elif field.type == "repeat":
            inner = stack + [(field, None)]
            data[f"{name}@odata.navigationLink"] = _navigation_link(inner, instance_id)
            items = data.setdefault(name, [])
            inner[-1] = (field, len(items))
            bag = schema.frame(child_path)
            bag["__id"] = hash_id(inner, instance_id)
            items.append(bag)
            _fill(schema, child, child_path, bag, inner, instance_id)
        elif child.text:
            data[name] = _typed(field.type, child.text)


def hash_id(stack: list, instance_id: str) -> str:
    parts = [f"Submissions#{instance_id}"]
    for field, iteration in stack:
        parts.append(f"{field.name}#" if field.type == "structure" else f"{field.name}#{iteration}")
    return hashlib.sha1("%%".join(parts).encode()).hexdigest()


def _navigation_link(stack: list, instance_id: str) -> str:
    parts = [f"Submissions('{quote(instance_id, safe=_URI_COMPONENT_SAFE)}')"]
    for index, (field, _) in enumerate(stack):
        if field.type == "repeat" and index < len(stack) - 1:
            parts.append(f"{field.name}('{hash_id(stack[: index + 1], instance_id)}')")
        else:
            parts.append(field.name)
    return "/".join(parts)


_URI_COMPONENT_SAFE = "-_.!~*'()"  # what JavaScript's encodeURIComponent leaves alone


def js_number(value: float) -> int | float | None:
    """A JavaScript number as JSON.stringify writes it: NaN/Infinity → null, 42.0 → 42."""
    if math.isnan(value) or math.isinf(value):
        return None
    return int(value) if value.is_integer() else value


def _parse_float(text: str) -> float:
    match = _FLOAT.match(text)
    return float(match.group(1)) if match else math.nan


def _typed(kind: str, text: str) -> Any:
    if kind == "int":
        match = _INT.match(text)
        return int(match.group(1)) if match else None
    if kind == "decimal":
        return js_number(_parse_float(text))
    if kind == "geopoint":
        numbers = [_parse_float(p) for p in text.split()]
        if len(numbers) < 2 or math.isnan(numbers[0]) or math.isnan(numbers[1]):
            return None
        coordinates = [js_number(numbers[1]), js_number(numbers[0])]
        if len(numbers) > 2 and not math.isnan(numbers[2]):
            coordinates.append(js_number(numbers[2]))
        point: dict[str, Any] = {"type": "Point", "coordinates": coordinates}
        if len(numbers) > 3 and not math.isnan(numbers[3]):
            point["properties"] = {"accuracy": js_number(numbers[3])}
        return point
    if kind == "dateTime":
        trimmed = text.strip()
        return f"{trimmed}:00" if re.search(r"[+-]\d\d$", trimmed) else trimmed
    return text


def geojson_to_wkt(point: dict[str, Any]) -> str:
    return "POINT (" + " ".join(str(c) for c in point["coordinates"]) + ")"
