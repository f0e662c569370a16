"""Fitting: final accuracy and output I(T;Y), epochs to 95% of the final accuracy, onset of
overfitting, gradient signal-to-noise, and whether a quantity moves monotonically along an
ordered list of variants (the paper's fitting claims)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

import numpy as np

from ..config import PAPER_ID
from .runs import by_config, distinct_runs, group


def fitting_rows(results, estimator: str = PAPER_ID, split: str = "test",
                 level: float = 0.95) -> list[dict]:
    """Per configuration (means over seeds): how fast and how high it fits.

    Keys: dataset, variant, seeds, acc (final accuracy), ity (final softmax I(T;Y), bits),
    fast (first snapshot epoch reaching `level` of the final accuracy), min_loss_epoch (epoch
    of the lowest loss: where overfitting starts), loss (final loss), gap (final train minus
    `split` accuracy). The first four are taken on the seed-mean curves; ``per_seed`` holds
    acc, ity and fast of each seed's own curves (lists in seed order), for the spread.
    """
    rows = []
    for runs in group(results, "label_config").values():
        first = runs[0]
        accs = np.array([r.metric(split, "accuracy") for r in runs])
        acc = accs.mean(axis=0)
        train_acc = np.mean([r.metric("train", "accuracy") for r in runs], axis=0)
        loss = np.mean([r.metric(split, "loss") for r in runs], axis=0)
        itys = np.array([r.mi(split, estimator, "softmax", "i_ty") for r in runs])
        epochs = first.epochs()
        reach = lambda a: int(epochs[np.argmax(a >= level * a[-1])])  # noqa: E731
        rows.append({"dataset": first.dataset, "variant": first.variant, "seeds": len(runs),
                     "acc": float(acc[-1]), "ity": float(itys.mean(axis=0)[-1]),
                     "fast": reach(acc),
                     "min_loss_epoch": int(epochs[np.argmin(loss)]), "loss": float(loss[-1]),
                     "gap": float(train_acc[-1] - acc[-1]),
                     "per_seed": {"acc": [float(a[-1]) for a in accs],
                                  "ity": [float(i[-1]) for i in itys],
                                  "fast": [reach(a) for a in accs]}})
    return rows


def trend(results, key: str, order, direction: str, *,
          estimator: str = PAPER_ID, split: str = "test") -> dict:
    """Does a fitting quantity move monotonically along an ordered list of variants?

    `key` is a column of `fitting_rows` ("acc", "ity", "fast", "min_loss_epoch", "gap"),
    `order` the variants from small to large, `direction` "up" (non-decreasing) or "down"
    (non-increasing). The claim holds on a dataset when no step goes against it and the
    last variant differs from the first in the claimed direction; equal neighbours are
    allowed and flagged. Returns ``{dataset: {"values": [...], "holds": bool, "ties": bool}}``.
    """
    if direction not in ("up", "down"):
        raise ValueError(f"direction: got {direction!r}, allowed ('up', 'down')")
    out = {}
    rows = [r for r in fitting_rows(results, estimator, split) if r["variant"] in order]
    for dataset in dict.fromkeys(r["dataset"] for r in rows):
        by_variant = {r["variant"]: r[key] for r in rows if r["dataset"] == dataset}
        values = [by_variant[v] for v in order if v in by_variant]
        steps = np.diff(values) * (1 if direction == "up" else -1)
        # never against the claim, and a net change along it (ties between neighbours allowed:
        # snapshots are a coarse clock)
        holds = bool(np.all(steps >= 0) and steps.sum() > 0)
        out[dataset] = {"values": values, "holds": holds, "ties": bool(np.any(steps == 0))}
    return out


def overfitting(study: dict, split: str, rise: float) -> dict:
    """{dataset: [(overfits, epoch of the minimum), ...]} per configuration (seeds averaged; a
    configuration in two factors once): overfits when its final `split` loss is more than
    `rise` (relative) above its minimum."""
    configs: dict = defaultdict(list)
    for r in distinct_runs(study).values():  # its seeds are one configuration
        configs[(replace(r.config, seed=0).key(), r.dataset)].append(r)
    out: dict = defaultdict(list)
    for runs in configs.values():
        loss = np.mean([r.metric(split, "loss") for r in runs], axis=0)
        k = int(np.argmin(loss))
        out[runs[0].dataset].append((bool(loss[-1] > (1 + rise) * loss[k]),
                                     int(runs[0].epochs()[k])))
    return dict(out)


def snr_rows(results) -> list[dict]:
    """Per configuration and layer: the gradient signal-to-noise ratio (norm of the mean over
    norm of the std across mini-batches, `RunResult.gradients`), seed means, at the first
    (``first``) and last (``last``) snapshots, and ``below_one``: the first snapshot epoch at
    which it falls below 1 (Shwartz-Ziv & Tishby's drift-to-diffusion transition; None if it
    never does). Keys also ``label`` ("dataset variant") and ``layer``."""
    rows = []
    for label, runs in by_config(results).items():
        epochs = runs[0].epochs()
        for layer in runs[0].layers:
            snr = np.mean([r.gradients(layer, "snr") for r in runs], axis=0)
            below = np.flatnonzero(snr < 1)
            rows.append({"label": label, "layer": layer, "first": float(snr[0]),
                         "last": float(snr[-1]),
                         "below_one": int(epochs[below[0]]) if len(below) else None})
    return rows
