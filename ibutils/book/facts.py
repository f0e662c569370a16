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
from ..labels import dataset_label, estimator_label, layer_where, network_label

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
                    f"{k}_dip_where": f"{layer_where(layer, run.dataset, run.variant)}, epoch "
                                      f"{top['low_epoch']}" if size != "0.00" else "none",
                    f"{k}_dip_epochs": _span(deep) if deep else "none",
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
            out[f"{dataset}_{glue_key(r['variant'])}_fast_range"] = _span(fast)
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


def fidelity_facts(rows: list[dict]) -> dict[str, str]:
    """The numbers the reproduction chapter quotes from `ibutils.analysis.fidelity` rows
    (every name present even without rows: "n/a"). ``fid_values``, ``fid_runs`` (their runs
    matched), ``fid_epochs`` (the matched epochs); per split (``fid_{split}_...``) and layer
    kind: ``{kind}_ixt_mean`` / ``_max`` and ``{kind}_ity_mean`` / ``_max`` (mean and largest
    |ours - theirs|, bits); ``output_seed_range`` (median range of our seeds' output I(T;Y));
    ``final_ity_mean`` / ``_max`` (output I(T;Y) at the last matched epoch) and
    ``final_epoch``; ``ceiling_theirs`` / ``ceiling_ours`` (largest hidden I(X;T))."""
    out = {"fid_values": f"{len(rows):,}", "fid_runs": str(len({r["run"] for r in rows})),
           "fid_epochs": ", ".join(str(e) for e in sorted({r["epoch"] for r in rows})) or "n/a"}
    for split in ("train", "test"):
        k = f"fid_{split}"
        mine = [r for r in rows if r["split"] == split]
        for kind in ("hidden", "output"):
            sel = [r for r in mine if r["kind"] == kind]
            for q in ("ixt", "ity"):
                d = [abs(r[f"ours_{q}"] - r[f"theirs_{q}"]) for r in sel]
                out[f"{k}_{kind}_{q}_mean"] = f"{np.mean(d):.3f}" if d else "n/a"
                out[f"{k}_{kind}_{q}_max"] = f"{max(d):.3f}" if d else "n/a"
        outputs = [r for r in mine if r["kind"] == "output"]
        ranges = [r["ity_hi"] - r["ity_lo"] for r in outputs]
        out[f"{k}_output_seed_range"] = f"{np.median(ranges):.3f}" if ranges else "n/a"
        last = max((r["epoch"] for r in outputs), default=None)
        final = [abs(r["ours_ity"] - r["theirs_ity"]) for r in outputs if r["epoch"] == last]
        out[f"{k}_final_epoch"] = str(last) if last is not None else "n/a"
        out[f"{k}_final_ity_mean"] = f"{np.mean(final):.3f}" if final else "n/a"
        out[f"{k}_final_ity_max"] = f"{max(final):.3f}" if final else "n/a"
        hidden = [r for r in mine if r["kind"] == "hidden"]
        out[f"{k}_ceiling_theirs"] = (f"{max(r['theirs_ixt'] for r in hidden):.4f}"
                                      if hidden else "n/a")
        out[f"{k}_ceiling_ours"] = (f"{max(r['ours_ixt'] for r in hidden):.4f}"
                                    if hidden else "n/a")
    return out


def _fspan(values, fmt: str = ".3f") -> str:
    """Numbers as their range in `fmt`, "a-b", or the one value when both ends print alike."""
    lo, hi = format(min(values), fmt), format(max(values), fmt)
    return lo if lo == hi else f"{lo}-{hi}"


def _net_list(names: list[str]) -> str:
    """["a", "b", "c"] -> "a, b and c"."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" and {names[-1]}"


def reproduction_facts(long: list[dict], against: list[dict], agreement: list[dict],
                       estimators: dict[str, str], *, reported: dict | None = None,
                       missing: list[str] = ()) -> dict[str, str]:
    """The numbers the reproduction chapter's findings quote, over every run it shows.

    `long`: `ibutils.analysis.reproduction.long_horizon_rows` (with Renyi and bins by count);
    `against`: `reproduction_rows`; `agreement`: `agreement_rows` against the shorter profile;
    `estimators` maps "binned", "by_count" and "renyi" to the ids whose columns `agreement`
    holds; `reported`: the paper's output I(T;Y) per (dataset, variant); `missing`: networks
    with no run at this horizon (in words). Every key is present ("n/a" without runs):

    - ``rep_nets`` (count), ``rep_nets_list``, ``rep_epochs``, ``rep_missing`` (a sentence, or
      "" when nothing is missing);
    - ``rep_hidden_points``, ``rep_at_log2n`` / ``rep_at_hy`` ("all n" or "k of n"),
      ``rep_softmax_ixt_max`` and ``rep_paper_ity`` (our final output I(T;Y) against every
      number the paper reports, in words);
    - ``rep_min_loss_epochs``, ``rep_min_loss``, ``rep_loss``, ``rep_loss_ratio`` (ranges),
      ``rep_train_acc`` (the lowest final training accuracy), ``rep_acc_lost`` ("k of n":
      nets whose final test accuracy is more than 0.01 below that at their lowest test loss)
      and ``rep_acc_lost_where``;
    - ``rep_hidden_fall`` (the largest fall of a hidden layer under the paper's bins),
      ``rep_softmax_fall`` and ``rep_softmax_peaks`` (the output's);
    - Renyi: ``rep_renyi_layers``, ``rep_renyi_dipped`` (hidden layers whose lowest point lies
      more than `MIN_DROP_BITS` below the first snapshot), ``rep_renyi_dip_epochs`` (their
      lowest points), ``rep_renyi_back`` (of those, how many end at least half the dip above
      the low), ``rep_renyi_near_start`` (layers ending within `MIN_DROP_BITS` of their
      start), ``rep_renyi_fell`` (layers ending more than `MIN_DROP_BITS` below a peak),
      ``rep_renyi_fell_drops``, ``rep_renyi_fell_peaks`` (its epochs),
      ``rep_renyi_softmax_first`` / ``_last``, ``rep_count_softmax_first`` / ``_last``;
    - agreement: ``rep_agree_runs``, ``rep_agree_snapshots``, ``rep_agree_acc``,
      ``rep_agree_loss``, ``rep_agree_binned``, ``rep_agree_renyi`` (largest differences).
    """
    reported = reported or {}
    names = {(r["dataset"], r["variant"]): network_label("", r["variant"]) for r in long}
    keys = ("nets nets_list epochs hidden_points at_log2n at_hy softmax_ixt_max paper_ity "
            "min_loss_epochs min_loss_between min_loss loss loss_ratio train_acc acc_lost acc_lost_where "
            "hidden_fall softmax_fall softmax_peaks renyi_layers renyi_dipped renyi_dip_epochs "
            "renyi_back renyi_near_start renyi_fell renyi_fell_drops renyi_fell_peaks "
            "renyi_fell_after renyi_softmax_peak0 "
            "renyi_softmax_first renyi_softmax_last count_softmax_first count_softmax_last "
            "agree_runs agree_snapshots agree_acc agree_loss agree_binned agree_renyi").split()
    out = {f"rep_{k}": "n/a" for k in keys}
    out["rep_missing"] = (f"No run at this horizon yet: {_net_list(list(missing))}."
                          if missing else "")
    if not long:
        return out
    out.update(rep_nets=str(len(long)), rep_nets_list=_net_list(list(names.values())),
               rep_epochs=f"{max(r['last_epoch'] for r in long):,}")
    points = sum(r["points"] for r in against)
    for key in ("at_log2n", "at_hy"):
        got = sum(r[key] for r in against)
        out[f"rep_{key}"] = f"all {points:,}" if got == points else f"{got:,} of {points:,}"
    out["rep_hidden_points"] = f"{points:,}"
    out["rep_softmax_ixt_max"] = f"{max(r['softmax_ixt_max'] for r in against):.3f}"
    by_net = {(r["dataset"], r["variant"]): r for r in long}
    paper = [f"{by_net[k]['ity']:.3f} bits for {names[k]} (the paper: about {v:g}; "
             f"{by_net[k]['ity_at_min_loss']:.3f} at its lowest test loss)"
             for k, v in reported.items() if k in by_net]
    out["rep_paper_ity"] = "; ".join(paper) if paper else "no number the paper reports"
    lost = [r for r in long if r["acc_at_min_loss"] - r["acc"] > 0.01]
    out.update(
        rep_min_loss_epochs=_span([r["min_loss_epoch"] for r in long]),
        rep_min_loss_between=(f"{min(r['min_loss_between'][0] for r in long):,} and "
                              f"{max(r['min_loss_between'][1] for r in long):,}"),
        rep_min_loss=_fspan([r["min_loss"] for r in long]),
        rep_loss=_fspan([r["loss"] for r in long]),
        rep_loss_ratio=_fspan([r["loss_ratio"] for r in long], ".1f"),
        rep_train_acc=f"{min(r['train_acc'] for r in long):.3f}",
        rep_acc_lost=f"{len(lost)} of {len(long)}",
        rep_acc_lost_where=_net_list([
            f"{names[(r['dataset'], r['variant'])]} ({r['acc_at_min_loss']:.3f} at epoch "
            f"{r['min_loss_epoch']:,}, {r['acc']:.3f} at the end)" for r in lost])
        if lost else "no net does",
        rep_hidden_fall=f"{max(r['hidden_fall'] for r in long):.3f}",
        rep_softmax_fall=_fspan([r["softmax_fall"] for r in long], ".2f"),
        rep_softmax_peaks=_span([r["softmax_peak_epoch"] for r in long]))
    layers = [la for r in long for la in r.get("renyi_hidden", [])]
    if layers:
        dipped = [la for la in layers if la["dip"] > MIN_DROP_BITS]
        fell = [la for la in layers if la["compressed"]]
        out.update(
            rep_renyi_layers=str(len(layers)),
            rep_renyi_dipped=f"{len(dipped)} of {len(layers)}",
            rep_renyi_dip_epochs=_span([la["low_epoch"] for la in dipped]) if dipped else "none",
            rep_renyi_back=(f"{sum(la['last'] - la['low'] >= 0.5 * la['dip'] for la in dipped)}"
                            f" of {len(dipped)}"),
            rep_renyi_near_start=(f"{sum(abs(la['change']) <= MIN_DROP_BITS for la in layers)}"
                                  f" of {len(layers)}"),
            rep_renyi_fell=f"{len(fell)} of {len(layers)}",
            rep_renyi_fell_drops=_fspan([la["fall"] for la in fell], ".2f") if fell else "none",
            rep_renyi_fell_peaks=_span([la["peak_epoch"] for la in fell]) if fell else "none",
            rep_renyi_fell_after=_after_fit_sentence(long),
            rep_renyi_softmax_peak0=(f"{sum(r['renyi_softmax_peak_epoch'] == 0 for r in long)}"
                                     f" of {len(long)}"),
            rep_renyi_softmax_first=_fspan([r["renyi_softmax_first"] for r in long]),
            rep_renyi_softmax_last=_fspan([r["renyi_softmax_last"] for r in long]))
    if "count_softmax_first" in long[0]:
        out.update(rep_count_softmax_first=_fspan([r["count_softmax_first"] for r in long], ".2f"),
                   rep_count_softmax_last=_fspan([r["count_softmax_last"] for r in long], ".2f"))
    if agreement:
        worst = lambda est: max(max(a[f"{est}:i_xt"], a[f"{est}:i_ty"])  # noqa: E731
                                for a in agreement)
        tiny = lambda x: "0" if x == 0 else f"{x:.0e}".replace("e-0", "e-")  # noqa: E731
        out.update(rep_agree_runs=str(len(agreement)),
                   rep_agree_snapshots=_span([a["epochs"] for a in agreement]),
                   rep_agree_acc=tiny(max(a["acc"] for a in agreement)),
                   rep_agree_loss=tiny(max(a["loss"] for a in agreement)),
                   rep_agree_binned=tiny(max(worst(estimators["binned"]),
                                             worst(estimators["by_count"]))),
                   rep_agree_renyi=tiny(worst(estimators["renyi"])))
    return out


def _after_fit_sentence(long: list[dict]) -> str:
    """Whether the Renyi falls of more than `MIN_DROP_BITS` of `long_horizon_rows` start
    from peaks before or after each net has fit, as a sentence."""
    fell = [(r, la) for r in long for la in r["renyi_hidden"] if la["compressed"]]
    if not fell:
        return "No hidden layer ends more than 0.05 below a peak."
    after = [(r, la) for r, la in fell if la["after_fit"]]
    if not after:
        fits = _span([r["fit_epoch"] for r in long])
        return (f"Every one of these peaks comes before its net has fit (the compression "
                f"test's fitting epoch, {fits} here): these falls are the remains of the early "
                f"dip, not a compression phase after fitting.")
    where = _net_list([f"{la['layer']} of {network_label('', r['variant'])} (peak at epoch "
                       f"{la['peak_epoch']:,}, fit at {r['fit_epoch']:,})" for r, la in after])
    return (f"{len(after)} of these peaks come after the net has fit: {where}; with one seed "
            f"such a fall cannot be tested against the seeds' spread.")


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
        f"Seed 0 of {len(runs)} of the {configs} configurations is trained to {long:,} epochs. "
        f"After epoch {short}, " + "; ".join(parts)
        + ". Test accuracy changes by " + (f"{acc[0]:+.3f}." if min(acc) == max(acc) else
                                           f"{min(acc):+.3f} to {max(acc):+.3f}."))
    return out


def _coverage(rows: list[dict]) -> str:
    """How much of the grid the robustness rows cover, in words for a sentence."""
    if not rows:
        return "on no configuration yet"
    of = max(r["of_configurations"] for r in rows)
    least = min(r["configurations"] for r in rows)
    if least == of:
        return f"on all {of} configurations"
    most = max(r["configurations"] for r in rows)
    have = f"{least}" if least == most else f"{least}-{most}"
    return f"so far on {have} of the {of} configurations"


def clustering_facts(rows: list[dict], name: str) -> dict[str, str]:
    """Does a setting's fall after fitting go with class clustering? From
    `ibutils.analysis.mechanisms.cell_clustering_rows` of one estimator setting: the
    correlation of each cell's mean drop with the tightening of its class clusters over the
    fall (minus the change of the within/between distance ratio), with a 95% interval that
    resamples configurations (`cluster_bootstrap_ci`). Keys ``rob_{name}_clustering`` (a
    clause to follow "Under <setting>, "; an interval above 0 reads "tighter", below 0
    "looser", else "neither"), ``_clustering_r``, ``_clustering_cells`` and
    ``_clustering_side`` (that word)."""
    key = f"rob_{name}_clustering"
    if not rows:
        return {key: "no configuration carries both this setting and the class-distance "
                     "measures yet.", f"{key}_r": "n/a", f"{key}_cells": "0"}
    ci = cluster_bootstrap_ci([r["drop"] for r in rows],
                              [-r["d_within_between"] for r in rows],
                              [r["label"] for r in rows])
    r_text = f"r = {ci['r']:.2f}" + (f" [{ci['lo']:.2f}, {ci['hi']:.2f}]"
                                     if np.isfinite(ci["lo"]) else " (too few configurations "
                                                                   "for an interval)")
    side = ("tighter" if np.isfinite(ci["lo"]) and ci["lo"] > 0 else
            "looser" if np.isfinite(ci["hi"]) and ci["hi"] < 0 else "neither")
    how = {"tighter": "goes with tighter class clusters",
           "looser": "goes with looser class clusters, not tighter ones",
           "neither": "is not tied to class clustering either way"}[side]
    configs = len({r["label"] for r in rows})
    return {key: (f"the fall after fitting {how}: {r_text} over the {len(rows)} hidden cells "
                  f"of the {configs} configurations that also carry the class-distance "
                  f"measures (between a cell's mean fall and the tightening of its class "
                  f"clusters over it, that is minus the change of the within/between distance "
                  f"ratio; the interval resamples configurations)."),
            f"{key}_r": f"{ci['r']:.2f}", f"{key}_cells": str(len(rows)), f"{key}_side": side}


def orders_contrast(setting: dict[str, str], default: dict[str, str], name: str) -> str:
    """One sentence on whether a Renyi setting and the default read class clustering the same
    way, from their `clustering_facts` (``..._side``); "" when either is undecided."""
    a, b = setting.get(f"rob_{name}_clustering_side"), default.get("rob_default_clustering_side")
    if a == b or "neither" in (a, b) or None in (a, b):
        return ""
    return (f"The two orders read the same layers in opposite ways: the falls that count under "
            f"the setting come with {a} class clusters, those of the default order with {b} "
            f"ones{', the clustering Goldfeld et al. call compression' if b == 'tighter' else ''}.")


def _claim_sentence(rows: list[dict], coverage: str, split: str) -> str:
    """Whether no cell passing survives every setting in `rows` (`robustness` rows of one
    set), as a sentence for the verdict."""
    where = f"on the {'test' if split == 'test' else 'training'} set"
    if not rows:
        return "No configuration carries the other Rényi settings yet."
    passing = [r for r in rows if r["passed"]]
    if not passing:
        return (f"The claim also holds under {len(rows)} other settings of the Rényi estimator, "
                f"measured {coverage}: no cell passes under any of them {where}.")
    parts = []
    for r in passing:
        cells = r.get("passing_cells", [])
        counts: dict = defaultdict(int)
        for c in cells:
            counts[c["dataset"]] += 1
        sets = ", ".join(f"{n} on {dataset_label(d)}" for d, n in
                         sorted(counts.items(), key=lambda kv: -kv[1]))
        shares = [c["share"] for c in cells if np.isfinite(c["share"])]
        size = (f"; falls of {100 * min(shares):.0f}-{100 * max(shares):.0f}% of the value at "
                f"the peak" if len(shares) > 1 else
                f"; a fall of {100 * shares[0]:.0f}% of the value at the peak" if shares else "")
        ref = (f", against {r['ref_passed']} under the default setting on the same "
               f"configurations and seeds" if "ref_passed" in r else "")
        parts.append(f"{r['passed']} under {estimator_label(r['estimator'])} ({sets}{size}{ref})")
    text = (f"The claim does not hold under every setting of the Rényi estimator: measured "
            f"{coverage}, "
            f"hidden cells pass the same test {where}, " + "; ".join(parts) + ".")
    none = [estimator_label(r["estimator"]) for r in rows if not r["passed"]]
    if none:
        text += f" Under {_net_list(none)}, no cell passes."
    return text


def robustness_facts(rows: list[dict], names: dict[str, str], *,
                     split: str = "test") -> dict[str, str]:
    """The numbers the verdict quotes from `ibutils.analysis.compression_test.robustness`
    (rows with a reference setting), per setting short name (`names`: estimator id -> name,
    e.g. ``ibutils.config.RENYI_ROBUSTNESS_NAMES``) on `split`: ``rob_{name}_passed``,
    ``_largest``, ``_floor``, ``_configs`` ("k of m"), ``_flagged``, ``_early``,
    ``_ref_flagged`` ("n/a" for a setting not yet measured); over
    all settings ``rob_settings``, ``rob_passed`` and ``rob_passing`` (on `split`: the count,
    and the passing cells in words per setting), ``rob_largest``, ``rob_configs``,
    ``rob_of_configs``, ``rob_coverage`` ("on all 32 configurations" once every setting covers
    the grid, else "so far on 4 of the 32 configurations"); ``rob_claim``, a sentence on
    whether "no cell passes" survives every setting (per setting with passing cells: how
    many, on which datasets, their falls as a share of the value at the peak, and the default
    setting's count on the same configurations); and
    ``rob_width_rule``, a sentence on whether the looser test's falls survive fixing the
    kernel width at its epoch-0 value (rule fixed in advance: at most half of the reference's
    flags remaining is "depend on the width rule", at least as many is "survive it")."""
    configs = sorted({r["configurations"] for r in rows})
    mine = [r for r in rows if r["split"] == split]
    passing = [f"{estimator_label(r['estimator'])}: {', '.join(r['passing'])}"
               for r in mine if r["passed"]]
    out = {"rob_settings": f"{len({r['estimator'] for r in rows})}",
           "rob_passed": f"{sum(r['passed'] for r in mine)}",
           "rob_passing": ("no cell passes under any of them" if not passing else
                           "cells pass under " + "; under ".join(passing)),
           "rob_largest": f"{max(r['largest'] for r in rows):.3f}" if rows else "n/a",
           "rob_configs": (f"{configs[0]}" if len(configs) == 1 else
                           f"{configs[0]}-{configs[-1]}" if configs else "0"),
           "rob_of_configs": f"{max((r['of_configurations'] for r in rows), default=0)}",
           "rob_coverage": _coverage(rows)}
    out["rob_claim"] = _claim_sentence(mine, out["rob_coverage"], split)
    out.update({f"rob_{name}_{f}": "n/a" for name in names.values()  # "n/a" until measured
                for f in ("passed", "largest", "floor", "configs", "flagged", "early",
                          "ref_flagged")})
    for r in rows:
        if r["split"] != split or r["estimator"] not in names:
            continue
        key = f"rob_{names[r['estimator']]}"
        out.update({f"{key}_passed": f"{r['passed']}", f"{key}_largest": f"{r['largest']:.3f}",
                    f"{key}_floor": f"{r['floor']:.4f}",
                    f"{key}_configs": f"{r['configurations']} of {r['of_configurations']}",
                    f"{key}_flagged": f"{r['flagged']}", f"{key}_early": f"{r['flagged_early']}",
                    f"{key}_ref_flagged": f"{r.get('ref_flagged', 'n/a')}"})
    fixed = next((r for r in rows if r["split"] == split
                  and names.get(r["estimator"]) == "fixed"), None)
    if fixed is None or "ref_flagged" not in fixed:
        out["rob_width_rule"] = ("No configuration carries the fixed-width setting yet, so "
                                 "whether they depend on the width rule is not known.")
    elif fixed["ref_flagged"] == 0:
        out["rob_width_rule"] = ("The looser test flags no cell on these configurations under "
                                 "either rule, so there is nothing for the width rule to change.")
    else:
        share = fixed["flagged"] / fixed["ref_flagged"]
        verdict = ("depend on the width rule" if share <= 0.5 else
                   "survive fixing the width" if share >= 1 else "partly depend on the width rule")
        out["rob_width_rule"] = (
            f"The falls the looser test flags {verdict}: with each layer's kernel width held at "
            f"its epoch-0 value it flags {fixed['flagged']} hidden cells, against "
            f"{fixed['ref_flagged']} under the median rule on the same "
            f"{fixed['configurations']} configurations.")
    return out
