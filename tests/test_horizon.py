"""What changes after the short horizon: a long run against the seed band, on constructed runs
whose curves (and so whose changes, falls and band widths) are known exactly."""
import numpy as np
import pytest

from ibutils.analysis.horizon import horizon_changes, metric_change
from ibutils.architecture import get_variant
from ibutils.config import get_profile
from ibutils.results import RunResult, constructed_run

EST = "renyi_alpha1.01_n_samples500"
EPOCHS = [0, 1, 10, 100, 200, 400, 700, 1000]


def _run(seed, conv1, softmax, accuracy=None, epochs=EPOCHS):
    run = get_profile("smoke").run_config(get_variant("depth", "d1"), "mnist", seed)
    mi = {"conv1": {"i_xt": conv1, "i_ty": [1.0] * len(epochs)},
          "softmax": {"i_xt": softmax, "i_ty": [1.0] * len(epochs)}}
    values = {"mi": {EST: mi}, "accuracy": accuracy or [0.5] * len(epochs)}
    return constructed_run(run, epochs, values, factor="depth", variant="d1")


def _short(run, horizon=200):
    return RunResult(run.payload, horizon=horizon, factor=run.factor, variant=run.variant)


def test_a_late_fall_beyond_the_band_is_a_move():
    #            0    1    10   100  200  400  700  1000
    conv1 = [1.0, 2.0, 3.0, 3.1, 3.2, 3.6, 3.3, 2.9]  # peaks after 200, ends below
    soft = [0.5, 1.0, 2.0, 2.1, 2.2, 2.21, 2.22, 2.23]  # creeps up 0.03
    long = _run(0, conv1, soft, accuracy=[0.1, 0.5, 0.9, 0.95, 0.96, 0.965, 0.97, 0.975])
    seeds = [_short(long), _short(_run(1, [c + 0.05 for c in conv1], [s + 0.01 for s in soft])),
             _short(_run(2, [c - 0.05 for c in conv1], [s - 0.04 for s in soft]))]
    rows = {r["layer"]: r for r in horizon_changes(seeds, long, EST)}
    c = rows["conv1"]
    assert (c["short"], c["long"]) == (200, 1000)
    assert (c["at_short"], c["at_end"]) == pytest.approx((3.2, 2.9))
    assert c["change"] == pytest.approx(-0.3)
    assert c["largest_fall"] == pytest.approx(3.6 - 2.9)
    assert c["seed_range"] == pytest.approx(0.1) and c["moved"]
    s = rows["softmax"]
    assert s["change"] == pytest.approx(0.03) and s["largest_fall"] == pytest.approx(0.0)
    assert s["seed_range"] == pytest.approx(0.05) and not s["moved"]  # inside the band
    assert metric_change(long, "accuracy") == pytest.approx(0.015)


def test_bad_input_names_the_parameter():
    long = _run(0, [1.0] * 8, [1.0] * 8)
    with pytest.raises(ValueError, match="seeds: got none"):
        horizon_changes([], long, EST)
    with pytest.raises(ValueError, match="long: horizon 200, allowed a run trained past"):
        horizon_changes([_short(long)], _short(long), EST)
    with pytest.raises(ValueError, match="epoch: got 300, not a snapshot"):
        horizon_changes([_short(long, 300)], long, EST)
    np.testing.assert_equal(len(horizon_changes([_short(long)], long, EST)), 2)


def test_horizon_facts_name_the_largest_fall_or_say_nothing_falls():
    from ibutils.book.facts import horizon_facts

    def row(est, layer, fall, moved=False, change=0.0):
        return {"estimator": est, "dataset": "MNIST", "network": "6 layers x 1 filter",
                "layer": layer, "largest_fall": fall, "moved": moved, "change": change,
                "accuracy_change": 0.004}
    paper = "binning_bin_width0.67"
    rows = [row(paper, "conv1", 0.0), row(paper, "softmax", 0.2),
            row(EST, "conv1", 0.049, moved=True, change=0.02), row(EST, "conv2", 0.01)]
    f = horizon_facts(rows, 8, {paper: 0.399, EST: 0.046}, 200, 1000)
    assert f["long_runs"] == "1 of 8" and f[f"long_{EST.replace('.', '_')}_moved"] == "1 of 2"
    assert ("under the paper's bins (width 0.67) 0 of 1 hidden layers end outside the seeds' "
            "range at epoch 200 (0 higher, 0 lower) and no hidden layer falls after it "
            "(0.000 bits)") in f["long_summary"]  # the softmax's fall is not a hidden layer's
    assert ("1 of 2 hidden layers end outside the seeds' range at epoch 200 (1 higher, 0 lower) "
            "and the largest fall after it is 0.049 bits (conv1, 6 layers x 1 filter, MNIST; the "
            "compression test's floor is 0.046)") in f["long_summary"]
    assert f["long_summary"].endswith("Test accuracy changes by +0.004.")
