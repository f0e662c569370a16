"""Which runs a study consists of, and what the results store already holds of them.

`plan_study` lists the runs of one factor (variants x datasets x seeds of a profile);
`coverage` reads the stored results of every configuration (trains nothing) and
`coverage_summary` totals them: CPU time spent, the projection for the rest, what is short.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from . import store
from .architecture import get_variant, paper_variants
from .config import Profile, RunConfig, check_choice, estimator_set, get_profile
from .results import complete, needed_snapshots


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
               precision: str = "fp32", noise_std: float = 0.0,
               device: str = "cpu") -> list[StudyRun]:
    """The runs of one factor: every variant x dataset x seed of the profile (their noisy
    versions for `noise_std` > 0)."""
    all_variants = paper_variants(activation, noise_std)
    if factor not in all_variants:
        raise ValueError(f"factor: got {factor!r}, allowed {tuple(all_variants)}")
    names = list(all_variants[factor]) if variants is None else list(variants)
    datasets = [datasets] if isinstance(datasets, str) else list(datasets)
    return [
        StudyRun(factor, v, d, s,
                 profile.run_config(get_variant(factor, v, activation, noise_std), d, s,
                                    precision, device))
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


@dataclass(frozen=True)
class MissingRun:
    """A planned run the store cannot serve: why, and what training it would cost."""

    item: StudyRun
    reason: str  # "not stored", "stored to epoch 200 of 1000", "lacks renyi_..."
    seconds: float | None  # projected CPU seconds at its configuration's measured speed


def missing_runs(plan: Sequence[StudyRun], profile: Profile, horizon: int,
                 estimators) -> list[MissingRun]:
    """The runs of `plan` whose stored result does not cover `horizon` epochs with every
    estimator, each with the reason and a projection of its CPU time (the seconds per epoch
    of the stored seeds of its configuration; None where no seed of it is stored). Reads the
    JSON results only."""
    paths = {item.label: store.run_dir(item.run, profile.name) / "result.json" for item in plan}
    stored = {label: store.load_result(path) for label, path in paths.items()}
    rates: dict = {}
    for item in plan:
        payload = stored[item.label]
        if payload and payload["epochs_trained"]:
            rates.setdefault((item.factor, item.variant, item.dataset), []).append(
                payload["train_seconds"] / payload["epochs_trained"])
    needed = needed_snapshots(plan[0].run, horizon) if plan else []
    out = []
    for item in plan:
        payload = stored[item.label]
        if complete(payload, needed, horizon, estimators):
            continue
        rate = rates.get((item.factor, item.variant, item.dataset))
        rate = float(np.mean(rate)) if rate else None
        if payload is None:
            reason, epochs = "not stored", horizon
        elif payload["epochs_trained"] < horizon:
            reason = f"stored to epoch {payload['epochs_trained']} of {horizon}"
            epochs = horizon - payload["epochs_trained"]
        else:
            have = set(payload["snapshots"][0]["train"]["mi"]) if payload["snapshots"] else set()
            lacking = [e.id for e in estimators if e.id not in have]
            reason, epochs = f"lacks {', '.join(lacking) or 'some snapshots'}", 0
        out.append(MissingRun(item, reason, None if rate is None else rate * epochs))
    return out


def describe_missing(missing: Sequence[MissingRun]) -> str:
    """What `missing_runs` found, for a person: one line per run and the projected total."""
    known = [m.seconds for m in missing if m.seconds is not None]
    total = (f"; training them would take about {sum(known) / 3600:.1f} CPU-hours at the "
             f"measured speed of their stored seeds" if known else "")
    unknown = sum(m.seconds is None for m in missing)
    if unknown and known:
        total += f" (for {unknown} of them no speed is measured yet)"
    lines = [f"  {m.item.label}: {m.reason}"
             + (f" (about {m.seconds / 60:.0f} CPU-minutes)" if m.seconds else "")
             for m in missing]
    return (f"{len(missing)} run(s) are not in the results store (allow_training=False){total}:\n"
            + "\n".join(lines) + "\nSet allow_training = True to train them here, or run "
            "`python -m ibutils --factor ...` in a terminal; a fresh clone can re-estimate "
            "only runs whose snapshot weights are in its local .cache.")


# the horizons the study aims at beyond its 200-epoch slice: seed 0 of every configuration to
# the book profile's 1,000 epochs on both datasets, and one net of every factor to the paper's
# 10,000 epochs on MNIST
PAPER_HORIZON_NETS = {"width": ("w1",), "kernel": ("2conv-k3",), "depth": ("d1",),
                      "pooling": ("no-pool", "pool"), "fc": ("no-fc", "fc")}


@dataclass(frozen=True)
class HorizonTarget:
    """One run the long horizons need, and how far the store has it."""

    profile: str
    factor: str
    variant: str
    dataset: str
    seed: int
    target: int  # epochs
    stored: int  # epochs trained so far (0: nothing stored)
    travelling: bool  # a resume.pt beside its result (committed checkpoint)
    seconds_per_epoch: float  # measured on the stored run, or on the 200-epoch runs; nan

    @property
    def remaining_seconds(self) -> float:
        return max(self.target - self.stored, 0) * self.seconds_per_epoch


def horizon_targets(activation: str = "tanh") -> list[HorizonTarget]:
    """Every run of the long horizons (`PAPER_HORIZON_NETS` at 10,000 epochs on MNIST; seed 0
    of every configuration at 1,000 epochs on both datasets; a network in two factors once),
    with what the results store holds of it. Reads the JSON results; trains nothing."""
    wanted = [("paper", f, v, "mnist") for f, vs in PAPER_HORIZON_NETS.items() for v in vs]
    wanted += [("book", f, v, d) for f, vs in paper_variants(activation).items() for v in vs
               for d in ("mnist", "fashion_mnist")]
    rows, seen = [], set()
    for profile_name, factor, variant, dataset in wanted:
        profile = get_profile(profile_name, seeds=[0])
        (item,) = plan_study(factor, [dataset], profile, [variant], activation)
        if (profile_name, dataset, item.run.key()) in seen:
            continue
        seen.add((profile_name, dataset, item.run.key()))
        path = store.run_dir(item.run, profile_name) / "result.json"
        payload = store.load_result(path)
        rate = float("nan")
        if payload is None and profile_name == "paper":  # speed of the same net in the book
            payload_book = store.load_result(store.run_dir(
                plan_study(factor, [dataset], get_profile("book", seeds=[0]), [variant],
                           activation)[0].run, "book") / "result.json")
            if payload_book and payload_book["epochs_trained"]:
                rate = payload_book["train_seconds"] / payload_book["epochs_trained"]
        stored = payload["epochs_trained"] if payload else 0
        if payload and stored:
            rate = payload["train_seconds"] / stored
        rows.append(HorizonTarget(profile_name, factor, variant, dataset, 0, profile.epochs,
                                  stored, store.resume_path(path).is_file(), rate))
    return rows


# the noisy-network study (Goldfeld et al. 2019 on the paper's nets): the width series, both
# pooling nets and the FC net with its baseline, on MNIST, at two noise levels
NOISY_NETS = {"width": ("w1", "w3", "w6", "w12"), "pooling": ("no-pool", "pool"),
              "fc": ("no-fc", "fc")}
NOISE_STDS = (0.5, 0.1)  # Gaussian noise sd on every hidden tanh unit (tanh range: [-1, 1])
NOISY_ESTIMATORS = ("default", "renyi", "noisy", "spacing")  # estimator sets its runs carry
ROBUSTNESS_ESTIMATORS = ("default", "renyi", "renyi_robustness")


@dataclass(frozen=True)
class MeasuredTarget:
    """One run a chapter needs, measured with given estimators, and how far the store has
    it."""

    factor: str
    variant: str
    dataset: str
    seed: int
    noise_std: float
    target: int  # epochs
    stored: int  # epochs trained so far (0: nothing stored)
    measured: bool  # complete to `target` with every estimator the target needs
    seconds_per_epoch: float  # a whole run's mean (see `speed_from`); nan if none is known
    speed_from: str = "this run"  # whose speed: this run, its other seeds, the same net at
    # another noise level, or the same net without noise (a noisy run takes longer)
    train_seconds: float = 0.0  # CPU time the stored run records for its training
    retrain_seconds: float = 0.0  # and for re-training it to add estimators (provenance)

    @property
    def remaining_seconds(self) -> float:
        """Training still needed at the stored speed: the missing epochs, or all of them
        again when the run is complete but lacks an estimator (its weights may be gone)."""
        if self.measured:
            return 0.0
        epochs = self.target if self.stored >= self.target else self.target - self.stored
        return epochs * self.seconds_per_epoch


def measured_targets(nets: dict, estimators: Sequence[str], *, datasets=("mnist",),
                     seeds=(0, 1, 2), noise_stds=(0.0,), profile: str = "book",
                     epochs: int = 200) -> list[MeasuredTarget]:
    """Every run of `nets` (factor -> variants) x `noise_stds` x `datasets` x `seeds` under
    `profile` to `epochs`, with whether the store has it measured with the estimator sets
    `estimators` (`ibutils.config.estimator_set` names); a network in two factors once.
    Reads the JSON results; trains nothing."""
    ests = estimator_set(list(estimators))
    prof = get_profile(profile, epochs=epochs, seeds=list(seeds))
    rows, seen = [], set()
    for noise_std in noise_stds:
        for factor, variants in nets.items():
            for item in plan_study(factor, list(datasets), prof, list(variants),
                                   noise_std=noise_std):
                if (item.dataset, item.run.key()) in seen:
                    continue
                seen.add((item.dataset, item.run.key()))
                payload = store.load_result(store.run_dir(item.run, prof.name) / "result.json")
                stored = payload["epochs_trained"] if payload else 0
                rows.append(MeasuredTarget(
                    item.factor, item.variant, item.dataset, item.seed, float(noise_std),
                    epochs, stored,
                    complete(payload, needed_snapshots(item.run, epochs), epochs, ests),
                    _whole_run_rate(payload, epochs),
                    train_seconds=float(payload["train_seconds"]) if payload else 0.0,
                    retrain_seconds=_retrain_seconds(payload)))
    return [_with_speed(r, rows, prof) for r in rows]


def _retrain_seconds(payload: dict | None) -> float:
    """Seconds a stored run records for re-training (to add estimators whose snapshot weights
    were gone), summed over its training sessions; 0 if it was never re-trained."""
    return float(sum(p.get("retrained", {}).get("seconds", 0.0)
                     for p in (payload or {}).get("provenance", [])))


def _whole_run_rate(payload: dict | None, epochs: int) -> float:
    """Stored seconds per epoch of a run trained to at least `epochs`, else nan: the log
    schedule puts most snapshots in the first epochs, so a part-trained run's mean speed
    would overstate the rest of it many times."""
    if not payload or payload["epochs_trained"] < epochs or payload["train_seconds"] <= 0:
        return float("nan")
    return payload["train_seconds"] / payload["epochs_trained"]


def _with_speed(row: MeasuredTarget, rows: Sequence[MeasuredTarget],
                prof: Profile) -> MeasuredTarget:
    """A run without a whole-run speed takes that of its other seeds (same net, dataset and
    noise), else of the same net at another noise level, else of the same net without noise
    (seed 0 of the stored study; a lower bound for a noisy run)."""
    if row.seconds_per_epoch == row.seconds_per_epoch:
        return row
    for label, same in (("its other seeds", lambda r: (r.variant, r.dataset, r.noise_std)
                         == (row.variant, row.dataset, row.noise_std)),
                        ("another noise", lambda r: (r.variant, r.dataset)
                         == (row.variant, row.dataset))):
        rates = [r.seconds_per_epoch for r in rows
                 if same(r) and r.seconds_per_epoch == r.seconds_per_epoch]
        if rates:
            return dataclasses.replace(row, seconds_per_epoch=float(np.mean(rates)),
                                       speed_from=label)
    if row.noise_std > 0:
        twin = prof.run_config(get_variant(row.factor, row.variant), row.dataset, 0)
        rate = _whole_run_rate(
            store.load_result(store.run_dir(twin, prof.name) / "result.json"), row.target)
        if rate == rate:
            return dataclasses.replace(row, seconds_per_epoch=rate, speed_from="without noise")
    return dataclasses.replace(row, speed_from="")


def noisy_targets() -> list[MeasuredTarget]:
    """The noisy-network study's runs (`NOISY_NETS` x `NOISE_STDS`, seeds 0-2, MNIST, 200
    epochs of the book profile, with `NOISY_ESTIMATORS`)."""
    return measured_targets(NOISY_NETS, NOISY_ESTIMATORS, noise_stds=NOISE_STDS)


def robustness_targets(activation: str = "tanh") -> list[MeasuredTarget]:
    """The runs the Renyi robustness rows need: seeds 0-2 of every configuration on both
    datasets, 200 epochs of the book profile, with `ROBUSTNESS_ESTIMATORS`."""
    return measured_targets(paper_variants(activation), ROBUSTNESS_ESTIMATORS,
                            datasets=("mnist", "fashion_mnist"))
