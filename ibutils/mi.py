"""Mutual-information estimators for the information plane. Every value is in bits.

Conventions shared by all estimators: ``t`` is an (N, D) array, one row per distinct input
(a layer's flattened output), ``y`` the (N,) integer labels. X is the identity of each input,
so for a deterministic network H(T|X) = 0 and I(X;T) = H(T).

Binning (this module's first estimator) turns each unit into a discrete symbol and the whole
layer row into one symbol; the information quantities are then plug-in entropies of symbol
counts (Shwartz-Ziv & Tishby 2017, Sec. 3.3; Saxe et al. 2018, Sec. 2; Li & Liu 2021, Sec. 3).
"""
from __future__ import annotations

from dataclasses import dataclass
from math import comb

import numpy as np

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


def bin_indices(t: np.ndarray, *, bin_width: float | None = None, n_bins: int | None = None):
    """Discretise activations unit by unit; returns a non-negative integer array of t's shape.

    Exactly one of:
    bin_width : float
        Fixed width, ``floor(a / bin_width)`` with no range limits (Li & Liu's 0.67;
        Saxe et al.'s ibsgd `binsize`). Indices are shifted so the smallest is 0 (a relabelling
        of bins, which leaves every entropy unchanged).
    n_bins : int
        That many equal bins spanning the layer's observed range [min t, max t] (Shwartz-Ziv &
        Tishby use 30 bins; the observed range keeps the rule valid for unbounded ReLU units).

    The result is uint8 when the indices fit (the usual case), else int64.
    """
    if (bin_width is None) == (n_bins is None):
        raise ValueError("binning: give exactly one of bin_width or n_bins")
    t = np.asarray(t, dtype=np.float32)
    if bin_width is not None:
        if not np.isfinite(bin_width) or bin_width <= 0:
            raise ValueError(f"bin_width: got {bin_width!r}, allowed a positive number")
        b = np.multiply(t, np.float32(1.0 / bin_width))  # (N, D) scratch, reused in place
        np.floor(b, out=b)
        b -= b.min()
    else:
        if int(n_bins) != n_bins or n_bins < 1:
            raise ValueError(f"n_bins: got {n_bins!r}, allowed a positive integer")
        lo, hi = float(t.min()), float(t.max())
        if hi <= lo:
            return np.zeros(t.shape, dtype=np.uint8)
        b = np.subtract(t, np.float32(lo))
        b *= np.float32(n_bins / (hi - lo))
        np.floor(b, out=b)
        np.minimum(b, n_bins - 1, out=b)  # the maximum falls in the last bin
    return b.astype(np.uint8 if b.max() < 256 else np.int64)


def _row_symbols(binned: np.ndarray) -> np.ndarray:
    """Map each row of an (N, D) integer array to one integer id; equal rows <=> equal ids.

    The row's bytes are read as 64-bit words and hashed with two independent random linear maps
    modulo 2**64 (one pass of integer multiply-adds, no per-sample Python loop); the (N, 2) hash
    pairs are then ranked. Distinct rows share an id only if both 64-bit hashes collide.
    """
    n = binned.shape[0]
    rows = np.ascontiguousarray(binned.reshape(n, -1))
    if rows.dtype != np.uint8:
        rows = np.ascontiguousarray(rows.astype(np.int64)).view(np.uint8)
    pad = (-rows.shape[1]) % 8
    if pad:
        rows = np.concatenate([rows, np.zeros((n, pad), dtype=np.uint8)], axis=1)
    words = rows.view(np.uint64)  # (N, ceil(D / 8))
    rng = np.random.default_rng(0x1B)  # fixed: the same rows always get the same symbols
    keys = rng.integers(1, 2**63, size=(words.shape[1], 2), dtype=np.uint64) | np.uint64(1)
    with np.errstate(over="ignore"):
        hashes = words @ keys  # (N, 2), arithmetic modulo 2**64
    _, symbols = np.unique(hashes, axis=0, return_inverse=True)
    return symbols.reshape(-1)


def discrete_mi(symbols: np.ndarray, y: np.ndarray, x_ids: np.ndarray | None = None):
    """H(T), I(X;T), I(T;Y) of a discrete T given per-row symbols (bits).

    ``x_ids`` groups rows that come from the same input; None means every row is its own input,
    so H(T|X) = 0.
    """
    symbols = np.asarray(symbols).reshape(-1)
    y = np.asarray(y).reshape(-1)
    _, t_counts = np.unique(symbols, return_counts=True)
    h_t = entropy_from_counts(t_counts)
    # H(T|Y) = H(T,Y) - H(Y)
    _, ty_counts = np.unique(np.stack([symbols, y], axis=1), axis=0, return_counts=True)
    _, y_counts = np.unique(y, return_counts=True)
    h_t_given_y = entropy_from_counts(ty_counts) - entropy_from_counts(y_counts)
    h_t_given_x = 0.0
    if x_ids is not None:
        _, tx_counts = np.unique(np.stack([symbols, x_ids], axis=1), axis=0, return_counts=True)
        _, x_counts = np.unique(x_ids, return_counts=True)
        h_t_given_x = entropy_from_counts(tx_counts) - entropy_from_counts(x_counts)
    return h_t, h_t - h_t_given_x, h_t - h_t_given_y, len(t_counts)


def binning_mi(t, y, *, bin_width: float | None = None, n_bins: int | None = None,
               x_ids=None) -> BinningResult:
    """Binned estimate of I(X;T) and I(T;Y), in bits.

    Parameters
    ----------
    t : array (N, D)
        One layer's flattened output, one row per input.
    y : array (N,)
        Integer class labels.
    bin_width, n_bins
        The binning rule; exactly one (see `bin_indices`).
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
    if not np.isfinite(t).all():
        raise ValueError("t: activations contain NaN or inf")
    symbols = _row_symbols(bin_indices(t, bin_width=bin_width, n_bins=n_bins))
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
