"""The numbers the reproduction chapter ("The paper's horizon") quotes, by name: how close our
runs come to the values Li & Liu released, and what the runs at the paper's 10,000 epochs do
(`ibutils.analysis.fidelity`, `ibutils.analysis.reproduction`). Pasted with
`ibutils.book.render.glue` like every page's facts (`ibutils.book.facts`)."""
from __future__ import annotations

import numpy as np

from ..analysis.compression import MIN_DROP_BITS
from ..labels import network_label
from .facts import and_list, float_span, int_span


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
    out["rep_missing"] = (f"No run at this horizon yet: {and_list(list(missing))}."
                          if missing else "")
    if not long:
        return out
    out.update(rep_nets=str(len(long)), rep_nets_list=and_list(list(names.values())),
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
        rep_min_loss_epochs=int_span([r["min_loss_epoch"] for r in long]),
        rep_min_loss_between=(f"{min(r['min_loss_between'][0] for r in long):,} and "
                              f"{max(r['min_loss_between'][1] for r in long):,}"),
        rep_min_loss=float_span([r["min_loss"] for r in long]),
        rep_loss=float_span([r["loss"] for r in long]),
        rep_loss_ratio=float_span([r["loss_ratio"] for r in long], ".1f"),
        rep_train_acc=f"{min(r['train_acc'] for r in long):.3f}",
        rep_acc_lost=f"{len(lost)} of {len(long)}",
        rep_acc_lost_where=and_list([
            f"{names[(r['dataset'], r['variant'])]} ({r['acc_at_min_loss']:.3f} at epoch "
            f"{r['min_loss_epoch']:,}, {r['acc']:.3f} at the end)" for r in lost])
        if lost else "no net does",
        rep_hidden_fall=f"{max(r['hidden_fall'] for r in long):.3f}",
        rep_softmax_fall=float_span([r["softmax_fall"] for r in long], ".2f"),
        rep_softmax_peaks=int_span([r["softmax_peak_epoch"] for r in long]))
    layers = [la for r in long for la in r.get("renyi_hidden", [])]
    if layers:
        dipped = [la for la in layers if la["dip"] > MIN_DROP_BITS]
        fell = [la for la in layers if la["compressed"]]
        out.update(
            rep_renyi_layers=str(len(layers)),
            rep_renyi_dipped=f"{len(dipped)} of {len(layers)}",
            rep_renyi_dip_epochs=int_span([la["low_epoch"] for la in dipped]) if dipped else "none",
            rep_renyi_back=(f"{sum(la['last'] - la['low'] >= 0.5 * la['dip'] for la in dipped)}"
                            f" of {len(dipped)}"),
            rep_renyi_near_start=(f"{sum(abs(la['change']) <= MIN_DROP_BITS for la in layers)}"
                                  f" of {len(layers)}"),
            rep_renyi_fell=f"{len(fell)} of {len(layers)}",
            rep_renyi_fell_drops=float_span([la["fall"] for la in fell], ".2f") if fell else "none",
            rep_renyi_fell_peaks=int_span([la["peak_epoch"] for la in fell]) if fell else "none",
            rep_renyi_fell_after=_after_fit_sentence(long),
            rep_renyi_softmax_peak0=(f"{sum(r['renyi_softmax_peak_epoch'] == 0 for r in long)}"
                                     f" of {len(long)}"),
            rep_renyi_softmax_first=float_span([r["renyi_softmax_first"] for r in long]),
            rep_renyi_softmax_last=float_span([r["renyi_softmax_last"] for r in long]))
    if "count_softmax_first" in long[0]:
        out.update(rep_count_softmax_first=float_span([r["count_softmax_first"] for r in long], ".2f"),
                   rep_count_softmax_last=float_span([r["count_softmax_last"] for r in long], ".2f"))
    if agreement:
        worst = lambda est: max(max(a[f"{est}:i_xt"], a[f"{est}:i_ty"])  # noqa: E731
                                for a in agreement)
        tiny = lambda x: "0" if x == 0 else f"{x:.0e}".replace("e-0", "e-")  # noqa: E731
        out.update(rep_agree_runs=str(len(agreement)),
                   rep_agree_snapshots=int_span([a["epochs"] for a in agreement]),
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
        fits = int_span([r["fit_epoch"] for r in long])
        return (f"Every one of these peaks comes before its net has fit (the compression "
                f"test's fitting epoch, {fits} here): these falls are the remains of the early "
                f"dip, not a compression phase after fitting.")
    where = and_list([f"{la['layer']} of {network_label('', r['variant'])} (peak at epoch "
                       f"{la['peak_epoch']:,}, fit at {r['fit_epoch']:,})" for r, la in after])
    return (f"{len(after)} of these peaks come after the net has fit: {where}; with one seed "
            f"such a fall cannot be tested against the seeds' spread.")

