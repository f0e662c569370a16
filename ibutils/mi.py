"""Mutual-information estimators for the information plane. Every value is in bits.

Conventions shared by all estimators: ``t`` is an (N, D) array, one row per distinct input
(a layer's flattened output), ``y`` the (N,) integer labels. X is the identity of each input,
so for a deterministic network H(T|X) = 0 and I(X;T) = H(T).

Binning (this module's first estimator) turns each unit into a discrete symbol and the whole
layer row into one symbol; the information quantities are then plug-in entropies of symbol
counts (Shwartz-Ziv & Tishby 2017, Sec. 3.3; Saxe et al. 2018, Sec. 2; Li & Liu 2021, Sec. 3).
"""
from __future__ import annotations

import hashlib
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
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


EQUAL_MASS_SAMPLE = 1_000_000  # pooled values used to place equal-mass bin edges


@lru_cache(maxsize=16)
def _equal_mass_sample(size: int) -> np.ndarray:
    """The seeded sample of value positions for a layer of `size` values, sorted (the
    quantiles do not depend on the order; sorted positions gather faster). Cached: every
    snapshot of a layer has the same size, and drawing it costs ~0.6 s for 47 M values."""
    idx = np.random.default_rng(0).choice(size, EQUAL_MASS_SAMPLE, replace=False)
    idx = np.sort(idx).astype(np.int32 if size < 2**31 else np.int64)
    idx.flags.writeable = False
    return idx


def _equal_mass_edges(t: np.ndarray, k: int) -> np.ndarray:
    """Interior edges of k bins holding equal shares of the layer's pooled activations.

    Adaptive binning of Chelombiev et al. (2019), Sec. 3: quantiles of all values of the layer
    (across units and inputs), from a seeded sample of at most `EQUAL_MASS_SAMPLE` values.
    Repeated values (e.g. ReLU zeros) can merge edges, which leaves fewer, heavier bins.
    """
    flat = t.reshape(-1)
    if flat.size > EQUAL_MASS_SAMPLE:
        flat = flat[_equal_mass_sample(flat.size)]
    return np.unique(np.quantile(flat, np.linspace(0, 1, k + 1)[1:-1]).astype(np.float32))


EDGE_GRID = 16384  # uniform cells that locate a value among equal-mass edges (`_edge_binner`)
EDGE_SHARED = 4  # edges per cell compared directly; values in more crowded cells are searched


def _edge_binner(edges: np.ndarray, lo: float, hi: float):
    """``to_bins(blk, out)``: ``out = searchsorted(edges, blk, side="right")``, exactly, for
    values in [lo, hi], mostly without a binary search per value.

    A uniform grid of `EDGE_GRID` cells over [lo, hi] is indexed with float32 operations,
    which are monotone, so an edge in a lower cell than a value is <= it and an edge in a
    higher cell is > it; only the edges sharing the value's cell are compared. Values in a
    cell with more than `EDGE_SHARED` edges (strongly saturated layers, where equal-mass edges
    crowd near +-1) fall back to `np.searchsorted`. Measured here on a (10,000 x 4,704) tanh
    layer: about 7x faster than searching every value.
    """
    edges = np.asarray(edges, dtype=np.float32)
    lo32 = np.float32(lo)
    scale = np.float32(EDGE_GRID / (hi - lo)) if hi > lo else np.float32(0.0)

    def cells(v, out):
        np.subtract(v, lo32, out=out)
        out *= scale
        np.floor(out, out=out)
        np.clip(out, 0, EDGE_GRID - 1, out=out)
        return out

    edge_cells = cells(edges, np.empty_like(edges)).astype(np.intp)
    per_cell = np.bincount(edge_cells, minlength=EDGE_GRID)
    first = np.searchsorted(edge_cells, np.arange(EDGE_GRID), side="left")
    below = first.astype(np.float32)  # edges in lower cells
    m = min(int(per_cell.max()) if len(edges) else 0, EDGE_SHARED)
    shared = np.full((m, EDGE_GRID), np.inf, dtype=np.float32)  # the edges of each cell
    for j in range(m):
        has = per_cell > j
        shared[j, has] = edges[first[has] + j]
    crowded = per_cell > EDGE_SHARED

    def to_bins(blk, out):
        c = cells(blk, out).astype(np.intp)
        np.take(below, c, out=out)
        for j in range(m):
            out += blk >= np.take(shared[j], c)
        if crowded.any():
            mask = np.take(crowded, c)
            if mask.any():
                out[mask] = np.searchsorted(edges, blk[mask], side="right")
    return to_bins


def _binner(t: np.ndarray, bin_width: float | None, n_bins: int | None,
            equal_mass: int | None = None, value_range: tuple[float, float] | None = None):
    """Validate a binning rule and return ``(to_bins, max_abs_index, offset)``.

    ``to_bins(block, out)`` writes the bin index of every float32 value of `block` into the
    float32 array `out` as exact small integers; subtracting ``offset`` makes the smallest
    index 0 (only the width rule needs it; hashing leaves it out, a relabelling of bins).
    Rules (exactly one):
    bin_width : fixed width, ``floor(a / bin_width)``, no range limits (Li & Liu's 0.67;
        Saxe et al.'s ibsgd `binsize`). The shift by the minimum only relabels bins.
    n_bins : that many equal bins over the observed range [min t, max t] of the whole layer
        (Shwartz-Ziv & Tishby use 30; the observed range also suits unbounded ReLU units);
        the maximum falls in the last bin.
    equal_mass : that many bins holding equal shares of the layer's values (adaptive binning,
        Chelombiev et al. 2019); see `_equal_mass_edges`.
    value_range : (min, max) to use instead of a pass over `t`; only the fixed-width rule may
        be given an estimate (`binned_symbols` checks it afterwards).
    """
    if sum(v is not None for v in (bin_width, n_bins, equal_mass)) != 1:
        raise ValueError("binning: give exactly one of bin_width, n_bins or equal_mass")
    lo, hi = _value_range(t) if value_range is None else value_range
    if not (np.isfinite(lo) and np.isfinite(hi)):  # min/max propagate NaN and inf
        raise ValueError("t: activations contain NaN or inf")
    if bin_width is not None:
        if not np.isfinite(bin_width) or bin_width <= 0:
            raise ValueError(f"bin_width: got {bin_width!r}, allowed a positive number")
        inv = np.float32(1.0 / bin_width)
        offset = np.floor(np.float32(lo) * inv)

        def to_bins(blk, out):
            np.multiply(blk, inv, out=out)
            np.floor(out, out=out)
        return to_bins, int(max(abs(np.floor(np.float32(hi) * inv)), abs(offset))), float(offset)
    if equal_mass is not None:
        if int(equal_mass) != equal_mass or equal_mass < 1:
            raise ValueError(f"equal_mass: got {equal_mass!r}, allowed a positive integer")
        edges = _equal_mass_edges(t, int(equal_mass))
        return _edge_binner(edges, lo, hi), len(edges), 0.0
    if int(n_bins) != n_bins or n_bins < 1:
        raise ValueError(f"n_bins: got {n_bins!r}, allowed a positive integer")
    scale = np.float32(n_bins / (hi - lo)) if hi > lo else np.float32(0.0)

    def to_bins(blk, out):
        np.subtract(blk, np.float32(lo), out=out)
        out *= scale
        np.floor(out, out=out)
        np.minimum(out, n_bins - 1, out=out)
    return to_bins, int(n_bins) - 1, 0.0


def bin_indices(t: np.ndarray, *, bin_width: float | None = None, n_bins: int | None = None,
                equal_mass: int | None = None):
    """Discretise activations unit by unit; a non-negative int64 array of t's shape.

    See `_binner` for the three rules; `binning_mi` uses the same rule without materialising
    this array.
    """
    t = np.asarray(t, dtype=np.float32)
    to_bins, _, offset = _binner(t, bin_width, n_bins, equal_mass)
    out = np.empty_like(t)
    to_bins(t, out)
    out -= offset
    return out.astype(np.int64)


HASH_BLOCK = 64  # rows per block: the scratch stays in cache (16-64 measured, 64 fastest)


def _hash_threads() -> int:
    """Threads for row hashing: the BLAS limit when one is set (`--threads`), else the cores."""
    limit = os.environ.get("OPENBLAS_NUM_THREADS") or os.environ.get("OMP_NUM_THREADS")
    return max(1, min(4, int(limit) if limit and limit.isdigit() else os.cpu_count() or 1))


def _over_rows(n: int, work) -> list:
    """``work(lo, hi)`` over contiguous row ranges, one per `_hash_threads()` thread (numpy
    releases the GIL in its loops); small arrays run in the calling thread. Results in order."""
    threads = _hash_threads()
    if threads == 1 or n < 64 * HASH_BLOCK:
        return [work(0, n)]
    bounds = np.linspace(0, n, threads + 1).astype(int)
    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(work, bounds[:-1], bounds[1:]))


def _value_range(t: np.ndarray) -> tuple[float, float]:
    """(min, max) of a 2-D array in one blocked pass (each block's max is read from cache);
    NaN propagates to both."""
    if not t.size:
        return 0.0, 0.0

    def work(lo: int, hi: int):
        mins, maxs = [], []
        for i in range(lo, hi, HASH_BLOCK):
            blk = t[i:i + HASH_BLOCK]
            mins.append(blk.min())
            maxs.append(blk.max())
        return np.min(mins), np.max(maxs)  # np.min/np.max keep a NaN; Python's min() may not
    parts = np.array(_over_rows(len(t), work), dtype=np.float64)
    return float(np.min(parts[:, 0])), float(np.max(parts[:, 1]))


def _hash_keys(d: int, max_value: int) -> np.ndarray:
    """Two columns of random integer keys, small enough that every row's dot product with them
    is exact.

    With |bin index| <= max_value and D units, sum_j b_j k_j with keys below 2**bits stays
    below 2**(log2(D + 1) + log2(max_value + 1) + bits). Float32 (exact below 2**24) is used
    when that leaves at least 4 key bits; otherwise float64 (exact below 2**53) with keys of
    up to 40 bits. Two columns keep the product a matrix-vector kernel (three or more columns
    take a ~5x slower GEMM path here). Returns a (D, 2) array whose dtype is the GEMM's.
    """
    used = int(np.ceil(np.log2(max(max_value, 1) + 1))) + int(np.ceil(np.log2(d + 1)))
    rng = np.random.default_rng(0x1B)  # fixed: the same rows always get the same hashes
    if 24 - used >= 4:
        return rng.integers(0, 2 ** (24 - used), size=(d, 2)).astype(np.float32)
    bits = 52 - used
    if bits < 20:
        raise ValueError(f"binning: {d} units with bin indices up to {max_value} leave only "
                         f"{bits} hash bits; use fewer bins")
    return rng.integers(0, 2 ** min(bits, 40), size=(d, 2)).astype(np.float64)


def _hash_rows(t: np.ndarray, to_bins, max_value: int, track: list | None = None) -> np.ndarray:
    """(N,) or (N, 2) exact integer hashes (int64) of the binned rows of `t`, reading `t` once.

    Each hash column is sum_j bin_ij * key_j with integer keys small enough that every partial
    sum is an exactly representable integer (`_hash_keys`): the product is exact whatever
    order it adds in, so equal rows always get equal hashes. Different rows may collide;
    `_split_collisions` separates them exactly. A block of rows is binned in the cache and
    multiplied directly; row ranges are split over threads. Float32 hashes (the common case)
    are packed into one int64 per row. Given a list as `track`, the largest sum of squared
    bin indices of any row (from the binned blocks, in cache; NaN if a value was NaN or
    infinite) is appended to it, so a caller that chose `max_value` from an estimate can check
    it: by Cauchy-Schwarz, sum_j |b_j| <= sqrt(D * sum_j b_j**2), so every hash is exact
    when that is at most D * max_value.
    """
    n, d = t.shape
    keys = _hash_keys(d, max_value)
    out = np.empty((n, keys.shape[1]), dtype=keys.dtype)

    def work(lo: int, hi: int):
        bins = np.empty((HASH_BLOCK, d), dtype=np.float32)
        wide = bins if keys.dtype == np.float32 else np.empty((HASH_BLOCK, d), np.float64)
        seen = np.float32(0.0)
        for i in range(lo, hi, HASH_BLOCK):
            m = min(HASH_BLOCK, hi - i)
            to_bins(t[i:i + m], bins[:m])
            if track is not None:  # one read of the block; np.maximum keeps a NaN
                seen = np.maximum(seen, np.vecdot(bins[:m], bins[:m]).max())
            if wide is not bins:
                wide[:m] = bins[:m]
            np.matmul(wide[:m], keys, out=out[i:i + m])
        return seen

    seen = np.array(_over_rows(n, work), dtype=np.float64)
    if track is not None:
        track.append(float(np.max(seen)))
    if keys.dtype == np.float64:
        return out.astype(np.int64)
    with np.errstate(invalid="ignore"):  # a NaN hash is reported by the caller's check
        ints = out.astype(np.int64) + 2 ** 24  # two 25-bit non-negative hashes -> one int64
    return (ints[:, 0] << 25) | ints[:, 1]


def _rank_rows(rows: np.ndarray) -> np.ndarray:
    """Dense ids 0..K-1 of the distinct values (1-D) or distinct rows (2-D) of an array."""
    if rows.ndim == 1:
        return np.unique(rows, return_inverse=True)[1].reshape(-1)
    _, symbols = np.unique(rows, axis=0, return_inverse=True)
    return symbols.reshape(-1)


def _split_collisions(t: np.ndarray, to_bins, ids: np.ndarray) -> np.ndarray:
    """Make hash ids exact: rows that share an id but differ after binning get new ids.

    Every row in a group of two or more is binned again and compared with its group's first
    row; the groups where some row differs (hash collisions, rare) are re-partitioned by
    comparing whole binned rows. Rows alone in their group need nothing, so a saturated layer
    costs almost nothing here; a layer of few patterns costs about one more pass. Returns
    dense ids 0..K-1.
    """
    counts = np.bincount(ids)
    shared = np.flatnonzero(counts[ids] > 1)
    if not shared.size:
        return ids
    first = np.full(len(counts), -1)
    first[ids[shared[::-1]]] = shared[::-1]  # the first row of each group
    d = t.shape[1]
    a, b = np.empty((HASH_BLOCK, d), np.float32), np.empty((HASH_BLOCK, d), np.float32)
    differ = []
    for i in range(0, len(shared), HASH_BLOCK):
        rows = shared[i:i + HASH_BLOCK]
        m = len(rows)
        to_bins(t[rows], a[:m])
        to_bins(t[first[ids[rows]]], b[:m])
        differ.append(rows[~(a[:m] == b[:m]).all(axis=1)])
    differ = np.concatenate(differ)
    if not differ.size:
        return ids
    members = np.flatnonzero(np.isin(ids, ids[differ]))
    exact = np.empty((len(members), d), np.float32)
    to_bins(t[members], exact)
    pairs = np.concatenate([ids[members, None].astype(np.float64), exact], axis=1)
    ids = ids.copy()
    ids[members] = len(counts) + _rank_rows(pairs)
    return _rank_rows(ids)


def _hash_keys32(d: int) -> np.ndarray:
    """Two rows of random 32-bit keys for the compiled hash (wrapping arithmetic: any keys
    give equal hashes to equal rows; random odd keys make unequal rows collide rarely)."""
    rng = np.random.default_rng(0x1B)
    return (rng.integers(0, 2 ** 31, size=(2, d)) * 2 + 1).astype(np.uint32).view(np.int32)


def _compiled_hashes(t: np.ndarray, bin_width, n_bins, equal_mass):
    """Row hashes from the one-pass C++ kernel (`ibutils.kernels.binhash`) and the rule's
    numpy `to_bins` for verifying them, or None where that kernel is unavailable, the rule
    is equal-mass binning, or some value is not finite or bins beyond 1e9 (the numpy path
    then reports or handles it). The kernel bins with the same float32 operations as
    `to_bins`."""
    if equal_mass is not None or len(t) < 1000 or t.shape[1] < 1:
        return None
    from .kernels import binhash  # torch, loaded only when binned MI is computed
    ext = binhash()
    if ext is None:
        return None
    import torch
    if bin_width is not None and n_bins is None:
        to_bins, _, _ = _binner(t, bin_width, None, value_range=(0.0, 0.0))  # validates
        args = (0, float(np.float32(1.0 / bin_width)), 0.0, 0)
    else:
        lo, hi = _value_range(t)  # the one extra pass this rule needs
        to_bins, _, _ = _binner(t, bin_width, n_bins, value_range=(lo, hi))  # validates
        scale = np.float32(n_bins / (hi - lo)) if hi > lo else np.float32(0.0)
        args = (1, float(np.float32(lo)), float(scale), int(n_bins) - 1)
    keys = torch.from_numpy(_hash_keys32(t.shape[1]))

    def work(lo: int, hi: int):
        return ext.bin_hash(torch.from_numpy(t[lo:hi]), *args, keys)
    parts = _over_rows(len(t), work)
    if sum(bad for _, bad in parts):  # NaN or inf (reported by the numpy path), or huge bins
        return None
    return np.concatenate([h.numpy() for h, _ in parts]), to_bins


def binned_symbols(t: np.ndarray, *, bin_width: float | None = None,
                   n_bins: int | None = None, equal_mass: int | None = None) -> np.ndarray:
    """Bin every unit and map each row to one symbol id, in one blocked pass over `t`.

    Same partition of rows as binning with `bin_indices` and comparing whole rows (tested),
    without materialising the (N, D) integer array; no per-sample Python loop.
    """
    t = np.ascontiguousarray(np.asarray(t, dtype=np.float32).reshape(len(t), -1))
    compiled = _compiled_hashes(t, bin_width, n_bins, equal_mass)
    if compiled is not None:
        hashes, to_bins = compiled
    elif bin_width is None or n_bins is not None or equal_mass is not None or len(t) < 1000:
        to_bins, max_value, _ = _binner(t, bin_width, n_bins, equal_mass)
        hashes = _hash_rows(t, to_bins, max_value)
    else:
        # Fixed width needs the range only to size the hash keys: estimate it from every 64th
        # row, allow twice that, and check the rows actually binned during the hashing pass
        # (this saves a pass over `t`); redo it the exact way in the rare case the estimate
        # was too small. The 0.99 leaves room for float32 rounding of the squared sums.
        sample = t[::64]
        guess = (float(sample.min()), float(sample.max()))
        to_bins, max_value, _ = _binner(t, bin_width, None, value_range=guess)
        allowed = 2 * max_value + 1
        seen: list = []
        hashes = _hash_rows(t, to_bins, allowed, track=seen)
        if not np.isfinite(seen[0]):
            raise ValueError("t: activations contain NaN or inf")
        if seen[0] > 0.99 * t.shape[1] * allowed ** 2:
            to_bins, max_value, _ = _binner(t, bin_width, None)
            hashes = _hash_rows(t, to_bins, max_value)
    ids = _rank_rows(hashes)
    return _split_collisions(t, to_bins, ids)


def _small_ids(a: np.ndarray) -> np.ndarray:
    """`a` itself when it already holds non-negative integers below 2 * len(a) (the dense ids
    of `binned_symbols`, class labels), else dense ids 0..K-1 of its distinct values."""
    if a.size and np.issubdtype(a.dtype, np.integer) and a.min() >= 0 and a.max() < 2 * a.size:
        return a
    return _rank_rows(a)


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
        x_ids = _rank_rows(np.asarray(x_ids).reshape(-1))
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
        (adaptive) bins; exactly one (see `_binner`).
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
    return _entropy_from_eigenvalues(np.linalg.eigvalsh(a), alpha)


def _joint(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Normalised Hadamard product: the Gram matrix of the joint variable."""
    h = a * b
    return h / np.trace(h)


def _entropy_from_eigenvalues(lam: np.ndarray, alpha: float) -> float:
    lam = np.clip(lam, 0.0, None)
    lam = lam / lam.sum()
    return float(np.log2(np.sum(lam[lam > 0] ** alpha)) / (1.0 - alpha))


def label_renyi_entropy(y: np.ndarray, alpha: float) -> float:
    """S_alpha(A_Y) of the labels' Gram matrix A_Y = [y_i == y_j] / N, in closed form.

    A_Y is, after sorting by class, block diagonal with blocks of ones (n_c x n_c) / N,
    whose one nonzero eigenvalue is n_c / N: S_alpha(A_Y) is the Renyi entropy of the class
    frequencies. Equals `matrix_renyi_entropy(A_Y)` up to rounding, without an eigensolver.
    """
    _, counts = np.unique(np.asarray(y), return_counts=True)
    return _entropy_from_eigenvalues(counts / counts.sum(), alpha)


def joint_label_renyi_entropy(a: np.ndarray, y: np.ndarray, alpha: float) -> float:
    """S_alpha of the joint Gram matrix A o A_Y / tr(A o A_Y) of a variable and the labels.

    With the labels' linear one-hot kernel, A o A_Y keeps A's entries within a class and is 0
    across classes, so it is block diagonal (after sorting by class) and its eigenvalues are
    those of the per-class blocks of A: one small eigensolve per class instead of one of
    size N (about N^3 / sum n_c^3 times less work; 100x for 10 balanced classes). Equals
    `matrix_renyi_entropy(_joint(a, A_Y))` up to rounding.
    """
    y = np.asarray(y)
    lam = np.concatenate([np.linalg.eigvalsh(a[np.ix_(y == c, y == c)]) for c in np.unique(y)])
    return _entropy_from_eigenvalues(lam, alpha)


_INPUT_MEMO: dict = {}  # the last inputs' (kernel width, Gram matrix, entropy): see _input_side


def _input_side(x: np.ndarray, sigma: float | None, alpha: float):
    """(sigma_x, A_X, S_alpha(A_X)) of one subsample of inputs, remembered for the next call.

    The recorder estimates every layer of a snapshot against the same inputs, so the input
    side of `renyi_mi` (pairwise distances, kernel width, Gram matrix, one N x N
    eigensolve) is the same for all of them; it is keyed by the inputs' bytes, so a result
    never depends on what was computed before.
    """
    x = np.ascontiguousarray(x)
    key = (hashlib.sha1(x.view(np.uint8)).hexdigest(), x.shape, x.dtype.str, sigma, alpha)
    hit = _INPUT_MEMO.get(key)
    if hit is None:
        d_x = pairwise_sq_dists(x)
        s_x = sigma if sigma is not None else kernel_width(d_x, x.shape[1])
        a_x = gram(d_x, s_x)
        a_x.flags.writeable = False  # shared by the layers of a snapshot: never edited in place
        hit = (s_x, a_x, matrix_renyi_entropy(a_x, alpha))
        _INPUT_MEMO.clear()  # one entry: a snapshot's layers share it, the next snapshot not
        _INPUT_MEMO[key] = hit
    return hit


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
    d_t = pairwise_sq_dists(t)
    s_t = sigma if sigma is not None else kernel_width(d_t, t.shape[1])
    a_t = gram(d_t, s_t)
    s_x, a_x, h_x = _input_side(x, sigma, alpha)
    h_t = matrix_renyi_entropy(a_t, alpha)
    i_xt = h_x + h_t - matrix_renyi_entropy(_joint(a_x, a_t), alpha)
    # the label side in closed form and by class blocks (exact, see the two functions)
    i_ty = h_t + label_renyi_entropy(y, alpha) - joint_label_renyi_entropy(a_t, y, alpha)
    return RenyiResult(i_xt, i_ty, h_t, float(s_t), float(s_x), len(t))


def renyi_mi_by_definition(t, x, y, *, alpha: float = 1.01,
                           sigma: float | None = None) -> tuple[float, float]:
    """(I(X;T), I(T;Y)) of `renyi_mi` straight from its definition, on all rows: five full
    N x N eigensolves, S(A_X), S(A_T), S(A_X o A_T), S(A_Y) and S(A_T o A_Y) (Yu & Principe
    2019, Eq. 7). The slow reference that the tests and `benchmarks/bench_renyi.py` hold
    `renyi_mi` to; it shares none of `renyi_mi`'s shortcuts (closed-form labels, class
    blocks, the input memo)."""
    def gram_of(v):
        d = pairwise_sq_dists(v)
        return gram(d, sigma if sigma is not None else kernel_width(d, v.shape[1]))

    t, y = np.asarray(t), np.asarray(y)
    x = np.asarray(x).reshape(len(x), -1)
    a_t, a_x = gram_of(t), gram_of(x)
    a_y = (y[:, None] == y[None, :]).astype(np.float64) / len(y)
    h_t = matrix_renyi_entropy(a_t, alpha)
    return (matrix_renyi_entropy(a_x, alpha) + h_t - matrix_renyi_entropy(_joint(a_x, a_t), alpha),
            h_t + matrix_renyi_entropy(a_y, alpha) - matrix_renyi_entropy(_joint(a_t, a_y), alpha))


# One registry of the estimators the recorder can apply, each called as fn(t, x, y, **params)
# (t activations, x inputs, y labels): `ibutils.config` validates estimator kinds against it.
ESTIMATORS = {
    "binning": lambda t, x, y, **kw: binning_mi(t, y, **kw),
    "kde": lambda t, x, y, **kw: kde_mi(t, y, **kw),
    "renyi": renyi_mi,
}
