"""Tables and summary numbers for the book: grouping runs, saturation counts, final metrics.

Functions return plain strings (Markdown tables) or dicts; notebooks display them.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace

import numpy as np

from .mi import SATURATION_TOL
from .data import DATASETS


def group(results, key: str) -> dict:
    """Runs grouped by an attribute ("dataset", "variant", "seed"), in first-seen order."""
    out = defaultdict(list)
    for r in results:
        out[getattr(r, key)].append(r)
    return dict(out)


def by_config(results) -> dict:
    """Seed runs grouped per configuration, labelled "dataset variant" (for the tables)."""
    return {f"{runs[0].dataset} {runs[0].variant}": runs
            for runs in group(results, "label_config").values()}


def markdown_table(header: list[str], rows: list[list]) -> str:
    """A Markdown table; floats with 3 decimals."""
    fmt = lambda v: f"{v:.3f}" if isinstance(v, float) else str(v)  # noqa: E731
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(fmt(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def summary_table(results, estimator: str = "binning_bin_width0.67") -> str:
    """Per run: horizon, snapshots, training time per epoch, final accuracies and output I(T;Y)."""
    rows = []
    for r in results:
        last = r.snapshots()[-1]
        epochs = max(r.payload["epochs_trained"], 1)
        rows.append([
            r.dataset, r.variant, r.seed, int(last["epoch"]), len(r.snapshots()),
            round(r.payload["train_seconds"] / epochs, 2),
            last["train"]["accuracy"], last["test"]["accuracy"],
            last["test"]["mi"][estimator]["softmax"]["i_ty"],
        ])
    header = ["dataset", "variant", "seed", "last epoch", "snapshots", "s/epoch (incl. MI)",
              "train acc", "test acc", "test I(T;Y) softmax [bits]"]
    return markdown_table(header, rows)


def saturation_counts(results, estimator: str = "binning_bin_width0.67",
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


def ixt_key(estimator: str) -> str:
    """The stored name of an estimator's I(X;T): KDE keeps bounds, and its upper one is used."""
    return "i_xt_upper" if estimator.startswith("kde") else "i_xt"


def ity_key(estimator: str) -> str:
    """The stored name of an estimator's I(T;Y) (for KDE, its upper bound)."""
    return "i_ty_upper" if estimator.startswith("kde") else "i_ty"


def _seed_curves(runs, layer: str, split: str, estimator: str) -> tuple[list[int], np.ndarray]:
    """The epochs common to the seed runs of one configuration, and each seed's I(X;T) (for
    KDE its upper bound) at them: an array of shape (seeds, epochs)."""
    runs = runs if isinstance(runs, (list, tuple)) else [runs]
    epochs = sorted(set.intersection(*(set(r.epochs().tolist()) for r in runs)))
    return epochs, np.array([r.mi(split, estimator, layer, ixt_key(estimator))
                             [np.isin(r.epochs(), epochs)] for r in runs])


def compression(runs, layer: str, *, split: str = "test",
                estimator: str = "binning_bin_width0.67") -> dict:
    """Per-layer compression test on the seeds of one configuration.

    Averages I(X;T) (for KDE its upper bound) over seeds on their common snapshots, finds the peak, and measures the
    drop from the peak to the last snapshot. The layer *compresses* when that drop exceeds
    both the spread across seeds at the last snapshot (max - min) and `MIN_DROP_BITS`.
    Returns ``{"peak_epoch", "peak", "final", "drop", "rise", "spread", "compressed"}`` (bits),
    where ``rise`` is peak minus the value at the first snapshot: a fall after a peak at
    epoch 0 (rise 0) is a decrease from initialisation, not a fitting phase followed by
    compression, and tables show the peak epoch so a reader can tell the two apart.
    """
    epochs, curves = _seed_curves(runs, layer, split, estimator)
    mean = curves.mean(0)
    k = int(np.argmax(mean))
    drop = float(mean[k] - mean[-1])
    spread = float(curves[:, -1].max() - curves[:, -1].min())
    return {"peak_epoch": int(epochs[k]), "peak": float(mean[k]), "final": float(mean[-1]),
            "drop": drop, "rise": float(mean[k] - mean[0]), "spread": spread,
            "compressed": bool(drop > max(spread, MIN_DROP_BITS))}


def dip(runs, layer: str, *, split: str = "test",
        estimator: str = "binning_bin_width0.67") -> dict:
    """The lowest point of a layer's seed-mean I(X;T) curve, against its first snapshot.

    Returns ``{"first", "low", "low_epoch", "dip", "last", "change"}``: ``dip`` = first -
    low (>= 0), ``change`` = last - first. A dip that the curve climbs back out of is not
    compression (`compression` measures from the peak to the end); it is how most layers
    move under the Renyi estimator while the net fits.
    """
    epochs, curves = _seed_curves(runs, layer, split, estimator)
    mean = curves.mean(0)
    k = int(np.argmin(mean))
    return {"first": float(mean[0]), "low": float(mean[k]), "low_epoch": int(epochs[k]),
            "dip": float(mean[0] - mean[k]), "last": float(mean[-1]),
            "change": float(mean[-1] - mean[0])}


def _layer_order(name: str) -> tuple:
    """conv1 < conv2 < ... < dense1 < ...: the order of layers from input to output."""
    kind = name.rstrip("0123456789")
    return ({"conv": 0, "pool": 0, "dense": 1}.get(kind, 2), int(name[len(kind):] or 0))


def compression_table(groups: dict, estimators, *, split: str = "test") -> str:
    """Markdown table of the `compression` test: one row per (configuration, estimator).

    `groups` maps a label to the seed runs of one configuration (`by_config`). Cells give
    the drop of I(X;T) after its peak (bits) and, in brackets, the epoch of the peak; a star
    marks a drop that passes the test.
    """
    runs_of = {label: runs if isinstance(runs, (list, tuple)) else [runs]
               for label, runs in groups.items()}
    # union of the configurations' layers, hidden layers in depth order, the output last
    hidden = [la for runs in runs_of.values() for la in runs[0].layers if la != "softmax"]
    layers = sorted(dict.fromkeys(hidden), key=_layer_order) + ["softmax"]
    rows = []
    for label, runs in runs_of.items():
        for est in estimators:
            cells = []
            for layer in layers:
                if layer not in runs[0].layers:
                    cells.append("")
                    continue
                c = compression(runs, layer, split=split, estimator=est)
                cells.append(f"{c['drop']:.2f}{'*' if c['compressed'] else ''} "
                             f"({c['peak_epoch']})")
            rows.append([label, est, *cells])
    return markdown_table(["configuration", "estimator", *layers], rows)


def fitting_rows(results, estimator: str = "binning_bin_width0.67", split: str = "test",
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


def _with_range(value, per_seed, fmt: str) -> str:
    """``value`` formatted, followed by the seeds' [min, max] when there are several."""
    text = format(value, fmt)
    if len(per_seed) > 1:
        text += f" [{format(min(per_seed), fmt)}, {format(max(per_seed), fmt)}]"
    return text


def fitting_table(results, estimator: str = "binning_bin_width0.67", split: str = "test",
                  level: float = 0.95) -> str:
    """`fitting_rows` as a Markdown table; with several seeds, the final accuracy, I(T;Y) and
    epoch to `level` carry the [min, max] over the seeds' own curves."""
    rows = fitting_rows(results, estimator, split, level)
    header = ["dataset", "variant", "seeds", f"final {split} acc", f"final {split} I(T;Y) softmax",
              f"epoch to {int(level * 100)}% of final acc", f"epoch of min {split} loss",
              f"final {split} loss", "train - test acc"]
    body = [[r["dataset"], r["variant"], r["seeds"],
             _with_range(r["acc"], r["per_seed"]["acc"], ".3f"),
             _with_range(r["ity"], r["per_seed"]["ity"], ".3f"),
             _with_range(r["fast"], r["per_seed"]["fast"], "d"),
             r["min_loss_epoch"], r["loss"], r["gap"]] for r in rows]
    return markdown_table(header, body) + (
        "\n\nMeans over the seeds (epochs on the seed-mean curve); in brackets the lowest and "
        "highest of the seeds' own values, where a configuration has several.")


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
                    row["largest_where"] = f"{layer} of {runs[0].variant} on {runs[0].dataset}"
            row["seeded_pass"] += len(seeded)
            if seeded:
                row["seeded_where"].append(
                    f"{', '.join(seeded)} of {runs[0].variant} on {runs[0].dataset}")
        out.append(row)
    return out


def snr_table(results) -> str:
    """Per configuration and layer: the gradient signal-to-noise ratio (norm of the mean over
    norm of the std across mini-batches, `RunResult.gradients`) at the first and last
    snapshots, and the first snapshot epoch at which it falls below 1 (Shwartz-Ziv & Tishby's
    drift-to-diffusion transition; "-" if it never does). Means over seeds."""
    rows = []
    for label, runs in by_config(results).items():
        epochs = runs[0].epochs()
        for layer in runs[0].layers:
            snr = np.mean([r.gradients(layer, "snr") for r in runs], axis=0)
            below = np.flatnonzero(snr < 1)
            rows.append([label, layer, float(snr[0]), float(snr[-1]),
                         int(epochs[below[0]]) if len(below) else "-"])
    return markdown_table(["configuration", "layer", "SNR first", "SNR last",
                           "first epoch SNR < 1"], rows)


def compression_verdict(counts: dict) -> str:
    """The verdict on "no hidden layer compresses" from one `compression_counts` row."""
    if counts["hidden_pass"] == 0:
        return "held"
    if counts["hidden_pass"] == counts["hidden_from_init"]:
        return "held (only decreases without a fitting phase)"
    return "not held"


def trend(results, key: str, order, direction: str, *,
          estimator: str = "binning_bin_width0.67", split: str = "test") -> dict:
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


def format_trend(check: dict) -> str:
    """One `trend` result as text: values per dataset, and whether each is monotone."""
    return "; ".join(f"{d}: {', '.join(f'{v:.3g}' for v in c['values'])} "
                     f"({('yes, with ties' if c['ties'] else 'yes') if c['holds'] else 'no'})"
                     for d, c in check.items())


def claims_table(claims) -> str:
    """Markdown table of fitting claims: `claims` holds (factor, claim, `trend` result)."""
    rows = [[factor, claim, format_trend(check),
             "held" if all(c["holds"] for c in check.values()) else "not everywhere"]
            for factor, claim, check in claims]
    return markdown_table(["factor", "claim", "our runs (values per variant)", "verdict"], rows)


def _distinct_runs(study: dict) -> dict:
    """{(key, dataset, seed): run} over all factors: a configuration in two factors once."""
    return {(r.config.key(), r.dataset, r.seed): r
            for results in study.values() for r in results}


def saturation_table(study: dict, estimators, split: str = "test") -> str:
    """Per factor (study: factor -> runs) and binning estimator: hidden-layer points at log2 N."""
    rows = []
    for factor, results in study.items():
        counts = [saturation_counts(results, est, split) for est in estimators]
        rows.append([factor, counts[0]["points"], *[c["saturated"] for c in counts]])
    distinct = list(_distinct_runs(study).values())
    counts = [saturation_counts(distinct, est, split) for est in estimators]
    rows.append(["all (distinct runs)", counts[0]["points"], *[c["saturated"] for c in counts]])
    for row in rows:
        row[2:] = [f"{v} ({100 * v / row[1]:.1f}%)" for v in row[2:]]
    return markdown_table(["factor", "hidden points", *[f"at log2 N: {e}" for e in estimators]],
                          rows)


def compression_verdict_table(study: dict, estimators, split: str = "test") -> str:
    """Per factor, one column per estimator: verdict on "no hidden layer compresses" and the
    count of passing (configuration, layer) cells, and how many of them peak at initialisation."""
    rows = []
    for factor, results in study.items():
        rows.append([factor] + [f"{compression_verdict(c)} ({c['hidden_pass']}/"
                                f"{c['hidden_cells']} pass; {c['hidden_from_init']} of them "
                                f"without a fitting phase)"
                                for c in compression_counts(results, estimators, split=split)])
    return markdown_table(["factor", *estimators], rows)


def compression_counts_table(study: dict, estimators, split: str = "test") -> str:
    """`compression_counts` of every factor and estimator, hidden layers and outputs apart."""
    rows = [[factor, c["estimator"], f"{c['hidden_pass']} / {c['hidden_cells']}",
             c["hidden_from_init"], c["largest_hidden"],
             f"{c['output_pass']} / {c['output_cells']}", c["output_from_init"]]
            for factor, results in study.items()
            for c in compression_counts(results, estimators, split=split)]
    return markdown_table(["factor", "estimator", "hidden layers passing",
                           "of which without a fitting phase", "largest hidden drop",
                           "outputs passing", "of which without a fitting phase"], rows)


def overfitting_table(study: dict, split: str = "test") -> str:
    """Per configuration: the epoch of the lowest `split` loss and the final accuracy gap."""
    rows = [[factor, r["dataset"], r["variant"], r["min_loss_epoch"], r["gap"]]
            for factor, results in study.items() for r in fitting_rows(results, split=split)]
    return markdown_table(["factor", "dataset", "variant", f"epoch of min {split} loss",
                           f"train - {split} acc (final)"], rows)


Z_95 = 1.959963984540054  # two-sided 95% quantile of the standard normal


def pearson_ci(x, y) -> dict:
    """Pearson correlation of paired values with a 95% interval (Fisher's z transform).

    Returns ``{"n", "r", "lo", "hi"}``; the interval is tanh(atanh(r) -+ 1.96 / sqrt(n - 3)),
    so it needs n >= 4 (else lo and hi are NaN). Constant inputs give r = NaN. Pairs with a
    NaN or infinite member are left out, and ``n`` counts only the pairs used (a geometry
    measure is undefined, NaN, for a layer whose every unit is 0: a dead ReLU layer).
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"x, y: expected two 1-D arrays of one length, got {x.shape} and "
                         f"{y.shape}")
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], y[keep]
    n = len(x)
    if n < 2 or x.std() == 0 or y.std() == 0:
        return {"n": n, "r": float("nan"), "lo": float("nan"), "hi": float("nan")}
    r = float(np.corrcoef(x, y)[0, 1])
    if n < 4:
        return {"n": n, "r": r, "lo": float("nan"), "hi": float("nan")}
    z, half = np.arctanh(np.clip(r, -0.999999, 0.999999)), Z_95 / np.sqrt(n - 3)
    return {"n": n, "r": r, "lo": float(np.tanh(z - half)), "hi": float(np.tanh(z + half))}


MAX_DEGENERATE = 0.10  # largest share of bootstrap samples without an r that still gives an interval


def cluster_bootstrap_ci(x, y, groups, *, n_boot: int = 2000, seed: int = 0) -> dict:
    """Pearson correlation with a 95% interval that resamples whole groups (e.g. the seeds
    and layers of one configuration), not single pairs.

    Pairs in one group are not independent, so `pearson_ci`'s interval, which counts every
    pair as a new observation, is too narrow for them. This is the percentile interval of r
    over `n_boot` bootstrap samples, each drawing as many groups as there are, with
    replacement, and keeping every pair of a drawn group (the cluster bootstrap; Davison &
    Hinkley 1997, sec. 3.8). Pairs with a non-finite member are left out first. Returns
    ``{"n", "groups", "r", "lo", "hi", "degenerate"}``. The interval is NaN with fewer than 4
    groups, or when more than `MAX_DEGENERATE` of the samples have a constant x or y
    (``degenerate``: their fraction): then only a few groups carry all the variation, and
    the samples that have r at all are a biased subset. Seeded: the same input gives the
    same interval.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    groups = np.asarray(groups)
    if not (x.shape == y.shape == groups.shape) or x.ndim != 1:
        raise ValueError(f"x, y, groups: expected three 1-D arrays of one length, got "
                         f"{x.shape}, {y.shape} and {groups.shape}")
    keep = np.isfinite(x) & np.isfinite(y)
    x, y, groups = x[keep], y[keep], groups[keep]
    labels, index = np.unique(groups, return_inverse=True)
    point = pearson_ci(x, y)
    out = {"n": len(x), "groups": len(labels), "r": point["r"], "lo": float("nan"),
           "hi": float("nan"), "degenerate": float("nan")}
    if len(labels) < 4 or not np.isfinite(point["r"]):
        return out
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(labels), size=(n_boot, len(labels)))
    counts = np.zeros((n_boot, len(labels)))
    np.add.at(counts, (np.arange(n_boot)[:, None], draws), 1)
    w = counts[:, index]  # weight of every pair in every sample: how often its group was drawn
    total = w.sum(1, keepdims=True)
    dx = x - (w @ x)[:, None] / total
    dy = y - (w @ y)[:, None] / total
    sxy, sxx, syy = (w * dx * dy).sum(1), (w * dx * dx).sum(1), (w * dy * dy).sum(1)
    ok = (sxx > 1e-12 * np.sum((x - x.mean()) ** 2)) & (syy > 1e-12 * np.sum((y - y.mean()) ** 2))
    out["degenerate"] = float(1 - ok.mean())
    if out["degenerate"] > MAX_DEGENERATE:
        return out
    r = sxy[ok] / np.sqrt(sxx[ok] * syy[ok])
    lo, hi = np.percentile(r, [2.5, 97.5])
    out.update(lo=float(lo), hi=float(hi))
    return out


SHORT_NAMES = (("binning_bin_width", "paper_bins"), ("binning_n_bins", "range_bins"),
               ("binning_equal_mass", "adaptive_bins"), ("kde", "kde"), ("renyi", "renyi"))


def glue_key(name: str) -> str:
    """A part of a glue key (`ibutils.chapter.glue`): runs of non-alphanumerics as one
    underscore ("2conv-k3" -> "2conv_k3")."""
    return re.sub(r"[^0-9a-zA-Z]+", "_", name)


def short_name(estimator: str) -> str:
    """A short key for an estimator id in the chapters' facts: paper_bins, range_bins,
    adaptive_bins, kde, renyi (else `glue_key` of the id)."""
    for prefix, name in SHORT_NAMES:
        if estimator.startswith(prefix):
            return name
    return glue_key(estimator)


def _saturation_facts(results, estimators, split: str) -> dict:
    """``sat_points`` and, per binning estimator, ``sat_{est}`` / ``sat_{est}_pct``: hidden
    points at log2 N (`saturation_counts`)."""
    out = {}
    for est in estimators:
        c = saturation_counts(results, est, split)
        out["sat_points"] = f"{c['points']:,}"
        out[f"sat_{short_name(est)}"] = f"{c['saturated']:,}"
        out[f"sat_{short_name(est)}_pct"] = f"{100 * c['fraction']:.1f}%"
    return out


def _compression_facts(rows) -> dict:
    """Per estimator, its `compression_counts` rows summed (one per factor in the verdict):
    ``{est}_cells``, ``_pass``, ``_from_init``, ``_largest``, ``_largest_where``, ``_outputs``,
    ``_outputs_pass``, ``_seeded_cells``, ``_seeded_pass`` and ``_seeded_where`` (the
    passing cells of configurations with several seeds, "; "-separated, or "none")."""
    out = {}
    for est in dict.fromkeys(r["estimator"] for r in rows):
        mine = [r for r in rows if r["estimator"] == est]
        top = max(mine, key=lambda r: r["largest_hidden"])
        k = short_name(est)
        out.update({f"{k}_cells": str(sum(r["hidden_cells"] for r in mine)),
                    f"{k}_pass": str(sum(r["hidden_pass"] for r in mine)),
                    f"{k}_from_init": str(sum(r["hidden_from_init"] for r in mine)),
                    f"{k}_largest": f"{top['largest_hidden']:.2f}",
                    f"{k}_largest_where": top["largest_where"] or "none",
                    f"{k}_outputs": str(sum(r["output_cells"] for r in mine)),
                    f"{k}_outputs_pass": str(sum(r["output_pass"] for r in mine)),
                    f"{k}_seeded_cells": str(sum(r["seeded_cells"] for r in mine)),
                    f"{k}_seeded_pass": str(sum(r["seeded_pass"] for r in mine)),
                    f"{k}_seeded_where": "; ".join(w for r in mine for w in r["seeded_where"])
                    or "none"})
    return out


def _span(values) -> str:
    """Integers as their range, "a-b", or as the one value when they are all equal."""
    lo, hi = min(values), max(values)
    return f"{lo}-{hi}" if lo != hi else str(lo)


def _dip_facts(results, estimators, split: str) -> dict:
    """Per estimator, over the hidden layers of every configuration (`dip`, seed means):
    ``{est}_dip`` (the largest dip below the first snapshot) and ``{est}_dip_where`` (its
    layer, variant, dataset and epoch, or "none" if it shows as 0.00); ``{est}_dip_epochs``
    (the epochs, "a-b", at which the layers dipping by more than `MIN_DROP_BITS` are lowest,
    or "none");
    ``{est}_end_change`` (the largest distance of a last snapshot from the first)."""
    out = {}
    configs = by_config(results)
    for est in estimators:
        cells = [(runs[0], layer, dip(runs, layer, split=split, estimator=est))
                 for runs in configs.values() if runs[0].has_estimator(est, split)
                 for layer in runs[0].layers if layer != "softmax"]
        if not cells:
            continue
        run, layer, top = max(cells, key=lambda cell: cell[2]["dip"])
        deep = [d["low_epoch"] for _, _, d in cells if d["dip"] > MIN_DROP_BITS]
        k, size = short_name(est), f"{top['dip']:.2f}"
        out.update({f"{k}_dip": size,
                    f"{k}_dip_where": f"{layer} of {run.variant} on {run.dataset}, epoch "
                                      f"{top['low_epoch']}" if size != "0.00" else "none",
                    f"{k}_dip_epochs": _span(deep) if deep else "none",
                    f"{k}_end_change": f"{max(abs(d['change']) for _, _, d in cells):.2f}"})
    return out


def verdict_facts(study: dict, estimators, split: str = "test", rise: float = 0.10) -> dict:
    """The numbers the verdict's text quotes, by name, formatted as it shows them (pasted with
    `ibutils.chapter.glue`, so the text cannot drift from its tables). `estimators`: the
    paper's bins first, then bins by count, then any others.

    ``sat_points`` (hidden-layer points of the distinct runs) and, per estimator short name
    (`short_name`) among the first two, ``sat_{est}`` / ``sat_{est}_pct`` (points at log2 N);
    per estimator, summed over factors (a configuration in two factors in each):
    ``{est}_cells``, ``{est}_pass``, ``{est}_from_init`` (passing without a fitting phase),
    ``{est}_largest`` and ``{est}_largest_where`` (`_compression_facts`); per dataset,
    ``overfit_{dataset}`` ("k of n": configurations ending with a loss more than `rise` above
    their minimum)."""
    out = _saturation_facts(list(_distinct_runs(study).values()), estimators[:2], split)
    out.update(_compression_facts([row for results in study.values()
                                   for row in compression_counts(
                                       results, list(dict.fromkeys(estimators)), split=split)]))
    out.update({f"overfit_{dataset}": "n/a" for dataset in DATASETS})  # a page on one dataset
    for dataset, rows in _overfitting(study, split, rise).items():
        out[f"overfit_{dataset}"] = f"{sum(over for over, _ in rows)} of {len(rows)}"
    return out


def chapter_facts(results, estimators, split: str = "test") -> dict:
    """The numbers a factor chapter's text quotes, by name, formatted as it shows them
    (pasted with `ibutils.chapter.glue`). `estimators`: the paper's bins, bins by count,
    Renyi (as the chapter's).

    ``runs``; per dataset and variant (``{dataset}_{variant}_...``, non-alphanumerics as
    underscores), and per dataset over the variants in order (``{dataset}_...``, comma
    separated): ``acc``, ``ity`` (final seed-mean test accuracy and softmax I(T;Y) under the
    paper's bins), ``fast`` (epoch to 95% of the final accuracy), ``min_loss`` (epoch of the
    lowest loss), ``loss`` (final loss), ``gap`` (final train - test accuracy), and per
    variant ``fast_range`` (the seeds' own epochs to 95%, "a-b"); ``acc_spread`` /
    ``ity_spread``: the largest range of a configuration's seeds; ``sat_points``,
    ``sat_{est}``, ``sat_{est}_pct`` for both binnings;
    per estimator the keys of `_compression_facts` and of `_dip_facts`."""
    out = {"runs": str(len(results))}
    rows = fitting_rows(results, estimators[0], split)
    spread = {"acc": 0.0, "ity": 0.0}
    for dataset in dict.fromkeys(r["dataset"] for r in rows):
        mine = [r for r in rows if r["dataset"] == dataset]
        for name, fmt in (("acc", ".3f"), ("ity", ".2f"), ("fast", "d"),
                          ("min_loss_epoch", "d"), ("loss", ".3f"), ("gap", ".3f")):
            short = "min_loss" if name == "min_loss_epoch" else name
            out[f"{dataset}_{short}"] = ", ".join(format(r[name], fmt) for r in mine)
            for r in mine:
                out[f"{dataset}_{glue_key(r['variant'])}_{short}"] = format(r[name], fmt)
        for r in mine:
            fast = r["per_seed"]["fast"]
            out[f"{dataset}_{glue_key(r['variant'])}_fast_range"] = _span(fast)
            for q in spread:
                spread[q] = max(spread[q], max(r["per_seed"][q]) - min(r["per_seed"][q]))
    out["acc_spread"], out["ity_spread"] = f"{spread['acc']:.3f}", f"{spread['ity']:.2f}"
    out.update(_saturation_facts(results, estimators[:2], split))
    out.update(_compression_facts(compression_counts(results, list(dict.fromkeys(estimators)),
                                                     split=split)))
    out.update(_dip_facts(results, list(dict.fromkeys(estimators)), split))
    return out


def _overfitting(study: dict, split: str, rise: float) -> dict:
    """{dataset: [(overfits, epoch of the minimum), ...]} per configuration (seeds averaged; a
    configuration in two factors once): overfits when its final `split` loss is more than
    `rise` (relative) above its minimum."""
    configs: dict = defaultdict(list)
    for r in _distinct_runs(study).values():  # its seeds are one configuration
        configs[(replace(r.config, seed=0).key(), r.dataset)].append(r)
    out: dict = defaultdict(list)
    for runs in configs.values():
        loss = np.mean([r.metric(split, "loss") for r in runs], axis=0)
        k = int(np.argmin(loss))
        out[runs[0].dataset].append((bool(loss[-1] > (1 + rise) * loss[k]),
                                     int(runs[0].epochs()[k])))
    return dict(out)


def overfitting_summary(study: dict, split: str = "test", rise: float = 0.10) -> str:
    """Per dataset: how many configurations overfit, i.e. end with a `split` loss more than
    `rise` (relative) above its minimum, and the median epoch of that minimum."""
    parts = []
    for dataset, rows in _overfitting(study, split, rise).items():
        n_over = sum(over for over, _ in rows)
        parts.append(f"{dataset}: {n_over} of {len(rows)} configurations end with a {split} "
                     f"loss more than {100 * rise:.0f}% above its minimum (median epoch of the "
                     f"minimum: {int(np.median([e for _, e in rows]))})")
    return "; ".join(parts) + "."


def reproduction_rows(results, estimator: str = "binning_bin_width0.67", split: str = "test",
                      reported: dict | None = None) -> list[dict]:
    """Per run: the quantities ../shared/PAPER.md reads from Li & Liu's released files, ours.

    Keys: dataset, variant, seed, last_epoch; points (hidden-layer snapshot points), at_log2n
    and at_hy (how many sit within `SATURATION_TOL` of log2 N in I(X;T) and of H(Y) in
    I(T;Y)); softmax_ixt_max (largest softmax I(X;T) over training); ity (final softmax
    I(T;Y)) beside paper_ity (`reported[(dataset, variant)]`, None where the paper gives no
    number); acc and train_acc (final); min_loss_epoch, min_loss and loss (final) of `split`.
    """
    reported = reported or {}
    rows = []
    for r in results:
        sat = saturation_counts([r], estimator, split)
        hy = r.h_y(split)
        at_hy = sum(int((r.mi(split, estimator, layer, "i_ty") >= hy - SATURATION_TOL).sum())
                    for layer in r.layers if layer != "softmax")
        loss = r.metric(split, "loss")
        k = int(np.argmin(loss))
        rows.append({
            "dataset": r.dataset, "variant": r.variant, "seed": r.seed,
            "last_epoch": int(r.epochs()[-1]), "points": sat["points"],
            "at_log2n": sat["saturated"], "at_hy": at_hy,
            "softmax_ixt_max": float(r.mi(split, estimator, "softmax", "i_xt").max()),
            "ity": float(r.mi(split, estimator, "softmax", "i_ty")[-1]),
            "paper_ity": reported.get((r.dataset, r.variant)),
            "acc": float(r.metric(split, "accuracy")[-1]),
            "train_acc": float(r.metric("train", "accuracy")[-1]),
            "min_loss_epoch": int(r.epochs()[k]), "min_loss": float(loss[k]),
            "loss": float(loss[-1])})
    return rows


def reproduction_table(rows: list[dict], split: str = "test") -> str:
    """`reproduction_rows` as a Markdown table, the paper's value beside ours."""
    header = ["dataset", "variant", "seed", "last epoch",
              "hidden points at log2 N (paper: all)", "hidden points at H(Y) (paper: all)",
              "max softmax I(X;T) (paper: near log2 11 = 3.46)",
              f"final {split} I(T;Y) softmax: ours", "paper's",
              f"final train / {split} acc", f"{split} loss: min (epoch) -> final"]
    body = [[r["dataset"], r["variant"], r["seed"], r["last_epoch"],
             f"{r['at_log2n']} of {r['points']}", f"{r['at_hy']} of {r['points']}",
             r["softmax_ixt_max"], r["ity"],
             "not reported" if r["paper_ity"] is None else f"about {r['paper_ity']:.1f}",
             f"{r['train_acc']:.3f} / {r['acc']:.3f}",
             f"{r['min_loss']:.3f} ({r['min_loss_epoch']}) -> {r['loss']:.3f}"] for r in rows]
    return markdown_table(header, body)


def _same_run_key(r) -> str:
    """A run's configuration with the snapshot schedule left out: the same net, data, seed
    and precision under two profiles train the same trajectory."""
    return replace(r.config, schedule="paper").key()


def agreement_rows(runs, others, estimators, *, split: str = "test") -> list[dict]:
    """The same configuration and seed stored under two profiles (e.g. `paper` and `book`),
    compared on the snapshot epochs both record.

    Per pair: the shared epochs (count and last) and the largest absolute differences of
    `split` accuracy and loss and, per estimator, of any layer's I(X;T) and I(T;Y) (bits).
    Runs without a partner in `others` are left out.
    """
    partners = {_same_run_key(o): o for o in others}
    rows = []
    for r in runs:
        o = partners.get(_same_run_key(r))
        if o is None:
            continue
        shared = np.intersect1d(r.epochs(), o.epochs())
        pick = lambda run, values: values[np.isin(run.epochs(), shared)]  # noqa: E731
        diff = lambda f: float(np.max(np.abs(pick(r, f(r)) - pick(o, f(o)))))  # noqa: E731
        row = {"dataset": r.dataset, "variant": r.variant, "seed": r.seed,
               "epochs": len(shared), "last": int(shared[-1]),
               "acc": diff(lambda run: run.metric(split, "accuracy")),
               "loss": diff(lambda run: run.metric(split, "loss"))}
        for est in estimators:
            for q in ("i_xt", "i_ty"):
                row[f"{est}:{q}"] = max(diff(lambda run, layer=layer: run.mi(split, est, layer, q))
                                        for layer in r.layers)
        rows.append(row)
    return rows


def agreement_table(rows: list[dict], estimators, split: str = "test") -> str:
    """`agreement_rows` as a Markdown table."""
    header = ["dataset", "variant", "seed", "shared snapshots (last epoch)", f"{split} acc",
              f"{split} loss", *[f"{q} {est}" for est in estimators for q in ("I(X;T)", "I(T;Y)")]]
    body = [[r["dataset"], r["variant"], r["seed"], f"{r['epochs']} ({r['last']})",
             *[f"{r[k]:.1e}" for k in ("acc", "loss", *[f"{est}:{q}" for est in estimators
                                                         for q in ("i_xt", "i_ty")])]]
            for r in rows]
    return markdown_table(header, body) + (
        "\n\nLargest absolute difference over the shared snapshots (for I(X;T) and I(T;Y): "
        "over every layer too; bits, or the Rényi estimator's units).")


def _curves(runs, quantity: tuple, split: str, epochs) -> np.ndarray:
    """(runs, snapshots) values of one quantity: ("metric", name) or ("mi", est, layer, q)."""
    out = []
    for r in runs:
        keep = np.isin(r.epochs(), epochs)
        vals = (r.metric(split, quantity[1]) if quantity[0] == "metric"
                else r.mi(split, *quantity[1:]))
        out.append(vals[keep])
    return np.array(out)


def precision_check(reference, candidate, estimators, *, split: str = "test") -> list[dict]:
    """Does `candidate` (e.g. a bf16 run) move a run less than changing its seed does?

    `reference` holds fp32 runs of at least 3 seeds, one of them with the candidate's seed
    (same initialisation and batch order). For each quantity (loss, accuracy, and I(X;T),
    I(T;Y) of every layer under each estimator), on the snapshots all runs share: the mean
    absolute distance between the candidate and the reference run of its seed, over the mean
    absolute distance between two reference seeds (averaged over all pairs). ``ratio <= 1``
    means the precision change moves the trajectory less than a new seed does. Returns one
    dict per quantity: ``quantity``, ``candidate`` (distance), ``seeds`` (mean pairwise seed
    distance), ``ratio``, ``within``.
    """
    reference = list(reference)
    if len(reference) < 3:
        raise ValueError(f"reference: got {len(reference)} runs, allowed at least 3 seeds")
    same = [r for r in reference if r.seed == candidate.seed]
    if not same:
        raise ValueError(f"reference: no run of the candidate's seed {candidate.seed}, allowed "
                         f"seeds {sorted(r.seed for r in reference)}")
    runs = [*reference, candidate]
    epochs = sorted(set.intersection(*(set(r.epochs().tolist()) for r in runs)))
    quantities = [("metric", "loss"), ("metric", "accuracy")]
    quantities += [("mi", est, layer, q) for est in estimators for layer in candidate.layers
                   for q in (ixt_key(est), ity_key(est))]
    pairs = [(i, j) for i in range(len(reference)) for j in range(i + 1, len(reference))]
    k = reference.index(same[0])
    rows = []
    for q in quantities:
        ref = _curves(reference, q, split, epochs)
        cand = _curves([candidate], q, split, epochs)[0]
        seeds = float(np.mean([np.abs(ref[i] - ref[j]).mean() for i, j in pairs]))
        dist = float(np.abs(cand - ref[k]).mean())
        ratio = dist / seeds if seeds > 0 else (0.0 if dist == 0 else float("inf"))
        rows.append({"quantity": " ".join(q[1:]), "candidate": dist, "seeds": seeds,
                     "ratio": ratio, "within": ratio <= 1.0})
    return rows


def precision_table(rows, *, top: int = 8) -> str:
    """`precision_check` as Markdown: how many quantities lie within the seed spread, then the
    `top` quantities with the largest ratio."""
    worst = sorted(rows, key=lambda r: -r["ratio"])[:top]
    head = (f"{sum(r['within'] for r in rows)} of {len(rows)} quantities within the spread of "
            f"the reference seeds.\n\n")
    return head + markdown_table(
        ["quantity", "distance from fp32, same seed", "distance between fp32 seeds", "ratio"],
        [[r["quantity"], r["candidate"], r["seeds"], r["ratio"]] for r in worst])
