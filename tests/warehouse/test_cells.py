"""The indicator engine, on small frames worked out by hand."""

import math

import numpy as np
import pandas as pd
import pytest

from warehouse.indicators import cells as cells_module
from warehouse.indicators.cells import KEYS, IndicatorSpec, apply_targets, finish, roll_up, with_population_denominators

AREAS = pd.DataFrame([
    # commune 00001 and 00002 in new province 01; old province 89 covers 00002 (exactly) and 00003 (partly)
    ("national", "VN", "national", "00001", True), ("national", "VN", "national", "00002", True),
    ("national", "VN", "national", "00003", True),
    ("province", "01", "vn-2025-07", "00001", True), ("province", "01", "vn-2025-07", "00002", True),
    ("province", "02", "vn-2025-07", "00003", True),
    ("province", "89", "vn-legacy", "00002", True), ("province", "89", "vn-legacy", "00003", False),
], columns=["area_level", "area_code", "code_list_version", "commune_code", "exact"])


def facts(rows):
    return pd.DataFrame(rows, columns=["rule_set", "commune_code", "year", "quarter", "sex", "numerator", "denominator"])


def cell(cells, area, period="2026", level=None, version=None, dimension="total", value="all"):
    mask = (cells.area_code == area) & (cells.period == period) & (cells.dimension == dimension) & (
        cells.dimension_value == value)
    if version:
        mask &= cells.code_list_version == version
    (row,) = cells[mask].itertuples(index=False)
    return row


def test_roll_up_over_new_and_old_territories_periods_and_dimensions():
    spec = IndicatorSpec("1.1", "household_survey", sample=True, dimensions=("sex",))
    rolled = roll_up(facts([
        ("vn_law", "00001", 2026, 1, "male", 3, 40), ("vn_law", "00001", 2026, 3, "female", 2, 30),
        ("vn_law", "00002", 2026, 3, "male", 4, 50), ("vn_law", "00003", 2026, 4, "female", 6, 60),
    ]), spec, AREAS)
    cells = finish(rolled, spec, confidence=0.95)
    national = cell(cells, "VN")
    assert (national.numerator, national.denominator, national.value) == (15, 180, 15 / 180)
    assert national.ci_low < 15 / 180 < national.ci_high
    hanoi = cell(cells, "01", version="vn-2025-07")
    assert (hanoi.numerator, hanoi.denominator) == (9, 120)
    old = cell(cells, "89", version="vn-legacy")
    assert (old.numerator, old.denominator, bool(old.exact)) == (10, 110, False)  # 00003 only partly old 89
    q3 = cell(cells, "01", period="2026-Q3", version="vn-2025-07")
    assert (q3.numerator, q3.denominator) == (6, 80)
    # half-years: province 01's H1 is 00001's Q1 (3/40, kept: warehouse.indicators.disclosure hides), its H2 00001's and
    # 00002's Q3 (2+4 / 30+50)
    h1, h2 = (cell(cells, "01", period=f"2026-H{half}", version="vn-2025-07") for half in (1, 2))
    assert (h1.period_type, h1.numerator, h2.period_type, h2.numerator, h2.denominator) == (
        "half", 3, "half", 6, 80)
    national_h2 = cell(cells, "VN", period="2026-H2")  # Q3 6/80 and Q4 6/60
    assert (national_h2.numerator, national_h2.denominator) == (12, 140)
    male_national = cell(cells, "VN", dimension="sex", value="male")
    assert (male_national.numerator, male_national.denominator) == (7, 90)
    small = cell(cells, "02", period="2026-Q4", version="vn-2025-07")  # 6 of 60: shown
    assert small.value == 0.1
    tiny = cell(cells, "01", period="2026-Q1", version="vn-2025-07")  # 3 of 40: kept (disclosure control hides)
    assert not tiny.suppressed and (tiny.numerator, tiny.denominator) == (3, 40)


def test_population_denominators_need_every_group():
    spec = IndicatorSpec("2.3", "activities", population=("enterprises", "cooperatives"))
    rolled = roll_up(facts([("", "00001", 2026, 2, "x", 30, 0), ("", "00003", 2026, 2, "x", 12, 0)]), spec, AREAS)
    populations = pd.DataFrame([
        ("province", "01", "vn-2025-07", 2026, "enterprises", 100), ("province", "01", "vn-2025-07", 2026, "cooperatives", 20),
        ("province", "02", "vn-2025-07", 2026, "enterprises", 50),  # no cooperatives figure: no denominator
    ], columns=["area_level", "area_code", "code_list_version", "year", "population_group", "value"])
    cells = finish(with_population_denominators(rolled, spec, populations), spec, 0.95)
    hanoi = cell(cells, "01", version="vn-2025-07")
    assert (hanoi.numerator, hanoi.denominator, hanoi.value, hanoi.status) == (30, 120, 0.25, "")
    assert math.isnan(hanoi.ci_low)  # not a sample: no interval
    other = cell(cells, "02", version="vn-2025-07")
    assert other.status == "no_denominator" and other.numerator == 12 and pd.isna(other.value)
    assert cell(cells, "VN").status == "no_denominator"


def test_median_days():
    spec = IndicatorSpec("4.2b", "cases", unit="days")
    days = pd.DataFrame({"rule_set": "", "commune_code": ["00001"] * 6, "year": 2026, "quarter": 1,
                         "days": [2, 4, 6, 8, 40, 100]})
    national = cell(finish(roll_up(days, spec, AREAS), spec, 0.95), "VN")
    assert (national.numerator, national.value, national.unit) == (6, 7.0, "days")


TARGETS = pd.DataFrame([
    ("1.1", "national", "VN", "national", 2025, "<=", 0.049, "QĐ 782"),
    ("1.1", "national", "VN", "national", 2030, "<=", 0.045, "QĐ 782"),
    ("1.1h", "national", "VN", "national", 2030, "minimise", None, "QĐ 782"),
    ("2.2", "national", "VN", "national", 2025, ">=", 0.7, "QĐ 782"),
], columns=["indicator_id", "jurisdiction_level", "jurisdiction_code", "code_list_version", "year", "comparator",
            "value", "source_document"])


def published(indicator, values: dict[str, float]):
    rows = [{"indicator_id": indicator, "source": "s", "rule_set": "", "period": p, "period_type": "year",
             "area_level": "national", "area_code": "VN", "code_list_version": "national", "dimension": "total",
             "dimension_value": "all", "value": v, "status": ""} for p, v in values.items()]
    return apply_targets(pd.DataFrame(rows), TARGETS).set_index("period")


@pytest.mark.parametrize("values, expected", [
    ({"2025": 0.048}, {"2025": ("met", 2025, 0.049)}),
    ({"2025": 0.050}, {"2025": ("off_track", 2025, 0.049)}),
    # 2026 falls under the 2030 target (4.5%): from 6% a year before, the pace needed is 0.3 points a year
    ({"2025": 0.060, "2026": 0.056}, {"2026": ("on_track", 2030, 0.045)}),
    ({"2025": 0.060, "2026": 0.059}, {"2026": ("off_track", 2030, 0.045)}),
    ({"2031": 0.044}, {"2031": ("met", 2030, 0.045)}),  # past every target year: the latest target
])
def test_target_in_force_and_status(values, expected):
    cells = published("1.1", values)
    for period, (status, year, target) in expected.items():
        row = cells.loc[period]
        assert (row.status, row.target_year, row.target_value) == (status, year, target)
        assert row.gap == pytest.approx(values[period] - target)


def test_minimise_is_on_track_while_falling():
    cells = published("1.1h", {"2025": 0.5, "2026": 0.45, "2027": 0.47})
    assert list(cells["status"]) == ["no_target", "on_track", "off_track"]
    assert cells["target_comparator"].tolist() == ["minimise"] * 3 and cells["target_value"].isna().all()


def test_a_status_already_set_is_kept_and_areas_without_targets_have_none():
    rows = published("2.2", {"2026": 0.9})
    assert rows.loc["2026"].status == "met"
    other = apply_targets(pd.DataFrame([{"indicator_id": "2.2", "source": "s", "rule_set": "", "period": "2026",
                                         "period_type": "year", "area_level": "province", "area_code": "20",
                                         "code_list_version": "vn-2025-07", "dimension": "total",
                                         "dimension_value": "all", "value": 0.9, "status": ""}]), TARGETS)
    assert other.iloc[0].status == "no_target"
    suppressed = apply_targets(pd.DataFrame([{**published("2.2", {"2026": 0.9}).reset_index().iloc[0].to_dict(),
                                              "status": "suppressed", "value": None}]), TARGETS)
    assert suppressed.iloc[0].status == "suppressed"


def test_a_single_year_target_counts_for_its_year_only():
    """Tân Thành's 2023 plan: 1.2 ≥ 100% with valid_from = valid_to = 2023. 2023 at 100% is met (gap 0); 2022
    (before the plan) and 2024 (after it) have no target, where without the validity the 2023 target was carried
    to 2024 (and 2024's 80% would be off_track) and reached back to 2022. A target without validity (national 1.2,
    2025) still counts for the years before it and is carried forward: 2027 at 80% is off_track against 2025's
    100%."""
    commune = ("1.2", "commune", "06442", "vn-legacy", 2023, ">=", 1.0, "KH 2023 xã Tân Thành", 2023, 2023)
    national = ("1.2", "national", "VN", "national", 2025, ">=", 1.0, "QĐ 782", None, None)
    targets = pd.DataFrame([commune, national], columns=[*TARGETS.columns, "valid_from", "valid_to"])

    def row(level, code, version, period, value):
        return {"indicator_id": "1.2", "source": "s", "rule_set": "", "period": period, "period_type": "year",
                "area_level": level, "area_code": code, "code_list_version": version, "dimension": "total",
                "dimension_value": "all", "value": value, "status": ""}

    cells = apply_targets(pd.DataFrame(
        [row("commune", "06442", "vn-legacy", p, v) for p, v in (("2022", 0.9), ("2023", 1.0), ("2024", 0.8))]
        + [row("national", "VN", "national", "2027", 0.8)]), targets)
    assert cells["status"].tolist() == ["no_target", "met", "no_target", "off_track"]
    assert cells["target_year"].tolist() == [pd.NA, 2023, pd.NA, 2025]
    assert cells.loc[1, "gap"] == 0 and cells.loc[[0, 2], "target_value"].isna().all()


def test_communes_in_the_same_areas_are_summed_together_first(monkeypatch):
    """The larger areas' roll-up sums the communes that belong to the same areas before joining them to the
    areas: the same sums, the same exactness, as joining every commune."""
    rng = np.random.default_rng(5)
    communes = [f"{n:05d}" for n in range(1, 41)]
    rows = [("national", "VN", "national", c, True) for c in communes]
    rows += [("province", "01" if n < 25 else "02", "vn-2025-07", c, True) for n, c in enumerate(communes)]
    rows += [("province", "89", "vn-legacy", c, n % 2 == 0) for n, c in enumerate(communes[20:30])]  # partly
    areas = pd.DataFrame(rows, columns=AREAS.columns)
    facts = pd.DataFrame({
        "rule_set": rng.choice(["vn_law", "icls"], 600), "commune_code": rng.choice([*communes, "99999"], 600),
        "year": rng.choice([2025, 2026], 600), "quarter": rng.integers(1, 5, 600),
        "sex": rng.choice(["male", "female", "unknown"], 600), "numerator": rng.integers(0, 5, 600),
        "denominator": rng.integers(5, 20, 600)}).assign(members=lambda f: f["denominator"])
    spec = IndicatorSpec("1.1", "household_survey", sample=True, dimensions=("sex",))
    summed, joined = cells_module._alike_communes_summed, []
    monkeypatch.setattr(cells_module, "_alike_communes_summed",
                        lambda *args: joined.append(len((result := summed(*args))[1])) or result)
    summed_first = roll_up(facts, spec, areas)
    assert joined == [16]  # the areas of 6 communes, one for each set of areas: 16 rows instead of 90
    monkeypatch.setattr(cells_module, "_alike_communes_summed", lambda f, groups, keys: (f, areas))
    every_commune = roll_up(facts, spec, areas)
    ordered = lambda frame: frame.sort_values(KEYS).reset_index(drop=True)  # noqa: E731
    pd.testing.assert_frame_equal(ordered(summed_first), ordered(every_commune), check_dtype=False)
    assert summed_first["inexact_members"].gt(0).any() and summed_first["exact"].eq(False).any()
