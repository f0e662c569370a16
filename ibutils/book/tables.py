"""Markdown tables of the book, from the rows and numbers of `ibutils.analysis`. Each returns
a string; a page shows it as a `Text`."""
from __future__ import annotations

import numpy as np

from ..analysis.compression import (
    compression,
    compression_counts,
    compression_verdict,
    saturation_counts,
)
from ..analysis.fitting import fitting_rows, overfitting, snr_rows
from ..analysis.mechanisms import (
    GEOMETRY_TOL,
    ceiling_counts,
    distinct_rows,
    group_rows,
)
from ..analysis.runs import distinct_runs, layer_order
from ..analysis.statistics import cluster_bootstrap_ci, pearson_ci
from ..config import PAPER_ID
from ..labels import (
    ACTIVATION_LABELS,
    SPLIT_LABELS,
    dataset_label,
    estimator_label,
    layer_span,
    network_label,
)
from ..mi import SATURATION_TOL
from .facts import float_span
from .render import markdown_table


def summary_table(results, estimator: str = PAPER_ID) -> str:
    """Per run: horizon, snapshots, training time per epoch, final accuracies and output I(T;Y)."""
    rows = []
    for r in results:
        last = r.snapshots()[-1]
        epochs = max(r.payload["epochs_trained"], 1)
        rows.append([
            dataset_label(r.dataset), network_label("", r.variant), r.seed, int(last["epoch"]),
            len(r.snapshots()),
            round(r.payload["train_seconds"] / epochs, 2),
            last["train"]["accuracy"], last["test"]["accuracy"],
            last["test"]["mi"][estimator]["softmax"]["i_ty"],
        ])
    header = ["dataset", "network", "seed", "last epoch", "snapshots", "s/epoch (incl. MI)",
              "train acc", "test acc", "test I(T;Y) softmax [bits]"]
    return markdown_table(header, rows)


def compression_table(groups: dict, estimators, *, split: str = "test") -> str:
    """Markdown table of the `compression` test: one row per (configuration, estimator).

    `groups` maps a label to the seed runs of one configuration (`by_config`). Cells give
    the drop of I(X;T) after its peak (bits) and, in brackets, the epoch of the peak; a star
    marks a drop that passes the test.
    """
    runs_of = {label: runs if isinstance(runs, (list, tuple)) else [runs]
               for label, runs in groups.items()}
    # union of the configurations' layers, hidden layers in depth order, the output last
    hidden = [la for runs in runs_of.values() for la in runs[0].layers if la != "softmax"]
    layers = sorted(dict.fromkeys(hidden), key=layer_order) + ["softmax"]
    rows = []
    for label, runs in runs_of.items():
        for est in estimators:
            cells = []
            for layer in layers:
                if layer not in runs[0].layers:
                    cells.append("")
                    continue
                c = compression(runs, layer, split=split, estimator=est)
                cells.append(f"{c['drop']:.2f}{'*' if c['compressed'] else ''} "
                             f"({c['peak_epoch']})")
            rows.append([label, estimator_label(est), *cells])
    return markdown_table(["configuration", "estimator", *layers], rows)


def _with_range(value, per_seed, fmt: str) -> str:
    """``value`` formatted, followed by the seeds' [min, max] when there are several."""
    text = format(value, fmt)
    if len(per_seed) > 1:
        text += f" [{format(min(per_seed), fmt)}, {format(max(per_seed), fmt)}]"
    return text


def fitting_table(results, estimator: str = PAPER_ID, split: str = "test",
                  level: float = 0.95) -> str:
    """`fitting_rows` as a Markdown table; with several seeds, the final accuracy, I(T;Y) and
    epoch to `level` carry the [min, max] over the seeds' own curves."""
    rows = fitting_rows(results, estimator, split, level)
    header = ["dataset", "network", "seeds", f"final {split} acc", f"final {split} I(T;Y) softmax",
              f"epoch to {int(level * 100)}% of final acc", f"epoch of min {split} loss",
              f"final {split} loss", "train - test acc"]
    body = [[dataset_label(r["dataset"]), network_label("", r["variant"]), r["seeds"],
             _with_range(r["acc"], r["per_seed"]["acc"], ".3f"),
             _with_range(r["ity"], r["per_seed"]["ity"], ".3f"),
             _with_range(r["fast"], r["per_seed"]["fast"], "d"),
             r["min_loss_epoch"], r["loss"], r["gap"]] for r in rows]
    return markdown_table(header, body) + (
        "\n\nMeans over the seeds (epochs on the seed-mean curve); in brackets the lowest and "
        "highest of the seeds' own values, where a configuration has several.")


def snr_table(results) -> str:
    """`ibutils.analysis.fitting.snr_rows` as a Markdown table ("-": never below 1)."""
    rows = [[r["label"], r["layer"], r["first"], r["last"],
             "-" if r["below_one"] is None else r["below_one"]] for r in snr_rows(results)]
    return markdown_table(["configuration", "layer", "SNR first", "SNR last",
                           "first epoch SNR < 1"], rows)


def format_trend(check: dict) -> str:
    """One `trend` result as text: values per dataset, and whether each is monotone."""
    return "; ".join(f"{dataset_label(d)}: {', '.join(f'{v:.3g}' for v in c['values'])} "
                     f"({('yes, with ties' if c['ties'] else 'yes') if c['holds'] else 'no'})"
                     for d, c in check.items())


def claims_table(claims) -> str:
    """Markdown table of fitting claims: `claims` holds (factor, claim, `trend` result)."""
    rows = [[factor, claim, format_trend(check),
             "held" if all(c["holds"] for c in check.values()) else "not everywhere"]
            for factor, claim, check in claims]
    return markdown_table(["factor", "claim", "our runs (values per variant)", "verdict"], rows)


def saturation_table(study: dict, estimators, split: str = "test") -> str:
    """Per factor (study: factor -> runs) and binning estimator: hidden-layer points at log2 N."""
    rows = []
    for factor, results in study.items():
        counts = [saturation_counts(results, est, split) for est in estimators]
        rows.append([factor, counts[0]["points"], *[c["saturated"] for c in counts]])
    distinct = list(distinct_runs(study).values())
    counts = [saturation_counts(distinct, est, split) for est in estimators]
    rows.append(["all (distinct runs)", counts[0]["points"], *[c["saturated"] for c in counts]])
    for row in rows:
        row[2:] = [f"{v} ({100 * v / row[1]:.1f}%)" for v in row[2:]]
    return markdown_table(["factor", "hidden points", *[f"at log2 N: {estimator_label(e)}" for e in estimators]],
                          rows)


def compression_verdict_table(study: dict, estimators, split: str = "test") -> str:
    """Per factor, one column per estimator: verdict on "no hidden layer compresses" and the
    count of passing (configuration, layer) cells, and how many of them peak at initialisation."""
    rows = []
    for factor, results in study.items():
        rows.append([factor] + [f"{compression_verdict(c)} ({c['hidden_pass']}/"
                                f"{c['hidden_cells']} pass; {c['hidden_from_init']} of them "
                                f"without a fitting phase)"
                                for c in compression_counts(results, estimators, split=split)])
    return markdown_table(["factor", *map(estimator_label, estimators)], rows)


def compression_counts_table(study: dict, estimators, split: str = "test") -> str:
    """`compression_counts` of every factor and estimator, hidden layers and outputs apart."""
    rows = [[factor, estimator_label(c["estimator"]), f"{c['hidden_pass']} / {c['hidden_cells']}",
             c["hidden_from_init"], c["largest_hidden"],
             f"{c['output_pass']} / {c['output_cells']}", c["output_from_init"]]
            for factor, results in study.items()
            for c in compression_counts(results, estimators, split=split)]
    return markdown_table(["factor", "estimator", "hidden layers passing",
                           "of which without a fitting phase", "largest hidden drop",
                           "outputs passing", "of which without a fitting phase"], rows)


def overfitting_table(study: dict, split: str = "test") -> str:
    """Per configuration: the epoch of the lowest `split` loss and the final accuracy gap."""
    rows = [[factor, dataset_label(r["dataset"]), network_label("", r["variant"]),
             r["min_loss_epoch"], r["gap"]]
            for factor, results in study.items() for r in fitting_rows(results, split=split)]
    return markdown_table(["factor", "dataset", "network", f"epoch of min {split} loss",
                           f"train - {split} acc (final)"], rows)


def overfitting_summary(study: dict, split: str = "test", rise: float = 0.10) -> str:
    """Per dataset: how many configurations overfit, i.e. end with a `split` loss more than
    `rise` (relative) above its minimum, and the median epoch of that minimum."""
    parts = []
    for dataset, rows in overfitting(study, split, rise).items():
        n_over = sum(over for over, _ in rows)
        parts.append(f"{dataset_label(dataset)}: {n_over} of {len(rows)} configurations end "
                     f"with a {split} "
                     f"loss more than {100 * rise:.0f}% above its minimum (median epoch of the "
                     f"minimum: {int(np.median([e for _, e in rows]))})")
    return "; ".join(parts) + "."


def reproduction_table(rows: list[dict], split: str = "test") -> str:
    """`reproduction_rows` as a Markdown table, the paper's value beside ours."""
    header = ["dataset", "network", "seed", "last epoch",
              "hidden points at log2 N (paper: all)", "hidden points at H(Y) (paper: all)",
              "max softmax I(X;T) (paper: near log2 11 = 3.46)",
              f"final {split} I(T;Y) softmax: ours", "paper's",
              f"final train / {split} acc", f"{split} loss: min (epoch) -> final"]
    body = [[dataset_label(r["dataset"]), network_label("", r["variant"]), r["seed"],
             r["last_epoch"],
             f"{r['at_log2n']} of {r['points']}", f"{r['at_hy']} of {r['points']}",
             r["softmax_ixt_max"], r["ity"],
             "not reported" if r["paper_ity"] is None else f"about {r['paper_ity']:.1f}",
             f"{r['train_acc']:.3f} / {r['acc']:.3f}",
             f"{r['min_loss']:.3f} ({r['min_loss_epoch']}) -> {r['loss']:.3f}"] for r in rows]
    return markdown_table(header, body)


def long_horizon_table(rows: list[dict], split: str = "test") -> str:
    """`ibutils.analysis.reproduction.long_horizon_rows` as a Markdown table: where each net
    is best, how far it overfits, and how its layers move under Renyi."""
    header = ["network", f"{split} loss: lowest (epoch) → end",
              f"{split} accuracy: at lowest loss → end (best, epoch)",
              "output I(T;Y), paper's bins: at lowest loss → end",
              "output I(X;T), paper's bins: fall from its peak (epoch)",
              "Rényi, deepest dip of a hidden layer: start → lowest (epoch) → end",
              "Rényi, hidden layers ending > 0.05 below a peak: fall (peak's epoch)",
              "output I(X;T), Rényi: start → end"]
    body = []
    for r in rows:
        deep = max(r["renyi_hidden"], key=lambda la: la["dip"])
        falls = [f"{la['layer']} {la['fall']:.2f} ({la['peak_epoch']:,})"
                 for la in r["renyi_hidden"] if la["compressed"]]
        body.append([
            f"{network_label('', r['variant'])} ({dataset_label(r['dataset'])})",
            f"{r['min_loss']:.3f} ({r['min_loss_epoch']:,}) → {r['loss']:.3f} "
            f"(x{r['loss_ratio']:.1f})",
            f"{r['acc_at_min_loss']:.3f} → {r['acc']:.3f} ({r['best_acc']:.3f}, "
            f"{r['best_acc_epoch']:,})",
            f"{r['ity_at_min_loss']:.3f} → {r['ity']:.3f}",
            f"{r['softmax_fall']:.2f} ({r['softmax_peak_epoch']:,})",
            f"{deep['layer']}: {deep['first']:.3f} → {deep['low']:.3f} "
            f"({deep['low_epoch']:,}) → {deep['last']:.3f}",
            "; ".join(falls) or "none",
            f"{r['renyi_softmax_first']:.3f} → {r['renyi_softmax_last']:.3f}"])
    return markdown_table(header, body)


def agreement_table(rows: list[dict], estimators, split: str = "test") -> str:
    """`agreement_rows` as a Markdown table: a column per run, a row per quantity (the runs
    are few and the quantities many, so the table stays within the text column)."""
    quantities = [("shared snapshots (last epoch)", lambda r: f"{r['epochs']} ({r['last']})"),
                  (f"{split} accuracy", lambda r: f"{r['acc']:.1e}"),
                  (f"{split} loss", lambda r: f"{r['loss']:.1e}"),
                  *[(f"{q}, {estimator_label(est)}", lambda r, k=f"{est}:{key}": f"{r[k]:.1e}")
                    for est in estimators for q, key in (("I(X;T)", "i_xt"), ("I(T;Y)", "i_ty"))]]
    header = ["largest difference", *[f"{network_label('', r['variant'])}, "
                                      f"{dataset_label(r['dataset'])}, seed {r['seed']}"
                                      for r in rows]]
    body = [[name, *[cell(r) for r in rows]] for name, cell in quantities]
    return markdown_table(header, body) + (
        "\n\nLargest absolute difference over the shared snapshots (for I(X;T) and I(T;Y): "
        "over every layer too; bits, or the Rényi estimator's units).")


def precision_table(rows, *, top: int = 8) -> str:
    """`precision_check` as Markdown: how many quantities lie within the seed spread, then the
    `top` quantities with the largest ratio."""
    worst = sorted(rows, key=lambda r: -r["ratio"])[:top]
    head = (f"{sum(r['within'] for r in rows)} of {len(rows)} quantities within the spread of "
            f"the reference seeds.\n\n")
    return head + markdown_table(
        ["quantity", "distance from fp32, same seed", "distance between fp32 seeds", "ratio"],
        [[r["quantity"], r["candidate"], r["seeds"], r["ratio"]] for r in worst])


def phase_table(rows) -> str:
    """Per factor, activation and estimator: hidden layers that compress, how many of them
    after a fitting phase (a compression *phase*), and the largest drop (bits)."""
    table = []
    for (factor, act, est), cells in group_rows(rows, ("factor", "activation", "estimator")).items():
        passing = [c for c in cells if c["compressed"]]
        table.append([factor, ACTIVATION_LABELS[act], estimator_label(est),
                      f"{len(passing)} / {len(cells)}",
                      sum(c["phase"] for c in cells),
                      max((c["drop"] for c in passing), default=0.0)])
    return markdown_table(["factor", "activation", "estimator", "hidden layers flagged by the looser test",
                           "of which after a fitting phase", "largest drop (bits)"], table)


def _r(x, y, groups=None) -> str:
    """r with its 95% interval: Fisher's for independent pairs, or, given `groups` (the
    configuration of each pair), the cluster bootstrap over configurations, which counts
    the seeds and layers of one configuration as one draw (`ibutils.analysis.statistics.cluster_bootstrap_ci`)."""
    if groups is None:
        c = pearson_ci(x, y)
        size = f"n = {c['n']}"
    else:
        c = cluster_bootstrap_ci(x, y, groups)
        size = f"n = {c['n']}, {c['groups']} configurations"
    if not np.isfinite(c["r"]):
        return f"n/a ({size})"
    if not np.isfinite(c["lo"]) and c.get("degenerate", 0) > 0:
        size += "; no interval: only a few configurations vary"
    if not np.isfinite(c["lo"]):
        return f"{c['r']:.2f} ({size})"
    return f"{c['r']:.2f} [{c['lo']:.2f}, {c['hi']:.2f}] ({size})"


def coincidence_table(rows, *, tol: float = GEOMETRY_TOL) -> str:
    """Per activation and estimator: of the layers the looser test flags, how many saturated more (tanh:
    |a| > 0.9; ReLU: exact zeros) or clustered more by class (within/between ratio down) by more
    than `tol` from the peak to the end; and over all hidden layers, Pearson r of the drop with
    the rise of saturation and with the tightening of clustering (95% interval resampling
    configurations, since the layers of one net are not independent; n layers).
    A network in two factors counts once."""
    table = []
    rows = distinct_rows(rows, "layer", "estimator")
    for (act, est), cells in group_rows(rows, ("activation", "estimator")).items():
        sat_key = "d_inactive" if act == "relu" else "d_saturated"
        passing = [c for c in cells if c["compressed"]]
        drop = [c["drop"] for c in cells]
        table.append([
            ACTIVATION_LABELS[act], estimator_label(est), f"{len(passing)} / {len(cells)}",
            sum(c[sat_key] > tol for c in passing),
            sum(c["d_within_between"] < -tol for c in passing),
            _r(drop, [c[sat_key] for c in cells], [c["key"] for c in cells]),
            _r(drop, [-c["d_within_between"] for c in cells], [c["key"] for c in cells]),
        ])
    return markdown_table(
        ["activation", "estimator", "layers flagged (looser test)", "of which saturating more",
         "of which clustering more", "r(drop, saturation rise)", "r(drop, clustering gain)"],
        table)


def gap_table(rows, estimators) -> str:
    """Per estimator (and activation, then all runs): Pearson r of the largest hidden-layer drop
    with the final accuracy gap and with the final loss gap, with a 95% interval resampling
    configurations (their seeds are not independent) and n runs (a network in two factors
    counts once)."""
    table = []
    rows = distinct_rows(rows)
    for est in estimators:
        for act in [*dict.fromkeys(r["activation"] for r in rows), "all"]:
            sel = [r for r in rows if act in ("all", r["activation"])]
            x = [r[est] for r in sel]
            groups = [r["config"] for r in sel]
            table.append([estimator_label(est), ACTIVATION_LABELS.get(act, act),
                          _r(x, [r["gap_acc"] for r in sel], groups),
                          _r(x, [r["gap_loss"] for r in sel], groups)])
    return markdown_table(["estimator", "activation", "r(largest drop, train - test acc)",
                           "r(largest drop, test - train loss)"], table)


def mechanisms_summary_table(cells, gaps, *, gap_estimator: str) -> str:
    """The verdict's columns beyond the paper, per factor and activation: which estimators
    show a compression phase (layers compressing after a fitting phase / hidden layers), how
    many compressing layers (any estimator) saturated or clustered more while compressing, and
    Pearson r of the largest drop under `gap_estimator` with the final accuracy gap."""
    table = []
    for (factor, act), rows in group_rows(cells, ("factor", "activation")).items():
        sat_key = "d_inactive" if act == "relu" else "d_saturated"
        phases = [f"{estimator_label(est)}: {sum(c['phase'] for c in rs)}/{len(rs)}"
                  for (est,), rs in group_rows(rows, ("estimator",)).items()
                  if any(c["phase"] for c in rs)]
        passing = [c for c in rows if c["compressed"]]
        runs = [g for g in gaps if g["factor"] == factor and g["activation"] == act]
        table.append([
            factor, ACTIVATION_LABELS[act], "; ".join(phases) or "none",
            f"{sum(c[sat_key] > GEOMETRY_TOL for c in passing)} / {len(passing)}",
            f"{sum(c['d_within_between'] < -GEOMETRY_TOL for c in passing)} / {len(passing)}",
            _r([g[gap_estimator] for g in runs], [g["gap_acc"] for g in runs],
               [g["config"] for g in runs]),
        ])
    return markdown_table(
        ["factor", "activation", "compression phase (layers / hidden layers)",
         "flagged cells (layer x estimator) saturating more",
         "flagged cells clustering more",
         f"r(largest drop, acc gap), {estimator_label(gap_estimator)}"],
        table)


def ceiling_table(results, estimators, *, split: str = "test", tol: float = SATURATION_TOL) -> str:
    """`ceiling_counts` as a markdown table."""
    table = [[ACTIVATION_LABELS[c["activation"]], estimator_label(c["estimator"]),
              f"log2 {round(2 ** c['ceiling'])}", c["points"],
              f"{c['at']} ({100 * c['at'] / c['points']:.1f}%)"]
             for c in ceiling_counts(results, estimators, split=split, tol=tol)]
    return markdown_table(["activation", "estimator", "ceiling", "hidden-layer points",
                           "at the ceiling"], table)


def fidelity_table(summary: list[dict]) -> str:
    """`ibutils.analysis.fidelity.fidelity_summary` rows as Markdown: by split and kind, and
    by factor too where the rows carry one (a first column)."""
    order = {("test", "output"): 0, ("train", "output"): 1, ("test", "hidden"): 2,
             ("train", "hidden"): 3}
    first = ["factor"] if any("factor" in s for s in summary) else []
    summary = sorted(summary, key=lambda s: (s.get("factor", ""),
                                             order.get((s["split"], s["kind"]), 9)))
    rows = [[*(s["factor"] for _ in first),
             SPLIT_LABELS[s["split"]], "output (softmax)" if s["kind"] == "output" else "hidden",
             s["n"], s["epochs"], f"{s['ixt_mean']:.3f}", f"{s['ixt_max']:.3f}",
             f"{s['ity_mean']:.3f}", f"{s['ity_max']:.3f}", f"{s['ity_seed_range']:.3f}"]
            for s in summary]
    return markdown_table([*first, "set", "layers", "values", "epochs", "I(X;T): mean difference",
                           "largest", "I(T;Y): mean difference", "largest",
                           "I(T;Y): our seeds' median range"], rows)


def calibrated_table(rows: list[dict]) -> str:
    """`ibutils.analysis.compression_test.summary` as Markdown, estimators in words."""
    first = ["activation"] if any("activation" in r for r in rows) else []
    body = [[*(ACTIVATION_LABELS[r["activation"]] for _ in first),
             estimator_label(r["estimator"]), SPLIT_LABELS[r["split"]], r["cells"],
             f"{r['floor']:.3f}", r["raw"], r["passed"], f"{r['largest']:.3f} ({r['where']})",
             f"{r['smallest_p']:.2f}", f"{100 * r['null_rate']:.1f}%",
             f"{100 * r['null_rate_zero']:.1f}%"] for r in rows]
    return markdown_table([*first, "estimator", "set", "hidden cells", "floor", "p < 0.05",
                           "passing (FDR 5%)", "largest drop after fitting",
                           "smallest p", "false positives on shuffled curves",
                           "... without the floor"], body)


def renyi_setting_label(estimator_id: str) -> str:
    """A Rényi setting without the estimator's name or the default order: "width fixed at
    epoch 0", "rule's width x 0.5", "alpha 2"; the default setting is "default"."""
    inner = estimator_label(estimator_id).removeprefix("Rényi (").removesuffix(")")
    parts = inner.split(", ")
    return ", ".join(parts[1:] if parts[0] == "alpha 1.01" else parts) or "default"


def robustness_table(rows: list[dict]) -> str:
    """`ibutils.analysis.compression_test.robustness` as Markdown: per Rényi setting and set,
    the calibrated test's counts and the looser test's flags, each followed by the reference
    setting's on the same configurations ("; default ...") where the rows carry it. How much
    of the grid a row covers (configurations, hidden cells) gets columns only when the rows
    differ in it; else a caption says it (`robustness_facts`' ``rob_coverage``)."""
    def ref(r, key, fmt="{}"):
        return f"; default {fmt.format(r['ref_' + key])}" if "ref_" + key in r else ""

    coverage = len({(r["configurations"], r["of_configurations"], r["cells"])
                    for r in rows}) > 1
    body = [[renyi_setting_label(r["estimator"]), SPLIT_LABELS[r["split"]],
             *([f"{r['configurations']}/{r['of_configurations']}", r["cells"]]
               if coverage else []),
             f"{r['floor']:.3f}", f"{r['passed']}{ref(r, 'passed')}",
             f"{r['largest']:.3f}{ref(r, 'largest', '{:.3f}')}", r["where"],
             f"{100 * r['null_rate']:.1f}%",
             f"{r['flagged']} ({r['flagged_early']} early)"
             + (f"; default {r['ref_flagged']} ({r['ref_flagged_early']} early)"
                if "ref_flagged" in r else "")]
            for r in rows]
    return markdown_table(["Rényi setting", "set",
                           *(["configurations", "hidden cells"] if coverage else []),
                           "floor", "passing (FDR 5%)", "largest drop after fitting", "where",
                           "false positives (shuffled)", "flagged by the looser test (early: "
                           "peak at epoch 0-2)"], body)


def passing_table(rows: list[dict], *, split: str = "test") -> str:
    """The cells that pass the calibrated test in `ibutils.analysis.compression_test.robustness`
    rows (or `summary` rows) on `split`, one row per setting, dataset and network: the layers
    that pass (consecutive ones as a range) and their falls after fitting, as a share of the
    value at the peak. A setting column only when cells pass under more than one setting
    (`robustness_facts`' ``rob_passing_settings`` names them for a caption). Empty string
    when no cell passes."""
    groups: dict = {}
    for r in rows:
        if r["split"] != split:
            continue
        for c in r.get("passing_cells", []):
            groups.setdefault((r["estimator"], c["dataset"], c["variant"]), []).append(c)
    if not groups:
        return ""

    settings = list(dict.fromkeys(est for est, _, _ in groups))

    def order(item):  # settings as given; in each, the dataset with most passing cells first
        (est, dataset, variant), cells = item
        per_dataset = sum(len(v) for k, v in groups.items() if k[:2] == (est, dataset))
        return (settings.index(est), -per_dataset, dataset, -len(cells),
                network_label("", variant))

    body = []
    for (est, dataset, variant), cells in sorted(groups.items(), key=order):
        cells = sorted(cells, key=lambda c: layer_order(c["layer"]))
        shares = [100 * c["share"] for c in cells if np.isfinite(c["share"])]
        body.append([*([renyi_setting_label(est)] if len(settings) > 1 else []),
                     dataset_label(dataset),
                     network_label("", variant), layer_span([c["layer"] for c in cells]),
                     f"{float_span(shares, '.0f')}%" if shares else "n/a"])
    return markdown_table([*(["Rényi setting"] if len(settings) > 1 else []), "dataset",
                           "network", "layers that pass",
                           "fall after fitting"], body)


def cells_table(rows: list[dict]) -> str:
    """Every cell of `ibutils.analysis.compression_test.check_cells` (one estimator and set):
    configuration, layer, the seeds' mean drop after fitting with its bootstrap interval,
    the floor, the p-value, the peak epochs and whether the test passes."""
    body = [[r["label"], r["layer"], f"{r['drop']:+.3f} [{r['lo']:+.3f}, {r['hi']:+.3f}]",
             f"{r['floor']:.3f}", f"{r['p']:.2f}", r["fit_epoch"],
             ", ".join(str(e) for e in r["peak_epochs"]), "yes" if r["passed"] else "no"]
            for r in rows]
    return markdown_table(["configuration", "layer", "mean drop [95% interval]", "floor", "p",
                           "fitted at epoch", "peak epochs (per seed)", "passes"], body)
