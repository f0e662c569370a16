"""Every kind of bad input fails before any training, naming parameter, value and allowed values.

The README's reliability section quotes the number of cases here; a test keeps them in step.
"""
import re
import subprocess
import sys

import pytest

from ibutils import mi, plots, runner, seed_group
from ibutils.analysis.fitting import trend
from ibutils.architecture import NetConfig
from ibutils.book import load_compression, load_reproduction, page_spec
from ibutils.config import Estimator, RunConfig, binning, kde, renyi
from ibutils.data import load_dataset
from ibutils.train import train_epoch

from .conftest import ROOT


def study(**kw):
    args = {"factor": "width", "datasets": ["mnist"], "profile": "smoke", "progress": False, **kw}
    return runner.run_study(args.pop("factor"), args.pop("datasets"), **args)


CASES = [
    # (what, call, message)
    ("unknown dataset", lambda: study(datasets=["cifar10"]), "dataset: got 'cifar10', allowed"),
    ("unknown factor", lambda: study(factor="size"), "factor: got 'size', allowed"),
    ("unknown variant", lambda: study(variants=["w5"]), "variant: got 'w5'.*allowed"),
    ("unknown estimator", lambda: Estimator("mine"), "estimator: got 'mine', allowed"),
    ("unknown profile", lambda: study(profile="fast"), "profile: got 'fast', allowed"),
    ("unknown activation", lambda: study(activation="gelu"), "activation: got 'gelu', allowed"),
    ("unknown split", lambda: page_spec(split="val"),
     "split: got 'val', allowed"),
    ("zero epochs", lambda: study(epochs=0), "epochs: got 0, allowed a positive integer"),
    ("negative epochs", lambda: study(epochs=-5), "epochs: got -5"),
    ("negative seed", lambda: study(seeds=[-1]), "seeds: got"),
    ("zero bin width", lambda: binning(bin_width=0), "bin_width: got 0"),
    ("negative bin width", lambda: mi.binning_mi([[0.0]], [0], bin_width=-0.5),
     "bin_width: got -0.5"),
    ("zero bin count", lambda: binning(n_bins=0), "n_bins: got 0"),
    ("zero noise variance", lambda: kde(noise_var=0), "noise_var: got 0"),
    ("negative noise variance", lambda: mi.kde_mi([[0.0], [1.0]], [0, 1], noise_var=-1),
     "noise_var: got -1"),
    ("Renyi alpha of 1", lambda: renyi(alpha=1.0), "alpha: got 1.0"),
    ("negative kernel width", lambda: renyi(sigma=-1.0), "sigma: got -1.0"),
    ("subsample of one", lambda: kde(n_samples=1), "n_samples: got 1"),
    ("zero batch size", lambda: RunConfig(NetConfig((1,), (3,)), "mnist", batch_size=0),
     "batch_size: got 0"),
    ("kernel larger than the input", lambda: NetConfig((3, 3), (3, 29)),
     "kernels: conv2 has kernel 29 but its input is only 28x28"),
    ("pooling past the last layer", lambda: NetConfig((3, 3), (3, 3), pool_after=3),
     "pool_after: got 3, allowed None or 1..2"),
    ("zero filters", lambda: NetConfig((3, 0), (3, 3)), "filters: every count"),
    ("zero training images per class", lambda: load_dataset("mnist", train_per_class=0),
     "train_per_class: got 0"),
    ("unknown precision", lambda: study(precision="fp16"), "precision: got 'fp16', allowed"),
    ("zero micro-batch", lambda: train_epoch(None, None, [], [], seed=0, epoch=0,
                                             batch_size=1000, micro_batch=0),
     "micro_batch: got 0, allowed a positive integer or None"),
    ("unknown figure kind", lambda: plots.gradient_grid({}, "norms"),
     "kind: got 'norms', allowed"),
    ("unknown trend direction", lambda: trend([], "acc", [], "sideways"),
     "direction: got 'sideways', allowed"),
    ("unknown activation to compare", lambda: load_compression(activations=["tanh", "gelu"]),
     "activations: got 'gelu', allowed"),
    ("unknown variant to leave out", lambda: load_compression(exclude={"relu": {"depth": ["d3"]}}),
     r"exclude\['relu'\]\['depth'\]: got 'd3', allowed"),
    ("unknown variant to reproduce", lambda: load_reproduction({"width": ["w5"]}),
     r"picks\['width'\]: got 'w5', allowed"),
    ("unknown profile to compare with", lambda: load_reproduction({"width": ["w1"]},
                                                                  shorter_profile="short"),
     "shorter_profile: got 'short', allowed"),
]
CLI_CASES = [
    (["--factor", "width", "--epochs", "0"], "epochs: got 0"),
    (["--factor", "widths"], "argument --factor: invalid choice: 'widths'"),
    (["--factor", "width", "--threads", "0"], "--threads: got 0"),
    (["--factor", "width", "--profile", "fast"], "argument --profile: invalid choice: 'fast'"),
]


@pytest.fixture
def no_training(monkeypatch):
    fail = lambda *a, **k: pytest.fail("training started on bad input")  # noqa: E731
    monkeypatch.setattr(runner, "train_run", fail)
    monkeypatch.setattr(runner, "train_group", fail)
    monkeypatch.setattr(seed_group, "train_group_epoch", fail)


@pytest.mark.parametrize("what, call, message", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_named_before_training(what, call, message, no_training, tmp_store):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize("args, message", CLI_CASES, ids=[" ".join(c[0]) for c in CLI_CASES])
def test_runner_command_line_rejects_bad_arguments(args, message, tmp_store):
    proc = subprocess.run([sys.executable, "-m", "ibutils", *args], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert re.search(message, proc.stderr), proc.stderr


def test_readme_counts_the_cases():
    readme = (ROOT / "README.md").read_text()
    total = len(CASES) + len(CLI_CASES)
    assert f"{total} bad-input cases" in readme, f"README should say '{total} bad-input cases'"
