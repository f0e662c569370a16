"""Training: one loop over epochs for one network (`train_run`) or for the seeds of one
configuration trained together (`ibutils.seed_group`), with a measurement at each snapshot
epoch and checkpoints.

The loop knows neither the estimators nor the cache: at a snapshot epoch it calls `measure`
(the runner passes `ibutils.record.snapshot_record`) and hands the record to `on_snapshot`,
which stores it.

Determinism: the initial weights come from ``torch.manual_seed(seed)``, and the batch order of
epoch e from a generator seeded with (seed, e), so a run resumed from a checkpoint follows
exactly the trajectory of an uninterrupted one. A noisy network's training noise of epoch e
comes from a stream seeded with (seed, e) too (`noise_seed`).
"""
from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from tqdm import tqdm

from . import fastconv
from .config import RunConfig
from .data import Split
from .device import torch_device
from .models import CNN, build_cnn, is_noisy, seed_noise

# images per forward/backward pass in training at one thread (the runner's default per run):
# each batch's gradient is summed over micro-batches of this size before its one Adam step,
# the same gradient up to floating-point reordering, meant to keep a layer's activations nearer
# the core's caches (a 1000-image batch of a 12-filter 26 x 26 layer is 32 MB). Measured by
# `benchmarks/bench_paths.py` (quiet, one thread, real data): 0.94-1.15x, a wash; at two
# threads they cost more than they save, so there whole batches are used. README, Speed.
MICRO_BATCH = 250


class NumericalError(RuntimeError):
    """NaN or inf appeared in a loss or in a layer's activations."""


@dataclass
class TrainState:
    """What a checkpoint holds: the epoch reached, model and optimiser state, per-epoch loss."""

    epoch: int
    model: dict
    optimizer: dict
    epoch_loss: list = field(default_factory=list)  # mean training-batch loss of each epoch


def as_input(x: torch.Tensor) -> torch.Tensor:
    """Images in channels-last memory order: same values, ~2x faster convolutions on CPU."""
    return x.contiguous(memory_format=torch.channels_last)


def epoch_order(seed: int, epoch: int, n: int) -> torch.Tensor:
    """The batch order of one epoch, a function of (seed, epoch) only."""
    g = torch.Generator().manual_seed(int(seed) * 1_000_003 + int(epoch))
    return torch.randperm(n, generator=g)


def noise_seed(seed: int, epoch: int) -> int:
    """The seed of a noisy network's training noise in one epoch, a function of (seed, epoch)
    only (offset from `epoch_order`'s so the two streams differ)."""
    return int(seed) * 1_000_003 + int(epoch) + 500_000_017


def new_model(run: RunConfig) -> tuple[CNN, torch.optim.Optimizer]:
    """Seeded network (Glorot-uniform, zero biases) and its Adam optimiser."""
    torch.manual_seed(run.seed)  # the weights are drawn on the CPU, then moved: same start
    model = build_cnn(run.net).to(torch_device(run.device), memory_format=torch.channels_last)
    opt = torch.optim.Adam(model.parameters(), lr=run.lr, eps=run.adam_eps)
    return model, opt


def run_epochs(epoch: int, horizon: int, *, snapshot_due: Callable[[int], bool],
               snapshot: Callable[[int], None], train_one_epoch: Callable[[int], None],
               checkpoint: Callable[[], None] | None, checkpoint_seconds: float,
               bar: tqdm) -> None:
    """The one training loop, shared by a single net (`train_run`) and a seed group
    (`ibutils.seed_group.train_group`): from `epoch` to `horizon`, ``snapshot(e)`` at every
    epoch e with ``snapshot_due(e)`` (before training epoch e + 1; it also checkpoints), and
    ``checkpoint()`` after every `checkpoint_seconds` of training."""
    last_ckpt = time.monotonic()
    while True:
        if snapshot_due(epoch):
            snapshot(epoch)
            last_ckpt = time.monotonic()
        if epoch >= horizon:
            break
        train_one_epoch(epoch)
        epoch += 1
        bar.update(1)
        if checkpoint and time.monotonic() - last_ckpt > checkpoint_seconds:
            checkpoint()
            last_ckpt = time.monotonic()
    bar.close()


def train_run(
    run: RunConfig,
    splits: dict[str, Split],
    *,
    horizon: int,
    snapshots: Sequence[int],
    measure: Callable[[CNN, int], dict],
    on_snapshot: Callable[[dict, TrainState], None],
    on_checkpoint: Callable[[TrainState], None] | None = None,
    resume: TrainState | None = None,
    done_snapshots: set[int] = frozenset(),
    checkpoint_seconds: float = 120.0,
    progress: bool = True,
) -> TrainState:
    """Train `run` up to `horizon` epochs, recording a snapshot at each epoch in `snapshots`.

    Parameters
    ----------
    splits : {"train": Split, ...}
        Training data (first) and any evaluation splits, passed on to `measure`.
    measure : callable(model, epoch) -> dict
        The snapshot record of the model at an epoch (the runner passes
        `ibutils.record.snapshot_record` with its estimators).
    on_snapshot : callable(record, state)
        Receives each snapshot record (and the state at that epoch) as soon as it is measured.
    on_checkpoint : callable(state), optional
        Called after each snapshot and every `checkpoint_seconds` of training.
    resume : TrainState, optional
        Continue from this state instead of a fresh seeded network.
    done_snapshots : set of int
        Snapshot epochs already stored; they are not measured again.
    """
    if horizon < 1:
        raise ValueError(f"horizon: got {horizon!r}, allowed a positive integer")
    model, opt = new_model(run)
    state = TrainState(0, {}, {}, [])
    if resume is not None:
        model.load_state_dict(resume.model)
        opt.load_state_dict(resume.optimizer)
        state.epoch_loss = list(resume.epoch_loss)
        state.epoch = resume.epoch
    todo = sorted(set(snapshots) - set(done_snapshots))
    device = torch_device(run.device)
    x, y = as_input(splits["train"].x).to(device), splits["train"].y.to(device)
    bar = tqdm(total=horizon, initial=state.epoch, disable=not progress, leave=False,
               desc=f"{run.dataset} {run.key()}", unit="ep")

    def keep_state():
        state.model, state.optimizer = model.state_dict(), opt.state_dict()

    def snapshot(epoch):
        keep_state()
        on_snapshot(measure(model, epoch), state)
        if on_checkpoint:
            on_checkpoint(state)

    def train_one_epoch(epoch):
        state.epoch_loss.append(_train_epoch(model, opt, x, y, run, epoch))
        state.epoch = epoch + 1
        bar.set_postfix(loss=f"{state.epoch_loss[-1]:.4f}")

    def checkpoint():
        keep_state()
        on_checkpoint(state)

    run_epochs(state.epoch, horizon, snapshot_due=lambda e: e in todo, snapshot=snapshot,
               train_one_epoch=train_one_epoch, checkpoint=checkpoint if on_checkpoint else None,
               checkpoint_seconds=checkpoint_seconds, bar=bar)
    keep_state()
    return state


def train_epoch(model: CNN, opt: torch.optim.Optimizer, x: torch.Tensor, y: torch.Tensor, *,
                seed: int, epoch: int, batch_size: int, precision: str = "fp32",
                micro_batch: int | None = None) -> float:
    """One epoch of minibatch Adam in the order `epoch_order(seed, epoch)`; returns the mean
    batch loss. Stops on NaN/inf (`NumericalError`).

    Each batch's mean-loss gradient is accumulated over slices of `micro_batch` images and
    applied in one Adam step (same step up to floating-point reordering); None: `MICRO_BATCH`
    when torch uses one thread, else whole batches. In float32, conv layers go through
    `ibutils.fastconv` where it applies (direct kernels for narrow layers, a tanh fused into
    oneDNN's convolution for the others; same parameters, same results up to floating-point
    reordering); ``precision="bf16"`` runs under CPU autocast. A noisy network trains on whole
    batches (its noise, drawn in forward order, would otherwise depend on the slicing) with
    the noise of `noise_seed` (seed, epoch)."""
    if micro_batch is not None and micro_batch < 1:
        raise ValueError(f"micro_batch: got {micro_batch!r}, allowed a positive integer or None")
    noisy = is_noisy(model)
    if noisy:
        seed_noise(model, noise_seed(seed, epoch))
    if noisy:
        micro_batch = batch_size
    elif micro_batch is None:
        micro_batch = MICRO_BATCH if torch.get_num_threads() == 1 else batch_size
    model.train()
    order = epoch_order(seed, epoch, len(x))
    direct = precision == "fp32" and fastconv.used_by(model)
    total, n_batches = 0.0, 0
    for i in range(0, len(x), batch_size):
        idx = order[i:i + batch_size]
        opt.zero_grad(set_to_none=True)
        batch_loss = 0.0
        for j in range(0, len(idx), micro_batch):
            part = idx[j:j + micro_batch]
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=precision == "bf16"):
                logits = fastconv.forward(model, x[part]) if direct else model(x[part])
                loss = F.cross_entropy(logits, y[part], reduction="sum") / len(idx)
            if not torch.isfinite(loss):
                raise NumericalError(f"epoch {epoch + 1}: training loss is {loss.item()} "
                                     f"(batch {n_batches}); results up to epoch {epoch} are "
                                     "kept")
            loss.backward()
            batch_loss += loss.detach().item()
        opt.step()
        total += batch_loss
        n_batches += 1
    return total / n_batches


def _train_epoch(model, opt, x, y, run: RunConfig, epoch: int) -> float:
    """`train_epoch` with `run`'s seed, batch size and precision (what `train_run` calls)."""
    return train_epoch(model, opt, x, y, seed=run.seed, epoch=epoch, batch_size=run.batch_size,
                       precision=run.precision)
