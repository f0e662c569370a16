"""Mutual information of a noisy layer, T = S(X) + Z with Z ~ N(0, noise_std^2 I), by paired
Monte Carlo: the sample-propagation estimator of Goldfeld et al. (2019, "Estimating
information flow in deep neural networks", ICML, Sec. 3). Every value is in bits.

In a noisy network (Gaussian noise added to every hidden layer's output, in training and in
measurement) I(X;T) is finite and a property of the model, not of an estimator's bins: T given
the input is a Gaussian around the layer's noise-free output S(x), and T is a mixture of N
such Gaussians, one per input. Its entropy has no closed form; Goldfeld et al. estimate it by
drawing from the mixture and averaging the log of the mixture density. Pairing each draw with
its own component makes the noise's own entropy cancel draw by draw:

    I(X;T) = E[ log p(u | x_i) - log p(u) ],   u = s_i + z,  i uniform, z ~ N(0, noise_std^2 I)
    I(T;Y) = E[ log p(u | y_i) - log p(u) ]    (the same draws; Y is a function of X)

with p(u) = mean_j phi(u - s_j) and p(u | y) the mean over the rows of class y. This equals
I(X;T) - sum_y p(y) I(X;T | Y = y) draw by draw. The standard errors are those of a mean of
independent draws.

Several centres per input, ``t`` of shape (N, K, D), make T given X a mixture of K Gaussians
(the layer's output varies with the noise of earlier layers; Goldfeld et al. sample it the
same way), and p(u | x_i) the mean over those K. With one centre per input (K = 1) the
earlier layers' noise is held at one draw, and for a layer after another noisy layer the
estimate is h(T) - h(Z), an upper estimate of I(X;T).

Cost: one (M x D) by (D x N K) product in float64 per call (M = `mc_samples`), about
2 M N K D flops; at M = N = 1,000, K = 1 and D = 9,408 (a 12-filter 28 x 28 conv layer) about
2e10 flops, 1-2 s on one core here (`benchmarks/bench_mi.py`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .pairwise import subsample

LN2 = np.log(2.0)
_CHUNK = 256  # Monte-Carlo draws per distance block (a block is _CHUNK x N K float64)


@dataclass(frozen=True)
class NoisyMIResult:
    """I(X;T) and I(T;Y) of T = S(X) + N(0, noise_std^2 I), bits, with Monte-Carlo errors."""

    i_xt: float
    i_ty: float
    i_xt_se: float
    i_ty_se: float
    n: int
    mc_samples: int

    def as_dict(self) -> dict:
        return {"i_xt": self.i_xt, "i_ty": self.i_ty, "i_xt_se": self.i_xt_se,
                "i_ty_se": self.i_ty_se}


def _logmeanexp(a: np.ndarray, axis: int) -> np.ndarray:
    m = a.max(axis=axis, keepdims=True)
    return np.squeeze(m, axis) + np.log(np.mean(np.exp(a - m), axis=axis))


def noisy_mi(t, y, *, noise_std: float, mc_samples: int = 1000, seed: int = 0,
             n_samples: int | None = None) -> NoisyMIResult:
    """I(X;T) and I(T;Y), in bits, for X uniform over the N rows of `t` and T = t_X + Z.

    Parameters
    ----------
    t : (N, D) or (N, K, D) array
        The layer's noise-free output per input (K centres per input: T given X is the
        mixture of their Gaussians).
    y : (N,) integer labels.
    noise_std : float
        Standard deviation of the Gaussian noise on every unit (Goldfeld et al.'s beta).
    mc_samples : int
        Monte-Carlo draws (row, centre, noise vector); the standard errors shrink as
        1 / sqrt(mc_samples).
    seed : int
        Seeds the draws (and the row subsample).
    n_samples : int or None
        Seeded subsample of the rows (`ibutils.mi.subsample`); None uses all N.

    Returns
    -------
    NoisyMIResult
        ``i_xt``, ``i_ty`` and their standard errors ``i_xt_se``, ``i_ty_se`` (bits).
    """
    if not noise_std > 0:
        raise ValueError(f"noise_std: got {noise_std!r}, allowed a positive number")
    if int(mc_samples) != mc_samples or mc_samples < 2:
        raise ValueError(f"mc_samples: got {mc_samples!r}, allowed an integer >= 2")
    t = np.asarray(t, dtype=np.float64)
    if t.ndim == 2:
        t = t[:, None, :]
    if t.ndim != 3:
        raise ValueError(f"t: got shape {t.shape}, allowed (N, D) or (N, K, D)")
    y = np.asarray(y)
    if len(y) != len(t):
        raise ValueError(f"y: got {len(y)} labels for {len(t)} rows of t; allowed equal counts")
    if n_samples is not None and n_samples < len(t):
        rows = subsample(len(t), n_samples, seed)
        t, y = t[rows], y[rows]
    n, k, d = t.shape
    centres = t.reshape(n * k, d)
    c_sq = np.einsum("ij,ij->i", centres, centres)
    owner = np.repeat(np.arange(n), k)  # the input of each centre
    classes, y_idx = np.unique(y, return_inverse=True)
    rng = np.random.default_rng(seed)
    i_draw = rng.integers(n, size=mc_samples)
    k_draw = rng.integers(k, size=mc_samples)
    a, b = np.empty(mc_samples), np.empty(mc_samples)
    for lo in range(0, mc_samples, _CHUNK):
        idx = slice(lo, min(lo + _CHUNK, mc_samples))
        rows = i_draw[idx]
        u = t[rows, k_draw[idx]] + noise_std * rng.standard_normal((len(rows), d))
        sq = np.einsum("ij,ij->i", u, u)[:, None] + c_sq[None, :] - 2.0 * (u @ centres.T)
        logk = -np.maximum(sq, 0.0) / (2.0 * noise_std**2)  # (m, N K) log-kernel up to a constant
        log_p = _logmeanexp(logk, axis=1)
        own = logk.reshape(len(rows), n, k)[np.arange(len(rows)), rows]
        a[idx] = _logmeanexp(own, axis=1) - log_p
        by_class = np.stack([_logmeanexp(logk[:, y_idx[owner] == c], axis=1)
                             for c in range(len(classes))], axis=1)
        b[idx] = by_class[np.arange(len(rows)), y_idx[rows]] - log_p
    root = np.sqrt(mc_samples)
    return NoisyMIResult(
        i_xt=float(a.mean() / LN2), i_ty=float(b.mean() / LN2),
        i_xt_se=float(a.std(ddof=1) / root / LN2), i_ty_se=float(b.std(ddof=1) / root / LN2),
        n=n, mc_samples=int(mc_samples))
