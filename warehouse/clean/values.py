"""Reading typed answers out of a canonical submission payload, with a specific reason when one is bad."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from connectors.form_schema import read_decimal, read_int


class Problem(ValueError):
    """A bad answer: which field, its value, a reason code and a sentence for the data manager."""

    def __init__(self, field: str, value: Any, code: str, reason: str):
        super().__init__(f"{field}: {reason}")
        self.field, self.value, self.code, self.reason = field, value, code, reason


def get_path(doc: dict, path: str) -> Any:
    """The value at ``a/b/c`` in nested groups, or ``None``."""
    node: Any = doc
    for part in _parts(path):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


@lru_cache(maxsize=1024)
def _parts(path: str) -> tuple[str, ...]:
    return tuple(path.split("/"))


def group(doc: dict, name: str) -> Mapping[str, Any]:
    """The answers of group ``name`` of ``doc`` (none when it is not a group): ``group(doc, "a").get("b")`` is
    ``get_path(doc, "a/b")``, without walking the path again for each answer of the group."""
    node = doc.get(name) if isinstance(doc, dict) else None
    return node if isinstance(node, dict) else _NO_ANSWERS


_NO_ANSWERS: Mapping[str, Any] = MappingProxyType({})


def required(field: str, value: Any) -> Any:
    if value is None or value == "":
        raise Problem(field, value, "MISSING_REQUIRED", "a required answer is missing")
    return value


_INF = math.inf


def number(field: str, value: Any, low: float, high: float, integer: bool = False) -> float | int | None:
    """A number in ``[low, high]`` (``None`` stays ``None``); numeric strings are accepted."""
    kind = value.__class__  # the usual answers first: a finite number in range (else the full checks below)
    if kind is int:
        if low <= value <= high and -_INF < low and high < _INF:
            return value if integer else float(value)
    elif kind is float:
        if -_INF < value < _INF and (not integer or value == int(value)) and low <= value <= high:
            return int(value) if integer else value
    elif value is None:
        return None
    return _number(field, value, low, high, integer)


def _number(field: str, value: Any, low: float, high: float, integer: bool) -> float | int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise Problem(field, value, "WRONG_TYPE", "expected a number")
    if isinstance(value, str):  # a text the connectors could not read as a number, or a hand-made row's
        number = read_int(value) if integer else read_decimal(value)
        if number is None:
            if not value.strip(" \t\r\n"):
                return None
            raise Problem(field, value, "INVALID_NUMBER", "not a whole number as the form writes it (ASCII digits)"
                          if integer else "not a number as the form writes it (ASCII digits, a decimal point)")
        value = number
    if not isinstance(value, (int, float)) or math.isnan(value) or math.isinf(value):
        raise Problem(field, value, "WRONG_TYPE", "expected a number")
    if integer and value != int(value):
        raise Problem(field, value, "WRONG_TYPE", "expected a whole number")
    if not low <= value <= high:
        raise Problem(field, value, "OUT_OF_RANGE", f"{value:g} is outside {low:g}–{high:g}")
    return int(value) if integer else float(value)


def iso_date(field: str, value: Any) -> date | None:
    """A date answer: ``YYYY-MM-DD`` in ASCII digits and nothing else (XML whitespace around it allowed)."""
    if value is None or value == "":
        return None
    text = value.strip(" \t\r\n") if isinstance(value, str) else ""
    if _ISO_DATE.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass  # not a day of the calendar
    raise Problem(field, value, "INVALID_DATE", "not a date (YYYY-MM-DD)")


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def choice(field: str, value: Any, allowed: frozenset[str]) -> str | None:
    if value.__class__ is str and value in allowed:  # the usual answer first
        return value or None
    if value is None or value == "":
        return None
    if not isinstance(value, str) or value not in allowed:
        raise Problem(field, value, "INVALID_CHOICE", f"{value!r} is not a choice of this question")
    return value


def choices(field: str, value: Any, allowed: frozenset[str]) -> frozenset[str]:
    """A select_multiple answer (one space-separated string) as a set of codes."""
    if value is None or value == "":
        return frozenset()
    if not isinstance(value, str):
        raise Problem(field, value, "WRONG_TYPE", "expected space-separated choice codes")
    codes = frozenset(value.split())
    unknown = sorted(codes - allowed)
    if unknown:
        raise Problem(field, value, "INVALID_CHOICE", f"not choices of this question: {', '.join(unknown)}")
    return codes


_YES_NO = frozenset({"yes", "no"})
_AS_BOOL = {"yes": True, "no": False, None: None}


def yes_no(field: str, value: Any) -> bool | None:
    if value.__class__ is str:  # the usual answers first
        if value == "yes":
            return True
        if value == "no":
            return False
    elif value is None:
        return None
    return _AS_BOOL[choice(field, value, _YES_NO)]
