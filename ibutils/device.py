"""Where torch computes: one checked choice of device per run (`RunConfig.device`).

"cpu" is the study's device and the only one its compiled kernels (`ibutils.fastconv`) and
bf16 autocast path serve; "cuda" and "mps" run the same networks through PyTorch's own kernels.
Their results can differ from the CPU's in the last bits (other kernels, other summation
orders), so runs on them get cache keys of their own. These machines have no GPU: the GPU
paths are written to PyTorch's device API but untested here (the README says so).
"""
from __future__ import annotations

import torch

from .config import DEVICES, check_choice


def available_devices() -> tuple[str, ...]:
    """The devices this machine's torch can use, "cpu" first."""
    mps = getattr(torch.backends, "mps", None)
    return ("cpu",) + (("cuda",) if torch.cuda.is_available() else ()) + (
        ("mps",) if mps is not None and mps.is_available() else ())


def torch_device(name: str) -> torch.device:
    """The `torch.device` for a device name, with an error naming what this machine allows."""
    check_choice("device", name, DEVICES)
    if name not in available_devices():
        raise ValueError(
            f"device: got {name!r}, which this machine's torch {torch.__version__} cannot use "
            f"({'torch.cuda.is_available()' if name == 'cuda' else 'torch.backends.mps.is_available()'}"
            f" is False); allowed here: {available_devices()}")
    return torch.device(name)
