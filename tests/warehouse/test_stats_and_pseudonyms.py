"""Wilson intervals, suppression, and pseudonymous ids: the key's fingerprint, one id for one name, .env."""

import os
import stat
import unicodedata

import pytest

from dagster_project import demo
from dagster_project.resources import WarehouseResource
from tests.conftest import TEST_PSEUDONYM_KEY
from warehouse.clean.answers import staff_id
from warehouse.clean.pseudonym import KeyMismatch, Pseudonymizer, PseudonymKeyError
from warehouse.indicators.stats import wilson_interval, z_for


@pytest.mark.parametrize("k, n, low, high", [
    # worked out by hand from the Wilson formula with z = 1.959964
    (5, 16, 0.1416, 0.5560),
    (5, 8, 0.3057, 0.8632),
    (0, 10, 0.0, 0.2775),
    (10, 10, 0.7225, 1.0),
    (50, 1000, 0.0381, 0.0653),
])
def test_wilson_interval(k, n, low, high):
    lo, hi = wilson_interval(k, n, z_for(0.95))
    assert float(lo) == pytest.approx(low, abs=1e-4) and float(hi) == pytest.approx(high, abs=1e-4)


def test_z_of_confidence_levels():
    assert z_for(0.95) == pytest.approx(1.959964, abs=1e-6)
    assert z_for(0.90) == pytest.approx(1.644854, abs=1e-6)


def test_pseudonyms_are_stable_keyed_and_kind_separated():
    a, b = Pseudonymizer("k" * 32), Pseudonymizer("other-key-" * 4)
    assert a.id("child", "f", "uuid:1", 1) == a.id("child", "f", "uuid:1", 1)
    assert a.id("child", "f", "uuid:1", 1) != b.id("child", "f", "uuid:1", 1)
    assert a.id("child", "f", "uuid:1", 1) != a.id("household", "f", "uuid:1", 1)
    assert len(a.id("x")) == 32 and "k" * 32 not in repr(a)


def test_a_short_pseudonym_key_is_refused():
    with pytest.raises(PseudonymKeyError, match="CLMS_PSEUDONYM_KEY"):
        Pseudonymizer("short")


def test_interval_contains_the_proportion_at_the_edges():
    for k, n in [(13, 13), (0, 13), (1, 1), (999, 1000)]:
        lo, hi = wilson_interval(k, n, z_for(0.95))
        assert float(lo) <= k / n <= float(hi)


OTHER_KEY = "another-key-not-a-secret-9876543210"


def test_the_fingerprint_tells_keys_apart_and_gives_nothing_of_the_key():
    a, b = Pseudonymizer(TEST_PSEUDONYM_KEY), Pseudonymizer(OTHER_KEY)
    assert a.fingerprint() == Pseudonymizer(TEST_PSEUDONYM_KEY).fingerprint() != b.fingerprint()
    assert TEST_PSEUDONYM_KEY not in a.fingerprint() and len(a.fingerprint()) == 64


def test_a_warehouse_refuses_a_key_other_than_the_one_its_ids_were_made_with(warehouse_url):
    WarehouseResource(url=warehouse_url, pseudonym_key=TEST_PSEUDONYM_KEY).engine().dispose()
    WarehouseResource(url=warehouse_url, pseudonym_key=TEST_PSEUDONYM_KEY).engine().dispose()  # the same key
    with pytest.raises(KeyMismatch) as refused:
        WarehouseResource(url=warehouse_url, pseudonym_key=OTHER_KEY).engine()
    message = str(refused.value)
    assert message.startswith("CLMS_PSEUDONYM_KEY is not the key this warehouse's pseudonymous ids were made with")
    assert "put the former key back" in message
    assert OTHER_KEY not in message and TEST_PSEUDONYM_KEY not in message


NAME = "Nguyễn Thị Hoa"


@pytest.mark.parametrize("typed", [
    unicodedata.normalize("NFD", NAME), NAME.replace(" ", " \u200b", 1), NAME.replace(" ", "  "),
    f" {NAME}\u00a0", NAME.replace("Thị", "Thi\u0323"), NAME.upper(),
])
def test_one_name_written_several_ways_gives_one_id(typed):
    p = Pseudonymizer(TEST_PSEUDONYM_KEY)
    assert typed != NAME and staff_id(p, "enumerator", typed) == staff_id(p, "enumerator", NAME)
    assert staff_id(p, "enumerator", "Nguyễn Thị Hòa") != staff_id(p, "enumerator", NAME)


def test_env_file_is_readable_by_its_owner_only(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CLMS_SOURCE", "demo")  # restored after the test: ensure_env_file sets what .env holds
    previous = os.umask(0o022)
    try:
        demo.ensure_env_file()
        assert stat.S_IMODE(os.stat(".env").st_mode) == 0o600
        os.chmod(".env", 0o644)  # written by an earlier version
        demo.ensure_env_file()
        assert stat.S_IMODE(os.stat(".env").st_mode) == 0o600
    finally:
        os.umask(previous)
