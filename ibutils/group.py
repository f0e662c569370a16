"""Several networks of one shape trained as one grouped network (e.g. the seeds of a config).

Small nets (1-12 filters) spend their time in per-call overhead, not arithmetic; training G of
them at once with grouped convolutions and batched matrix products makes each call G times
larger. Model g of the group sees its own input batch (channel g of the grouped input), has its
own parameters (slice g of every stacked tensor) and its own loss; the summed loss gives each
model exactly its own gradient, and Adam is elementwise, so training a member in a group equals
training it alone up to floating-point reordering (tested).
"""
from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from .models import CNN, INPUT_SHAPE, NetConfig, build_cnn


class GroupedCNN(nn.Module):
    """G copies of one `NetConfig` with separate parameters, evaluated in one pass.

    ``forward(x)`` takes (B, G, 28, 28), channel g being model g's images, and returns logits
    of shape (G, B, 10).
    """

    def __init__(self, config: NetConfig, members: Sequence[CNN]):
        super().__init__()
        self.config, self.n = config, len(members)
        g = self.n
        act = {"tanh": nn.Tanh, "relu": nn.ReLU}[config.activation]
        layers, in_ch = [], INPUT_SHAPE[0]
        for i, (f, k) in enumerate(zip(config.filters, config.kernels)):
            conv = nn.Conv2d(in_ch * g, f * g, k, groups=g, padding="same" if i == 0 else "valid")
            layers += [conv, act()]
            if config.pool_after == i + 1:
                layers.append(nn.MaxPool2d(2, ceil_mode=True))
            in_ch = f
        self.convs = nn.Sequential(*layers)
        self.act = act()
        widths = [_flat_width(config), *config.dense, 10]
        self.weights = nn.ParameterList(
            [nn.Parameter(torch.empty(g, a, b)) for a, b in zip(widths[:-1], widths[1:])])
        self.biases = nn.ParameterList(
            [nn.Parameter(torch.empty(g, 1, b)) for b in widths[1:]])
        self.load_members(members)

    @torch.no_grad()
    def load_members(self, members: Sequence[CNN]) -> None:
        """Copy each member's parameters into its slice of the grouped tensors."""
        convs = [m for m in self.convs if isinstance(m, nn.Conv2d)]
        names = list(members[0].measured)
        for j, conv in enumerate(convs):
            conv.weight.copy_(torch.cat([m.measured[names[j]].linear.weight for m in members]))
            conv.bias.copy_(torch.cat([m.measured[names[j]].linear.bias for m in members]))
        for j, name in enumerate(names[len(convs):]):
            self.weights[j].copy_(torch.stack([m.measured[name].linear.weight.T for m in members]))
            self.biases[j].copy_(torch.stack([m.measured[name].linear.bias[None] for m in members]))

    @torch.no_grad()
    def member_state(self, index: int) -> dict:
        """The state_dict of member `index` as a plain `CNN` would have it."""
        convs = [m for m in self.convs if isinstance(m, nn.Conv2d)]
        names = self.config.layer_names
        state = {}
        for j, conv in enumerate(convs):
            f = conv.out_channels // self.n
            sl = slice(index * f, (index + 1) * f)
            state[f"net.{names[j]}.linear.weight"] = conv.weight[sl].clone()
            state[f"net.{names[j]}.linear.bias"] = conv.bias[sl].clone()
        for j, name in enumerate(names[len(convs):]):
            state[f"net.{name}.linear.weight"] = self.weights[j][index].T.contiguous().clone()
            state[f"net.{name}.linear.bias"] = self.biases[j][index, 0].clone()
        return state

    def forward(self, x):  # (B, G, 28, 28) -> (G, B, 10)
        b = x.shape[0]
        h = self.convs(x)  # (B, G*C, H, W)
        h = h.reshape(b, self.n, -1).transpose(0, 1)  # (G, B, C*H*W), per-model flatten order
        for j, (w, bias) in enumerate(zip(self.weights, self.biases)):
            h = torch.baddbmm(bias, h, w)
            if j < len(self.weights) - 1:
                h = self.act(h)
        return h


def _flat_width(config: NetConfig) -> int:
    c, h, w = config.layer_shapes()[f"conv{len(config.filters)}"]
    return c * h * w


def grouped_batch(x: torch.Tensor, orders: Sequence[torch.Tensor], start: int, size: int):
    """(B, G, 28, 28) input whose channel g holds batch `start` of model g's epoch order."""
    idx = torch.stack([o[start:start + size] for o in orders])  # (G, B)
    return x[idx.T.reshape(-1), 0].reshape(idx.shape[1], len(orders), *x.shape[2:]), idx


def members_for(config: NetConfig, seeds: Sequence[int]) -> list[CNN]:
    """Fresh seeded members, exactly as `ibutils.train.new_model` would build them alone."""
    out = []
    for s in seeds:
        torch.manual_seed(s)
        out.append(build_cnn(config))
    return out


def train_group_epoch(model: GroupedCNN, opt, x, y, seeds: Sequence[int], epoch: int,
                      batch_size: int, bf16: bool = False) -> list[float]:
    """One epoch of every member on its own batch order; returns each member's mean loss.

    ``bf16=True`` runs forward and backward under CPU autocast to bfloat16 (AMX where the CPU
    has it), keeping fp32 master weights and an fp32 Adam; an option, not the default.
    """
    from .train import epoch_order

    model.train()
    orders = [epoch_order(s, epoch, len(x)) for s in seeds]
    totals, n_batches = torch.zeros(len(seeds)), 0
    for start in range(0, len(x), batch_size):
        xb, idx = grouped_batch(x, orders, start, batch_size)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            logits = model(xb.contiguous(memory_format=torch.channels_last)).float()
        g, b, c = logits.shape
        per_member = F.cross_entropy(logits.reshape(g * b, c), y[idx].reshape(-1),
                                     reduction="none").reshape(g, b).mean(1)
        opt.zero_grad(set_to_none=True)
        per_member.sum().backward()
        opt.step()
        totals += per_member.detach()
        n_batches += 1
    return (totals / n_batches).tolist()
