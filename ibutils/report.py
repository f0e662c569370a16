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
