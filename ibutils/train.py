"""Training with snapshots: the loop, forward hooks, and per-snapshot measurement.

`train_run` trains one network with Adam on the paper's setup and, at every snapshot epoch of
the schedule, hands each measured layer's activations (captured with forward hooks, one split
at a time) to the estimators. It knows nothing about the on-disk cache: the runner passes
callbacks that store each snapshot record and checkpoint.

Determinism: the initial weights come from ``torch.manual_seed(seed)``, and the batch order of
epoch e from a generator seeded with (seed, e), so a run resumed from a checkpoint follows
exactly the trajectory of an uninterrupted one.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from tqdm import tqdm

from . import kernels
from . import mi as mi_mod
from .config import LAYER_MEASURES, Estimator, RunConfig
from .data import Split
from .models import CNN, build_cnn

EVAL_BATCH = 1000  # images per forward pass when measuring a snapshot (fastest here)
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


@torch.no_grad()
def capture(model: CNN, x: torch.Tensor) -> tuple[dict[str, np.ndarray], torch.Tensor]:
    """Activations of every measured layer for all of `x`, via forward hooks.

    Returns ``({layer: (N, D) float32 array}, logits (N, 10))``; the output layer is recorded
    as softmax probabilities, as the paper does. Conv maps are flattened in (H, W, C) order,
    free for channels-last tensors; the order of units does not change any estimate.
    """
    n, acts, offset = len(x), {}, [0]
    def hook_for(name):
        def hook(_module, _inputs, out):
            if out.dim() == 4:
                out = out.permute(0, 2, 3, 1)  # (B, H, W, C): a view for channels-last
            flat = out.reshape(out.shape[0], -1)
            if name not in acts:
                acts[name] = np.empty((n, flat.shape[1]), dtype=np.float32)
            acts[name][offset[0]:offset[0] + len(flat)] = flat.numpy()
        return hook
    handles = [block.register_forward_hook(hook_for(n)) for n, block in model.measured.items()]
    logits = []
    try:
        for i in range(0, n, EVAL_BATCH):
            offset[0] = i
            logits.append(model(x[i:i + EVAL_BATCH]))
    finally:
        for h in handles:
            h.remove()
    logits = torch.cat(logits)
    acts["softmax"] = torch.softmax(logits, dim=1).numpy()
    return acts, logits


def _check_finite(acts: dict, epoch: int) -> None:
    for name, t in acts.items():
        if not np.isfinite(t).all():
            raise NumericalError(f"epoch {epoch}: NaN or inf in the activations of layer {name}")


def estimates(model: CNN, split: Split, estimators: Sequence[Estimator], epoch: int,
              full: dict | None = None) -> dict:
    """{estimator id: {layer: values}} for one split.

    Estimators that work on a seeded subsample (``n_samples`` < N) get activations captured
    for just those rows (the rows `ibutils.mi.subsample` would pick from the whole split, so
    the values equal those from a full capture); the others share one full capture, passed in
    as `full` (already checked for NaN) when the caller has it.
    """
    y_all, n = split.y.numpy(), len(split.y)
    by_rows: dict = {}
    for est in estimators:
        k = est.kwargs().get("n_samples")
        by_rows.setdefault(None if k is None or k >= n else int(k), []).append(est)
    out = {}
    for k, group in by_rows.items():
        rows = slice(None) if k is None else mi_mod.subsample(n, k)
        if k is None and full is not None:
            acts = full
        else:
            acts = capture(model, _as_input(split.x[rows]))[0]
            _check_finite(acts, epoch)
        x, y = split.x[rows].numpy().reshape(len(y_all[rows]), -1), y_all[rows]
        for est in group:  # every row here is one the estimator would keep
            kwargs = {p: v for p, v in est.kwargs().items() if p != "n_samples"}
            fn = LAYER_MEASURES[est.kind]
            out[est.id] = {name: fn(t, x, y, **kwargs).as_dict() for name, t in acts.items()}
    return out


def measure_split(model: CNN, split: Split, estimators: Sequence[Estimator], epoch: int) -> dict:
    """Loss, accuracy and every estimator on every layer for one split at one snapshot."""
    acts, logits = capture(model, _as_input(split.x))
    _check_finite(acts, epoch)
    return {
        "loss": float(F.cross_entropy(logits, split.y)),
        "accuracy": float((logits.argmax(1) == split.y).float().mean()),
        "mi": estimates(model, split, estimators, epoch, full=acts),
    }


def gradient_stats(model: CNN, split: Split, *, seed: int, epoch: int,
                   batch_size: int) -> dict[str, dict[str, float]]:
    """Mean and spread of each layer's weight gradient over the mini-batches of one epoch.

    The "signal-to-noise" view of Shwartz-Ziv & Tishby (2017, fig. 4), which Li & Liu show for
    their FC nets. At the current weights (a snapshot), the gradient of the mini-batch loss
    g_b with respect to each measured layer's weight is taken for every mini-batch b of the
    next epoch (batch order `epoch_order(seed, epoch)`, as training uses it); the weights are
    not updated. Per layer it returns ``{"mean": ||mean_b g_b||, "std": ||std_b g_b||}``
    (Frobenius norms; std element-wise, ddof = 0) and their ratio ``"snr"``. Unlike
    Shwartz-Ziv & Tishby, who logged gradients while the weights moved within the epoch, all
    batches see the same weights, so the statistics can be computed later from stored
    snapshot weights.
    """
    model.train()
    x, y = _as_input(split.x), split.y
    order = epoch_order(seed, epoch, len(x))
    weights = {name: block.linear.weight for name, block in model.measured.items()}
    total = {k: torch.zeros_like(w, dtype=torch.float64) for k, w in weights.items()}
    total_sq = {k: torch.zeros_like(w, dtype=torch.float64) for k, w in weights.items()}
    n_batches = 0
    for i in range(0, len(x), batch_size):
        idx = order[i:i + batch_size]
        model.zero_grad(set_to_none=True)
        F.cross_entropy(model(x[idx]), y[idx]).backward()
        for k, w in weights.items():
            g = w.grad.detach().double()
            total[k] += g
            total_sq[k] += g * g
        n_batches += 1
    model.zero_grad(set_to_none=True)
    out = {}
    for k in weights:
        mean = total[k] / n_batches
        var = (total_sq[k] / n_batches - mean * mean).clamp_min(0.0)
        m, s = float(mean.norm()), float(var.sum().sqrt())
        out[k] = {"mean": m, "std": s, "snr": m / s if s > 0 else float("inf")}
    return out


def snapshot_record(model: CNN, splits: dict[str, Split], estimators, epoch: int,
                    run: RunConfig | None = None) -> dict:
    """The full record of one snapshot: per split measurements, per-layer weight norms and,
    given the run (for its seed and batch size), the gradient statistics on the training split.
    """
    model.eval()
    record = {"epoch": epoch}
    for split_name, split in splits.items():
        record[split_name] = measure_split(model, split, estimators, epoch)
    record["weight_norm"] = {
        name: float(block.linear.weight.detach().norm()) for name, block in model.measured.items()
    }
    if run is not None:
        record["gradients"] = gradient_stats(model, splits["train"], seed=run.seed, epoch=epoch,
                                             batch_size=run.batch_size)
        model.eval()
    return record


def _as_input(x: torch.Tensor) -> torch.Tensor:
    """Images in channels-last memory order: same values, ~2x faster convolutions on CPU."""
    return x.contiguous(memory_format=torch.channels_last)


def epoch_order(seed: int, epoch: int, n: int) -> torch.Tensor:
    """The batch order of one epoch, a function of (seed, epoch) only."""
    g = torch.Generator().manual_seed(int(seed) * 1_000_003 + int(epoch))
    return torch.randperm(n, generator=g)


def new_model(run: RunConfig) -> tuple[CNN, torch.optim.Optimizer]:
    """Seeded network (Glorot-uniform, zero biases) and its Adam optimiser."""
    torch.manual_seed(run.seed)
    model = build_cnn(run.net).to(memory_format=torch.channels_last)
    opt = torch.optim.Adam(model.parameters(), lr=run.lr, eps=run.adam_eps)
    return model, opt


def train_run(
    run: RunConfig,
    splits: dict[str, Split],
    *,
    horizon: int,
    snapshots: Sequence[int],
    estimators: Sequence[Estimator],
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
    splits : {"train": Split, "test": Split}
        Training data (first) and any evaluation splits; all are measured at each snapshot.
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
    x, y = _as_input(splits["train"].x), splits["train"].y
    last_ckpt = time.monotonic()
    bar = tqdm(total=horizon, initial=state.epoch, disable=not progress, leave=False,
               desc=f"{run.dataset} {run.key()}", unit="ep")
    while True:
        if state.epoch in todo:
            state.model, state.optimizer = model.state_dict(), opt.state_dict()
            on_snapshot(snapshot_record(model, splits, estimators, state.epoch, run), state)
            if on_checkpoint:
                on_checkpoint(state)
            last_ckpt = time.monotonic()
        if state.epoch >= horizon:
            break
        state.epoch_loss.append(_train_epoch(model, opt, x, y, run, state.epoch))
        state.epoch += 1
        bar.update(1)
        bar.set_postfix(loss=f"{state.epoch_loss[-1]:.4f}")
        if on_checkpoint and time.monotonic() - last_ckpt > checkpoint_seconds:
            state.model, state.optimizer = model.state_dict(), opt.state_dict()
            on_checkpoint(state)
            last_ckpt = time.monotonic()
    bar.close()
    state.model, state.optimizer = model.state_dict(), opt.state_dict()
    return state


def train_epoch(model: CNN, opt: torch.optim.Optimizer, x: torch.Tensor, y: torch.Tensor, *,
                seed: int, epoch: int, batch_size: int, precision: str = "fp32",
                micro_batch: int | None = None) -> float:
    """One epoch of minibatch Adam in the order `epoch_order(seed, epoch)`; returns the mean
    batch loss. Stops on NaN/inf (`NumericalError`).

    Each batch's mean-loss gradient is accumulated over slices of `micro_batch` images and
    applied in one Adam step (same step up to floating-point reordering); None: `MICRO_BATCH`
    when torch uses one thread, else whole batches. In float32, conv layers go through
    `ibutils.kernels` where it applies (direct kernels for narrow layers, a tanh fused into
    oneDNN's convolution for the others; same parameters, same results up to floating-point
    reordering); ``precision="bf16"`` runs under CPU autocast."""
    if micro_batch is None:
        micro_batch = MICRO_BATCH if torch.get_num_threads() == 1 else batch_size
    if micro_batch < 1:
        raise ValueError(f"micro_batch: got {micro_batch!r}, allowed a positive integer or None")
    model.train()
    order = epoch_order(seed, epoch, len(x))
    direct = precision == "fp32" and kernels.used_by(model)
    total, n_batches = 0.0, 0
    for i in range(0, len(x), batch_size):
        idx = order[i:i + batch_size]
        opt.zero_grad(set_to_none=True)
        batch_loss = 0.0
        for j in range(0, len(idx), micro_batch):
            part = idx[j:j + micro_batch]
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=precision == "bf16"):
                logits = kernels.forward(model, x[part]) if direct else model(x[part])
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
