"""Goal 4 of the speed issue: recording every snapshot's MI adds at most 15% to a `book` run.

For some of the paper's nets (MNIST, the `book` profile's data: 10,000 training and 10,000
test images), measured side by side in one process:
- training: seconds per epoch of the runner's training loop (batch 1,000, Adam), mean of a
  few epochs after a warm-up;
- recording: seconds per snapshot of `ibutils.train.snapshot_record` without gradient
  statistics, i.e. loss, accuracy and every estimator on every layer of the train and test
  splits, for the chapters' estimators (bins 0.67 wide, 30 bins, Renyi on 500 inputs) and for
  the paper's estimator alone.
The overhead of a run is snapshots x recording / (epochs x training), for the `book` profile's
1,000-epoch horizon and for the 200 epochs committed so far.

Goal (exit 1 if missed): overhead <= 15% at 1,000 epochs with the chapters' estimators.

    python benchmarks/bench_record.py [--variants width/w3 depth/d9] [--epochs 3] [--threads 1]
"""
from __future__ import annotations

import os
import sys

THREADS = sys.argv[sys.argv.index("--threads") + 1] if "--threads" in sys.argv else "1"
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, THREADS)  # before numpy is imported

import argparse  # noqa: E402
import time  # noqa: E402

import torch  # noqa: E402

from ibutils.config import PAPER_ESTIMATOR, binning, get_profile, renyi, snapshot_epochs  # noqa: E402
from ibutils.architecture import get_variant  # noqa: E402
from ibutils.runner import data_for  # noqa: E402
from ibutils.record import snapshot_record
from ibutils.train import _train_epoch, as_input, new_model  # noqa: E402

GOAL = 0.15
CHAPTER_ESTIMATORS = (PAPER_ESTIMATOR, binning(n_bins=30), renyi(n_samples=500))


def measure(factor: str, variant: str, epochs: int, snapshots: int) -> dict:
    prof = get_profile("book")
    run = prof.run_config(get_variant(factor, variant), "mnist", 0)
    splits = data_for(run)
    model, opt = new_model(run)
    x, y = as_input(splits["train"].x), splits["train"].y
    _train_epoch(model, opt, x, y, run, 0)  # warm-up
    start = time.perf_counter()
    for e in range(1, epochs + 1):
        _train_epoch(model, opt, x, y, run, e)
    train = (time.perf_counter() - start) / epochs
    out = {"train": train}
    for name, ests in (("chapters", CHAPTER_ESTIMATORS), ("paper", (PAPER_ESTIMATOR,))):
        snapshot_record(model, splits, ests, 0)  # warm-up (allocations, subsample draw)
        start = time.perf_counter()
        for _ in range(snapshots):
            snapshot_record(model, splits, ests, 0)
        out[name] = (time.perf_counter() - start) / snapshots
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", nargs="+",
                        default=["width/w1", "width/w3", "width/w12", "depth/d9", "fc/fc"])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--snapshots", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    horizons = {h: len(snapshot_epochs("log", h)) for h in (1000, 200)}
    print(f"threads {args.threads}; snapshots in the book schedule: "
          + ", ".join(f"{n} up to epoch {h}" for h, n in horizons.items()))
    print(f"{'net':<12} {'train s/ep':>10} {'record s (chapters)':>20} {'record s (paper)':>17} "
          f"{'overhead 1000 ep':>17} {'overhead 200 ep':>16} {'paper only, 1000':>17}")
    worst = 0.0
    for spec in args.variants:
        factor, variant = spec.split("/")
        m = measure(factor, variant, args.epochs, args.snapshots)
        over = {h: n * m["chapters"] / (h * m["train"]) for h, n in horizons.items()}
        paper = horizons[1000] * m["paper"] / (1000 * m["train"])
        worst = max(worst, over[1000])
        print(f"{spec:<12} {m['train']:>10.2f} {m['chapters']:>20.2f} {m['paper']:>17.2f} "
              f"{100 * over[1000]:>16.1f}% {100 * over[200]:>15.1f}% {100 * paper:>16.1f}%",
              flush=True)
    ok = worst <= GOAL
    print(f"goal: overhead <= {100 * GOAL:.0f}% at 1,000 epochs: worst {100 * worst:.1f}% -> "
          f"{'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
