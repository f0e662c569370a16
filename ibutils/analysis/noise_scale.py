"""How the information of a noisy layer depends on the noise, for fixed representations.

In a noisy network T = S(X) + Z with Z ~ N(0, beta^2 I), and with X uniform over N inputs
I(X;T) lies between 0 and log2 N. It sits at log2 N when the N Gaussians around the
representations S(x) barely overlap, that is when beta is small against the distance from
each S(x) to its nearest neighbour; it falls only when beta reaches that scale (Goldfeld et
al. 2019: compression is the clustering of the S(x) at the scale of the noise). These
functions measure that scale on a layer's representations and sweep beta across it.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ..mi.noisy import noisy_mi


def nearest_neighbour_distances(t: np.ndarray) -> np.ndarray:
    """Euclidean distance from every row of `t` (N, D) to its nearest other row, shape (N,)."""
    t = np.asarray(t, dtype=np.float64)
    if t.ndim != 2 or len(t) < 2:
        raise ValueError(f"t: got shape {t.shape}, allowed (N, D) with N >= 2")
    sq = np.einsum("ij,ij->i", t, t)
    d2 = sq[:, None] + sq[None, :] - 2.0 * (t @ t.T)
    np.fill_diagonal(d2, np.inf)
    return np.sqrt(np.maximum(d2.min(axis=1), 0.0))


def noise_sweep(acts: Mapping[str, np.ndarray], y, noise_stds: Sequence[float], *,
                mc_samples: int = 500, seed: int = 0) -> list[dict]:
    """`ibutils.mi.noisy_mi` of every layer in `acts` ({name: (N, D) representations S(x)})
    at every noise level in `noise_stds`, with the median nearest-neighbour distance of the
    layer's rows. One row per (layer, noise_std): ``layer``, ``noise_std``, ``i_xt``,
    ``i_xt_se``, ``i_ty``, ``i_ty_se`` (bits), ``ceiling`` (log2 N), ``nn_distance``
    and ``nn_over_noise`` (that distance in units of the noise's standard deviation)."""
    if not noise_stds or any(not s > 0 for s in noise_stds):
        raise ValueError(f"noise_stds: got {list(noise_stds)!r}, allowed positive numbers")
    rows = []
    for layer, t in acts.items():
        t = np.asarray(t)
        nn = float(np.median(nearest_neighbour_distances(t)))
        for beta in noise_stds:
            r = noisy_mi(t, y, noise_std=float(beta), mc_samples=mc_samples, seed=seed)
            rows.append({"layer": layer, "noise_std": float(beta), **r.as_dict(),
                         "ceiling": float(np.log2(len(t))), "nn_distance": nn,
                         "nn_over_noise": nn / float(beta)})
    return rows
