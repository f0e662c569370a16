"""The training epoch: micro-batches give the full batch's Adam step, and the fp32 paths of
`ibutils.kernels` train the same network as PyTorch's plain modules."""
import pytest
import torch

from ibutils.architecture import get_variant
from ibutils.config import get_profile
from ibutils.train import new_model, train_epoch

TOL = 2e-5  # max |parameter difference| after 2 epochs of Adam (measured: ~1e-6)


def _data(n=1000, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(n, 1, 28, 28, generator=g).contiguous(memory_format=torch.channels_last)
    return x, torch.randint(0, 10, (n,), generator=g)


@pytest.mark.parametrize("variant", [("width", "w3"), ("width", "w12"), ("fc", "fc")])
def test_micro_batches_give_the_full_batch_step(variant):
    run = get_profile("smoke").run_config(get_variant(*variant), "mnist", 0)
    x, y = _data()
    states, losses = [], []
    for micro in (1000, 250, 96):  # 96: a last slice shorter than the others
        model, opt = new_model(run)
        losses.append([train_epoch(model, opt, x, y, seed=0, epoch=e, batch_size=500,
                                   micro_batch=micro) for e in range(2)])
        states.append(model.state_dict())
    for state in states[1:]:
        for k, ref in states[0].items():
            assert torch.allclose(state[k], ref, atol=TOL, rtol=0), k
    for got in losses[1:]:
        assert got == pytest.approx(losses[0], rel=1e-5)
    # and training moved the weights (the comparison is not between two untouched nets)
    fresh, _ = new_model(run)
    assert not torch.allclose(fresh.state_dict()["net.conv1.linear.weight"],
                              states[0]["net.conv1.linear.weight"], atol=1e-3)


def test_kernels_path_trains_the_plain_model(monkeypatch):
    # the 12-filter tanh net: oneDNN with the tanh fused (if this PyTorch has it) against
    # IBUTILS_FAST_CONV=0, PyTorch's modules as they are
    from ibutils import fastconv
    run = get_profile("smoke").run_config(get_variant("width", "w12"), "mnist", 0)
    x, y = _data(500, seed=1)
    states = []
    for switch in ("1", "0"):
        monkeypatch.setenv("IBUTILS_FAST_CONV", switch)
        fastconv.fused_tanh_available.cache_clear()
        model, opt = new_model(run)
        if switch == "1" and not fastconv.used_by(model):
            pytest.skip("this PyTorch has no fused conv + tanh: the fast path cannot be tested")
        assert fastconv.used_by(model) == (switch == "1")  # the path under test is the one run
        for e in range(2):
            train_epoch(model, opt, x, y, seed=0, epoch=e, batch_size=250)
        states.append(model.state_dict())
    fastconv.fused_tanh_available.cache_clear()
    for k, ref in states[1].items():
        assert torch.allclose(states[0][k], ref, atol=TOL, rtol=0), k
