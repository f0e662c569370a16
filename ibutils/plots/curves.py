"""Curves against epoch: one quantity of every layer, one layer per variant, loss and accuracy,
gradients and weight norms, geometry, precision; and their grids."""
from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np

from ..analysis.mechanisms import activation_of, geometry_id
from ..analysis.runs import group
from ..architecture import N_CLASSES
from ..config import PAPER_ID, ixt_key
from ..labels import estimator_label, network_label
from ..mi import softmax_alphabet_cap
from .style import (
    QUANTITY_LABELS,
    as_list,
    grid,
    layer_color,
    seed_stack,
    variant_color,
)


def mi_curves(results, quantity: str = "i_xt", *, split: str = "test",
              estimator: str = PAPER_ID, layers: Sequence[str] | None = None,
              ax=None, title: str | None = None):
    """One MI quantity of every layer against epoch (log axis); seeds as mean and min-max band.

    `results` is one run or the seeds of one configuration.
    """
    ax = ax or plt.gca()
    results = as_list(results)
    first = results[0]
    if layers is None:  # the layers this estimator records (noisy-network MI: hidden only)
        layers = [la for la in first.layers if _records(first, split, estimator, la)]
    for layer in layers:
        epochs, vals = seed_stack(results,
                                   lambda r, la=layer: r.mi(split, estimator, la, quantity))
        color = layer_color(first.layers.index(layer), len(first.layers))
        ax.plot(epochs, vals.mean(0), color=color, label=layer, lw=1.4)
        if len(results) > 1:
            ax.fill_between(epochs, vals.min(0), vals.max(0), color=color, alpha=0.2, lw=0)
    if quantity.startswith("i_ty"):
        ax.axhline(first.h_y(split), ls=":", color="0.4", lw=1)
    elif estimator.startswith("binning"):
        ax.axhline(np.log2(first.n[split]), ls=":", color="0.4", lw=1)
    elif estimator.startswith("noisy"):  # X uniform over its n_samples inputs
        n = re.search(r"n_samples(\d+)", estimator)
        ax.axhline(np.log2(min(int(n.group(1)), first.n[split]) if n else first.n[split]),
                   ls=":", color="0.4", lw=1)
    ax.set_xscale("symlog", linthresh=1)
    ax.set_xlim(0, None)
    ax.set_xlabel("epoch")
    ax.set_ylabel(QUANTITY_LABELS.get(quantity, quantity) + " [bits]")
    ax.set_title(title if title is not None else first.variant or first.label)
    return ax


def _records(run, split: str, estimator: str, layer: str) -> bool:
    """Whether `run` holds `estimator`'s values for `layer`."""
    try:
        run.mi(split, estimator, layer, "i_xt")
    except KeyError:
        return False
    return True


def _variant_bands(groups: dict, values, ax) -> None:
    """Per variant, train (dashed) and test (solid) curves of values(run, split) vs epoch."""
    for i, (name, results) in enumerate(groups.items()):
        results = as_list(results)
        for split, style in (("train", "--"), ("test", "-")):
            epochs, vals = seed_stack(results, lambda r, s=split: values(r, s))
            ax.plot(epochs, vals.mean(0), style, color=variant_color(i),
                    label=f"{network_label('', name)}, {split}", lw=1.3)
            if len(results) > 1:
                ax.fill_between(epochs, vals.min(0), vals.max(0), color=variant_color(i),
                                alpha=0.15, lw=0)
    ax.set_xscale("symlog", linthresh=1)
    ax.set_xlim(0, None)
    ax.set_xlabel("epoch")
    ax.legend(fontsize="x-small", ncol=2, frameon=False)


def layer_curves(groups: dict, quantity: str = "i_ty", *, layer: str = "softmax",
                 estimator: str = PAPER_ID, ax=None, title: str | None = None):
    """One layer's MI quantity against epoch (log axis) per variant: test solid, train dashed.

    `groups` maps a variant name to its run or list of seed runs; seeds give a min-max band.
    """
    ax = ax or plt.gca()
    _variant_bands(groups, lambda r, s: r.mi(s, estimator, layer, quantity), ax)
    width = re.fullmatch(r"binning_bin_width([0-9.eE+-]+)", estimator)
    if layer == "softmax" and quantity == "i_xt" and width:
        cap = softmax_alphabet_cap(N_CLASSES, float(width.group(1)))  # few patterns possible
        ax.axhline(cap, ls="--", color="0.5", lw=1)
        ax.annotate(f"alphabet cap {cap:.2f}", (0.02, cap), xycoords=("axes fraction", "data"),
                    va="bottom", fontsize="x-small", color="0.4")
    ax.set_ylabel(QUANTITY_LABELS.get(quantity, quantity) + " [bits]")
    ax.set_title(title or f"{layer} {quantity}")
    return ax


def training_curves(groups: dict, metric: str = "loss", *, ax=None, title: str | None = None):
    """Train (dashed) and test (solid) loss or accuracy per variant against epoch (log axis).

    `groups` maps a variant name to its run or list of seed runs; seeds give a min-max band.
    """
    ax = ax or plt.gca()
    _variant_bands(groups, lambda r, s: r.metric(s, metric), ax)
    if metric == "loss":
        ax.set_yscale("log")
    ax.set_ylabel(metric)
    ax.set_title(title or metric)
    return ax


def output_mi_grid(by_dataset: dict, *, estimator: str = PAPER_ID,
                   layer: str = "softmax"):
    """Rows: datasets; columns: one layer's I(X;T) and I(T;Y) against epoch, per variant.

    `by_dataset` maps a dataset name to its runs (any variants and seeds). Returns the axes.
    """
    fig, axes = grid(len(by_dataset), 2)
    for row, (name, runs) in zip(axes, by_dataset.items()):
        for quantity, ax in zip(("i_xt", "i_ty"), row):
            layer_curves(group(runs, "variant"), quantity, layer=layer, estimator=estimator,
                         ax=ax, title=f"{name}: {layer} {quantity}")
    return axes


def training_grid(by_dataset: dict, metrics: Sequence[str] = ("loss", "accuracy")):
    """Rows: datasets; columns: training (dashed) and test (solid) loss and accuracy per variant."""
    fig, axes = grid(len(by_dataset), len(metrics))
    for row, (name, runs) in zip(axes, by_dataset.items()):
        for metric, ax in zip(metrics, row):
            training_curves(group(runs, "variant"), metric, ax=ax, title=f"{name}: {metric}")
    return axes


def layer_mi_grid(groups: dict, estimators: Sequence[str], *, quantity: str = "i_xt",
                  split: str = "test"):
    """Rows: configurations (label -> seed runs); columns: estimators; every layer's curve."""
    fig, axes = grid(len(groups), len(estimators), width=4.6, height=2.9, sharex=True)
    for (label, runs), row in zip(groups.items(), axes):
        for est, ax in zip(estimators, row):
            mi_curves(runs, quantity, split=split, estimator=est, ax=ax,
                      title=textwrap.fill(f"{label}: {estimator_label(est)}", 42))
            ax.title.set_fontsize(9)
    for row in axes:
        row[0].legend(fontsize="x-small", ncol=2, frameon=False)
    return axes


def gradient_curves(results, *, layers: Sequence[str] | None = None, ax=None,
                    title: str | None = None):
    """Shwartz-Ziv & Tishby's "signal-to-noise" view of one configuration.

    Per layer, the norm of the mean (solid) and of the standard deviation (dashed) of the
    weight gradient over the mini-batches of each snapshot epoch (`RunResult.gradients`),
    against epoch on log axes; seeds give the mean line. In their account the drift phase
    (mean >> std) gives way to a diffusion phase (std >> mean) when compression starts.
    """
    ax = ax or plt.gca()
    results = as_list(results)
    first = results[0]
    for layer in layers or first.layers:
        color = layer_color(first.layers.index(layer), len(first.layers))
        for stat, style in (("mean", "-"), ("std", "--")):
            epochs, vals = seed_stack(results,
                                       lambda r, la=layer, s=stat: r.gradients(la, s))
            ax.plot(np.maximum(epochs, 0.5), vals.mean(0), style, color=color, lw=1.3,
                    label=f"{layer} {stat}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("epoch (epoch 0 drawn at 0.5)")
    ax.set_ylabel("gradient norm")
    ax.set_title(title if title is not None else f"{first.dataset} {first.variant}")
    return ax


def weight_norm_curves(results, *, layers: Sequence[str] | None = None, ax=None,
                       title: str | None = None):
    """Frobenius norm of each layer's weight against epoch (log axis), mean over seeds."""
    ax = ax or plt.gca()
    results = as_list(results)
    first = results[0]
    for layer in layers or first.layers:
        epochs, vals = seed_stack(results, lambda r, la=layer: r.weight_norms(la))
        color = layer_color(first.layers.index(layer), len(first.layers))
        ax.plot(epochs, vals.mean(0), color=color, lw=1.4, label=layer)
        if len(results) > 1:
            ax.fill_between(epochs, vals.min(0), vals.max(0), color=color, alpha=0.2, lw=0)
    ax.set_xscale("symlog", linthresh=1)
    ax.set_xlim(0, None)
    ax.set_xlabel("epoch")
    ax.set_ylabel("weight norm ||W||")
    ax.set_title(title if title is not None else f"{first.dataset} {first.variant}")
    return ax


def gradient_grid(by_dataset: dict, kind: str = "gradients"):
    """Rows: datasets; columns: variants; `gradient_curves` (kind "gradients") or
    `weight_norm_curves` (kind "weights") of each configuration's seeds."""
    draw = {"gradients": gradient_curves, "weights": weight_norm_curves}
    if kind not in draw:
        raise ValueError(f"kind: got {kind!r}, allowed {tuple(draw)}")
    variants = {v for runs in by_dataset.values() for v in group(runs, "variant")}
    fig, axes = grid(len(by_dataset), len(variants), width=5.4, height=3.8)
    for row, runs in zip(axes, by_dataset.values()):
        for ax, seed_runs in zip(row, group(runs, "variant").values()):
            draw[kind](seed_runs, ax=ax)
    axes[0, 0].legend(fontsize="xx-small", ncol=2, frameon=False)
    return axes


def geometry_grid(groups: dict, estimator: str, *, split: str = "test"):
    """Does compression coincide with saturation or clustering? Rows: configurations (label ->
    seed runs); columns: every layer's I(X;T) under `estimator`, its saturation (tanh: fraction
    of |a| > 0.9; ReLU: fraction of units at exactly 0) and its within/between class distance
    ratio (lower = tighter class clusters), all against epoch on the same snapshot grid.
    Seeds give a min-max band. The geometry is read from the run's stored geometry column."""
    fig, axes = grid(len(groups), 3, width=4.4, height=2.9, sharex=True)
    for (label, runs), row in zip(groups.items(), axes):
        runs = as_list(runs)
        geo = geometry_id(runs[0])
        relu = activation_of(runs[0]) == "relu"
        sat = "inactive" if relu else "saturated"
        mi_curves(runs, ixt_key(estimator), split=split, estimator=estimator, ax=row[0],
                  title=f"{label}: {estimator}")
        mi_curves(runs, sat, split=split, estimator=geo, ax=row[1],
                  title=f"{label}: {'units at 0' if relu else 'units with |a| > 0.9'}")
        row[1].set_ylabel("fraction of activations")
        mi_curves(runs, "within_between", split=split, estimator=geo, ax=row[2],
                  title=f"{label}: class clustering")
        row[2].set_ylabel("within / between distance")
        row[0].legend(fontsize="x-small", ncol=2, frameon=False)
    return axes


def precision_grid(fp32: dict, bf16: dict, *, estimator: str, split: str = "test"):
    """Is bf16 training within the spread of fp32 seeds? A row per configuration (label ->
    fp32 seed runs in `fp32`, -> one run in `bf16`): train (dashed) and test (solid) loss and
    accuracy with the seeds' min-max band, then every layer's I(X;T) under `estimator` for the
    fp32 seeds (band) and for the bf16 run, on a shared y axis."""
    fig, axes = grid(len(fp32), 4, width=3.9, height=2.9)
    for (label, seeds), row in zip(fp32.items(), axes):
        groups = {"fp32": seeds, "bf16": [bf16[label]]}
        for metric, ax in zip(("loss", "accuracy"), row[:2]):
            training_curves(groups, metric, ax=ax, title=f"{label}: {metric}")
        for runs, name, ax in ((seeds, "fp32", row[2]), ([bf16[label]], "bf16", row[3])):
            mi_curves(runs, ixt_key(estimator), split=split, estimator=estimator, ax=ax,
                      title=f"{label}: {name}")
        lo = min(ax.get_ylim()[0] for ax in row[2:])
        hi = max(ax.get_ylim()[1] for ax in row[2:])
        for ax in row[2:]:
            ax.set_ylim(lo, hi)
        row[2].legend(fontsize="xx-small", ncol=2, frameon=False)
    return axes
