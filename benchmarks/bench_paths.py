"""The training paths of `ibutils.train.train_epoch`, one against the next, in one run.

For a few of the paper's nets (MNIST, 10,000 images, batch 1,000, Adam), seconds per epoch of:
- oneDNN alone: ``IBUTILS_FAST_CONV=0``, so ``model(x)`` with channels-last tensors;
- + kernels: the direct kernels (1 or 3 channels) or the tanh fused into oneDNN's
  convolution (6 and 12 channels), whole batches;
- + micro-batches: the same with each batch's gradient summed over slices of
  `train.MICRO_BATCH` images (what `train_epoch` does at one thread).
Each path is timed twice, alternating, and the faster time is kept. No goal: it says what
each step adds (README, Speed). Run it with the background runs paused.

    python benchmarks/bench_paths.py [--threads 1] [--nets width:w3 width:w12 ...]
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import torch

from ibutils import fastconv
from ibutils.architecture import get_variant
from ibutils.models import build_cnn
from ibutils.train import MICRO_BATCH, train_epoch

NETS = ["width:w3", "kernel:5conv-k3", "width:w6", "width:w12", "depth:d1", "depth:d9",
        "pooling:no-pool", "pooling:pool", "fc:fc"]
PATHS = (("oneDNN alone", "0", 1000), ("+ kernels", "1", 1000),
         (f"+ micro-batches of {MICRO_BATCH}", "1", MICRO_BATCH))


def data(n=10_000):
    try:
        from ibutils.data import load_dataset
        train, _ = load_dataset("mnist")
        x, y = train.x, train.y
    except (OSError, RuntimeError, ValueError):  # no data: random images of the same shape
        g = torch.Generator().manual_seed(0)
        x, y = torch.rand(n, 1, 28, 28, generator=g), torch.randint(0, 10, (n,), generator=g)
    return x.contiguous(memory_format=torch.channels_last), y


def time_path(model, opt, x, y, switch: str, micro: int, epoch: int) -> float:
    os.environ["IBUTILS_FAST_CONV"] = switch
    fastconv.fused_tanh_available.cache_clear()
    start = time.perf_counter()
    train_epoch(model, opt, x, y, seed=0, epoch=epoch, batch_size=1000, micro_batch=micro)
    return time.perf_counter() - start


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1, "
                        "the runner's per run)")
    parser.add_argument("--nets", nargs="+", default=NETS, help="factor:variant, ...")
    args = parser.parse_args(argv)
    if args.threads < 1:
        parser.error(f"--threads: got {args.threads}, allowed a positive integer")
    torch.set_num_threads(args.threads)
    x, y = data()
    print(f"seconds per epoch, torch threads {args.threads}; in brackets: against the path "
          "before it")
    print(f"{'net':12s}" + "".join(f"{name:>30s}" for name, _, _ in PATHS))
    for spec in args.nets:
        factor, _, variant = spec.partition(":")
        torch.manual_seed(0)
        model = build_cnn(get_variant(factor, variant)).to(memory_format=torch.channels_last)
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        time_path(model, opt, x, y, "1", 1000, 0)  # warm-up (and the kernels' build)
        best = {name: float("inf") for name, _, _ in PATHS}
        for rep in range(2):
            for name, switch, micro in PATHS:
                best[name] = min(best[name], time_path(model, opt, x, y, switch, micro, rep + 1))
        times = list(best.values())
        cells = [f"{times[0]:.2f}"] + [f"{t:.2f} ({prev / t:.2f}x)"
                                       for prev, t in zip(times, times[1:])]
        print(f"{spec.partition(':')[2]:12s}" + "".join(f"{c:>30s}" for c in cells), flush=True)
    os.environ.pop("IBUTILS_FAST_CONV", None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
