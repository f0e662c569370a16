"""Is measured compression saturation, clustering, or tied to generalisation?

Two objections to information-plane results frame this module. Saxe et al. (2018): the
compression seen in tanh networks comes from double-sided saturation and disappears with ReLU.
Goldfeld et al. (2019): in a deterministic network I(X;T) is infinite or log2 N, and what a
binned or noise-smoothed estimate calls "compression" is the clustering of the representation.

Everything here is a pure function of stored runs, taking the per-layer compression test of
`ibutils.analysis.compression` and the geometric companions that `ibutils.geometry` records on
the same snapshot grid:

- `cell_rows`: one row per (configuration, hidden layer, estimator): the drop of I(X;T) after
  its peak, whether a fitting phase preceded it, and how saturation and class clustering moved
  over the same epochs (from the peak to the last snapshot).
- `cell_clustering_rows`: the calibrated test's cells under one estimator, with how class
  clustering moved over each seed's fall.
- `gap_rows`: per run, the largest drop against the generalisation gap.
- `ceiling_counts`: hidden-layer points at the ceiling of each estimator that has one.
"""
from __future__ import annotations

import re
from dataclasses import replace

import numpy as np

from ..mi import SATURATION_TOL
from .compression import MIN_DROP_BITS, compression

GEOMETRY_PREFIX = "geometry"
GEOMETRY_TOL = 0.01  # a change of saturation or distance ratio smaller than this is "no change"
EARLY_PEAK_EPOCH = 2  # a drop whose peak is at or before this epoch is drift from initialisation


def geometry_id(run) -> str:
    """The id of the geometry measures stored with a run (the first such column)."""
    ids = [e for e in run.snapshots()[0]["test"]["mi"] if e.startswith(GEOMETRY_PREFIX)]
    if not ids:
        raise KeyError(f"{run.label or run.config.key()}: stored without geometry measures; "
                       f"run_study(..., estimators=estimator_set(['geometry'])) (CLI: "
                       f"--estimators geometry) adds them from the cached snapshot weights")
    return ids[0]


def activation_of(run) -> str:
    return run.config.net.activation


def set_apart_untrained(runs, split: str = "test") -> tuple[list, list]:
    """``(trained, untrained)``: a run is *dead* when, at its last snapshot, some hidden layer
    outputs exactly 0 for every input of `split` (every unit inactive, a dead ReLU layer):
    everything after that layer is constant, so the net predicts one class whatever the input.
    A 1-filter ReLU net can die in its first epoch. Such a run has no fitting to follow and
    no generalisation gap, and its collapsed I(X;T) would read as a huge "drop"; the chapter
    names it instead of averaging it in. Runs stored without geometry are kept."""
    trained, untrained = [], []
    for r in runs:
        try:
            geo = geometry_id(r)
        except KeyError:
            trained.append(r)
            continue
        last = r.snapshots()[-1][split]["mi"][geo]
        dead = any(last[la]["inactive"] >= 1.0 for la in r.layers if la != "softmax")
        (untrained if dead else trained).append(r)
    return trained, untrained


def _configs(results) -> list[list]:
    """Seed runs grouped per configuration; tanh and ReLU runs of one variant stay apart."""
    configs: dict = {}
    for r in results:
        configs.setdefault((activation_of(r), r.label_config), []).append(r)
    return list(configs.values())


def cell_rows(results, estimators, *, split: str = "test") -> list[dict]:
    """Per configuration (seeds averaged), hidden layer and estimator: the compression test and
    the geometry over the same window.

    Keys: factor, activation, dataset, variant, layer, estimator, drop, rise, peak_epoch,
    compressed (passes `ibutils.analysis.compression.compression`), phase (compressed after a fitting phase: rise of
    at least `MIN_DROP_BITS` before the peak), and over the snapshots from the peak to the last
    one, the change of: saturated (fraction of |a| > 0.9), inactive (fraction of exact zeros),
    within_between (class distance ratio; negative = tighter class clusters) and silhouette.
    """
    rows = []
    for runs in _configs(results):
        first = runs[0]
        geo = geometry_id(first)
        epochs = first.epochs()
        for layer in first.layers:
            if layer == "softmax":
                continue
            geometry = {q: np.mean([r.mi(split, geo, layer, q) for r in runs], axis=0)
                        for q in ("saturated", "inactive", "within_between", "silhouette")}
            for est in estimators:
                c = compression(runs, layer, split=split, estimator=est)
                k = int(np.flatnonzero(epochs == c["peak_epoch"])[0])
                rows.append({
                    "key": first.config.key(),
                    "factor": first.factor, "activation": activation_of(first),
                    "dataset": first.dataset, "variant": first.variant, "layer": layer,
                    "estimator": est, "drop": c["drop"], "rise": c["rise"],
                    "peak_epoch": c["peak_epoch"], "compressed": c["compressed"],
                    "phase": c["compressed"] and c["rise"] >= MIN_DROP_BITS,
                    **{f"d_{q}": float(v[-1] - v[k]) for q, v in geometry.items()},
                })
    return rows


def _has_geometry(run, split: str) -> bool:
    return any(e.startswith(GEOMETRY_PREFIX) for e in run.snapshots()[0][split]["mi"])


def cell_clustering_rows(groups: dict, estimator: str, *, split: str = "test") -> list[dict]:
    """The calibrated compression test under `estimator`
    (`ibutils.analysis.compression_test.check_cells`, its floor from these cells) on the
    configurations of `groups` (label -> seed runs) whose seeds, at least 2, carry both
    `estimator` and the geometry measures; each hidden cell's row gains ``d_within_between``:
    the mean over seeds of the change of the within/between class distance ratio from the
    seed's own peak epoch (the test's leave-one-out peak) to the last snapshot (negative:
    tighter class clusters over the fall)."""
    from .compression_test import check_cells

    both = {}
    for label, runs in groups.items():
        mine = [r for r in runs if r.has_estimator(estimator, split) and _has_geometry(r, split)]
        if len(mine) >= 2:
            both[label] = mine
    rows = check_cells(both, split=split, estimator=estimator) if both else []
    for row in rows:
        runs = both[row["label"]]
        changes = []
        for r, peak in zip(runs, row["peak_epochs"]):
            ratio = r.mi(split, geometry_id(r), row["layer"], "within_between")
            epochs = r.epochs()
            changes.append(float(ratio[-1] - ratio[int(np.flatnonzero(epochs == peak)[0])]))
        row["d_within_between"] = float(np.mean(changes))
    return rows


def group_rows(rows, keys):
    out: dict = {}
    for row in rows:
        out.setdefault(tuple(row[k] for k in keys), []).append(row)
    return out


def gap_rows(results, estimators, *, split: str = "test") -> list[dict]:
    """Per run: the largest drop of I(X;T) after its peak over the hidden layers, per
    estimator, and the final generalisation gap (train minus `split` accuracy; `split` minus
    train loss)."""
    rows = []
    for r in results:
        row = {"key": r.config.key(), "config": replace(r.config, seed=0).key(),
               "factor": r.factor, "activation": activation_of(r),
               "dataset": r.dataset,
               "variant": r.variant, "seed": r.seed,
               "gap_acc": float(r.metric("train", "accuracy")[-1] - r.metric(split, "accuracy")[-1]),
               "gap_loss": float(r.metric(split, "loss")[-1] - r.metric("train", "loss")[-1])}
        for est in estimators:
            row[est] = max(compression([r], layer, split=split, estimator=est)["drop"]
                           for layer in r.layers if layer != "softmax")
        rows.append(row)
    return rows


def distinct_rows(rows, *keys) -> list[dict]:
    """Rows of a network shared by two factors (d6 = w6) counted once: unique by the run's
    config key (which includes dataset, seed and activation) and `keys`."""
    seen: dict = {}
    for row in rows:
        seen.setdefault((row["key"], *(row[k] for k in keys)), row)
    return list(seen.values())


def ceiling(run, estimator: str, split: str) -> float | None:
    """The largest value an estimator's I(X;T) can take on a run's inputs, or None: log2 N for
    binning (N inputs of the split), log2 n of the subsample for the KDE bound; Renyi has no
    such ceiling in bits."""
    n = run.n[split]
    if estimator.startswith("binning"):
        return float(np.log2(n))
    if estimator.startswith("kde"):
        k = re.search(r"n_samples(\d+)", estimator)
        return float(np.log2(min(n, int(k.group(1))) if k else n))
    return None


def ceiling_counts(results, estimators, *, split: str = "test",
                   tol: float = SATURATION_TOL) -> list[dict]:
    """Per activation and estimator with a ceiling (`ceiling`): hidden-layer snapshot points
    (every hidden layer of every run at every snapshot; a network in two factors once) and how
    many sit within `tol` bits of the ceiling, i.e. points at which it cannot register a fall.
    Keys: activation, estimator, ceiling (bits), points, at."""
    out = []
    runs = {(r.config.key()): r for r in results}.values()
    for act in dict.fromkeys(activation_of(r) for r in runs):
        sel = [r for r in runs if activation_of(r) == act]
        for est in estimators:
            if ceiling(sel[0], est, split) is None:
                continue
            points = at = 0
            for r in sel:
                top = ceiling(r, est, split)
                for layer in r.layers:
                    if layer == "softmax":
                        continue
                    v = r.mi(split, est, layer, "i_xt_upper" if est.startswith("kde") else "i_xt")
                    points += len(v)
                    at += int((v >= top - tol).sum())
            out.append({"activation": act, "estimator": est,
                        "ceiling": ceiling(sel[0], est, split), "points": points, "at": at})
    return out
