"""Helpers shared by the pairwise (O(N^2)) estimators and measures: a seeded subsample of rows,
squared distances between rows, and a stable log-mean-exp."""
from __future__ import annotations

import numpy as np


def subsample(n: int, n_samples: int | None, seed: int = 0) -> np.ndarray:
    """Sorted indices of a seeded subsample of size min(n, n_samples) (all rows if None)."""
    if n_samples is None or n_samples >= n:
        return np.arange(n)
    if int(n_samples) != n_samples or n_samples < 2:
        raise ValueError(f"n_samples: got {n_samples!r}, allowed None or an integer >= 2")
    return np.sort(np.random.default_rng(seed).choice(n, size=int(n_samples), replace=False))


def pairwise_sq_dists(a: np.ndarray) -> np.ndarray:
    """(N, N) squared Euclidean distances between rows, via one GEMM, in float64."""
    a = np.asarray(a, dtype=np.float64).reshape(len(a), -1)
    sq = np.einsum("ij,ij->i", a, a)
    d = sq[:, None] + sq[None, :] - 2.0 * (a @ a.T)
    np.fill_diagonal(d, 0.0)
    return np.maximum(d, 0.0)


def logmeanexp_rows(m: np.ndarray) -> np.ndarray:
    """log(mean_j exp(m_ij)) per row, stably."""
    top = m.max(axis=1, keepdims=True)
    return (top + np.log(np.exp(m - top).mean(axis=1, keepdims=True))).ravel()
