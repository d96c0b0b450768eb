"""Design-based estimates of survey proportions: weighted ratios, Taylor-linearised standard errors with strata
and clusters, Korn–Graubard intervals, the design effect and the effective sample size.

A cell's estimate is the ratio ``R = Y / X`` of weighted totals (children in child labour over children, …).
Its variance is the Taylor linearisation with primary sampling units (PSUs) drawn with replacement within
strata: each PSU's linearised total is ``z = y − R·x`` (its weighted totals in the cell), and

    V(R) = Σ_h n_h / (n_h − 1) · Σ_i (z_hi − z̄_h)² / X²

over the ``n_h`` PSUs sampled in stratum ``h`` (a PSU with nobody in the cell has z = 0: domains are estimated
over the whole sample, as R's ``survey`` and ``svy`` do). A census stratum has no sampling error (finite
population correction 1 − n/N = 0): it adds nothing. The interval is Korn and Graubard's (1998), the NCHS
presentation standard for proportions (Parker et al. 2017): Clopper–Pearson on the effective sample size, made
smaller by the ratio of t quantiles with n − 1 and the design's degrees of freedom (PSUs − strata), at most n,
and n itself when p is 0 or 1. ``svy`` computes the same (``prop(ci_method="korn-graubard")``) from unit-level
rows; here the cells come from PSU totals summed in the database, for thousands of cells at once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

CENSUS, SAMPLE, NO_DESIGN = "census", "sample", "no_design"
KORN_GRAUBARD, EXACT, SRS_WILSON = "korn_graubard", "exact", "wilson_srs"


def ratio_estimates(psus: pd.DataFrame, keys: list[str], strata: pd.DataFrame, confidence: float) -> pd.DataFrame:
    """One design-based estimate per cell.

    ``psus``: a row per cell (``keys``) and PSU, with ``stratum`` (unique over the rounds), ``y`` and ``x`` (the
    PSU's weighted numerator and denominator in the cell) and ``n`` (its unweighted denominator count).
    ``strata``: ``stratum``, ``psus`` (PSUs sampled in it) and ``census`` (no sampling error).
    Returns the ``keys`` with ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``deff`` (against simple random
    sampling with replacement, as R and svy give it), ``effective_n``, ``n`` and ``df`` (PSUs − strata of the
    sample strata the cell reaches; 0 for a census). A stratum with a single responding unit adds no variance
    (R's ``survey.lonely.psu = "certainty"``).
    """
    cells = psus.groupby(keys, as_index=False, sort=False).agg(Y=("y", "sum"), X=("x", "sum"), n=("n", "sum"))
    with np.errstate(divide="ignore", invalid="ignore"):
        cells["estimate"] = cells["Y"] / cells["X"]
    rows = psus.merge(cells[[*keys, "estimate"]], on=keys).merge(strata, on="stratum")
    rows = rows[~rows["census"].astype(bool)]
    rows = rows.assign(z=rows["y"] - rows["estimate"] * rows["x"])
    rows["z2"] = rows["z"] ** 2
    by_stratum = rows.groupby([*keys, "stratum"], as_index=False, sort=False).agg(
        z=("z", "sum"), z2=("z2", "sum"), psus=("psus", "first"))
    by_stratum = by_stratum[by_stratum["psus"] > 1]  # a stratum with one unit adds nothing (R: "certainty")
    sampled = by_stratum["psus"].astype(float)
    # Σ_i (z_i − z̄)² over all n_h PSUs of the stratum, those without anyone in the cell having z = 0
    by_stratum["v"] = sampled / (sampled - 1) * (by_stratum["z2"] - by_stratum["z"] ** 2 / sampled)
    by_stratum["df"] = sampled - 1
    variance = by_stratum.groupby(keys, as_index=False, sort=False).agg(v=("v", "sum"), df=("df", "sum"))
    cells = cells.merge(variance, on=keys, how="left").fillna({"v": 0.0, "df": 0.0})
    p, n = cells["estimate"].to_numpy(dtype=float), cells["n"].to_numpy(dtype=float)
    var = np.clip(cells["v"].to_numpy(dtype=float) / cells["X"].to_numpy(dtype=float) ** 2, 0.0, None)
    cells["se"] = np.sqrt(var)
    with np.errstate(divide="ignore", invalid="ignore"):
        srs = p * (1 - p) / (n - 1)  # simple random sampling of as many, with replacement (S² has n − 1)
        cells["deff"] = np.where(srs > 0, var / srs, np.nan)
        cells["effective_n"] = np.where(var > 0, p * (1 - p) / var, n)
    low, high = korn_graubard(p, var, n, cells["df"].to_numpy(), confidence)
    sample = cells["df"].to_numpy() > 0
    cells["ci_low"], cells["ci_high"] = np.where(sample, low, np.nan), np.where(sample, high, np.nan)
    cells["df"] = cells["df"].astype(int)
    return cells[[*keys, "estimate", "se", "ci_low", "ci_high", "deff", "effective_n", "n", "df"]]


def korn_graubard(p, variance, n, df, confidence: float):
    """Korn–Graubard interval of proportions ``p`` with design ``variance``, ``n`` respondents and ``df`` design
    degrees of freedom (NCHS form: effective n adjusted by (t_{n−1} / t_df)², at most n; n when p is 0 or 1)."""
    p, variance, n, df = (np.asarray(a, dtype=float) for a in (p, variance, n, df))
    alpha = 1 - confidence
    with np.errstate(divide="ignore", invalid="ignore"):
        effective = np.where((p > 0) & (p < 1) & (variance > 0), p * (1 - p) / variance, n)
        adjust = np.where((n > 1) & (df > 0), (stats.t.ppf(1 - alpha / 2, np.maximum(n - 1, 1))
                                               / stats.t.ppf(1 - alpha / 2, np.maximum(df, 1))) ** 2, 1.0)
        effective = np.minimum(n, effective * adjust)
        x = effective * p
        low = np.where(x > 0, stats.beta.ppf(alpha / 2, x, effective - x + 1), 0.0)
        high = np.where(effective - x > 0, stats.beta.ppf(1 - alpha / 2, x + 1, effective - x), 1.0)
    return np.nan_to_num(low, nan=0.0), np.nan_to_num(high, nan=1.0)
