"""The device setting: checked choices, errors that name what this machine has, cache keys of
their own off the CPU, and the device recorded with every result. These machines have no
GPU, so the GPU path itself is exercised by mapping "cuda" onto the CPU."""
import subprocess
import sys

import numpy as np
import pytest
import torch

from ibutils import device as device_mod
from ibutils import runner, train
from ibutils.architecture import get_variant
from ibutils.config import get_profile
from ibutils.device import available_devices, torch_device
from ibutils.runner import run_study

from .conftest import needs_data


def test_cpu_is_always_available_and_first():
    assert available_devices()[0] == "cpu"
    assert torch_device("cpu") == torch.device("cpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_a_device_this_machine_lacks_is_named_with_what_it_has():
    with pytest.raises(ValueError, match=r"device: got 'cuda'.*allowed here: \('cpu',"):
        torch_device("cuda")
    with pytest.raises(ValueError, match=r"device: got 'cuda'"):  # before anything runs
        run_study("width", ["mnist"], profile="smoke", variants=["w1"], device="cuda")


def test_unknown_device_lists_the_allowed_ones():
    with pytest.raises(ValueError, match=r"device: got 'tpu', allowed \('cpu', 'cuda', 'mps'\)"):
        torch_device("tpu")


def test_other_devices_get_their_own_cache_keys():
    prof = get_profile("book")
    cpu = prof.run_config(get_variant("width", "w1"), "mnist", 0)
    assert cpu.key() == "e0363f491377"  # the CPU key of the stored run, unchanged
    keys = {prof.run_config(get_variant("width", "w1"), "mnist", 0, device=d).key()
            for d in ("cpu", "cuda", "mps")}
    assert len(keys) == 3
    with pytest.raises(ValueError, match="precision: 'bf16' is the CPU autocast path"):
        prof.run_config(get_variant("width", "w1"), "mnist", 0, precision="bf16", device="cuda")


def test_command_line_rejects_a_missing_device():
    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    out = subprocess.run([sys.executable, "-m", "ibutils", "--factor", "width", "--profile",
                          "smoke", "--device", "cuda"], capture_output=True, text=True)
    assert out.returncode == 2 and "device: got 'cuda'" in out.stderr


@needs_data
def test_the_device_path_trains_stores_and_records_its_device(tmp_store, monkeypatch):
    """"cuda" mapped onto the CPU: the run goes through every device move of training and
    measurement, is stored under its own key with "cuda" in its provenance, and (the same
    hardware underneath) gives the CPU run's numbers."""
    monkeypatch.setattr(device_mod, "available_devices", lambda: ("cpu", "cuda"))
    monkeypatch.setattr(train, "torch_device", lambda name: torch.device("cpu"))
    monkeypatch.setattr(runner, "torch_device", lambda name: torch.device("cpu"))
    kw = dict(profile="smoke", variants=["w1"], epochs=2, progress=False)
    (cpu,) = run_study("width", ["mnist"], **kw)
    (gpu,) = run_study("width", ["mnist"], device="cuda", **kw)
    assert gpu.payload["key"] != cpu.payload["key"]
    assert gpu.payload["provenance"][0]["device"] == "cuda"
    assert gpu.payload["provenance"][0]["conv_path"] == "pytorch"
    np.testing.assert_allclose(gpu.mi("test", "binning_bin_width0.67", "softmax", "i_ty"),
                               cpu.mi("test", "binning_bin_width0.67", "softmax", "i_ty"),
                               atol=1e-5)
