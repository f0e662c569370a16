"""Per-layer trajectories of one configuration, as the chapters' "What we found" quotes them.

    python tools/layer_curves.py kernel 5conv-k7 renyi
    python tools/layer_curves.py kernel 5conv-k7 paper --each          # every seed, too
    python tools/layer_curves.py fc fc mean --at 29 200                # gradient statistics

For each dataset and layer of the stored runs (book profile, 200 epochs, seeds 0-2 where
stored; nothing is trained): the seed mean at the first snapshot, its lowest and highest
value with their epochs, and its last value, then each seed's last value. `quantity` is an
estimator of the chapters ("paper", "bins", "renyi": I(X;T) in bits, or the estimator's
units for Renyi) or a gradient statistic ("mean", "std", "snr").
"""
from __future__ import annotations

import argparse
import sys

import numpy as np

from ibutils.architecture import paper_variants
from ibutils.book import load_chapter
from ibutils.config import ixt_key

ESTIMATORS = ("paper", "bins", "renyi")
GRADIENTS = ("mean", "std", "snr")


def _curve(run, chapter, quantity: str, layer: str) -> np.ndarray:
    if quantity in GRADIENTS:
        return run.gradients(layer, quantity)
    est = {"paper": chapter.paper, "bins": chapter.by_count, "renyi": chapter.renyi}[quantity]
    return run.mi(chapter.split, est, layer, ixt_key(est))


def _line(label: str, epochs, values, at=()) -> str:
    lo, hi = int(np.argmin(values)), int(np.argmax(values))
    picks = "".join(f"  @{e}: {values[list(epochs).index(e)]:.4g}" for e in at)
    return (f"  {label:10s} first {values[0]:.4g}  min {values[lo]:.4g} @{epochs[lo]}  "
            f"max {values[hi]:.4g} @{epochs[hi]}  last {values[-1]:.4g}{picks}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("factor", choices=tuple(paper_variants()))
    parser.add_argument("variant")
    parser.add_argument("quantity", choices=ESTIMATORS + GRADIENTS)
    parser.add_argument("--epochs", type=int, default=200, help="horizon (default: 200)")
    parser.add_argument("--each", action="store_true", help="print every seed's curve too")
    parser.add_argument("--at", type=int, nargs="+", default=(),
                        help="also print the values at these snapshot epochs")
    args = parser.parse_args(argv)
    try:
        chapter = load_chapter(args.factor, epochs=args.epochs, seeds=[0, 1, 2],
                               variants=[args.variant], allow_training=False, stored_seeds=True,
                               gradients=args.quantity in GRADIENTS)
    except ValueError as exc:
        parser.error(str(exc))
    for dataset in chapter.datasets:
        runs = [r for r in chapter.results if r.dataset == dataset]
        epochs = runs[0].epochs()  # every stored run of a profile has the same schedule
        missing = [e for e in args.at if e not in epochs]
        if missing:
            parser.error(f"--at: got {missing}, allowed snapshot epochs {epochs.tolist()}")
        print(f"{dataset} {args.variant}, seeds {[r.seed for r in runs]}, {args.quantity}")
        for layer in runs[0].layers:
            curves = np.array([_curve(r, chapter, args.quantity, layer) for r in runs])
            print(_line(layer, epochs, curves.mean(0), args.at)
                  + "  last per seed " + ", ".join(f"{v:.4g}" for v in curves[:, -1]))
            if args.each:
                for r, values in zip(runs, curves):
                    print("  " + _line(f"seed {r.seed}", epochs, values, args.at))
    return 0


if __name__ == "__main__":
    sys.exit(main())
