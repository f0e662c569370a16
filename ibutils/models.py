"""The paper's convolutional networks built in PyTorch from their description
(`ibutils.architecture.NetConfig`): one builder, `build_cnn`.

Nothing else in `ibutils` knows how layers are stacked: the trainer and recorder only see
the measured blocks that `build_cnn` exposes through `CNN.measured`.
"""
from __future__ import annotations

import torch
from torch import nn

from .architecture import INPUT_SHAPE, N_CLASSES, NetConfig


class Block(nn.Module):
    """One measured layer: a linear map followed by an activation (or none, for logits)."""

    def __init__(self, linear: nn.Module, activation: nn.Module | None):
        super().__init__()
        self.linear = linear
        self.act = activation if activation is not None else nn.Identity()

    def forward(self, x):
        return self.act(self.linear(x))


class GaussianNoise(nn.Module):
    """Adds N(0, std^2) noise to every unit (a noisy network's hidden layer, Goldfeld et al.
    2019), in training and in measurement alike. The draws come from `generator`, which
    `seed_noise` reseeds, so a run and each of its measurements are reproducible."""

    def __init__(self, std: float):
        super().__init__()
        self.std = float(std)
        self.generator = torch.Generator()

    def forward(self, x):
        noise = torch.randn(x.shape, generator=self.generator, dtype=torch.float32)  # on CPU
        return x + self.std * noise.to(x.device, x.dtype, memory_format=_format_of(x))


def _format_of(x: torch.Tensor):
    return (torch.channels_last if x.dim() == 4 and x.is_contiguous(
        memory_format=torch.channels_last) else torch.contiguous_format)


def seed_noise(model: nn.Module, seed: int) -> None:
    """Reseed the noise of every noisy layer of `model` (one shared stream, drawn in forward
    order); a no-op for a deterministic network."""
    g = None
    for module in model.modules():
        if isinstance(module, GaussianNoise):
            if g is None:
                g = torch.Generator().manual_seed(int(seed))
            module.generator = g


def is_noisy(model: nn.Module) -> bool:
    """Whether `model` adds noise to its hidden layers."""
    return any(isinstance(m, GaussianNoise) for m in model.modules())


class CNN(nn.Module):
    """A paper network. `forward` returns logits; the softmax output is `softmax(logits)`.

    `self.measured` maps each measured layer name to its `Block`, in order; the recorder hooks
    those blocks, and records `softmax` of the output block (logits keep the loss stable).
    A noisy network (``config.noise_std > 0``) has a `GaussianNoise` after every hidden block,
    so the hooks see a layer's noise-free output S(x) and the next layer its noisy T = S + Z.
    """

    def __init__(self, config: NetConfig):
        super().__init__()
        self.config = config
        act = {"tanh": nn.Tanh, "relu": nn.ReLU}[config.activation]
        layers, in_ch = [], INPUT_SHAPE[0]
        for i, (f, k) in enumerate(zip(config.filters, config.kernels)):
            conv = nn.Conv2d(in_ch, f, k, padding="same" if i == 0 else "valid")
            layers.append((f"conv{i + 1}", Block(conv, act())))
            if config.noise_std > 0:
                layers.append((f"conv{i + 1}_noise", GaussianNoise(config.noise_std)))
            if config.pool_after == i + 1:
                layers.append(("pool", nn.MaxPool2d(2, ceil_mode=True)))
            in_ch = f
        layers.append(("flatten", nn.Flatten()))
        c, h, w = config.layer_shapes()[f"conv{len(config.filters)}"]
        width = c * h * w
        for i, d in enumerate(config.dense):
            layers.append((f"dense{i + 1}", Block(nn.Linear(width, d), act())))
            if config.noise_std > 0:
                layers.append((f"dense{i + 1}_noise", GaussianNoise(config.noise_std)))
            width = d
        layers.append(("softmax", Block(nn.Linear(width, N_CLASSES), None)))
        self.net = nn.Sequential()
        for name, module in layers:
            self.net.add_module(name, module)
        self.measured = {name: self.net.get_submodule(name) for name in config.layer_names}
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Glorot-uniform weights and zero biases, as Keras does by default."""
        for block in self.measured.values():
            nn.init.xavier_uniform_(block.linear.weight)
            nn.init.zeros_(block.linear.bias)

    def forward(self, x):  # (N, 1, 28, 28) -> (N, 10) logits
        return self.net(x)


def build_cnn(config: NetConfig) -> CNN:
    """Build the network described by `config` (weights drawn from torch's current RNG)."""
    return CNN(config)


@torch.no_grad()
def count_parameters(model: nn.Module) -> int:
    """Number of trainable parameters of a built model."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
