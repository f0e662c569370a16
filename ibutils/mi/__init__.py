"""Mutual-information estimators for the information plane. Every value is in bits.

One calling convention for all: ``t`` is an (N, D) array, one row per distinct input (a layer's
flattened output), ``x`` the (N, ...) inputs and ``y`` the (N,) integer labels; X is the
identity of each input, so for a deterministic network H(T|X) = 0 and I(X;T) = H(T).

One module per family, each citing its paper and equations:

- `binning`: fixed-width, fixed-count and equal-mass bins (Shwartz-Ziv & Tishby 2017; Saxe et
  al. 2018; Li & Liu 2021; Chelombiev et al. 2019), with its speed engine `_binning_engine`;
- `kde`: pairwise-distance bounds for a layer plus Gaussian noise (Kolchinsky & Tracey 2017);
- `renyi`: matrix-based Renyi alpha-entropy (Giraldo et al. 2014; Yu & Principe 2019);
- `noisy`: the information of a noisy network's layer by paired Monte Carlo (Goldfeld et al.
  2019), the one estimator here of a finite, well-posed I(X;T);
- `pairwise`: the subsample and distance helpers the pairwise estimators share;
- `known_answers`: constructed cases with a known answer, for the tests and the book.

Nothing here imports training code: estimators are pure functions of arrays.
"""
from ._binning_engine import binned_symbols
from .binning import (
                      SATURATION_TOL,
                      BinningResult,
                      bin_indices,
                      binning_alphabet_cap,
                      binning_mi,
                      discrete_mi,
                      entropy_from_counts,
                      label_entropy,
                      softmax_alphabet_cap,
)
from .kde import KDEResult, kde_mi
from .noisy import NoisyMIResult, noisy_mi
from .pairwise import pairwise_sq_dists, subsample
from .renyi import (
                      RenyiResult,
                      gram,
                      joint_label_renyi_entropy,
                      kernel_width,
                      label_renyi_entropy,
                      matrix_renyi_entropy,
                      renyi_mi,
                      renyi_mi_by_definition,
)

# One registry of the estimators the recorder can apply, each called as fn(t, x, y, **params)
# (t activations, x inputs, y labels); `ibutils.config.ESTIMATOR_KINDS` names them.
ESTIMATORS = {
    "binning": lambda t, x, y, **kw: binning_mi(t, y, **kw),
    "kde": lambda t, x, y, **kw: kde_mi(t, y, **kw),
    "renyi": renyi_mi,
    "noisy": lambda t, x, y, **kw: noisy_mi(t, y, **kw),
}

__all__ = [
    "ESTIMATORS", "SATURATION_TOL", "BinningResult", "KDEResult", "NoisyMIResult", "RenyiResult", "bin_indices",
    "binned_symbols", "binning_alphabet_cap", "binning_mi", "discrete_mi", "entropy_from_counts",
    "gram", "joint_label_renyi_entropy", "kde_mi", "kernel_width", "label_entropy",
    "label_renyi_entropy", "matrix_renyi_entropy", "noisy_mi", "pairwise_sq_dists", "renyi_mi",
    "renyi_mi_by_definition", "softmax_alphabet_cap", "subsample",
]
