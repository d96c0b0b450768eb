"""JSON decoding: ``json.loads``'s values, by orjson (faster) whenever that gives the same."""

from __future__ import annotations

import json
from typing import Any

import orjson

_DIGITS_ONLY = bytes(0x30 if 0x30 <= b <= 0x39 else 0x20 for b in range(256))  # every digit → 0, else space
_LONG_INTEGER = b"0" * 19  # 19 digits or more: perhaps beyond 64 bits
_NUMBER_START = frozenset(b"[:, \t\n\r")  # what can come before a JSON number (its minus sign aside)


def loads(text: str | bytes) -> Any:
    """``json.loads(text)``, decoded by orjson whenever that gives the same value.

    orjson rejects what ``json.loads`` reads as NaN, ±Infinity (``1e400`` too), a lone surrogate or a byte order
    mark, and reads an integer beyond 64 bits as a float: a document orjson rejects, or with a run of 19 digits
    where a number can start (a big integer, or digits after a space inside a string), is read by ``json.loads``,
    which also raises the error of a document that is not JSON. A run after a letter or a quote (a hex hash such
    as a repeat's ``__id``) is inside a string. Takes text (SQLite's stored JSON) or bytes (an HTTP body, psycopg's
    ``json``/``jsonb``).
    """
    if isinstance(text, str):
        data = text.encode("utf-8", "surrogatepass")
    else:
        text = data = bytes(text)
    digits = data.translate(_DIGITS_ONLY)
    at = digits.find(_LONG_INTEGER)
    while at != -1:  # the first 19 of a run of digits
        before = at - 2 if at and data[at - 1] == 0x2D else at - 1  # before its minus sign, if any
        if before < 0 or data[before] in _NUMBER_START:
            return json.loads(text)
        end = digits.find(b" ", at)
        at = -1 if end == -1 else digits.find(_LONG_INTEGER, end)
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(text)
