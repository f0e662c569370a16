"""The compression test and saturation counts on constructed runs with known curves."""
import numpy as np
import pytest

from ibutils import report
from ibutils.models import get_variant
from ibutils.config import get_profile
from ibutils.runner import RunResult

EST = "binning_bin_width0.67"


def fake_run(curve, seed=0, n=1024, saturated_layer=None):
    """A stored run of width/w1 whose conv1 I(X;T) follows `curve` over epochs 0..len-1."""
    run = get_profile("smoke").run_config(get_variant("width", "w1"), "mnist", seed)
    layers = list(run.net.layer_names)
    snaps = []
    for e, v in enumerate(curve):
        mi = {la: {"i_xt": float(v), "i_ty": 1.0} for la in layers}
        if saturated_layer:
            mi[saturated_layer]["i_xt"] = float(np.log2(n))
        split = {"loss": 1.0 / (e + 1), "accuracy": 0.5, "mi": {EST: mi}}
        snaps.append({"epoch": e, "train": split, "test": split})
    payload = {"config": run.to_dict(), "layers": layers, "n": {"train": n, "test": n},
               "h_y": {"train": 1.0, "test": 1.0}, "snapshots": snaps, "epochs_trained": e,
               "epoch_loss": [], "train_seconds": 0.0}
    return RunResult(payload, label=f"width/w1/mnist/s{seed}", factor="width", variant="w1")


def test_rise_then_fall_is_compression_with_peak_and_size():
    r = fake_run([1, 3, 5, 4.5, 4.0, 3.2])
    c = report.compression(r, "conv1", estimator=EST)
    assert c["peak_epoch"] == 2 and c["drop"] == pytest.approx(1.8) and c["compressed"]
    assert c["rise"] == pytest.approx(4.0)


def test_monotone_rise_is_not_compression():
    c = report.compression(fake_run([1, 2, 3, 4, 5]), "conv1", estimator=EST)
    assert c["drop"] == 0 and not c["compressed"]


def test_drop_within_seed_spread_is_not_compression():
    # the mean falls by 0.5 after its peak, but seeds end 1.0 bit apart
    runs = [fake_run([1, 5, 4.0], seed=0), fake_run([1, 5, 5.0], seed=1)]
    c = report.compression(runs, "conv1", estimator=EST)
    assert c["drop"] == pytest.approx(0.5) and c["spread"] == pytest.approx(1.0)
    assert not c["compressed"]


def test_tiny_drop_below_floor_is_not_compression():
    c = report.compression(fake_run([1, 5, 4.99]), "conv1", estimator=EST)
    assert c["drop"] == pytest.approx(0.01) and not c["compressed"]


def test_saturation_counts_hidden_layers_only():
    r = fake_run([1, 2, 3], n=1024, saturated_layer="conv2")
    counts = report.saturation_counts([r], EST)
    hidden = len(r.layers) - 1  # softmax excluded
    assert counts["points"] == 3 * hidden and counts["saturated"] == 3
    assert counts["max_gap_bits"] == pytest.approx(10 - 1)


def test_compression_table_marks_passing_cells():
    table = report.compression_table({"a": [fake_run([1, 5, 3])]}, [EST])
    assert "| a | binning_bin_width0.67 | 2.00* (1) |" in table
