"""Small statistics for published cells: the Wilson score interval and the coefficient of variation of a sample
proportion.

The functions take scalars or NumPy/pandas arrays alike.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np


def z_for(confidence: float) -> float:
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def wilson_interval(successes, trials, z: float):
    """Wilson score interval for ``successes / trials`` (``trials > 0``)."""
    successes = np.asarray(successes, dtype=float)
    trials = np.asarray(trials, dtype=float)
    p = successes / trials
    z2 = z * z
    denominator = 1 + z2 / trials
    centre = (p + z2 / (2 * trials)) / denominator
    half = z * np.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / denominator
    # the interval always contains p; clamp away floating-point noise at p = 0 or 1
    return np.clip(np.minimum(centre - half, p), 0.0, 1.0), np.clip(np.maximum(centre + half, p), 0.0, 1.0)


def binomial_cv(successes, trials):
    """Coefficient of variation of the sample proportion ``p = successes / trials`` under simple random sampling,
    the assumption of the Wilson interval: SE = √(p(1−p)/n), so CV = SE/p = √((1−p)/successes); infinite when
    there are no successes (a zero estimate has no relative precision)."""
    successes = np.asarray(successes, dtype=float)
    p = successes / np.asarray(trials, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(successes > 0, np.sqrt((1 - p) / successes), np.inf)


def binomial_upper_tail(k: int, n: int, p: float) -> float:
    """P(X ≥ k) for X ~ Binomial(n, p), summed exactly (in logs, so large ``n`` does not underflow)."""
    if k <= 0:
        return 1.0
    if p <= 0.0 or k > n:
        return 0.0
    if p >= 1.0:
        return 1.0
    log_p, log_q = math.log(p), math.log1p(-p)
    return min(1.0, sum(math.exp(math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1)
                                 + i * log_p + (n - i) * log_q) for i in range(k, n + 1)))
