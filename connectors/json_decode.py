"""JSON decoding: ``json.loads``'s values, by orjson (faster) whenever that gives the same."""

from __future__ import annotations

import json
from typing import Any

import orjson

_DIGITS_ONLY = bytes(0x30 if 0x30 <= b <= 0x39 else 0x20 for b in range(256))  # every digit → 0, else space
_LONG_INTEGER = b"0" * 19  # 19 digits or more: perhaps beyond 64 bits


def loads(text: str | bytes) -> Any:
    """``json.loads(text)``, decoded by orjson whenever that gives the same value.

    orjson rejects what ``json.loads`` reads as NaN, ±Infinity (``1e400`` too), a lone surrogate or a byte order
    mark, and reads an integer beyond 64 bits as a float: a document orjson rejects, or with a run of 19 digits
    anywhere (a big integer, or only a long string of digits), is read by ``json.loads``, which also raises the
    error of a document that is not JSON. Takes text (SQLite's stored JSON) or bytes (an HTTP body, psycopg's
    ``json``/``jsonb``).
    """
    if isinstance(text, str):
        data = text.encode("utf-8", "surrogatepass")
    else:
        text = data = bytes(text)
    if _LONG_INTEGER not in data.translate(_DIGITS_ONLY):
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass
    return json.loads(text)
