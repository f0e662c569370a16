"""Command line: ``python -m ibutils --factor width --profile book`` runs or loads a study.

Runs go through `ibutils.runner.run_study`; ``--threads`` also limits numpy's BLAS threads (by
re-executing with the environment set), so two runners share two cores without
oversubscribing them.
"""
from __future__ import annotations

import os
from collections.abc import Sequence

from .architecture import paper_variants
from .runner import run_study

BLAS_ENV = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def _limit_blas_threads(threads: int, argv) -> None:
    """Make numpy's BLAS use `threads` threads too, by re-executing with the env vars set.

    BLAS reads them only when numpy is first imported; without this, several single-threaded
    runners on one machine each start a full set of spinning BLAS threads (measured here: a
    Renyi backfill ran about 10x slower in two concurrent runners).
    """
    import os
    import sys

    if all(os.environ.get(k) == str(threads) for k in BLAS_ENV):
        return
    env = {**os.environ, **{k: str(threads) for k in BLAS_ENV}}
    args = sys.argv[1:] if argv is None else list(argv)
    os.execve(sys.executable, [sys.executable, "-m", "ibutils", *args], env)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m ibutils --factor width --profile book``."""
    import argparse

    import torch

    from .config import DEVICES, ESTIMATOR_SETS, PRECISIONS, PROFILES, estimator_set

    parser = argparse.ArgumentParser(prog="python -m ibutils", description=main.__doc__)
    parser.add_argument("--factor", required=True, choices=tuple(paper_variants()))
    parser.add_argument("--datasets", nargs="+", default=["mnist", "fashion_mnist"],
                        choices=("mnist", "fashion_mnist"))
    parser.add_argument("--profile", default="book", choices=tuple(PROFILES))
    parser.add_argument("--epochs", type=int, default=None, help="horizon (default: profile's)")
    parser.add_argument("--seeds", type=int, nargs="+", default=None)
    parser.add_argument("--variants", nargs="+", default=None)
    parser.add_argument("--activation", default="tanh", choices=("tanh", "relu"))
    parser.add_argument("--device", default="cpu", choices=DEVICES,
                        help="where to train and measure (default cpu; cuda and mps runs get "
                             "cache keys of their own)")
    parser.add_argument("--noise-std", type=float, default=0.0,
                        help="noisy networks: Gaussian noise of this standard deviation on "
                             "every hidden layer (default 0: the paper's deterministic nets)")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    parser.add_argument("--estimators", nargs="+", default=["default"],
                        choices=tuple(ESTIMATOR_SETS),
                        help="named estimator sets; estimators missing from stored runs are "
                             "applied to the cached snapshot weights")
    parser.add_argument("--group-seeds", action="store_true",
                        help="train the seeds of a configuration as one grouped network")
    parser.add_argument("--precision", default="fp32", choices=PRECISIONS,
                        help="bf16: train under CPU autocast to bfloat16")
    parser.add_argument("--gradients", action="store_true",
                        help="add gradient statistics to stored runs that lack them")
    parser.add_argument("--travel-checkpoint", action="store_true",
                        help="keep each run's checkpoint beside its result (resume.pt, to "
                             "commit) until the run is complete, so a fresh clone resumes it")
    parser.add_argument("--scheduler", default=None,
                        help='"local" for a dask LocalCluster, or a dask scheduler address')
    args = parser.parse_args(argv)
    if args.travel_checkpoint:
        os.environ["IBUTILS_TRAVEL_CHECKPOINTS"] = "1"  # read by ibutils.store.travels
    if args.threads is not None:
        if args.threads < 1:
            parser.error(f"--threads: got {args.threads}, allowed a positive integer")
        _limit_blas_threads(args.threads, argv)
        torch.set_num_threads(args.threads)
    try:
        results = run_study(args.factor, args.datasets, profile=args.profile, epochs=args.epochs,
                            seeds=args.seeds, variants=args.variants, activation=args.activation,
                            scheduler=args.scheduler, estimators=estimator_set(args.estimators),
                            group_seeds=args.group_seeds, gradients=args.gradients,
                            precision=args.precision, noise_std=args.noise_std,
                            device=args.device)
    except ValueError as exc:
        parser.error(str(exc))
    for r in results:
        print(r, flush=True)
    return 0
if __name__ == "__main__":
    raise SystemExit(main())
