"""What a snapshot records: every measured layer's activations (forward hooks), each
estimator and geometric measure applied to them, loss and accuracy per split, weight norms and
gradient statistics. Knows nothing of the cache: the runner stores what `snapshot_record`
returns.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F

from . import mi as mi_mod
from .config import Estimator, RunConfig
from .data import Split
from .geometry import MEASURES
from .models import CNN, is_noisy, seed_noise
from .train import NumericalError, as_input, epoch_order

# every per-layer measure the recorder can apply: MI estimators and geometric companions, each
# called as fn(t, x, y, **params); `ibutils.config.ESTIMATOR_KINDS` names them (tested)
LAYER_MEASURES = {**mi_mod.ESTIMATORS, **MEASURES}


EVAL_BATCH = 1000  # images per forward pass when measuring a snapshot (fastest here)
# a noisy network is measured with one fixed draw of its hidden layers' noise, the same at every
# snapshot (common random numbers: snapshot-to-snapshot changes are the weights', not the draw's)
MEASURE_NOISE_SEED = 20190101


@torch.no_grad()
def capture(model: CNN, x: torch.Tensor, *,
            noise_seed: int = MEASURE_NOISE_SEED) -> tuple[dict[str, np.ndarray], torch.Tensor]:
    """Activations of every measured layer for all of `x`, via forward hooks.

    Returns ``({layer: (N, D) float32 array}, logits (N, 10))``; the output layer is recorded
    as softmax probabilities, as the paper does. Conv maps are flattened in (H, W, C) order,
    free for channels-last tensors; the order of units does not change any estimate. A noisy
    network's layers are recorded without their own noise (S(x), the centre of T given x) but
    with the noise of the layers before them, drawn from `noise_seed` (by default
    `MEASURE_NOISE_SEED`, the draw every snapshot of a run is measured with).
    """
    seed_noise(model, noise_seed)
    device = next(model.parameters()).device  # activations come back to the CPU as numpy
    n, acts, offset = len(x), {}, [0]
    def hook_for(name):
        def hook(_module, _inputs, out):
            if out.dim() == 4:
                out = out.permute(0, 2, 3, 1)  # (B, H, W, C): a view for channels-last
            flat = out.reshape(out.shape[0], -1)
            if name not in acts:
                acts[name] = np.empty((n, flat.shape[1]), dtype=np.float32)
            acts[name][offset[0]:offset[0] + len(flat)] = flat.float().cpu().numpy()
        return hook
    handles = [block.register_forward_hook(hook_for(n)) for n, block in model.measured.items()]
    logits = []
    try:
        for i in range(0, n, EVAL_BATCH):
            offset[0] = i
            logits.append(model(x[i:i + EVAL_BATCH].to(device)).float().cpu())
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
              full: dict | None = None, *, run_seed: int = 0,
              reference: dict | None = None) -> dict:
    """{estimator id: {layer: values}} for one split.

    Estimators that work on a seeded subsample (``n_samples`` < N) get activations captured
    for just those rows (the rows `ibutils.mi.subsample` would pick from the whole split, so
    the values equal those from a full capture; drawn with `run_seed` for Renyi's
    ``seeded_by_run`` setting, else with seed 0); the others share one full capture, passed
    in as `full` (already checked for NaN) when the caller has it. A noisy network's
    subsamples are rows of the full capture (one noise draw for all estimators), and its
    `noisy` estimator runs at the network's own noise_std on the hidden layers. Renyi's
    ``fixed_width`` setting takes each layer's kernel width from `reference`, this split's
    estimates at the run's first snapshot ({estimator id: {layer: values}}), and derives it
    by the rule where there is none yet (at that first snapshot itself).
    """
    noisy_net = is_noisy(model)
    y_all, n = split.y.numpy(), len(split.y)
    if noisy_net and full is None:  # e.g. added later from cached weights: the same draw
        full = capture(model, as_input(split.x))[0]
        _check_finite(full, epoch)
    by_rows: dict = {}
    for est in estimators:
        params = est.kwargs()
        k = params.get("n_samples")
        rows_seed = int(run_seed) if params.get("seeded_by_run") else 0
        key = None if k is None or k >= n else (int(k), rows_seed)
        by_rows.setdefault(key, []).append(est)
    out = {}
    for key, group in by_rows.items():
        rows = slice(None) if key is None else mi_mod.subsample(n, *key)
        if key is None and full is not None:
            acts = full
        elif noisy_net and full is not None:
            acts = {name: t[rows] for name, t in full.items()}
        else:
            acts = capture(model, as_input(split.x[rows]))[0]
            _check_finite(acts, epoch)
        x, y = split.x[rows].numpy().reshape(len(y_all[rows]), -1), y_all[rows]
        for est in group:  # every row here is one the estimator would keep
            out[est.id] = _apply(est, model, acts, x, y, (reference or {}).get(est.id))
    return out


def _apply(est: Estimator, model: CNN, acts: dict, x, y, first: dict | None) -> dict:
    """One estimator on every layer it applies to: {layer: values}."""
    kwargs = {p: v for p, v in est.kwargs().items()
              if p not in ("n_samples", "fixed_width", "seeded_by_run")}
    fn = LAYER_MEASURES[est.kind]
    layers = acts
    if est.kind == "noisy":
        kwargs["noise_std"] = _own_noise(model)
        layers = {name: t for name, t in acts.items() if name != "softmax"}
    if not est.kwargs().get("fixed_width"):
        return {name: fn(t, x, y, **kwargs).as_dict() for name, t in layers.items()}
    return {name: fn(t, x, y, **kwargs,
                     sigma_t=first[name]["sigma_t"] if first else None).as_dict()
            for name, t in layers.items()}


def _own_noise(model: CNN) -> float:
    beta = model.config.noise_std
    if not beta > 0:
        raise ValueError("estimators: 'noisy' measures noisy networks only; this network's "
                         "noise_std is 0 (allowed: a network built with noise_std > 0)")
    return beta


def measure_split(model: CNN, split: Split, estimators: Sequence[Estimator], epoch: int, *,
                  run_seed: int = 0, reference: dict | None = None) -> dict:
    """Loss, accuracy and every estimator on every layer for one split at one snapshot
    (`run_seed` and `reference` as in `estimates`)."""
    acts, logits = capture(model, as_input(split.x))
    _check_finite(acts, epoch)
    return {
        "loss": float(F.cross_entropy(logits, split.y)),
        "accuracy": float((logits.argmax(1) == split.y).float().mean()),
        "mi": estimates(model, split, estimators, epoch, full=acts, run_seed=run_seed,
                        reference=reference),
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
    device = next(model.parameters()).device
    x, y = as_input(split.x).to(device), split.y.to(device)
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
                    run: RunConfig | None = None, *, gradients: bool = True,
                    first: dict | None = None) -> dict:
    """The full record of one snapshot: per split measurements, per-layer weight norms and,
    given the run (for its seed and batch size) and `gradients`, the gradient statistics on
    the training split. `first` is the run's stored first snapshot (epoch 0), which Renyi's
    ``fixed_width`` setting reads its widths from.
    """
    fixed = [e.id for e in estimators if e.kwargs().get("fixed_width")]
    if fixed and epoch > 0 and not (first and all(i in first["test"]["mi"] for i in fixed)):
        raise ValueError(f"estimators: {fixed} hold each layer's kernel width at the run's "
                         "first snapshot, which is not stored with them; allowed once the "
                         "epoch-0 snapshot has them (measure it first)")
    model.eval()
    record = {"epoch": epoch}
    seed = 0 if run is None else run.seed
    for split_name, split in splits.items():
        ref = first[split_name]["mi"] if first and epoch != first["epoch"] else None
        record[split_name] = measure_split(model, split, estimators, epoch, run_seed=seed,
                                           reference=ref)
    record["weight_norm"] = {
        name: float(block.linear.weight.detach().norm()) for name, block in model.measured.items()
    }
    if run is not None and gradients:
        record["gradients"] = gradient_stats(model, splits["train"], seed=run.seed, epoch=epoch,
                                             batch_size=run.batch_size)
        model.eval()
    return record
