"""The compression test and saturation counts on constructed runs with known curves."""
import numpy as np
import pytest

from ibutils.analysis import compression, fitting, reproduction, statistics
from ibutils.architecture import get_variant
from ibutils.book import facts, reproduction_facts, tables
from ibutils.config import get_profile
from ibutils.results import constructed_run

EST = "binning_bin_width0.67"


def fake_run(curve, seed=0, n=1024, saturated_layer=None, variant="w1", accuracy=None,
             dataset="mnist"):
    """A stored run of width/`variant` whose I(X;T) follows `curve` over epochs 0..len-1 in
    every layer, with test accuracy `accuracy` (a list over epochs) if given."""
    run = get_profile("smoke").run_config(get_variant("width", variant), dataset, seed)
    epochs = range(len(curve))
    mi = {la: {"i_xt": list(curve), "i_ty": [1.0] * len(curve)} for la in run.net.layer_names}
    if saturated_layer:
        mi[saturated_layer]["i_xt"] = [float(np.log2(n))] * len(curve)
    values = {"loss": [1.0 / (e + 1) for e in epochs], "mi": {EST: mi},
              "accuracy": [0.5] * len(curve) if accuracy is None else accuracy}
    return constructed_run(run, epochs, values, n=n, factor="width", variant=variant)


def test_rise_then_fall_is_compression_with_peak_and_size():
    r = fake_run([1, 3, 5, 4.5, 4.0, 3.2])
    c = compression.compression(r, "conv1", estimator=EST)
    assert c["peak_epoch"] == 2 and c["drop"] == pytest.approx(1.8) and c["compressed"]
    assert c["rise"] == pytest.approx(4.0)


def test_monotone_rise_is_not_compression():
    c = compression.compression(fake_run([1, 2, 3, 4, 5]), "conv1", estimator=EST)
    assert c["drop"] == 0 and not c["compressed"]


def test_drop_within_seed_spread_is_not_compression():
    # the mean falls by 0.5 after its peak, but seeds end 1.0 bit apart
    runs = [fake_run([1, 5, 4.0], seed=0), fake_run([1, 5, 5.0], seed=1)]
    c = compression.compression(runs, "conv1", estimator=EST)
    assert c["drop"] == pytest.approx(0.5) and c["spread"] == pytest.approx(1.0)
    assert not c["compressed"]


def test_tiny_drop_below_floor_is_not_compression():
    c = compression.compression(fake_run([1, 5, 4.99]), "conv1", estimator=EST)
    assert c["drop"] == pytest.approx(0.01) and not c["compressed"]


def test_saturation_counts_hidden_layers_only():
    r = fake_run([1, 2, 3], n=1024, saturated_layer="conv2")
    counts = compression.saturation_counts([r], EST)
    hidden = len(r.layers) - 1  # softmax excluded
    assert counts["points"] == 3 * hidden and counts["saturated"] == 3
    assert counts["max_gap_bits"] == pytest.approx(10 - 1)


def test_compression_table_marks_passing_cells():
    table = tables.compression_table({"a": [fake_run([1, 5, 3])]}, [EST])
    assert "| a | paper's bins (width 0.67) | 2.00* (1) |" in table


def test_compression_counts_separate_hidden_output_and_peaks_at_init():
    fit_then_compress = fake_run([1, 5, 3])  # every layer: rise 4, drop 2
    from_init = fake_run([5, 4, 3], variant="w3")  # falls from epoch 0: rise 0
    flat = fake_run([2, 2, 2], variant="w6")
    (c,) = compression.compression_counts([fit_then_compress, from_init, flat], [EST])
    hidden = len(flat.layers) - 1
    assert c["hidden_cells"] == 3 * hidden and c["output_cells"] == 3
    assert c["hidden_pass"] == 2 * hidden and c["hidden_from_init"] == hidden
    assert c["output_pass"] == 2 and c["output_from_init"] == 1
    assert c["largest_hidden"] == pytest.approx(2.0)
    assert compression.compression_verdict(c) == "not held"
    tiny_rise = fake_run([5, 5.01, 3], variant="w12")  # peak at epoch 1, rise below 0.05
    (c,) = compression.compression_counts([from_init, tiny_rise, flat], [EST])
    assert c["hidden_pass"] == c["hidden_from_init"] == 2 * hidden
    assert compression.compression_verdict(c) == "held (only decreases without a fitting phase)"
    (c,) = compression.compression_counts([flat], [EST])
    assert compression.compression_verdict(c) == "held"


def test_trend_needs_a_net_change_and_allows_ties():
    # final accuracies 0.6, 0.7, 0.7, 0.9: non-decreasing with one tie
    runs = [fake_run([1, 2], variant=v, accuracy=[0.1, a])
            for v, a in zip(["w1", "w3", "w6", "w12"], [0.6, 0.7, 0.7, 0.9])]
    check = fitting.trend(runs, "acc", ["w1", "w3", "w6", "w12"], "up")
    assert check["mnist"]["values"] == pytest.approx([0.6, 0.7, 0.7, 0.9])
    assert check["mnist"]["holds"] and check["mnist"]["ties"]
    assert not fitting.trend(runs, "acc", ["w1", "w3", "w6", "w12"], "down")["mnist"]["holds"]
    flat = [fake_run([1, 2], variant=v, accuracy=[0.1, 0.5]) for v in ("w1", "w3")]
    assert not fitting.trend(flat, "acc", ["w1", "w3"], "up")["mnist"]["holds"]
    # the first snapshot reaching 95% of the final accuracy
    fast = fitting.fitting_rows([fake_run([1, 2, 3], accuracy=[0.1, 0.96, 1.0])])[0]["fast"]
    assert fast == 1
    # several seeds: the table gives the mean and each seed's own [min, max]
    seeds = [fake_run([1, 2, 3], seed=0, accuracy=[0.1, 0.96, 1.0]),
             fake_run([1, 2, 3], seed=1, accuracy=[0.1, 0.5, 0.8])]
    row = fitting.fitting_rows(seeds)[0]
    assert row["acc"] == pytest.approx(0.9)
    assert row["per_seed"]["acc"] == pytest.approx([1.0, 0.8])
    assert row["per_seed"]["fast"] == [1, 2]
    assert row["fast"] == 2  # mean curve 0.1, 0.73, 0.9 first reaches 0.95 * 0.9 at epoch 2
    table = tables.fitting_table(seeds)
    assert "| 0.900 [0.800, 1.000] |" in table and "| 2 [1, 2] |" in table
    with pytest.raises(ValueError, match="direction.*allowed"):
        fitting.trend(runs, "acc", ["w1"], "sideways")


def test_compression_table_leaves_cells_of_missing_layers_empty():
    from ibutils.results import RunResult as R
    shallow = fake_run([1, 5, 3])
    payload = {**shallow.payload, "layers": ["conv1", "softmax"]}
    table = tables.compression_table({"deep": [fake_run([1, 2, 3])],
                                      "shallow": [R(payload, variant="w1")]}, [EST])
    header = table.splitlines()[0]
    assert header.startswith("| configuration | estimator | conv1 | conv2 |")
    assert header.endswith("| softmax |")
    assert "| shallow | paper's bins (width 0.67) | 2.00* (1) |  |" in table


def test_snr_rows_find_the_first_epoch_of_diffusion():
    r = fake_run([1, 2, 3, 4])
    for snap, snr in zip(r.payload["snapshots"], [3.0, 1.5, 0.5, 0.2]):
        snap["gradients"] = {la: {"mean": snr, "std": 1.0, "snr": snr} for la in r.layers}
    (row, *_) = fitting.snr_rows([r])
    assert row == {"label": "MNIST, 6 layers x 1 filter", "layer": "conv1", "first": 3.0, "last": 0.2,
                   "below_one": 2}
    never = fake_run([1, 2])
    for snap in never.payload["snapshots"]:
        snap["gradients"] = {la: {"mean": 2.0, "std": 1.0, "snr": 2.0} for la in never.layers}
    assert all(row["below_one"] is None for row in fitting.snr_rows([never]))
    assert "| MNIST, 6 layers x 1 filter | softmax | 2.000 | 2.000 | - |" in tables.snr_table([never])


def test_pearson_ci_against_numpy_and_the_fisher_formula():
    rng = np.random.default_rng(0)
    x = rng.normal(size=50)
    y = 0.6 * x + rng.normal(size=50)
    c = statistics.pearson_ci(x, y)
    assert c["n"] == 50 and c["r"] == pytest.approx(np.corrcoef(x, y)[0, 1], abs=1e-12)
    z = np.arctanh(c["r"])
    assert c["lo"] == pytest.approx(np.tanh(z - 1.959964 / np.sqrt(47)), abs=1e-6)
    assert c["hi"] == pytest.approx(np.tanh(z + 1.959964 / np.sqrt(47)), abs=1e-6)
    assert c["lo"] < c["r"] < c["hi"]
    line = statistics.pearson_ci([1, 2, 3, 4, 5], [2, 4, 6, 8, 10])
    assert line["r"] == pytest.approx(1.0) and line["hi"] == pytest.approx(1.0, abs=1e-5)
    assert np.isnan(statistics.pearson_ci([1, 1, 1, 1], [1, 2, 3, 4])["r"])
    # undefined pairs (a dead layer's geometry) are left out and not counted
    gappy = statistics.pearson_ci([1, 2, np.nan, 3, 4, 5], [2, 4, 1, 6, np.inf, 10])
    assert gappy["n"] == 4 and gappy["r"] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="x, y: expected"):
        statistics.pearson_ci([1, 2], [1, 2, 3])


def test_overfitting_summary_counts_configurations_whose_loss_rises():
    # fake_run's loss is 1/(epoch+1): falling, minimum at the last snapshot
    falling = fake_run([1, 2, 3], variant="w1")
    rising = fake_run([1, 2, 3], variant="w3")
    for snap, loss in zip(rising.payload["snapshots"], [1.0, 0.5, 0.8]):
        snap["test"] = {**snap["test"], "loss": loss}
    text = tables.overfitting_summary({"width": [falling, rising]})
    assert text == ("MNIST: 1 of 2 configurations end with a test loss more than 10% above "
                    "its minimum (median epoch of the minimum: 1).")
    # a second seed of a configuration is not a second configuration
    text = tables.overfitting_summary({"width": [falling, rising, fake_run([1, 2, 3], seed=1)]})
    assert text.startswith("MNIST: 1 of 2 configurations")


def test_precision_check_compares_with_the_same_seed_and_seed_to_seed_distance():
    # fp32 seeds at 1, 2, 3 bits everywhere: pairwise distances 1, 2, 1 -> mean 4/3
    ref = [fake_run([v] * 4, seed=s) for s, v in enumerate((1.0, 2.0, 3.0))]
    near = reproduction.precision_check(ref, fake_run([1.5] * 4, seed=0), [EST])  # 0.5 from seed 0
    far = reproduction.precision_check(ref, fake_run([3.0] * 4, seed=0), [EST])  # 2 from seed 0
    ixt = lambda rows: next(r for r in rows if r["quantity"]  # noqa: E731
                            == "I(X;T) of conv1, paper's bins (width 0.67)")
    assert ixt(near)["seeds"] == pytest.approx(4 / 3)
    assert ixt(near)["ratio"] == pytest.approx(0.5 / (4 / 3)) and ixt(near)["within"]
    assert ixt(far)["ratio"] == pytest.approx(2 / (4 / 3)) and not ixt(far)["within"]
    # losses and accuracies of identical fake runs: no spread, no distance -> within
    loss = next(r for r in near if r["quantity"] == "loss")
    assert loss["ratio"] == 0 and loss["within"]
    with pytest.raises(ValueError, match="reference: got 2 runs, allowed at least 3"):
        reproduction.precision_check(ref[:2], ref[2], [EST])
    with pytest.raises(ValueError, match="no run of the candidate's seed 7"):
        reproduction.precision_check(ref, fake_run([1.0] * 4, seed=7), [EST])


def test_reproduction_rows_count_the_papers_quantities():
    r = fake_run([1, 2, 3, 2.5], n=1024, saturated_layer="conv2", accuracy=[0.1, 0.5, 0.9, 0.8])
    losses = [2.0, 0.5, 0.7, 1.1]  # lowest at epoch 1, then overfitting
    for snap, loss in zip(r.payload["snapshots"], losses):
        snap["test"]["loss"] = loss  # (train and test share the dict in fake_run)
    (row,) = reproduction.reproduction_rows([r], EST, reported={("mnist", "w1"): 2.5})
    hidden = len(r.layers) - 1
    assert row["points"] == 4 * hidden and row["at_log2n"] == 4  # only conv2, at every epoch
    assert row["at_hy"] == 4 * hidden  # i_ty = 1.0 = H(Y) in every hidden layer
    assert row["softmax_ixt_max"] == 3 and row["ity"] == 1.0 and row["paper_ity"] == 2.5
    assert row["acc"] == 0.8 and row["last_epoch"] == 3
    assert (row["min_loss_epoch"], row["min_loss"], row["loss"]) == (1, 0.5, 1.1)
    (other,) = reproduction.reproduction_rows([fake_run([1, 2], variant="w3")], EST, reported={})
    assert other["paper_ity"] is None
    table = tables.reproduction_table([row, other])
    assert "about 2.5" in table and "not reported" in table and "0.500 (1) -> 1.100" in table


def test_agreement_compares_the_same_run_under_two_schedules_on_shared_epochs():
    long = fake_run([1, 2, 3, 4, 5])
    short = fake_run([1, 2, 3.25])
    short.payload["config"]["schedule"] = "paper"  # another profile's schedule, same run
    stranger = fake_run([9, 9, 9], seed=1)  # no partner: left out
    (row,) = reproduction.agreement_rows([long, stranger], [short], [EST])
    assert (row["epochs"], row["last"]) == (3, 2)
    assert row[f"{EST}:i_xt"] == pytest.approx(0.25) and row[f"{EST}:i_ty"] == 0
    assert row["acc"] == 0 and row["loss"] == 0
    assert reproduction.agreement_rows([long], [fake_run([1, 2, 3], variant="w3")], [EST]) == []


def test_cluster_bootstrap_counts_copies_within_a_group_once():
    # three identical pairs per group carry the information of one pair: resampling groups
    # of the tripled data gives exactly the interval of the single pairs (same draws), while
    # the pairwise interval of the tripled data is too narrow
    rng = np.random.default_rng(1)
    x = rng.normal(size=30)
    y = 0.5 * x + rng.normal(size=30)
    single = statistics.cluster_bootstrap_ci(x, y, np.arange(30))
    tripled = statistics.cluster_bootstrap_ci(np.repeat(x, 3), np.repeat(y, 3),
                                          np.repeat(np.arange(30), 3))
    assert tripled["r"] == pytest.approx(single["r"]) == pytest.approx(np.corrcoef(x, y)[0, 1])
    assert (tripled["lo"], tripled["hi"]) == pytest.approx((single["lo"], single["hi"]))
    assert (tripled["n"], tripled["groups"]) == (90, 30)
    naive = statistics.pearson_ci(np.repeat(x, 3), np.repeat(y, 3))
    assert naive["hi"] - naive["lo"] < 0.7 * (tripled["hi"] - tripled["lo"])


def test_cluster_bootstrap_matches_fisher_for_independent_normal_pairs():
    # one pair per group, bivariate normal: the bootstrap interval approaches Fisher's
    rng = np.random.default_rng(2)
    x = rng.normal(size=400)
    y = 0.6 * x + 0.8 * rng.normal(size=400)
    boot = statistics.cluster_bootstrap_ci(x, y, np.arange(400), n_boot=4000)
    fisher = statistics.pearson_ci(x, y)
    assert boot["lo"] == pytest.approx(fisher["lo"], abs=0.03)
    assert boot["hi"] == pytest.approx(fisher["hi"], abs=0.03)


def test_cluster_bootstrap_drops_undefined_pairs_and_needs_four_groups():
    c = statistics.cluster_bootstrap_ci([1, 2, np.nan, 4, 5], [1, 3, 2, 5, 4], [0, 1, 2, 3, 3])
    assert (c["n"], c["groups"]) == (4, 3) and np.isnan(c["lo"]) and np.isfinite(c["r"])
    with pytest.raises(ValueError, match="x, y, groups"):
        statistics.cluster_bootstrap_ci([1, 2], [1, 2], [0])


def test_cluster_bootstrap_gives_no_interval_when_few_groups_carry_the_variation():
    # x is non-zero in one group of twelve: most resamples miss it and have no r at all
    groups = np.repeat(np.arange(12), 5)
    x = np.where(groups == 3, np.linspace(1, 2, 60), 0.0)
    y = np.random.default_rng(3).normal(size=60)
    c = statistics.cluster_bootstrap_ci(x, y, groups)
    assert np.isfinite(c["r"]) and np.isnan(c["lo"]) and np.isnan(c["hi"])
    assert c["degenerate"] == pytest.approx((11 / 12) ** 12, abs=0.03)  # P(group 3 not drawn)


def test_verdict_facts_quote_saturation_compression_and_overfitting():
    fit_then_compress = fake_run([1, 5, 3])  # every layer: rise 4, drop 2
    from_init = fake_run([5, 4, 3], variant="w3", saturated_layer="conv1")  # drop 1 elsewhere
    rising = fake_run([2, 2, 2], variant="w6")
    for snap, loss in zip(rising.payload["snapshots"], [1.0, 0.5, 0.8]):
        snap["test"] = {**snap["test"], "loss": loss}
    study = {"width": [fit_then_compress, from_init, rising], "depth": [rising]}
    f = facts.verdict_facts(study, [EST])
    hidden = len(rising.layers) - 1
    # distinct runs: the w6 net in two factors once; conv1 of w3 at log2 1024 in 3 snapshots
    assert f["sat_points"] == f"{9 * hidden:,}" and f["sat_paper_bins"] == "3"
    assert f["sat_paper_bins_pct"] == f"{100 * 3 / (9 * hidden):.1f}%"
    # cells per factor: width 3 nets, depth 1 (the w6 net again); passing: w1 all hidden
    # layers, w3 all but the saturated conv1; from initialisation: those of w3
    assert f["paper_bins_cells"] == str(4 * hidden)
    assert f["paper_bins_pass"] == str(2 * hidden - 1)
    assert f["paper_bins_from_init"] == str(hidden - 1)
    assert f["paper_bins_largest"] == "2.00" and f["paper_bins_largest_where"] == "conv1 of 6 layers x 1 filter on MNIST"
    assert f["overfit_mnist"] == "1 of 3" and f["overfit_fashion_mnist"] == "n/a"
    # one seed everywhere: no cell can be compared with a spread across seeds
    assert f["paper_bins_seeded_cells"] == "0" and f["paper_bins_seeded_where"] == "none"
    # two seeds of w3 (mean curve 5, 4.25, 3.25: a drop of 1.75 against a final spread of
    # 0.5, so every hidden layer passes) and two flat seeds of w6 (no drop)
    w3 = [fake_run([5, 4, 3], variant="w3", seed=0), fake_run([5, 4.5, 3.5], variant="w3", seed=1)]
    flat = [fake_run([2, 2, 2], variant="w6", seed=s) for s in (0, 1)]
    f = facts.verdict_facts({"width": [*w3, *flat, fit_then_compress]}, [EST])
    layers = ", ".join(w3[0].layers[:-1])
    assert f["paper_bins_seeded_cells"] == str(2 * hidden)
    assert f["paper_bins_seeded_pass"] == str(hidden)
    assert f["paper_bins_seeded_where"] == f"{layers} of 6 layers x 3 filters on MNIST"
    assert f["paper_bins_pass"] == str(2 * hidden)  # the one-seed w1 net passes too


def test_dip_is_the_seed_mean_low_against_the_first_snapshot():
    # seeds 5 -> 3 -> 2 -> 4 and 5 -> 1 -> 2 -> 4: the mean (5, 2, 2, 4) is lowest first at
    # epoch 1, 3 below its start, and ends 1 below it
    runs = [fake_run([5, 3, 2, 4], seed=0), fake_run([5, 1, 2, 4], seed=1)]
    d = compression.dip(runs, "conv1", estimator=EST)
    assert (d["low_epoch"], d["first"], d["low"], d["last"]) == (1, 5.0, 2.0, 4.0)
    assert d["dip"] == pytest.approx(3.0) and d["change"] == pytest.approx(-1.0)
    assert compression.dip(fake_run([1, 2, 3]), "conv1", estimator=EST)["dip"] == 0.0


def test_dip_facts_name_the_deepest_dip_and_the_epochs_of_the_lows():
    # w1 dips 4 at epoch 2 and ends 1 above its start; w3 dips 0.5 at epoch 1 and ends
    # 0.5 below; a 0.01 dip (w6) is below the floor, so its epoch is not among the lows
    w1 = fake_run([5, 3, 1, 6], variant="w1")
    w3 = fake_run([2, 1.5, 1.5, 1.5], variant="w3")
    w6 = fake_run([2, 2, 2, 1.99], variant="w6")
    f = facts.chapter_facts([w1, w3, w6], [EST])
    assert f["paper_bins_dip"] == "4.00"
    assert f["paper_bins_dip_where"] == "conv1 of 6 layers x 1 filter on MNIST, epoch 2"  # first hidden layer
    assert f["paper_bins_dip_epochs"] == "1-2" and f["paper_bins_end_change"] == "1.00"
    flat = facts.chapter_facts([fake_run([2, 2, 3])], [EST])
    assert (flat["paper_bins_dip"], flat["paper_bins_dip_where"]) == ("0.00", "none")
    assert flat["paper_bins_dip_epochs"] == "none"


def test_chapter_facts_quote_fitting_saturation_and_compression():
    # w1: accuracy 0.5 -> 0.9 reaching 95% of it at epoch 2; w3: flat 0.8 (epoch 0), two seeds
    # of w3 whose final accuracies differ by 0.1; conv2 of w1 at log2 1024 in 3 snapshots
    w1 = fake_run([1, 5, 3], accuracy=[0.5, 0.8, 0.9], saturated_layer="conv2")
    w3 = [fake_run([2, 2, 2], variant="w3", accuracy=[0.8] * 3, seed=s) for s in (0, 1)]
    w3[1].payload["snapshots"][-1]["test"] = {**w3[1].payload["snapshots"][-1]["test"],
                                              "accuracy": 0.7}
    f = facts.chapter_facts([w1, *w3], [EST, EST])
    hidden = len(w1.layers) - 1
    assert f["runs"] == "3"
    assert f["mnist_acc"] == "0.900, 0.750" and f["mnist_w3_acc"] == "0.750"
    assert f["mnist_fast"] == "2, 0" and f["mnist_w3_fast_range"] == "0"
    assert f["mnist_w1_loss"] == f"{1 / 3:.3f}"  # fake loss 1/(epoch+1)
    assert f["acc_spread"] == "0.100"
    assert f["sat_points"] == f"{9 * hidden:,}" and f["sat_paper_bins"] == "3"
    # w1's hidden layers rise 4 and drop 2, all but the saturated conv2; w3 is flat
    assert f["paper_bins_cells"] == str(2 * hidden)
    assert f["paper_bins_pass"] == str(hidden - 1) and f["paper_bins_from_init"] == "0"
    assert f["paper_bins_largest"] == "2.00"
    assert f["paper_bins_outputs"] == "2" and f["paper_bins_outputs_pass"] == "1"


def test_estimators_a_run_lacks_are_skipped_not_failed():
    r = fake_run([1, 5, 3])
    other = "renyi_alpha1.01_n_samples500"
    assert r.has_estimator(EST) and not r.has_estimator(other)
    counts = {c["estimator"]: c for c in compression.compression_counts([r], [EST, other])}
    assert counts[EST]["hidden_cells"] == len(r.layers) - 1 and counts[other]["hidden_cells"] == 0
    found = facts.chapter_facts([r], [EST, EST, other])  # paper bins, bins, Renyi
    assert "paper_bins_dip" in found and "renyi_dip" not in found
    partial = fake_run([1, 5, 3])  # being measured with a new estimator: first snapshots only
    partial.payload["snapshots"][0]["test"]["mi"][other] = {}
    assert not partial.has_estimator(other)


def _long_run():
    """A constructed 2-layer run over a 10,000-epoch schedule whose every quantity the long-
    horizon rows read is set by hand: the test loss is lowest at epoch 200 and ends 5x
    higher; conv1's Renyi I(X;T) dips by 0.2 at epoch 10 and climbs back to 0.02 below its
    start; conv2's rises to a peak at epoch 100 (when the output has fit) and falls by 0.2."""
    epochs = [0, 2, 10, 100, 200, 1000, 5000, 10000]
    run = get_profile("smoke").run_config(get_variant("depth", "d2"), "mnist", 0)
    ceiling = [10.0] * 8  # log2 n for n = 1024: every hidden point at the ceiling
    ones = [1.0] * 8
    binned = {"conv1": {"i_xt": ceiling, "i_ty": ones}, "conv2": {"i_xt": ceiling, "i_ty": ones},
              "softmax": {"i_xt": [0, 1, 3, 3.4, 3.3, 3.3, 3.2, 3.1],
                          "i_ty": [0, 1, 2, 2.8, 2.9, 2.8, 2.7, 2.6]}}  # fits at epoch 100
    renyi = {"conv1": {"i_xt": [1.6, 1.5, 1.4, 1.45, 1.5, 1.55, 1.56, 1.58], "i_ty": ones},
             "conv2": {"i_xt": [1.0, 1.2, 1.3, 1.5, 1.4, 1.3, 1.3, 1.3], "i_ty": ones},
             "softmax": {"i_xt": [1.7, 1.6, 1.5, 1.3, 1.2, 1.1, 1.05, 1.0], "i_ty": ones}}
    count = {la: {"i_xt": [10, 9, 8, 6, 5, 4, 3.5, 3.0], "i_ty": ones}
             for la in ("conv1", "conv2", "softmax")}
    mi = {EST: binned, RENYI: renyi, COUNT: count}
    test = {"loss": [2.3, 1.0, 0.5, 0.3, 0.2, 0.4, 0.8, 1.0],
            "accuracy": [0.1, 0.5, 0.8, 0.9, 0.93, 0.92, 0.91, 0.90], "mi": mi}
    train = {"loss": [2.3, 1.0, 0.4, 0.1, 0.05, 0.01, 0.001, 1e-4],
             "accuracy": [0.1, 0.5, 0.85, 0.95, 0.98, 1.0, 1.0, 1.0], "mi": mi}
    return constructed_run(run, epochs, train, test, n=1024, factor="depth", variant="d2")


RENYI, COUNT = "renyi_alpha1.01_n_samples500", "binning_n_bins30"


def test_long_horizon_rows_find_the_best_epoch_the_overfitting_and_each_layers_path():
    (row,) = reproduction.long_horizon_rows([_long_run()], binned=EST, by_count=COUNT,
                                           renyi=RENYI)
    assert (row["min_loss_epoch"], row["min_loss_between"], row["fit_epoch"]) == (200, (100, 1000), 100)
    assert row["loss_ratio"] == pytest.approx(5.0) and row["train_acc"] == 1.0
    assert (row["acc_at_min_loss"], row["acc"], row["best_acc"]) == (0.93, 0.90, 0.93)
    assert (row["ity_at_min_loss"], row["ity"]) == (2.9, 2.6)
    assert row["softmax_fall"] == pytest.approx(0.3) and row["softmax_peak_epoch"] == 100
    assert row["hidden_fall"] == 0.0
    conv1, conv2 = row["renyi_hidden"]
    assert (conv1["dip"], conv1["low_epoch"], conv1["change"]) == pytest.approx((0.2, 10, -0.02))
    assert not conv1["compressed"] and conv1["fall"] == pytest.approx(0.02)
    assert conv2["compressed"] and conv2["after_fit"] and conv2["fall"] == pytest.approx(0.2)
    assert (row["renyi_softmax_first"], row["renyi_softmax_last"], row["renyi_softmax_peak_epoch"]) \
        == (1.7, 1.0, 0)
    assert (row["count_softmax_first"], row["count_softmax_last"]) == (10, 3.0)
    table = tables.long_horizon_table([row])
    assert "0.200 (200) → 1.000 (x5.0)" in table and "conv2 0.20 (100)" in table
    assert "conv1: 1.600 → 1.400 (10) → 1.580" in table


def test_reproduction_facts_quote_the_long_runs_and_say_what_is_missing():
    run = _long_run()
    long = reproduction.long_horizon_rows([run], binned=EST, by_count=COUNT, renyi=RENYI)
    against = reproduction.reproduction_rows([run], EST)
    agree = [{"epochs": 16, "acc": 0.0, "loss": 1.6e-6, f"{EST}:i_xt": 2e-4, f"{EST}:i_ty": 0,
              f"{COUNT}:i_xt": 1e-5, f"{COUNT}:i_ty": 0, f"{RENYI}:i_xt": 5e-6,
              f"{RENYI}:i_ty": 1e-6}]
    names = {"binned": EST, "by_count": COUNT, "renyi": RENYI}
    f = reproduction_facts.reproduction_facts(long, against, agree, names, reported={("mnist", "d2"): 2.5},
                                 missing=["3 layers x 12 filters (MNIST)"])
    assert f["rep_nets_list"] == "2 layers x 6 filters" and f["rep_epochs"] == "10,000"
    assert f["rep_missing"] == "No run at this horizon yet: 3 layers x 12 filters (MNIST)."
    assert (f["rep_at_log2n"], f["rep_at_hy"]) == ("all 16", "all 16")
    assert f["rep_paper_ity"] == ("2.600 bits for 2 layers x 6 filters (the paper: about 2.5; "
                                  "2.900 at its lowest test loss)")
    assert (f["rep_min_loss_epochs"], f["rep_min_loss_between"]) == ("200", "100 and 1,000")
    assert (f["rep_loss_ratio"], f["rep_acc_lost"]) == ("5.0", "1 of 1")
    assert f["rep_acc_lost_where"] == "2 layers x 6 filters (0.930 at epoch 200, 0.900 at the end)"
    assert (f["rep_hidden_fall"], f["rep_softmax_fall"], f["rep_softmax_peaks"]) == ("0.000", "0.30", "100")
    assert (f["rep_renyi_dipped"], f["rep_renyi_dip_epochs"], f["rep_renyi_back"]) == ("1 of 2", "10", "1 of 1")
    assert (f["rep_renyi_near_start"], f["rep_renyi_fell"], f["rep_renyi_fell_drops"]) == ("1 of 2", "1 of 2", "0.20")
    assert f["rep_renyi_fell_after"].startswith("1 of these peaks come after the net has fit: "
                                                "conv2 of 2 layers x 6 filters (peak at epoch 100")
    assert (f["rep_renyi_softmax_first"], f["rep_renyi_softmax_last"]) == ("1.700", "1.000")
    assert (f["rep_count_softmax_first"], f["rep_count_softmax_last"]) == ("10.00", "3.00")
    assert (f["rep_agree_acc"], f["rep_agree_loss"], f["rep_agree_binned"], f["rep_agree_renyi"]) \
        == ("0", "2e-6", "2e-4", "5e-6")
    long[0]["renyi_hidden"][1]["after_fit"] = False  # the same fall from a peak before fitting
    f = reproduction_facts.reproduction_facts(long, against, [], names)
    assert f["rep_renyi_fell_after"].startswith("Every one of these peaks comes before its net "
                                                "has fit (the compression test's fitting epoch, 100")
    assert f["rep_agree_acc"] == "n/a" and f["rep_missing"] == ""
    empty = reproduction_facts.reproduction_facts([], [], [], names, missing=["a (MNIST)", "b (MNIST)"])
    assert empty["rep_nets"] == "n/a" and empty["rep_missing"].endswith("a (MNIST) and b (MNIST).")
