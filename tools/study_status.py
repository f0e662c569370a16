"""What the stored results cover, what they cost, and what the full profile would cost.

    python tools/study_status.py                 # the book profile, every factor
    python tools/study_status.py --profile paper
    python tools/study_status.py --epochs 200    # against the horizon the book shows

For every configuration of every factor (tanh) and dataset: the seeds stored, the epochs
trained, the measured seconds per epoch (training plus all snapshot measurements, as the runs
recorded them) and the projected CPU time of the whole profile at those speeds. Reads the JSON
results only; trains nothing.
"""
from __future__ import annotations

import argparse
import sys

from ibutils import results as store
from ibutils.config import PROFILES, get_profile
from ibutils.models import get_variant, paper_variants


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="book", choices=tuple(PROFILES))
    parser.add_argument("--activation", default="tanh", choices=("tanh", "relu"))
    parser.add_argument("--epochs", type=int, default=None,
                        help="horizon to measure coverage against (default: the profile's)")
    args = parser.parse_args(argv)
    try:  # the profile checks its horizon (positive integer) itself
        prof = get_profile(args.profile, epochs=args.epochs)
    except ValueError as exc:
        parser.error(str(exc))
    seen, rows = set(), []
    spent = projected = 0.0
    missing = []
    print(f"{'factor':8s} {'variant':10s} {'dataset':14s} {'key':12s} {'seeds':>8s} "
          f"{'epochs':>7s} {'s/epoch':>8s}")
    for factor, variants in paper_variants(args.activation).items():
        for variant in variants:
            net = get_variant(factor, variant, args.activation)
            for dataset in ("mnist", "fashion_mnist"):
                payloads = {}
                for seed in prof.seeds:
                    run = prof.run_config(net, dataset, seed)
                    p = store.load_result(store.run_dir(run, prof.name) / "result.json")
                    if p is not None:
                        payloads[seed] = p
                key = prof.run_config(net, dataset, 0).key()
                rate = [p["train_seconds"] / p["epochs_trained"] for p in payloads.values()
                        if p["epochs_trained"]]
                s_per_epoch = sum(rate) / len(rate) if rate else float("nan")
                epochs = min((p["epochs_trained"] for p in payloads.values()), default=0)
                print(f"{factor:8s} {variant:10s} {dataset:14s} {key:12s} "
                      f"{','.join(map(str, payloads)) or '-':>8s} {epochs:7d} "
                      f"{s_per_epoch:8.2f}")
                if (key, dataset) in seen:  # the same configuration in two factors
                    continue
                seen.add((key, dataset))
                spent += sum(p["train_seconds"] for p in payloads.values())
                if rate:
                    projected += s_per_epoch * prof.epochs * len(prof.seeds)
                if len(payloads) < len(prof.seeds) or epochs < prof.epochs:
                    missing.append(f"{factor}/{variant}/{dataset}")
    print(f"\nCPU time spent on the stored runs (distinct configurations): "
          f"{spent / 3600:.1f} process-hours")
    print(f"projected for the whole `{prof.name}` profile ({prof.epochs} epochs, seeds "
          f"{list(prof.seeds)}) at the measured speeds of the configurations stored: "
          f"{projected / 3600:.1f} process-hours")
    print(f"configurations short of the profile ({prof.epochs} epochs, {len(prof.seeds)} seeds): "
          f"{len(missing)} of {len(seen)}" + (f": {', '.join(missing)}" if missing else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
