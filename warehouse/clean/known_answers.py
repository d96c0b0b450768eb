"""Every answer of a submission must be a question of its form (``connectors.xlsform``): an answer under a renamed
or removed question is quarantined as ``UNKNOWN_FIELD``, never read as a missing answer. The cleaning engine
checks every form's submissions this way before its parser reads them (``warehouse.clean.steps``)."""

from __future__ import annotations

import copy
import re
from typing import Any

from connectors.xlsform import Levels, XlsForm
from warehouse.clean.values import Problem, get_path

RENAMED: dict[str, dict[str, str]] = {}
"""Questions renamed by a later form version, by form id: old path → current path, e.g. ``{HOUSEHOLD_SURVEY:
{"household/poverty": "household/poverty_status"}}``. Answers under an old name are read under the current one.
After adding an entry, raise the form's cleaning logic version so that every submission is cleaned again (those
quarantined for the old name included)."""
_SYSTEM_KEY = re.compile(r"^__|@odata\.navigationLink$")  # ODK's ids, system fields and repeat links
_NOTHING: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())


def known_answers(raw: Any, form: XlsForm) -> Any:
    """``raw`` (a ``raw_submission`` row) with its answers under the current question names; ``UNKNOWN_FIELD``
    when one answers no question of ``form``."""
    payload = raw.payload
    renamed = RENAMED.get(form.form_id)
    if renamed:
        payload = _current_names(payload, renamed)
        if payload is not raw.payload:
            raw = _Renamed(raw, payload)
    unknown = _unknown(payload, "", form.levels) if isinstance(payload, dict) else None
    if unknown is not None:
        path, value = unknown[0][:128], unknown[1]
        raise Problem(path, value, "UNKNOWN_FIELD",
                      f"`{path}` is not a question of the form `{form.form_id}` (this submission's version:"
                      f" {raw.form_version}); a question renamed by a form version is mapped in"
                      " warehouse.clean.known_answers.RENAMED")
    return raw


def _unknown(node: dict, prefix: str, levels: Levels) -> tuple[str, Any] | None:
    """The first answer in ``node`` (at level ``prefix``, e.g. ``"child/"``) and the groups in it that answers no
    question: its path and value."""
    names, groups = levels.get(prefix, _NOTHING)
    for key, value in node.items():
        if key not in names and not (_SYSTEM_KEY.search(key) or not prefix and key == "meta"):
            return prefix + key, value
    for name in groups:
        value = node.get(name)
        for item in value if isinstance(value, list) else (value,):
            if isinstance(item, dict) and (found := _unknown(item, f"{prefix}{name}/", levels)) is not None:
                return found
    return None


def _current_names(payload: dict, renamed: dict[str, str]) -> dict:
    """``payload`` with answers under a renamed question's old path moved to its current path."""
    moves = [(old, new) for old, new in renamed.items() if get_path(payload, old) is not None]
    if not moves:
        return payload
    payload = copy.deepcopy(payload)
    for old, new in moves:
        *parents, last = old.split("/")
        node = payload
        for part in parents:
            node = node[part]
        value = node.pop(last)
        *parents, last = new.split("/")
        node = payload
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    return payload


class _Renamed:
    """A raw row whose payload was read under current names."""

    def __init__(self, raw: Any, payload: dict) -> None:
        self._raw, self.payload = raw, payload

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)
