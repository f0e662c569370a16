"""Files on disk, safely: atomic writes, checksummed JSON, torch files read as weights only,
one lock per run, and where everything lives.

Layout (``$IBUTILS_RESULTS``, default ``results/`` at the project root)::

    results/<profile>/<dataset>/<key>/result.json   # one stored run (format: ibutils.results)

Each file carries a schema number and a SHA-256 of its content; it is written atomically
(temporary file + rename), so a reader never sees a partial file. A file that fails the
checksum or the schema check is reported and ignored (and then recomputed), never used.

Checkpoints and snapshot weights live in a local, uncommitted cache
(``$IBUTILS_CACHE``, default ``.cache/`` at the project root)::

    .cache/<key>/checkpoint.pt          # model + optimiser state, for resuming
    .cache/<key>/weights/e00042.pt      # model weights at each snapshot, for new estimators

A run longer than a working day can also keep its checkpoint beside its result, where it is
committed and travels with the repository until the run is complete (then it is removed)::

    results/<profile>/<dataset>/<key>/resume.pt   # the same checkpoint, while the run is unfinished

A run travels once ``$IBUTILS_TRAVEL_CHECKPOINTS`` is "1" (``python -m ibutils
--travel-checkpoint``) and from then on as long as its ``resume.pt`` exists (`travels`).
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import tempfile
import warnings
from pathlib import Path

import torch
from filelock import FileLock, Timeout

from . import __version__
from .config import RunConfig
from .data import project_root

SCHEMA = 1


class CorruptResultWarning(UserWarning):
    """A cached result was unreadable, tampered with, or of an incompatible schema."""


def results_root() -> Path:
    env = os.environ.get("IBUTILS_RESULTS")
    return Path(env).expanduser() if env else (project_root() or Path.cwd()) / "results"


def cache_root() -> Path:
    env = os.environ.get("IBUTILS_CACHE")
    return Path(env).expanduser() if env else (project_root() or Path.cwd()) / ".cache"


def run_dir(run: RunConfig, profile: str) -> Path:
    return results_root() / profile / run.dataset / run.key()


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that readers see the old file or the new one, never a mix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _digest(payload: dict) -> str:
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def save_result(path: Path, result: dict) -> None:
    """Store a result dict (config, snapshots, ...) with version, schema and checksum."""
    payload = {k: v for k, v in result.items() if k != "sha256"}
    payload.update(schema=SCHEMA, ibutils_version=__version__)
    payload["sha256"] = _digest(payload)
    atomic_write_bytes(path, (json.dumps(payload, indent=1, sort_keys=True) + "\n").encode())


def load_result(path: Path) -> dict | None:
    """Read a stored result; None if absent. Damaged or incompatible files warn and give None."""
    if not path.is_file():
        return None
    try:
        payload = json.loads(path.read_text())
        stored = payload.pop("sha256")
    except (ValueError, KeyError, OSError) as exc:
        warnings.warn(f"{path}: unreadable result ({exc}); it will be recomputed",
                      CorruptResultWarning, stacklevel=2)
        return None
    if _digest(payload) != stored:
        warnings.warn(f"{path}: checksum mismatch (truncated or edited); it will be recomputed",
                      CorruptResultWarning, stacklevel=2)
        return None
    if payload.get("schema") != SCHEMA:
        warnings.warn(f"{path}: schema {payload.get('schema')} != {SCHEMA} (written by ibutils "
                      f"{payload.get('ibutils_version')}); it will be recomputed",
                      CorruptResultWarning, stacklevel=2)
        return None
    return payload


def save_torch(path: Path, obj) -> None:
    """Atomically save a torch object (checkpoint or weights), like every other file here."""
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    atomic_write_bytes(path, buffer.getvalue())


def load_torch(path: Path):
    """Load a checkpoint or snapshot weights (tensors and plain containers only:
    ``weights_only=True`` runs no code from the file); None (with a warning) if it is missing
    or unreadable."""
    if not path.is_file():
        return None
    try:
        return torch.load(path, weights_only=True, map_location="cpu")
    except Exception as exc:  # a damaged checkpoint only costs recomputation
        warnings.warn(f"{path}: unreadable checkpoint ({exc}); starting over",
                      CorruptResultWarning, stacklevel=2)
        return None


@contextlib.contextmanager
def run_lock(run: RunConfig, *, wait: bool = True):
    """Hold an exclusive lock on one run while computing it (`filelock`: an OS lock on POSIX
    and on Windows).

    A second runner on the same run waits here (or raises `RunLockedError` if ``wait=False``)
    and then finds the finished result in the cache. The operating system drops the lock when
    its holder dies, even by SIGKILL, so a crash never leaves a stale lock behind.
    """
    path = cache_root() / run.key() / "lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(path)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if not wait:
            raise RunLockedError(f"run {run.key()} is being computed by another process "
                                 f"(lock {path})") from None
        warnings.warn(f"run {run.key()} is being computed by another process; waiting",
                      stacklevel=3)
        lock.acquire()
    try:
        yield
    finally:
        lock.release()


def remove_stale_temporaries(run: RunConfig, profile: str) -> int:
    """Delete temporary files left by a writer that was killed mid-write; returns how many.

    Call only while holding the run's lock: then no live writer owns them.
    """
    stale = [*run_dir(run, profile).glob(".*.tmp"), *(cache_root() / run.key()).rglob(".*.tmp")]
    for f in stale:
        f.unlink(missing_ok=True)
    return len(stale)


class RunLockedError(RuntimeError):
    """Another process holds the lock of this run."""


def checkpoint_path(run: RunConfig) -> Path:
    return cache_root() / run.key() / "checkpoint.pt"


def resume_path(result_path: Path) -> Path:
    """The travelling checkpoint of the run whose result is at `result_path`."""
    return Path(result_path).parent / "resume.pt"


def travels(result_path: Path) -> bool:
    """Whether a run keeps its checkpoint beside its result (see the module docstring)."""
    return (os.environ.get("IBUTILS_TRAVEL_CHECKPOINTS") == "1"
            or resume_path(result_path).is_file())


def weights_path(run: RunConfig, epoch: int) -> Path:
    return cache_root() / run.key() / "weights" / f"e{epoch:05d}.pt"
