"""OData ``$filter`` on ODK Central's system fields, parsed and compiled to a predicate.

Operators ``eq ne lt le gt ge and or not``, parentheses, literals ``null``, numbers,
``'strings'`` and ISO timestamps. SQL semantics: a comparison with a null is unknown, and only
rows where the whole expression is true are selected. Errors carry Central's codes:
400.18 for what does not parse (``gte``), 501.5 for a form field.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

# filterable field → attribute of the fake's submission objects
FIELDS = {
    "__id": "instance_id",
    "__system/submissionDate": "created_ms",
    "__system/updatedAt": "updated_ms",
    "__system/submitterId": "submitter_id",
    "__system/reviewState": "review_state",
    "__system/deletedAt": "deleted_ms",
}
_TIME_FIELDS = {"created_ms", "updated_ms", "deleted_ms"}
_OPERATOR = re.compile(r"\s+(eq|ne|lt|le|gt|ge)\s+")
_IDENTIFIER = re.compile(r"[A-Za-z_$][\w$]*(?:/[A-Za-z_][\w]*)*")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?![\dT])")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?![\d.])")
_STRING = re.compile(r"'((?:[^']|'')*)'")
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
}

Predicate = Callable[[Any], bool | None]


class FilterError(Exception):
    def __init__(self, status: int, code: float, message: str, details: dict[str, Any]) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


def to_ms(timestamp: str) -> int:
    moment = datetime.fromisoformat(timestamp)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return round(moment.timestamp() * 1000)


class CompiledFilter:
    """``matches(sub)`` is true only for selected rows; ``mentions_deleted`` shows deleted rows."""

    def __init__(self, text: str) -> None:
        parser = _Parser(text)
        self._predicate = parser.parse()
        self.mentions_deleted = "deleted_ms" in parser.fields

    def matches(self, sub: Any) -> bool:
        return self._predicate(sub) is True


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.fields: set[str] = set()
        self.unsupported: tuple[int, str] | None = None

    def parse(self) -> Predicate:
        node = self._or()
        self._skip()
        if self.pos != len(self.text):
            self._fail()
        if self.unsupported:
            at, name = self.unsupported
            raise FilterError(
                501,
                501.5,
                f"The given OData filter expression references fields not supported by this server: {name} at {at}",
                {"at": at, "text": name},
            )
        return node

    def _fail(self) -> None:
        reason = f"Unexpected character at {self.pos}"
        raise FilterError(
            400, 400.18, f"The OData filter expression you provided could not be parsed: {reason}", {"reason": reason}
        )

    def _skip(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def _keyword(self, word: str) -> bool:
        match = re.compile(rf"\s+{word}\s+").match(self.text, self.pos)
        if match:
            self.pos = match.end()
        return bool(match)

    def _or(self) -> Predicate:
        node = self._and()
        while self._keyword("or"):
            left, right = node, self._and()
            node = lambda s, left=left, right=right: _or3(left(s), right(s))  # noqa: E731
        return node

    def _and(self) -> Predicate:
        node = self._not()
        while self._keyword("and"):
            left, right = node, self._not()
            node = lambda s, left=left, right=right: _and3(left(s), right(s))  # noqa: E731
        return node

    def _not(self) -> Predicate:
        self._skip()
        match = re.compile(r"not(?:\s+|(?=\())").match(self.text, self.pos)
        if match:
            self.pos = match.end()
            inner = self._not()
            return lambda s: None if (value := inner(s)) is None else not value
        return self._primary()

    def _primary(self) -> Predicate:
        self._skip()
        if self.text.startswith("(", self.pos):
            self.pos += 1
            node = self._or()
            self._skip()
            if not self.text.startswith(")", self.pos):
                self._fail()
            self.pos += 1
            return node
        left = self._operand()
        match = _OPERATOR.match(self.text, self.pos)
        if not match:
            self._fail()
        self.pos = match.end()
        return _comparison(match.group(1), left, self._operand())

    def _operand(self) -> tuple[str, Any]:
        self._skip()
        text, pos = self.text, self.pos
        for pattern, kind in ((_TIMESTAMP, "time"), (_DATE, "time"), (_NUMBER, "number"), (_STRING, "string")):
            match = pattern.match(text, pos)
            if match:
                self.pos = match.end()
                if kind == "time":
                    value = to_ms(match.group(0) if "T" in match.group(0) else match.group(0) + "T00:00:00Z")
                elif kind == "number":
                    value = float(match.group(0)) if "." in match.group(0) else int(match.group(0))
                else:
                    value = match.group(1).replace("''", "'")
                return ("literal", value)
        match = _IDENTIFIER.match(text, pos)
        if not match:
            self._fail()
        self.pos = match.end()
        name = match.group(0)
        if name == "null":
            return ("literal", None)
        if name in ("true", "false"):
            return ("literal", name == "true")
        if name not in FIELDS:
            self.unsupported = self.unsupported or (pos, name)
            return ("literal", None)
        self.fields.add(FIELDS[name])
        return ("field", FIELDS[name])


def _value(operand: tuple[str, Any]) -> Callable[[Any], Any]:
    kind, value = operand
    if kind == "field":
        return lambda s: getattr(s, value)
    return lambda s: value


def _comparison(operator: str, left: tuple[str, Any], right: tuple[str, Any]) -> Predicate:
    for this, other in ((left, right), (right, left)):  # a time field compared with a quoted timestamp
        if this[0] == "field" and this[1] in _TIME_FIELDS and other[0] == "literal" and isinstance(other[1], str):
            converted = ("literal", to_ms(other[1]))
            left, right = (this, converted) if this is left else (converted, this)
    get_left, get_right = _value(left), _value(right)
    if operator in ("eq", "ne"):
        null_test = left == ("literal", None) or right == ("literal", None)

        def equality(s: Any) -> bool | None:
            a, b = get_left(s), get_right(s)
            if null_test:
                return (a is b) if operator == "eq" else (a is not b)
            if a is None or b is None:
                return None
            return (a == b) if operator == "eq" else (a != b)

        return equality
    compare = _COMPARE[operator]

    def ordering(s: Any) -> bool | None:
        a, b = get_left(s), get_right(s)
        if a is None or b is None:
            return None
        try:
            return compare(a, b)
        except TypeError:
            return None

    return ordering


def _and3(a: bool | None, b: bool | None) -> bool | None:
    if a is False or b is False:
        return False
    return None if a is None or b is None else True


def _or3(a: bool | None, b: bool | None) -> bool | None:
    if a is True or b is True:
        return True
    return None if a is None or b is None else False
