"""The compression test: does a layer's I(X;T) fall after its peak by more than the seeds'
spread? Also the dip (lowest point against the start) and how many points sit at log2 N.

All functions take the seed runs of one configuration (or any runs) and return numbers.
"""
from __future__ import annotations

import numpy as np

from ..config import PAPER_ID, ixt_key
from ..labels import layer_where
from ..mi import SATURATION_TOL
from .runs import by_config


def saturation_counts(results, estimator: str = PAPER_ID,
                      split: str = "test") -> dict:
    """How many hidden-layer (non-output) snapshot points sit at I(X;T) = log2 N.

    Returns ``{"points": int, "saturated": int, "fraction": float, "max_gap_bits": float}``,
    where ``max_gap_bits`` is the largest distance below log2 N seen on any hidden point.
    """
    points = saturated = 0
    worst = 0.0
    for r in results:
        ceiling = np.log2(r.n[split])
        for layer in r.layers:
            if layer == "softmax":
                continue
            ixt = r.mi(split, estimator, layer, "i_xt")
            points += len(ixt)
            saturated += int((ixt >= ceiling - SATURATION_TOL).sum())
            worst = max(worst, float((ceiling - ixt).max()))
    return {"points": points, "saturated": saturated,
            "fraction": saturated / points if points else float("nan"), "max_gap_bits": worst}


MIN_DROP_BITS = 0.05  # smallest fall of I(X;T) that counts as compression, whatever the seeds


def seed_curves(runs, layer: str, split: str, estimator: str) -> tuple[list[int], np.ndarray]:
    """The epochs common to the seed runs of one configuration, and each seed's I(X;T) (for
    KDE its upper bound) at them: an array of shape (seeds, epochs)."""
    runs = runs if isinstance(runs, (list, tuple)) else [runs]
    epochs = sorted(set.intersection(*(set(r.epochs().tolist()) for r in runs)))
    return epochs, np.array([r.mi(split, estimator, layer, ixt_key(estimator))
                             [np.isin(r.epochs(), epochs)] for r in runs])


def compression(runs, layer: str, *, split: str = "test",
                estimator: str = PAPER_ID) -> dict:
    """Per-layer compression test on the seeds of one configuration.

    Averages I(X;T) (for KDE its upper bound) over seeds on their common snapshots, finds the peak, and measures the
    drop from the peak to the last snapshot. The layer *compresses* when that drop exceeds
    both the spread across seeds at the last snapshot (max - min) and `MIN_DROP_BITS`.
    Returns ``{"peak_epoch", "peak", "final", "drop", "rise", "spread", "compressed"}`` (bits),
    where ``rise`` is peak minus the value at the first snapshot: a fall after a peak at
    epoch 0 (rise 0) is a decrease from initialisation, not a fitting phase followed by
    compression, and tables show the peak epoch so a reader can tell the two apart.
    """
    epochs, curves = seed_curves(runs, layer, split, estimator)
    mean = curves.mean(0)
    k = int(np.argmax(mean))
    drop = float(mean[k] - mean[-1])
    spread = float(curves[:, -1].max() - curves[:, -1].min())
    return {"peak_epoch": int(epochs[k]), "peak": float(mean[k]), "final": float(mean[-1]),
            "drop": drop, "rise": float(mean[k] - mean[0]), "spread": spread,
            "compressed": bool(drop > max(spread, MIN_DROP_BITS))}


def dip(runs, layer: str, *, split: str = "test",
        estimator: str = PAPER_ID) -> dict:
    """The lowest point of a layer's seed-mean I(X;T) curve, against its first snapshot.

    Returns ``{"first", "low", "low_epoch", "dip", "last", "change"}``: ``dip`` = first -
    low (>= 0), ``change`` = last - first. A dip that the curve climbs back out of is not
    compression (`compression` measures from the peak to the end); it is how most layers
    move under the Renyi estimator while the net fits.
    """
    epochs, curves = seed_curves(runs, layer, split, estimator)
    mean = curves.mean(0)
    k = int(np.argmin(mean))
    return {"first": float(mean[0]), "low": float(mean[k]), "low_epoch": int(epochs[k]),
            "dip": float(mean[0] - mean[k]), "last": float(mean[-1]),
            "change": float(mean[-1] - mean[0])}


def compression_counts(results, estimators, *, split: str = "test") -> list[dict]:
    """Per estimator: how many (configuration, layer) cells pass the `compression` test.

    Hidden layers and the softmax output are counted apart (``largest_hidden``: the largest
    passing hidden drop, ``largest_where``: its layer, variant and dataset); ``from_init``
    counts passing cells without a fitting phase: I(X;T) rose by less than `MIN_DROP_BITS`
    from the first snapshot to its peak, so the cell decreases from (near) initialisation
    rather than fitting and then compressing. ``seeded_cells`` / ``seeded_pass``: the hidden
    cells of configurations with more than one seed (where the test can compare a drop with
    the spread across seeds) and those passing; ``seeded_where``: the passing ones, by
    configuration ("conv3, conv4 of w1 on mnist"). Configurations whose runs lack an
    estimator are skipped for it. A configuration that appears in two factors is counted in
    each.
    """
    out = []
    configs = by_config(results)
    for est in estimators:
        row = {"estimator": est, "hidden_cells": 0, "hidden_pass": 0, "hidden_from_init": 0,
               "output_cells": 0, "output_pass": 0, "output_from_init": 0, "largest_hidden": 0.0,
               "largest_where": "", "seeded_cells": 0, "seeded_pass": 0, "seeded_where": []}
        for runs in configs.values():
            if not runs[0].has_estimator(est, split):
                continue
            seeded = []
            for layer in runs[0].layers:
                c = compression(runs, layer, split=split, estimator=est)
                kind = "output" if layer == "softmax" else "hidden"
                row[f"{kind}_cells"] += 1
                row[f"{kind}_pass"] += c["compressed"]
                row[f"{kind}_from_init"] += c["compressed"] and c["rise"] < MIN_DROP_BITS
                if kind == "hidden" and len(runs) > 1:
                    row["seeded_cells"] += 1
                    if c["compressed"]:
                        seeded.append(layer)
                if kind == "hidden" and c["compressed"] and c["drop"] > row["largest_hidden"]:
                    row["largest_hidden"] = c["drop"]
                    row["largest_where"] = layer_where(layer, runs[0].dataset, runs[0].variant)
            row["seeded_pass"] += len(seeded)
            if seeded:
                row["seeded_where"].append(
                    layer_where(", ".join(seeded), runs[0].dataset, runs[0].variant))
        out.append(row)
    return out


def compression_verdict(counts: dict) -> str:
    """The verdict on "no hidden layer compresses" from one `compression_counts` row."""
    if counts["hidden_pass"] == 0:
        return "held"
    if counts["hidden_pass"] == counts["hidden_from_init"]:
        return "held (only decreases without a fitting phase)"
    return "not held"


def compression_cells(groups: dict, estimators, *, split: str = "test") -> dict[str, list[dict]]:
    """`compression` of every layer of every configuration (`groups`: label -> seed runs),
    per estimator: ``{estimator: [{"label", "layer", "output", **compression(...)}, ...]}``.
    Configurations whose runs lack an estimator are left out of its list."""
    return {est: [{"label": label, "layer": layer, "output": layer == "softmax",
                   **compression(runs, layer, split=split, estimator=est)}
                  for label, runs in groups.items() if runs[0].has_estimator(est, split)
                  for layer in runs[0].layers]
            for est in estimators}
