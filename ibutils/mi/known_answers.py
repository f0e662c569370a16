"""Cases with a known mutual information, for validating the estimators (all in bits).

Each case returns the arrays an estimator takes and the true value it should approach. They
back the tests and the book's "Which estimator can we trust?" chapter.
"""
from __future__ import annotations

import numpy as np

from .binning import binning_mi
from .kde import kde_mi
from .renyi import renyi_mi


def balanced_labels(n: int, classes: int = 10) -> np.ndarray:
    """Labels 0..classes-1 in equal shares (n a multiple of classes)."""
    return np.arange(n) % classes


def deterministic_tanh_layer(n: int, d: int, *, in_dim: int = 20, seed: int = 0):
    """A random tanh layer of a deterministic net on n distinct continuous inputs.

    True I(X;T) is infinite (T determines X up to measure zero, Goldfeld et al. 2019), so any
    finite estimate describes the estimator, not the network. Returns (x, t, y).
    """
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, in_dim))
    t = np.tanh(x @ rng.normal(scale=1.0 / np.sqrt(in_dim), size=(in_dim, d)) * 2.0)
    return x, t.astype(np.float32), balanced_labels(n)


def uniform_symbols(n: int, k: int, *, seed: int = 0):
    """T uniform on k well-separated symbols (one unit): true H(T) = I(X;T) = log2 k."""
    rng = np.random.default_rng(seed)
    t = rng.integers(0, k, size=n).astype(np.float32)[:, None] * 10.0 + 5.0
    return t, balanced_labels(n), float(np.log2(k))


def gaussian_channel_truth_1d(centers, noise_var: float) -> float:
    """I(X;T') for T' = c_X + N(0, noise_var), X uniform on the centers, by quadrature."""
    centers = np.asarray(centers, dtype=float)
    sd = np.sqrt(noise_var)
    grid = np.linspace(centers.min() - 12 * sd, centers.max() + 12 * sd, 200_001)
    dens = np.exp(-(grid[:, None] - centers[None]) ** 2 / (2 * noise_var)).mean(1)
    dens /= np.sqrt(2 * np.pi * noise_var)
    h_mix = -np.trapezoid(dens * np.log(np.where(dens > 0, dens, 1.0)), grid)
    return float((h_mix - 0.5 * np.log(2 * np.pi * np.e * noise_var)) / np.log(2))


def sweep_binning_saturation(ns, dims, *, bin_width: float = 0.67, seed: int = 0) -> list[dict]:
    """Binned I(X;T) of a deterministic tanh layer against N and layer width D."""
    rows = []
    for d in dims:
        for n in ns:
            x, t, y = deterministic_tanh_layer(n, d, seed=seed)
            r = binning_mi(t, y, bin_width=bin_width)
            rows.append({"n": n, "d": d, "i_xt": r.i_xt, "log2_n": float(np.log2(n)),
                         "saturated": r.saturated})
    return rows


def sweep_plugin_bias(ns, k: int = 256, *, seed: int = 0) -> list[dict]:
    """Plug-in (binned) H(T) of k equiprobable symbols against N: bias = estimate - log2 k."""
    rows = []
    for n in ns:
        t, y, truth = uniform_symbols(n, k, seed=seed)
        r = binning_mi(t, y, bin_width=1.0)
        rows.append({"n": n, "estimate": r.i_xt, "truth": truth, "bias": r.i_xt - truth})
    return rows


def sweep_kde_channel(spacings, *, n_centers: int = 8, noise_var: float = 0.1) -> list[dict]:
    """KDE bounds against the exact I(X;T') of a 1-D Gaussian channel, by center spacing."""
    rows = []
    for s in spacings:
        centers = np.arange(n_centers) * s
        r = kde_mi(centers[:, None], np.arange(n_centers) % 2, noise_var=noise_var)
        rows.append({"spacing": s, "truth": gaussian_channel_truth_1d(centers, noise_var),
                     "lower": r.i_xt_lower, "upper": r.i_xt_upper})
    return rows


def sweep_kde_dimension(dims, *, n: int = 500, noise_var: float = 0.1, seed: int = 0):
    """KDE I(X;T') bounds of a deterministic tanh layer against its width D."""
    rows = []
    for d in dims:
        _, t, y = deterministic_tanh_layer(n, d, seed=seed)
        r = kde_mi(t, y, noise_var=noise_var)
        rows.append({"d": d, "lower": r.i_xt_lower, "upper": r.i_xt_upper,
                     "log2_n": float(np.log2(n))})
    return rows


def sweep_renyi(ns, dims, *, seed: int = 0) -> list[dict]:
    """Matrix-based Renyi I(X;T) and I(T;Y) of a deterministic tanh layer (default widths)."""
    rows = []
    for d in dims:
        for n in ns:
            x, t, y = deterministic_tanh_layer(n, d, seed=seed)
            r = renyi_mi(t, x, y)
            rows.append({"n": n, "d": d, "i_xt": r.i_xt, "i_ty": r.i_ty,
                         "log2_n": float(np.log2(n))})
    return rows


def gaussian_pair_mi(separation: float, *, points: int = 200_001) -> float:
    """I(X;T) in bits for X uniform on two points `separation` noise standard deviations apart
    on a line and T = X + N(0, 1): the entropy of the two-Gaussian mixture minus that of one
    Gaussian, by numerical integration (trapezoid rule over +-12 standard deviations beyond
    the points; exact to about 1e-9 bits). The known answer for `ibutils.mi.noisy_mi`."""
    if not separation >= 0:
        raise ValueError(f"separation: got {separation!r}, allowed a number >= 0")
    half = separation / 2.0
    u = np.linspace(-half - 12.0, half + 12.0, points)
    phi = lambda v: np.exp(-0.5 * v**2) / np.sqrt(2 * np.pi)  # noqa: E731
    p = 0.5 * (phi(u - half) + phi(u + half))
    h_mix = -np.trapezoid(p * np.log(np.where(p > 0, p, 1.0)), u)
    h_one = 0.5 * np.log(2 * np.pi * np.e)
    return float((h_mix - h_one) / np.log(2.0))
