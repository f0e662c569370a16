"""Information planes: one run's every layer in (I(X;T), I(T;Y)) across training, a grid of
them, and an epoch slider for the static book."""
from __future__ import annotations

import textwrap
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np

from ..config import PAPER_ID, ity_key, ixt_key
from ..labels import dataset_label, estimator_label, network_label
from ..mi import SATURATION_TOL
from .style import (
    EPOCH_CMAP,
    as_list,
    epoch_norm,
    layer_color,
    layer_marker,
    variant_color,
)


def info_plane(result, *, split: str = "test", estimator: str = PAPER_ID,
               layers: Sequence[str] | None = None, ax=None, colorbar: bool = True,
               title: str | None = None):
    """The information plane of one run: every layer's (I(X;T), I(T;Y)) across training.

    Points are coloured by epoch (log scale); each layer has its own marker and a thin line in
    its layer colour joining consecutive snapshots. Points where binned I(X;T) is saturated
    (within 0.01 bit of log2 N) get a black ring. Dotted lines: log2 N (vertical, binning
    only) and H(Y) (horizontal), the ceilings of binned I(X;T) and of I(T;Y).
    """
    ax = ax or plt.gca()
    layers = list(layers or result.layers)
    epochs = result.epochs()
    norm = epoch_norm(int(epochs.max()))
    n = result.n[split]
    binned = estimator.startswith("binning")
    for i, layer in enumerate(layers):
        ixt = result.mi(split, estimator, layer, ixt_key(estimator))
        ity = result.mi(split, estimator, layer, ity_key(estimator))
        color = layer_color(result.layers.index(layer), len(result.layers))
        ax.plot(ixt, ity, "-", color=color, lw=0.8, alpha=0.6, zorder=1)
        sc = ax.scatter(ixt, ity, c=epochs, cmap=EPOCH_CMAP, norm=norm, s=22,
                        marker=layer_marker(layer, i), zorder=2, label=layer,
                        edgecolors="none")
        sat = ixt >= np.log2(n) - SATURATION_TOL
        if binned and sat.any():
            ax.scatter(ixt[sat], ity[sat], s=60, facecolors="none", edgecolors="k",
                       linewidths=0.6, zorder=3)
    if binned:  # log2 N bounds binned I(X;T); subsampling estimators have other ceilings
        ax.axvline(np.log2(n), ls=":", color="0.4", lw=1)
    ax.axhline(result.h_y(split), ls=":", color="0.4", lw=1)
    ax.set_xlabel("I(X;T) [bits]")
    ax.set_ylabel("I(T;Y) [bits]")
    ax.set_title(title if title is not None else result.label)
    if colorbar:
        ax.figure.colorbar(sc, ax=ax, label="epoch")
    return ax


def info_planes(rows, *, split: str = "test", estimator: str = PAPER_ID,
                size: float = 3.0):
    """A grid of information planes: one row per list in `rows`, one panel per run.

    `rows` is a list of lists of runs (e.g. one row per dataset, one column per variant), or a
    flat list for a single row. Returns the (rows, cols) array of axes.
    """
    rows = [list(r) for r in rows] if isinstance(as_list(rows)[0], (list, tuple)) else [as_list(rows)]
    ncols = max(len(r) for r in rows)
    fig, axes = plt.subplots(len(rows), ncols, squeeze=False, sharex=True, sharey=True,
                             figsize=(size * ncols + 1.0, size * len(rows)),
                             constrained_layout=True)
    for row, ax_row in zip(rows, axes):
        for r, ax in zip(row, ax_row):
            info_plane(r, split=split, estimator=estimator, ax=ax, colorbar=False,
                       title=(f"{dataset_label(r.dataset)}\n{network_label('', r.variant)}"
                              if r.variant else r.label))
        for ax in ax_row[len(row):]:
            ax.set_visible(False)
    for ax in axes[:, 1:].flat:
        ax.set_ylabel("")
    for ax in axes[:-1, :].flat:
        ax.set_xlabel("")
    epochs_max = max(int(r.epochs().max()) for row in rows for r in row)
    sm = plt.cm.ScalarMappable(norm=epoch_norm(epochs_max), cmap=EPOCH_CMAP)
    fig.colorbar(sm, ax=axes, label="epoch", shrink=0.8)
    deepest = max((ax for ax in axes.flat if ax.get_visible()),
                  key=lambda ax: len(ax.get_legend_handles_labels()[1]))
    handles, labels = deepest.get_legend_handles_labels()
    legend = deepest.legend(handles, labels, fontsize="x-small", loc="lower right",
                            frameon=False)
    for h in legend.legend_handles:
        h.set_color("0.3")
    return axes


def info_plane_animation(result, *, split: str = "test",
                         estimator: str = PAPER_ID, size: float = 4.0):
    """An epoch slider over one run's information plane, playable without a kernel.

    Returns a matplotlib `FuncAnimation` whose frame k shows the snapshots up to the k-th;
    ``anim.to_jshtml()`` turns it into self-contained HTML/JavaScript for the static book.
    """
    from matplotlib.animation import FuncAnimation

    epochs = result.epochs()
    fig, ax = plt.subplots(figsize=(size + 1.2, size), constrained_layout=True)
    layers = result.layers
    ixt = {la: result.mi(split, estimator, la, ixt_key(estimator)) for la in layers}
    ity = {la: result.mi(split, estimator, la, ity_key(estimator)) for la in layers}
    binned = estimator.startswith("binning")  # log2 N bounds binned I(X;T) only
    lo_x = min(v.min() for v in ixt.values())
    hi_x = max(v.max() for v in ixt.values())
    if binned:
        hi_x = max(hi_x, np.log2(result.n[split]))
    pad_x = 0.3 if binned else 0.05 * max(hi_x - lo_x, 0.1)
    hi_y = max(max(v.max() for v in ity.values()), result.h_y(split))

    def draw(k):
        ax.clear()
        for i, la in enumerate(layers):
            color = layer_color(i, len(layers))
            ax.plot(ixt[la][:k + 1], ity[la][:k + 1], "-", color=color, lw=0.8, alpha=0.6)
            ax.plot(ixt[la][k], ity[la][k], layer_marker(la, i), color=color, ms=7,
                    label=la)
        if binned:
            ax.axvline(np.log2(result.n[split]), ls=":", color="0.4", lw=1)
        ax.axhline(result.h_y(split), ls=":", color="0.4", lw=1)
        ax.set_xlim(lo_x - pad_x, hi_x + pad_x)
        ax.set_ylim(-0.1, hi_y + 0.2)
        ax.set_xlabel("I(X;T) [bits]")
        ax.set_ylabel("I(T;Y) [bits]")
        ax.set_title(textwrap.fill(f"{dataset_label(result.dataset)}, "
                                   f"{network_label('', result.variant)}, seed {result.seed}, "
                                   f"{estimator_label(estimator)}", 48), fontsize=9)
        ax.text(0.02, 0.97, f"epoch {epochs[k]}", transform=ax.transAxes, va="top",
                fontsize=10, fontweight="bold")
        ax.legend(fontsize="x-small", loc="lower right", frameon=False)

    anim = FuncAnimation(fig, draw, frames=len(epochs), interval=300)
    plt.close(fig)
    return anim


def _mean_over_seeds(runs, split: str, estimator: str, layer: str):
    """(epochs, mean I(X;T), mean I(T;Y)) over the seeds at the snapshots they share."""
    epochs = sorted(set.intersection(*(set(r.epochs().tolist()) for r in runs)))
    ixt, ity = [], []
    for r in runs:
        keep = np.isin(r.epochs(), epochs)
        ixt.append(r.mi(split, estimator, layer, ixt_key(estimator))[keep])
        ity.append(r.mi(split, estimator, layer, ity_key(estimator))[keep])
    return np.array(epochs), np.mean(ixt, axis=0), np.mean(ity, axis=0)


def seed_plane(runs, *, split: str = "test", estimator: str = PAPER_ID, ax=None,
               title: str | None = None, norm=None):
    """One network's information plane over its seeds: each seed's path of each layer as a
    thin line in the layer's colour, the seeds' mean as points coloured by epoch with the
    layer's marker. Dotted: the ceilings log2 N (binning) and H(Y)."""
    ax = ax or plt.gca()
    runs = as_list(runs)
    first = runs[0]
    norm = norm or epoch_norm(int(max(r.epochs().max() for r in runs)))
    for i, layer in enumerate(first.layers):
        color = layer_color(i, len(first.layers))
        for r in runs:
            ax.plot(r.mi(split, estimator, layer, ixt_key(estimator)),
                    r.mi(split, estimator, layer, ity_key(estimator)), "-", color=color,
                    lw=0.6, alpha=0.45, zorder=1)
        epochs, ixt, ity = _mean_over_seeds(runs, split, estimator, layer)
        ax.scatter(ixt, ity, c=epochs, cmap=EPOCH_CMAP, norm=norm, s=14,
                   marker=layer_marker(layer, i), zorder=2, label=layer, edgecolors="none")
    if estimator.startswith("binning"):
        ax.axvline(np.log2(first.n[split]), ls=":", color="0.4", lw=0.8)
        ax.set_xlim(-0.3, np.log2(first.n[split]) + 0.6)  # the whole range up to the ceiling
    ax.axhline(first.h_y(split), ls=":", color="0.4", lw=0.8)
    ax.set_ylim(0, first.h_y(split) * 1.06)
    ax.set_xlim(left=min(ax.get_xlim()[0], 0))
    ax.set_title(textwrap.fill(title if title is not None else first.label, 20), fontsize=9)
    ax.tick_params(labelsize=8.5)
    return ax


def seed_planes(configs: dict, *, split: str = "test", estimator: str = PAPER_ID,
                width: float = 7.0, max_cols: int = 4):
    """One panel per network, its seeds together (`seed_plane`): `configs` maps a panel
    title to the seed runs of one network. At most `max_cols` panels per row, sized for a
    `width`-inch text column, shared axes, one epoch colour bar and one layer legend.
    Returns the figure."""
    n = len(configs)
    rows = -(-n // max_cols)
    cols = -(-n // rows)
    panel = (width - 0.9) / cols
    fig, axes = plt.subplots(rows, cols, squeeze=False, sharex=True, sharey=True,
                             figsize=(width, panel * 1.05 * rows + 1.0),
                             constrained_layout=True)
    epochs_max = max(int(r.epochs().max()) for runs in configs.values() for r in runs)
    norm = epoch_norm(epochs_max)
    for (title, runs), ax in zip(configs.items(), axes.flat):
        seed_plane(runs, split=split, estimator=estimator, ax=ax, title=title, norm=norm)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    for ax in axes[:, 0]:
        ax.set_ylabel("I(T;Y) [bits]", fontsize=9)
    for ax in axes[-1, :]:
        ax.set_xlabel("I(X;T) [bits]", fontsize=9)
    sm = plt.cm.ScalarMappable(norm=norm, cmap=EPOCH_CMAP)
    cbar = fig.colorbar(sm, ax=axes, shrink=0.8)
    cbar.set_label("epoch", fontsize=9)
    cbar.ax.tick_params(labelsize=8.5)
    deepest = max(axes.flat[:n], key=lambda ax: len(ax.get_legend_handles_labels()[1]))
    handles, labels = deepest.get_legend_handles_labels()
    legend = fig.legend(handles, labels, loc="outside lower center", ncol=min(len(labels), 7),
                        fontsize=8.5, frameon=False, markerscale=1.3)
    for h in legend.legend_handles:
        h.set_color("0.3")
    return fig


def layer_chains(by_dataset: dict, estimators, *, split: str = "test", width: float = 7.0):
    """The answer of a factor chapter in one figure: where every network's layers end up.
    Rows: datasets (`by_dataset` maps a row label to {network label: seed runs}); columns:
    estimators. In each panel, each network (one colour) is the chain of its layers at the
    last snapshot, input side to output (seed means; markers as in the planes), and a thin
    line from where each layer started (epoch 0). Under binning the hidden layers all sit
    at the ceiling; a scale-aware estimator separates them."""
    rows, cols = len(by_dataset), len(estimators)
    fig, axes = plt.subplots(rows, cols, squeeze=False, figsize=(width, 2.9 * rows + 0.6),
                             constrained_layout=True)
    for (row_label, configs), ax_row in zip(by_dataset.items(), axes):
        for est, ax in zip(estimators, ax_row):
            for k, (name, runs) in enumerate(configs.items()):
                color = variant_color(k)
                ends, starts = [], []
                for i, layer in enumerate(runs[0].layers):
                    epochs, ixt, ity = _mean_over_seeds(runs, split, est, layer)
                    ends.append((ixt[-1], ity[-1]))
                    starts.append((ixt[0], ity[0]))
                    ax.scatter(ixt[-1], ity[-1], marker=layer_marker(layer, i), color=color,
                               s=22, zorder=3, edgecolors="none")
                    ax.plot([ixt[0], ixt[-1]], [ity[0], ity[-1]], color=color, lw=0.5,
                            alpha=0.35, zorder=1)
                ax.plot(*zip(*ends), "-", color=color, lw=1.2, zorder=2, label=name)
            first = next(iter(configs.values()))[0]
            if est.startswith("binning"):
                ax.axvline(np.log2(first.n[split]), ls=":", color="0.4", lw=0.8)
            ax.axhline(first.h_y(split), ls=":", color="0.4", lw=0.8)
            ax.set_ylim(0, first.h_y(split) * 1.06)
            ax.set_xlim(left=0)
            ax.set_title(f"{row_label}: {estimator_label(est)}", fontsize=9)
            ax.tick_params(labelsize=8.5)
            ax.set_xlabel("I(X;T) [bits]" if est.startswith("binning") else "I(X;T)",
                          fontsize=9)
            ax.set_ylabel("I(T;Y) [bits]" if est.startswith("binning") else "I(T;Y)",
                          fontsize=9)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=min(len(labels), 4),
               fontsize=8.5, frameon=False)
    return fig
