"""KDE bounds on the information of a noisy layer (Kolchinsky & Tracey 2017), as used by Saxe et
al. (2018). Every value is in bits."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .pairwise import logmeanexp_rows, pairwise_sq_dists, subsample


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
    return float(-logmeanexp_rows(-sq_d / scale).mean())


def kde_mi(t, y, *, noise_var: float, n_samples: int | None = None, seed: int = 0) -> KDEResult:
    """Upper and lower bounds on I(X;T') and I(T';Y) for T' = T + Gaussian noise, in bits.

    T' given the input x_i is N(t_i, noise_var I), so T' is an equal-weight Gaussian mixture
    and ``I(X;T') = H(T') - H(T'|X)``. Kolchinsky & Tracey bound the mixture entropy with pairwise
    distances between components: with the KL divergence d^2/(2 s^2) an upper bound, with the
    Bhattacharyya distance d^2/(8 s^2) a lower bound (their Eqs. 10 and 14 via Theorem 2)::

        I(X;T') <= -1/N sum_i log 1/N sum_j exp(-|t_i - t_j|^2 / (2 noise_var))
        I(X;T') >= -1/N sum_i log 1/N sum_j exp(-|t_i - t_j|^2 / (8 noise_var))

    ``I(T';Y) = H(T') - sum_y p(y) H(T'|Y=y)`` is computed with the same estimator for every entropy
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
