"""Figures that summarise many runs: estimator sweeps, the compression map, drop against the
generalisation gap, and ours against the values the authors released."""
from __future__ import annotations

import textwrap
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import ticker

from ..analysis.compression import MIN_DROP_BITS
from ..labels import ACTIVATION_LABELS, dataset_label, estimator_label, network_label
from .style import OUTPUT_MARKER, QUANTITY_LABELS, grid, variant_color


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


def compression_map(cells: dict, *, size: float = 3.6):
    """Per estimator, every (configuration, layer) cell of the compression test as a point:
    x = rise of I(X;T) from the first snapshot to its peak, y = drop from the peak to the last
    snapshot (bits). A fit-then-compress trajectory lies in the upper right; the shaded band
    is below the `MIN_DROP_BITS` floor. Hidden layers are circles, outputs stars. `cells`
    maps an estimator to its cells (`ibutils.analysis.compression.compression_cells`).
    """
    fig, axes = grid(1, len(cells), width=size, height=size)
    for (est, rows), ax in zip(cells.items(), axes[0]):
        for kind, marker in (("hidden", "o"), ("output", OUTPUT_MARKER)):
            pts = [(c["rise"], c["drop"], c["compressed"]) for c in rows
                   if c["output"] == (kind == "output")]
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
        ax.set_title(estimator_label(est), fontsize="small")
    axes[0, 0].set_ylabel("drop after peak [bits]")
    axes[0, 0].legend(fontsize="x-small", frameon=False)
    return axes


def gap_scatter(rows: Sequence[dict], estimators: Sequence[str], *, size: float = 3.4):
    """Per estimator, one point per run: its largest hidden-layer drop of I(X;T) after the peak
    (x) against the final generalisation gap, train minus test accuracy (y). Circles tanh,
    triangles ReLU; colour by dataset. `rows` come from `ibutils.analysis.mechanisms.gap_rows`."""
    fig, axes = grid(1, len(estimators), width=size, height=size, sharey=True)
    datasets = list(dict.fromkeys(r["dataset"] for r in rows))
    for est, ax in zip(estimators, axes[0]):
        for act, marker in (("tanh", "o"), ("relu", "^")):
            for i, ds in enumerate(datasets):
                sel = [r for r in rows if r["activation"] == act and r["dataset"] == ds]
                if sel:
                    ax.scatter([r[est] for r in sel], [r["gap_acc"] for r in sel], s=28,
                               marker=marker, color=variant_color(i), alpha=0.75,
                               edgecolors="none",
                               label=f"{ACTIVATION_LABELS[act]}, {dataset_label(ds)}")
        ax.axvline(MIN_DROP_BITS, ls=":", color="0.5", lw=1)
        ax.set_xlabel("largest drop after peak [bits]")
        ax.set_title(estimator_label(est), fontsize="small")
    axes[0, 0].set_ylabel("train - test accuracy")
    axes[0, 0].legend(fontsize="x-small", frameon=False)
    return axes


def fidelity_scatter(rows: Sequence[dict], quantity: str = "ity", *, ax=None,
                     title: str | None = None):
    """Ours (seed mean, bar: the seeds' range) against the value Li & Liu released, one point
    per matched (network, dataset, epoch, layer) row of `ibutils.analysis.fidelity`, with the
    identity line; colour: dataset. `quantity`: "ity" or "ixt"."""
    ax = ax or plt.gca()
    for i, dataset in enumerate(dict.fromkeys(r["dataset"] for r in rows)):
        sel = [r for r in rows if r["dataset"] == dataset]
        x = np.array([r[f"theirs_{quantity}"] for r in sel])
        y = np.array([r[f"ours_{quantity}"] for r in sel])
        err = np.array([[r[f"ours_{quantity}"] - r[f"{quantity}_lo"],
                         r[f"{quantity}_hi"] - r[f"ours_{quantity}"]] for r in sel]).T
        err = np.clip(err, 0.0, None)  # a mean of equal values can sit an ulp outside them
        ax.errorbar(x, y, yerr=err, fmt="o", ms=3, lw=0.6, color=variant_color(i), alpha=0.7,
                    label=dataset_label(dataset))
    if rows:
        lo = min(min(r[f"theirs_{quantity}"], r[f"{quantity}_lo"]) for r in rows)
        hi = max(max(r[f"theirs_{quantity}"], r[f"{quantity}_hi"]) for r in rows)
        ax.plot([lo, hi], [lo, hi], ":", color="0.3", lw=1, zorder=0)
    name = QUANTITY_LABELS["i_ty" if quantity == "ity" else "i_xt"]
    ax.set_xlabel(f"{name}, Li & Liu's released value [bits]")
    ax.set_ylabel(f"{name}, ours [bits]")
    ax.set_title(title or "")
    ax.legend(fontsize="small", frameon=False)
    return ax


def fidelity_curves(rows: Sequence[dict], variants: Sequence[str], *, split: str = "test",
                    quantity: str = "ity", width: float = 7.0):
    """Li & Liu's released curve (black markers) over our seeds' band and mean (colour), one
    panel per network of `variants` (at most 4 a row), the output layer, against epoch."""
    sel = [r for r in rows if r["split"] == split and r["kind"] == "output"
           and r["variant"] in variants]
    datasets = list(dict.fromkeys(r["dataset"] for r in sel))
    ncols = min(len(variants), 4)
    nrows = -(-len(variants) // ncols) if variants else 1
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, 2.3 * nrows + 0.4), squeeze=False,
                             sharey=True, constrained_layout=True)
    for ax, variant in zip(axes.flat, variants):
        for i, dataset in enumerate(datasets):
            mine = sorted((r for r in sel if r["variant"] == variant and r["dataset"] == dataset),
                          key=lambda r: r["epoch"])
            if not mine:
                continue
            e = [r["epoch"] for r in mine]
            ax.fill_between(e, [r[f"{quantity}_lo"] for r in mine],
                            [r[f"{quantity}_hi"] for r in mine], color=variant_color(i),
                            alpha=0.25, lw=0)
            ax.plot(e, [r[f"ours_{quantity}"] for r in mine], color=variant_color(i), lw=1.2,
                    label=f"ours, {dataset_label(dataset)}")
            ax.plot(e, [r[f"theirs_{quantity}"] for r in mine], "k.", ms=5,
                    label="Li & Liu" if i == 0 else None)
        ax.set_xscale("log")
        ax.set_title(network_label("", variant), fontsize="medium")
        ax.set_xlabel("epoch")
    for ax in axes.flat[len(variants):]:
        ax.set_visible(False)
    name = QUANTITY_LABELS["i_ty" if quantity == "ity" else "i_xt"]
    for row in axes:
        row[0].set_ylabel(f"output {name} [bits]")
    axes.flat[0].legend(fontsize="x-small", frameon=False)
    return axes


def drop_heatmap(cells: dict, *, width: float = 7.0, row_height: float = 0.32):
    """The compression test as heatmaps: per estimator (one panel each), configurations down,
    hidden layers across, colour = the seeds' mean drop of I(X;T) after fitting in units of
    that estimator's floor (red: a fall, blue: a rise; 1 = the floor), a black dot where the
    test passes. `cells` maps an estimator id to its rows of
    `ibutils.analysis.compression_test.check_cells`."""
    labels = list(dict.fromkeys(c["label"] for rows in cells.values() for c in rows))
    layers = list(dict.fromkeys(c["layer"] for rows in cells.values() for c in rows))
    fig, axes = plt.subplots(1, len(cells), figsize=(width, 1.4 + row_height * len(labels)),
                             sharey=True, constrained_layout=True, squeeze=False)
    norm = plt.matplotlib.colors.TwoSlopeNorm(vmin=-2.0, vcenter=0.0, vmax=2.0)
    for (est, rows), ax in zip(cells.items(), axes[0]):
        grid_ = np.full((len(labels), len(layers)), np.nan)
        for c in rows:
            grid_[labels.index(c["label"]), layers.index(c["layer"])] = c["drop"] / c["floor"]
        image = ax.imshow(grid_, cmap="RdBu_r", norm=norm, aspect="auto",
                          interpolation="nearest")
        for c in rows:
            if c["passed"]:
                ax.plot(layers.index(c["layer"]), labels.index(c["label"]), "ko", ms=4)
        ax.set_xticks(range(len(layers)), layers, rotation=90, fontsize=8.5)
        ax.set_yticks(range(len(labels)), labels, fontsize=8.5)
        ax.set_title(textwrap.fill(estimator_label(est), 16), fontsize=9)
        ax.tick_params(length=0)
    cbar = fig.colorbar(image, ax=axes[0].tolist(), shrink=0.9, extend="both")
    cbar.set_label("mean drop after fitting / floor", fontsize=9)
    cbar.ax.tick_params(labelsize=8.5)
    return axes


def drop_grid(runs, estimators: Sequence[str], *, split: str = "test", width: float = 7.0,
              row_height: float = 0.3):
    """One configuration under many estimator settings: settings down, layers across, colour
    = the fall of the seeds' mean I(X;T) from its peak to the last snapshot (bits, or the
    Renyi estimator's own scale), each cell annotated with the fall and the peak's epoch
    ("0" where the fall is below 0.005)
    (`ibutils.analysis.compression.compression`)."""
    from ..analysis.compression import compression

    runs = list(runs)
    layers = list(runs[0].layers)
    drops = np.array([[compression(runs, la, split=split, estimator=est)["drop"]
                       for la in layers] for est in estimators])
    peaks = [[compression(runs, la, split=split, estimator=est)["peak_epoch"]
              for la in layers] for est in estimators]
    fig, ax = plt.subplots(figsize=(width, 1.3 + row_height * len(estimators)),
                           constrained_layout=True)
    vmax = max(float(np.nanmax(drops)), MIN_DROP_BITS)
    norm = plt.matplotlib.colors.SymLogNorm(linthresh=MIN_DROP_BITS, vmin=0, vmax=vmax)
    image = ax.imshow(drops, cmap="Reds", norm=norm, aspect="auto", interpolation="nearest")
    for i, row in enumerate(drops):
        for j, value in enumerate(row):
            dark = norm(value) > 0.6
            text = f"{value:.2f} ({peaks[i][j]})" if value >= 0.005 else "0"
            ax.text(j, i, text, ha="center", va="center", fontsize=7.5,
                    color="white" if dark else "black")
    ax.set_xticks(range(len(layers)), layers, fontsize=8.5)
    ax.xaxis.tick_top()
    ax.set_yticks(range(len(estimators)), [estimator_label(e) for e in estimators],
                  fontsize=8.5)
    ax.tick_params(length=0)
    cbar = fig.colorbar(image, ax=ax, shrink=0.9)
    cbar.set_label("fall from the peak to the last snapshot", fontsize=9)
    cbar.ax.tick_params(labelsize=8.5)
    return ax


def noise_sweep_lines(rows: Sequence[dict], *, marks: Sequence[float] = (), ax=None,
                      title: str = ""):
    """I(X;T) of noisy layers against the noise's standard deviation (log axis), one line
    per layer (`ibutils.analysis.noise_scale.noise_sweep` rows), with the ceiling log2 N
    dotted, each layer's median nearest-neighbour distance as a tick of its colour on the top
    edge, and `marks` (the noise levels a study uses) as grey verticals."""
    from .style import layer_color

    ax = ax or plt.gca()
    layers = list(dict.fromkeys(r["layer"] for r in rows))
    for i, layer in enumerate(layers):
        sel = sorted((r for r in rows if r["layer"] == layer), key=lambda r: r["noise_std"])
        color = layer_color(i, len(layers))
        ax.errorbar([r["noise_std"] for r in sel], [r["i_xt"] for r in sel],
                    yerr=[2 * r["i_xt_se"] for r in sel], fmt="o-", ms=3, lw=1, color=color,
                    label=layer)
        ax.plot([sel[0]["nn_distance"]], [1.0], "v", color=color, ms=7, clip_on=False,
                transform=ax.get_xaxis_transform())
    ax.axhline(rows[0]["ceiling"], ls=":", color="0.4", lw=1)
    for m in marks:
        ax.axvline(m, color="0.6", lw=4, alpha=0.35, zorder=0)
    ax.set_xscale("log")
    ax.set_xlabel("noise standard deviation (tanh outputs lie in [-1, 1])")
    ax.set_ylabel("I(X;T) [bits]")
    ax.set_ylim(bottom=0)
    if title:
        ax.set_title(title, fontsize=9)
    ax.legend(fontsize="x-small", frameon=False, loc="lower left")
    return ax
