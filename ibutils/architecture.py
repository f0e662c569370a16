"""The networks of the study, described: one typed, frozen `NetConfig` per network, and the
paper's variants by factor. Descriptions only (no torch): `ibutils.models.build_cnn` builds
them.

Li & Liu (2021) train small `Sequential` Keras CNNs (their released code, see PAPER.md):
a stack of stride-1 convolutions, the first 'same' and every later one 'valid', an
activation after each; an optional 2x2 max-pool; Flatten; optional Dense layers; and a
Dense(10) softmax output. Weights are Glorot-uniform and biases zero.
"""
from __future__ import annotations

from dataclasses import dataclass

ACTIVATIONS = ("tanh", "relu")
INPUT_SHAPE = (1, 28, 28)  # (C, H, W) of MNIST and Fashion-MNIST
N_CLASSES = 10


@dataclass(frozen=True)
class NetConfig:
    """A network of the study.

    Parameters
    ----------
    filters : tuple of int
        Filters of each conv layer, in order.
    kernels : tuple of int
        Square kernel size of each conv layer (same length as `filters`).
    pool_after : int or None
        Insert one 2x2 max-pool ('same' padding) after this conv layer (1-based), or None.
    dense : tuple of int
        Widths of the hidden Dense layers between Flatten and the softmax output.
    activation : {"tanh", "relu"}
        Activation after every conv and hidden Dense layer.
    noise_std : float
        Standard deviation of Gaussian noise added to every hidden layer's output, in training
        and in measurement (a noisy network, Goldfeld et al. 2019: its I(X;T) is finite);
        0 for the paper's deterministic networks.
    """

    filters: tuple[int, ...]
    kernels: tuple[int, ...]
    pool_after: int | None = None
    dense: tuple[int, ...] = ()
    activation: str = "tanh"
    noise_std: float = 0.0

    def __post_init__(self):
        object.__setattr__(self, "filters", tuple(int(f) for f in self.filters))
        object.__setattr__(self, "kernels", tuple(int(k) for k in self.kernels))
        object.__setattr__(self, "dense", tuple(int(d) for d in self.dense))
        object.__setattr__(self, "noise_std", float(self.noise_std))
        _validate(self)

    @property
    def layer_names(self) -> tuple[str, ...]:
        """Names of the measured layers, input to output: conv1.., dense1.., softmax."""
        convs = tuple(f"conv{i + 1}" for i in range(len(self.filters)))
        dense = tuple(f"dense{i + 1}" for i in range(len(self.dense)))
        return convs + dense + ("softmax",)

    def layer_shapes(self) -> dict[str, tuple[int, ...]]:
        """Output shape of every measured layer for one image, e.g. {'conv1': (6, 28, 28)}."""
        shapes, side = {}, INPUT_SHAPE[1]
        for i, (f, k) in enumerate(zip(self.filters, self.kernels)):
            side = side if i == 0 else side - k + 1
            shapes[f"conv{i + 1}"] = (f, side, side)
            if self.pool_after == i + 1:
                side = -(-side // 2)  # 'same' pooling rounds up
        for i, d in enumerate(self.dense):
            shapes[f"dense{i + 1}"] = (d,)
        shapes["softmax"] = (N_CLASSES,)
        return shapes

    def n_params(self) -> int:
        """Number of trainable parameters (weights and biases)."""
        total, in_ch = 0, INPUT_SHAPE[0]
        for f, k in zip(self.filters, self.kernels):
            total += f * in_ch * k * k + f
            in_ch = f
        last = self.layer_shapes()[f"conv{len(self.filters)}"]
        width = last[0] * last[1] * last[2]
        for d in self.dense + (N_CLASSES,):
            total += width * d + d
            width = d
        return total


def _validate(cfg: NetConfig) -> None:
    """Check a config before anything is built; errors name the field and allowed values."""
    if not cfg.filters:
        raise ValueError("filters: need at least one conv layer, got ()")
    if len(cfg.kernels) != len(cfg.filters):
        raise ValueError(
            f"kernels: need one kernel size per conv layer ({len(cfg.filters)}), got {cfg.kernels}"
        )
    if any(f < 1 for f in cfg.filters):
        raise ValueError(f"filters: every count must be a positive integer, got {cfg.filters}")
    if any(k < 1 for k in cfg.kernels):
        raise ValueError(f"kernels: every size must be a positive integer, got {cfg.kernels}")
    if any(d < 1 for d in cfg.dense):
        raise ValueError(f"dense: every width must be a positive integer, got {cfg.dense}")
    if cfg.activation not in ACTIVATIONS:
        raise ValueError(f"activation: got {cfg.activation!r}, allowed {ACTIVATIONS}")
    if not (cfg.noise_std >= 0 and cfg.noise_std < float("inf")):
        raise ValueError(f"noise_std: got {cfg.noise_std!r}, allowed a number >= 0 "
                         "(0: a deterministic network)")
    if cfg.pool_after is not None and not 1 <= cfg.pool_after <= len(cfg.filters):
        raise ValueError(
            f"pool_after: got {cfg.pool_after}, allowed None or 1..{len(cfg.filters)} "
            "(the conv layer after which to pool)"
        )
    side = INPUT_SHAPE[1]
    for i, k in enumerate(cfg.kernels):
        if i > 0 and k > side:
            raise ValueError(
                f"kernels: conv{i + 1} has kernel {k} but its input is only {side}x{side} "
                f"('valid' padding); allowed 1..{side}"
            )
        side = side if i == 0 else side - k + 1
        if cfg.pool_after == i + 1:
            side = -(-side // 2)


def conv_stack(n_layers: int, filters: int, kernel: int, **kwargs) -> NetConfig:
    """A stack of `n_layers` equal conv layers, the building block of every paper variant."""
    return NetConfig(filters=(filters,) * n_layers, kernels=(kernel,) * n_layers, **kwargs)


def paper_variants(activation: str = "tanh",
                   noise_std: float = 0.0) -> dict[str, dict[str, NetConfig]]:
    """Every network of Li & Liu (2021), by factor then variant name (see PAPER.md); with
    `noise_std` > 0 their noisy versions (Gaussian noise on every hidden layer).

    Returns
    -------
    dict
        ``{"width": {"w1": ..., "w3": ..., "w6": ..., "w12": ...}, "kernel": {...},
        "depth": {...}, "pooling": {...}, "fc": {...}}``.
    """
    a = {"activation": activation, "noise_std": noise_std}
    return {
        "width": {f"w{f}": conv_stack(6, f, 3, **a) for f in (1, 3, 6, 12)},
        "kernel": {
            **{f"2conv-k{k}": conv_stack(2, 3, k, **a) for k in (3, 7, 11)},
            **{f"5conv-k{k}": conv_stack(5, 3, k, **a) for k in (3, 5, 7)},
        },
        "depth": {f"d{n}": conv_stack(n, 6, 3, **a) for n in (1, 2, 6, 9)},
        "pooling": {
            "no-pool": conv_stack(3, 12, 3, **a),
            "pool": conv_stack(3, 12, 3, pool_after=2, **a),
        },
        "fc": {
            "fc": conv_stack(5, 3, 3, dense=(500, 1024, 500), **a),
            "no-fc": conv_stack(5, 3, 3, **a),
        },
    }


def get_variant(factor: str, variant: str, activation: str = "tanh",
                noise_std: float = 0.0) -> NetConfig:
    """Look up one paper variant by name, with an error listing the allowed names."""
    variants = paper_variants(activation, noise_std)
    if factor not in variants:
        raise ValueError(f"factor: got {factor!r}, allowed {tuple(variants)}")
    if variant not in variants[factor]:
        raise ValueError(
            f"variant: got {variant!r} for factor {factor!r}, allowed {tuple(variants[factor])}"
        )
    return variants[factor][variant]
