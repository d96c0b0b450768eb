"""The fast paths of the cleaning step give what the full checks give: JSON read back from the warehouse,
pseudonymous ids and the value readers."""

import hashlib
import hmac
import json
import math
import pickle

import pytest
from sqlalchemy import select

from connectors.json_decode import loads as json_loads
from tests.warehouse.test_raw_store import record
from warehouse.clean import values
from warehouse.clean.pseudonym import Pseudonymizer
from warehouse.raw.raw_store import store_records
from warehouse.schema.db import make_engine, upgrade
from warehouse.schema.models import RawSubmission

DOCUMENTS = [
    '{"a": [1, 2.5, -0.0, null, true, "Hoàng"], "b": {"c": "0975321588"}}',
    "123456789012345678901234567890",  # beyond 64 bits: orjson would give a float
    "-9223372036854775809", "18446744073709551615", "18446744073709551616",
    '{"hh_size": 100000000000000000000, "id": "1234567890123456789012"}',
    "1e400", "-1e400", "NaN", "[Infinity, -Infinity]",  # json.loads reads them, orjson does not
    '"\\ud800"', '"\\ud83d\\ude00"', '{"a": 1, "a": 2}', " [] ", "1.7976931348623157e308", "5e-324",
    '[-12345678901234567890123,12345678901234567890123]', '{"a":\t-18446744073709551616}',
    '{"__id": "b7b94771e94dfb109944942582592366460a37d1", "n": "1234567890123456789012", "t": "x 12345678901234567890"}',
    "[0.12345678901234567890123, 1e0000000000000000001, 12345678901234567890.5]",
]
HASH_IDS = b'[{"__id": "b7b94771e94dfb109944942582592366460a37d1", "hh_size": 4}, {"__id": "1234567890123456789012a"}]'


@pytest.mark.parametrize("text", DOCUMENTS)
def test_json_loads_reads_what_json_loads_reads(text):
    expected = repr(json.loads(text))
    encoded = text.encode()
    assert repr(json_loads(text)) == expected
    assert repr(json_loads(encoded)) == repr(json.loads(encoded)) == expected
    assert repr(json_loads(memoryview(encoded))) == expected


def test_digits_inside_hashes_leave_the_document_to_orjson(monkeypatch):
    """Central's repeat ids are hex hashes, with a run of 19 digits on most pages: no reason for ``json.loads``."""
    expected = json.loads(HASH_IDS)
    monkeypatch.setattr("connectors.json_decode.json", None)
    assert json_loads(HASH_IDS) == expected


@pytest.mark.parametrize("text", ["[1, 2,]", "{", "", "\ufeff{}"])
def test_json_loads_rejects_what_json_loads_rejects(text):
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)
    with pytest.raises(ValueError):
        json_loads(text)


def test_payloads_come_back_as_stored(warehouse_url):
    """Both backends hand back dicts, with integers beyond 64 bits exact (PostgreSQL's driver gives bytes)."""
    engine = make_engine(warehouse_url)
    upgrade(engine)
    payload = {"__id": "uuid:1", "consent": "yes", "household": {"hh_size": 10**30, "n_children": -2**70},
               "location": {"gps": {"coordinates": [105.8, 21.0, 10.5]}}, "enumerator": "Vũ Tuấn"}
    store_records(engine, [record(1)._replace(payload=payload)])
    with engine.connect() as conn:
        stored = conn.execute(select(RawSubmission.payload)).scalar_one()
    assert stored == payload and type(stored["household"]["hh_size"]) is int
    engine.dispose()


def test_pseudonymous_ids_are_the_keyed_hash_and_survive_pickling():
    key = "k" * 32
    p = Pseudonymizer(key)
    expected = hmac.new(key.encode(), "child\x1fform\x1fuuid:1\x1f3".encode(), hashlib.sha256).hexdigest()[:32]
    assert p.id("child", "form", "uuid:1", 3) == expected
    assert p.recurring_id("child", "form", "uuid:1", 3) == expected == p.recurring_id("child", "form", "uuid:1", 3)
    copied = pickle.loads(pickle.dumps(p))  # the clean step sends its context to a worker process
    assert copied.id("child", "form", "uuid:1", 3) == expected and "k" * 32 not in repr(copied)


NUMBERS = [None, "", " ", "12", " 12 ", "1.5", "abc", "nan", "inf", "1e400", 0, 1, -1, 12, 13, 31, 10**30, 10**400,
           -(10**400), 2**53 + 1, 0.5, 2.0, -0.0, 12.0, 12.5, 1e308, math.nan, math.inf, -math.inf, True, False, [],
           {}, [1]]
BOUNDS = [(0, 24), (1, 12), (1, 30), (0.5, 2.5), (2, 1), (0, math.inf), (-math.inf, 0)]


def outcome(read, *args, **kwargs):
    try:
        return "ok", repr(read(*args, **kwargs))
    except values.Problem as problem:
        return "problem", problem.field, repr(problem.value), problem.code, problem.reason
    except Exception as error:  # noqa: BLE001 - the same error, unreadable submissions included
        return "error", type(error).__name__, str(error)


@pytest.mark.parametrize("value", NUMBERS, ids=repr)
def test_numbers_read_as_the_full_checks_read_them(value):
    for low, high in BOUNDS:
        for integer in (False, True):
            assert (outcome(values.number, "f", value, low, high, integer=integer)
                    == outcome(values._number, "f", value, low, high, integer))


def full_choice(field, value, allowed):
    if value is None or value == "":
        return None
    if not isinstance(value, str) or value not in allowed:
        raise values.Problem(field, value, "INVALID_CHOICE", f"{value!r} is not a choice of this question")
    return value


@pytest.mark.parametrize("value", NUMBERS + ["yes", "no", "YES", "maybe", "male"], ids=repr)
def test_choices_read_as_the_full_checks_read_them(value):
    for allowed in (frozenset({"yes", "no"}), frozenset({"male", "female", ""}), frozenset()):
        assert outcome(values.choice, "f", value, allowed) == outcome(full_choice, "f", value, allowed)
    as_bool = {"yes": True, "no": False, None: None}
    assert outcome(values.yes_no, "f", value) == outcome(lambda f, v: as_bool[full_choice(f, v, {"yes", "no"})],
                                                         "f", value)


@pytest.mark.parametrize("doc", [None, [], {"a": None}, {"a": []}, {"a": {}}, {"a": {"b": 1}}, {"a": "x"}])
def test_a_group_reads_as_get_path(doc):
    assert values.group(doc, "a").get("b") == values.get_path(doc, "a/b")


