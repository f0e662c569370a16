"""The compression test with a known error rate (defined before looking at the results).

For the seeds of one configuration, one layer, one estimator and one set (a *cell*):

1. **Fitting.** The network has fit at the first snapshot at which its output's I(T;Y)
   (the paper's estimator, seed mean) reaches 95% of its rise from the first to the last
   snapshot: the IB literature's fitting phase is a rise of I(T;Y).
2. **The drop, per seed, without selection bias.** For each seed s, the peak epoch is the
   argmax of the *other* seeds' mean I(X;T) at or after the fitting epoch (leave one out), and
   the seed's drop is its own I(X;T) at that epoch minus its value at the last snapshot. So a
   seed's noise cannot both pick the peak and be measured at it.
3. **The floor**, relative to each estimator's scale: `FLOOR_SHARE` of the median over the
   cells tested together of each hidden cell's highest seed-mean I(X;T) (13.3 bits of the
   paper's bins give 0.40 bits, 1.6 of Renyi about 0.05).
4. **The p-value** of "the mean drop exceeds the floor": a one-sided Student t-test on the
   seeds' drops (S - 1 degrees of freedom), and a bootstrap interval of the mean drop over
   seeds for its uncertainty.
5. **Many cells**: Benjamini-Hochberg at false discovery rate `Q` over the distinct cells of
   one estimator and set (a network in two factors once).

`null_rate` measures the false-positive rate of steps 2-4 on curves that cannot compress: each
seed's snapshots shuffled in time (the same values, no order), under the same test.
"""
from __future__ import annotations

import numpy as np

from ..config import PAPER_ID
from ..labels import dataset_label, network_label
from .compression import compression, seed_curves
from .statistics import benjamini_hochberg, student_t_sf

FIT_LEVEL = 0.95  # share of its rise at which the output's I(T;Y) counts as fitted
FLOOR_SHARE = 0.03  # the floor: this share of the estimator's scale
ALPHA = 0.05  # one cell's test level (the null rate is measured at it)
Q = 0.05  # false discovery rate over many cells


def fitting_epoch(runs, *, split: str = "test", estimator: str = PAPER_ID,
                  level: float = FIT_LEVEL) -> int:
    """The first snapshot epoch at which the seed-mean output I(T;Y) has risen by `level`
    of its rise from the first to the last snapshot (the first epoch if it does not rise)."""
    epochs = sorted(set.intersection(*(set(r.epochs().tolist()) for r in runs)))
    ity = np.mean([r.mi(split, estimator, "softmax", "i_ty")[np.isin(r.epochs(), epochs)]
                   for r in runs], axis=0)
    rise = ity[-1] - ity[0]
    if rise <= 0:
        return int(epochs[0])
    return int(epochs[int(np.argmax(ity >= ity[0] + level * rise))])


def seed_drops(curves: np.ndarray, start: int) -> tuple[np.ndarray, list[int]]:
    """Leave-one-out drops of an (S, E) array of curves: for seed s the peak index is the
    argmax over snapshots >= `start` of the other seeds' mean, and its drop is
    ``curves[s, peak] - curves[s, -1]``. Returns (drops, peak indices)."""
    s = len(curves)
    if s < 2:
        raise ValueError(f"curves: got {s} seed, allowed at least 2 (leave-one-out peaks)")
    drops, peaks = [], []
    for i in range(s):
        others = np.delete(curves, i, axis=0).mean(0)
        k = start + int(np.argmax(others[start:]))
        drops.append(float(curves[i, k] - curves[i, -1]))
        peaks.append(k)
    return np.array(drops), peaks


def drop_test(drops: np.ndarray, floor: float) -> dict:
    """One-sided t-test of mean(drops) > floor: ``{"mean", "t", "p"}`` (p = 1 when every
    drop equals the mean and it is at most the floor; 0 when they are equal and above)."""
    drops = np.asarray(drops, dtype=float)
    mean, sd = float(drops.mean()), float(drops.std(ddof=1))
    if sd == 0:
        return {"mean": mean, "t": float("inf") if mean > floor else float("-inf"),
                "p": 0.0 if mean > floor else 1.0}
    t = (mean - floor) / (sd / np.sqrt(len(drops)))
    return {"mean": mean, "t": float(t), "p": student_t_sf(t, len(drops) - 1)}


def bootstrap_interval(drops: np.ndarray, *, n_boot: int = 2000, seed: int = 0) -> tuple:
    """95% percentile interval of the mean drop over seeds resampled with replacement."""
    rng = np.random.default_rng(seed)
    drops = np.asarray(drops, dtype=float)
    means = drops[rng.integers(0, len(drops), size=(n_boot, len(drops)))].mean(1)
    lo, hi = np.percentile(means, [2.5, 97.5])
    return float(lo), float(hi)


def check_cell(runs, layer: str, *, split: str, estimator: str, floor: float,
              fit_epoch: int) -> dict:
    """The test of one cell (steps 2-4): ``{"layer", "drop" (mean of the seeds' drops),
    "lo", "hi" (bootstrap interval), "p", "peak_epochs", "fit_epoch", "seeds", "share"}``,
    ``share`` being the mean over seeds of each drop over the seed's value at its peak (the
    fall as a share of where it fell from; nan where a peak value is 0)."""
    epochs, curves = seed_curves(runs, layer, split, estimator)
    start = int(np.searchsorted(epochs, fit_epoch))
    start = min(start, len(epochs) - 1)
    drops, peaks = seed_drops(curves, start)
    result = drop_test(drops, floor)
    lo, hi = bootstrap_interval(drops)
    return {"layer": layer, "drop": result["mean"], "lo": lo, "hi": hi, "p": result["p"],
            "peak_epochs": [int(epochs[k]) for k in peaks], "fit_epoch": int(fit_epoch),
            "seeds": len(runs), "share": _share(drops, [curves[i, k] for i, k in enumerate(peaks)])}


def _share(drops, peaks) -> float:
    peaks = np.asarray(peaks, dtype=float)
    if np.any(peaks == 0):
        return float("nan")
    return float(np.mean(np.asarray(drops) / peaks))


def estimator_scale(groups: dict, *, split: str, estimator: str) -> float:
    """The median over the hidden cells of `groups` (label -> seed runs) of each cell's
    highest seed-mean I(X;T): the level the estimator reaches in these layers, which the
    floor is a share of (log2 N = 13.3 bits for binned tanh layers, about 1.6 for Renyi)."""
    tops = [seed_curves(runs, layer, split, estimator)[1].mean(0).max()
            for runs in groups.values() for layer in runs[0].layers if layer != "softmax"]
    return float(np.median(tops)) if tops else float("nan")


def check_cells(groups: dict, *, split: str, estimator: str, floor: float | None = None,
               q: float = Q) -> list[dict]:
    """Every hidden cell of `groups` (label -> seed runs of one configuration; configurations
    with fewer than 2 seeds are skipped) under one estimator and set, with
    Benjamini-Hochberg over them: each row of `check_cell` plus ``label``, ``dataset``,
    ``variant``, ``floor`` and ``passed`` (rejected at false discovery rate `q`)."""
    groups = {k: v for k, v in groups.items() if len(v) >= 2}
    if floor is None:
        floor = FLOOR_SHARE * estimator_scale(groups, split=split, estimator=estimator)
    rows = []
    for label, runs in groups.items():
        fit = fitting_epoch(runs, split=split)
        rows += [{"label": label, "dataset": runs[0].dataset, "variant": runs[0].variant,
                  "floor": floor,
                  **check_cell(runs, layer, split=split, estimator=estimator, floor=floor,
                              fit_epoch=fit)}
                 for layer in runs[0].layers if layer != "softmax"]
    passed = benjamini_hochberg([r["p"] for r in rows], q) if rows else []
    for row, ok in zip(rows, passed):
        row["passed"] = bool(ok)
    return rows


def null_rate(groups: dict, *, split: str, estimator: str, floor: float,
              shuffles: int = 20, alpha: float = ALPHA, seed: int = 0) -> dict:
    """The test's false-positive rate on curves that cannot compress: each seed's snapshot
    values shuffled in time (independently per seed and shuffle), then steps 2-4 with the
    fitting epoch at the first snapshot. Returns ``{"tests", "rate"}``: the share of
    shuffled cells with p < `alpha`."""
    rng = np.random.default_rng(seed)
    hits = tests = 0
    for runs in groups.values():
        if len(runs) < 2:
            continue
        for layer in runs[0].layers:
            if layer == "softmax":
                continue
            _, curves = seed_curves(runs, layer, split, estimator)
            for _ in range(shuffles):
                shuffled = np.array([rng.permutation(c) for c in curves])
                drops, _ = seed_drops(shuffled, 0)
                hits += drop_test(drops, floor)["p"] < alpha
                tests += 1
    return {"tests": tests, "rate": hits / tests if tests else float("nan")}


def summary(groups: dict, estimators, splits=("test", "train"), *, shuffles: int = 10,
            q: float = Q) -> list[dict]:
    """Per estimator and set: the calibrated test on every distinct hidden cell of `groups`
    (label -> seed runs; a network in two factors once). Keys: estimator, split, cells,
    floor, raw (p < `ALPHA`, uncorrected), passed (after Benjamini-Hochberg at `q`),
    largest (the largest mean drop after fitting, bits or Renyi units) and where (its
    configuration and layer), smallest_p, null_rate (share of shuffled cells with p < ALPHA
    at the floor), null_rate_zero (the same with no floor: the t-test's own level), null_tests,
    and passing_cells (the passing cells, each with ``where`` (in words), ``dataset``,
    ``variant``, ``layer``, ``drop`` and ``share``: the fall as a share of the value at the
    peak)."""
    out = []
    for est in estimators:
        for split in splits:
            rows = check_cells(groups, split=split, estimator=est, q=q)
            if not rows:
                continue
            floor = rows[0]["floor"]
            top = max(rows, key=lambda r: r["drop"])
            null = null_rate(groups, split=split, estimator=est, floor=floor, shuffles=shuffles)
            zero = null_rate(groups, split=split, estimator=est, floor=0.0, shuffles=shuffles)
            out.append({"estimator": est, "split": split, "cells": len(rows), "floor": floor,
                        "raw": sum(r["p"] < ALPHA for r in rows),
                        "passed": sum(r["passed"] for r in rows),
                        "largest": top["drop"],
                        "where": _where(top),
                        "smallest_p": min(r["p"] for r in rows), "null_rate": null["rate"],
                        "null_rate_zero": zero["rate"], "null_tests": null["tests"],
                        "passing_cells": [{"where": _where(r), "dataset": r["dataset"],
                                           "variant": r["variant"], "layer": r["layer"],
                                           "drop": r["drop"], "share": r["share"]}
                                          for r in rows if r["passed"]]})
    return out


def _where(row: dict) -> str:
    """A cell in words: "conv1 of 1 layer x 6 filters on Fashion-MNIST"."""
    return (f"{row['layer']} of {network_label('', row['variant'])} on "
            f"{dataset_label(row['dataset'])}")


def _measures(run, estimator: str, split: str) -> bool:
    try:
        run.mi(split, estimator, run.layers[0], "i_xt")
    except KeyError:
        return False
    return True


def robustness(groups: dict, estimators, splits=("test", "train"), *, shuffles: int = 10,
               q: float = Q, reference: str | None = None) -> list[dict]:
    """`summary` under each estimator setting on the seeds that carry it, in the
    configurations where at least 2 do (a setting added to the stored runs a batch at a time,
    or to some seeds only, covers part of the grid; the floor is that of the covered
    configurations). Each row adds
    ``configurations`` (covered) and ``of_configurations`` (all with at least 2 seeds), so a
    table can say how much of the grid a setting's verdict rests on, and ``flagged`` /
    ``flagged_early``: hidden cells the looser test of `ibutils.analysis.compression` flags
    (any fall from a peak), and of them those peaking at epoch 2 or before (drift from the
    initialisation). With a `reference` setting, the same numbers of the reference on the
    same configurations and seeds: ``ref_passed``, ``ref_largest``, ``ref_flagged``,
    ``ref_flagged_early``. A setting no configuration carries gets no row."""
    full = {k: v for k, v in groups.items() if len(v) >= 2}
    out = []
    for est in estimators:
        for split in splits:
            covered = {k: mine for k, v in full.items()
                       if len(mine := [r for r in v if _measures(r, est, split)]) >= 2}
            if not covered:
                continue
            for row in summary(covered, [est], (split,), shuffles=shuffles, q=q):
                extra = {"configurations": len(covered), "of_configurations": len(full),
                         **_flags(covered, est, split)}
                if reference is not None:
                    ref = summary(covered, [reference], (split,), shuffles=0, q=q)[0]
                    extra.update({"ref_passed": ref["passed"], "ref_largest": ref["largest"],
                                  **{f"ref_{k}": v
                                     for k, v in _flags(covered, reference, split).items()}})
                out.append({**row, **extra})
    return out


def _flags(groups: dict, estimator: str, split: str, *, early: int = 2) -> dict:
    """Hidden cells the looser test flags, and of them those whose peak is at or before
    epoch `early`."""
    hits = [compression(runs, layer, split=split, estimator=estimator)
            for runs in groups.values() for layer in runs[0].layers if layer != "softmax"]
    flagged = [h for h in hits if h["compressed"]]
    return {"flagged": len(flagged),
            "flagged_early": sum(h["peak_epoch"] <= early for h in flagged)}
