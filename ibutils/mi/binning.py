"""Binning: each unit becomes a discrete symbol and a layer's row one symbol; the information
quantities are plug-in entropies of symbol counts. Every value is in bits.

Conventions shared by all estimators of `ibutils.mi`: ``t`` is an (N, D) array, one row per
distinct input (a layer's flattened output), ``y`` the (N,) integer labels. X is the identity of
each input, so for a deterministic network H(T|X) = 0 and I(X;T) = H(T).

References: Shwartz-Ziv & Tishby (2017), Sec. 3.3; Saxe et al. (2018), Sec. 2; Li & Liu (2021),
Sec. 3. The row hashing that makes this fast lives in `ibutils.mi._binning_engine`.
"""
from __future__ import annotations

from dataclasses import dataclass
from math import comb

import numpy as np

from ._binning_engine import binned_symbols, make_binner, rank_rows

SATURATION_TOL = 0.01  # bits: I(X;T) this close to log2 N counts as saturated


@dataclass(frozen=True)
class BinningResult:
    """Binned information quantities of one layer (bits)."""

    i_xt: float  # I(X;T)
    i_ty: float  # I(T;Y)
    h_t: float  # H(T)
    n_patterns: int  # distinct binned rows
    n: int  # number of inputs
    saturated: bool  # I(X;T) within SATURATION_TOL of log2 N

    def as_dict(self) -> dict:
        return {
            "i_xt": self.i_xt, "i_ty": self.i_ty, "h_t": self.h_t,
            "n_patterns": self.n_patterns, "saturated": self.saturated,
        }


def entropy_from_counts(counts: np.ndarray) -> float:
    """Plug-in Shannon entropy of a histogram, in bits."""
    counts = np.asarray(counts, dtype=np.float64)
    counts = counts[counts > 0]
    p = counts / counts.sum()
    return float(-(p * np.log2(p)).sum())


def label_entropy(y) -> float:
    """H(Y) in bits of integer labels (the ceiling of I(T;Y))."""
    _, counts = np.unique(np.asarray(y), return_counts=True)
    return entropy_from_counts(counts)


def bin_indices(t: np.ndarray, *, bin_width: float | None = None, n_bins: int | None = None,
                equal_mass: int | None = None):
    """Discretise activations unit by unit; a non-negative int64 array of t's shape.

    See `make_binner` for the three rules; `binning_mi` uses the same rule without materialising
    this array.
    """
    t = np.asarray(t, dtype=np.float32)
    to_bins, _, offset = make_binner(t, bin_width, n_bins, equal_mass)
    out = np.empty_like(t)
    to_bins(t, out)
    out -= offset
    return out.astype(np.int64)


def _small_ids(a: np.ndarray) -> np.ndarray:
    """`a` itself when it already holds non-negative integers below 2 * len(a) (the dense ids
    of `binned_symbols`, class labels), else dense ids 0..K-1 of its distinct values."""
    if a.size and np.issubdtype(a.dtype, np.integer) and a.min() >= 0 and a.max() < 2 * a.size:
        return a
    return rank_rows(a)


def _nonzero(counts: np.ndarray) -> np.ndarray:
    return counts[counts > 0]


def discrete_mi(symbols: np.ndarray, y: np.ndarray, x_ids: np.ndarray | None = None):
    """H(T), I(X;T), I(T;Y) of a discrete T given per-row symbols (bits).

    ``x_ids`` groups rows that come from the same input; None means every row is its own input,
    so H(T|X) = 0.
    """
    symbols = np.asarray(symbols).reshape(-1)
    y = np.asarray(y).reshape(-1)
    symbols, y_ids = _small_ids(symbols), _small_ids(y)  # pairs then fit one int64 key
    t_counts = _nonzero(np.bincount(symbols))
    h_t = entropy_from_counts(t_counts)
    # H(T|Y) = H(T,Y) - H(Y)
    ty_counts = _nonzero(np.bincount(symbols * (y_ids.max() + 1) + y_ids))
    h_t_given_y = entropy_from_counts(ty_counts) - entropy_from_counts(_nonzero(np.bincount(y_ids)))
    h_t_given_x = 0.0
    if x_ids is not None:
        x_ids = rank_rows(np.asarray(x_ids).reshape(-1))
        _, tx_counts = np.unique(symbols * (x_ids.max() + 1) + x_ids, return_counts=True)
        h_t_given_x = entropy_from_counts(tx_counts) - entropy_from_counts(np.bincount(x_ids))
    return h_t, h_t - h_t_given_x, h_t - h_t_given_y, len(t_counts)


def binning_mi(t, y, *, bin_width: float | None = None, n_bins: int | None = None,
               equal_mass: int | None = None, x_ids=None) -> BinningResult:
    """Binned estimate of I(X;T) and I(T;Y), in bits.

    Parameters
    ----------
    t : array (N, D)
        One layer's flattened output, one row per input.
    y : array (N,)
        Integer class labels.
    bin_width, n_bins, equal_mass
        The binning rule: fixed width, fixed count over the layer's range, or equal-mass
        (adaptive) bins; exactly one (see `make_binner`).
    x_ids : array (N,), optional
        Input identity of each row when rows repeat an input; default: all inputs distinct.

    Returns
    -------
    BinningResult
        ``i_xt = H(T) - H(T|X)``, ``i_ty = H(T) - sum_y p(y) H(T|Y=y)``, ``h_t``,
        ``n_patterns`` (distinct binned rows) and ``saturated`` (I(X;T) >= log2 N - 0.01).

    References
    ----------
    Shwartz-Ziv & Tishby (2017), arXiv:1703.00810, Sec. 3.3; Saxe et al. (2018), ICLR, Sec. 2;
    Li & Liu (2021), Neural Process. Lett., Sec. 3 (bin width 0.67).
    """
    t = np.asarray(t)
    if t.ndim != 2:
        raise ValueError(f"t: expected an (N, D) array, got shape {t.shape}")
    if len(y) != t.shape[0]:
        raise ValueError(f"y: expected {t.shape[0]} labels, got {len(y)}")
    symbols = binned_symbols(t, bin_width=bin_width, n_bins=n_bins, equal_mass=equal_mass)
    h_t, i_xt, i_ty, n_patterns = discrete_mi(symbols, y, x_ids)
    n = t.shape[0]
    n_inputs = n if x_ids is None else len(np.unique(x_ids))
    saturated = bool(i_xt >= np.log2(n_inputs) - SATURATION_TOL)
    return BinningResult(i_xt, i_ty, h_t, n_patterns, n, saturated)


def binning_alphabet_cap(n_units: int, *, bin_width: float | None = None,
                         n_bins: int | None = None, low: float = -1.0, high: float = 1.0) -> float:
    """Upper bound log2(#possible binned rows) for `n_units` units with values in [low, high].

    E.g. tanh units with width 0.67 fall in floor(a/0.67) in {-2, -1, 0, 1}: 4 bins each.
    A softmax row (10 probabilities summing to one, 2 bins each at width 0.67) can take only
    11 patterns (no unit above 0.67, or exactly one): `softmax_alphabet_cap` gives that.
    """
    if bin_width is not None:
        per_unit = int(np.floor(high / bin_width) - np.floor(low / bin_width)) + 1
    else:
        per_unit = int(n_bins)
    return float(n_units * np.log2(per_unit))


def softmax_alphabet_cap(n_classes: int, bin_width: float) -> float:
    """log2 of the number of binned patterns a probability vector can take at this bin width.

    With k_i = floor(p_i / w) and S = sum_i k_i, a vector k is reachable from the simplex iff
    S w <= 1 < (S + n_classes) w; there are C(S + n - 1, n - 1) vectors with sum S.
    For w = 0.67 and 10 classes: 11 patterns (no unit above 0.67, or exactly one).
    """
    total = sum(
        comb(s + n_classes - 1, n_classes - 1)
        for s in range(int(np.floor(1.0 / bin_width)) + 1)
        if s * bin_width <= 1.0 < (s + n_classes) * bin_width
    )
    return float(np.log2(total))
