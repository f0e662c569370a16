"""Compression against saturation, clustering and the generalisation gap, on constructed runs
whose curves, and so whose drops, geometry changes and correlations, are known exactly."""
import numpy as np
import pytest

from ibutils.analysis import mechanisms
from ibutils.architecture import get_variant
from ibutils.book import facts, robustness_facts, tables
from ibutils.config import PAPER_ID, geometry, get_profile
from ibutils.results import RunResult, constructed_run

EST = "binning_n_bins30"
LABEL = "30 bins over the layer's range"  # EST as the tables show it
GEO = geometry().id


def fake_run(curve, *, saturated, within, variant="w1", factor="width", activation="tanh",
             seed=0, train_acc=0.9, test_acc=0.8):
    """Every layer's I(X;T) follows `curve` (epochs 0..), its saturation (tanh: |a| > 0.9;
    ReLU: exact zeros) `saturated` and its within/between ratio `within`; the final
    accuracies are `train_acc` and `test_acc`."""
    run = get_profile("smoke").run_config(get_variant(factor, variant, activation), "mnist", seed)
    k = len(curve)
    geo = {"saturated": saturated if activation == "tanh" else [0.0] * k,
           "inactive": saturated if activation == "relu" else [0.0] * k,
           "within_between": within, "silhouette": [0.0] * k}
    mi = {EST: {la: {"i_xt": curve, "i_ty": [1.0] * k} for la in run.net.layer_names},
          GEO: {la: geo for la in run.net.layer_names}}

    def split(acc):
        return {"loss": [1.0] * (k - 1) + [1.0 - acc], "accuracy": [0.1] * (k - 1) + [acc],
                "mi": mi}
    return constructed_run(run, range(k), split(train_acc), split(test_acc), factor=factor,
                           variant=variant)


def test_cell_rows_measure_geometry_from_the_peak_to_the_end():
    fit_then_compress = fake_run([1, 5, 3], saturated=[0.1, 0.2, 0.5], within=[1, 0.9, 0.6])
    from_init = fake_run([5, 4, 3], saturated=[0.3, 0.3, 0.3], within=[1, 1, 1],
                         variant="w3", activation="relu")
    rows = mechanisms.cell_rows([fit_then_compress, from_init], [EST])
    hidden = len(fit_then_compress.layers) - 1
    assert len(rows) == 2 * hidden  # the softmax is not a hidden layer
    a = next(r for r in rows if r["variant"] == "w1")
    assert a["drop"] == pytest.approx(2) and a["peak_epoch"] == 1 and a["phase"]
    assert a["d_saturated"] == pytest.approx(0.3) and a["d_within_between"] == pytest.approx(-0.3)
    b = next(r for r in rows if r["variant"] == "w3")
    assert b["activation"] == "relu" and b["compressed"] and not b["phase"]  # from epoch 0
    assert b["d_inactive"] == pytest.approx(0) and b["d_saturated"] == 0


def test_coincidence_correlates_drop_with_saturation_and_clustering():
    # drops 1, 2, 3 bits; saturation rises 0.1, 0.2, 0.3; clustering tightens 0.3, 0.2, 0.1
    runs = [fake_run([1, 1 + d, 1], saturated=[0, 0, 0.1 * d], within=[1, 1, 1 - 0.1 * (4 - d)],
                     variant=v) for d, v in zip((1, 2, 3), ("w1", "w3", "w6"))]
    table = tables.coincidence_table(mechanisms.cell_rows(runs, [EST]))
    n = 3 * (len(runs[0].layers) - 1)
    # the layers of one net are one draw: three configurations are too few for an interval
    assert f"| tanh | {LABEL} | {n} / {n} | {n} | {n} | 1.00 (n = {n}, 3 configurations) | " \
           f"-1.00 (n = {n}, 3 configurations) |" in table


def test_tanh_and_relu_runs_of_one_variant_are_separate_configurations():
    tanh = fake_run([1, 5, 3], saturated=[0] * 3, within=[1] * 3)
    relu = fake_run([1, 2, 3], saturated=[0] * 3, within=[1] * 3, activation="relu")
    rows = mechanisms.cell_rows([tanh, relu], [EST])
    by_act = {a: [r for r in rows if r["activation"] == a] for a in ("tanh", "relu")}
    assert all(r["drop"] == pytest.approx(2) for r in by_act["tanh"])
    assert all(r["drop"] == 0 for r in by_act["relu"]) and len(by_act["relu"]) == len(by_act["tanh"])


def test_relu_saturation_is_the_fraction_of_zeros():
    runs = [fake_run([1, 1 + d, 1], saturated=[0, 0, 0.1 * d], within=[1, 1, 1],
                     variant=v, activation="relu") for d, v in zip((1, 2, 3), ("w1", "w3", "w6"))]
    table = tables.coincidence_table(mechanisms.cell_rows(runs, [EST]))
    n = 3 * (len(runs[0].layers) - 1)
    assert f"| ReLU | {LABEL} | {n} / {n} | {n} | 0 | 1.00 (n = {n}, 3 configurations) | n/a" in table


def test_gap_rows_take_the_largest_drop_and_count_shared_networks_once():
    gaps = [0.05, 0.10, 0.20, 0.30]
    runs = [fake_run([1, 1 + 10 * g, 1], saturated=[0] * 3, within=[1] * 3, variant=v,
                     train_acc=0.9 + g / 2, test_acc=0.9 - g / 2)
            for g, v in zip(gaps, ("w1", "w3", "w6", "w12"))]
    # d6 of the depth factor is the network w6: the same run seen again
    w6 = runs[2]
    d6 = RunResult(w6.payload, label="depth/d6/mnist/s0", factor="depth", variant="d6")
    rows = mechanisms.gap_rows([*runs, d6], [EST])
    assert [r[EST] for r in rows] == pytest.approx([10 * g for g in gaps] + [2.0])
    assert [r["gap_acc"] for r in rows] == pytest.approx(gaps + [0.2])
    assert [r["gap_loss"] for r in rows] == pytest.approx(gaps + [0.2])
    table = tables.gap_table(rows, [EST])
    assert f"| {LABEL} | tanh | 1.00 [1.00, 1.00] (n = 4, 4 configurations) | " \
           f"1.00 [1.00, 1.00] (n = 4, 4 configurations) |" in table


def test_summary_names_the_estimators_with_a_phase():
    phase = fake_run([1, 5, 3], saturated=[0, 0.1, 0.4], within=[1, 1, 1])
    flat = fake_run([2, 2, 2], saturated=[0] * 3, within=[1] * 3, variant="w3")
    cells = mechanisms.cell_rows([phase, flat], [EST])
    hidden = len(phase.layers) - 1
    table = tables.mechanisms_summary_table(cells, mechanisms.gap_rows([phase, flat], [EST]), gap_estimator=EST)
    assert f"| width | tanh | {LABEL}: {hidden}/{2 * hidden} | {hidden} / {hidden} | 0 / {hidden} |" \
        in table


def test_runs_without_geometry_name_the_fix():
    r = fake_run([1, 2], saturated=[0, 0], within=[1, 1])
    for s in r.payload["snapshots"]:
        for split in ("train", "test"):
            del s[split]["mi"][GEO]
    with pytest.raises(KeyError, match="--estimators geometry"):
        mechanisms.cell_rows([r], [EST])


def test_pearson_is_independent_truth():
    # the interval of the table's r comes from statistics.pearson_ci; check r against numpy here
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=20), rng.normal(size=20)
    assert tables._r(x, y).startswith(f"{np.corrcoef(x, y)[0, 1]:.2f} [")


def test_ceiling_table_counts_points_at_log2_n():
    # n = 100 test inputs: the binning ceiling is log2 100; one run at it, one below
    top = fake_run([np.log2(100)] * 3, saturated=[0] * 3, within=[1] * 3)
    low = fake_run([1.0] * 3, saturated=[0] * 3, within=[1] * 3, variant="w3")
    (counts,) = mechanisms.ceiling_counts([top, low, top], [EST])  # the repeat counts once
    hidden = len(top.layers) - 1
    assert counts == {"activation": "tanh", "estimator": EST, "ceiling": np.log2(100),
                      "points": 6 * hidden, "at": 3 * hidden}
    table = tables.ceiling_table([top, low, top], [EST])
    assert f"| tanh | {LABEL} | log2 100 | {6 * hidden} | {3 * hidden} (50.0%) |" in table
    assert mechanisms.ceiling(top, "kde_noise_var0.1_n_samples1000", "test") == np.log2(100)
    assert mechanisms.ceiling(top, "kde_noise_var0.1_n_samples50", "test") == np.log2(50)
    assert mechanisms.ceiling(top, "renyi_alpha1.01_n_samples500", "test") is None


def test_dead_runs_are_set_apart():
    # `saturated` is the fraction of units at 0 for ReLU runs: 1.0 at the end = a dead layer
    ok = fake_run([1, 5, 3], saturated=[0.1, 0.5, 0.9], within=[1] * 3, activation="relu")
    dead = fake_run([5, 0, 0], saturated=[0.5, 1.0, 1.0], within=[1] * 3, seed=2,
                    activation="relu", train_acc=0.1, test_acc=0.1)
    revived = fake_run([5, 0, 3], saturated=[0.5, 1.0, 0.3], within=[1] * 3, seed=1,
                       activation="relu")
    tanh = fake_run([1, 2, 3], saturated=[0.1] * 3, within=[1] * 3, train_acc=0.15)
    trained, untrained = mechanisms.set_apart_untrained([ok, dead, revived, tanh])
    assert trained == [ok, revived, tanh] and untrained == [dead]


def test_gap_rows_group_the_seeds_of_a_configuration():
    a, b = (fake_run([1, 2, 1], saturated=[0] * 3, within=[1] * 3, seed=s) for s in (0, 1))
    relu = fake_run([1, 2, 1], saturated=[0] * 3, within=[1] * 3, activation="relu")
    ra, rb, rr = mechanisms.gap_rows([a, b, relu], [EST])
    assert ra["key"] != rb["key"] and ra["config"] == rb["config"] != rr["config"]


def test_facts_quote_known_counts_and_correlations():
    # three tanh nets, each layer's curve known: w1 rises 2 then falls 4 (a phase, peak at
    # epoch 1, saturating and clustering), w3 falls from epoch 0 by 1 (early drift, no
    # geometry change), w6 stays flat; one ReLU net at the ceiling log2 100 throughout.
    # The accuracy gaps 0.3, 0.2, 0.1 rise with the drops 4, 1, 0 - but not linearly.
    phase = fake_run([1, 3, -1], saturated=[0, 0.1, 0.5], within=[1, 1, 0.5],
                     train_acc=0.95, test_acc=0.65)
    early = fake_run([2, 1.5, 1], saturated=[0] * 3, within=[1] * 3, variant="w3",
                     train_acc=0.9, test_acc=0.7)
    flat = fake_run([2, 2, 2], saturated=[0] * 3, within=[1] * 3, variant="w6",
                    train_acc=0.9, test_acc=0.8)
    top = fake_run([np.log2(100)] * 3, saturated=[0] * 3, within=[1] * 3, activation="relu")
    runs = [phase, early, flat, top, flat]  # the repeated run counts once
    cells = mechanisms.cell_rows(runs, [EST])
    gaps = mechanisms.gap_rows(runs, [EST])
    f = facts.compression_chapter_facts(runs, cells, gaps, [EST])
    h = len(phase.layers) - 1  # hidden layers per net (all follow the same curve)
    assert f["tanh_runs"] == "3" and f["relu_runs"] == "1"
    assert f["tanh_configs"] == "3" and f["tanh_layers"] == str(3 * h)
    assert f["tanh_points"] == f"{9 * h:,}" and f["relu_points"] == f"{3 * h:,}"
    assert f["relu_ceiling_range_bins"] == "100.0%" and f["tanh_ceiling_range_bins"] == "0.0%"
    assert f["tanh_range_bins_passing"] == str(2 * h)
    assert f["tanh_range_bins_early"] == str(h)  # w3 falls from epoch 0: drift
    # w1 peaks at epoch 1 too, but after a fitting phase, so it is named with the others
    assert f["tanh_range_bins_late"].startswith(
        "conv1 of 6 layers x 1 filter on MNIST, peak at epoch 1 after a rise of 2.000")
    assert f["tanh_range_bins_phase"] == str(h)
    assert f["tanh_range_bins_phase_layers"].startswith(
        "conv1 of 6 layers x 1 filter on MNIST: a rise of 2.00 to a peak at epoch 1, then a drop of 4.00")
    assert f["tanh_range_bins_largest_drop"] == "4.00"
    assert f["tanh_range_bins_saturating"] == str(h)
    assert f["tanh_range_bins_clustering"] == str(h)
    # drop per layer (4, 1, 0 per net) against the saturation rise (0.4, 0, 0): numpy's r
    drop = np.repeat([4.0, 1.0, 0.0], h)
    r = np.corrcoef(drop, np.repeat([0.4, 0.0, 0.0], h))[0, 1]
    assert f["tanh_range_bins_r_saturation"].startswith(f"{r:.2f} ")
    # gap: tanh runs (drops 4, 1, 0) against accuracy gaps (0.3, 0.2, 0.1), 3 configurations
    # are too few for an interval
    r = np.corrcoef([4.0, 1.0, 0.0], [0.3, 0.2, 0.1])[0, 1]
    assert f["gap_tanh_runs"] == "3" and f["gap_all_runs"] == "4"
    assert f["gap_tanh_range_bins_acc"] == f"{r:.2f} (no interval)"
    assert f["gap_tanh_range_bins_acc_zero"] == "has no interval"
    assert f["gap_width_tanh_range_bins_acc"] == f["gap_tanh_range_bins_acc"]  # all width
    assert f["gap_tanh_mnist_w1_acc_gap"] == "0.300"
    assert f["gap_tanh_mnist_w1_range_bins_drop"] == "4.00"
    assert f["gap_tanh_mnist_w3_range_bins_drop"] == "1.00"
    # an activation without runs is still named, so a page quoting it builds
    g = facts.compression_chapter_facts([phase], mechanisms.cell_rows([phase], [EST]), mechanisms.gap_rows([phase], [EST]),
                     [EST], activations=["tanh", "relu"])
    assert g["relu_runs"] == "0" and g["relu_ceiling_range_bins"] == "n/a"
    assert g["relu_range_bins_r_clustering"] == "n/a" and g["gap_relu_range_bins_acc"] == "n/a"


def test_interval_phrases():
    assert facts._zero({"r": -0.3, "lo": -0.6, "hi": 0.04}) == "includes 0"
    assert facts._zero({"r": -0.3, "lo": -0.6, "hi": -0.01}) == "excludes 0"
    assert facts._zero({"r": 0.3, "lo": float("nan"), "hi": float("nan")}) == "has no interval"
    assert facts._interval({"r": float("nan"), "lo": 0, "hi": 0}) == "n/a"
    assert facts.short_name("binning_bin_width0.67") == "paper_bins"
    assert facts.short_name("renyi_alpha1.01_n_samples500") == "renyi"
    assert facts.short_name("mine_x1.5") == "mine_x1_5"


def test_header_counts_a_dead_seed_as_stored_not_still_computing():
    # ReLU w1: seeds 0 and 1 trained, seed 2 dead (set apart); tanh w1: seeds 0 and 1 only
    from ibutils.book import CompressionChapter
    relu = [fake_run([1, 5, 3], saturated=[0.1] * 3, within=[1] * 3, activation="relu", seed=s)
            for s in (0, 1)]
    dead = fake_run([5, 0, 0], saturated=[0.5, 1.0, 1.0], within=[1] * 3, seed=2,
                    activation="relu", train_acc=0.1, test_acc=0.1)
    tanh = [fake_run([1, 2, 3], saturated=[0.1] * 3, within=[1] * 3, seed=s) for s in (0, 1)]
    study = CompressionChapter({("width", "tanh"): tanh, ("width", "relu"): relu},
                               get_profile("smoke", seeds=(0, 1, 2)), "test", (EST,),
                               untrained=[dead])
    header = str(study.header())
    assert "(still computing): MNIST, 6 layers x 1 filter." in header  # the tanh net lacks seed 2
    assert "1 filter, ReLU" not in header.split("Set apart")[0]  # the ReLU net has all three
    assert "MNIST, 6 layers x 1 filter, ReLU, seed 2 (0.100)" in header


def test_cell_clustering_rows_follow_the_ratio_over_each_seeds_fall():
    within = [0.8, 0.7, 0.75, 0.9]  # loosens by 0.2 from the peak (epoch 1) to the end
    seeds = [fake_run([1, 5 * s, 4, 3], saturated=[0.0] * 4, within=within, seed=i)
             for i, s in enumerate((1.0, 1.1, 0.9))]
    alone = fake_run([1, 5, 4, 3], saturated=[0.0] * 4, within=within, variant="w3")
    bare = [fake_run([1, 5, 4, 3], saturated=[0.0] * 4, within=within, variant="w6", seed=i)
            for i in range(2)]
    for snap in bare[1].payload["snapshots"]:  # one seed without the geometry measures
        for split in ("train", "test"):
            snap[split]["mi"].pop(GEO, None)
    for run in (*seeds, alone, *bare):  # the fitting epoch reads the paper's bins
        for snap in run.payload["snapshots"]:
            for split in ("train", "test"):
                snap[split]["mi"][PAPER_ID] = snap[split]["mi"][EST]
    groups = {"w1": seeds, "w3": [alone], "w6": bare}
    rows = mechanisms.cell_clustering_rows(groups, EST)
    assert {r["label"] for r in rows} == {"w1"} and len(rows) == 6  # its hidden layers
    row = rows[0]
    assert row["peak_epochs"] == [1, 1, 1]
    assert row["drop"] == pytest.approx(np.mean([5 * s - 3 for s in (1.0, 1.1, 0.9)]))
    assert row["d_within_between"] == pytest.approx(0.2)
    assert mechanisms.cell_clustering_rows({"w3": [alone]}, EST) == []


def test_clustering_facts_read_the_interval_and_contrast_two_orders():
    labels = ["a", "a", "b", "b", "c", "c", "d", "d", "e", "e"]
    drops = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
    looser = [{"label": g, "drop": d, "d_within_between": d / 10} for g, d in zip(labels, drops)]
    tighter = [{**r, "d_within_between": -r["d_within_between"]} for r in looser]
    a = robustness_facts.clustering_facts(looser, "alpha2")
    assert a["rob_alpha2_clustering_r"] == "-1.00" and a["rob_alpha2_clustering_side"] == "looser"
    assert a["rob_alpha2_clustering"].startswith(
        "the fall after fitting goes with looser class clusters, not tighter ones: r = -1.00 "
        "[-1.00, -1.00] over the 10 hidden cells of the 5 configurations")
    d = robustness_facts.clustering_facts(tighter, "default")
    assert d["rob_default_clustering_side"] == "tighter"
    assert robustness_facts.orders_contrast(a, d, "alpha2") == (
        "Order alpha = 2 and the default setting read the same layers in opposite ways: the "
        "falls under order alpha = 2 come with looser class clusters, those under the default "
        "with tighter ones, the clustering Goldfeld et al. call compression.")
    assert robustness_facts.orders_contrast(d | {"rob_alpha2_clustering_side": "tighter"}, d, "alpha2") == ""
    few = robustness_facts.clustering_facts(looser[:6], "alpha2")  # 3 configurations: no interval
    assert few["rob_alpha2_clustering_side"] == "neither"
    assert "too few configurations for an interval" in few["rob_alpha2_clustering"]
    assert robustness_facts.clustering_facts([], "alpha2")["rob_alpha2_clustering_r"] == "n/a"
