"""Disclosure control worked by hand on small groups: primary suppression of small counts of children in small
areas only, complementary suppression over sex, sector of work, craft village, quarters, communes and indicators
sharing a count (no more than needed), and the linear check that no combination of relations recomputes a
suppressed cell."""

import numpy as np
import pandas as pd

from warehouse.indicators.disclosure import (
    COMPLEMENTARY,
    SMALL_COUNT,
    _combined,
    first_round,
    load_policy,
    ordered_key,
    protect,
)
from warehouse.indicators.indicators import load_settings

POLICY = load_policy()
# a province "P" of communes "a", "b", "c" in the nation "VN"
AREAS = pd.DataFrame(
    [("national", "VN", "national", c) for c in "abc"] + [("province", "P", "v", c) for c in "abc"]
    + [("commune", c, "v", c) for c in "abc"],
    columns=["area_level", "area_code", "code_list_version", "commune_code"]).assign(exact=True)
LEVEL = {"VN": "national", "P": "province"}


def cells(rows) -> pd.DataFrame:
    """Cells from (indicator, source, area, period, dimension, value, numerator, denominator)."""
    frame = pd.DataFrame([{
        "indicator_id": i, "source": s, "rule_set": "", "period": p, "period_type": "quarter" if "Q" in p else "year",
        "area_level": LEVEL.get(a, "commune"), "area_code": a, "code_list_version": "national" if a == "VN" else "v",
        "dimension": d, "dimension_value": v, "numerator": n, "denominator": m, "value": n / m, "ci_low": np.nan,
        "ci_high": np.nan, "gap": np.nan, "status": "no_target", "suppressed": False,
        "target_comparator": None, "exact_territory": True}
        for i, s, a, p, d, v, n, m in rows])
    return frame


def outcome(published: pd.DataFrame) -> dict:
    return {(r.indicator_id, r.area_code, r.period, r.dimension_value): r.suppression_reason
            for r in published.itertuples() if r.suppressed}


def test_small_counts_of_children_are_hidden_in_small_areas_only():
    published = protect(cells([
        ("1.1", "household_survey", "a", "2026", "total", "all", 3, 40),  # 3 children: hidden
        ("1.1", "household_survey", "b", "2026", "total", "all", 0, 40),  # none of 40: shown
        ("1.1", "household_survey", "c", "2026", "total", "all", 9, 4000),
        ("1.1", "household_survey", "P", "2026", "total", "all", 12, 4080),  # a province: shown
        ("4.1a", "inspections", "a", "2026", "total", "all", 1, 2),  # establishments: never hidden
        ("4.1a", "inspections", "P", "2026", "total", "all", 1, 2),
    ]), AREAS, POLICY)
    hidden = outcome(published)
    assert hidden[("1.1", "a", "2026", "all")] == SMALL_COUNT
    assert ("1.1", "P", "2026", "all") not in hidden and ("4.1a", "a", "2026", "all") not in hidden
    row = published[published["suppressed"]].iloc[0]
    assert row.status == "suppressed" and pd.isna(row.numerator) and pd.isna(row.denominator) and pd.isna(row.value)


def test_the_other_sex_is_hidden_with_a_small_one():
    """Total 12/60 = boys 3/30 + girls 9/30: girls hidden too, else 12 − 9 gives the boys."""
    hidden = outcome(protect(cells([
        ("1.1", "household_survey", "a", "2026", "total", "all", 12, 60),
        ("1.1", "household_survey", "a", "2026", "sex", "male", 3, 30),
        ("1.1", "household_survey", "a", "2026", "sex", "female", 9, 30),
    ]), AREAS, POLICY))
    assert hidden == {("1.1", "a", "2026", "male"): SMALL_COUNT, ("1.1", "a", "2026", "female"): COMPLEMENTARY}


def test_the_first_round_finds_what_primary_suppression_alone_leaks():
    """Boys 3/30 hidden alone: 12 − 9 gives the boys' 3, 60 − 30 their 30; the establishments count no child."""
    system = first_round(cells([
        ("1.1", "household_survey", "a", "2026", "total", "all", 12, 60),
        ("1.1", "household_survey", "a", "2026", "sex", "male", 3, 30),
        ("1.1", "household_survey", "a", "2026", "sex", "female", 9, 30),
        ("4.1a", "inspections", "a", "2026", "total", "all", 1, 2),
    ]), AREAS, POLICY)
    assert system.protected_cells == 3 and len(system.counts) == 6
    assert list(system.counts.loc[system.small, "value"]) == [3]
    assert system.determined.all() and system.relations["relation"].is_monotonic_increasing


def test_the_smallest_other_commune_and_quarter_are_hidden():
    """Province 20/150 = a 3/50 + b 10/50 + c 7/50: c (the smallest other) hidden. a's year 13/80 = Q1 3/50 +
    Q2 10/30: Q2 hidden (a part before the whole)."""
    hidden = outcome(protect(cells([
        ("1.1", "household_survey", "P", "2026-Q1", "total", "all", 20, 150),
        ("1.1", "household_survey", "a", "2026-Q1", "total", "all", 3, 50),
        ("1.1", "household_survey", "b", "2026-Q1", "total", "all", 10, 50),
        ("1.1", "household_survey", "c", "2026-Q1", "total", "all", 7, 50),
        ("1.1", "household_survey", "a", "2026-Q2", "total", "all", 10, 30),
        ("1.1", "household_survey", "a", "2026", "total", "all", 13, 80),
    ]), AREAS, POLICY))
    assert hidden == {("1.1", "a", "2026-Q1", "all"): SMALL_COUNT, ("1.1", "c", "2026-Q1", "all"): COMPLEMENTARY,
                      ("1.1", "a", "2026-Q2", "all"): COMPLEMENTARY}



def test_communes_sharing_an_old_one_still_add_up_where_it_has_no_rows():
    """The old commune "o" went to b and c (an inexact member of each): where it has no rows (every cell exact),
    the province is still its communes' sum, and c is hidden with a; where its rows are in b and c (not exact),
    P = a + b + c does not hold and nothing more is hidden."""
    areas = pd.concat([AREAS, pd.DataFrame(
        [("national", "VN", "national", "o"), ("province", "P", "v", "o"), ("commune", "b", "v", "o"),
         ("commune", "c", "v", "o")], columns=AREAS.columns[:-1])])
    areas["exact"] = (areas["area_level"] != "commune") | (areas["commune_code"] != "o")
    rows = cells([("1.1", "household_survey", *place, "2026-Q1", "total", "all", n, m)
                  for place, n, m in ((("P",), 20, 150), (("a",), 3, 50), (("b",), 10, 50), (("c",), 7, 50))])
    assert outcome(protect(rows, areas, POLICY)) == {("1.1", "a", "2026-Q1", "all"): SMALL_COUNT,
                                                     ("1.1", "c", "2026-Q1", "all"): COMPLEMENTARY}
    rows["exact_territory"] = ~rows["area_code"].isin(["b", "c"])  # o's 2 of 10 children: in P, in b and in c
    rows.loc[rows["area_code"] != "a", ["numerator", "denominator"]] += [2, 10]
    assert outcome(protect(rows, areas, POLICY)) == {("1.1", "a", "2026-Q1", "all"): SMALL_COUNT}

def test_indicators_sharing_a_count_are_hidden_together_and_no_more():
    """1.1's boys in a: 3 child labourers of 30, few; their 3 is also 1.1h's denominator (1 hazardous of 3): 1.1h's
    boys are hidden for it, and the girls of both (12 − 3 would give the boys). 2.2 shares only the 30 children
    with 1.1, which is not small: nothing of 2.2 is hidden."""
    rows = []
    for indicator, (boys, girls) in (("1.1", ((3, 30), (10, 30))), ("1.1h", ((1, 3), (5, 10))),
                                     ("2.2", ((8, 30), (12, 30)))):
        total = (boys[0] + girls[0], boys[1] + girls[1])
        rows += [(indicator, "household_survey", "a", "2026", "total", "all", *total),
                 (indicator, "household_survey", "a", "2026", "sex", "male", *boys),
                 (indicator, "household_survey", "a", "2026", "sex", "female", *girls)]
    hidden = outcome(protect(cells(rows), AREAS, POLICY))
    assert hidden == {("1.1", "a", "2026", "male"): SMALL_COUNT, ("1.1h", "a", "2026", "male"): SMALL_COUNT,
                      ("1.1", "a", "2026", "female"): COMPLEMENTARY, ("1.1h", "a", "2026", "female"): COMPLEMENTARY}


def test_a_small_sector_of_work_or_craft_village_is_hidden_with_another():
    """Total 12/60 = agriculture 3/20 + industry 9/10 + not working 0/30 = in a craft village 4/15 + not 8/45:
    agriculture and the craft village are small; the smallest other of each (not working's 0, the rest of the
    villages' 8) is hidden with them, else the total less the others gives them."""
    rows = [("1.1", "household_survey", "a", "2026", "total", "all", 12, 60)]
    rows += [("1.1", "household_survey", "a", "2026", "work_sector", value, n, m)
             for value, n, m in (("agriculture_forestry_fishery", 3, 20), ("industry_construction", 9, 10),
                                 ("not_working", 0, 30))]
    rows += [("1.1", "household_survey", "a", "2026", "craft_village", value, n, m)
             for value, n, m in (("yes", 4, 15), ("no", 8, 45))]
    hidden = outcome(protect(cells(rows), AREAS, POLICY))
    assert hidden == {("1.1", "a", "2026", "agriculture_forestry_fishery"): SMALL_COUNT,
                      ("1.1", "a", "2026", "not_working"): COMPLEMENTARY,
                      ("1.1", "a", "2026", "yes"): SMALL_COUNT, ("1.1", "a", "2026", "no"): COMPLEMENTARY}


def relations_of(groups: list[tuple[int, ...]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Relations whole = sum of parts over counts 0..n (the first of each tuple is the whole)."""
    rows = [(k, row, 1 if j == 0 else -1) for k, group in enumerate(groups) for j, row in enumerate(group)]
    return tuple(np.array(column) for column in zip(*rows, strict=True))


def test_a_combination_of_relations_is_found():
    """Hidden x0, x1, x2 with x0 + x1 = t, x1 + x2 = u, x0 + x2 = v (published wholes 3, 4, 5): x0 = (t − u + v)/2,
    though every relation has two hidden members. A rectangle of four hidden cells (two rows, two columns) gives
    none of them."""
    known, nowhere = np.array([False] * 3 + [True] * 3), np.full((6, 2), -1)
    triangle = relations_of([(3, 0, 1), (4, 1, 2), (5, 0, 2)])
    assert list(np.flatnonzero(_combined(*triangle, known, ~known, nowhere)[0])) == [0, 1, 2]
    known, nowhere = np.array([False] * 4 + [True] * 4), np.full((8, 2), -1)
    rectangle = relations_of([(4, 0, 1), (5, 2, 3), (6, 0, 2), (7, 1, 3)])
    assert not _combined(*rectangle, known, ~known, nowhere)[0].any()


def test_every_published_indicator_is_classified():
    settings = load_settings()
    pairs = {(s.indicator_id, s.source) for s in settings.specs}
    assert pairs == POLICY.protected | POLICY.not_protected
    assert ("4.1a", "inspections") in POLICY.not_protected and ("1.1", "household_survey") in POLICY.protected


def test_one_number_orders_rows_as_their_keys_do():
    """``ordered_key`` sorts rows as a sort on their columns does, missing values last, also when the columns'
    values are too many to combine in one 64-bit number at once (it renumbers on the way)."""
    random = np.random.default_rng(1)
    few = pd.DataFrame({"a": random.choice(["x", "y", None], 500), "b": random.choice(["2026-Q1", "2025"], 500)})
    many = pd.DataFrame({f"c{i}": [f"v{n:04}" for n in random.integers(0, 3000, 2000)] for i in range(7)})
    for frame in (few, many):
        key = ordered_key(frame, list(frame.columns))
        by_key = frame.iloc[np.argsort(key, kind="stable")].reset_index(drop=True)
        by_sort = frame.sort_values(list(frame.columns), kind="stable", na_position="last").reset_index(drop=True)
        pd.testing.assert_frame_equal(by_key, by_sort)
        assert len(np.unique(key)) == len(frame.drop_duplicates())
