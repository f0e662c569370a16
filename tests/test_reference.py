"""The authors' released values: every run of the paper is there, in our names and epochs, and
our runs are matched with them epoch by epoch."""
import numpy as np
import pytest

from ibutils.analysis.fidelity import fidelity_summary, matched_values
from ibutils.architecture import get_variant, paper_variants
from ibutils.config import PAPER_ID, get_profile
from ibutils.reference import (
    ReleasedValue,
    li_liu_released,
    paper_variant,
    source_commit,
)
from ibutils.results import constructed_run


def test_every_configuration_dataset_and_split_is_released():
    values = list(li_liu_released())
    covered = {(v.split, v.dataset, name) for v in values for name in paper_variant(v.net)}
    for factor, variants in paper_variants().items():
        for variant in variants:
            for split in ("train", "test"):
                for dataset in ("mnist", "fashion_mnist"):
                    assert (split, dataset, (factor, variant)) in covered
    assert len({v.run for v in values}) == 68
    assert len(source_commit()) == 40


def test_released_values_use_our_layer_names_and_completed_epochs():
    values = [v for v in li_liu_released() if v.run.endswith("_SHAPE_3-3-3-3-3_KERNEL_3-3-3-3-3_10_0_0")
              and "/fully/" in v.run and v.split == "test"]
    assert {v.layer for v in values} == {"conv1", "conv2", "conv3", "conv4", "conv5", "dense1",
                                         "dense2", "dense3", "softmax"}
    assert all(v.epoch == v.file_epoch + 1 for v in values)
    assert min(v.epoch for v in values) == 1 and max(v.epoch for v in values) == 10_000
    # a hidden layer of 10,000 distinct test images sits at log2 N under their bins
    assert max(v.i_xt for v in values if v.layer == "conv1") == pytest.approx(np.log2(10_000),
                                                                              abs=1e-5)


def _ours(seed, ity):
    run = get_profile("book").run_config(get_variant("width", "w1"), "mnist", seed)
    mi = {la: {"i_xt": [13.0, 13.0], "i_ty": [3.0, 3.0]} for la in run.net.layer_names}
    mi["softmax"] = {"i_xt": [3.0, 3.0], "i_ty": [1.0, ity]}
    return constructed_run(run, [0, 200], {"mi": {PAPER_ID: mi}}, factor="width", variant="w1")


def test_matched_values_compare_seed_means_at_the_same_completed_epoch():
    net = get_variant("width", "w1")
    theirs = [ReleasedValue("x", "test", "mnist", net, 200, 199, "softmax", 3.5, 2.6),
              ReleasedValue("x", "test", "mnist", net, 150, 149, "softmax", 3.5, 2.0),  # no match
              ReleasedValue("x", "test", "fashion_mnist", net, 200, 199, "softmax", 3.0, 2.0)]
    rows = matched_values([_ours(0, 2.5), _ours(1, 2.9)], theirs)
    assert len(rows) == 1
    (row,) = rows
    assert row["ours_ity"] == pytest.approx(2.7) and row["theirs_ity"] == 2.6
    assert (row["ity_lo"], row["ity_hi"]) == (2.5, 2.9) and row["seeds"] == 2
    (summary,) = fidelity_summary(rows)
    assert summary["ity_mean"] == pytest.approx(0.1) and summary["ixt_max"] == pytest.approx(0.5)
    assert summary["ity_seed_range"] == pytest.approx(0.4)
