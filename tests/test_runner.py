"""Training runs end to end on a small subset: cache hits, resume after interruption."""
import numpy as np
import pytest

from ibutils import planning, runner, train
from ibutils.architecture import get_variant
from ibutils.config import get_profile
from ibutils.results import MissingResultError
from ibutils.runner import run_study

from .conftest import needs_data

pytestmark = needs_data


def _study(**kw):
    return run_study("width", ["mnist"], profile="smoke", variants=["w3"], progress=False, **kw)


def test_smoke_run_records_every_snapshot_layer_and_split(tmp_store):
    (r,) = _study(epochs=6)
    prof = get_profile("smoke", epochs=6)
    assert r.epochs().tolist() == list(prof.snapshots())
    assert r.layers == ["conv1", "conv2", "conv3", "conv4", "conv5", "conv6", "softmax"]
    assert r.n == {"train": 300, "test": 300}
    assert r.payload["h_y"]["train"] == pytest.approx(np.log2(10))
    for split in ("train", "test"):
        for est in ("binning_bin_width0.67", "binning_n_bins30"):
            ixt = r.mi(split, est, "conv1", "i_xt")
            assert np.all(ixt <= np.log2(300) + 1e-9) and np.all(ixt >= 0)
        acc = r.metric(split, "accuracy")
        assert np.all((0 <= acc) & (acc <= 1))
    assert len(r.epoch_loss()) == 6
    # training lowers the training loss on this subset
    assert r.metric("train", "loss")[-1] < r.metric("train", "loss")[0]


def test_cached_run_is_loaded_not_recomputed(tmp_store, monkeypatch):
    (first,) = _study(epochs=3)
    monkeypatch.setattr(runner, "train_run", lambda *a, **k: pytest.fail("retrained"))
    (again,) = _study(epochs=3)
    assert again.payload["snapshots"] == first.payload["snapshots"]
    (shorter,) = _study(epochs=2)  # a prefix of a stored run is a cache hit too
    assert shorter.epochs().tolist() == [0, 1, 2]


def test_load_only_mode_raises_when_missing(tmp_store):
    with pytest.raises(MissingResultError, match="allow_training=False"):
        _study(epochs=3, allow_training=False)


def _kill_during_epoch_6(monkeypatch):
    """Train the 8-epoch study until a simulated kill during epoch 6 (after the epoch-5
    checkpoint), then restore normal training."""
    real_epoch = train._train_epoch

    def crash_at_6(model, opt, x, y, run, epoch):
        if epoch == 5:
            raise KeyboardInterrupt("simulated kill during epoch 6")
        return real_epoch(model, opt, x, y, run, epoch)

    monkeypatch.setattr(train, "_train_epoch", crash_at_6)
    with pytest.raises(KeyboardInterrupt):
        _study(epochs=8)
    monkeypatch.setattr(train, "_train_epoch", real_epoch)


def _record_resumes(monkeypatch) -> list:
    """The `resume` state every later `train_run` call is handed, in order."""
    started = []
    real_train_run = runner.train_run
    monkeypatch.setattr(runner, "train_run",
                        lambda *a, **k: started.append(k["resume"]) or real_train_run(*a, **k))
    return started


def test_interrupted_run_resumes_to_identical_results(tmp_store, monkeypatch, tmp_path):
    (reference,) = _study(epochs=8)
    # a second store: interrupt the same run during epoch 6, then resume
    monkeypatch.setenv("IBUTILS_RESULTS", str(tmp_path / "r2"))
    monkeypatch.setenv("IBUTILS_CACHE", str(tmp_path / "c2"))
    _kill_during_epoch_6(monkeypatch)
    started = _record_resumes(monkeypatch)
    (resumed,) = _study(epochs=8)
    assert started[0] is not None and started[0].epoch == 5  # from the epoch-5 checkpoint
    assert resumed.payload["snapshots"] == reference.payload["snapshots"]
    assert resumed.payload["epoch_loss"] == reference.payload["epoch_loss"]


def test_extending_the_horizon_resumes(tmp_store, monkeypatch):
    (short,) = _study(epochs=4)
    (longer,) = _study(epochs=6)
    assert longer.epochs().tolist()[: len(short.epochs())] == short.epochs().tolist()
    # the first snapshots are those of the short run, unchanged
    assert longer.payload["snapshots"][:5] == short.payload["snapshots"]


def test_new_estimator_is_applied_from_cached_weights(tmp_store, monkeypatch):
    from ibutils.config import DEFAULT_ESTIMATORS, binning
    _study(epochs=2)
    monkeypatch.setattr(runner, "train_run", lambda *a, **k: pytest.fail("retrained"))
    (r,) = _study(epochs=2, estimators=DEFAULT_ESTIMATORS + (binning(bin_width=0.1),))
    assert len(r.mi("test", "binning_bin_width0.1", "conv1", "i_xt")) == 3


def test_seeds_trained_as_a_group_match_seeds_trained_alone(tmp_store, monkeypatch, tmp_path):
    kw = dict(profile="smoke", variants=["w3"], epochs=4, seeds=[0, 1, 2], progress=False)
    grouped = run_study("width", ["mnist"], group_seeds=True, **kw)
    assert all(r.payload["trained_in_group_of"] == 3 for r in grouped)
    monkeypatch.setenv("IBUTILS_RESULTS", str(tmp_path / "alone"))
    monkeypatch.setenv("IBUTILS_CACHE", str(tmp_path / "alone-cache"))
    alone = run_study("width", ["mnist"], **kw)  # group_seeds defaults to False
    assert all(r.payload["trained_in_group_of"] == 1 for r in alone)
    for g, a in zip(grouped, alone):
        assert g.seed == a.seed and g.epochs().tolist() == a.epochs().tolist()
        for split in ("train", "test"):
            np.testing.assert_allclose(g.metric(split, "loss"), a.metric(split, "loss"),
                                       rtol=1e-4)
            for layer in g.layers:
                np.testing.assert_allclose(g.mi(split, "binning_n_bins30", layer, "i_xt"),
                                           a.mi(split, "binning_n_bins30", layer, "i_xt"),
                                           atol=0.05)


def test_interrupted_group_resumes_to_identical_results(tmp_store, monkeypatch, tmp_path):
    from ibutils import seed_group
    kw = dict(profile="smoke", variants=["w1"], epochs=8, seeds=[0, 1], progress=False,
              group_seeds=True)
    reference = run_study("width", ["mnist"], **kw)
    monkeypatch.setenv("IBUTILS_RESULTS", str(tmp_path / "r2"))
    monkeypatch.setenv("IBUTILS_CACHE", str(tmp_path / "c2"))
    real = seed_group.train_group_epoch

    def crash_at_6(model, opt, x, y, seeds, epoch, batch_size, bf16=False):
        if epoch == 5:
            raise KeyboardInterrupt("simulated kill during epoch 6")
        return real(model, opt, x, y, seeds, epoch, batch_size, bf16)

    monkeypatch.setattr(seed_group, "train_group_epoch", crash_at_6)
    with pytest.raises(KeyboardInterrupt):
        run_study("width", ["mnist"], **kw)
    monkeypatch.setattr(seed_group, "train_group_epoch", real)
    resumed = run_study("width", ["mnist"], **kw)
    for a, b in zip(reference, resumed):
        assert a.payload["snapshots"] == b.payload["snapshots"]
        assert a.payload["epoch_loss"] == b.payload["epoch_loss"]


@pytest.mark.slow
def test_dask_local_cluster_gives_the_same_results(tmp_store, monkeypatch, tmp_path):
    kw = dict(profile="smoke", variants=["w1", "w3"], epochs=3, seeds=[0, 1], progress=False)
    distributed = run_study("width", ["mnist"], scheduler="local", **kw)
    monkeypatch.setenv("IBUTILS_RESULTS", str(tmp_path / "here"))
    monkeypatch.setenv("IBUTILS_CACHE", str(tmp_path / "here-cache"))
    here = run_study("width", ["mnist"], **kw)
    assert [r.label for r in distributed] == [r.label for r in here]
    for a, b in zip(distributed, here):
        np.testing.assert_allclose(a.metric("test", "loss"), b.metric("test", "loss"), rtol=1e-5)


def test_subsample_capture_equals_subsampling_a_full_capture():
    from ibutils import mi
    from ibutils.config import kde, renyi
    from ibutils.record import capture, estimates
    from ibutils.runner import data_for
    from ibutils.train import new_model
    run = get_profile("smoke").run_config(get_variant("width", "w3"), "mnist", 0)
    split = data_for(run)["test"]
    model, _ = new_model(run)
    model.eval()
    got = estimates(model, split, [renyi(n_samples=100), kde(noise_var=1.0, n_samples=50)], 0)
    acts, _ = capture(model, split.x)
    x, y = split.x.numpy().reshape(len(split.y), -1), split.y.numpy()
    for layer, t in acts.items():
        want = mi.renyi_mi(t, x, y, n_samples=100).as_dict()
        assert got["renyi_alpha1.01_n_samples100"][layer] == pytest.approx(want, rel=1e-5)
        want = mi.kde_mi(t, y, noise_var=1.0, n_samples=50).as_dict()
        assert got["kde_noise_var1_n_samples50"][layer] == pytest.approx(want, rel=1e-5)


def test_bf16_runs_have_their_own_key_and_track_fp32(tmp_store):
    (fp32,) = _study(epochs=3)
    (bf16,) = _study(epochs=3, precision="bf16")
    assert bf16.config.precision == "bf16" and bf16.config.key() != fp32.config.key()
    assert fp32.config.key() == get_profile("smoke").run_config(
        fp32.config.net, "mnist", 0).key()  # fp32 keys are those stored before the field
    # same seed, same batches: bf16 rounding moves the losses only a little in 3 epochs
    np.testing.assert_allclose(bf16.epoch_loss(), fp32.epoch_loss(), rtol=0.05)
    assert not np.array_equal(bf16.epoch_loss(), fp32.epoch_loss())


def _store_fake(profile, factor, variant, dataset, seed, *, seconds, epochs):
    """A stored result holding only what `coverage` reads (its timing)."""
    from ibutils import store
    from ibutils.architecture import get_variant
    run = profile.run_config(get_variant(factor, variant), dataset, seed)
    store.save_result(store.run_dir(run, profile.name) / "result.json",
                      {"train_seconds": seconds, "epochs_trained": epochs, "snapshots": []})


def test_coverage_sums_stored_time_and_projects_the_profile(tmp_store):
    """Totals against hand arithmetic: w1 on MNIST has seeds 0 and 1 (3 and 5 s per epoch,
    to 200 and 100 epochs); kernel 5conv-k3 on Fashion-MNIST has three full seeds, and is
    also the FC chapter's no-fc net, which must be listed but counted once."""
    prof = get_profile("book", epochs=200)
    _store_fake(prof, "width", "w1", "mnist", 0, seconds=600.0, epochs=200)
    _store_fake(prof, "width", "w1", "mnist", 1, seconds=500.0, epochs=100)
    for seed in (0, 1, 2):
        _store_fake(prof, "kernel", "5conv-k3", "fashion_mnist", seed, seconds=400.0,
                    epochs=200)
    rows = planning.coverage(prof)
    row = {(r.factor, r.variant, r.dataset): r for r in rows}
    w1 = row["width", "w1", "mnist"]
    assert (w1.seeds, w1.epochs, w1.train_seconds) == ((0, 1), 100, 1100.0)
    assert w1.seconds_per_epoch == pytest.approx(4.0)
    no_fc = row["fc", "no-fc", "fashion_mnist"]
    assert no_fc.seeds == (0, 1, 2) and no_fc.shared and not row[
        "kernel", "5conv-k3", "fashion_mnist"].shared
    total = planning.coverage_summary(rows, prof)
    assert total["configurations"] == 32  # 16 configurations of the paper, two datasets
    assert total["spent_seconds"] == pytest.approx(1100.0 + 1200.0)
    assert total["projected_seconds"] == pytest.approx(4.0 * 200 * 3 + 2.0 * 200 * 3)
    assert "width/w1/mnist" in total["short"]
    assert "kernel/5conv-k3/fashion_mnist" not in total["short"]
    assert len(total["short"]) == 31 and len(total["unmeasured"]) == 30
    only = planning.coverage(prof, factors=["width"])
    assert {r.factor for r in only} == {"width"} and len(only) == 8
    with pytest.raises(ValueError, match="factors: got 'widht', allowed"):
        planning.coverage(prof, factors=["widht"])


@needs_data
def test_every_training_session_records_its_provenance(tmp_store):
    import platform

    import numpy as np
    import torch

    (r,) = run_study("width", ["mnist"], profile="smoke", variants=["w1"], epochs=2,
                     progress=False)
    (record,) = r.payload["provenance"]
    assert record["torch"] == torch.__version__ and record["numpy"] == np.__version__
    assert record["python"] == platform.python_version() and record["device"] == "cpu"
    assert record["from_epoch"] == 0 and record["cpu"]
    assert record["conv_path"] in ("pytorch", "fused tanh", "direct kernels",
                                   "direct kernels + fused tanh")
    # extending the run trains a second session, recorded from where it resumed
    (r,) = run_study("width", ["mnist"], profile="smoke", variants=["w1"], epochs=3,
                     progress=False)
    assert [p["from_epoch"] for p in r.payload["provenance"]] == [0, 2]


def test_renyi_robustness_settings_on_a_stored_run(tmp_store):
    """Each robustness setting does what its name says, on the same stored snapshots."""
    from ibutils.config import RENYI_ROBUSTNESS, renyi
    (r,) = _study(epochs=4, estimators=(renyi(n_samples=100),) + tuple(
        renyi(n_samples=100, **kw) for kw in (
            {"fixed_width": True}, {"width_scale": 0.5}, {"seeded_by_run": True})))
    assert len(RENYI_ROBUSTNESS) == 5
    rule, fixed, half, seeded = (e.id for e in (
        renyi(n_samples=100), renyi(n_samples=100, fixed_width=True),
        renyi(n_samples=100, width_scale=0.5), renyi(n_samples=100, seeded_by_run=True)))
    width = {e: r.mi("test", e, "conv2", "sigma_t") for e in (rule, fixed, half, seeded)}
    np.testing.assert_allclose(width[half], 0.5 * width[rule], rtol=1e-12)
    np.testing.assert_allclose(width[fixed], width[rule][0])  # every snapshot: epoch 0's width
    assert not np.allclose(width[rule], width[rule][0])  # while the rule's width moves
    # seed 0 draws the default subsample: the same values as the rule's estimate
    np.testing.assert_allclose(r.mi("test", seeded, "conv2", "i_xt"),
                               r.mi("test", rule, "conv2", "i_xt"))


def test_retraining_measures_only_what_is_missing(tmp_store, monkeypatch):
    """A run whose snapshot weights are gone is retrained to add an estimator: the stored
    estimates are kept, and only the new estimator is computed at the stored snapshots."""
    import shutil

    from ibutils import store
    from ibutils.config import DEFAULT_ESTIMATORS, renyi
    (first,) = _study(epochs=2)
    run = first.config
    shutil.rmtree(store.weights_path(run, 0).parent)
    store.checkpoint_path(run).unlink(missing_ok=True)
    asked = []
    real = runner.snapshot_record
    monkeypatch.setattr(runner, "snapshot_record", lambda m, s, est, e, *a, **k: (
        asked.append((e, [x.id for x in est], k["gradients"])) or real(m, s, est, e, *a, **k)))
    # the stored run as if trained elsewhere: its epoch-2 loss 0.01 off this machine's
    path = store.run_dir(run, "smoke") / "result.json"
    stored = store.load_result(path)
    stored["epoch_loss"][1] += 0.01
    store.save_result(path, stored)
    new = renyi(n_samples=100)
    (again,) = _study(epochs=2, estimators=DEFAULT_ESTIMATORS + (new,))
    assert asked == [(e, [new.id], False) for e in (0, 1, 2)]
    for est in DEFAULT_ESTIMATORS:  # the stored estimates, untouched
        np.testing.assert_array_equal(again.mi("test", est.id, "conv1", "i_xt"),
                                      first.mi("test", est.id, "conv1", "i_xt"))
    assert all("gradients" in s for s in again.payload["snapshots"])
    # stored losses, accuracies and training time stay; the retraining is recorded apart
    assert again.payload["epoch_loss"] == stored["epoch_loss"]
    assert again.payload["train_seconds"] == first.payload["train_seconds"]
    for old, s in zip(first.payload["snapshots"], again.payload["snapshots"]):
        assert (s["test"]["loss"], s["test"]["accuracy"]) == (old["test"]["loss"],
                                                               old["test"]["accuracy"])
    retrained = again.payload["provenance"][-1]["retrained"]
    assert retrained["until_epoch"] == 2 and retrained["seconds"] > 0
    assert retrained["max_epoch_loss_diff"] == pytest.approx(0.01, abs=1e-9)
    assert retrained["max_test_accuracy_diff"] == 0.0  # same code, same threads: same weights
    # a run trained for the first time records no retraining
    assert all("retrained" not in p for p in first.payload["provenance"])


def test_a_travelling_checkpoint_resumes_the_run_on_a_fresh_clone(tmp_store, monkeypatch,
                                                                  tmp_path):
    import shutil

    import torch

    (reference,) = _study(epochs=8)
    monkeypatch.setenv("IBUTILS_RESULTS", str(tmp_path / "r2"))
    monkeypatch.setenv("IBUTILS_CACHE", str(tmp_path / "c2"))
    monkeypatch.setenv("IBUTILS_TRAVEL_CHECKPOINTS", "1")  # python -m ibutils --travel-checkpoint
    _kill_during_epoch_6(monkeypatch)
    resume = tmp_path / "r2" / "smoke" / "mnist" / reference.config.key() / "resume.pt"
    assert torch.load(resume, weights_only=True)["epoch"] == 5
    # a fresh clone: no local cache and no flag; the committed resume.pt carries the run on
    shutil.rmtree(tmp_path / "c2")
    monkeypatch.delenv("IBUTILS_TRAVEL_CHECKPOINTS")
    started = _record_resumes(monkeypatch)
    (resumed,) = _study(epochs=8)
    assert started[0] is not None and started[0].epoch == 5
    assert resumed.payload["snapshots"] == reference.payload["snapshots"]
    assert not resume.exists()  # the run is complete: nothing left to travel


def test_a_run_without_the_flag_keeps_no_travelling_checkpoint(tmp_store):
    (r,) = _study(epochs=2)
    from ibutils import store
    assert not store.resume_path(store.run_dir(r.config, "smoke") / "result.json").exists()


def test_horizon_targets_against_hand_arithmetic(tmp_store):
    from ibutils import store
    from ibutils.architecture import get_variant

    book, paper = get_profile("book", seeds=[0]), get_profile("paper", seeds=[0])
    _store_fake(book, "width", "w1", "mnist", 0, seconds=600.0, epochs=200)  # 3 s per epoch
    _store_fake(book, "kernel", "5conv-k3", "mnist", 0, seconds=400.0, epochs=200)  # 2 s
    _store_fake(paper, "pooling", "pool", "mnist", 0, seconds=5000.0, epochs=5000)  # 1 s
    run = paper.run_config(get_variant("pooling", "pool"), "mnist", 0)
    store.save_torch(store.resume_path(store.run_dir(run, "paper") / "result.json"), {"epoch": 1})
    rows = {(r.profile, r.factor, r.variant, r.dataset): r for r in planning.horizon_targets()}
    assert len(rows) == 7 + 16 * 2  # one net per factor at 10,000; 16 configurations x 2
    w1 = rows["book", "width", "w1", "mnist"]
    assert (w1.stored, w1.target, w1.remaining_seconds) == (200, 1000, 800 * 3.0)
    pool = rows["paper", "pooling", "pool", "mnist"]
    assert pool.travelling and pool.remaining_seconds == pytest.approx(5000 * 1.0)
    no_fc = rows["paper", "fc", "no-fc", "mnist"]  # not stored: the book run's speed
    assert no_fc.stored == 0 and no_fc.remaining_seconds == pytest.approx(10_000 * 2.0)
    assert ("book", "fc", "no-fc", "mnist") not in rows  # = kernel 5conv-k3, counted once


def test_measured_targets_know_what_each_run_lacks(tmp_store):
    """The noisy study's runs against hand arithmetic: seed 0 of the noisy 1-filter net is
    complete with the page's estimators, seed 1 lacks the spacing measure (all 200 epochs to
    train again at its own 2 s per epoch), seed 2 stopped at epoch 50 after 500 s (the early,
    snapshot-dense epochs: its 10 s per epoch would overstate the rest, so 150 epochs at the
    mean speed of seeds 0 and 1), nothing of noise 0.1 is stored (no speed for w3), and the
    noisy pooled net takes the speed of the stored deterministic one."""
    from ibutils import store
    from ibutils.architecture import get_variant
    from ibutils.config import estimator_set
    from ibutils.results import needed_snapshots

    prof = get_profile("book", epochs=200)
    full = [e.id for e in estimator_set(planning.NOISY_ESTIMATORS)]

    def save(seed, ids, epochs, seconds, factor="width", variant="w1", noise_std=0.5,
             provenance=()):
        run = prof.run_config(get_variant(factor, variant, noise_std=noise_std), "mnist", seed)
        snaps = [{"epoch": e, "train": {"mi": dict.fromkeys(ids, {})}}
                 for e in needed_snapshots(run, 200) if e <= epochs]
        store.save_result(store.run_dir(run, "book") / "result.json",
                          {"train_seconds": seconds, "epochs_trained": epochs,
                           "snapshots": snaps, "provenance": list(provenance)})

    # seed 0 was re-trained twice (a session cut off after 40 s, then the whole run in 250 s)
    save(0, full, 200, 300.0, provenance=[{"from_epoch": 0}, {"retrained": {"seconds": 40.0}},
                                          {"retrained": {"seconds": 250.0}}])
    save(1, full[:-1], 200, 400.0)
    save(2, full, 50, 500.0)
    save(0, full, 200, 600.0, "pooling", "pool", 0.0)
    rows = {(r.variant, r.seed, r.noise_std): r for r in planning.noisy_targets()}
    assert len(rows) == 8 * 3 * 2  # nets x seeds x noise levels
    s0, s1, s2 = (rows["w1", s, 0.5] for s in (0, 1, 2))
    assert s0.measured and s0.remaining_seconds == 0.0
    assert (s0.train_seconds, s0.retrain_seconds) == (300.0, 290.0)
    assert (s1.train_seconds, s1.retrain_seconds) == (400.0, 0.0)
    assert not s1.measured and s1.remaining_seconds == pytest.approx(200 * 2.0)
    assert s2.stored == 50 and s2.remaining_seconds == pytest.approx(150 * 1.75)
    assert (s0.speed_from, s1.speed_from, s2.speed_from) == ("this run", "this run",
                                                             "its other seeds")
    # noise 0.1 stores nothing: the speed of the same net at noise 0.5; w3 has none at all
    assert rows["w1", 0, 0.1].remaining_seconds == pytest.approx(200 * 1.75)
    assert rows["w1", 0, 0.1].speed_from == "another noise"
    assert np.isnan(rows["w3", 0, 0.1].remaining_seconds) and rows["w3", 0, 0.1].speed_from == ""
    pool = rows["pool", 1, 0.1]  # no noisy run stored: the deterministic net's 3 s per epoch
    assert pool.remaining_seconds == pytest.approx(200 * 3.0)
    assert pool.speed_from == "without noise"
