"""Compile a C++ source of the package on first use (torch.utils.cpp_extension), once per
machine, into PyTorch's extension cache (``$TORCH_EXTENSIONS_DIR``, default
``~/.cache/torch_extensions``). Used by the training convolutions (`ibutils.fastconv`) and the
binning engine (`ibutils.mi._binning_engine`); each falls back to plain PyTorch or numpy when
this returns None."""
from __future__ import annotations

import hashlib
import os
import warnings
from pathlib import Path

import torch


def build_extension(source: Path, prefix: str, switch: str, fallback: str, flags: tuple[str, ...] = ()):
    """Compile and import one C++ source with torch.utils.cpp_extension, or return None
    (environment variable `switch` set to 0, no compiler, build error; `fallback` says what
    is used instead, in the one warning). `flags`: extra compiler flags for this source."""
    if os.environ.get(switch, "1") == "0":
        return None
    from torch.utils import cpp_extension
    # -march=native binds the binary to this CPU: the source, the torch version and the CPU's
    # flags name the build, so a shared cache never loads a build made for another CPU
    cpu = ""
    try:
        cpu = next(line for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("flags"))
    except (OSError, StopIteration):
        pass
    cflags = ["-O3", "-march=native", *flags]
    digest = hashlib.sha256(source.read_bytes() + torch.__version__.encode() + cpu.encode()
                            + " ".join(cflags).encode()).hexdigest()[:12]
    try:
        return cpp_extension.load(name=f"{prefix}_{digest}", sources=[str(source)],
                                  extra_cflags=cflags, verbose=False)
    except Exception as exc:  # no compiler, missing headers: fall back, say why once
        warnings.warn(f"ibutils: could not build {source.name} ({exc}); {fallback}",
                      RuntimeWarning, stacklevel=3)
        return None
