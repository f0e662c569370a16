"""The direct convolutions of `ibutils.kernels` against PyTorch's in float64 (independent
truth), and a training step through them against the plain model."""
import shutil

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from ibutils import fastconv
from ibutils.architecture import get_variant
from ibutils.models import build_cnn

pytestmark = pytest.mark.skipif(
    (shutil.which("c++") is None and shutil.which("g++") is None) or shutil.which("ninja") is None,
    reason="no C++ compiler or ninja: ibutils.kernels falls back to PyTorch's convolutions")


def test_kernels_build_here():
    assert fastconv.available()


@pytest.mark.parametrize("c_in, c_out, k, padding, width", [
    (1, 1, 3, "same", 28), (1, 6, 3, "same", 28), (3, 3, 3, "valid", 26),
    (6, 6, 3, "valid", 26), (3, 3, 5, "valid", 24), (3, 3, 7, "valid", 22),
    (3, 3, 11, "valid", 28), (6, 3, 3, "valid", 18), (12, 12, 3, "valid", 26),
])
def test_direct_conv_matches_float64_reference(c_in, c_out, k, padding, width):
    torch.manual_seed(0)
    conv = nn.Conv2d(c_in, c_out, k, padding=padding)
    x = torch.randn(7, c_in, width, width, requires_grad=True)
    x64 = x.detach().double().requires_grad_(True)
    w64, b64 = (conv.weight.detach().double().requires_grad_(True),
                conv.bias.detach().double().requires_grad_(True))
    ref = F.conv2d(x64, w64, b64, padding=padding)
    g = torch.randn_like(ref)
    ref.backward(g)
    saved = fastconv.CHANNELS
    fastconv.CHANNELS = (1, 3, 6, 12)  # route every case here to the kernels
    try:
        assert fastconv.fits(conv, width)
        out = fastconv.conv2d(conv, x)
    finally:
        fastconv.CHANNELS = saved
    out.backward(g.float())
    assert out.shape == ref.shape
    for got, want in ((out, ref), (x.grad, x64.grad), (conv.weight.grad, w64.grad),
                      (conv.bias.grad, b64.grad)):
        scale = want.abs().max().item()
        assert (got.double() - want).abs().max().item() <= 1e-5 * scale + 1e-6


def test_fused_tanh_is_within_two_ulp():
    # every float32 in [-12, 12] at a fine grid, tiny values, both branch edges and the clamp
    x = torch.cat([torch.linspace(-12, 12, 2_000_001), torch.tensor(
        [0.0, -0.0, 1e-30, -1e-20, 1e-7, 0.625, -0.625, 0.62499994, 9.0, 9.0001, 88.0, -100.0])])
    got = fastconv._extension().tanh(x).double()
    exact = torch.tanh(x.double())
    ulp = torch.nextafter(exact.float().abs(), torch.tensor(float("inf"))).double() \
        - exact.float().abs().double()
    assert ((got - exact).abs() <= 2 * ulp).all()


def test_fused_conv_tanh_matches_float64_reference():
    torch.manual_seed(2)
    conv = nn.Conv2d(3, 3, 3)
    x = torch.randn(5, 3, 26, 26, requires_grad=True)
    x64 = x.detach().double().requires_grad_(True)
    w64, b64 = (conv.weight.detach().double().requires_grad_(True),
                conv.bias.detach().double().requires_grad_(True))
    ref = torch.tanh(F.conv2d(x64, w64, b64))
    g = torch.randn_like(ref)
    ref.backward(g)
    out = fastconv.conv2d(conv, x, nn.Tanh())
    out.backward(g.float())
    for got, want in ((out, ref), (x.grad, x64.grad), (conv.weight.grad, w64.grad),
                      (conv.bias.grad, b64.grad)):
        assert (got.double() - want).abs().max().item() <= 1e-5 * want.abs().max().item() + 1e-6


def test_layers_that_do_not_fit_fall_back():
    assert not fastconv.fits(nn.Conv2d(3, 3, 7), 16)  # 10 output columns < 16
    assert not fastconv.fits(nn.Conv2d(3, 12, 3), 26)  # 12 channels: oneDNN is faster
    assert not fastconv.fits(nn.Conv2d(6, 6, 3), 26)  # 6 channels too
    assert not fastconv.fits(nn.Conv2d(3, 3, 3, stride=2), 26)
    assert fastconv.fits(nn.Conv2d(3, 3, 3), 26)
    assert fastconv.used_by(build_cnn(get_variant("kernel", "5conv-k7")))  # its first layers
    # 6 and 12 filters: oneDNN, with the tanh fused into its convolution where PyTorch has it
    wide = build_cnn(get_variant("width", "w12"))
    assert fastconv.used_by(wide) == fastconv.fused_tanh_available()
    relu = build_cnn(get_variant("width", "w12", activation="relu"))
    assert not fastconv.used_by(relu)  # nothing to fuse, nothing direct: model(x) as is


@pytest.mark.parametrize("c_in, c_out, k, padding, width", [
    (1, 12, 3, "same", 28), (12, 12, 3, "valid", 26), (6, 6, 5, "valid", 20),
])
def test_onednn_fused_tanh_is_as_accurate_as_pytorch(c_in, c_out, k, padding, width):
    # truth: float64; the fused forward and its gradients must be no less accurate than
    # PyTorch's own float32 tanh(conv(x)) (same oneDNN convolution, tanh before the store)
    if not fastconv.fused_tanh_available():
        pytest.skip("this PyTorch build has no oneDNN convolution with a fused tanh")
    torch.manual_seed(3)
    conv = nn.Conv2d(c_in, c_out, k, padding=padding)
    x = torch.randn(5, c_in, width, width)
    x64 = x.double().requires_grad_(True)
    w64, b64 = (conv.weight.detach().double().requires_grad_(True),
                conv.bias.detach().double().requires_grad_(True))
    ref = torch.tanh(F.conv2d(x64, w64, b64, padding=padding))
    g = torch.randn_like(ref)
    ref.backward(g)
    errors = {}
    for path in ("fused", "pytorch"):
        conv.zero_grad()
        xin = x.clone().requires_grad_(True)
        out = (fastconv.conv2d(conv, xin, nn.Tanh()) if path == "fused"
               else torch.tanh(conv(xin.contiguous(memory_format=torch.channels_last))))
        if path == "fused":
            assert type(out.grad_fn).__name__ == "_OneDNNConvTanhBackward"
        out.backward(g.float())
        errors[path] = [(got.double() - want).abs().max().item() for got, want in
                        ((out, ref), (xin.grad, x64.grad), (conv.weight.grad, w64.grad),
                         (conv.bias.grad, b64.grad))]
    scale = [ref.abs().max().item(), x64.grad.abs().max().item(),
             w64.grad.abs().max().item(), b64.grad.abs().max().item()]
    for fused, plain, s in zip(errors["fused"], errors["pytorch"], scale):
        assert fused <= 2 * plain + 1e-6 * s


def test_fast_conv_switch_turns_the_fused_tanh_off(monkeypatch):
    monkeypatch.setenv("IBUTILS_FAST_CONV", "0")
    fastconv.fused_tanh_available.cache_clear()
    try:
        assert not fastconv.fused_tanh_available()
        assert not fastconv.used_by(build_cnn(get_variant("width", "w12")))
    finally:
        monkeypatch.delenv("IBUTILS_FAST_CONV")
        fastconv.fused_tanh_available.cache_clear()


@pytest.mark.parametrize("variant", [("width", "w1"), ("width", "w6"), ("kernel", "5conv-k7"),
                                     ("fc", "fc")])
def test_forward_and_gradients_are_as_accurate_as_pytorch(variant):
    # truth: the same model in float64; in float32 the direct path must be within 1e-5 of
    # the logits and no less accurate than PyTorch's own float32 path on any gradient (a
    # deep 1-filter tanh net loses ~1e-4 of relative accuracy either way)
    torch.manual_seed(1)
    model = build_cnn(get_variant(*variant))
    truth = build_cnn(get_variant(*variant)).double()
    truth.load_state_dict({k: v.double() for k, v in model.state_dict().items()})
    x, y = torch.rand(64, 1, 28, 28), torch.randint(0, 10, (64,))
    F.cross_entropy(truth(x.double()), y).backward()
    F.cross_entropy(model(x), y).backward()
    plain = [p.grad.clone() for p in model.parameters()]
    model.zero_grad()
    logits = fastconv.forward(model, x)
    assert (logits.double() - truth(x.double())).abs().max().item() < 1e-5
    F.cross_entropy(logits, y).backward()
    for got, ref, torch_f32 in zip(model.parameters(), truth.parameters(), plain):
        err = lambda g: (g.double() - ref.grad).abs().max().item()  # noqa: E731
        assert err(got.grad) <= 2 * err(torch_f32) + 1e-6 * ref.grad.abs().max().item()
