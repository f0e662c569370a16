"""What the stored results cover, what they cost, and what the full profile would cost.

    python tools/study_status.py                 # the book profile, every factor
    python tools/study_status.py --profile paper
    python tools/study_status.py --epochs 200    # against the horizon the book shows
    python tools/study_status.py --activation relu --factors width depth --epochs 200

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
from ibutils.planning import coverage, coverage_summary


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="book", choices=tuple(PROFILES))
    parser.add_argument("--activation", default="tanh", choices=("tanh", "relu"))
    parser.add_argument("--epochs", type=int, default=None,
                        help="horizon to measure coverage against (default: the profile's)")
    parser.add_argument("--factors", nargs="+", default=None, choices=tuple(paper_variants()),
                        help="factors to cover (default: all five; the ReLU study of the "
                             "compression chapter has width and depth)")
    args = parser.parse_args(argv)
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


if __name__ == "__main__":
    sys.exit(main())
