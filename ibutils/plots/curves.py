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
from ..labels import config_label, estimator_label, network_label
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
        layers = [la for la in first.layers
                  if _records(first, split, estimator, la, quantity)]
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
        ceiling = np.log2(min(int(n.group(1)), first.n[split]) if n else first.n[split])
        ax.axhline(ceiling, ls=":", color="0.4", lw=1)
        # at least one bit of axis, so changes of thousandths of a bit do not look like a rise
        ax.set_ylim(min(ax.get_ylim()[0], ceiling - 1.0), ceiling + 0.1)
    ax.set_xscale("symlog", linthresh=1)
    ax.set_xlim(0, None)
    ax.set_xlabel("epoch")
    ax.set_ylabel(QUANTITY_LABELS.get(quantity, quantity) + " [bits]")
    ax.set_title(title if title is not None else first.variant or first.label)
    return ax


def _records(run, split: str, estimator: str, layer: str, quantity: str) -> bool:
    """Whether `run` holds `estimator`'s `quantity` for `layer`."""
    try:
        run.mi(split, estimator, layer, quantity)
    except KeyError:
        return False
    return True


def _variant_bands(groups: dict, values, ax, legend: bool = True) -> None:
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
    if legend:
        ax.legend(fontsize="x-small", ncol=2, frameon=False)


def _figure_legend(fig, groups: dict) -> None:
    """One legend under a grid of `_variant_bands` panels: a colour per variant, then the
    line styles of the two sets."""
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color=variant_color(i), lw=2, label=network_label("", name))
               for i, name in enumerate(groups)]
    handles += [Line2D([], [], color="0.3", ls="--", label="training set"),
                Line2D([], [], color="0.3", ls="-", label="test set")]
    fig.legend(handles=handles, loc="outside lower center", ncol=3, fontsize="small",
               frameon=False)


def layer_curves(groups: dict, quantity: str = "i_ty", *, layer: str = "softmax",
                 estimator: str = PAPER_ID, ax=None, title: str | None = None,
                 legend: bool = True):
    """One layer's MI quantity against epoch (log axis) per variant: test solid, train dashed.

    `groups` maps a variant name to its run or list of seed runs; seeds give a min-max band.
    """
    ax = ax or plt.gca()
    _variant_bands(groups, lambda r, s: r.mi(s, estimator, layer, quantity), ax, legend)
    width = re.fullmatch(r"binning_bin_width([0-9.eE+-]+)", estimator)
    if layer == "softmax" and quantity == "i_xt" and width:
        cap = softmax_alphabet_cap(N_CLASSES, float(width.group(1)))  # few patterns possible
        ax.axhline(cap, ls="--", color="0.5", lw=1)
        ax.annotate(f"alphabet cap {cap:.2f}", (0.02, cap), xycoords=("axes fraction", "data"),
                    va="top", fontsize="x-small", color="0.4")
    ax.set_ylabel(QUANTITY_LABELS.get(quantity, quantity) + " [bits]")
    ax.set_title(title or f"{layer} {QUANTITY_LABELS.get(quantity, quantity)}")
    return ax


def training_curves(groups: dict, metric: str = "loss", *, ax=None, title: str | None = None,
                    legend: bool = True):
    """Train (dashed) and test (solid) loss or accuracy per variant against epoch (log axis).

    `groups` maps a variant name to its run or list of seed runs; seeds give a min-max band.
    """
    ax = ax or plt.gca()
    _variant_bands(groups, lambda r, s: r.metric(s, metric), ax, legend)
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
    where = "output" if layer == "softmax" else layer
    for row, (name, runs) in zip(axes, by_dataset.items()):
        for quantity, ax in zip(("i_xt", "i_ty"), row):
            layer_curves(group(runs, "variant"), quantity, layer=layer, estimator=estimator,
                         ax=ax, title=f"{name}: {where} {QUANTITY_LABELS[quantity]}",
                         legend=False)
    _figure_legend(fig, group(next(iter(by_dataset.values())), "variant"))
    return axes


def training_grid(by_dataset: dict, metrics: Sequence[str] = ("loss", "accuracy")):
    """Rows: datasets; columns: training (dashed) and test (solid) loss and accuracy per variant."""
    fig, axes = grid(len(by_dataset), len(metrics))
    for row, (name, runs) in zip(axes, by_dataset.items()):
        for metric, ax in zip(metrics, row):
            training_curves(group(runs, "variant"), metric, ax=ax, title=f"{name}: {metric}",
                            legend=False)
    _figure_legend(fig, group(next(iter(by_dataset.values())), "variant"))
    return axes


def layer_mi_grid(groups: dict, estimators: Sequence[str], *, quantity: str = "i_xt",
                  split: str = "test"):
    """Rows: configurations (label -> seed runs), named on the left; columns: estimators,
    named on top; every layer's curve, one legend of layers under the grid."""
    fig, axes = grid(len(groups), len(estimators), width=4.6, height=2.9, sharex=True)
    title_chars = max(20, int(fig.get_figwidth() / len(estimators) * 72 / 5))  # a panel's width
    legend = {}
    for r, ((label, runs), row) in enumerate(zip(groups.items(), axes)):
        for c, (est, ax) in enumerate(zip(estimators, row)):
            mi_curves(runs, quantity, split=split, estimator=est, ax=ax, title="")
            if r == 0:
                ax.set_title(textwrap.fill(estimator_label(est), title_chars), fontsize=9)
            ax.set_ylabel(f"{textwrap.fill(label, 24)}\n"
                          f"{QUANTITY_LABELS.get(quantity, quantity)} [bits]" if c == 0 else "",
                          fontsize=9)
            if r < len(groups) - 1:
                ax.set_xlabel("")
            for handle, name in zip(*ax.get_legend_handles_labels()):
                legend.setdefault(name, handle)
    fig.legend(list(legend.values()), list(legend), loc="outside lower center",
               ncol=min(len(legend), 8), fontsize="small", frameon=False)
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
                    label=layer if stat == "mean" else None)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("epoch (epoch 0 drawn at 0.5)")
    ax.set_ylabel("gradient norm")
    ax.set_title(title if title is not None else config_label(first.dataset, first.variant),
                 fontsize=8.5)
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
    ax.set_title(title if title is not None else config_label(first.dataset, first.variant),
                 fontsize=8.5)
    return ax


def gradient_grid(by_dataset: dict, kind: str = "gradients"):
    """Rows: datasets; columns: variants; `gradient_curves` (kind "gradients") or
    `weight_norm_curves` (kind "weights") of each configuration's seeds."""
    draw = {"gradients": gradient_curves, "weights": weight_norm_curves}
    if kind not in draw:
        raise ValueError(f"kind: got {kind!r}, allowed {tuple(draw)}")
    variants = {v for runs in by_dataset.values() for v in group(runs, "variant")}
    fig, axes = grid(len(by_dataset), len(variants), width=5.4, height=3.8)
    legend = {}
    for row, runs in zip(axes, by_dataset.values()):
        for ax, seed_runs in zip(row, group(runs, "variant").values()):
            draw[kind](seed_runs, ax=ax)
            for handle, name in zip(*ax.get_legend_handles_labels()):
                legend.setdefault(name, handle)
    handles, names = list(legend.values()), list(legend)
    if kind == "gradients":
        from matplotlib.lines import Line2D
        handles += [Line2D([], [], color="0.3", ls="-"), Line2D([], [], color="0.3", ls="--")]
        names += ["norm of the mean gradient", "its standard deviation over batches"]
    fig.legend(handles, names, loc="outside lower center", ncol=5, fontsize="x-small",
               frameon=False)
    return axes


def _name_grid(fig, axes, rows, columns, ylabels, legend: dict, *, ncol: int = 8) -> None:
    """Label a grid: `columns` as titles of the top row, each of `rows` in the first column's
    y label above its own `ylabels[0]` (other columns keep `ylabels[j]`), x labels on the
    bottom row only, and one `legend` ({name: handle}) under the grid."""
    for r, (name, row) in enumerate(zip(rows, axes)):
        for c, ax in enumerate(row):
            if r == 0:
                ax.set_title(textwrap.fill(columns[c], 30), fontsize=9)
            else:
                ax.set_title("")
            ax.set_ylabel(f"{textwrap.fill(name, 20)}\n{ylabels[0]}" if c == 0 else ylabels[c],
                          fontsize=8)
            if r < len(rows) - 1:
                ax.set_xlabel("")
            if ax.get_legend():
                ax.get_legend().remove()
    fig.legend(list(legend.values()), list(legend), loc="outside lower center",
               ncol=min(len(legend), ncol), fontsize="x-small", frameon=False)


def _handles(ax, into: dict) -> dict:
    for handle, name in zip(*ax.get_legend_handles_labels()):
        if not name.startswith("_"):
            into.setdefault(name, handle)
    return into


def geometry_grid(groups: dict, estimator: str, *, split: str = "test"):
    """Does compression coincide with saturation or clustering? Rows: configurations (label ->
    seed runs); columns: every layer's I(X;T) under `estimator`, its saturation (tanh: fraction
    of |a| > 0.9; ReLU: fraction of units at exactly 0) and its within/between class distance
    ratio (lower = tighter class clusters), all against epoch on the same snapshot grid.
    Seeds give a min-max band. The geometry is read from the run's stored geometry column."""
    fig, axes = grid(len(groups), 3, width=4.4, height=2.9, sharex=True)
    legend = {}
    for (label, runs), row in zip(groups.items(), axes):
        runs = as_list(runs)
        geo = geometry_id(runs[0])
        relu = activation_of(runs[0]) == "relu"
        mi_curves(runs, ixt_key(estimator), split=split, estimator=estimator, ax=row[0])
        mi_curves(runs, "inactive" if relu else "saturated", split=split, estimator=geo,
                  ax=row[1])
        mi_curves(runs, "within_between", split=split, estimator=geo, ax=row[2])
        _handles(row[0], legend)
    _name_grid(fig, axes, list(groups),
               [f"I(X;T), {estimator_label(estimator)}",
                "saturation: tanh units with |a| > 0.9, ReLU units at 0",
                "class clustering: within / between distance"],
               ["I(X;T) [bits]", "fraction", "distance ratio"], legend)
    return axes


def spacing_grid(groups: dict, estimator: str, noise_std: float, *, split: str = "test"):
    """Do a noisy net's representations come within the noise of each other? Rows:
    configurations (label -> seed runs); columns: every hidden layer's median distance from an
    input to its nearest other input (log axis; dashed: the noise's standard deviation) and
    its within/between class distance ratio (lower = tighter class clusters), against epoch,
    from the stored `ibutils.geometry.spacing` column `estimator`. Seeds give a min-max band."""
    from matplotlib.lines import Line2D

    fig, axes = grid(len(groups), 2, width=4.6, height=2.9, sharex=True)
    legend = {}
    for (label, runs), row in zip(groups.items(), axes):
        runs = as_list(runs)
        hidden = [la for la in runs[0].layers if la != "softmax"]
        mi_curves(runs, "nearest", split=split, estimator=estimator, layers=hidden, ax=row[0])
        row[0].set_yscale("log")
        row[0].axhline(noise_std, ls="--", color="0.3", lw=1)
        first = runs[0]
        for layer in hidden:
            epochs, vals = seed_stack(runs, lambda r, la=layer: (
                r.mi(split, estimator, la, "within") / r.mi(split, estimator, la, "between")))
            color = layer_color(first.layers.index(layer), len(first.layers))
            row[1].plot(epochs, vals.mean(0), color=color, lw=1.4)
            if len(runs) > 1:
                row[1].fill_between(epochs, vals.min(0), vals.max(0), color=color, alpha=0.2,
                                    lw=0)
        row[1].set_xscale("symlog", linthresh=1)
        row[1].set_xlim(0, None)
        row[1].set_xlabel("epoch")
        _handles(row[0], legend)
    legend["noise standard deviation"] = Line2D([], [], ls="--", color="0.3", lw=1)
    _name_grid(fig, axes, list(groups),
               ["distance to the nearest other input (median)",
                "class clustering: within / between distance"],
               ["distance", "distance ratio"], legend)
    return axes


def horizon_grid(rows: dict, estimators: Sequence[str], *, split: str = "test"):
    """The seed bands at the short horizon beside one run trained further. Rows: labels ->
    (seed runs at the short horizon, the long run); columns: estimators. Per layer, the
    seeds' mean and range (solid line and band, up to the short horizon) and the long run
    (dashed, to its own horizon); a dotted vertical line marks the short horizon."""
    from matplotlib.lines import Line2D

    fig, axes = grid(len(rows), len(estimators), width=4.6, height=2.9, sharex=True)
    legend = {}
    for (label, (seeds, long)), row in zip(rows.items(), axes):
        for est, ax in zip(estimators, row):
            mi_curves(seeds, ixt_key(est), split=split, estimator=est, ax=ax, title="")
            for i, layer in enumerate(long.layers):
                try:
                    values = long.mi(split, est, layer, ixt_key(est), horizon=long.horizon)
                except KeyError:
                    continue
                ax.plot(long.epochs(long.horizon), values, "--", lw=1.1,
                        color=layer_color(i, len(long.layers)))
            ax.axvline(seeds[0].horizon, ls=":", color="0.4", lw=1)
            ax.set_xlim(0, long.horizon)
            _handles(ax, legend)
    legend[f"seeds' mean and range, {seeds[0].horizon} epochs"] = Line2D([], [], color="0.3")
    legend[f"seed {long.seed} to {long.horizon:,} epochs"] = Line2D([], [], ls="--",
                                                                    color="0.3")
    _name_grid(fig, axes, list(rows), [estimator_label(e) for e in estimators],
               ["I(X;T) [bits]"] * len(estimators), legend, ncol=4)  # long labels: 4 a row
    return axes


def precision_grid(fp32: dict, bf16: dict, *, estimator: str, split: str = "test"):
    """Is bf16 training within the spread of fp32 seeds? A row per configuration (label ->
    fp32 seed runs in `fp32`, -> one run in `bf16`): train (dashed) and test (solid) loss and
    accuracy of the fp32 seeds (band: their range) and of the bf16 run, then every layer's
    I(X;T) under `estimator`, the fp32 seeds as bands and the bf16 run as dotted lines."""
    from matplotlib.lines import Line2D

    fig, axes = grid(len(fp32), 3, width=4.4, height=2.9, sharex=True)
    legend = {}
    for (label, seeds), row in zip(fp32.items(), axes):
        groups = {"fp32": seeds, "bf16": [bf16[label]]}
        for metric, ax in zip(("loss", "accuracy"), row[:2]):
            _variant_bands(groups, lambda r, s, m=metric: r.metric(s, m), ax, legend=False)
        row[0].set_yscale("log")
        mi_curves(seeds, ixt_key(estimator), split=split, estimator=estimator, ax=row[2])
        run = bf16[label]
        for i, layer in enumerate(run.layers):
            ax = row[2]
            ax.plot(run.epochs(), run.mi(split, estimator, layer, ixt_key(estimator)), ":",
                    color=layer_color(i, len(run.layers)), lw=1.4)
        _handles(row[2], legend)
    legend.update({
        "fp32 seeds (band: their range)": Line2D([], [], color=variant_color(0), lw=2),
        "bf16 run": Line2D([], [], color=variant_color(1), lw=2),
        "training set": Line2D([], [], color="0.3", ls="--"),
        "test set": Line2D([], [], color="0.3", ls="-"),
        "bf16 I(X;T)": Line2D([], [], color="0.3", ls=":")})
    _name_grid(fig, axes, list(fp32), ["loss", "accuracy",
                                       f"I(X;T), {estimator_label(estimator)}"],
               ["loss", "accuracy", "I(X;T) [bits]"], legend, ncol=5)
    return axes
