"""Gradient statistics (mean and spread over mini-batches) against an independent computation."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from ibutils import store
from ibutils.architecture import get_variant
from ibutils.config import get_profile
from ibutils.data import Split
from ibutils.models import build_cnn
from ibutils.record import gradient_stats
from ibutils.results import MissingResultError
from ibutils.runner import add_gradients, run_study
from ibutils.train import epoch_order

from .conftest import needs_data


def _toy(n=60, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(n, 1, 28, 28, generator=g)
    y = torch.randint(0, 10, (n,), generator=g)
    return Split(x, y)


def _model(seed=0):
    torch.manual_seed(seed)
    return build_cnn(get_variant("fc", "fc"))


def test_mean_and_std_equal_numpy_over_per_batch_gradients():
    split, model = _toy(), _model()
    stats = gradient_stats(model, split, seed=3, epoch=7, batch_size=20)
    # independent: per-batch gradients with torch.autograd.grad, statistics with numpy
    order = epoch_order(3, 7, len(split.y))
    names = list(model.measured)
    weights = [model.measured[k].linear.weight for k in names]
    per_batch = []
    for i in range(0, 60, 20):
        idx = order[i:i + 20]
        loss = F.cross_entropy(model(split.x[idx]), split.y[idx])
        per_batch.append([g.detach().double().numpy() for g in torch.autograd.grad(loss, weights)])
    for j, name in enumerate(names):
        g = np.stack([b[j] for b in per_batch])
        mean, std = np.linalg.norm(g.mean(0)), np.linalg.norm(g.std(0))
        assert stats[name]["mean"] == pytest.approx(mean, rel=1e-5)
        assert stats[name]["std"] == pytest.approx(std, rel=1e-4)
        assert stats[name]["snr"] == pytest.approx(mean / std, rel=1e-4)


def test_one_batch_has_no_spread_and_the_full_gradient():
    split, model = _toy(), _model()
    stats = gradient_stats(model, split, seed=0, epoch=0, batch_size=60)
    loss = F.cross_entropy(model(split.x), split.y)
    loss.backward()
    for name, block in model.measured.items():
        assert stats[name]["std"] <= 1e-6 * stats[name]["mean"]
        assert stats[name]["mean"] == pytest.approx(float(block.linear.weight.grad.norm()),
                                                    rel=1e-5)


def test_weights_are_left_unchanged():
    split, model = _toy(), _model()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    gradient_stats(model, split, seed=0, epoch=0, batch_size=20)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())


@needs_data
def test_backfilled_statistics_equal_those_recorded_while_training(tmp_store, monkeypatch):
    kw = dict(profile="smoke", variants=["w3"], epochs=3, progress=False)
    (r,) = run_study("width", ["mnist"], **kw)
    assert r.has_gradients()
    recorded = r.gradients("conv2", "mean")
    assert np.all(recorded > 0)
    # the smoke profile's 300 training images fit in one batch of 1,000: no spread
    assert np.all(r.gradients("conv2", "std") <= 1e-6 * recorded)
    # strip them, as in a run stored before they were recorded, then add them from weights
    path = store.run_dir(r.config, "smoke") / "result.json"
    payload = store.load_result(path)
    for s in payload["snapshots"]:
        del s["gradients"]
    store.save_result(path, payload)
    (stripped,) = run_study("width", ["mnist"], **kw)
    with pytest.raises(MissingResultError, match="gradients=True"):
        stripped.gradients("conv2")
    with pytest.raises(MissingResultError, match="allow_training=False"):
        run_study("width", ["mnist"], gradients=True, allow_training=False, **kw)
    (filled,) = run_study("width", ["mnist"], gradients=True, **kw)
    np.testing.assert_allclose(filled.gradients("conv2", "mean"), recorded, rtol=1e-6)
    np.testing.assert_allclose(filled.gradients("softmax", "mean"),
                               r.gradients("softmax", "mean"), rtol=1e-6)
    # stored statistics are returned as they are, not recomputed
    import ibutils.runner as runner_mod
    monkeypatch.setattr(runner_mod, "gradient_stats", lambda *a, **k: pytest.fail("recomputed"))
    again = add_gradients(r.config, get_profile("smoke", epochs=3))
    assert [s["gradients"] for s in again["snapshots"]] == \
        [s["gradients"] for s in filled.payload["snapshots"]]
