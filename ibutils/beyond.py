"""Beyond the paper: is measured compression saturation, clustering, or tied to generalisation?

Two objections to information-plane results frame this module. Saxe et al. (2018): the
compression seen in tanh networks comes from double-sided saturation and disappears with ReLU.
Goldfeld et al. (2019): in a deterministic network I(X;T) is infinite or log2 N, and what a
binned or noise-smoothed estimate calls "compression" is the clustering of the representation.

Everything here is a pure function of stored runs (`ibutils.runner.RunResult`), taking the
per-layer compression test of `ibutils.report.compression` and the geometric companions that
`ibutils.geometry` records on the same snapshot grid:

- `cell_rows`: one row per (configuration, hidden layer, estimator): the drop of I(X;T) after
  its peak, whether a fitting phase preceded it, and how saturation and class clustering moved
  over the same epochs (from the peak to the last snapshot).
- `phase_table`: per factor, activation and estimator, how many layers compress.
- `coincidence_table`: do compressing layers saturate or cluster while they compress, and does
  the size of the drop track either (Pearson r with a 95% interval that resamples configurations)?
- `gap_rows`, `gap_table`: per run, the largest drop against the generalisation gap.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace

import numpy as np

from .mi import SATURATION_TOL
from .report import (MIN_DROP_BITS, cluster_bootstrap_ci, compression, glue_key,
                     markdown_table, pearson_ci, short_name)

GEOMETRY_PREFIX = "geometry"
GEOMETRY_TOL = 0.01  # a change of saturation or distance ratio smaller than this is "no change"


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
    compressed (passes `report.compression`), phase (compressed after a fitting phase: rise of
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


def _groups(rows, keys):
    out: dict = {}
    for row in rows:
        out.setdefault(tuple(row[k] for k in keys), []).append(row)
    return out


def phase_table(rows) -> str:
    """Per factor, activation and estimator: hidden layers that compress, how many of them
    after a fitting phase (a compression *phase*), and the largest drop (bits)."""
    table = []
    for (factor, act, est), cells in _groups(rows, ("factor", "activation", "estimator")).items():
        passing = [c for c in cells if c["compressed"]]
        table.append([factor, act, est, f"{len(passing)} / {len(cells)}",
                      sum(c["phase"] for c in cells),
                      max((c["drop"] for c in passing), default=0.0)])
    return markdown_table(["factor", "activation", "estimator", "hidden layers compressing",
                           "of which after a fitting phase", "largest drop (bits)"], table)


def _r(x, y, groups=None) -> str:
    """r with its 95% interval: Fisher's for independent pairs, or, given `groups` (the
    configuration of each pair), the cluster bootstrap over configurations, which counts
    the seeds and layers of one configuration as one draw (`report.cluster_bootstrap_ci`)."""
    if groups is None:
        c = pearson_ci(x, y)
        size = f"n = {c['n']}"
    else:
        c = cluster_bootstrap_ci(x, y, groups)
        size = f"n = {c['n']}, {c['groups']} configurations"
    if not np.isfinite(c["r"]):
        return f"n/a ({size})"
    if not np.isfinite(c["lo"]) and c.get("degenerate", 0) > 0:
        size += "; no interval: only a few configurations vary"
    if not np.isfinite(c["lo"]):
        return f"{c['r']:.2f} ({size})"
    return f"{c['r']:.2f} [{c['lo']:.2f}, {c['hi']:.2f}] ({size})"


def coincidence_table(rows, *, tol: float = GEOMETRY_TOL) -> str:
    """Per activation and estimator: of the compressing layers, how many saturated more (tanh:
    |a| > 0.9; ReLU: exact zeros) or clustered more by class (within/between ratio down) by more
    than `tol` from the peak to the end; and over all hidden layers, Pearson r of the drop with
    the rise of saturation and with the tightening of clustering (95% interval resampling
    configurations, since the layers of one net are not independent; n layers).
    A network in two factors counts once."""
    table = []
    rows = _distinct(rows, "layer", "estimator")
    for (act, est), cells in _groups(rows, ("activation", "estimator")).items():
        sat_key = "d_inactive" if act == "relu" else "d_saturated"
        passing = [c for c in cells if c["compressed"]]
        drop = [c["drop"] for c in cells]
        table.append([
            act, est, f"{len(passing)} / {len(cells)}",
            sum(c[sat_key] > tol for c in passing),
            sum(c["d_within_between"] < -tol for c in passing),
            _r(drop, [c[sat_key] for c in cells], [c["key"] for c in cells]),
            _r(drop, [-c["d_within_between"] for c in cells], [c["key"] for c in cells]),
        ])
    return markdown_table(
        ["activation", "estimator", "layers compressing", "of which saturating more",
         "of which clustering more", "r(drop, saturation rise)", "r(drop, clustering gain)"],
        table)


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


def _distinct(rows, *keys) -> list[dict]:
    """Rows of a network shared by two factors (d6 = w6) counted once: unique by the run's
    config key (which includes dataset, seed and activation) and `keys`."""
    seen: dict = {}
    for row in rows:
        seen.setdefault((row["key"], *(row[k] for k in keys)), row)
    return list(seen.values())


def gap_table(rows, estimators) -> str:
    """Per estimator (and activation, then all runs): Pearson r of the largest hidden-layer drop
    with the final accuracy gap and with the final loss gap, with a 95% interval resampling
    configurations (their seeds are not independent) and n runs (a network in two factors
    counts once)."""
    table = []
    rows = _distinct(rows)
    for est in estimators:
        for act in [*dict.fromkeys(r["activation"] for r in rows), "all"]:
            sel = [r for r in rows if act in ("all", r["activation"])]
            x = [r[est] for r in sel]
            groups = [r["config"] for r in sel]
            table.append([est, act, _r(x, [r["gap_acc"] for r in sel], groups),
                          _r(x, [r["gap_loss"] for r in sel], groups)])
    return markdown_table(["estimator", "activation", "r(largest drop, train - test acc)",
                           "r(largest drop, test - train loss)"], table)


def summary_table(cells, gaps, *, gap_estimator: str) -> str:
    """The verdict's columns beyond the paper, per factor and activation: which estimators
    show a compression phase (layers compressing after a fitting phase / hidden layers), how
    many compressing layers (any estimator) saturated or clustered more while compressing, and
    Pearson r of the largest drop under `gap_estimator` with the final accuracy gap."""
    table = []
    for (factor, act), rows in _groups(cells, ("factor", "activation")).items():
        sat_key = "d_inactive" if act == "relu" else "d_saturated"
        phases = [f"{est}: {sum(c['phase'] for c in rs)}/{len(rs)}"
                  for (est,), rs in _groups(rows, ("estimator",)).items()
                  if any(c["phase"] for c in rs)]
        passing = [c for c in rows if c["compressed"]]
        runs = [g for g in gaps if g["factor"] == factor and g["activation"] == act]
        table.append([
            factor, act, "; ".join(phases) or "none",
            f"{sum(c[sat_key] > GEOMETRY_TOL for c in passing)} / {len(passing)}",
            f"{sum(c['d_within_between'] < -GEOMETRY_TOL for c in passing)} / {len(passing)}",
            _r([g[gap_estimator] for g in runs], [g["gap_acc"] for g in runs],
               [g["config"] for g in runs]),
        ])
    return markdown_table(
        ["factor", "activation", "compression phase (layers / hidden layers)",
         "compressing cells (layer x estimator) saturating more",
         "compressing cells clustering more", f"r(largest drop, acc gap), {gap_estimator}"],
        table)


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


def ceiling_table(results, estimators, *, split: str = "test", tol: float = SATURATION_TOL) -> str:
    """`ceiling_counts` as a markdown table."""
    table = [[c["activation"], c["estimator"], f"log2 {round(2 ** c['ceiling'])}", c["points"],
              f"{c['at']} ({100 * c['at'] / c['points']:.1f}%)"]
             for c in ceiling_counts(results, estimators, split=split, tol=tol)]
    return markdown_table(["activation", "estimator", "ceiling", "hidden-layer points",
                           "at the ceiling"], table)


EARLY_PEAK_EPOCH = 2  # a drop whose peak is at or before this epoch is drift from initialisation
def _interval(c: dict) -> str:
    if not np.isfinite(c["r"]):
        return "n/a"
    if not np.isfinite(c["lo"]):
        return f"{c['r']:.2f} (no interval)"
    return f"{c['r']:.2f} [{c['lo']:.2f}, {c['hi']:.2f}]"


def _zero(c: dict) -> str:
    if not np.isfinite(c["lo"]):
        return "has no interval"
    return "includes 0" if c["lo"] <= 0 <= c["hi"] else "excludes 0"


def _cell_name(c: dict) -> str:
    return f"{c['layer']} of {c['variant']} ({c['activation']}, {c['dataset']})"


def facts(results, cells, gaps, estimators, *, split: str = "test", activations=None,
          tol: float = GEOMETRY_TOL) -> dict[str, str]:
    """The numbers a chapter's text quotes, by name, formatted as the text shows them. A page
    pastes them (`myst_nb.glue`, role ``{glue:text}``) instead of copying them, so its text
    cannot drift from its tables when runs are added. Networks in two factors count once.

    Per activation ``{act}_...``: runs (distinct runs), configs, layers (distinct hidden
    layers); for each estimator with a ceiling ``ceiling_{est}`` (percent of ``points`` hidden
    points at it); per estimator ``{est}_passing`` (layers passing the compression test),
    ``{est}_early`` (of those, peaking by epoch `EARLY_PEAK_EPOCH` without a fitting phase:
    drift from the initialisation), ``{est}_late`` (the others, named), ``{est}_phase`` /
    ``{est}_phase_layers`` (after a fitting phase, named), ``{est}_largest_drop``,
    ``{est}_saturating`` / ``{est}_clustering`` (passing layers whose saturation rose / class
    clustering tightened by more than `tol`), ``{est}_r_saturation`` / ``{est}_r_clustering``
    (r over all hidden layers with a 95% interval resampling configurations).

    Gap, for each activation and ``all``: ``gap_{act}_runs``, ``gap_{act}_configs``,
    ``gap_{act}_{est}_acc`` / ``_loss`` (r of each run's largest drop with its final accuracy
    / loss gap) and ``gap_{act}_{est}_acc_zero`` ("includes 0", "excludes 0" or "has no
    interval"); per factor and activation ``gap_{factor}_{act}_{est}_acc``; per configuration
    ``gap_{act}_{dataset}_{variant}_acc_gap`` and ``..._{est}_drop`` (means over its seeds).

    `activations`: those to name (default: those of `results`); one without runs gets zero
    counts and "n/a", so a page that quotes it still builds."""
    out: dict[str, str] = {}
    runs = list({r.config.key(): r for r in results}.values())
    cells = _distinct(cells, "layer", "estimator")
    counts = ceiling_counts(runs, estimators, split=split)
    acts = list(activations or dict.fromkeys(activation_of(r) for r in runs))
    with_ceiling = list(dict.fromkeys(c["estimator"] for c in counts))
    for act in acts:
        mine = [c for c in cells if c["activation"] == act]
        out[f"{act}_points"] = "0"
        for est in with_ceiling:
            out[f"{act}_ceiling_{short_name(est)}"] = "n/a"
        out[f"{act}_runs"] = str(sum(activation_of(r) == act for r in runs))
        out[f"{act}_configs"] = str(len({c["key"] for c in mine}))
        out[f"{act}_layers"] = str(len({(c["key"], c["layer"]) for c in mine}))
        for c in counts:
            if c["activation"] == act:
                out[f"{act}_points"] = f"{c['points']:,}"
                out[f"{act}_ceiling_{short_name(c['estimator'])}"] = \
                    f"{100 * c['at'] / c['points']:.1f}%"
        sat_key = "d_inactive" if act == "relu" else "d_saturated"
        for est in estimators:
            k = f"{act}_{short_name(est)}"
            sel = [c for c in mine if c["estimator"] == est]
            passing = [c for c in sel if c["compressed"]]
            late = [c for c in passing if c["peak_epoch"] > EARLY_PEAK_EPOCH or c["phase"]]
            phase = [c for c in passing if c["phase"]]
            out[f"{k}_passing"] = str(len(passing))
            out[f"{k}_early"] = str(len(passing) - len(late))
            out[f"{k}_late"] = "; ".join(
                f"{_cell_name(c)}, peak at epoch {c['peak_epoch']} after a rise of "
                f"{c['rise']:.3f}" for c in late) or "none"
            out[f"{k}_phase"] = str(len(phase))
            out[f"{k}_phase_layers"] = "; ".join(
                f"{_cell_name(c)}: a rise of {c['rise']:.2f} to a peak at epoch "
                f"{c['peak_epoch']}, then a drop of {c['drop']:.2f}" for c in phase) or "none"
            out[f"{k}_largest_drop"] = f"{max((c['drop'] for c in passing), default=0.0):.2f}"
            out[f"{k}_saturating"] = str(sum(c[sat_key] > tol for c in passing))
            out[f"{k}_clustering"] = str(sum(c["d_within_between"] < -tol for c in passing))
            groups = [c["key"] for c in sel]
            drop = [c["drop"] for c in sel]
            out[f"{k}_r_saturation"] = _interval(
                cluster_bootstrap_ci(drop, [c[sat_key] for c in sel], groups))
            out[f"{k}_r_clustering"] = _interval(
                cluster_bootstrap_ci(drop, [-c["d_within_between"] for c in sel], groups))
    factors = list(dict.fromkeys(g["factor"] for g in gaps))
    for factor in factors:  # per factor (a network in two factors in each), each activation
        for act in acts:
            sel = _distinct([g for g in gaps
                             if g["factor"] == factor and g["activation"] == act])
            for est in estimators:
                c = cluster_bootstrap_ci([g[est] for g in sel], [g["gap_acc"] for g in sel],
                                         [g["config"] for g in sel])
                out[f"gap_{factor}_{act}_{short_name(est)}_acc"] = _interval(c)
    gaps = _distinct(gaps)
    by_config = defaultdict(list)
    for g in gaps:
        by_config[g["config"]].append(g)
    for mine in by_config.values():  # per configuration, means over its seeds
        g0 = mine[0]
        k = f"gap_{g0['activation']}_{g0['dataset']}_{glue_key(g0['variant'])}"
        out[f"{k}_acc_gap"] = f"{np.mean([g['gap_acc'] for g in mine]):.3f}"
        for est in estimators:
            out[f"{k}_{short_name(est)}_drop"] = f"{np.mean([g[est] for g in mine]):.2f}"
    for act in [*acts, "all"]:
        sel = [g for g in gaps if act in ("all", g["activation"])]
        out[f"gap_{act}_runs"] = str(len(sel))
        out[f"gap_{act}_configs"] = str(len({g["config"] for g in sel}))
        for est in estimators:
            k = f"gap_{act}_{short_name(est)}"
            x, groups = [g[est] for g in sel], [g["config"] for g in sel]
            acc = cluster_bootstrap_ci(x, [g["gap_acc"] for g in sel], groups)
            out[f"{k}_acc"] = _interval(acc)
            out[f"{k}_acc_zero"] = _zero(acc)
            out[f"{k}_loss"] = _interval(
                cluster_bootstrap_ci(x, [g["gap_loss"] for g in sel], groups))
    return out
