"""MNIST and Fashion-MNIST as the paper uses them.

The training set is a seeded, class-balanced subset of the official training images (1,000 per
class by default, 10,000 images); the test set is the official 10,000 test images (or a seeded,
class-balanced subset of it for the smoke profile). Pixels are float32 in [0, 1].

Files are read through torchvision from the folder named by the environment variable
``IBUTILS_DATA`` (default: ``data/`` at the project root), in torchvision's raw layout
(``<root>/MNIST/raw/...``, ``<root>/FashionMNIST/raw/...``).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

import numpy as np
import torch

from .config import DATASETS

RAW_FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)
OFFICIAL_SIZES = {"train": 60_000, "test": 10_000}


class DataError(RuntimeError):
    """The data files are missing or damaged."""


class Split(NamedTuple):
    """Images and labels of one split: x (N, 1, 28, 28) float32 in [0, 1], y (N,) int64."""

    x: torch.Tensor
    y: torch.Tensor


def project_root() -> Path | None:
    """The source checkout that holds this package, if it is installed editable from one."""
    root = Path(__file__).resolve().parents[1]
    return root if (root / "pyproject.toml").is_file() else None


def data_root() -> Path:
    """Folder holding the datasets: ``$IBUTILS_DATA``, else ``data/`` at the project root."""
    env = os.environ.get("IBUTILS_DATA")
    if env:
        return Path(env).expanduser()
    return (project_root() or Path.cwd()) / "data"


def _missing_message(name: str, root: Path, detail: str) -> str:
    folder = root / DATASETS[name] / "raw"
    return (
        f"{name}: {detail}\n"
        f"Looked in {folder} (from IBUTILS_DATA={os.environ.get('IBUTILS_DATA', '<unset>')}).\n"
        f"Expected files: {', '.join(RAW_FILES)}.\n"
        "Set IBUTILS_DATA to a folder holding MNIST/raw and FashionMNIST/raw "
        "(e.g. export IBUTILS_DATA=../shared/data), or run with network access once so "
        "torchvision can download them there."
    )


def _load_official(name: str, train: bool, root: Path):
    """Load one official split with torchvision; wrap every failure in one clear DataError."""
    import torchvision

    cls = getattr(torchvision.datasets, DATASETS[name])
    raw = root / DATASETS[name] / "raw"
    have_files = all((raw / f).is_file() for f in RAW_FILES)
    try:
        ds = cls(root=str(root), train=train, download=not have_files)
    except Exception as exc:  # torchvision raises RuntimeError, URLError, OSError, ...
        detail = "raw files are missing and could not be downloaded"
        if have_files:
            detail = f"raw files are present but could not be read ({type(exc).__name__}: {exc})"
        raise DataError(_missing_message(name, root, detail)) from None
    x, y = ds.data, ds.targets  # (N, 28, 28) uint8, (N,) int64
    split = "train" if train else "test"
    if x.shape != (OFFICIAL_SIZES[split], 28, 28) or y.shape != (OFFICIAL_SIZES[split],):
        raise DataError(
            _missing_message(
                name, root, f"{split} split has shape {tuple(x.shape)}, expected "
                f"({OFFICIAL_SIZES[split]}, 28, 28): the files are truncated or not the official ones"
            )
        )
    if int(y.min()) < 0 or int(y.max()) > 9:
        raise DataError(_missing_message(name, root, f"{split} labels outside 0..9"))
    return x, y


def balanced_indices(labels: np.ndarray, per_class: int, seed: int) -> np.ndarray:
    """Seeded draw of `per_class` indices of every class, returned sorted.

    The paper keeps 1,000 images per class from the official training set; which ones is a
    seeded choice here (their indices are not a documented rule).
    """
    rng = np.random.default_rng(seed)
    picks = []
    for c in np.unique(labels):
        pool = np.flatnonzero(labels == c)
        if per_class > len(pool):
            raise ValueError(f"per_class: got {per_class}, class {c} has only {len(pool)} images")
        picks.append(rng.choice(pool, size=per_class, replace=False))
    return np.sort(np.concatenate(picks))


def load_dataset(
    name: str,
    *,
    train_per_class: int = 1000,
    test_per_class: int | None = None,
    seed: int = 0,
) -> tuple[Split, Split]:
    """Load the paper's training subset and test set.

    Parameters
    ----------
    name : {"mnist", "fashion_mnist"}
    train_per_class : int
        Training images kept per class (the paper: 1,000, i.e. 10,000 images).
    test_per_class : int or None
        None keeps the full official test set (the paper); a number keeps a seeded,
        class-balanced subset (used by the smoke profile).
    seed : int
        Seed of the class-balanced draws (independent of the training seed).

    Returns
    -------
    (train, test) : tuple of Split
        Each with ``x`` (N, 1, 28, 28) float32 in [0, 1] and ``y`` (N,) int64.
    """
    if name not in DATASETS:
        raise ValueError(f"dataset: got {name!r}, allowed {tuple(DATASETS)}")
    for label, value in (("train_per_class", train_per_class), ("test_per_class", test_per_class)):
        if value is not None and (int(value) != value or value < 1):
            raise ValueError(f"{label}: got {value!r}, allowed a positive integer")
    root = data_root()
    splits = []
    for train, per_class in ((True, train_per_class), (False, test_per_class)):
        x, y = _load_official(name, train, root)
        if per_class is not None:
            idx = torch.from_numpy(balanced_indices(y.numpy(), per_class, seed))
            x, y = x[idx], y[idx]
        x = (x.to(torch.float32) / 255.0).unsqueeze(1).contiguous()  # (N, 1, 28, 28)
        splits.append(Split(x, y.to(torch.int64).contiguous()))
    return splits[0], splits[1]
