"""An OData answer's rows read as its bytes arrive: the values json.loads gives, however the bytes are cut."""

from __future__ import annotations

import json

import pytest

from connectors.odata_stream import value_rows

ROWS = [
    {"__id": "uuid:1", "name": "Nguyễn Thị Hoa — “hộ”", "note": 'a "quoted" } ] { [ , \\ text',
     "size": 12345678901234567890},
    {"__id": "uuid:2", "members": [{"__id": "3f1a", "age": 9, "w": 1.5e-3}, {"__id": "9b2c", "age": -12}], "g": None},
    {"__id": "uuid:3", "ok": True, "no": False, "empty": {}, "list": [], "emoji": "🙂", "n": 7},
]
DOCUMENT = json.dumps({"@odata.context": "http://h/v1/projects/3/forms/f.svc/$metadata#Submissions",
                       "value": ROWS, "@odata.count": 3, "@odata.nextLink": "http://h/next"},
                      ensure_ascii=False).encode()


def cut(data: bytes, size: int) -> list[bytes]:
    return [data[start:start + size] for start in range(0, len(data), size)]


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64, 1 << 20])
def test_rows_and_members_whatever_the_chunks(size: int) -> None:
    members: dict = {}
    assert list(value_rows(cut(DOCUMENT, size), members)) == json.loads(DOCUMENT)["value"]
    assert members == {"@odata.context": "http://h/v1/projects/3/forms/f.svc/$metadata#Submissions",
                       "@odata.count": 3, "@odata.nextLink": "http://h/next"}


def test_white_space_an_empty_list_and_members_first() -> None:
    assert list(value_rows([b' {"@odata.count" : 0 ,\n "value" : [ ] } '], {})) == []
    assert list(value_rows([b'{"value":[{"a" : 1} , {"b":2}]}'], {})) == [{"a": 1}, {"b": 2}]


@pytest.mark.parametrize("document, message", [
    (b"[]", "expected '{'"),
    (b'{"x": 1}', "no OData `value` list"),
    (b'{"value": [1]}', "not an object"),
    (b'{"value": [], }', "incomplete or invalid JSON"),
    (b'{"value": [{"a": 1},]}', "incomplete or invalid JSON"),
    (b'{"value": []} {}', "text after the document"),
    (b'{"value": [{"a": "\xc3', "can't decode"),
    (b'{"value": [{"a": 1}', "expected ']'"),
    (b"", "expected '{'"),
])
def test_what_is_not_an_odata_answer_raises(document: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        list(value_rows(cut(document, 3), {}))


def test_the_rows_before_a_break_are_yielded() -> None:
    rows = value_rows(cut(DOCUMENT[: DOCUMENT.index(b'"uuid:3"')], 5), {})
    assert [row["__id"] for row in (next(rows), next(rows))] == ["uuid:1", "uuid:2"]
    with pytest.raises(ValueError):
        next(rows)


def test_a_read_that_fails_raises_after_the_rows_that_came_before_it() -> None:
    def chunks():
        yield DOCUMENT[: DOCUMENT.index(b'"uuid:3"')]
        raise ConnectionError("dropped")

    rows = value_rows(chunks(), {})
    assert [row["__id"] for row in (next(rows), next(rows))] == ["uuid:1", "uuid:2"]
    with pytest.raises(ConnectionError):
        next(rows)
