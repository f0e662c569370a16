"""Tables and summary numbers for the book: grouping runs, saturation counts, final metrics.

Functions return plain strings (Markdown tables) or dicts; notebooks display them.
"""
from __future__ import annotations

from collections import defaultdict

import numpy as np

from .mi import SATURATION_TOL


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
    runs = runs if isinstance(runs, (list, tuple)) else [runs]
    epochs = sorted(set.intersection(*(set(r.epochs().tolist()) for r in runs)))
    curves = np.array([r.mi(split, estimator, layer, ixt_key(estimator))[np.isin(r.epochs(), epochs)]
                       for r in runs])
    mean = curves.mean(0)
    k = int(np.argmax(mean))
    drop = float(mean[k] - mean[-1])
    spread = float(curves[:, -1].max() - curves[:, -1].min())
    return {"peak_epoch": int(epochs[k]), "peak": float(mean[k]), "final": float(mean[-1]),
            "drop": drop, "rise": float(mean[k] - mean[0]), "spread": spread,
            "compressed": bool(drop > max(spread, MIN_DROP_BITS))}


def compression_table(groups: dict, estimators, *, split: str = "test") -> str:
    """Markdown table of the `compression` test: one row per (configuration, estimator).

    `groups` maps a label to the seed runs of one configuration (`by_config`). Cells give
    the drop of I(X;T) after its peak (bits) and, in brackets, the epoch of the peak; a star
    marks a drop that passes the test.
    """
    first = next(iter(groups.values()))
    layers = (first[0] if isinstance(first, (list, tuple)) else first).layers
    rows = []
    for label, runs in groups.items():
        for est in estimators:
            cells = []
            for layer in layers:
                c = compression(runs, layer, split=split, estimator=est)
                cells.append(f"{c['drop']:.2f}{'*' if c['compressed'] else ''} "
                             f"({c['peak_epoch']})")
            rows.append([label, est, *cells])
    return markdown_table(["configuration", "estimator", *layers], rows)


def fitting_table(results, estimator: str = "binning_bin_width0.67", split: str = "test",
                  level: float = 0.95) -> str:
    """Per configuration (mean over seeds): final accuracy, final softmax I(T;Y), the first
    snapshot epoch reaching `level` of the final accuracy (how fast it fits), and the epoch
    of the lowest test loss (where overfitting starts)."""
    rows = []
    for runs in group(results, "label_config").values():
        first = runs[0]
        acc = np.mean([r.metric(split, "accuracy") for r in runs], axis=0)
        loss = np.mean([r.metric(split, "loss") for r in runs], axis=0)
        ity = np.mean([r.mi(split, estimator, "softmax", "i_ty") for r in runs], axis=0)
        epochs = first.epochs()
        fast = int(epochs[np.argmax(acc >= level * acc[-1])])
        rows.append([first.dataset, first.variant, len(runs), float(acc[-1]), float(ity[-1]),
                     fast, int(epochs[np.argmin(loss)]), float(loss[-1])])
    header = ["dataset", "variant", "seeds", f"final {split} acc", f"final {split} I(T;Y) softmax",
              f"epoch to {int(level * 100)}% of final acc", f"epoch of min {split} loss",
              f"final {split} loss"]
    return markdown_table(header, rows)
