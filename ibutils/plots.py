"""One plotting function per kind of figure. Each takes ``ax=None`` and returns the axes.

No function here shows or saves a figure; notebooks do that. Colours are consistent across the
book: layers take `layer_color` (input side dark, output side light), epochs a log-scaled
`EPOCH_CMAP`, and variants `variant_color`.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import colors, ticker

from .beyond import activation_of, geometry_id
from .mi import SATURATION_TOL, softmax_alphabet_cap
from .models import N_CLASSES
from .report import MIN_DROP_BITS, compression, group, ity_key, ixt_key

EPOCH_CMAP = "viridis"
LAYER_CMAP = "plasma"
VARIANT_COLORS = plt.get_cmap("tab10").colors
MARKERS = "os^Dv<>pPXh"  # hidden layers, from the input
OUTPUT_MARKER = "*"  # the softmax output, in every net
QUANTITY_LABELS = {"i_xt": "I(X;T)", "i_ty": "I(T;Y)", "h_t": "H(T)",
                   "i_xt_upper": "I(X;T') upper", "i_xt_lower": "I(X;T') lower",
                   "i_ty_upper": "I(T';Y) upper", "i_ty_lower": "I(T';Y) lower"}


def _as_list(results):
    return list(results) if isinstance(results, (list, tuple)) else [results]


def layer_color(index: int, n_layers: int):
    """Colour of the `index`-th measured layer of a net with `n_layers` of them."""
    return plt.get_cmap(LAYER_CMAP)(0.85 * index / max(n_layers - 1, 1))


def layer_marker(name: str, index: int) -> str:
    """Marker of a layer: by position for hidden layers, a star for the softmax output."""
    return OUTPUT_MARKER if name == "softmax" else MARKERS[index % len(MARKERS)]


def variant_color(index: int):
    return VARIANT_COLORS[index % len(VARIANT_COLORS)]


def epoch_norm(max_epoch: int) -> colors.Normalize:
    """Log-like colour scale over epochs 0..max_epoch (epoch 0 shown as the lowest colour)."""
    return colors.SymLogNorm(linthresh=1, vmin=0, vmax=max(max_epoch, 1), base=10)


def _seed_stack(results, fn) -> tuple[np.ndarray, np.ndarray]:
    """Stack fn(result) over seeds on the epochs they share; returns (epochs, (S, E) values)."""
    epochs = sorted(set.intersection(*(set(r.epochs().tolist()) for r in results)))
    rows = []
    for r in results:
        keep = np.isin(r.epochs(), epochs)
        rows.append(np.asarray(fn(r))[keep])
    return np.array(epochs), np.array(rows)


def info_plane(result, *, split: str = "test", estimator: str = "binning_bin_width0.67",
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


def info_planes(rows, *, split: str = "test", estimator: str = "binning_bin_width0.67",
                size: float = 3.0):
    """A grid of information planes: one row per list in `rows`, one panel per run.

    `rows` is a list of lists of runs (e.g. one row per dataset, one column per variant), or a
    flat list for a single row. Returns the (rows, cols) array of axes.
    """
    rows = [list(r) for r in rows] if isinstance(_as_list(rows)[0], (list, tuple)) else [_as_list(rows)]
    ncols = max(len(r) for r in rows)
    fig, axes = plt.subplots(len(rows), ncols, squeeze=False, sharex=True, sharey=True,
                             figsize=(size * ncols + 1.0, size * len(rows)),
                             constrained_layout=True)
    for row, ax_row in zip(rows, axes):
        for r, ax in zip(row, ax_row):
            info_plane(r, split=split, estimator=estimator, ax=ax, colorbar=False,
                       title=f"{r.dataset} {r.variant}" if r.variant else r.label)
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


def mi_curves(results, quantity: str = "i_xt", *, split: str = "test",
              estimator: str = "binning_bin_width0.67", layers: Sequence[str] | None = None,
              ax=None, title: str | None = None):
    """One MI quantity of every layer against epoch (log axis); seeds as mean and min-max band.

    `results` is one run or the seeds of one configuration.
    """
    ax = ax or plt.gca()
    results = _as_list(results)
    first = results[0]
    for layer in layers or first.layers:
        epochs, vals = _seed_stack(results,
                                   lambda r, la=layer: r.mi(split, estimator, la, quantity))
        color = layer_color(first.layers.index(layer), len(first.layers))
        ax.plot(epochs, vals.mean(0), color=color, label=layer, lw=1.4)
        if len(results) > 1:
            ax.fill_between(epochs, vals.min(0), vals.max(0), color=color, alpha=0.2, lw=0)
    if quantity.startswith("i_ty"):
        ax.axhline(first.h_y(split), ls=":", color="0.4", lw=1)
    elif estimator.startswith("binning"):
        ax.axhline(np.log2(first.n[split]), ls=":", color="0.4", lw=1)
    ax.set_xscale("symlog", linthresh=1)
    ax.set_xlim(0, None)
    ax.set_xlabel("epoch")
    ax.set_ylabel(QUANTITY_LABELS.get(quantity, quantity) + " [bits]")
    ax.set_title(title if title is not None else first.variant or first.label)
    return ax


def _variant_bands(groups: dict, values, ax) -> None:
    """Per variant, train (dashed) and test (solid) curves of values(run, split) vs epoch."""
    for i, (name, results) in enumerate(groups.items()):
        results = _as_list(results)
        for split, style in (("train", "--"), ("test", "-")):
            epochs, vals = _seed_stack(results, lambda r, s=split: values(r, s))
            ax.plot(epochs, vals.mean(0), style, color=variant_color(i),
                    label=f"{name} {split}", lw=1.3)
            if len(results) > 1:
                ax.fill_between(epochs, vals.min(0), vals.max(0), color=variant_color(i),
                                alpha=0.15, lw=0)
    ax.set_xscale("symlog", linthresh=1)
    ax.set_xlim(0, None)
    ax.set_xlabel("epoch")
    ax.legend(fontsize="x-small", ncol=2, frameon=False)


def layer_curves(groups: dict, quantity: str = "i_ty", *, layer: str = "softmax",
                 estimator: str = "binning_bin_width0.67", ax=None, title: str | None = None):
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


def info_plane_animation(result, *, split: str = "test",
                         estimator: str = "binning_bin_width0.67", size: float = 4.0):
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
    lo_x = min(v.min() for v in ixt.values())
    hi_x = max(max(v.max() for v in ixt.values()), np.log2(result.n[split]))
    hi_y = max(max(v.max() for v in ity.values()), result.h_y(split))

    def draw(k):
        ax.clear()
        for i, la in enumerate(layers):
            color = layer_color(i, len(layers))
            ax.plot(ixt[la][:k + 1], ity[la][:k + 1], "-", color=color, lw=0.8, alpha=0.6)
            ax.plot(ixt[la][k], ity[la][k], layer_marker(la, i), color=color, ms=7,
                    label=la)
        ax.axvline(np.log2(result.n[split]), ls=":", color="0.4", lw=1)
        ax.axhline(result.h_y(split), ls=":", color="0.4", lw=1)
        ax.set_xlim(lo_x - 0.3, hi_x + 0.3)
        ax.set_ylim(-0.1, hi_y + 0.2)
        ax.set_xlabel("I(X;T) [bits]")
        ax.set_ylabel("I(T;Y) [bits]")
        ax.set_title(f"{result.label}: epoch {epochs[k]}")
        ax.legend(fontsize="x-small", loc="lower right", frameon=False)

    anim = FuncAnimation(fig, draw, frames=len(epochs), interval=300)
    plt.close(fig)
    return anim


def sweep_lines(rows: list[dict], x: str, y, *, hue: str | None = None, ax=None,
                logx: bool = True, reference: str | None = None, title: str = "",
                ylabel: str | None = None):
    """Lines of column(s) `y` against column `x` from a list of dicts.

    `y` is one column name (then one line per value of `hue`) or a list of names (one line
    each). `reference` names a column (e.g. the true value or log2 N) drawn dotted in the
    colour of its line.
    """
    ax = ax or plt.gca()
    series = []  # (label, rows, y column)
    if isinstance(y, str):
        keys = list(dict.fromkeys(r[hue] for r in rows)) if hue else [None]
        for key in keys:
            sub = [r for r in rows if hue is None or r[hue] == key]
            series.append((f"{hue} = {key}" if hue else y, sub, y))
    else:
        series = [(col, rows, col) for col in y]
    for i, (label, sub, col) in enumerate(series):
        xs = [r[x] for r in sub]
        ax.plot(xs, [r[col] for r in sub], "o-", color=variant_color(i), label=label, ms=4)
        if reference:
            ax.plot(xs, [r[reference] for r in sub], ":", color=variant_color(i), lw=1)
    if logx:
        ax.set_xscale("log")
    ax.set_xlabel(x)
    ax.set_ylabel(ylabel or (y if isinstance(y, str) else "value") + " [bits]")
    ax.set_title(title)
    ax.legend(fontsize="x-small", frameon=False)
    return ax


def _grid(nrows: int, ncols: int, *, width: float = 5.0, height: float = 3.4, **kw):
    return plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows), squeeze=False,
                        constrained_layout=True, **kw)


def output_mi_grid(by_dataset: dict, *, estimator: str = "binning_bin_width0.67",
                   layer: str = "softmax"):
    """Rows: datasets; columns: one layer's I(X;T) and I(T;Y) against epoch, per variant.

    `by_dataset` maps a dataset name to its runs (any variants and seeds). Returns the axes.
    """
    fig, axes = _grid(len(by_dataset), 2)
    for row, (name, runs) in zip(axes, by_dataset.items()):
        for quantity, ax in zip(("i_xt", "i_ty"), row):
            layer_curves(group(runs, "variant"), quantity, layer=layer, estimator=estimator,
                         ax=ax, title=f"{name}: {layer} {quantity}")
    return axes


def training_grid(by_dataset: dict, metrics: Sequence[str] = ("loss", "accuracy")):
    """Rows: datasets; columns: training (dashed) and test (solid) loss and accuracy per variant."""
    fig, axes = _grid(len(by_dataset), len(metrics))
    for row, (name, runs) in zip(axes, by_dataset.items()):
        for metric, ax in zip(metrics, row):
            training_curves(group(runs, "variant"), metric, ax=ax, title=f"{name}: {metric}")
    return axes


def layer_mi_grid(groups: dict, estimators: Sequence[str], *, quantity: str = "i_xt",
                  split: str = "test"):
    """Rows: configurations (label -> seed runs); columns: estimators; every layer's curve."""
    fig, axes = _grid(len(groups), len(estimators), width=4.6, height=2.9, sharex=True)
    for (label, runs), row in zip(groups.items(), axes):
        for est, ax in zip(estimators, row):
            mi_curves(runs, quantity, split=split, estimator=est, ax=ax,
                      title=f"{label}: {est}")
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
    results = _as_list(results)
    first = results[0]
    for layer in layers or first.layers:
        color = layer_color(first.layers.index(layer), len(first.layers))
        for stat, style in (("mean", "-"), ("std", "--")):
            epochs, vals = _seed_stack(results,
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
    results = _as_list(results)
    first = results[0]
    for layer in layers or first.layers:
        epochs, vals = _seed_stack(results, lambda r, la=layer: r.weight_norms(la))
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
    fig, axes = _grid(len(by_dataset), len(variants), width=5.4, height=3.8)
    for row, runs in zip(axes, by_dataset.values()):
        for ax, seed_runs in zip(row, group(runs, "variant").values()):
            draw[kind](seed_runs, ax=ax)
    axes[0, 0].legend(fontsize="xx-small", ncol=2, frameon=False)
    return axes


def compression_map(groups: dict, estimators: Sequence[str], *, split: str = "test",
                    size: float = 3.6):
    """Per estimator, every (configuration, layer) cell of the compression test as a point:
    x = rise of I(X;T) from the first snapshot to its peak, y = drop from the peak to the last
    snapshot (bits). A fit-then-compress trajectory lies in the upper right; the shaded band
    is below the `report.MIN_DROP_BITS` floor. Hidden layers are circles, outputs stars.
    """
    fig, axes = _grid(1, len(estimators), width=size, height=size)
    for est, ax in zip(estimators, axes[0]):
        for kind, marker in (("hidden", "o"), ("output", OUTPUT_MARKER)):
            pts = [(c["rise"], c["drop"], c["compressed"])
                   for runs in groups.values()
                   if runs[0].has_estimator(est, split)
                   for layer in runs[0].layers if (layer == "softmax") == (kind == "output")
                   for c in [compression(runs, layer, split=split, estimator=est)]]
            if not pts:
                continue
            rise, drop, passed = map(np.array, zip(*pts))
            ax.scatter(rise, drop, s=18 if kind == "hidden" else 40, marker=marker,
                       c=np.where(passed, "C3", "0.45"), alpha=0.7, edgecolors="none",
                       label=kind)
        ax.axhspan(0, MIN_DROP_BITS, color="0.9", zorder=0)
        ticks = [0, 0.05, 0.2, 1, 4, 16]
        for axis, setter in ((ax.xaxis, ax.set_xscale), (ax.yaxis, ax.set_yscale)):
            setter("symlog", linthresh=0.05, linscale=0.5)
            axis.set_major_locator(ticker.FixedLocator(ticks))
            axis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:g}"))
            axis.set_minor_locator(ticker.NullLocator())
        ax.set_xlim(-0.005, 16)
        ax.set_ylim(-0.005, 16)
        ax.set_xlabel("rise to peak [bits]")
        ax.set_title(est, fontsize="small")
    axes[0, 0].set_ylabel("drop after peak [bits]")
    axes[0, 0].legend(fontsize="x-small", frameon=False)
    return axes


def geometry_grid(groups: dict, estimator: str, *, split: str = "test"):
    """Does compression coincide with saturation or clustering? Rows: configurations (label ->
    seed runs); columns: every layer's I(X;T) under `estimator`, its saturation (tanh: fraction
    of |a| > 0.9; ReLU: fraction of units at exactly 0) and its within/between class distance
    ratio (lower = tighter class clusters), all against epoch on the same snapshot grid.
    Seeds give a min-max band. The geometry is read from the run's stored geometry column."""
    fig, axes = _grid(len(groups), 3, width=4.4, height=2.9, sharex=True)
    for (label, runs), row in zip(groups.items(), axes):
        runs = _as_list(runs)
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


def gap_scatter(rows: Sequence[dict], estimators: Sequence[str], *, size: float = 3.4):
    """Per estimator, one point per run: its largest hidden-layer drop of I(X;T) after the peak
    (x) against the final generalisation gap, train minus test accuracy (y). Circles tanh,
    triangles ReLU; colour by dataset. `rows` come from `ibutils.beyond.gap_rows`."""
    fig, axes = _grid(1, len(estimators), width=size, height=size, sharey=True)
    datasets = list(dict.fromkeys(r["dataset"] for r in rows))
    for est, ax in zip(estimators, axes[0]):
        for act, marker in (("tanh", "o"), ("relu", "^")):
            for i, ds in enumerate(datasets):
                sel = [r for r in rows if r["activation"] == act and r["dataset"] == ds]
                if sel:
                    ax.scatter([r[est] for r in sel], [r["gap_acc"] for r in sel], s=28,
                               marker=marker, color=variant_color(i), alpha=0.75,
                               edgecolors="none", label=f"{act} {ds}")
        ax.axvline(MIN_DROP_BITS, ls=":", color="0.5", lw=1)
        ax.set_xlabel("largest drop after peak [bits]")
        ax.set_title(est, fontsize="small")
    axes[0, 0].set_ylabel("train - test accuracy")
    axes[0, 0].legend(fontsize="x-small", frameon=False)
    return axes


def precision_grid(fp32: dict, bf16: dict, *, estimator: str, split: str = "test"):
    """Is bf16 training within the spread of fp32 seeds? A row per configuration (label ->
    fp32 seed runs in `fp32`, -> one run in `bf16`): train (dashed) and test (solid) loss and
    accuracy with the seeds' min-max band, then every layer's I(X;T) under `estimator` for the
    fp32 seeds (band) and for the bf16 run, on a shared y axis."""
    fig, axes = _grid(len(fp32), 4, width=3.9, height=2.9)
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
