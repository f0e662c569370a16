"""From a list of runs to cached results: load what is stored, compute only what is missing.

`run_study(factor, ...)` is what the notebooks call. For each (dataset, variant, seed) it
returns a `RunResult`, loading it from ``results/`` when the stored file covers the requested
horizon and estimators, resuming from the last checkpoint when a run was interrupted, applying
a newly requested estimator to cached snapshot weights when those exist, and training otherwise.
"""
from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from . import results as store
from .config import (DEFAULT_ESTIMATORS, Estimator, Profile, RunConfig, check_choice, get_profile,
                     snapshot_epochs)
from .data import Split, load_dataset
from .mi import label_entropy
from .models import get_variant, paper_variants
from tqdm import tqdm
from .group import train_group
from .train import TrainState, estimates, new_model, train_run


class MissingResultError(RuntimeError):
    """A result is not in the cache and training was not allowed."""


@functools.lru_cache(maxsize=4)
def _data(dataset: str, train_per_class: int, test_per_class, data_seed: int) -> dict[str, Split]:
    train, test = load_dataset(dataset, train_per_class=train_per_class,
                               test_per_class=test_per_class, seed=data_seed)
    return {"train": train, "test": test}


def data_for(run: RunConfig) -> dict[str, Split]:
    return _data(run.dataset, run.train_per_class, run.test_per_class, run.data_seed)


class RunResult:
    """A stored run: its config, snapshot records and helpers to pull out curves."""

    def __init__(self, payload: dict, *, horizon: int | None = None, label: str = "",
                 factor: str = "", variant: str = ""):
        self.payload = payload
        self.config = RunConfig.from_dict(payload["config"])
        self.horizon = payload["epochs_trained"] if horizon is None else horizon
        self.start = 0
        self.label, self.factor, self.variant = label, factor, variant

    def window(self, first: int, last: int) -> "RunResult":
        """The same run restricted to snapshots with first <= epoch <= last."""
        view = RunResult(self.payload, horizon=min(last, self.horizon), label=self.label,
                         factor=self.factor, variant=self.variant)
        view.start = first
        return view

    @property
    def dataset(self) -> str:
        return self.config.dataset

    @property
    def seed(self) -> int:
        return self.config.seed

    @property
    def label_config(self) -> str:
        """The configuration without the seed: "factor/variant/dataset"."""
        return f"{self.factor}/{self.variant}/{self.dataset}" if self.factor else self.config.key()

    def h_y(self, split: str) -> float:
        """H(Y) in bits of a split's labels, as stored with the run (the ceiling of I(T;Y))."""
        return float(self.payload["h_y"][split])

    @property
    def layers(self) -> list[str]:
        return list(self.payload["layers"])

    @property
    def n(self) -> dict[str, int]:
        return dict(self.payload["n"])

    def snapshots(self, horizon: int | None = None) -> list[dict]:
        """Snapshot records up to `horizon` (default: the horizon this result was asked for)."""
        horizon = self.horizon if horizon is None else horizon
        return [s for s in self.payload["snapshots"] if self.start <= s["epoch"] <= horizon]

    def epoch_loss(self) -> np.ndarray:
        """Mean training-batch loss of every epoch 1..horizon."""
        return np.array(self.payload["epoch_loss"][: self.horizon], dtype=float)

    def epochs(self, horizon: int | None = None) -> np.ndarray:
        return np.array([s["epoch"] for s in self.snapshots(horizon)])

    def mi(self, split: str, estimator: str, layer: str, quantity: str, horizon=None) -> np.ndarray:
        """One estimate (e.g. ``"i_xt"``) of one layer at every snapshot, in bits."""
        return np.array([s[split]["mi"][estimator][layer][quantity]
                         for s in self.snapshots(horizon)], dtype=float)

    def has_estimator(self, estimator: str, split: str = "test") -> bool:
        """The run's first snapshot carries `estimator` on `split` (stored runs record every
        estimator they were measured with at every snapshot)."""
        return estimator in self.snapshots()[0][split]["mi"]

    def has_gradients(self) -> bool:
        """Every snapshot carries gradient statistics (`ibutils.train.gradient_stats`)."""
        return all("gradients" in s for s in self.snapshots())

    def gradients(self, layer: str, stat: str = "mean", horizon=None) -> np.ndarray:
        """Gradient statistic ("mean", "std" or "snr") of one layer at every snapshot."""
        if not self.has_gradients():
            raise MissingResultError(
                f"{self.label or self.config.key()}: stored without gradient statistics; "
                f"run_study(..., gradients=True) (CLI: --gradients) adds them from the cached "
                f"snapshot weights")
        return np.array([s["gradients"][layer][stat] for s in self.snapshots(horizon)],
                        dtype=float)

    def weight_norms(self, layer: str, horizon=None) -> np.ndarray:
        """Frobenius norm of one layer's weight at every snapshot."""
        return np.array([s["weight_norm"][layer] for s in self.snapshots(horizon)], dtype=float)

    def metric(self, split: str, name: str, horizon=None) -> np.ndarray:
        """Loss or accuracy of a split at every snapshot."""
        return np.array([s[split][name] for s in self.snapshots(horizon)], dtype=float)

    def __repr__(self):
        return (f"RunResult({self.label or self.config.key()}, {self.dataset}, seed={self.seed}, "
                f"epochs={self.payload['epochs_trained']}, snapshots={len(self.snapshots())})")


def _covers(payload: dict | None, needed: Sequence[int], estimators: Sequence[Estimator]) -> bool:
    if payload is None:
        return False
    by_epoch = {s["epoch"]: s for s in payload["snapshots"]}
    return all(
        e in by_epoch and all(est.id in by_epoch[e]["train"]["mi"] for est in estimators)
        for e in needed
    )


def _needed(run: RunConfig, horizon: int) -> list[int]:
    """Snapshot epochs a run must have up to `horizon` (its schedule, plus the horizon)."""
    return sorted(set(snapshot_epochs(run.schedule, horizon)) | {horizon})


def _complete(payload: dict | None, needed, horizon: int, estimators) -> bool:
    """The stored run covers every needed snapshot with every estimator, trained to horizon."""
    return _covers(payload, needed, estimators) and payload["epochs_trained"] >= horizon


def _new_payload(run: RunConfig, profile: Profile, splits: dict[str, Split]) -> dict:
    shapes = run.net.layer_shapes()
    return {
        "config": run.to_dict(), "key": run.key(), "profile": profile.name,
        "layers": list(run.net.layer_names), "layer_shapes": {k: list(v) for k, v in shapes.items()},
        "n": {name: len(s.y) for name, s in splits.items()},
        "h_y": {name: label_entropy(s.y.numpy()) for name, s in splits.items()},
        "epochs_trained": 0, "epoch_loss": [], "train_seconds": 0.0, "snapshots": [],
    }


def _merge_snapshot(payload: dict, record: dict) -> None:
    """Insert or update one snapshot record, keeping estimates of other estimators."""
    snaps = {s["epoch"]: s for s in payload["snapshots"]}
    old = snaps.get(record["epoch"])
    if old is not None:
        for split in ("train", "test"):
            record[split]["mi"] = {**old[split]["mi"], **record[split]["mi"]}
    snaps[record["epoch"]] = record
    payload["snapshots"] = [snaps[e] for e in sorted(snaps)]


def _backfill(run, payload, path, estimators, splits) -> None:
    """Apply estimators missing from stored snapshots to the cached snapshot weights.

    Each snapshot is stored as soon as it is done, so an interrupted backfill keeps its work.
    """
    for snap in list(payload["snapshots"]):
        missing = [e for e in estimators if e.id not in snap["train"]["mi"]]
        if not missing:
            continue
        weights = store.load_torch(store.weights_path(run, snap["epoch"]))
        if weights is None:
            continue
        model, _ = new_model(run)
        model.load_state_dict(weights)
        model.eval()
        for split_name, split in splits.items():
            snap[split_name]["mi"].update(estimates(model, split, missing, snap["epoch"]))
        store.save_result(path, payload)


def add_gradients(run: RunConfig, profile: Profile, *, allow_training: bool = True) -> dict:
    """Add gradient statistics to stored snapshots that lack them, from cached weights.

    Runs trained before gradient statistics were recorded get them here; each snapshot is
    saved as soon as it is done. Raises `MissingResultError` when a snapshot lacks them and
    either `allow_training` is False or its weights are not in the cache.
    """
    from .train import gradient_stats

    path = store.run_dir(run, profile.name) / "result.json"
    payload = store.load_result(path)
    if payload is not None and all("gradients" in s for s in payload["snapshots"]):
        return payload
    if payload is None or not allow_training:
        raise MissingResultError(f"{path}: no gradient statistics stored "
                                 f"(allow_training={allow_training})")
    with store.run_lock(run):
        payload = store.load_result(path)
        splits = data_for(run)
        for snap in payload["snapshots"]:
            if "gradients" in snap:
                continue
            weights = store.load_torch(store.weights_path(run, snap["epoch"]))
            if weights is None:
                raise MissingResultError(
                    f"{path}: epoch {snap['epoch']} has no gradient statistics and its weights "
                    f"are not in the cache {store.weights_path(run, snap['epoch'])}")
            model, _ = new_model(run)
            model.load_state_dict(weights)
            snap["gradients"] = gradient_stats(model, splits["train"], seed=run.seed,
                                               epoch=snap["epoch"], batch_size=run.batch_size)
            store.save_result(path, payload)
    return payload


def run_one(run: RunConfig, profile: Profile, *, horizon: int | None = None,
            estimators: Sequence[Estimator] = DEFAULT_ESTIMATORS, allow_training: bool = True,
            progress: bool = True) -> dict:
    """Return the stored result of `run` up to `horizon`, computing whatever is missing."""
    horizon = profile.epochs if horizon is None else horizon
    needed = _needed(run, horizon)
    path = store.run_dir(run, profile.name) / "result.json"
    payload = store.load_result(path)
    if _complete(payload, needed, horizon, estimators):
        return payload
    if not allow_training:
        raise MissingResultError(
            f"{path}: not in the cache up to epoch {horizon} with estimators "
            f"{[e.id for e in estimators]} (allow_training=False)")
    with store.run_lock(run):
        return _compute(run, profile, path, needed, horizon, estimators, progress)


def _compute(run, profile, path, needed, horizon, estimators, progress) -> dict:
    """Under the run's lock: reload (another process may have finished it), then fill gaps."""
    store.remove_stale_temporaries(run, profile.name)
    payload = store.load_result(path)
    if _complete(payload, needed, horizon, estimators):
        return payload
    splits = data_for(run)
    payload = _fill(run, profile, payload, path, estimators, splits)
    if _complete(payload, needed, horizon, estimators):
        return payload
    return _train_and_store(run, payload, path, needed, horizon, estimators, splits, progress)


def _fill(run, profile, payload, path, estimators, splits) -> dict:
    """A stored payload with missing estimators applied to cached weights, or a new payload."""
    if payload is None:
        return _new_payload(run, profile, splits)
    _backfill(run, payload, path, estimators, splits)
    return payload


class _Job:
    """One run about to be trained: its stored payload, resume point and storage callbacks."""

    def __init__(self, run: RunConfig, payload: dict, path, needed, horizon, estimators):
        self.run, self.payload, self.path = run, payload, path
        self.done = {s["epoch"] for s in payload["snapshots"]
                     if all(e.id in s["train"]["mi"] for e in estimators)}
        ckpt = store.load_torch(store.checkpoint_path(run))
        self.resume = None
        if (ckpt is not None and ckpt["epoch"] <= horizon
                and all(e in self.done for e in needed if e < ckpt["epoch"])):
            self.resume = TrainState(ckpt["epoch"], ckpt["model"], ckpt["optimizer"],
                                     ckpt["epoch_loss"])
        # Without a usable checkpoint the run restarts from its seed. Training is deterministic,
        # so stored snapshots of the same run stay valid and are kept; only missing ones are
        # measured.
        self.started, self.base_seconds, self.share = time.monotonic(), payload["train_seconds"], 1

    @property
    def start_epoch(self) -> int:
        return 0 if self.resume is None else self.resume.epoch

    def on_snapshot(self, record: dict, state: TrainState) -> None:
        payload = self.payload
        _merge_snapshot(payload, record)
        old_loss = payload["epoch_loss"]
        payload["epoch_loss"] = list(state.epoch_loss) + old_loss[len(state.epoch_loss):]
        payload["epochs_trained"] = max(payload["epochs_trained"], state.epoch)
        elapsed = (time.monotonic() - self.started) / self.share  # this run's share of the time
        payload["train_seconds"] = self.base_seconds + elapsed
        payload["trained_in_group_of"] = self.share
        store.save_result(self.path, payload)
        store.save_torch(store.weights_path(self.run, state.epoch), state.model)

    def on_checkpoint(self, state: TrainState) -> None:
        store.save_torch(store.checkpoint_path(self.run), {
            "epoch": state.epoch, "model": state.model, "optimizer": state.optimizer,
            "epoch_loss": list(state.epoch_loss), "key": self.run.key()})


def _train_and_store(run, payload, path, needed, horizon, estimators, splits, progress) -> dict:
    """Train one run (resuming if possible), storing each snapshot as soon as it is measured."""
    job = _Job(run, payload, path, needed, horizon, estimators)
    train_run(run, splits, horizon=horizon, snapshots=needed, estimators=estimators,
              on_snapshot=job.on_snapshot, on_checkpoint=job.on_checkpoint, resume=job.resume,
              done_snapshots=job.done, progress=progress)
    return payload


def _run_group(runs: list[RunConfig], profile: Profile, horizon: int, estimators,
               progress: bool, grouped: bool = True) -> list[dict]:
    """Runs differing only by seed: train the missing ones together as one grouped network.

    Members whose resume points differ (one was interrupted, another never started) are
    trained alone; the cache makes either path give the same stored results.
    """
    needed = _needed(runs[0], horizon)
    paths = [store.run_dir(r, profile.name) / "result.json" for r in runs]
    payloads = [store.load_result(p) for p in paths]
    todo = [i for i, p in enumerate(payloads) if not _complete(p, needed, horizon, estimators)]
    if len(todo) < 2 or not grouped:
        return [run_one(r, profile, horizon=horizon, estimators=estimators, progress=progress)
                for r in runs]
    with contextlib.ExitStack() as locks:
        for i in sorted(todo, key=lambda i: runs[i].key()):  # fixed order: no deadlock
            locks.enter_context(store.run_lock(runs[i]))
        for i in todo:
            store.remove_stale_temporaries(runs[i], profile.name)
        splits = data_for(runs[0])
        jobs = {}
        for i in todo:  # reload under the locks: another process may have moved on
            payload = _fill(runs[i], profile, store.load_result(paths[i]), paths[i], estimators,
                            splits)
            if not _complete(payload, needed, horizon, estimators):
                jobs[i] = _Job(runs[i], payload, paths[i], needed, horizon, estimators)
            payloads[i] = payload
        starts = {job.start_epoch for job in jobs.values()}
        if len(jobs) >= 2 and len(starts) == 1:
            for job in jobs.values():
                job.share = len(jobs)
            train_group([j.run for j in jobs.values()], splits, horizon=horizon,
                        snapshots=needed, estimators=estimators,
                        jobs=list(jobs.values()), progress=progress)
        else:
            for i, job in jobs.items():
                _train_and_store(runs[i], job.payload, paths[i], needed, horizon, estimators,
                                 splits, progress)
    return payloads


@dataclass(frozen=True)
class StudyRun:
    """One run of a study, named: which factor, variant, dataset and seed."""

    factor: str
    variant: str
    dataset: str
    seed: int
    run: RunConfig

    @property
    def label(self) -> str:
        return f"{self.factor}/{self.variant}/{self.dataset}/s{self.seed}"


def plan_study(factor: str, datasets: Iterable[str], profile: Profile,
               variants: Iterable[str] | None = None, activation: str = "tanh",
               precision: str = "fp32") -> list[StudyRun]:
    """The runs of one factor: every variant x dataset x seed of the profile."""
    all_variants = paper_variants(activation)
    if factor not in all_variants:
        raise ValueError(f"factor: got {factor!r}, allowed {tuple(all_variants)}")
    names = list(all_variants[factor]) if variants is None else list(variants)
    datasets = [datasets] if isinstance(datasets, str) else list(datasets)
    return [
        StudyRun(factor, v, d, s,
                 profile.run_config(get_variant(factor, v, activation), d, s, precision))
        for d in datasets for v in names for s in profile.seeds
    ]


@dataclass(frozen=True)
class Coverage:
    """What the store holds of one configuration (factor, variant, dataset) of a profile."""

    factor: str
    variant: str
    dataset: str
    key: str  # the cache key of its seed-0 run
    seeds: tuple[int, ...]  # the profile's seeds with a stored result
    epochs: int  # epochs trained by the least-trained stored seed (0 if none)
    train_seconds: float  # summed over the stored seeds (training and every measurement)
    seconds_per_epoch: float  # mean over the stored seeds; nan if none
    shared: bool  # the same configuration is listed earlier under another factor


def coverage(profile: Profile, activation: str = "tanh",
             datasets: Iterable[str] = ("mnist", "fashion_mnist"),
             factors: Iterable[str] | None = None) -> list[Coverage]:
    """Every configuration of the `factors` (default: all five; `plan_study`'s runs, grouped
    over seeds), with what the results store holds of it under `profile`. Reads the JSON
    results; trains nothing."""
    datasets = list(datasets)
    all_variants = paper_variants(activation)
    factors = list(all_variants) if factors is None else list(factors)
    for factor in factors:
        check_choice("factors", factor, all_variants)
    rows, seen = [], set()
    for factor in factors:
        for variant in all_variants[factor]:
            for dataset in datasets:
                planned = plan_study(factor, [dataset], profile, [variant], activation)
                stored = {p.seed: payload for p in planned
                          if (payload := store.load_result(
                              store.run_dir(p.run, profile.name) / "result.json")) is not None}
                rates = [p["train_seconds"] / p["epochs_trained"] for p in stored.values()
                         if p["epochs_trained"]]
                key = planned[0].run.key()
                rows.append(Coverage(
                    factor, variant, dataset, key, tuple(stored),
                    min((p["epochs_trained"] for p in stored.values()), default=0),
                    float(sum(p["train_seconds"] for p in stored.values())),
                    float(np.mean(rates)) if rates else float("nan"), (key, dataset) in seen))
                seen.add((key, dataset))
    return rows


def coverage_summary(rows: Sequence[Coverage], profile: Profile) -> dict:
    """Totals over the distinct configurations of `coverage`: ``configurations``;
    ``spent_seconds`` (stored runs); ``projected_seconds`` (the whole profile, every seed to
    its horizon, at each configuration's measured seconds per epoch); ``short``
    ("factor/variant/dataset" of those short of the profile's seeds or horizon);
    ``unmeasured`` (those without any stored run, left out of the projection)."""
    distinct = [r for r in rows if not r.shared]
    measured = [r for r in distinct if r.seeds]
    return {
        "configurations": len(distinct),
        "spent_seconds": sum(r.train_seconds for r in distinct),
        "projected_seconds": sum(r.seconds_per_epoch * profile.epochs * len(profile.seeds)
                                 for r in measured),
        "short": [f"{r.factor}/{r.variant}/{r.dataset}" for r in distinct
                  if len(r.seeds) < len(profile.seeds) or r.epochs < profile.epochs],
        "unmeasured": [f"{r.factor}/{r.variant}/{r.dataset}" for r in distinct if not r.seeds],
    }


def run_study(factor: str, datasets: Iterable[str] = ("mnist", "fashion_mnist"), *,
              profile: str = "book", epochs: int | None = None, seeds=None, variants=None,
              estimators: Sequence[Estimator] = DEFAULT_ESTIMATORS, activation: str = "tanh",
              allow_training: bool = True, progress: bool = True,
              scheduler: str | None = None, group_seeds: bool = False,
              gradients: bool = False, precision: str = "fp32") -> list[RunResult]:
    """Run or load every run of one factor; returns their `RunResult`s in plan order.

    Parameters
    ----------
    factor : {"width", "kernel", "depth", "pooling", "fc"}
    datasets : names of datasets ("mnist", "fashion_mnist")
    profile : {"smoke", "book", "paper"}
    epochs : int, optional
        Horizon; default the profile's. A shorter horizon reuses (a prefix of) stored runs.
    seeds : sequence of int, optional
        Default the profile's seeds.
    allow_training : bool
        False raises `MissingResultError` instead of training (e.g. to build the book from
        committed results only).
    scheduler : None, "local" or an address
        None computes here, one configuration after another. "local" starts a dask
        `LocalCluster` (one single-threaded worker per core) and an address such as
        ``"tcp://10.0.0.5:8786"`` uses a running dask scheduler; each configuration (its
        seeds as one group) is one task, and every worker must see the same IBUTILS_DATA and
        IBUTILS_RESULTS folders. Per-run locks make concurrent workers safe.
    group_seeds : bool
        Train the seeds of a configuration as one grouped network (`ibutils.group`). Off by
        default: measured here (benchmarks/bench_train.py) it is 7.5x faster than a plain loop
        for 1 filter but slower than the channels-last single-model path for 12 filters.
    precision : {"fp32", "bf16"}
        "bf16" trains under CPU autocast to bfloat16 (fp32 master weights; measurements in
        fp32). Its runs have cache keys of their own.
    gradients : bool
        Require gradient statistics at every snapshot (`ibutils.train.gradient_stats`).
        Training records them; runs stored without them get them from cached weights.
    """
    prof = get_profile(profile, epochs=epochs, seeds=seeds)
    plan = plan_study(factor, datasets, prof, variants, activation, precision)
    groups: dict[tuple, list[StudyRun]] = {}
    for item in plan:  # the seeds of one (dataset, variant) train together
        groups.setdefault((item.dataset, item.variant), []).append(item)
    if allow_training and scheduler is not None:
        payloads = _run_distributed(list(groups.values()), prof, estimators, scheduler, progress,
                                    group_seeds)
    else:
        payloads = {}
        for items in tqdm(groups.values(), desc=f"{factor} ({prof.name})", disable=not progress,
                          unit="config"):
            runs = [item.run for item in items]
            if allow_training:
                got = _run_group(runs, prof, prof.epochs, estimators, progress, group_seeds)
            else:
                got = [run_one(r, prof, horizon=prof.epochs, estimators=estimators,
                               allow_training=False) for r in runs]
            payloads.update({item.label: p for item, p in zip(items, got)})
    if gradients:
        payloads.update({item.label: add_gradients(item.run, prof, allow_training=allow_training)
                         for item in plan})
    out = [RunResult(payloads[item.label], horizon=prof.epochs, label=item.label, factor=factor,
                     variant=item.variant) for item in plan]
    return out


def _group_task(runs, profile, estimators, grouped) -> list[dict]:
    """One dask task: a configuration's seeds, with torch using the worker's thread count."""
    import torch
    from distributed import get_worker

    torch.set_num_threads(get_worker().state.nthreads)
    return _run_group(runs, profile, profile.epochs, estimators, False, grouped)


def _run_distributed(groups: list[list[StudyRun]], profile: Profile, estimators, scheduler: str,
                     progress: bool, grouped: bool) -> dict:
    """Hand each configuration to dask.distributed; returns {run label: payload}."""
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler == "local":
        import os
        cluster = LocalCluster(n_workers=os.cpu_count() or 1, threads_per_worker=1,
                               processes=True, host="127.0.0.1", dashboard_address=None)
    try:
        with Client(cluster if cluster is not None else scheduler) as client:
            futures = {client.submit(_group_task, [i.run for i in items], profile, estimators,
                                     grouped, pure=False): items for items in groups}
            payloads = {}
            done = as_completed(futures)
            for future in tqdm(done, total=len(futures), disable=not progress, unit="config",
                               desc=f"{profile.name} on {scheduler}"):
                items = futures[future]
                payloads.update({i.label: p for i, p in zip(items, future.result())})
            return payloads
    finally:
        if cluster is not None:
            cluster.close()


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
    os.execve(sys.executable, [sys.executable, "-m", "ibutils.runner", *args], env)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m ibutils.runner --factor width --profile book``."""
    import argparse

    import torch

    from .config import ESTIMATOR_SETS, PRECISIONS, PROFILES, estimator_set

    parser = argparse.ArgumentParser(prog="python -m ibutils.runner", description=main.__doc__)
    parser.add_argument("--factor", required=True, choices=tuple(paper_variants()))
    parser.add_argument("--datasets", nargs="+", default=["mnist", "fashion_mnist"],
                        choices=("mnist", "fashion_mnist"))
    parser.add_argument("--profile", default="book", choices=tuple(PROFILES))
    parser.add_argument("--epochs", type=int, default=None, help="horizon (default: profile's)")
    parser.add_argument("--seeds", type=int, nargs="+", default=None)
    parser.add_argument("--variants", nargs="+", default=None)
    parser.add_argument("--activation", default="tanh", choices=("tanh", "relu"))
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
    parser.add_argument("--scheduler", default=None,
                        help='"local" for a dask LocalCluster, or a dask scheduler address')
    args = parser.parse_args(argv)
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
                            precision=args.precision)
    except ValueError as exc:
        parser.error(str(exc))
    for r in results:
        print(r, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
