"""Every paper variant: layer shapes, parameter counts (hand-computed), init and validation."""
import math

import pytest
import torch

from ibutils.architecture import NetConfig, get_variant, paper_variants
from ibutils.models import build_cnn, count_parameters

EXPECTED_VARIANTS = {
    "width": {"w1", "w3", "w6", "w12"},
    "kernel": {"2conv-k3", "2conv-k7", "2conv-k11", "5conv-k3", "5conv-k5", "5conv-k7"},
    "depth": {"d1", "d2", "d6", "d9"},
    "pooling": {"no-pool", "pool"},
    "fc": {"fc", "no-fc"},
}

# Parameter counts computed by hand from PAPER.md's architectures (Keras would print these).
HAND_COUNTS = {
    # 6 convs of 1 filter 3x3: 6 * (9 + 1); last map 18x18x1 -> Dense(10): 324 * 10 + 10
    ("width", "w1"): 6 * 10 + 3250,
    # conv1 3*9+3, five convs 3*3*9+3; 18x18x3 = 972 -> 9730
    ("width", "w3"): 30 + 5 * 84 + 9730,
    # 2 convs 3 filters k=11: 3*121+3, 3*3*121+3; 28 -> 18: 18*18*3 = 972 -> 9730
    ("kernel", "2conv-k11"): 366 + 1092 + 9730,
    # 3 convs of 12, pool after conv2: 28 -> 26 -> 13 -> 11; 11*11*12 = 1452 -> 14530
    ("pooling", "pool"): 120 + 1308 + 1308 + 14530,
    # 5 convs of 3 (28 -> 20), 1200 -> 500 -> 1024 -> 500 -> 10
    ("fc", "fc"): 30 + 4 * 84 + 600_500 + 513_024 + 512_500 + 5_010,
    ("depth", "d1"): 60 + 28 * 28 * 6 * 10 + 10,
}


def test_paper_variants_are_complete():
    variants = paper_variants()
    assert {k: set(v) for k, v in variants.items()} == EXPECTED_VARIANTS


@pytest.mark.parametrize("key", sorted(HAND_COUNTS))
def test_parameter_counts_match_hand_computation(key):
    cfg = get_variant(*key)
    assert count_parameters(build_cnn(cfg)) == HAND_COUNTS[key] == cfg.n_params()


@pytest.mark.parametrize("factor,name", [(f, n) for f, vs in EXPECTED_VARIANTS.items() for n in sorted(vs)])
def test_every_variant_builds_with_declared_shapes(factor, name):
    cfg = get_variant(factor, name)
    model = build_cnn(cfg)
    assert count_parameters(model) == cfg.n_params()
    seen = {}
    hooks = [b.register_forward_hook(lambda m, i, o, n=n: seen.__setitem__(n, tuple(o.shape[1:])))
             for n, b in model.measured.items()]
    out = model(torch.rand(3, 1, 28, 28))
    for h in hooks:
        h.remove()
    assert out.shape == (3, 10)
    assert seen == cfg.layer_shapes()
    assert list(model.measured) == list(cfg.layer_names)


def test_first_conv_same_later_valid():
    shapes = get_variant("kernel", "5conv-k7").layer_shapes()
    assert [shapes[f"conv{i}"][1] for i in range(1, 6)] == [28, 22, 16, 10, 4]


def test_glorot_uniform_weights_and_zero_biases():
    torch.manual_seed(0)
    model = build_cnn(get_variant("fc", "fc"))
    for block in model.measured.values():
        w, b = block.linear.weight.detach(), block.linear.bias.detach()
        receptive = w[0, 0].numel() if w.dim() == 4 else 1
        fan_in, fan_out = w.shape[1] * receptive, w.shape[0] * receptive
        bound = math.sqrt(6 / (fan_in + fan_out))
        assert float(w.abs().max()) <= bound
        if w.numel() > 10_000:  # uniform on [-b, b] has variance b^2 / 3
            assert float(w.var()) == pytest.approx(bound**2 / 3, rel=0.05)
        assert torch.count_nonzero(b) == 0


def test_seeded_build_is_reproducible():
    cfg = get_variant("width", "w3")
    torch.manual_seed(5)
    a = build_cnn(cfg).state_dict()
    torch.manual_seed(5)
    b = build_cnn(cfg).state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)


@pytest.mark.parametrize("kwargs, match", [
    ({"filters": (3, 3), "kernels": (3, 29)}, "kernels: conv2 has kernel 29"),
    ({"filters": (3,), "kernels": (3,), "pool_after": 2}, "pool_after"),
    ({"filters": (3,), "kernels": (3,), "activation": "sigmoid"}, "activation"),
    ({"filters": (3, 0), "kernels": (3, 3)}, "filters"),
    ({"filters": (3,), "kernels": (3, 3)}, "kernels"),
    ({"filters": (3,), "kernels": (3,), "dense": (0,)}, "dense"),
    ({"filters": (), "kernels": ()}, "filters"),
])
def test_bad_net_configs_name_the_field(kwargs, match):
    with pytest.raises(ValueError, match=match):
        NetConfig(**kwargs)


def test_unknown_factor_and_variant_list_allowed_values():
    with pytest.raises(ValueError, match=r"factor: got 'size', allowed \('width'"):
        get_variant("size", "w1")
    with pytest.raises(ValueError, match=r"variant: got 'w2'.*allowed \('w1', 'w3', 'w6', 'w12'\)"):
        get_variant("width", "w2")
