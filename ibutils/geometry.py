"""Geometric companions of the information plane: saturation, class clustering and the spacing
of a layer's representations.

Two explanations of binned "compression" compete with the information-theoretic one: tanh
units driven into saturation (Saxe et al. 2018), and representations that cluster by class, so
that a fixed binning merges more inputs (Goldfeld et al. 2019). The measures here put numbers
on both, per layer and snapshot, on the same grid as the estimators: they are registered in
`MEASURES` and called like an estimator, ``fn(t, x, y, **params)``, so the recorder stores them
beside the information quantities and can add them later from cached snapshot weights.

Cost: saturation is one pass over the activations; the clustering measures use the pairwise
distances of a seeded subsample of n inputs, O(n^2 D) time and O(n^2) memory.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .mi import pairwise_sq_dists


@dataclass(frozen=True)
class GeometryResult:
    """Geometry of one layer's representation at one snapshot."""

    saturated: float  # fraction of unit activations with |a| > threshold (tanh saturation)
    inactive: float  # fraction of unit activations exactly 0 (ReLU's one-sided saturation)
    within_between: float  # mean within-class distance / mean between-class distance
    silhouette: float  # mean silhouette coefficient by class (Euclidean)
    n: int  # inputs used

    def as_dict(self) -> dict:
        return {"saturated": self.saturated, "inactive": self.inactive,
                "within_between": self.within_between,
                "silhouette": self.silhouette}


def saturated_fraction(t, threshold: float = 0.9) -> float:
    """Fraction of all unit activations with |a| > `threshold` (0.9: near tanh's +-1)."""
    if not 0 < threshold:
        raise ValueError(f"threshold: got {threshold!r}, allowed a positive number")
    t = np.asarray(t)
    return float(np.count_nonzero(np.abs(t) > threshold) / t.size)


def inactive_fraction(t) -> float:
    """Fraction of all unit activations exactly 0: ReLU units switched off for an input.

    ReLU saturates on one side only (Saxe et al. 2018): a unit at 0 passes no gradient and
    maps all the inputs that switch it off to one value. Near 0 for tanh.
    """
    t = np.asarray(t)
    return float(np.count_nonzero(t == 0) / t.size)


def _class_distances(d: np.ndarray, y: np.ndarray):
    """Per input: mean distance to every class (its own class without itself)."""
    classes = np.unique(y)
    onehot = (y[:, None] == classes[None, :]).astype(np.float64)
    counts = onehot.sum(0)
    sums = d @ onehot  # (n, k): total distance to each class
    own = (y[:, None] == classes[None, :])
    means = sums / np.where(own, counts - 1, counts).clip(min=1)
    return means, own, counts


def class_separation(t, y) -> tuple[float, float]:
    """(within/between distance ratio, mean silhouette) of the rows of `t` grouped by `y`.

    The ratio is the mean Euclidean distance between distinct inputs of the same class over
    the mean distance between inputs of different classes: 1 for a representation that
    ignores the labels, towards 0 as classes contract into separate clusters. The silhouette
    of input i is (b_i - a_i) / max(a_i, b_i), with a_i its mean distance to its own class and
    b_i to the nearest other class (Rousseeuw 1987); inputs alone in their class count 0.
    """
    t = np.asarray(t, dtype=np.float64).reshape(len(t), -1)
    y = np.asarray(y)
    if len(np.unique(y)) < 2:
        raise ValueError("y: got a single class, allowed labels of at least two classes")
    d = np.sqrt(pairwise_sq_dists(t))
    same = y[:, None] == y[None, :]
    off_diag = ~np.eye(len(y), dtype=bool)
    within, between = d[same & off_diag], d[~same]
    ratio = float(within.mean() / between.mean()) if between.mean() > 0 else float("nan")
    means, own, counts = _class_distances(d, y)
    a = means[own]
    b = np.where(own, np.inf, means).min(1)
    alone = counts[own.argmax(1)] < 2
    with np.errstate(invalid="ignore", divide="ignore"):
        sil = (b - a) / np.maximum(a, b)
    sil = np.where(alone | ~np.isfinite(sil), 0.0, sil)
    return ratio, float(sil.mean())


def geometry(t, x, y, *, threshold: float = 0.9) -> GeometryResult:
    """All geometric measures of one layer (`x` is unused; the recorder's calling convention)."""
    ratio, sil = class_separation(t, y)
    return GeometryResult(saturated_fraction(t, threshold), inactive_fraction(t), ratio, sil,
                          len(t))


@dataclass(frozen=True)
class SpacingResult:
    """Distances between one layer's representations at one snapshot (Euclidean, in the
    layer's own units: a noisy network's noise standard deviation is on the same scale)."""

    nearest: float  # median distance from an input to its nearest other input
    within: float  # mean distance between distinct inputs of the same class
    between: float  # mean distance between inputs of different classes
    n: int  # inputs used

    def as_dict(self) -> dict:
        return {"nearest": self.nearest, "within": self.within, "between": self.between}


def spacing(t, x, y) -> SpacingResult:
    """How far apart a layer's representations lie, for comparison with a noise scale.

    In a noisy network T = S(X) + Z, Z ~ N(0, beta^2 I), I(X;T) can fall below log2 N only
    once representations come within a few beta of each other (Goldfeld et al. 2019: the
    Gaussians around inputs of one class merge as the class clusters). `nearest` measures
    that directly; `within` / `between` is the class clustering of `class_separation`, with
    the scale kept. `x` is unused (the recorder's calling convention).
    """
    t = np.asarray(t, dtype=np.float64).reshape(len(t), -1)
    y = np.asarray(y)
    if len(t) < 2 or len(np.unique(y)) < 2:
        raise ValueError(f"t, y: got {len(t)} rows of {len(np.unique(y))} classes, allowed "
                         "at least two rows and two classes")
    d = np.sqrt(pairwise_sq_dists(t))
    same = y[:, None] == y[None, :]
    off_diag = ~np.eye(len(y), dtype=bool)
    nearest = np.where(off_diag, d, np.inf).min(axis=1)
    within = d[same & off_diag]
    return SpacingResult(float(np.median(nearest)),
                         float(within.mean()) if within.size else float("nan"),
                         float(d[~same].mean()), len(t))


# Per-layer measures the recorder applies like estimators (see `ibutils.mi.ESTIMATORS`).
MEASURES = {"geometry": geometry, "spacing": spacing}
