"""Direct convolutions for the study's narrow nets, and a training forward pass that uses them.

The paper's nets have 1-12 filters per layer. oneDNN, which PyTorch uses for CPU
convolutions, vectorises over channels, so at these widths most of its vector lanes idle; its
backward pass was about half of a training epoch. `_smallconv.cpp` vectorises along image rows
instead (16 output columns of every output channel in registers). It is compiled on first use
(`ibutils._compile`, about a minute once per machine).

`forward(model, x)` computes a `CNN`'s logits with these kernels wherever a conv layer fits
them (1 or 3 input and output channels, rows of at least 16 output columns), and with
PyTorch's own ops elsewhere, from the model's own parameters: the optimiser, checkpoints and the
snapshot recorder see the same `CNN`. Elsewhere a tanh after a conv layer is fused into
oneDNN's convolution (`fused_tanh_available`; 1.01-1.12x on the 6- and 12-filter nets at one
thread, `benchmarks/bench_paths.py`), saving a pass over the layer's output. The result equals
``model(x)`` up to floating-point reordering (tested), like every other training path here.
Without a compiler `available()` is False and only the fused tanh is used; with
``IBUTILS_FAST_CONV=0`` neither is, and training uses ``model(x)``. CPU only: `used_by` is
False for a model on another device.
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from ._compile import build_extension
from .architecture import INPUT_SHAPE
from .models import Block

INPUT_WIDTH = INPUT_SHAPE[2]
SOURCE = Path(__file__).with_name("_smallconv.cpp")
CHANNELS = (1, 3)  # channels routed to the kernels (6 and 12 are compiled, but oneDNN wins)
MIN_COLUMNS = 16  # output columns per row the kernels need


@lru_cache(maxsize=1)
def _extension():
    """The compiled convolutions, or None (no compiler, build error, or IBUTILS_FAST_CONV=0)."""
    return build_extension(SOURCE, "ibutils_smallconv", "IBUTILS_FAST_CONV",
                  "training uses PyTorch's convolutions")


def used_by(model) -> bool:
    """Whether `forward` would compute any conv layer of `model` otherwise than ``model(x)``
    does: through the direct kernels, or as oneDNN's convolution with a fused tanh."""
    if os.environ.get("IBUTILS_FAST_CONV", "1") == "0":
        return False
    if any(p.device.type != "cpu" for p in model.parameters()):  # CPU kernels only
        return False
    width = INPUT_WIDTH
    for module in model.net:
        if isinstance(module, Block) and isinstance(module.linear, nn.Conv2d):
            conv = module.linear
            if fits(conv, width) and available():
                return True
            if isinstance(module.act, nn.Tanh) and fused_tanh_available():
                return True
            width = width if conv.padding == "same" else width - conv.kernel_size[0] + 1
        elif isinstance(module, nn.MaxPool2d):
            width = -(-width // 2)
    return False


def available() -> bool:
    """True when the compiled kernels can be used (builds them on the first call)."""
    return _extension() is not None


@lru_cache(maxsize=1)
def fused_tanh_available() -> bool:
    """True when PyTorch's oneDNN build offers a convolution with a fused tanh
    (``torch.ops.mkldnn._convolution_pointwise``, the op its compiler emits for conv + tanh on
    CPU) and ``IBUTILS_FAST_CONV`` is not 0."""
    if os.environ.get("IBUTILS_FAST_CONV", "1") == "0" or not torch.backends.mkldnn.is_available():
        return False
    try:
        x, w = torch.zeros(1, 1, 3, 3), torch.zeros(1, 1, 1, 1)
        torch.ops.mkldnn._convolution_pointwise(x, w, None, [0, 0], [1, 1], [1, 1], 1, "tanh",
                                                [], "")
    except (AttributeError, RuntimeError):
        return False
    return True


class _OneDNNConvTanh(torch.autograd.Function):
    """tanh of a stride-1 conv2d in one oneDNN call (the tanh is applied before the output is
    stored, saving a pass over it); backward: PyTorch's tanh gradient, then its convolution
    backward, exactly as autograd does for ``tanh(conv(x))``."""

    @staticmethod
    def forward(ctx, x, weight, bias, padding):
        out = torch.ops.mkldnn._convolution_pointwise(x, weight, bias, padding, [1, 1], [1, 1],
                                                      1, "tanh", [], "")
        ctx.save_for_backward(x, weight, out)
        ctx.padding = padding
        return out

    @staticmethod
    def backward(ctx, grad):
        x, weight, out = ctx.saved_tensors
        inner = torch.ops.aten.tanh_backward(grad, out)
        grad_x, grad_w, grad_b = torch.ops.aten.convolution_backward(
            inner, x, weight, [weight.shape[0]], [1, 1], ctx.padding, [1, 1], False, [0, 0], 1,
            [ctx.needs_input_grad[0], True, True])
        return grad_x, grad_w, grad_b, None


class _DirectConv(torch.autograd.Function):
    """'valid' conv2d of an NCHW float32 batch: `_smallconv.cpp` forward and backward."""

    @staticmethod
    def forward(ctx, x, weight, bias):
        ext = _extension()
        ctx.save_for_backward(x, weight)
        return ext.conv_forward(x, weight, bias)

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        return _conv_backward(ctx, x, weight, grad)


class _DirectConvTanh(torch.autograd.Function):
    """tanh of a 'valid' conv2d, fused: the tanh is applied in registers before the store
    (`vtanh` in `_smallconv.cpp`, within 2 ulp of the exact value; PyTorch's is within 1); the backward pass is
    `_DirectConv`'s on the gradient through tanh, g * (1 - out**2)."""

    @staticmethod
    def forward(ctx, x, weight, bias):
        out = _extension().conv_tanh_forward(x, weight, bias)
        ctx.save_for_backward(x, weight, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, weight, out = ctx.saved_tensors
        inner = torch.ops.aten.tanh_backward(grad, out)
        return _conv_backward(ctx, x, weight, inner)


def _conv_backward(ctx, x, weight, grad):
    """Input (when needed), weight and bias gradients of a direct 'valid' convolution."""
    ext = _extension()
    grad = grad.contiguous()
    k = weight.shape[-1]
    grad_x = None
    if ctx.needs_input_grad[0]:
        # the input gradient is the 'full' convolution of the output gradient with the
        # flipped, transposed kernel: a 'valid' one of the gradient padded by k - 1
        flipped = weight.flip(2, 3).transpose(0, 1).contiguous()
        zero = torch.zeros(flipped.shape[0], dtype=grad.dtype)
        grad_x = ext.conv_forward(F.pad(grad, (k - 1,) * 4), flipped, zero)
    grad_w, grad_b = ext.conv_weight_grad(x, grad, k)
    return grad_x, grad_w, grad_b


def fits(conv: nn.Conv2d, width: int) -> bool:
    """Whether a conv layer whose input rows are `width` wide can use the direct kernels."""
    k = conv.kernel_size[0]
    same = conv.padding == "same"
    out_cols = width if same else width - k + 1
    return (conv.out_channels in CHANNELS and conv.in_channels in CHANNELS
            and conv.stride == (1, 1) and conv.dilation == (1, 1) and conv.groups == 1
            and conv.kernel_size[0] == conv.kernel_size[1] and (not same or k % 2 == 1)
            and out_cols >= MIN_COLUMNS)


def conv2d(conv: nn.Conv2d, x: torch.Tensor, act: nn.Module | None = None) -> torch.Tensor:
    """``act(conv(x))`` (``act`` None: no activation) through the direct kernels when the
    layer `fits` (NCHW; a tanh fused into the convolution), else through PyTorch
    (channels-last, oneDNN's fast layout; a tanh fused into oneDNN's convolution in
    float32 outside autocast, `fused_tanh_available`)."""
    act = act if act is not None else nn.Identity()
    if not (x.dtype == torch.float32 and fits(conv, x.shape[-1]) and available()):
        x = x.contiguous(memory_format=torch.channels_last)
        if (isinstance(act, nn.Tanh) and x.dtype == torch.float32 and conv.stride == (1, 1)
                and conv.dilation == (1, 1) and conv.groups == 1
                and not torch.is_autocast_enabled("cpu") and fused_tanh_available()):
            k = conv.kernel_size
            padding = ([k[0] // 2, k[1] // 2] if conv.padding == "same"
                       else [0, 0] if conv.padding == "valid" else list(conv.padding))
            if conv.padding != "same" or (k[0] % 2 and k[1] % 2):
                return _OneDNNConvTanh.apply(x, conv.weight, conv.bias, padding)
        return act(conv(x))
    if conv.padding == "same":
        p = conv.kernel_size[0] // 2
        x = F.pad(x, (p, p, p, p))
    if isinstance(act, nn.Tanh):
        return _DirectConvTanh.apply(x.contiguous(), conv.weight, conv.bias)
    return act(_DirectConv.apply(x.contiguous(), conv.weight, conv.bias))


def forward(model, x: torch.Tensor) -> torch.Tensor:
    """Logits of a `CNN` (see `ibutils.models`) computed with `conv2d` for its conv layers;
    every other layer (activation, pooling, flatten, dense) runs as in ``model(x)``."""
    h = x
    for module in model.net:
        if isinstance(module, Block) and isinstance(module.linear, nn.Conv2d):
            h = conv2d(module.linear, h, module.act)
        else:
            h = module(h)
    return h
