"""Statuses against targets when a sample estimate has an interval, and the reliability flag, on cells worked out
by hand.

The intervals are Wilson 95% ones (z = 1.95996, z² = 3.84146): centre = (p + z²/2n) / (1 + z²/n), half-width =
z·√(p(1−p)/n + z²/4n²) / (1 + z²/n). With n = 500: z²/n = 0.007683, z²/2n = 0.003841, z²/4n² = 0.00000384.
The CV of a proportion is SE/p with SE = √(p(1−p)/n), that is √((1−p)/numerator).
"""

import math

import numpy as np
import pandas as pd
import pytest

from warehouse.indicators.cells import IndicatorSpec, Reliability, apply_targets, finish
from warehouse.indicators.indicators import load_settings
from warehouse.indicators.stats import binomial_cv

SAMPLE = IndicatorSpec("1.1", "household_survey", sample=True)
CENSUS = IndicatorSpec("1.1", "household_survey")  # the same counts without sampling error: compared exactly
SAMPLE_22, CENSUS_22 = IndicatorSpec("2.2", "household_survey", sample=True), IndicatorSpec("2.2", "household_survey")

TARGETS = pd.DataFrame([
    ("1.1", "national", "VN", "national", 2025, "<=", 0.049, "QĐ 782"),
    ("1.1", "national", "VN", "national", 2030, "<=", 0.045, "QĐ 782"),
    ("2.2", "national", "VN", "national", 2025, ">=", 0.70, "QĐ 782"),
], columns=["indicator_id", "jurisdiction_level", "jurisdiction_code", "code_list_version", "year", "comparator",
            "value", "source_document"])


def published(spec: IndicatorSpec, counts: dict[str, tuple[float, float]], area: str = "VN") -> pd.DataFrame:
    """The national cells of ``counts`` ({year: (numerator, denominator)}) through ``finish`` and the targets."""
    rolled = pd.DataFrame([{
        "indicator_id": spec.indicator_id, "source": spec.source, "rule_set": "vn_law", "period": period,
        "period_type": "year", "area_level": "national", "area_code": area, "code_list_version": "national",
        "dimension": "total", "dimension_value": "all", "numerator": num, "denominator": den, "exact": True,
    } for period, (num, den) in counts.items()])
    return apply_targets(finish(rolled, spec, confidence=0.95), TARGETS).set_index("period")


@pytest.mark.parametrize("spec, counts, status, interval", [
    # 10/1000, p = 0.01: centre (0.01 + 0.001921) / 1.003841 = 0.011875, half 1.96·√(0.0000099 + 0.00000096)
    # / 1.003841 = 0.006434: 0.544%–1.831%, all of it ≤ 4.9%: met
    (SAMPLE, (10, 1000), "met", (0.00544, 0.01831)),
    # 20/500, p = 0.04: centre 0.043841 / 1.007683 = 0.043507, half 1.96·√(0.0000768 + 0.00000384) / 1.007683
    # = 0.017466: 2.604%–6.097% contains 4.9%: cannot tell (the value alone, 4%, meets it)
    (SAMPLE, (20, 500), "cannot_tell", (0.02604, 0.06097)),
    (CENSUS, (20, 500), "met", None),  # 4% ≤ 4.9% exactly
    # 60/500, p = 0.12: centre 0.123841 / 1.007683 = 0.122897, half 1.96·√(0.0002112 + 0.00000384) / 1.007683
    # = 0.028522: 9.437%–15.142%, all of it above 4.9%; 2025 is the target year: not met
    (SAMPLE, (60, 500), "off_track", (0.09437, 0.15142)),
    # at least 70%: 380/500, p = 0.76: centre 0.763841 / 1.007683 = 0.758017, half 1.96·√(0.0003648 + 0.00000384)
    # / 1.007683 = 0.037344: 72.067%–79.536%, its low end ≥ 70%: met
    (SAMPLE_22, (380, 500), "met", (0.72067, 0.79536)),
    # 360/500, p = 0.72: centre 0.723841 / 1.007683 = 0.718321, half 1.96·√(0.0004032 + 0.00000384) / 1.007683
    # = 0.039241: 67.908%–75.756% contains 70%: cannot tell
    (SAMPLE_22, (360, 500), "cannot_tell", (0.67908, 0.75756)),
    (CENSUS_22, (360, 500), "met", None),  # 72% ≥ 70% exactly
    # 300/500, p = 0.6: centre 0.603841 / 1.007683 = 0.599237, half 1.96·√(0.00048 + 0.00000384) / 1.007683
    # = 0.042783: 55.645%–64.202%, its high end below 70%: not met
    (SAMPLE_22, (300, 500), "off_track", (0.55645, 0.64202)),
])
def test_in_the_target_year_the_interval_decides(spec, counts, status, interval):
    cell = published(spec, {"2025": counts}).loc["2025"]
    assert cell.status == status
    assert cell.value == pytest.approx(counts[0] / counts[1])
    if interval is None:
        assert np.isnan(cell.ci_low) and np.isnan(cell.ci_high)
    else:
        assert (cell.ci_low, cell.ci_high) == pytest.approx(interval, abs=1e-5)


@pytest.mark.parametrize("now, status", [
    # 2026 is under the 2030 target (≤ 4.5%). From 12% in 2025 the pace that reaches it on time is
    # (0.045 − 0.12) / (2030 − 2026 + 1) = −0.015 a year.
    # 50/500 = 10%: centre 0.103841 / 1.007683 = 0.103049, half 1.96·√(0.00018 + 0.00000384) / 1.007683 = 0.026372:
    # 7.668%–12.942%, all above 4.5% (surely not met yet); it fell 0.02 ≥ 0.015: on track
    ((50, 500), "on_track"),
    # 55/500 = 11%: 8.549%–14.046%, all above 4.5%; it fell 0.01 < 0.015: off track
    ((55, 500), "off_track"),
    # 20/500 = 4%: 2.604%–6.097% contains 4.5%: cannot tell, before the target year too (it may already be met)
    ((20, 500), "cannot_tell"),
])
def test_before_the_target_year_a_cell_surely_not_met_follows_the_pace(now, status):
    cells = published(SAMPLE, {"2025": (60, 500), "2026": now})
    assert cells.loc["2026", "status"] == status
    assert cells.loc["2026", "target_year"] == 2030
    assert cells.loc["2025", "status"] == "off_track"  # 9.437%–15.142% against ≤ 4.9% in 2025


@pytest.mark.parametrize("comparator, interval, status", [
    ("<=", (0.002, 0.01), "met"),  # the high end at the target: ≤ holds for all of it
    ("<", (0.002, 0.01), "cannot_tell"),  # the high end does not satisfy < 1%, the low end does
    ("<", (0.01, 0.03), "off_track"),  # not even the low end is < 1%
    (">=", (0.01, 0.03), "met"),
    (">", (0.01, 0.03), "cannot_tell"),
    (">", (0.002, 0.01), "off_track"),
])
def test_the_ends_of_the_interval_meet_the_comparator_as_written(comparator, interval, status):
    targets = pd.DataFrame([("x", "province", "01", "vn-2025-07", 2025, comparator, 0.01, "195/KH-UBND")],
                           columns=TARGETS.columns)
    cells = pd.DataFrame([{"indicator_id": "x", "source": "household_survey", "rule_set": "vn_law", "period": "2025",
                           "period_type": "year", "area_level": "province", "area_code": "01",
                           "code_list_version": "vn-2025-07", "dimension": "total", "dimension_value": "all",
                           "value": sum(interval) / 2, "ci_low": interval[0], "ci_high": interval[1], "status": ""}])
    assert apply_targets(cells, targets).iloc[0].status == status


def test_statuses_decided_before_any_target():
    # a small sample is not hidden here (warehouse.indicators.disclosure decides): its interval decides its status
    assert published(SAMPLE, {"2025": (3, 40)}).loc["2025", "status"] == "cannot_tell"
    assert published(SAMPLE, {"2025": (0, 0)}).loc["2025", "status"] == "no_data"
    assert published(CENSUS, {"2025": (12, np.nan)}).loc["2025", "status"] == "no_denominator"
    assert published(SAMPLE, {"2025": (20, 500)}, area="XX").loc["2025", "status"] == "no_target"  # no target there


def test_minimise_still_follows_the_values():
    targets = pd.DataFrame([("1.1h", "national", "VN", "national", 2030, "minimise", None, "QĐ 782")],
                           columns=TARGETS.columns)
    spec = IndicatorSpec("1.1h", "household_survey", sample=True)
    rolled = pd.DataFrame([{"indicator_id": "1.1h", "source": spec.source, "rule_set": "vn_law", "period": p,
                            "period_type": "year", "area_level": "national", "area_code": "VN",
                            "code_list_version": "national", "dimension": "total", "dimension_value": "all",
                            "numerator": n, "denominator": 100, "exact": True} for p, n in (("2025", 50),
                                                                                           ("2026", 45))])
    cells = apply_targets(finish(rolled, spec, confidence=0.95), targets)
    assert list(cells["status"]) == ["no_target", "on_track"]  # 45% < 50%, although the intervals overlap


@pytest.mark.parametrize("numerator, denominator, cv, unreliable", [
    (10, 1000, math.sqrt(0.99 / 10), True),  # p = 0.01: SE = √(0.01·0.99/1000) = 0.0031464, CV = 0.31464 > 0.30
    (12, 1000, math.sqrt(0.988 / 12), False),  # CV = √(0.988/12) = 0.28694 ≤ 0.30, n = 1000 ≥ 50
    (40, 45, math.sqrt((5 / 45) / 40), True),  # CV = √(0.11111/40) = 0.05270, but n = 45 < 50
    (3, 268, math.sqrt((265 / 268) / 3), True),  # Hà Nội in the demo: CV = √(0.98881/3) = 0.57411
    (0, 500, math.inf, True),  # a zero estimate has no relative precision
    (50, 50, 0.0, False),  # p = 1: SE = 0
])
def test_reliability_flag(numerator, denominator, cv, unreliable):
    assert float(binomial_cv(numerator, denominator)) == pytest.approx(cv)
    assert bool(Reliability(max_cv=0.30, min_sample=50).unreliable(numerator, denominator)) is unreliable


def test_the_policy_is_read_from_the_catalogue():
    settings = load_settings()
    assert settings.reliability == Reliability(max_cv=0.30, min_sample=50)
    flags = settings.reliability.unreliable([10, 12, 40], [1000, 1000, 45])
    assert flags.tolist() == [True, False, True]
