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


# ---------------------------------------------------------------------------------------------
# Shared helpers for the pairwise (O(N^2)) estimators
# ---------------------------------------------------------------------------------------------

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


def _logmeanexp_rows(m: np.ndarray) -> np.ndarray:
    """log(mean_j exp(m_ij)) per row, stably."""
    top = m.max(axis=1, keepdims=True)
    return (top + np.log(np.exp(m - top).mean(axis=1, keepdims=True))).ravel()


# ---------------------------------------------------------------------------------------------
# KDE bounds (Kolchinsky & Tracey 2017), as used by Saxe et al. (2018)
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class KDEResult:
    """Pairwise-distance bounds (bits) for the noisy channel T' = T + N(0, noise_var I)."""

    i_xt_upper: float
    i_xt_lower: float
    i_ty_upper: float
    i_ty_lower: float
    n: int

    def as_dict(self) -> dict:
        return {"i_xt_upper": self.i_xt_upper, "i_xt_lower": self.i_xt_lower,
                "i_ty_upper": self.i_ty_upper, "i_ty_lower": self.i_ty_lower}


def _mixture_excess_entropy(sq_d: np.ndarray, scale: float) -> float:
    """-mean_i log mean_j exp(-d_ij^2 / scale), in nats: H(mixture) - H(component) estimate."""
    return float(-_logmeanexp_rows(-sq_d / scale).mean())


def kde_mi(t, y, *, noise_var: float, n_samples: int | None = None, seed: int = 0) -> KDEResult:
    """Upper and lower bounds on I(X;T') and I(T';Y) for T' = T + Gaussian noise, in bits.

    T' given the input x_i is N(t_i, noise_var I), so T' is an equal-weight Gaussian mixture
    and I(X;T') = H(T') - H(T'|X). Kolchinsky & Tracey bound the mixture entropy with pairwise
    distances between components: with the KL divergence d^2/(2 s^2) an upper bound, with the
    Bhattacharyya distance d^2/(8 s^2) a lower bound (their Eqs. 10 and 14 via Theorem 2):

        I(X;T') <= -1/N sum_i log 1/N sum_j exp(-|t_i - t_j|^2 / (2 noise_var))
        I(X;T') >= -1/N sum_i log 1/N sum_j exp(-|t_i - t_j|^2 / (8 noise_var))

    I(T';Y) = H(T') - sum_y p(y) H(T'|Y=y) is computed with the same estimator for every entropy
    term, as Saxe et al. do (ibsgd's `kde.py`); those two are estimates built from the bounds,
    not guaranteed bounds on I(T';Y). Both I(X;T') bounds are at most log2 N.

    Parameters
    ----------
    t : (N, D) array; y : (N,) integer labels
    noise_var : float
        Variance of the added Gaussian noise (Saxe et al. and the paper's disabled code: 0.1).
    n_samples, seed
        Use a seeded subsample of that many rows (cost O(n_samples^2 D)); None uses all rows.

    References
    ----------
    Kolchinsky & Tracey (2017), Entropy 19(7):361; Saxe et al. (2018), ICLR, Sec. 2 and App. C.
    """
    if not np.isfinite(noise_var) or noise_var <= 0:
        raise ValueError(f"noise_var: got {noise_var!r}, allowed a positive number")
    t = np.asarray(t)
    if t.ndim != 2 or len(y) != len(t):
        raise ValueError(f"t, y: expected (N, D) and (N,), got {t.shape} and {np.shape(y)}")
    idx = subsample(len(t), n_samples, seed)
    t, y = t[idx], np.asarray(y)[idx]
    d = pairwise_sq_dists(t)
    labels, counts = np.unique(y, return_counts=True)
    p_y = counts / counts.sum()
    out = {}
    for name, scale in (("upper", 2.0 * noise_var), ("lower", 8.0 * noise_var)):
        i_xt = _mixture_excess_entropy(d, scale)
        # H(T'|Y=y) - H(T'|X) for each class: the same estimator within the class
        cond = sum(p * _mixture_excess_entropy(d[np.ix_(y == c, y == c)], scale)
                   for c, p in zip(labels, p_y))
        out[f"i_xt_{name}"] = i_xt / np.log(2)
        out[f"i_ty_{name}"] = (i_xt - cond) / np.log(2)
    return KDEResult(n=len(t), **out)


# ---------------------------------------------------------------------------------------------
# Matrix-based Renyi alpha-entropy (Giraldo et al. 2014; Yu & Principe 2019; Wickstrom 2019)
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RenyiResult:
    """Matrix-based Renyi alpha-order mutual information (bits)."""

    i_xt: float
    i_ty: float
    h_t: float
    sigma_t: float
    sigma_x: float
    n: int

    def as_dict(self) -> dict:
        return {"i_xt": self.i_xt, "i_ty": self.i_ty, "h_t": self.h_t,
                "sigma_t": self.sigma_t, "sigma_x": self.sigma_x}


def kernel_width(sq_d: np.ndarray, dim: int) -> float:
    """Default Gaussian kernel width: median pairwise distance times N^(-1/(4 + dim)).

    The median sets the scale of the data (so the rule suits tanh and unbounded ReLU layers
    alike), and N^(-1/(4+d)) is Silverman's shrinkage with sample size, the form used by
    Yu et al. (2020, IEEE TNNLS 32(7)) for matrix-based entropies of CNN layers.
    """
    n = len(sq_d)
    off = sq_d[~np.eye(n, dtype=bool)]
    med = float(np.sqrt(np.median(off))) if off.size else 0.0
    return max(med, 1e-12) * n ** (-1.0 / (4 + dim))


def gram(sq_d: np.ndarray, sigma: float) -> np.ndarray:
    """Trace-normalised Gaussian Gram matrix A = K / N, K_ij = exp(-d_ij^2 / (2 sigma^2))."""
    return np.exp(-sq_d / (2.0 * sigma**2)) / len(sq_d)


def matrix_renyi_entropy(a: np.ndarray, alpha: float) -> float:
    """S_alpha(A) = log2(sum_i lambda_i^alpha) / (1 - alpha) for a unit-trace PSD matrix A."""
    lam = np.clip(np.linalg.eigvalsh(a), 0.0, None)
    lam = lam / lam.sum()
    return float(np.log2(np.sum(lam[lam > 0] ** alpha)) / (1.0 - alpha))


def _joint(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Normalised Hadamard product: the Gram matrix of the joint variable."""
    h = a * b
    return h / np.trace(h)


def renyi_mi(t, x, y, *, alpha: float = 1.01, sigma: float | None = None,
             n_samples: int | None = None, seed: int = 0) -> RenyiResult:
    """Matrix-based Renyi alpha-entropy estimates of I(X;T) and I(T;Y), in bits.

    With unit-trace Gram matrices A_X, A_T, A_Y of the inputs, the layer and the labels,
    ``I(X;T) = S(A_X) + S(A_T) - S(A_X o A_T / tr(A_X o A_T))`` (Yu & Principe 2019, Eq. 7;
    Giraldo et al. 2014, Def. 3 and Eq. 8), and likewise for I(T;Y). Conv layers enter as
    flattened tensors: the Gaussian kernel on the Frobenius distance of two activation tensors
    is the tensor kernel of Wickstrom et al. (2019). Labels use a linear kernel on one-hot
    vectors, so different classes are orthogonal and S(A_Y) is the Renyi entropy of the labels.

    Parameters
    ----------
    t : (N, D) layer activations; x : (N, ...) inputs; y : (N,) integer labels
    alpha : float
        Renyi order (> 0, != 1); 1.01 approximates Shannon entropy.
    sigma : float or None
        Gaussian kernel width used for both X and T; None picks each by `kernel_width`.
    n_samples, seed
        Seeded subsample size (cost O(n_samples^2 D + n_samples^3)); None uses all rows.
    """
    if not alpha > 0 or alpha == 1:
        raise ValueError(f"alpha: got {alpha!r}, allowed a positive number other than 1")
    if sigma is not None and not sigma > 0:
        raise ValueError(f"sigma: got {sigma!r}, allowed None or a positive number")
    t = np.asarray(t)
    x = np.asarray(x).reshape(len(x), -1)
    if t.ndim != 2 or len(t) != len(x) or len(t) != len(y):
        raise ValueError(f"t, x, y: expected (N, D), (N, ...), (N,), got {t.shape}, "
                         f"{x.shape}, {np.shape(y)}")
    idx = subsample(len(t), n_samples, seed)
    t, x, y = t[idx], x[idx], np.asarray(y)[idx]
    d_t, d_x = pairwise_sq_dists(t), pairwise_sq_dists(x)
    s_t = sigma if sigma is not None else kernel_width(d_t, t.shape[1])
    s_x = sigma if sigma is not None else kernel_width(d_x, x.shape[1])
    a_t, a_x = gram(d_t, s_t), gram(d_x, s_x)
    a_y = (y[:, None] == y[None, :]).astype(np.float64) / len(y)
    h_t = matrix_renyi_entropy(a_t, alpha)
    i_xt = matrix_renyi_entropy(a_x, alpha) + h_t - matrix_renyi_entropy(_joint(a_x, a_t), alpha)
    i_ty = h_t + matrix_renyi_entropy(a_y, alpha) - matrix_renyi_entropy(_joint(a_t, a_y), alpha)
    return RenyiResult(i_xt, i_ty, h_t, float(s_t), float(s_x), len(t))
