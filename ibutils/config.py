"""Typed, frozen descriptions of a run, a profile and an estimator, with stable hashes.

A `RunConfig` holds everything that determines a training trajectory (network, data, seed,
optimiser, snapshot schedule). The training horizon is *not* part of it: a run trained to 200
epochs and the same run trained on to 1,000 share one cache entry, so results are additive.
Estimators are not part of it either: each snapshot stores the estimates of every estimator
applied to it, and a new estimator can be applied later from the cached snapshot weights.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass

import numpy as np

from .architecture import NetConfig

# dataset name -> torchvision's folder name (`ibutils.data` reads them)
DATASETS = {"mnist": "MNIST", "fashion_mnist": "FashionMNIST"}

SCHEDULES = ("paper", "log")
# every per-layer measure the recorder can apply (`ibutils.record.LAYER_MEASURES`, tested to
# match): the MI estimators of `ibutils.mi` and the geometric companions of `ibutils.geometry`
ESTIMATOR_KINDS = ("binning", "kde", "renyi", "noisy", "geometry", "spacing")
SPLITS = ("train", "test")
# where torch computes: the compiled CPU kernels only on "cpu"; results of the others may differ
# in the last bits (other kernels, other summation orders), so they get cache keys of their own
DEVICES = ("cpu", "cuda", "mps")


def check_choice(name: str, value, allowed) -> None:
    """Raise ValueError naming the parameter, the value and the allowed values."""
    if value not in allowed:
        raise ValueError(f"{name}: got {value!r}, allowed {tuple(allowed)}")


def paper_snapshots() -> tuple[int, ...]:
    """The 36 epochs at which Li & Liu record activations (their code, see PAPER.md)."""
    epochs = [0, 2, 4, 6, 8, *range(14, 50, 5), 99, 149, 199, *range(499, 10_000, 500)]
    return tuple(epochs)


# What Li & Liu's released result files show (read from them in ../shared/PAPER.md; "about":
# read off their curves to one decimal). Final test-set I(T;Y) of the softmax output in bits,
# under their estimator (bins 0.67 wide), per (dataset, variant); no other configuration has a
# number there. Every hidden layer sits at I(X;T) = log2 N and I(T;Y) = H(Y) throughout.
PAPER_OUTPUT_ITY = {
    ("mnist", "w1"): 2.5, ("mnist", "w3"): 3.0, ("mnist", "w6"): 3.1, ("mnist", "w12"): 3.1,
    ("fashion_mnist", "w1"): 2.1, ("fashion_mnist", "w3"): 2.3, ("fashion_mnist", "w6"): 2.4,
    ("fashion_mnist", "w12"): 2.5,
}
PAPER_OUTPUT_IXT_CAP = float(np.log2(11))  # softmax I(X;T) "capped near log2 11" (PAPER.md)


def log_snapshots(horizon: int, per_decade: int = 10) -> tuple[int, ...]:
    """Paper epochs plus a fixed log-spaced grid (`per_decade` points per decade), up to horizon.

    The grid does not depend on the horizon, so extending a run only adds later snapshots.
    """
    grid = np.round(10 ** (np.arange(0, 1 + per_decade * np.log10(max(horizon, 1))) / per_decade))
    epochs = set(int(g) for g in grid) | set(paper_snapshots()) | {0}
    return tuple(sorted(e for e in epochs if e <= horizon))


def snapshot_epochs(schedule: str, horizon: int) -> tuple[int, ...]:
    """Snapshot epochs (number of completed epochs) of a schedule, up to and including horizon."""
    if schedule == "paper":
        return tuple(e for e in paper_snapshots() if e <= horizon)
    if schedule == "log":
        return log_snapshots(horizon)
    raise ValueError(f"schedule: got {schedule!r}, allowed {SCHEDULES}")


PRECISIONS = ("fp32", "bf16")


@dataclass(frozen=True)
class RunConfig:
    """Everything that determines one training trajectory; its hash is the cache key."""

    net: NetConfig
    dataset: str
    seed: int = 0
    train_per_class: int = 1000
    test_per_class: int | None = None  # None: the full official test set
    data_seed: int = 0
    schedule: str = "log"
    lr: float = 1e-3
    batch_size: int = 1000
    adam_eps: float = 1e-7  # Keras' default, which the paper used
    precision: str = "fp32"  # "bf16": forward/backward under CPU autocast, fp32 master weights
    device: str = "cpu"  # "cuda" or "mps": train and measure on that device (own cache keys)

    def __post_init__(self):
        check_choice("precision", self.precision, PRECISIONS)
        check_choice("device", self.device, DEVICES)
        if self.precision == "bf16" and self.device != "cpu":
            raise ValueError(f"precision: 'bf16' is the CPU autocast path; with device "
                             f"{self.device!r} allowed 'fp32'")
        if self.dataset not in DATASETS:
            raise ValueError(f"dataset: got {self.dataset!r}, allowed {tuple(DATASETS)}")
        if self.schedule not in SCHEDULES:
            raise ValueError(f"schedule: got {self.schedule!r}, allowed {SCHEDULES}")
        if int(self.batch_size) != self.batch_size or self.batch_size < 1:
            raise ValueError(f"batch_size: got {self.batch_size!r}, allowed a positive integer")
        if not self.lr > 0:
            raise ValueError(f"lr: got {self.lr!r}, allowed a positive number")
        if int(self.seed) != self.seed or self.seed < 0:
            raise ValueError(f"seed: got {self.seed!r}, allowed a non-negative integer")

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "RunConfig":
        net = d["net"]
        net = NetConfig(**{k: tuple(v) if isinstance(v, list) else v for k, v in net.items()})
        return cls(**{**d, "net": net})

    def key(self) -> str:
        """Stable 12-hex-digit hash of the config (the cache key).

        The default fp32 precision, the CPU device and a deterministic network's noise_std of 0
        are left out of the hash, so keys stay those of runs stored before the fields existed; any other value
        gets keys of its own.
        """
        d = self.to_dict()
        if d["precision"] == "fp32":
            del d["precision"]
        if d["device"] == "cpu":
            del d["device"]
        if d["net"]["noise_std"] == 0:
            del d["net"]["noise_std"]
        return stable_hash(d)


def stable_hash(obj) -> str:
    """SHA-256 of the canonical JSON of `obj`, first 12 hex digits."""
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Estimator:
    """One estimator with its settings; `id` names its column in the results."""

    kind: str
    params: tuple[tuple[str, float], ...] = ()

    def __post_init__(self):
        check_choice("estimator", self.kind, ESTIMATOR_KINDS)

    @property
    def id(self) -> str:
        return self.kind + "".join(f"_{k}{v:g}" for k, v in self.params)

    def kwargs(self) -> dict:
        return dict(self.params)


def binning(bin_width: float | None = None, n_bins: int | None = None,
            equal_mass: int | None = None) -> Estimator:
    """Binning estimator spec: fixed width (paper: 0.67), fixed count over the layer's range,
    or equal-mass adaptive bins (Chelombiev et al. 2019)."""
    if sum(v is not None for v in (bin_width, n_bins, equal_mass)) != 1:
        raise ValueError("binning: give exactly one of bin_width, n_bins or equal_mass")
    if equal_mass is not None:
        if int(equal_mass) != equal_mass or equal_mass < 1:
            raise ValueError(f"equal_mass: got {equal_mass!r}, allowed a positive integer")
        return Estimator("binning", (("equal_mass", int(equal_mass)),))
    if bin_width is not None:
        if not bin_width > 0:
            raise ValueError(f"bin_width: got {bin_width!r}, allowed a positive number")
        return Estimator("binning", (("bin_width", float(bin_width)),))
    if int(n_bins) != n_bins or n_bins < 1:
        raise ValueError(f"n_bins: got {n_bins!r}, allowed a positive integer")
    return Estimator("binning", (("n_bins", int(n_bins)),))


def kde(noise_var: float = 0.1, n_samples: int = 1000) -> Estimator:
    """KDE bounds spec (Kolchinsky & Tracey); pairwise cost, on a seeded subsample."""
    if not noise_var > 0:
        raise ValueError(f"noise_var: got {noise_var!r}, allowed a positive number")
    if int(n_samples) != n_samples or n_samples < 2:
        raise ValueError(f"n_samples: got {n_samples!r}, allowed an integer >= 2")
    return Estimator("kde", (("noise_var", float(noise_var)), ("n_samples", int(n_samples))))


def renyi(alpha: float = 1.01, n_samples: int = 500, sigma: float | None = None, *,
          width_scale: float = 1.0, fixed_width: bool = False,
          seeded_by_run: bool = False) -> Estimator:
    """Matrix-based Renyi MI spec; cubic cost in n_samples, on a seeded subsample.

    The robustness settings (each off by default, and then absent from the id, so the ids
    of stored runs stay): `width_scale` multiplies the kernel-width rule's widths;
    `fixed_width` holds each layer's width at its value at the run's first snapshot (epoch
    0) instead of re-deriving it at every snapshot; `seeded_by_run` draws the input
    subsample with the run's seed, so each seed of a configuration sees other inputs.
    """
    if not alpha > 0 or alpha == 1:
        raise ValueError(f"alpha: got {alpha!r}, allowed a positive number other than 1")
    if int(n_samples) != n_samples or n_samples < 2:
        raise ValueError(f"n_samples: got {n_samples!r}, allowed an integer >= 2")
    if not width_scale > 0:
        raise ValueError(f"width_scale: got {width_scale!r}, allowed a positive number")
    params = (("alpha", float(alpha)), ("n_samples", int(n_samples)))
    if sigma is not None:
        if not sigma > 0:
            raise ValueError(f"sigma: got {sigma!r}, allowed None or a positive number")
        if width_scale != 1 or fixed_width:
            raise ValueError("sigma: a fixed width for X and T excludes width_scale and "
                             "fixed_width (allowed: sigma alone, or the rule's widths)")
        params += (("sigma", float(sigma)),)
    if width_scale != 1:
        params += (("width_scale", float(width_scale)),)
    if fixed_width:
        params += (("fixed_width", 1),)
    if seeded_by_run:
        params += (("seeded_by_run", 1),)
    return Estimator("renyi", params)


def noisy(n_samples: int = 1000, mc_samples: int = 1000) -> Estimator:
    """Noisy-network MI spec (`ibutils.mi.noisy_mi`, Goldfeld et al. 2019): for networks with
    noise_std > 0, at their own noise, on a seeded subsample of `n_samples` inputs with
    `mc_samples` Monte-Carlo draws (bits, with standard errors)."""
    if int(n_samples) != n_samples or n_samples < 2:
        raise ValueError(f"n_samples: got {n_samples!r}, allowed an integer >= 2")
    if int(mc_samples) != mc_samples or mc_samples < 2:
        raise ValueError(f"mc_samples: got {mc_samples!r}, allowed an integer >= 2")
    return Estimator("noisy", (("n_samples", int(n_samples)), ("mc_samples", int(mc_samples))))


def geometry(n_samples: int = 1000, threshold: float = 0.9) -> Estimator:
    """Geometric companions spec (`ibutils.geometry`): tanh saturation and class clustering,
    on a seeded subsample of inputs (pairwise distances)."""
    if int(n_samples) != n_samples or n_samples < 2:
        raise ValueError(f"n_samples: got {n_samples!r}, allowed an integer >= 2")
    if not threshold > 0:
        raise ValueError(f"threshold: got {threshold!r}, allowed a positive number")
    return Estimator("geometry", (("n_samples", int(n_samples)), ("threshold", float(threshold))))


def spacing(n_samples: int = 1000) -> Estimator:
    """Spacing spec (`ibutils.geometry.spacing`): nearest-neighbour, within-class and
    between-class distances of a layer's representations, on a seeded subsample of inputs,
    to compare with a noisy network's noise."""
    if int(n_samples) != n_samples or n_samples < 2:
        raise ValueError(f"n_samples: got {n_samples!r}, allowed an integer >= 2")
    return Estimator("spacing", (("n_samples", int(n_samples)),))


def chapter_estimators(bin_width: float = 0.67, n_bins: int = 30,
                       renyi_samples: int = 500) -> tuple[Estimator, Estimator, Estimator]:
    """The three estimators every factor chapter compares: the paper's fixed bin width, a fixed
    bin count over each layer's range, and matrix-based Renyi on a seeded subsample."""
    return binning(bin_width=bin_width), binning(n_bins=n_bins), renyi(n_samples=renyi_samples)


def ixt_key(estimator_id: str) -> str:
    """The stored name of an estimator's I(X;T): KDE keeps bounds, and its upper one is used."""
    return "i_xt_upper" if estimator_id.startswith("kde") else "i_xt"


def ity_key(estimator_id: str) -> str:
    """The stored name of an estimator's I(T;Y) (for KDE, its upper bound)."""
    return "i_ty_upper" if estimator_id.startswith("kde") else "i_ty"


PAPER_ESTIMATOR = binning(bin_width=0.67)
PAPER_ID = PAPER_ESTIMATOR.id  # "binning_bin_width0.67": the column of the paper's estimator
DEFAULT_ESTIMATORS = (PAPER_ESTIMATOR, binning(n_bins=30))
# "Saturation and clustering": estimators that suit unbounded activations beside the paper's
COMPRESSION_ESTIMATORS = (PAPER_ESTIMATOR, binning(n_bins=30), binning(equal_mass=30), kde(),
                          renyi())
SENSITIVITY_ESTIMATORS = (
    *(binning(bin_width=w) for w in (0.05, 0.1, 0.2, 0.3, 0.5, 0.67, 1.0, 1.5, 2.0)),
    *(binning(n_bins=n) for n in (10, 30, 100)),
    *(kde(noise_var=v, n_samples=500) for v in (1e-2, 1e-1, 1.0, 10.0, 100.0)),
    renyi(), *(renyi(sigma=s, n_samples=300) for s in (1.0, 3.0, 10.0)),
)
RENYI_ORDER2 = renyi(alpha=2.0)  # the setting under which some cells do compress (verdict)
RENYI_ROBUSTNESS = (renyi(fixed_width=True), renyi(width_scale=0.5), renyi(width_scale=2.0),
                    RENYI_ORDER2, renyi(seeded_by_run=True))
# short names of those settings, for the numbers a page quotes (``rob_fixed_...``)
RENYI_ROBUSTNESS_NAMES = dict(zip((e.id for e in RENYI_ROBUSTNESS),
                                  ("fixed", "half", "double", "alpha2", "seeded")))
ESTIMATOR_SETS = {
    "default": DEFAULT_ESTIMATORS,
    "renyi": (renyi(),),
    "adaptive": (binning(equal_mass=30),),
    "kde": (kde(),),
    "geometry": (geometry(),),
    "spacing": (spacing(),),
    "noisy": (noisy(),),
    # the Renyi estimate under other reasonable settings (issue: a verdict that survives them)
    "renyi_robustness": RENYI_ROBUSTNESS,
    "sensitivity": SENSITIVITY_ESTIMATORS,
}


def estimator_set(names) -> tuple[Estimator, ...]:
    """Union of named estimator sets (see `ESTIMATOR_SETS`), in order, without repeats."""
    out = []
    for name in [names] if isinstance(names, str) else names:
        check_choice("estimators", name, ESTIMATOR_SETS)
        out += [e for e in ESTIMATOR_SETS[name] if e not in out]
    return tuple(out)


@dataclass(frozen=True)
class Profile:
    """How much to compute: horizon, schedule, data sizes and seeds."""

    name: str
    epochs: int
    schedule: str
    train_per_class: int
    test_per_class: int | None
    seeds: tuple[int, ...] = (0,)
    notes: str = ""

    def __post_init__(self):
        if int(self.epochs) != self.epochs or self.epochs < 1:
            raise ValueError(f"epochs: got {self.epochs!r}, allowed a positive integer")
        if self.schedule not in SCHEDULES:
            raise ValueError(f"schedule: got {self.schedule!r}, allowed {SCHEDULES}")

    def snapshots(self) -> tuple[int, ...]:
        return snapshot_epochs(self.schedule, self.epochs)

    def run_config(self, net: NetConfig, dataset: str, seed: int,
                   precision: str = "fp32", device: str = "cpu") -> RunConfig:
        return RunConfig(net=net, dataset=dataset, seed=seed, schedule=self.schedule,
                         train_per_class=self.train_per_class, test_per_class=self.test_per_class,
                         precision=precision, device=device)


PROFILES = {
    "smoke": Profile("smoke", epochs=4, schedule="log", train_per_class=30, test_per_class=30,
                     seeds=(0,), notes="seconds per notebook; CI's profile; same code path"),
    "book": Profile("book", epochs=1000, schedule="log", train_per_class=1000,
                    test_per_class=None, seeds=(0, 1, 2),
                    notes="the paper's setup on a 1,000-epoch horizon, log-spaced snapshots"),
    "paper": Profile("paper", epochs=10_000, schedule="paper", train_per_class=1000,
                     test_per_class=None, seeds=(0,),
                     notes="the paper's exact 10,000 epochs and 36 snapshots"),
}


def get_profile(name: str | Profile, *, epochs: int | None = None, seeds=None) -> Profile:
    """A named profile (or a `Profile` itself), optionally with a shorter/longer horizon or
    other seeds: the one place a profile name becomes a `Profile`."""
    if isinstance(name, Profile):
        profile = name
    elif name not in PROFILES:
        raise ValueError(f"profile: got {name!r}, allowed {tuple(PROFILES)}")
    else:
        profile = PROFILES[name]
    changes = {}
    if epochs is not None:
        changes["epochs"] = epochs
    if seeds is not None:
        seeds = tuple(seeds)
        if not seeds or any(int(s) != s or s < 0 for s in seeds):
            raise ValueError(f"seeds: got {seeds!r}, allowed non-empty non-negative integers")
        changes["seeds"] = seeds
    return dataclasses.replace(profile, **changes) if changes else profile


__all__ = [
    "RunConfig", "Profile", "Estimator", "PROFILES", "get_profile", "binning", "kde", "renyi", "noisy",
    "geometry", "spacing", "chapter_estimators", "estimator_set", "ixt_key", "ity_key", "PAPER_ID",
    "PAPER_ESTIMATOR", "DEFAULT_ESTIMATORS", "COMPRESSION_ESTIMATORS", "RENYI_ROBUSTNESS", "RENYI_ORDER2", "RENYI_ROBUSTNESS_NAMES", "PAPER_OUTPUT_ITY", "PAPER_OUTPUT_IXT_CAP",
    "paper_snapshots", "snapshot_epochs", "stable_hash", "DEVICES",
]
