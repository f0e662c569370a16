"""Correlations with 95% intervals: Fisher's z for independent pairs, and a cluster bootstrap
for pairs that come in dependent groups (the seeds and layers of one configuration)."""
from __future__ import annotations

import numpy as np

Z_95 = 1.959963984540054  # two-sided 95% quantile of the standard normal


def pearson_ci(x, y) -> dict:
    """Pearson correlation of paired values with a 95% interval (Fisher's z transform).

    Returns ``{"n", "r", "lo", "hi"}``; the interval is tanh(atanh(r) -+ 1.96 / sqrt(n - 3)),
    so it needs n >= 4 (else lo and hi are NaN). Constant inputs give r = NaN. Pairs with a
    NaN or infinite member are left out, and ``n`` counts only the pairs used (a geometry
    measure is undefined, NaN, for a layer whose every unit is 0: a dead ReLU layer).
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"x, y: expected two 1-D arrays of one length, got {x.shape} and "
                         f"{y.shape}")
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], y[keep]
    n = len(x)
    if n < 2 or x.std() == 0 or y.std() == 0:
        return {"n": n, "r": float("nan"), "lo": float("nan"), "hi": float("nan")}
    r = float(np.corrcoef(x, y)[0, 1])
    if n < 4:
        return {"n": n, "r": r, "lo": float("nan"), "hi": float("nan")}
    z, half = np.arctanh(np.clip(r, -0.999999, 0.999999)), Z_95 / np.sqrt(n - 3)
    return {"n": n, "r": r, "lo": float(np.tanh(z - half)), "hi": float(np.tanh(z + half))}


MAX_DEGENERATE = 0.10  # largest share of bootstrap samples without an r that still gives an interval


def cluster_bootstrap_ci(x, y, groups, *, n_boot: int = 2000, seed: int = 0) -> dict:
    """Pearson correlation with a 95% interval that resamples whole groups (e.g. the seeds
    and layers of one configuration), not single pairs.

    Pairs in one group are not independent, so `pearson_ci`'s interval, which counts every
    pair as a new observation, is too narrow for them. This is the percentile interval of r
    over `n_boot` bootstrap samples, each drawing as many groups as there are, with
    replacement, and keeping every pair of a drawn group (the cluster bootstrap; Davison &
    Hinkley 1997, sec. 3.8). Pairs with a non-finite member are left out first. Returns
    ``{"n", "groups", "r", "lo", "hi", "degenerate"}``. The interval is NaN with fewer than 4
    groups, or when more than `MAX_DEGENERATE` of the samples have a constant x or y
    (``degenerate``: their fraction): then only a few groups carry all the variation, and
    the samples that have r at all are a biased subset. Seeded: the same input gives the
    same interval.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    groups = np.asarray(groups)
    if not (x.shape == y.shape == groups.shape) or x.ndim != 1:
        raise ValueError(f"x, y, groups: expected three 1-D arrays of one length, got "
                         f"{x.shape}, {y.shape} and {groups.shape}")
    keep = np.isfinite(x) & np.isfinite(y)
    x, y, groups = x[keep], y[keep], groups[keep]
    labels, index = np.unique(groups, return_inverse=True)
    point = pearson_ci(x, y)
    out = {"n": len(x), "groups": len(labels), "r": point["r"], "lo": float("nan"),
           "hi": float("nan"), "degenerate": float("nan")}
    if len(labels) < 4 or not np.isfinite(point["r"]):
        return out
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(labels), size=(n_boot, len(labels)))
    counts = np.zeros((n_boot, len(labels)))
    np.add.at(counts, (np.arange(n_boot)[:, None], draws), 1)
    w = counts[:, index]  # weight of every pair in every sample: how often its group was drawn
    total = w.sum(1, keepdims=True)
    dx = x - (w @ x)[:, None] / total
    dy = y - (w @ y)[:, None] / total
    sxy, sxx, syy = (w * dx * dy).sum(1), (w * dx * dx).sum(1), (w * dy * dy).sum(1)
    ok = (sxx > 1e-12 * np.sum((x - x.mean()) ** 2)) & (syy > 1e-12 * np.sum((y - y.mean()) ** 2))
    out["degenerate"] = float(1 - ok.mean())
    if out["degenerate"] > MAX_DEGENERATE:
        return out
    r = sxy[ok] / np.sqrt(sxx[ok] * syy[ok])
    lo, hi = np.percentile(r, [2.5, 97.5])
    out.update(lo=float(lo), hi=float(hi))
    return out


def _betacf(a: float, b: float, x: float, tiny: float = 1e-300) -> float:
    """Continued fraction of the regularized incomplete beta function (modified Lentz)."""
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        for num in (m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                    -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))):
            d = 1.0 + num * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + num / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < 1e-14:
            break
    return h


def regularized_beta(a: float, b: float, x: float) -> float:
    """I_x(a, b), the regularized incomplete beta function (Press et al., Numerical Recipes,
    sec. 6.4: the continued fraction, on the side of x where it converges fast)."""
    if not 0.0 <= x <= 1.0:
        raise ValueError(f"x: got {x!r}, allowed 0 <= x <= 1")
    if x in (0.0, 1.0):
        return x
    from math import exp, lgamma, log
    front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log(1.0 - x))
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def student_t_sf(t: float, df: float) -> float:
    """P(T > t) for Student's t with `df` degrees of freedom (one-sided p-value)."""
    if not df > 0:
        raise ValueError(f"df: got {df!r}, allowed a positive number")
    tail = 0.5 * regularized_beta(df / 2.0, 0.5, df / (df + t * t))
    return tail if t >= 0 else 1.0 - tail


def benjamini_hochberg(p_values, q: float = 0.05) -> np.ndarray:
    """Which hypotheses the Benjamini-Hochberg step-up procedure rejects at false discovery
    rate `q` (Benjamini & Hochberg 1995): sort the m p-values, find the largest k with
    p_(k) <= k q / m, reject the k smallest. Returns a boolean array in the input order."""
    p = np.asarray(p_values, dtype=float)
    if not 0 < q < 1:
        raise ValueError(f"q: got {q!r}, allowed 0 < q < 1")
    order = np.argsort(p, kind="stable")
    m = len(p)
    below = p[order] <= q * np.arange(1, m + 1) / max(m, 1)
    k = int(np.flatnonzero(below).max()) + 1 if below.any() else 0
    out = np.zeros(m, dtype=bool)
    out[order[:k]] = True
    return out
