"""Where a stored result was computed: package, library and Python versions, the machine, the
device and convolution path, and the git commit of the code. The runner appends one such
record to a run's result each time it trains it (a run extended later gets a second one)."""
from __future__ import annotations

import datetime
import os
import platform
import subprocess
from functools import lru_cache

import numpy as np
import torch

from . import __version__
from .data import project_root


@lru_cache(maxsize=1)
def cpu_model() -> str:
    """The CPU's model name (Linux: /proc/cpuinfo), else what `platform` knows."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


@lru_cache(maxsize=1)
def git_commit() -> str | None:
    """The commit of the source checkout the package runs from ("+dirty" with uncommitted
    changes to tracked files), or None outside a git checkout."""
    root = project_root()
    if root is None:
        return None
    try:
        head = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], check=True,
                              capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "diff", "--quiet", "HEAD", "--",
                                "ibutils"], capture_output=True, timeout=10).returncode != 0
    except (OSError, subprocess.SubprocessError):
        return None
    return head + ("+dirty" if dirty else "")


def conv_path() -> str:
    """Which convolutions training uses on the CPU (`ibutils.fastconv`)."""
    from . import fastconv

    if os.environ.get("IBUTILS_FAST_CONV", "1") == "0":
        return "pytorch"
    parts = [name for name, ok in (("direct kernels", fastconv.available()),
                                   ("fused tanh", fastconv.fused_tanh_available())) if ok]
    return " + ".join(parts) or "pytorch"


def provenance(device: str = "cpu") -> dict:
    """The record stored with a result (see the module docstring)."""
    return {"ibutils": __version__, "python": platform.python_version(),
            "torch": torch.__version__, "numpy": np.__version__,
            "platform": platform.platform(), "cpu": cpu_model(),
            "device": device, "torch_threads": torch.get_num_threads(),
            "conv_path": conv_path() if device == "cpu" else "pytorch",
            "git_commit": git_commit(),
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")}
