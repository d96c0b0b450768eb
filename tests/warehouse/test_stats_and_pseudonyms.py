"""Wilson intervals, suppression, and pseudonymous ids."""

import pytest

from warehouse.pseudonym import Pseudonymizer, PseudonymKeyError
from warehouse.stats import is_suppressed, wilson_interval, z_for


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


@pytest.mark.parametrize("num, den, suppressed", [(4, 100, True), (5, 100, False), (5, 4, True), (0, 50, True)])
def test_small_cells_are_suppressed(num, den, suppressed):
    assert bool(is_suppressed(num, den, 5)) is suppressed


def test_pseudonyms_are_stable_keyed_and_kind_separated():
    a, b = Pseudonymizer("k" * 32), Pseudonymizer("other-key-" * 4)
    assert a.id("child", "f", "uuid:1", 1) == a.id("child", "f", "uuid:1", 1)
    assert a.id("child", "f", "uuid:1", 1) != b.id("child", "f", "uuid:1", 1)
    assert a.id("child", "f", "uuid:1", 1) != a.id("household", "f", "uuid:1", 1)
    assert len(a.id("x")) == 32 and "k" * 32 not in repr(a)


def test_pseudonym_key_is_required(monkeypatch):
    monkeypatch.delenv("CLMS_PSEUDONYM_KEY", raising=False)
    with pytest.raises(PseudonymKeyError, match="CLMS_PSEUDONYM_KEY"):
        Pseudonymizer.from_env()
    with pytest.raises(PseudonymKeyError):
        Pseudonymizer("short")


def test_interval_contains_the_proportion_at_the_edges():
    for k, n in [(13, 13), (0, 13), (1, 1), (999, 1000)]:
        lo, hi = wilson_interval(k, n, z_for(0.95))
        assert float(lo) <= k / n <= float(hi)
