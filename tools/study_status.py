"""What the stored results cover, what they cost, and what the full profile would cost.

    python tools/study_status.py                 # the book profile, every factor
    python tools/study_status.py --profile paper
    python tools/study_status.py --epochs 200    # against the horizon the book shows
    python tools/study_status.py --activation relu --factors width depth --epochs 200
    python tools/study_status.py --horizons      # the long horizons: 1,000 and 10,000 epochs
    python tools/study_status.py --noisy         # the noisy-network runs (both noise levels)
    python tools/study_status.py --robustness    # seeds 0-2 measured with every Renyi setting

For every configuration of every factor and dataset: the seeds stored, the epochs trained,
the measured seconds per epoch (training plus all snapshot measurements, as the runs recorded
them) and the projected CPU time of the whole profile at those speeds
(`ibutils.planning.coverage`, `coverage_summary`). Reads the JSON results only; trains nothing.
"""
from __future__ import annotations

import argparse
import sys

from ibutils.architecture import paper_variants
from ibutils.config import PROFILES, get_profile
from ibutils.planning import (
    coverage,
    coverage_summary,
    horizon_targets,
    noisy_targets,
    robustness_targets,
)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="book", choices=tuple(PROFILES))
    parser.add_argument("--activation", default="tanh", choices=("tanh", "relu"))
    parser.add_argument("--epochs", type=int, default=None,
                        help="horizon to measure coverage against (default: the profile's)")
    parser.add_argument("--factors", nargs="+", default=None, choices=tuple(paper_variants()),
                        help="factors to cover (default: all five; the ReLU study of the "
                             "compression chapter has width and depth)")
    parser.add_argument("--horizons", action="store_true",
                        help="coverage of the long horizons instead: seed 0 of every "
                             "configuration to 1,000 epochs, one net per factor to 10,000")
    parser.add_argument("--noisy", action="store_true",
                        help="coverage of the noisy-network runs instead (MNIST, seeds 0-2, "
                             "both noise levels, 200 epochs)")
    parser.add_argument("--robustness", action="store_true",
                        help="coverage of the runs the Renyi robustness rows need instead "
                             "(seeds 0-2 of every configuration, both datasets)")
    args = parser.parse_args(argv)
    if args.horizons:
        return horizons(args.activation)
    if args.noisy or args.robustness:
        return measured(noisy_targets() if args.noisy else robustness_targets(args.activation))
    try:  # the profile checks its horizon (positive integer) itself
        prof = get_profile(args.profile, epochs=args.epochs)
    except ValueError as exc:
        parser.error(str(exc))
    rows = coverage(prof, args.activation, factors=args.factors)
    print(f"{'factor':8s} {'variant':10s} {'dataset':14s} {'key':12s} {'seeds':>8s} "
          f"{'epochs':>7s} {'s/epoch':>8s}")
    for r in rows:
        print(f"{r.factor:8s} {r.variant:10s} {r.dataset:14s} {r.key:12s} "
              f"{','.join(map(str, r.seeds)) or '-':>8s} {r.epochs:7d} "
              f"{r.seconds_per_epoch:8.2f}" + ("  (listed above)" if r.shared else ""))
    total = coverage_summary(rows, prof)
    print(f"\nCPU time spent on the stored runs (distinct configurations): "
          f"{total['spent_seconds'] / 3600:.1f} process-hours")
    print(f"projected for the whole `{prof.name}` profile ({prof.epochs} epochs, seeds "
          f"{list(prof.seeds)}) at the measured speeds of the configurations stored: "
          f"{total['projected_seconds'] / 3600:.1f} process-hours"
          + (f" (no speed measured for {', '.join(total['unmeasured'])})"
             if total["unmeasured"] else ""))
    short = total["short"]
    print(f"configurations short of the profile ({prof.epochs} epochs, {len(prof.seeds)} seeds): "
          f"{len(short)} of {total['configurations']}" + (f": {', '.join(short)}" if short else ""))
    return 0


def horizons(activation: str) -> int:
    """Print `ibutils.planning.horizon_targets`: each run, its epochs stored against its
    target, whether its checkpoint travels with the repository, and the CPU time left."""
    rows = horizon_targets(activation)
    print(f"{'profile':7s} {'factor':8s} {'variant':10s} {'dataset':14s} {'stored':>7s} "
          f"{'target':>7s} {'travels':>7s} {'hours left':>10s}")
    for r in rows:
        print(f"{r.profile:7s} {r.factor:8s} {r.variant:10s} {r.dataset:14s} {r.stored:7d} "
              f"{r.target:7d} {'yes' if r.travelling else '':>7s} {_hours(r)}")
    _total(rows, sum(r.stored >= r.target for r in rows), "at their target")
    return 0


def measured(rows) -> int:
    """Print `ibutils.planning.MeasuredTarget` rows: each run, its epochs stored, whether it
    carries the estimators it needs, and the CPU time left at the speed of the run named."""
    print(f"{'factor':8s} {'variant':10s} {'dataset':14s} {'seed':>4s} {'noise':>5s} "
          f"{'stored':>7s} {'measured':>8s} {'hours left':>10s}  speed of")
    for r in rows:
        print(f"{r.factor:8s} {r.variant:10s} {r.dataset:14s} {r.seed:4d} {r.noise_std:5g} "
              f"{r.stored:7d} {'yes' if r.measured else '':>8s} {_hours(r)}"
              + (f"  {r.speed_from}" if r.remaining_seconds else ""))
    _total(rows, sum(r.measured for r in rows), "measured")
    done = [r for r in rows if r.measured]
    retrained = [r for r in done if r.retrain_seconds]
    print(f"CPU time the measured runs record: training "
          f"{sum(r.train_seconds for r in done) / 3600:.1f} process-hours; re-training to add "
          f"estimators {sum(r.retrain_seconds for r in retrained) / 3600:.1f} process-hours "
          f"({len(retrained)} runs; the others were measured as they trained or from cached "
          f"snapshot weights, whose measuring time is not recorded)")
    if any(r.speed_from == "without noise" and not r.measured for r in rows):
        print("(\"without noise\": the deterministic net's speed, a lower bound for a noisy run, "
              "which trains on whole batches and is measured by one more estimator)")
    return 0


def _hours(row) -> str:
    left = row.remaining_seconds / 3600
    return f"{left:10.1f}" if left == left else f"{'?':>10s}"


def _total(rows, done: int, what: str) -> None:
    known = [r.remaining_seconds for r in rows if r.remaining_seconds == r.remaining_seconds]
    print(f"\n{done} of {len(rows)} runs {what}; about {sum(known) / 3600:.0f} "
          f"process-hours left at the measured speeds"
          + (f" ({len(rows) - len(known)} without a measured speed)"
             if len(known) < len(rows) else ""))


if __name__ == "__main__":
    sys.exit(main())
