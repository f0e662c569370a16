"""A page's parameters as one frozen, typed object, resolved and checked in one place.

A notebook's parameters cell holds literal values; `page_spec` turns them into a `PageSpec` at
once (the profile resolved with its horizon and seeds, the estimators built, every value
checked with a message that names the parameter and the allowed values), and every loader of
`ibutils.book.pages` takes that spec.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..config import (
    DATASETS,
    DEVICES,
    SPLITS,
    Estimator,
    Profile,
    chapter_estimators,
    check_choice,
    get_profile,
)


@dataclass(frozen=True)
class PageSpec:
    """What a page shows: which runs (profile, horizon and seeds; datasets), measured on which
    split with which estimators, and whether missing runs may be trained.

    ``stored_seeds``: the first of the profile's seeds is run or loaded for every
    configuration, the others only where they are already stored (never trained).
    """

    profile: Profile
    datasets: tuple[str, ...]
    split: str
    estimators: tuple[Estimator, ...]
    allow_training: bool
    stored_seeds: bool
    device: str = "cpu"

    @property
    def estimator_ids(self) -> tuple[str, ...]:
        return tuple(e.id for e in self.estimators)

    @property
    def first_seeds(self) -> list[int]:
        """Seeds run or loaded for every configuration (the rest: `extra_seeds`)."""
        return list(self.profile.seeds)[:1] if self.stored_seeds else list(self.profile.seeds)

    @property
    def extra_seeds(self) -> list[int]:
        """Seeds added only where already stored (with ``stored_seeds``)."""
        return list(self.profile.seeds)[1:] if self.stored_seeds else []


def page_spec(*, profile: str | Profile = "book", datasets=("mnist", "fashion_mnist"),
              epochs: int | None = None, seeds=None, split: str = "test",
              bin_width: float = 0.67, n_bins: int = 30, renyi_samples: int = 500,
              estimators: tuple[Estimator, ...] | None = None, allow_training: bool = True,
              stored_seeds: bool = False, device: str = "cpu") -> PageSpec:
    """The `PageSpec` of a notebook's parameters.

    Parameters
    ----------
    profile : {"smoke", "book", "paper"} or Profile
    datasets : any of "mnist", "fashion_mnist"
    epochs, seeds : horizon and seeds; None keeps the profile's
    split : {"train", "test"}, the split the estimates are read on
    bin_width, n_bins, renyi_samples : the chapter estimators
        (`ibutils.config.chapter_estimators`); ignored when `estimators` is given
    allow_training : False raises `ibutils.results.MissingResultError` for a run not stored
    stored_seeds : see `PageSpec`
    device : {"cpu", "cuda", "mps"}, where runs that must be trained are trained (runs on
        another device than the CPU have cache keys of their own, so the committed CPU
        results are not theirs)
    """
    check_choice("split", split, SPLITS)
    check_choice("device", device, DEVICES)
    datasets = (datasets,) if isinstance(datasets, str) else tuple(datasets)
    if not datasets:
        raise ValueError(f"datasets: got {list(datasets)}, allowed one or more of "
                         f"{tuple(DATASETS)}")
    for name in datasets:
        check_choice("datasets", name, DATASETS)
    if estimators is None:
        estimators = chapter_estimators(bin_width, n_bins, renyi_samples)
    return PageSpec(get_profile(profile, epochs=epochs, seeds=seeds), datasets, split,
                    tuple(estimators), bool(allow_training), bool(stored_seeds), device)
