"""The noisy-network estimator (`ibutils.mi.noisy_mi`) against known answers, and noisy
networks (`NetConfig.noise_std`): noise in training and measurement, reproducible, with cache
keys of their own."""
import math
import os
from pathlib import Path

import numpy as np
import pytest
import torch

from ibutils.analysis.noise_scale import nearest_neighbour_distances, noise_sweep
from ibutils.architecture import get_variant
from ibutils.config import get_profile, noisy
from ibutils.labels import config_label, estimator_label
from ibutils.mi import noisy_mi
from ibutils.mi.known_answers import gaussian_pair_mi
from ibutils.models import GaussianNoise, build_cnn, is_noisy
from ibutils.record import capture, estimates
from ibutils.train import new_model, train_epoch


def test_far_apart_rows_give_log2_n():
    rng = np.random.default_rng(0)
    t = rng.normal(size=(64, 5)) * 1000.0
    r = noisy_mi(t, np.arange(64) % 2, noise_std=1.0, mc_samples=500)
    assert r.i_xt == pytest.approx(6.0, abs=1e-9)
    assert r.i_ty == pytest.approx(1.0, abs=1e-9)  # two balanced classes, each row apart


def test_identical_rows_give_zero():
    r = noisy_mi(np.ones((50, 4)), np.arange(50) % 5, noise_std=0.3, mc_samples=500)
    assert r.i_xt == pytest.approx(0.0, abs=1e-12)
    assert r.i_ty == pytest.approx(0.0, abs=1e-12)


def test_two_far_clusters_give_one_bit_for_both():
    t = np.r_[np.zeros((40, 3)), np.full((40, 3), 50.0)]
    y = np.r_[np.zeros(40, int), np.ones(40, int)]
    r = noisy_mi(t + 1e-3 * np.arange(80)[:, None], y, noise_std=1.0, mc_samples=1000)
    assert r.i_xt == pytest.approx(1.0, abs=0.01)  # rows within a cluster are ~1e-2 apart
    assert r.i_ty == pytest.approx(1.0, abs=1e-9)


@pytest.mark.parametrize("separation", [0.5, 2.0, 4.0])
def test_two_points_match_numerical_integration(separation):
    truth = gaussian_pair_mi(separation)
    beta = 0.1
    t = np.array([[0.0], [separation * beta]])
    r = noisy_mi(t, np.array([0, 1]), noise_std=beta, mc_samples=40_000, seed=1)
    assert abs(r.i_xt - truth) < 4 * r.i_xt_se
    assert r.i_ty == pytest.approx(r.i_xt)  # one row per class: Y carries all of X
    assert 0.001 < r.i_xt_se < 0.02


def test_numerical_integration_limits():
    assert gaussian_pair_mi(0.0) == pytest.approx(0.0, abs=1e-9)
    assert gaussian_pair_mi(40.0) == pytest.approx(1.0, abs=1e-9)
    # 2 noise std apart: 0.486 bits (also by a 1e6-point Monte-Carlo check, not stored)
    assert gaussian_pair_mi(2.0) == pytest.approx(0.4859, abs=1e-3)


def test_standard_errors_cover_the_truth_at_their_rate():
    truth = gaussian_pair_mi(2.0)
    t, y = np.array([[0.0], [2.0]]), np.array([0, 1])
    z = [(r.i_xt - truth) / r.i_xt_se
         for r in (noisy_mi(t, y, noise_std=1.0, mc_samples=400, seed=s) for s in range(400))]
    inside = np.mean(np.abs(z) < 1.96)
    # 400 replicates: a 95% interval covers at 0.95 +- 0.011 (one s.e.); allow three
    assert 0.917 < inside < 0.983


def test_several_centres_per_input_mix_given_x():
    # each input's two centres are 2 noise std apart; the inputs themselves far apart:
    # I(X;T) = log2 N exactly as with one centre (T still identifies X)...
    far = np.stack([np.array([[0.0], [2.0]]) + 1000.0 * i for i in range(8)])
    r = noisy_mi(far, np.arange(8) % 2, noise_std=1.0, mc_samples=2000)
    assert r.i_xt == pytest.approx(3.0, abs=1e-9)
    # ...and one input whose two centres coincide with the other's: T says nothing of X
    same = np.array([[[0.0], [2.0]], [[2.0], [0.0]]])
    r = noisy_mi(same, np.array([0, 1]), noise_std=1.0, mc_samples=2000)
    assert r.i_xt == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize("kwargs, match", [
    ({"noise_std": 0.0}, "noise_std"),
    ({"noise_std": 1.0, "mc_samples": 1}, "mc_samples"),
])
def test_bad_arguments_are_named(kwargs, match):
    with pytest.raises(ValueError, match=match):
        noisy_mi(np.zeros((4, 2)), np.arange(4), **kwargs)


def test_noisy_network_config_key_and_labels():
    prof = get_profile("smoke")
    plain = prof.run_config(get_variant("width", "w1"), "mnist", 0)
    noisy_run = prof.run_config(get_variant("width", "w1", noise_std=0.1), "mnist", 0)
    assert plain.key() != noisy_run.key()
    assert "noise_std" not in str(plain.key())
    # a deterministic net keeps the key it had before noise_std existed
    assert get_profile("book").run_config(get_variant("width", "w1"), "mnist", 0).key() \
        == "e0363f491377"
    assert config_label("mnist", "w3", noise_std=0.1) == "MNIST, 6 layers x 3 filters, noise 0.1"
    assert estimator_label(noisy().id) == "noisy-network MI (Goldfeld et al.)"
    with pytest.raises(ValueError, match="noise_std"):
        get_variant("width", "w1", noise_std=-1)


def test_noisy_network_trains_reproducibly_and_records_noise_free_centres():
    cfg = get_variant("depth", "d2", noise_std=0.2)
    model = build_cnn(cfg)
    assert is_noisy(model) and not is_noisy(build_cnn(get_variant("depth", "d2")))
    assert sum(isinstance(m, GaussianNoise) for m in model.modules()) == 2
    run = get_profile("smoke").run_config(cfg, "mnist", 0)
    g = torch.Generator().manual_seed(0)
    x = torch.rand(200, 1, 28, 28, generator=g)
    y = torch.arange(200) % 10
    losses = []
    for _ in range(2):
        m, opt = new_model(run)
        losses.append([train_epoch(m, opt, x, y, seed=0, epoch=e, batch_size=100)
                       for e in range(2)])
    assert losses[0] == losses[1]  # same seed, same noise: the same trajectory
    acts1, _ = capture(m, x[:50])
    acts2, _ = capture(m, x[:50])
    assert np.array_equal(acts1["conv2"], acts2["conv2"])  # one fixed measurement draw
    # conv1 is recorded before its own noise: exactly tanh(conv(x))
    with torch.no_grad():
        s1 = m.net.conv1(x[:50]).permute(0, 2, 3, 1).reshape(50, -1).numpy()
    np.testing.assert_allclose(acts1["conv1"], s1, atol=1e-6)
    # the noise reaches the next layer: conv2 differs from the noise-free network's
    clean = build_cnn(get_variant("depth", "d2"))
    clean.load_state_dict(m.state_dict())
    acts_clean, _ = capture(clean, x[:50])
    assert not np.allclose(acts_clean["conv2"], acts1["conv2"], atol=1e-3)


def test_recorder_runs_noisy_estimator_at_the_nets_own_noise():
    from ibutils.data import Split
    torch.manual_seed(0)
    m = build_cnn(get_variant("depth", "d1", noise_std=0.5))
    x = torch.rand(60, 1, 28, 28)
    split = Split(x=x, y=torch.arange(60) % 10)
    out = estimates(m, split, [noisy(n_samples=40, mc_samples=200)], epoch=0)
    (est_id, layers), = out.items()
    assert set(layers) == {"conv1"}  # hidden layers only: the output has no noise
    assert 0 <= layers["conv1"]["i_xt"] <= math.log2(40) + 1e-9
    with pytest.raises(ValueError, match="noisy networks only"):
        estimates(build_cnn(get_variant("depth", "d1")), split, [noisy(n_samples=40)], epoch=0)


def test_a_noisy_net_is_measured_on_one_noise_draw_with_or_without_a_full_capture():
    """Added later from cached weights (no full capture at hand), an estimator on a subsample
    of a noisy net must see the rows of the same noise draw as one measured while training
    (`measure_split` passes its full capture): in conv2 the noise of conv1 enters S(x)."""
    from ibutils.config import spacing
    from ibutils.data import Split
    torch.manual_seed(0)
    m = build_cnn(get_variant("depth", "d2", noise_std=0.5))
    m.eval()
    split = Split(x=torch.rand(80, 1, 28, 28), y=torch.arange(80) % 10)
    ests = [spacing(n_samples=40), noisy(n_samples=40, mc_samples=100)]
    full, _ = capture(m, split.x)
    while_training = estimates(m, split, ests, epoch=3, full=full)
    later = estimates(m, split, ests, epoch=3)
    assert later == while_training
    # and the draw matters: another draw of conv1's noise moves conv2's distances
    other, _ = capture(m, split.x, noise_seed=1)
    moved = estimates(m, split, ests, epoch=3, full=other)
    sid = ests[0].id
    assert moved[sid]["conv2"]["nearest"] != while_training[sid]["conv2"]["nearest"]
    assert moved[sid]["conv1"] == while_training[sid]["conv1"]  # no noise before conv1


def test_nearest_neighbour_distances_on_a_line():
    t = np.array([[0.0], [1.0], [3.0], [7.0]])
    assert np.allclose(nearest_neighbour_distances(t), [1.0, 1.0, 2.0, 4.0])
    with pytest.raises(ValueError, match="t: got shape"):
        nearest_neighbour_distances(np.zeros(3))


def test_noise_sweep_leaves_the_ceiling_only_at_the_scale_of_the_distances():
    # two inputs 2 apart in one dimension: log2 2 = 1 bit when the noise is small against
    # the distance, the integrated value when it is comparable, near 0 when it is large
    t = np.array([[0.0], [2.0]])
    rows = noise_sweep({"layer": t}, np.array([0, 1]), [0.05, 1.0, 50.0],
                       mc_samples=20000, seed=3)
    by = {r["noise_std"]: r for r in rows}
    assert by[0.05]["i_xt"] == pytest.approx(1.0, abs=1e-6)
    assert by[1.0]["i_xt"] == pytest.approx(gaussian_pair_mi(2.0),
                                            abs=4 * by[1.0]["i_xt_se"] + 1e-3)
    assert by[50.0]["i_xt"] < 0.01
    assert all(r["ceiling"] == 1.0 and r["nn_distance"] == 2.0 for r in rows)
    assert by[0.05]["nn_over_noise"] == pytest.approx(40.0)
    with pytest.raises(ValueError, match="noise_stds"):
        noise_sweep({"layer": t}, np.array([0, 1]), [0.0])


@pytest.mark.parametrize("kwargs, match", [
    ({"nets": {"width": ["w99"]}}, r"nets\['width'\]: got 'w99'"),
    ({"nets": {"colour": ["w1"]}}, "nets: got 'colour'"),
    ({"noise_stds": [0.0]}, "noise_stds"),
])
def test_noisy_page_names_bad_input(kwargs, match):
    from ibutils.book import load_noisy
    with pytest.raises(ValueError, match=match):
        load_noisy(profile="smoke", datasets=["mnist"], allow_training=False, **kwargs)


def test_accuracy_change_words_say_which_way_the_noise_moves_accuracy():
    from ibutils.book.noisy_page import _accuracy_change
    assert _accuracy_change([-0.005, -0.043]) == "0.005-0.043 lower"
    assert _accuracy_change([0.002, -0.006, -0.001]) == "0.002 higher to 0.006 lower"
    assert _accuracy_change([0.001, 0.004]) == "0.001-0.004 higher"
    assert _accuracy_change([-0.0004]) == "no different"


@pytest.mark.skipif(not (Path(os.environ.get("IBUTILS_DATA", "")) / "MNIST").exists(),
                    reason="MNIST not found: set IBUTILS_DATA")
def test_noisy_page_reads_stored_noisy_runs(tmp_store):
    from ibutils.book import load_noisy
    from ibutils.book.noisy_page import CEILING_TOL
    from ibutils.config import binning, noisy, renyi, spacing
    from ibutils.runner import run_study

    ests = (noisy(), binning(bin_width=0.67), renyi(n_samples=500))  # the page's estimators
    runs = run_study("width", ["mnist"], profile="smoke", epochs=2, seeds=[0, 1],
                     variants=["w1"], estimators=ests, noise_std=0.5, progress=False)
    ch = load_noisy(profile="smoke", epochs=2, seeds=[0, 1], datasets=["mnist"],
                    noise_stds=[0.5, 0.1], nets={"width": ["w1"]}, allow_training=False)
    assert [r.seed for r in ch.results[0.5]] == [0, 1] and ch.results[0.1] == []
    assert ch.missing == ["noise 0.1: 6 layers x 1 filter"]
    (row,) = ch.rows()
    n = runs[0].n["test"]
    assert row["ceiling"] == pytest.approx(np.log2(min(1000, n)))
    ixt = np.array([[r.mi("test", ests[0].id, f"conv{i}", "i_xt") for i in range(1, 7)]
                    for r in runs])
    assert row["at_ceiling"] == pytest.approx(np.mean(ixt >= row["ceiling"] - CEILING_TOL))
    assert row["lowest"] == pytest.approx(ixt.min())
    assert row["accuracy"] == pytest.approx(np.mean([r.snapshots()[-1]["test"]["accuracy"]
                                                     for r in runs]))
    facts = ch.facts()
    assert facts["noisy_test_cells"] == str(3 * 2 * 6)  # estimators x sets x hidden layers
    assert facts["noisy_nets_list"] == "at noise 0.5: 6 layers x 1 filter"
    assert np.isnan(row["twin_accuracy"]) and facts["noisy_acc_cost"] == "n/a"  # no twin yet
    from ibutils.book import page_spec
    page = page_spec(profile="smoke", epochs=2, seeds=[0, 1], datasets=["mnist"])
    twins = run_study("width", ["mnist"], profile="smoke", epochs=2, seeds=[0, 1],
                      variants=["w1"], estimators=page.estimators, progress=False)
    ch = load_noisy(profile="smoke", epochs=2, seeds=[0, 1], datasets=["mnist"],
                    noise_stds=[0.5, 0.1], nets={"width": ["w1"]}, allow_training=False)
    change = row["accuracy"] - np.mean([r.snapshots()[-1]["test"]["accuracy"] for r in twins])
    assert ch.rows()[0]["twin_accuracy"] - row["accuracy"] == pytest.approx(-change)
    assert ch.facts()["noisy_acc_cost"] == (  # one net: one change, at its noise
        "no different at noise 0.5" if abs(change) < 5e-4 else
        f"{abs(change):.3f} {'higher' if change > 0 else 'lower'} at noise 0.5")
    # the spacing measure: shown only once every seed carries it
    assert ch.spacing_rows() == [] and set(ch.spacing_facts().values()) == {"n/a"}
    with_spacing = ests + (spacing(),)
    run_study("width", ["mnist"], profile="smoke", epochs=2, seeds=[0], variants=["w1"],
              estimators=with_spacing, noise_std=0.5, progress=False)
    ch = load_noisy(profile="smoke", epochs=2, seeds=[0, 1], datasets=["mnist"],
                    noise_stds=[0.5], nets={"width": ["w1"]}, allow_training=False)
    assert ch.spacing_rows() == []
    runs = run_study("width", ["mnist"], profile="smoke", epochs=2, seeds=[0, 1],
                     variants=["w1"], estimators=with_spacing, noise_std=0.5, progress=False)
    ch = load_noisy(profile="smoke", epochs=2, seeds=[0, 1], datasets=["mnist"],
                    noise_stds=[0.5], nets={"width": ["w1"]}, allow_training=False)
    rows = ch.spacing_rows()
    assert [r["layer"] for r in rows] == [f"conv{i}" for i in range(1, 7)]
    sid = spacing().id
    for r in rows:
        near = np.mean([run.mi("test", sid, r["layer"], "nearest") for run in runs], 0) / 0.5
        ratio = np.mean([run.mi("test", sid, r["layer"], "within")
                         / run.mi("test", sid, r["layer"], "between") for run in runs], 0)
        assert (r["nearest_first"], r["nearest_last"], r["nearest_min"]) == pytest.approx(
            (near[0], near[-1], near.min()))
        assert (r["ratio_first"], r["ratio_last"]) == pytest.approx((ratio[0], ratio[-1]))
    facts = ch.spacing_facts()
    assert facts["spacing_layers"] == "6" and facts["spacing_nets"] == "1"
    assert facts["spacing_ratio_fell"] == str(sum(r["ratio_last"] < r["ratio_first"]
                                                  for r in rows))
    assert facts["spacing_nearest_min"] == f"{min(r['nearest_min'] for r in rows):.1f}"
    assert "| noise 0.5 | 6 layers x 1 filter | conv1 |" in ch.spacing_table()
    import matplotlib
    matplotlib.use("Agg")
    assert ch.spacing_tabs("fig-x", "caption").labels == ["noise 0.5, width series"]
    from ibutils import plots
    ((near, ratio),) = plots.spacing_grid(ch.spacing_groups(0.5), sid, 0.5)
    assert (near.get_yscale(), ratio.get_yscale()) == ("log", "linear")
    assert len(near.get_lines()) == 6 + 1  # a line per hidden layer, and the noise's sd


def test_sweep_facts_quote_the_rows():
    from ibutils.book.noisy_page import draws_table, sweep_facts

    sweep = [{"layer": la, "noise_std": s, "i_xt": v, "nn_distance": d}
             for la, d in (("conv1", 4.0), ("conv2", 1.5))
             for s, v in ((0.1, 9.97), (0.5, 9.5 if la == "conv1" else 6.25))]
    draws = [{"layer": la, "draws": k, "i_xt": 9.97 - 0.01 * k, "i_xt_se": 0.0}
             for la in ("conv1", "conv2") for k in (1, 4)]
    assert sweep_facts(sweep, draws) == {
        "sweep_conv1_at_05": "9.50", "sweep_last_at_05": "6.25", "sweep_nn_range": "1.5-4.0",
        "draws_max": "4", "draws_deep_min": "9.93"}
    assert "| conv2 | 4 | 9.93 ± 0.00 |" in draws_table(draws)
    with pytest.raises(ValueError, match="noise_std: got 2"):
        sweep_facts(sweep, draws, noise_std=2)


def test_wider_sweep_facts_split_conv_and_dense_layers():
    from ibutils.book.noisy_page import wider_sweep_facts

    def rows(*layers):
        return [{"layer": la, "noise_std": s, "i_xt": v + (s == 0.1), "nn_distance": d}
                for la, v, d in layers for s in (0.1, 0.5)]
    narrow = rows(("conv1", 9.96, 5.7), ("conv2", 9.884, 3.1))
    dense = rows(("conv1", 9.97, 7.3), ("dense1", 9.61, 2.5), ("dense2", 9.34, 2.2))
    assert wider_sweep_facts([narrow, dense]) == {
        "sweep_wide_conv": "9.88-9.97", "sweep_wide_conv_nn": "3.1-7.3",
        "sweep_wide_dense": "9.34-9.61"}
    assert wider_sweep_facts([narrow])["sweep_wide_dense"] == "n/a"
    with pytest.raises(ValueError, match="noise_std: got 2"):
        wider_sweep_facts([narrow], noise_std=2)
