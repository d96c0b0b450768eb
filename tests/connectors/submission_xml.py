"""The XML a phone posts for a submission, built from its answers (groups as dicts, repeats as lists of dicts).

The answers may be an OData row: its ``__id``, ``__system``, ``meta`` and ``@odata.…`` entries are left out, and a
geopoint in GeoJSON (``{"type": "Point", "coordinates": [lon, lat, alt], "properties": {"accuracy": …}}``) is
written as ODK writes it: ``lat lon alt accuracy``.
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape, quoteattr


def submission_xml(form_id: str, version: str, answers: dict[str, Any], instance_id: str,
                   deprecated_id: str | None = None) -> bytes:
    """A submission of ``form_id`` at ``version`` with ``meta/instanceID`` (and ``meta/deprecatedID``: an edit)."""
    meta = f"<instanceID>{escape(instance_id)}</instanceID>"
    if deprecated_id:
        meta += f"<deprecatedID>{escape(deprecated_id)}</deprecatedID>"
    return (f"<?xml version='1.0' ?><data id={quoteattr(form_id)} version={quoteattr(version)}>"
            f"{_elements(answers)}<meta>{meta}</meta></data>").encode()


def _elements(answers: dict[str, Any]) -> str:
    out = []
    for name, value in answers.items():
        if name.startswith("__") or "@" in name or name == "meta":
            continue
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict) and item.get("type") == "Point":
                lon, lat, alt = item["coordinates"]
                out.append(f"<{name}>{lat} {lon} {alt} {item['properties']['accuracy']}</{name}>")
            elif isinstance(item, dict):
                out.append(f"<{name}>{_elements(item)}</{name}>")
            elif item is None:
                out.append(f"<{name}/>")
            else:
                out.append(f"<{name}>{escape(str(item))}</{name}>")
    return "".join(out)
