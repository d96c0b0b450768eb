"""Design-based estimates (warehouse.indicators.survey_design) checked by hand and against ``svy``, an independent
implementation validated against R's ``survey`` package, on the World Bank's synthetic household survey it ships
(a stratified two-stage sample: strata region × urban/rural, enumeration areas as PSUs, household weights)."""

import numpy as np
import pandas as pd
import pytest

from warehouse.indicators.survey_design import korn_graubard, ratio_estimates

KEYS = ["cell"]


def _strata(**sizes):
    return pd.DataFrame({"stratum": list(sizes), "psus": [n for n, _ in sizes.values()],
                         "census": [c for _, c in sizes.values()]})


def _psus(cell, rows):
    return pd.DataFrame([{"cell": cell, "stratum": s, "psu": p, "y": y, "x": x, "n": n} for s, p, y, x, n in rows])


def test_taylor_variance_worked_by_hand():
    """Two strata: A with PSUs a1, a2 (household weight 2), B with b1, b2, b3 (weight 1).

    Cell "all" — weighted (y, x): a1 (2, 10), a2 (0, 10), b1 (1, 5), b2 (1, 5), b3 (0, 10); children 5, 5, 5, 5, 10.
    R = 4/40 = 0.1. z = y − R·x: A: 1, −1 (mean 0, Σ(z−z̄)² = 2, × n_h/(n_h−1) = 2/1 → 4); B: 0.5, 0.5, −1
    (mean 0, Σ = 1.5, × 3/2 → 2.25). V = (4 + 2.25) / 40² = 0.00390625, SE = 0.0625.
    SRS variance p(1 − p)/(n − 1) = 0.09/29: deff = 0.00390625·29/0.09 = 1.2587; effective n (Korn–Graubard's
    p(1 − p)/V) = 0.09 / 0.00390625 = 23.04.

    Cell "domain" lacks b3 (nobody of the cell there: z = 0 for it). R = 4/30 = 2/15. A: z = 2 − 20/15 = 2/3 and
    −4/3, mean −1/3, Σ(z−z̄)² = 2 → 4. B: z = 1/3, 1/3, 0, mean 2/9, Σ = (1 + 1 + 4)/81 → × 3/2 = 1/9.
    V = (4 + 1/9) / 30² = 37/8100.
    """
    rows = [("A", "a1", 2, 10, 5), ("A", "a2", 0, 10, 5), ("B", "b1", 1, 5, 5), ("B", "b2", 1, 5, 5)]
    psus = pd.concat([_psus("all", [*rows, ("B", "b3", 0, 10, 10)]), _psus("domain", rows)])
    out = ratio_estimates(psus, KEYS, _strata(A=(2, False), B=(3, False)), 0.95).set_index("cell")
    assert out.at["all", "estimate"] == pytest.approx(0.1)
    assert out.at["all", "se"] == pytest.approx(0.0625)
    assert out.at["all", "deff"] == pytest.approx(0.00390625 * 29 / 0.09)
    assert out.at["all", "effective_n"] == pytest.approx(23.04)
    assert out.at["all", "df"] == 3  # 5 PSUs − 2 strata
    assert out.at["domain", "estimate"] == pytest.approx(2 / 15)
    assert out.at["domain", "se"] == pytest.approx(np.sqrt(37 / 8100))
    assert out.at["all", "ci_low"] < 0.1 < out.at["all", "ci_high"]


def test_census_has_no_sampling_error():
    """Every household of the commune: the finite-population correction makes the variance 0 (the
    with-replacement formula would give 0.0625 on the same numbers), no interval, the exact value."""
    psus = _psus("c", [("A", "a1", 2, 10, 10), ("A", "a2", 0, 10, 10), ("B", "b1", 1, 5, 5), ("B", "b2", 1, 5, 5),
                       ("B", "b3", 0, 10, 10)])
    out = ratio_estimates(psus, KEYS, _strata(A=(2, True), B=(3, True)), 0.95).iloc[0]
    assert out["estimate"] == pytest.approx(0.1)
    assert out["se"] == 0 and out["df"] == 0
    assert np.isnan(out["ci_low"]) and np.isnan(out["ci_high"])


def test_korn_graubard_at_zero_is_the_exact_binomial_bound():
    """p = 0 of n = 30 with 29 design degrees of freedom: the t ratio is 1, the effective n is 30, and the upper
    bound is Clopper–Pearson's, 1 − 0.025^(1/30) in closed form; the lower bound is 0."""
    low, high = korn_graubard([0.0], [0.0], [30], [29], 0.95)
    assert low[0] == 0
    assert high[0] == pytest.approx(1 - 0.025 ** (1 / 30))


@pytest.fixture(scope="module")
def wb_sample():
    svy = pytest.importorskip("svy")
    import polars as pl

    people = svy.datasets.load("ind_sample_wb_2023").with_columns(
        (pl.col("act_status") == "Employed").cast(pl.Float64).alias("employed"), pl.lit(1.0).alias("one"),
        (pl.col("geo1") + "/" + pl.col("urbrur")).alias("stratum"))
    return svy, people


def test_matches_svy_on_the_world_bank_two_stage_sample(wb_sample):
    """svy's Taylor ratio and Korn–Graubard proportion, by sex, on the unit-level rows; ours from the PSU totals
    of each cell (as the warehouse sums them): the same estimate, SE, design effect and interval."""
    svy, people = wb_sample
    sample = svy.Sample(people, svy.Design(stratum="stratum", psu="ea", wgt="hhweight"))
    theirs = sample.estimation.prop("employed", by="sex", ci_method="korn-graubard", deff="wr").to_polars()
    theirs = theirs.to_pandas()
    theirs = theirs[theirs["employed"] == 1.0].set_index("sex")
    frame = people.to_pandas()
    frame["y"] = frame["employed"] * frame["hhweight"]
    psus = (frame.groupby(["sex", "stratum", "ea"], as_index=False)
            .agg(y=("y", "sum"), x=("hhweight", "sum"), n=("one", "sum")))
    strata = (frame.groupby("stratum", as_index=False).agg(psus=("ea", "nunique")).assign(census=False))
    ours = ratio_estimates(psus, ["sex"], strata, 0.95).set_index("sex")
    assert len(ours) == 2
    for sex, row in ours.iterrows():
        assert row["estimate"] == pytest.approx(theirs.at[sex, "est"], rel=1e-9)
        assert row["se"] == pytest.approx(theirs.at[sex, "se"], rel=1e-9)
        assert row["deff"] == pytest.approx(theirs.at[sex, "deff"], rel=1e-6)
        assert row["df"] == theirs.at[sex, "df"]
        assert row["ci_low"] == pytest.approx(theirs.at[sex, "lci"], rel=1e-6)
        assert row["ci_high"] == pytest.approx(theirs.at[sex, "uci"], rel=1e-6)
