"""The numbers each page's text quotes, by name, formatted as the text shows them. A page
pastes them (`ibutils.book.render.glue`, role ``{glue:text}``) instead of copying them, so its
text cannot drift from its tables when runs are added."""
from __future__ import annotations

import re
from collections import defaultdict

import numpy as np

from ..analysis.compression import (
    MIN_DROP_BITS,
    compression_counts,
    dip,
    saturation_counts,
)
from ..analysis.fitting import fitting_rows, overfitting
from ..analysis.mechanisms import (
    EARLY_PEAK_EPOCH,
    GEOMETRY_TOL,
    activation_of,
    ceiling_counts,
    distinct_rows,
)
from ..analysis.runs import by_config, distinct_runs
from ..analysis.statistics import cluster_bootstrap_ci
from ..config import DATASETS
from ..labels import estimator_label, layer_where

SHORT_NAMES = (("binning_bin_width", "paper_bins"), ("binning_n_bins", "range_bins"),
               ("binning_equal_mass", "adaptive_bins"), ("kde", "kde"), ("renyi", "renyi"))


def glue_key(name: str) -> str:
    """A part of a glue key (`ibutils.book.render.glue`): runs of non-alphanumerics as one
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


def int_span(values) -> str:
    """Integers as their range, "a-b", or as the one value when they are all equal."""
    lo, hi = min(values), max(values)
    return f"{lo}-{hi}" if lo != hi else str(lo)


def float_span(values, fmt: str = ".3f") -> str:
    """Numbers as their range in `fmt`, "a-b", or the one value when both ends print alike."""
    lo, hi = format(min(values), fmt), format(max(values), fmt)
    return lo if lo == hi else f"{lo}-{hi}"


def and_list(names: list[str]) -> str:
    """["a", "b", "c"] -> "a, b and c"."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" and {names[-1]}"


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
                    f"{k}_dip_where": f"{layer_where(layer, run.dataset, run.variant)}, epoch "
                                      f"{top['low_epoch']}" if size != "0.00" else "none",
                    f"{k}_dip_epochs": int_span(deep) if deep else "none",
                    f"{k}_end_change": f"{max(abs(d['change']) for _, _, d in cells):.2f}"})
    return out


def verdict_facts(study: dict, estimators, split: str = "test", rise: float = 0.10) -> dict:
    """The numbers the verdict's text quotes, by name, formatted as it shows them (pasted with
    `ibutils.book.render.glue`, so the text cannot drift from its tables). `estimators`: the
    paper's bins first, then bins by count, then any others.

    ``sat_points`` (hidden-layer points of the distinct runs) and, per estimator short name
    (`short_name`) among the first two, ``sat_{est}`` / ``sat_{est}_pct`` (points at log2 N);
    per estimator, summed over factors (a configuration in two factors in each):
    ``{est}_cells``, ``{est}_pass``, ``{est}_from_init`` (passing without a fitting phase),
    ``{est}_largest`` and ``{est}_largest_where`` (`_compression_facts`); per dataset,
    ``overfit_{dataset}`` ("k of n": configurations ending with a loss more than `rise` above
    their minimum)."""
    out = _saturation_facts(list(distinct_runs(study).values()), estimators[:2], split)
    out.update(_compression_facts([row for results in study.values()
                                   for row in compression_counts(
                                       results, list(dict.fromkeys(estimators)), split=split)]))
    out.update({f"overfit_{dataset}": "n/a" for dataset in DATASETS})  # a page on one dataset
    for dataset, rows in overfitting(study, split, rise).items():
        out[f"overfit_{dataset}"] = f"{sum(over for over, _ in rows)} of {len(rows)}"
    return out


def chapter_facts(results, estimators, split: str = "test") -> dict:
    """The numbers a factor chapter's text quotes, by name, formatted as it shows them
    (pasted with `ibutils.book.render.glue`). `estimators`: the paper's bins, bins by count,
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
            out[f"{dataset}_{glue_key(r['variant'])}_fast_range"] = int_span(fast)
            for q in spread:
                spread[q] = max(spread[q], max(r["per_seed"][q]) - min(r["per_seed"][q]))
    out["acc_spread"], out["ity_spread"] = f"{spread['acc']:.3f}", f"{spread['ity']:.2f}"
    out.update(_saturation_facts(results, estimators[:2], split))
    out.update(_compression_facts(compression_counts(results, list(dict.fromkeys(estimators)),
                                                     split=split)))
    out.update(_dip_facts(results, list(dict.fromkeys(estimators)), split))
    return out


def test_facts(cells: dict[str, list[dict]]) -> dict[str, str]:
    """Per estimator, the calibrated compression test over one page's cells (rows of
    `ibutils.analysis.compression_test.check_cells`): ``{est}_test_cells``, ``_test_pass``,
    ``_test_floor``, ``_test_largest`` (the largest mean drop after fitting),
    ``_test_largest_where`` and ``_test_min_p``."""
    out = {}
    for est, rows in cells.items():
        if not rows:
            continue
        k, top = short_name(est), max(rows, key=lambda r: r["drop"])
        out.update({f"{k}_test_cells": str(len(rows)),
                    f"{k}_test_pass": str(sum(r["passed"] for r in rows)),
                    f"{k}_test_floor": f"{rows[0]['floor']:.3f}",
                    f"{k}_test_largest": f"{top['drop']:.3f}",
                    f"{k}_test_largest_where": layer_where(top["layer"], top["dataset"],
                                                           top["variant"]),
                    f"{k}_test_min_p": f"{min(r['p'] for r in rows):.2f}"})
    return out


def study_facts(chapters: dict) -> dict[str, str]:
    """Every chapter's `Chapter.facts`, each name prefixed by its factor
    (``{factor}_{name}``, e.g. ``kernel_mnist_5conv_k7_fast``), for a whole-study page that
    quotes per-variant numbers next to its own (`verdict_facts`) without clashes."""
    return {f"{factor}_{name}": value for factor, ch in chapters.items()
            for name, value in ch.facts.items()}


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
    return layer_where(c["layer"], c["dataset"], c["variant"], c["activation"])


def compression_chapter_facts(results, cells, gaps, estimators, *, split: str = "test", activations=None,
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
    cells = distinct_rows(cells, "layer", "estimator")
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
            sel = distinct_rows([g for g in gaps
                             if g["factor"] == factor and g["activation"] == act])
            for est in estimators:
                c = cluster_bootstrap_ci([g[est] for g in sel], [g["gap_acc"] for g in sel],
                                         [g["config"] for g in sel])
                out[f"gap_{factor}_{act}_{short_name(est)}_acc"] = _interval(c)
    gaps = distinct_rows(gaps)
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


def calibrated_facts(rows: list[dict], estimators, splits=("test", "train")) -> dict[str, str]:
    """The numbers the text quotes from `ibutils.analysis.compression_test.summary`, per
    estimator short name and set (``cal_{est}_{split}_...``): cells, floor, raw, passed,
    largest, where, smallest_p, null_rate, null_rate_zero ("n/a" where `rows` has no such
    estimator and set, e.g. runs of one seed); and over all rows ``cal_passed`` (passing
    cells in total), ``cal_null_max`` (the largest false-positive rate at the floor),
    ``cal_null_zero_range`` (the range of the t-test's own rate) and ``cal_null_tests``."""
    fields = ("cells", "floor", "raw", "passed", "largest", "where", "smallest_p", "null_rate",
              "null_rate_zero")
    out = {f"cal_{short_name(est)}_{split}_{f}": "n/a"
           for est in estimators for split in splits for f in fields}
    out.update({"cal_passed": str(sum(r["passed"] for r in rows)) if rows else "n/a",
                "cal_null_max": (f"{100 * max(r['null_rate'] for r in rows):.1f}%" if rows
                                 else "n/a"),
                "cal_null_tests": f"{sum(r['null_tests'] for r in rows):,}"})
    zero = [r["null_rate_zero"] for r in rows]
    out["cal_null_zero_range"] = (f"{100 * min(zero):.1f}-{100 * max(zero):.1f}%" if zero
                                  else "n/a")
    for r in rows:
        k = f"cal_{short_name(r['estimator'])}_{r['split']}"
        out.update({f"{k}_cells": str(r["cells"]), f"{k}_floor": f"{r['floor']:.3f}",
                    f"{k}_raw": str(r["raw"]), f"{k}_passed": str(r["passed"]),
                    f"{k}_largest": f"{r['largest']:.3f}", f"{k}_where": r["where"],
                    f"{k}_smallest_p": f"{r['smallest_p']:.2f}",
                    f"{k}_null_rate": f"{100 * r['null_rate']:.1f}%",
                    f"{k}_null_rate_zero": f"{100 * r['null_rate_zero']:.1f}%"})
    return out


def horizon_facts(rows: list[dict], configs: int, floors: dict[str, float],
                  short: int, long: int | None) -> dict[str, str]:
    """What a factor chapter says about training past the seed bands' horizon.

    `rows`: `ibutils.analysis.horizon.horizon_changes` rows of every long run, each with
    ``estimator``, ``network``, ``dataset`` and ``accuracy_change`` added; `configs`: the
    chapter's configurations; `floors`: each estimator's compression-test floor. Keys:
    ``long_runs`` ("k of m"), ``long_epochs``, ``long_summary`` (a sentence), and per estimator
    id ``long_{est}_moved`` ("a of b"), ``long_{est}_fall`` (largest fall after `short`,
    bits) and ``long_{est}_where``.
    """
    runs = {(r["dataset"], r["network"]) for r in rows}
    if not rows:
        return {"long_runs": f"0 of {configs}", "long_epochs": "",
                "long_summary": (f"No configuration of this chapter is stored past epoch "
                                 f"{short} yet.")}
    out = {"long_runs": f"{len(runs)} of {configs}", "long_epochs": f"{long:,}"}
    parts = []
    for est in dict.fromkeys(r["estimator"] for r in rows):
        hidden = [r for r in rows if r["estimator"] == est and r["layer"] != "softmax"]
        moved = [r for r in hidden if r["moved"]]
        top = max(hidden, key=lambda r: r["largest_fall"])
        out[f"long_{glue_key(est)}_moved"] = f"{len(moved)} of {len(hidden)}"
        out[f"long_{glue_key(est)}_fall"] = f"{top['largest_fall']:.3f}"
        out[f"long_{glue_key(est)}_where"] = f"{top['layer']}, {top['network']}, {top['dataset']}"
        name = estimator_label(est)
        up = sum(r["change"] > 0 for r in moved)
        fall = (f"the largest fall after it is {top['largest_fall']:.3f} bits ({top['layer']}, "
                f"{top['network']}, {top['dataset']}; the compression test's floor is "
                f"{floors[est]:.3f})" if f"{top['largest_fall']:.3f}" != "0.000" else
                "no hidden layer falls after it (0.000 bits)")
        parts.append(f"under {'the ' if name.startswith('paper') else ''}{name} "
                     f"{len(moved)} of {len(hidden)} hidden layers end outside the seeds' range "
                     f"at epoch {short} ({up} higher, {len(moved) - up} lower) and {fall}")
    acc = [r["accuracy_change"] for r in rows]
    out["long_summary"] = (
        f"For {len(runs)} of the {configs} pairs of network and dataset, seed 0 is trained on "
        f"to {long:,} epochs. "
        f"After epoch {short}, " + "; ".join(parts)
        + ". Test accuracy changes by " + (f"{acc[0]:+.3f}." if min(acc) == max(acc) else
                                           f"{min(acc):+.3f} to {max(acc):+.3f}."))
    return out


