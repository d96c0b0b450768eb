"""The rows of an OData JSON answer as its bytes arrive: memory bounded by a row and a read, not the document.

The standard library's decoder reads each value (``JSONDecoder.raw_decode``, ``json.loads``'s values); only the
document's outer object and its ``value`` array are walked here. (ijson, the streaming parser, built the same rows
with 1.3–3× the CPU time: see bench/RESULTS.md §6e.)
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterable, Iterator
from typing import Any

_decode = json.JSONDecoder().raw_decode
_SPACE = " \t\n\r"
READ = 1 << 16  # a value cut at the end of what was read is decoded again: at most one row per read


class _Text:
    """The text read so far from ``chunks`` (UTF-8), less what was already decoded."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._utf8 = codecs.getincrementaldecoder("utf-8")()
        self.text = ""
        self.at = 0
        self._failed: Exception | None = None

    def more(self) -> bool:
        """Read at least :data:`READ` bytes more, or up to the end; False at the end of the answer. A read that
        fails after some bytes came raises at the next call, once those bytes were decoded."""
        if self._failed is not None:
            raise self._failed
        read, size = [], 0
        try:
            for chunk in self._chunks:
                read.append(chunk)
                size += len(chunk)
                if size >= READ:
                    break
        except Exception as error:
            if not size:
                raise
            self._failed = error
        if not size:
            self._utf8.decode(b"", final=True)  # a character cut at the end raises
            return False
        self.text = self.text[self.at:] + self._utf8.decode(b"".join(read))
        self.at = 0
        return True

    def peek(self) -> str:
        """The next character that is not white space ("" at the end of the answer)."""
        while True:
            while self.at < len(self.text) and self.text[self.at] in _SPACE:
                self.at += 1
            if self.at < len(self.text):
                return self.text[self.at]
            if not self.more():
                return ""

    def take(self, expected: str) -> None:
        found = self.peek()
        if found != expected:
            raise ValueError(f"invalid OData JSON: expected {expected!r} at character {self.at}, found {found!r}")
        self.at += 1

    def value(self) -> Any:
        """The JSON value starting here, reading on until it is complete."""
        self.peek()
        while True:
            try:
                value, end = _decode(self.text, self.at)
            except json.JSONDecodeError as error:
                if self.more():
                    continue
                raise ValueError(f"incomplete or invalid JSON ({error})") from None
            if end == len(self.text) and self.more():  # a number may go on in the next chunk
                continue
            self.at = end
            return value


def value_rows(chunks: Iterable[bytes], members: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Yield the items of the document's ``value`` array as they are read from ``chunks``; put the document's
    other members (``@odata.nextLink`` …) into ``members``. Raises ValueError (once the rows before it were
    yielded) when the answer is not a JSON object with a ``value`` array of objects, or ends early."""
    text = _Text(chunks)
    text.take("{")
    found = False
    more = text.peek() != "}"
    while more:
        key = text.value()
        if not isinstance(key, str):
            raise ValueError("invalid OData JSON: a member name is not a string")
        text.take(":")
        if key == "value":
            found = True
            yield from _items(text)
        else:
            members[key] = text.value()
        more = text.peek() == ","
        if more:
            text.take(",")
    text.take("}")
    if text.peek():
        raise ValueError("invalid OData JSON: text after the document")
    if not found:
        raise ValueError("the answer has no OData `value` list")


def _items(text: _Text) -> Iterator[dict[str, Any]]:
    text.take("[")
    if text.peek() == "]":
        text.take("]")
        return
    while True:
        row = text.value()
        if not isinstance(row, dict):
            raise ValueError("invalid OData JSON: an item of `value` is not an object")
        yield row
        if text.peek() != ",":
            text.take("]")
            return
        text.take(",")
