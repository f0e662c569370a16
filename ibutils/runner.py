"""From a list of runs to stored results: load what is stored, compute only what is missing.

`run_study(factor, ...)` is what the book's pages call. For each (dataset, variant, seed) it
returns a `RunResult`, loading it from ``results/`` when the stored file covers the requested
horizon and estimators, resuming from the last checkpoint when a run was interrupted, applying
a newly requested estimator to cached snapshot weights when those exist, and training otherwise.
Planning is `ibutils.planning`, the file format `ibutils.results`, the command line
`python -m ibutils` (`ibutils.__main__`), dask `ibutils.distributed`.
"""
from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Iterable, Sequence

from tqdm import tqdm

from . import store
from .config import DEFAULT_ESTIMATORS, Estimator, Profile, RunConfig, get_profile
from .data import Split, load_dataset
from .device import torch_device
from .distributed import run_distributed
from .planning import StudyRun, describe_missing, missing_runs, plan_study
from .provenance import provenance
from .record import estimates, gradient_stats, snapshot_record
from .results import (
    MissingResultError,
    RunResult,
    add_remeasured,
    add_snapshot,
    complete,
    needed_snapshots,
    new_payload,
    retraining_record,
)
from .seed_group import train_group
from .train import TrainState, new_model, train_run


@functools.lru_cache(maxsize=4)
def _data(dataset: str, train_per_class: int, test_per_class, data_seed: int) -> dict[str, Split]:
    train, test = load_dataset(dataset, train_per_class=train_per_class,
                               test_per_class=test_per_class, seed=data_seed)
    return {"train": train, "test": test}


def data_for(run: RunConfig) -> dict[str, Split]:
    return _data(run.dataset, run.train_per_class, run.test_per_class, run.data_seed)


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
        first = payload["snapshots"][0]
        for split_name, split in splits.items():
            ref = first[split_name]["mi"] if snap is not first else None
            if ref is not None and any(e.kwargs().get("fixed_width") and e.id not in ref
                                       for e in missing):
                break  # the first snapshot's weights are gone: retrain for these
            snap[split_name]["mi"].update(estimates(model, split, missing, snap["epoch"],
                                                    run_seed=run.seed, reference=ref))
        else:
            store.save_result(path, payload)


def add_gradients(run: RunConfig, profile: Profile, *, allow_training: bool = True) -> dict:
    """Add gradient statistics to stored snapshots that lack them, from cached weights.

    Runs trained before gradient statistics were recorded get them here; each snapshot is
    saved as soon as it is done. Raises `MissingResultError` when a snapshot lacks them and
    either `allow_training` is False or its weights are not in the cache.
    """
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
    needed = needed_snapshots(run, horizon)
    path = store.run_dir(run, profile.name) / "result.json"
    payload = store.load_result(path)
    if complete(payload, needed, horizon, estimators):
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
    if complete(payload, needed, horizon, estimators):
        return payload
    splits = data_for(run)
    payload = _fill(run, profile, payload, path, estimators, splits)
    if complete(payload, needed, horizon, estimators):
        return payload
    return _train_and_store(run, payload, path, needed, horizon, estimators, splits, progress)


def _fill(run, profile, payload, path, estimators, splits) -> dict:
    """A stored payload with missing estimators applied to cached weights, or a new payload."""
    if payload is None:
        return new_payload(run, profile, splits)
    _backfill(run, payload, path, estimators, splits)
    return payload


class RunJob:
    """One run about to be trained: its stored payload, resume point and storage callbacks
    (what `ibutils.train.train_run` and `ibutils.seed_group.train_group` are handed)."""

    def __init__(self, run: RunConfig, payload: dict, path, needed, horizon, estimators):
        self.run, self.payload, self.path = run, payload, path
        self.done = {s["epoch"] for s in payload["snapshots"]
                     if all(e.id in s["train"]["mi"] for e in estimators)}
        ckpt = store.load_torch(store.checkpoint_path(run))
        self.travels = store.travels(path)
        if self.travels:  # the copy that travels with the repository, if it is further on
            moved = store.load_torch(store.resume_path(path))
            if (moved is not None and moved.get("key") == run.key()
                    and (ckpt is None or moved["epoch"] > ckpt["epoch"])):
                ckpt = moved
        self.resume = None
        if (ckpt is not None and ckpt["epoch"] <= horizon
                and all(e in self.done for e in needed if e < ckpt["epoch"])):
            self.resume = TrainState(ckpt["epoch"], ckpt["model"], ckpt["optimizer"],
                                     ckpt["epoch_loss"])
        # Without a usable checkpoint the run restarts from its seed. Training is deterministic,
        # so stored snapshots of the same run stay valid and are kept; only missing ones are
        # measured.
        self.started, self.base_seconds, self.share = time.monotonic(), payload["train_seconds"], 1
        # Epochs already stored that this session trains again (the weights were gone and an
        # estimator was added): their stored values stay, the retraining is recorded apart.
        self.stored_until = payload["epochs_trained"]
        self.stored_epochs = {s["epoch"] for s in payload["snapshots"]}
        self.stored_loss = list(payload["epoch_loss"])
        self.retrain_seconds = 0.0
        # where this training session runs (a result extended later gets another record)
        payload.setdefault("provenance", []).append(
            {**provenance(run.device), "from_epoch": self.start_epoch})

    @property
    def start_epoch(self) -> int:
        return 0 if self.resume is None else self.resume.epoch

    def on_snapshot(self, record: dict, state: TrainState) -> None:
        elapsed = (time.monotonic() - self.started) / self.share  # this run's share of the time
        if state.epoch <= self.stored_until and state.epoch in self.stored_epochs:
            retrained = self.payload["provenance"][-1]
            retrained["retrained"] = retraining_record(self.payload, record, state.epoch_loss,
                                                       self.stored_loss, seconds=elapsed)
            add_remeasured(self.payload, record)
            self.retrain_seconds = elapsed
        else:
            add_snapshot(self.payload, record, epoch=state.epoch, epoch_loss=state.epoch_loss,
                         train_seconds=self.base_seconds + elapsed - self.retrain_seconds,
                         group_size=self.share)
        store.save_result(self.path, self.payload)
        store.save_torch(store.weights_path(self.run, state.epoch), state.model)

    def on_checkpoint(self, state: TrainState) -> None:
        ckpt = {"epoch": state.epoch, "model": state.model, "optimizer": state.optimizer,
                "epoch_loss": list(state.epoch_loss), "key": self.run.key()}
        store.save_torch(store.checkpoint_path(self.run), ckpt)
        if self.travels:
            store.save_torch(store.resume_path(self.path), ckpt)

    def finish(self, horizon: int) -> None:
        """A run trained to its horizon needs no travelling checkpoint any more."""
        if self.payload["epochs_trained"] >= horizon:
            store.resume_path(self.path).unlink(missing_ok=True)


def measure_missing(payload: dict, run: RunConfig, splits, estimators):
    """The `measure` callback of a run being trained: at a snapshot already stored, only the
    estimators (and gradient statistics) it lacks; at a new one, everything. Retraining a run
    whose weights are gone, to add an estimator, so costs the training and that estimator."""
    def measure(model, epoch):
        stored = next((s for s in payload["snapshots"] if s["epoch"] == epoch), None)
        todo = [e for e in estimators if stored is None or e.id not in stored["train"]["mi"]]
        first = payload["snapshots"][0] if payload["snapshots"] else None
        return snapshot_record(model, splits, todo, epoch, run,
                               gradients=stored is None or "gradients" not in stored,
                               first=first)
    return measure


def _train_and_store(run, payload, path, needed, horizon, estimators, splits, progress) -> dict:
    """Train one run (resuming if possible), storing each snapshot as soon as it is measured."""
    job = RunJob(run, payload, path, needed, horizon, estimators)
    train_run(run, splits, horizon=horizon, snapshots=needed,
              measure=measure_missing(payload, run, splits, estimators),
              on_snapshot=job.on_snapshot, on_checkpoint=job.on_checkpoint, resume=job.resume,
              done_snapshots=job.done, progress=progress)
    job.finish(horizon)
    return payload


def run_group(runs: list[RunConfig], profile: Profile, horizon: int, estimators,
              progress: bool, grouped: bool = True) -> list[dict]:
    """Runs differing only by seed: train the missing ones together as one grouped network.

    Members whose resume points differ (one was interrupted, another never started) are
    trained alone; the cache makes either path give the same stored results.
    """
    needed = needed_snapshots(runs[0], horizon)
    paths = [store.run_dir(r, profile.name) / "result.json" for r in runs]
    payloads = [store.load_result(p) for p in paths]
    todo = [i for i, p in enumerate(payloads) if not complete(p, needed, horizon, estimators)]
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
            if not complete(payload, needed, horizon, estimators):
                jobs[i] = RunJob(runs[i], payload, paths[i], needed, horizon, estimators)
            payloads[i] = payload
        starts = {job.start_epoch for job in jobs.values()}
        if len(jobs) >= 2 and len(starts) == 1:
            for job in jobs.values():
                job.share = len(jobs)
            members = [j.run for j in jobs.values()]
            measures = [measure_missing(j.payload, j.run, splits, estimators)
                        for j in jobs.values()]
            train_group(members, splits, horizon=horizon, snapshots=needed,
                        measure=lambda model, epoch, i: measures[i](model, epoch),
                        jobs=list(jobs.values()), progress=progress)
            for job in jobs.values():
                job.finish(horizon)
        else:
            for i, job in jobs.items():
                _train_and_store(runs[i], job.payload, paths[i], needed, horizon, estimators,
                                 splits, progress)
    return payloads


def run_study(factor: str, datasets: Iterable[str] = ("mnist", "fashion_mnist"), *,
              profile: str = "book", epochs: int | None = None, seeds=None, variants=None,
              estimators: Sequence[Estimator] = DEFAULT_ESTIMATORS, activation: str = "tanh",
              allow_training: bool = True, progress: bool = True,
              scheduler: str | None = None, group_seeds: bool = False,
              gradients: bool = False, precision: str = "fp32",
              noise_std: float = 0.0, device: str = "cpu") -> list[RunResult]:
    """Run or load every run of one factor; returns their `RunResult` objects in plan order.

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
        Require gradient statistics at every snapshot (`ibutils.record.gradient_stats`).
        Training records them; runs stored without them get them from cached weights.
    device : {"cpu", "cuda", "mps"}
        Where to train and measure (`ibutils.device`); the compiled CPU kernels serve "cpu"
        only. Runs on another device get cache keys of their own. An error names the devices
        this machine has.
    noise_std : float
        0: the paper's deterministic networks; > 0: their noisy versions (Gaussian noise of
        this standard deviation on every hidden layer, Goldfeld et al. 2019), with cache keys
        of their own. Measure them with the `noisy` estimator set (`ibutils.config.noisy`).
    """
    prof = get_profile(profile, epochs=epochs, seeds=seeds)
    torch_device(device)  # a device this machine lacks fails here, before anything runs
    plan = plan_study(factor, datasets, prof, variants, activation, precision, noise_std,
                      device)
    if noise_std > 0 and group_seeds:
        raise ValueError("group_seeds: grouped seeds train deterministic networks only; "
                         "allowed False with noise_std > 0")
    if not allow_training:  # name every missing run at once, with what it would cost
        missing = missing_runs(plan, prof, prof.epochs, estimators)
        if missing:
            raise MissingResultError(describe_missing(missing))
    groups: dict[tuple, list[StudyRun]] = {}
    for item in plan:  # the seeds of one (dataset, variant) train together
        groups.setdefault((item.dataset, item.variant), []).append(item)
    if allow_training and scheduler is not None:
        payloads = run_distributed(run_group, list(groups.values()), prof, estimators, scheduler, progress,
                                    group_seeds)
    else:
        payloads = {}
        for items in tqdm(groups.values(), desc=f"{factor} ({prof.name})", disable=not progress,
                          unit="config"):
            runs = [item.run for item in items]
            if allow_training:
                got = run_group(runs, prof, prof.epochs, estimators, progress, group_seeds)
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
