"""Interruption by SIGKILL, concurrent runners, numerical faults: nothing lost, nothing silent."""
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import torch

from ibutils import record, store, train
from ibutils.architecture import get_variant
from ibutils.config import get_profile
from ibutils.runner import run_study

from .conftest import ROOT, needs_data

pytestmark = needs_data
ARGS = ["--factor", "width", "--datasets", "mnist", "--profile", "smoke", "--variants", "w6",
        "--epochs", "30", "--threads", "1"]


def _cli(env, *extra):
    return subprocess.Popen([sys.executable, "-m", "ibutils", *ARGS, *extra], cwd=ROOT,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _env(tmp, name):
    return {**os.environ, "IBUTILS_RESULTS": str(tmp / name / "results"),
            "IBUTILS_CACHE": str(tmp / name / "cache")}


def _result(tmp, name):
    (path,) = (tmp / name / "results").rglob("result.json")
    return json.loads(path.read_text())


def _snapshots_stored(tmp, name):
    paths = list((tmp / name / "results").rglob("result.json"))
    return len(json.loads(paths[0].read_text())["snapshots"]) if paths else 0


@pytest.mark.slow
def test_sigkill_then_restart_gives_identical_results(tmp_path):
    ref = _cli(_env(tmp_path, "ref"))
    assert ref.wait(timeout=300) == 0
    env = _env(tmp_path, "killed")
    for stored_before_kill in (3, 9, 15):  # kill three times at different points
        proc = _cli(env)
        deadline = time.monotonic() + 120
        while _snapshots_stored(tmp_path, "killed") < stored_before_kill:
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        survived = _result(tmp_path, "killed")  # the stored file is always complete and valid
        assert len(survived["snapshots"]) >= stored_before_kill
    assert _cli(env).wait(timeout=300) == 0
    a, b = _result(tmp_path, "ref"), _result(tmp_path, "killed")
    assert a["snapshots"] == b["snapshots"] and a["epoch_loss"] == b["epoch_loss"]
    assert not list((tmp_path / "killed").rglob("*.tmp"))


@pytest.mark.slow
def test_two_runners_on_one_study_do_not_corrupt_each_other(tmp_path):
    env = _env(tmp_path, "both")
    procs = [_cli(env), _cli(env)]
    assert [p.wait(timeout=300) for p in procs] == [0, 0]
    ref = _cli(_env(tmp_path, "alone"))
    assert ref.wait(timeout=300) == 0
    assert _result(tmp_path, "both")["snapshots"] == _result(tmp_path, "alone")["snapshots"]


def test_lock_is_exclusive_and_released(tmp_store):
    run = get_profile("smoke").run_config(get_variant("width", "w1"), "mnist", 0)
    with store.run_lock(run):
        with pytest.raises(store.RunLockedError, match=run.key()):
            with store.run_lock(run, wait=False):
                pass
    with store.run_lock(run, wait=False):  # released on exit
        pass


def test_nan_in_training_stops_with_epoch_and_keeps_finished_snapshots(tmp_store, monkeypatch):
    real_epoch = train._train_epoch

    def poison_at_4(model, opt, x, y, run, epoch):
        if epoch == 3:
            with torch.no_grad():
                model.measured["conv2"].linear.weight.fill_(float("nan"))
        return real_epoch(model, opt, x, y, run, epoch)

    monkeypatch.setattr(train, "_train_epoch", poison_at_4)
    with pytest.raises(train.NumericalError, match="epoch 4"):
        run_study("width", ["mnist"], profile="smoke", variants=["w3"], epochs=6, progress=False)
    (path,) = (tmp_store / "results").rglob("result.json")
    kept = store.load_result(path)
    assert [s["epoch"] for s in kept["snapshots"]] == [0, 1, 2, 3]


def test_nan_in_activations_names_layer_and_epoch(tmp_store, monkeypatch):
    real_capture = record.capture

    def bad_capture(model, x):
        acts, logits = real_capture(model, x)
        acts["conv5"][0, 0] = np.nan
        return acts, logits

    monkeypatch.setattr(record, "capture", bad_capture)
    with pytest.raises(train.NumericalError, match="epoch 0.*conv5"):
        run_study("width", ["mnist"], profile="smoke", variants=["w3"], epochs=2, progress=False)


def test_corrupted_result_is_recomputed_not_used(tmp_store):
    (first,) = run_study("width", ["mnist"], profile="smoke", variants=["w1"], epochs=2,
                         progress=False)
    (path,) = (tmp_store / "results").rglob("result.json")
    path.write_text(path.read_text().replace('"accuracy": 0', '"accuracy": 9', 1))
    with pytest.warns(store.CorruptResultWarning, match="checksum"):
        (again,) = run_study("width", ["mnist"], profile="smoke", variants=["w1"], epochs=2,
                             progress=False)
    assert again.payload["snapshots"] == first.payload["snapshots"]
    assert store.load_result(path) is not None  # rewritten, valid again
