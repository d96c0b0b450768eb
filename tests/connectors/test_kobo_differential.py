"""Old against new: the compiled filling functions, the typers' fast paths and the orjson page decoding give exactly
the records the code before them gave (one walk per document into the table plans' frames, regex typers,
``json.loads``), over the benchmark's demo documents and over unusual ones.

The reference implementations below are the code this replaced (commit 4805f26), kept verbatim but for names."""

from __future__ import annotations

import json
import math
import random
import re
from datetime import datetime
from typing import Any

import pytest
import requests

from connectors import form_schema
from connectors.demo import household_row, national_communes
from connectors.form_schema import GROUP, REPEAT, FormSchema, attach_repeats
from connectors.forms import FORMS_DIR
from connectors.http import HttpClient, HttpSettings
from connectors.json_decode import loads as decode_json
from connectors.kobotoolbox import KoboClient
from connectors.kobotoolbox import documents as kobo_documents
from connectors.kobotoolbox.documents import (
    INSTANCE_ID,
    KOBO_KEYS,
    DocumentError,
    _files_in_document,
    _record,
    _system,
    _text,
    answers_from_document,
    instance_ids,
    record_from_answers,
    record_from_document,
)
from connectors.records import SubmissionRecord
from connectors.xlsform import read_xlsform
from tests.connectors.fake_kobotoolbox import content_paths, kpi_content
from tests.connectors.kobo_demo import kobo_document
from tests.connectors.kobo_fixtures import HOUSEHOLD_XLSX
from tests.connectors.test_kobo_documents import FORM, UNUSUAL, document

# --- the reference: record building before the compiled fillers ------------------------------------------------


class _OldUnusual(Exception):
    pass


def old_record_from_document(document: dict[str, Any], schema: FormSchema, *, project: str,
                             form_id: str | None = None, source: str = "kobotoolbox",
                             strict: bool = False) -> SubmissionRecord:
    plan = schema.table_plan(None)
    filled = None
    if schema.get(INSTANCE_ID) is None or INSTANCE_ID in plan.slots:
        try:
            filled = _old_fill(schema, plan, document, strict)
        except DocumentError:
            raise
        except Exception:
            filled = None
    attachments = [a for a in document.get("_attachments") or [] if isinstance(a, dict) and not a.get("is_deleted")]
    if filled is None:
        answers = answers_from_document(document, schema, strict=strict)
        return record_from_answers(answers, schema, document, project=project, form_id=form_id, source=source,
                                   attachments_present=len(attachments))
    row, entries = filled
    stable, current = instance_ids(document)
    slot = plan.slots.get(INSTANCE_ID)
    if slot is not None and document.get(INSTANCE_ID) in (None, ""):
        groups, key, typer = slot
        container = row
        for group in groups:
            container = container[group]
        container[key] = current if typer is None else typer(current)
    files = schema.file_paths
    system = _system(document, stable, current, len(attachments),
                     _files_in_document(files, schema.types, document) if files else 0)
    row["__id"] = stable
    row["__system"] = system
    if entries:
        attach_repeats(schema, plan, row, entries, [], stable)
    return _record(source, project, form_id or schema.form_id, stable, current, system, row, document)


def _old_fill(schema: FormSchema, plan: Any, document: dict[str, Any], strict: bool) -> Any:
    types = schema.types
    slots = plan.slots
    row = plan.frame.build()
    entries = None
    for key, value in document.items():
        slot = slots.get(key)
        if slot is not None:
            if value.__class__ is not str:
                if value is None:
                    continue
                value = _text(key, value)
            elif not value:
                continue
            groups, name, typer = slot
            container = row
            for group in groups:
                container = container[group]
            container[name] = value if typer is None else typer(value)
            continue
        kind = types.get(key)
        if kind is None or kind == GROUP:
            if strict and not key.startswith("_") and key not in KOBO_KEYS:
                raise DocumentError(f"`{key}` is not a question of form `{schema.form_id}`")
            continue
        if (kind != REPEAT or key not in plan.repeat_paths or value.__class__ is not list
                or not all(entry.__class__ is dict for entry in value)):
            raise _OldUnusual(key)
        if value:
            entry_plan = schema.table_plan(key)
            if entries is None:
                entries = {}
            entries[key] = [_old_fill(schema, entry_plan, entry, strict) for entry in value]
    return row, entries


_FLOAT = re.compile(r"\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)")
_SPACES = re.compile(r"\s+")


def old_int(text: str) -> int | str | None:
    """The strict reading without the fast path: the number, else the text kept (only whitespace: not answered)."""
    value = form_schema.read_int(text)
    return value if value is not None else text if text.strip(" \t\r\n") else None


def old_decimal(text: str) -> int | float | str | None:
    value = form_schema.read_decimal(text)
    return _js_number(value) if value is not None else text if text.strip(" \t\r\n") else None


def old_geopoint(text: str) -> dict[str, Any] | None:
    numbers = [_parse_float(p) for p in _SPACES.split(text)]
    if len(numbers) < 2 or math.isnan(numbers[0]) or math.isnan(numbers[1]):
        return None
    coordinates = [_js_number(numbers[1]), _js_number(numbers[0])]
    if len(numbers) > 2 and not math.isnan(numbers[2]):
        coordinates.append(_js_number(numbers[2]))
    accuracy = numbers[3] if len(numbers) > 3 and not math.isnan(numbers[3]) else None
    accuracy = None if accuracy is None else _js_number(accuracy)
    geo: dict[str, Any] = {"type": "Point", "coordinates": coordinates}
    if accuracy is not None:
        geo["properties"] = {"accuracy": accuracy}
    return geo


def _parse_float(text: str) -> float:
    match = _FLOAT.match(text)
    return float(match.group(1)) if match else math.nan


def _js_number(value: float) -> int | float | None:
    if math.isnan(value) or math.isinf(value):
        return None
    return int(value) if value.is_integer() else value


# --- comparing ------------------------------------------------------------------------------------------------

FIELDS = list(SubmissionRecord._fields)


def outcome(build, doc: dict[str, Any], schema: FormSchema, strict: bool = False) -> tuple[str, str]:
    """A record's every field, its payload's exact JSON and types (``repr``), or the error's kind and message."""
    try:
        record = build(doc, schema, project="p", form_id="f", strict=strict)
    except (DocumentError, ValueError, TypeError) as exc:
        return type(exc).__name__, str(exc)
    return repr([getattr(record, name) for name in FIELDS]), json.dumps(record.payload, ensure_ascii=False)


def demo_documents(households: int) -> list[bytes]:
    """The benchmark server's KPI documents of the first demo households (every commune), as it sends them."""
    communes = national_communes(FORMS_DIR / "media" / "communes.csv")
    paths = content_paths(kpi_content(HOUSEHOLD_XLSX.read_bytes()))
    rows = (household_row(communes, n, 2026) for n in range(households))
    return [json.dumps(kobo_document(row, kobo_id, paths), ensure_ascii=False).encode()
            for kobo_id, row in enumerate(rows, start=1) if row["__system"]["deletedAt"] is None]


@pytest.fixture(scope="module")
def household_schema() -> FormSchema:
    return read_xlsform(HOUSEHOLD_XLSX).schema


def test_demo_documents_give_the_records_they_gave(household_schema: FormSchema) -> None:
    documents = demo_documents(600)
    assert len(documents) > 500
    for body in documents:
        new = decode_json(body)
        assert repr(new) == repr(json.loads(body))
        assert outcome(record_from_document, new, household_schema) == outcome(
            old_record_from_document, json.loads(body), household_schema)


def test_edited_and_unusual_demo_documents_too(household_schema: FormSchema) -> None:
    base = json.loads(demo_documents(40)[7])
    child = dict(base["child"][0]) if base.get("child") else {"child/child_name": "An"}
    variants = [
        {"meta/instanceID": None}, {"meta/instanceID": ""}, {"_uuid": None, "meta/rootUuid": None},
        {"household/hh_size": 6, "child": [{**child, "child/age_stated": 12.0, "child/work/hours_day": 2.5}]},
        {"household/hh_size": True}, {"household/hh_size": [6]}, {"location/gps": "21 105"},
        {"location/gps": "1 2 3 4 5"}, {"location/gps": " 21.5  105.25"}, {"location/gps": "٢١ ١٠٥"},
        {"household/hh_size": "6 people"}, {"household/hh_size": "٦"}, {"household/hh_size": "-6"},
        {"household/hh_size": "9" * 5000}, {"child": [{**child, "child/work/hours_day": "1e400"}]},
        {"child": [{**child, "child/work/hours_day": ".5"}, {**child, "child/work/hours_day": "5."}]},
        {"child": None}, {"child": []}, {"child": "none"}, {"child": [child, None]}, {"child": [{}]},
        {"child/child_name": "misplaced"}, {"child": [{**child, "location/province": "01"}]},
        {"location": {"province": "01"}}, {"household": "group key"}, {"colour": "red"}, {"_anything": [1]},
        {"__version__": None}, {"_submission_time": "2026-11-01T08:00:00Z"},
        {"_submission_time": "2026-11-01T08:00:00+00:00"}, {"_submission_time": "2026-11-01 08:00:00"},
        {"_submission_time": "2026-W44-1T08:00:00"}, {"_submission_time": "0999-11-01T08:00:00"},
        {"_submission_time": "2026-13-01T08:00:00"}, {"_submission_time": "2026-11-01T08:00:00.5"},
        {"_validation_status": "Approved"}, {"_attachments": [{"is_deleted": True}, "x"]},
        {"meta/deprecatedID": "uuid:old"}, {"interview_date": None, "enumerator": ""},
    ]
    for strict in (False, True):
        for changes in variants:
            doc = {**base, **changes}
            assert outcome(record_from_document, doc, household_schema, strict) == outcome(
                old_record_from_document, doc, household_schema, strict), changes


@pytest.mark.parametrize("strict", [False, True])
@pytest.mark.parametrize("changes", UNUSUAL.values(), ids=UNUSUAL.keys())
def test_the_unusual_documents_of_the_nested_form_too(changes: dict, strict: bool) -> None:
    schema = FormSchema.from_xlsform_dict(FORM)
    doc = document(**changes)
    assert outcome(record_from_document, doc, schema, strict) == outcome(old_record_from_document, doc, schema, strict)


def test_a_form_whose_names_collide_takes_the_general_way() -> None:
    """Two questions with one OData name (``a-b``, ``a.b`` → ``a_b``): the last answer in document order wins."""
    survey = [{"type": "text", "name": "a-b", "label": "x"}, {"type": "integer", "name": "a.b", "label": "y"}]
    schema = FormSchema.from_xlsform_dict({"survey": survey, "settings": [{"form_id": "clash", "version": "1"}]})
    assert kobo_documents._fill(schema) is None
    for doc in ({"a-b": "x", "a.b": "2"}, {"a.b": "2", "a-b": "x"}, {"a.b": "2", "a-b": ""}):
        doc = {**doc, "meta/instanceID": "uuid:c", "_uuid": "c", "_submission_time": "2026-01-01T00:00:00"}
        assert outcome(record_from_document, doc, schema) == outcome(old_record_from_document, doc, schema)


def test_the_typers_fast_paths_read_what_the_regexes_read() -> None:
    rng = random.Random(2026)

    def number() -> str:
        if rng.random() < 0.15:
            return rng.choice(["", "-", "+", ".", "5.", ".5", "9" * 400, "0", "-0", "1e3", "00.10", "1_0", "inf",
                               "nan", "٣", "²", " 5", "5 ", "\u00a05"])
        text = rng.choice(["", "-", "+"]) + str(rng.randint(0, 10 ** rng.randint(1, 20)))
        return text + ("." + str(rng.randint(0, 10 ** rng.randint(0, 20)))[1:] if rng.random() < 0.7 else "")

    texts = [number() for _ in range(20_000)]
    texts += [rng.choice([" ", "  ", "\t", " "]).join(number() for _ in range(rng.randint(1, 5)))
              for _ in range(20_000)]
    texts += ["16.572174 106.016027 33.4 6.0", "1 2 3 " + "9" * 400, "9" * 400 + " 1", "1. 2.", "-0 -0 -0 -0",
              ".5 1", "+.5 -.5 +1. -0.0", "5- 6", "1.2.3 4", "1 2 3 4 5", "1 2 3 4 ", "+ 1", "- -", ". .", "1 +-2"]
    for text in texts:
        for new, old in ((form_schema._int, old_int), (form_schema._decimal, old_decimal),
                         (form_schema._geopoint, old_geopoint)):
            assert _result(new, text) == _result(old, text), (new.__name__, text)


_UTC_SUFFIX = re.compile(r"(Z|[+-]00:?00)$")


def old_submission_date(value: Any) -> str | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(_UTC_SUFFIX.sub("", str(value).strip()))
        except ValueError:
            raise DocumentError(f"`_submission_time` {str(value)!r} is not a timestamp") from None
    if moment.tzinfo is None and moment.year >= 1000:
        return f"{moment.isoformat(timespec='seconds')}.{moment.microsecond // 1000:03d}Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def test_submission_times_are_written_as_they_were() -> None:
    rng = random.Random(11)
    values: list[Any] = [None, "", "2026-11-01T08:00:00", "2024-02-29T23:59:59", "2025-02-29T10:00:00",
                         "2026-13-01T08:00:00", "2026-00-10T08:00:00", "2026-11-31T08:00:00", "2026-11-01T24:00:00",
                         "2026-11-01T23:60:00", "2026-11-01T23:59:60", "0999-11-01T08:00:00", "1000-01-01T00:00:00",
                         "2026-11-01 08:00:00", "2026-11-01T08:00:00Z", "2026-11-01T08:00:00+00:00",
                         "2026-11-01T08:00:00.123456", "2026-W44-1T08:00:00", "٢٠٢٦-11-01T08:00:00",
                         " 2026-11-01T08:00:00", "2026-11-01T08:00:00 ", "20261101T080000", "soon",
                         datetime(2026, 11, 1, 8), datetime(999, 1, 1)]
    for _ in range(20_000):
        values.append(f"{rng.randint(0, 9999):04d}-{rng.randint(0, 19):02d}-{rng.randint(0, 39):02d}T"
                      f"{rng.randint(0, 29):02d}:{rng.randint(0, 69):02d}:{rng.randint(0, 69):02d}")
    for value in values:
        assert _result(kobo_documents.submission_date, value) == _result(old_submission_date, value), value


def _result(typer, text: Any) -> str:
    try:
        return repr(typer(text))
    except ValueError as exc:
        return f"ValueError: {exc}"


# --- pages decoded by orjson where that reads the same ------------------------------------------------------------

JSON_TEXTS = [
    b'{"a": 1, "b": 2, "a": 3}', b"-0", b"1e-400", b"0.1", b"1.7976931348623157e308", b"5e-324", b"[1e22, 1e23]",
    b'"\\ud83d\\ude00"', b'"\\ud800"', b'"x\\udfff"', b'"\xed\xa0\x80"', b'"\\u0000"', b'\xef\xbb\xbf{"a": 1}',
    b"NaN", b"-Infinity", b"[Infinity]", b"1e400", b"-1e400", b"9223372036854775807", b"-9223372036854775808",
    b"18446744073709551615", b"18446744073709551616", b"123456789012345678901234567890", b'"1234567890123456789"',
    b"0.1234567890123456789", b"[0.30000000000000004, 2.2250738585072011e-308]", b'"\\/"', b' \t\n{ } ',
    b'{"a":1}garbage', b"[1,]", b"01", b'"\t"', b'"\\x"', b"", b"{", b"[" * 2000 + b"]" * 2000, b"\xff",
    '{"é": "Nguyễn"}'.encode(), '{"é": "Nguyễn"}'.encode("utf-16"), '{"a": 1}'.encode("utf-32-le"),
]


@pytest.mark.parametrize("text", JSON_TEXTS, ids=range(len(JSON_TEXTS)))
def test_decode_json_reads_what_json_loads_reads(text: bytes) -> None:
    assert _decoded(decode_json, text) == _decoded(json.loads, text)


def _decoded(loads, text: bytes) -> str:
    try:
        return repr(loads(text))
    except (ValueError, RecursionError) as exc:
        return f"{type(exc).__name__}: {exc}"


def _response(body: bytes, content_type: str = "application/json", status: int = 200) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response.headers["Content-Type"] = content_type
    response._content = body
    return response


@pytest.mark.parametrize("text", [*JSON_TEXTS, b"<html>not json</html>"], ids=range(len(JSON_TEXTS) + 1))
@pytest.mark.parametrize("content_type", ["application/json", "text/html"])
def test_the_kobo_client_parses_bodies_as_the_plain_http_client(text: bytes, content_type: str) -> None:
    with KoboClient("http://kobo.invalid", "t") as client:
        plain = HttpClient(HttpSettings(), label="plain")
        for status in (200, 404):
            response = _response(text, content_type, status)
            assert _decoded(lambda body: client.http._parse(response, body), text) == _decoded(
                lambda body: plain._parse(response, body), text)
        plain.close()
