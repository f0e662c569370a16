"""Our runs beside the paper's released values, the same runs stored under two profiles, and a
run trained at another precision against the spread of float32 seeds."""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..config import PAPER_ID, ity_key, ixt_key
from ..labels import estimator_label
from ..mi import SATURATION_TOL
from .compression import MIN_DROP_BITS, compression, dip, saturation_counts
from .compression_test import fitting_epoch


def reproduction_rows(results, estimator: str = PAPER_ID, split: str = "test",
                      reported: dict | None = None) -> list[dict]:
    """Per run: the quantities ../shared/PAPER.md reads from Li & Liu's released files, ours.

    Keys: dataset, variant, seed, last_epoch; points (hidden-layer snapshot points), at_log2n
    and at_hy (how many sit within `SATURATION_TOL` of log2 N in I(X;T) and of H(Y) in
    I(T;Y)); softmax_ixt_max (largest softmax I(X;T) over training); ity (final softmax
    I(T;Y)) beside paper_ity (`reported[(dataset, variant)]`, None where the paper gives no
    number); acc and train_acc (final); min_loss_epoch, min_loss and loss (final) of `split`.
    """
    reported = reported or {}
    rows = []
    for r in results:
        sat = saturation_counts([r], estimator, split)
        hy = r.h_y(split)
        at_hy = sum(int((r.mi(split, estimator, layer, "i_ty") >= hy - SATURATION_TOL).sum())
                    for layer in r.layers if layer != "softmax")
        loss = r.metric(split, "loss")
        k = int(np.argmin(loss))
        rows.append({
            "dataset": r.dataset, "variant": r.variant, "seed": r.seed,
            "last_epoch": int(r.epochs()[-1]), "points": sat["points"],
            "at_log2n": sat["saturated"], "at_hy": at_hy,
            "softmax_ixt_max": float(r.mi(split, estimator, "softmax", "i_xt").max()),
            "ity": float(r.mi(split, estimator, "softmax", "i_ty")[-1]),
            "paper_ity": reported.get((r.dataset, r.variant)),
            "acc": float(r.metric(split, "accuracy")[-1]),
            "train_acc": float(r.metric("train", "accuracy")[-1]),
            "min_loss_epoch": int(r.epochs()[k]), "min_loss": float(loss[k]),
            "loss": float(loss[-1])})
    return rows


def long_horizon_rows(results, *, binned: str = PAPER_ID, by_count: str | None = None,
                      renyi: str | None = None, split: str = "test") -> list[dict]:
    """Per run (one seed each, e.g. the paper's 10,000 epochs): fitting, overfitting and how
    each layer's I(X;T) moves over the whole horizon.

    Keys: dataset, variant, seed, last_epoch; fit_epoch (the compression test's fitting
    epoch, `ibutils.analysis.compression_test.fitting_epoch`); min_loss_epoch and
    min_loss_between (the snapshots on either side: the lowest loss lies between them),
    min_loss, loss (final) and loss_ratio (final over lowest) of `split`; train_acc (final); acc_at_min_loss, best_acc,
    best_acc_epoch, acc (final); ity_at_min_loss and ity (final), the softmax output's
    I(T;Y) under `binned`; softmax_peak_epoch and softmax_fall (its I(X;T) from the peak to
    the last snapshot, `binned`); hidden_fall (the largest such fall of a hidden layer under
    `binned`). Under `renyi` (when given): ``renyi_hidden``, a list per hidden layer of
    `ibutils.analysis.compression.dip` (first, low, low_epoch, dip, last, change) with
    ``layer``, ``fall`` and ``peak_epoch`` (`compression`: the fall from the peak to the
    end), ``compressed`` (fall > `MIN_DROP_BITS`) and ``after_fit`` (the peak at or after
    fit_epoch); renyi_softmax_first / _last / _peak_epoch. Under
    `by_count`: count_softmax_first / _last.
    """
    rows = []
    for r in results:
        epochs = r.epochs()
        loss, acc = r.metric(split, "loss"), r.metric(split, "accuracy")
        ity = r.mi(split, binned, "softmax", "i_ty")
        k, b = int(np.argmin(loss)), int(np.argmax(acc))
        hidden = [la for la in r.layers if la != "softmax"]
        out = compression([r], "softmax", split=split, estimator=binned)
        fit = fitting_epoch([r], split=split, estimator=binned)
        row = {"dataset": r.dataset, "variant": r.variant, "seed": r.seed,
               "last_epoch": int(epochs[-1]), "fit_epoch": fit,
               "min_loss_epoch": int(epochs[k]),
               "min_loss_between": (int(epochs[max(k - 1, 0)]),
                                    int(epochs[min(k + 1, len(epochs) - 1)])),
               "min_loss": float(loss[k]), "loss": float(loss[-1]),
               "loss_ratio": float(loss[-1] / loss[k]),
               "train_acc": float(r.metric("train", "accuracy")[-1]),
               "acc_at_min_loss": float(acc[k]), "best_acc": float(acc[b]),
               "best_acc_epoch": int(epochs[b]), "acc": float(acc[-1]),
               "ity_at_min_loss": float(ity[k]), "ity": float(ity[-1]),
               "softmax_peak_epoch": out["peak_epoch"], "softmax_fall": out["drop"],
               "hidden_fall": max((compression([r], la, split=split, estimator=binned)["drop"]
                                   for la in hidden), default=0.0)}
        if renyi is not None:
            row["renyi_hidden"] = []
            for la in hidden:
                c = compression([r], la, split=split, estimator=renyi)
                row["renyi_hidden"].append({
                    "layer": la, **dip([r], la, split=split, estimator=renyi),
                    "fall": c["drop"], "peak_epoch": c["peak_epoch"],
                    "compressed": c["drop"] > MIN_DROP_BITS,
                    "after_fit": c["peak_epoch"] >= fit})
            soft = r.mi(split, renyi, "softmax", "i_xt")
            row.update(renyi_softmax_first=float(soft[0]), renyi_softmax_last=float(soft[-1]),
                       renyi_softmax_peak_epoch=int(epochs[int(np.argmax(soft))]))
        if by_count is not None:
            soft = r.mi(split, by_count, "softmax", "i_xt")
            row.update(count_softmax_first=float(soft[0]), count_softmax_last=float(soft[-1]))
        rows.append(row)
    return rows


def _same_run_key(r) -> str:
    """A run's configuration with the snapshot schedule left out: the same net, data, seed
    and precision under two profiles train the same trajectory."""
    return replace(r.config, schedule="paper").key()


def agreement_rows(runs, others, estimators, *, split: str = "test") -> list[dict]:
    """The same configuration and seed stored under two profiles (e.g. `paper` and `book`),
    compared on the snapshot epochs both record.

    Per pair: the shared epochs (count and last) and the largest absolute differences of
    `split` accuracy and loss and, per estimator, of any layer's I(X;T) and I(T;Y) (bits).
    Runs without a partner in `others` are left out.
    """
    partners = {_same_run_key(o): o for o in others}
    rows = []
    for r in runs:
        o = partners.get(_same_run_key(r))
        if o is None:
            continue
        shared = np.intersect1d(r.epochs(), o.epochs())
        pick = lambda run, values: values[np.isin(run.epochs(), shared)]  # noqa: E731
        diff = lambda f: float(np.max(np.abs(pick(r, f(r)) - pick(o, f(o)))))  # noqa: E731
        row = {"dataset": r.dataset, "variant": r.variant, "seed": r.seed,
               "epochs": len(shared), "last": int(shared[-1]),
               "acc": diff(lambda run: run.metric(split, "accuracy")),
               "loss": diff(lambda run: run.metric(split, "loss"))}
        for est in estimators:
            for q in ("i_xt", "i_ty"):
                row[f"{est}:{q}"] = max(diff(lambda run, layer=layer: run.mi(split, est, layer, q))
                                        for layer in r.layers)
        rows.append(row)
    return rows


def _curves(runs, quantity: tuple, split: str, epochs) -> np.ndarray:
    """(runs, snapshots) values of one quantity: ("metric", name) or ("mi", est, layer, q)."""
    out = []
    for r in runs:
        keep = np.isin(r.epochs(), epochs)
        vals = (r.metric(split, quantity[1]) if quantity[0] == "metric"
                else r.mi(split, *quantity[1:]))
        out.append(vals[keep])
    return np.array(out)


def precision_check(reference, candidate, estimators, *, split: str = "test") -> list[dict]:
    """Does `candidate` (e.g. a bf16 run) move a run less than changing its seed does?

    `reference` holds fp32 runs of at least 3 seeds, one of them with the candidate's seed
    (same initialisation and batch order). For each quantity (loss, accuracy, and I(X;T),
    I(T;Y) of every layer under each estimator), on the snapshots all runs share: the mean
    absolute distance between the candidate and the reference run of its seed, over the mean
    absolute distance between two reference seeds (averaged over all pairs). ``ratio <= 1``
    means the precision change moves the trajectory less than a new seed does. Returns one
    dict per quantity: ``quantity``, ``candidate`` (distance), ``seeds`` (mean pairwise seed
    distance), ``ratio``, ``within``.
    """
    reference = list(reference)
    if len(reference) < 3:
        raise ValueError(f"reference: got {len(reference)} runs, allowed at least 3 seeds")
    same = [r for r in reference if r.seed == candidate.seed]
    if not same:
        raise ValueError(f"reference: no run of the candidate's seed {candidate.seed}, allowed "
                         f"seeds {sorted(r.seed for r in reference)}")
    runs = [*reference, candidate]
    epochs = sorted(set.intersection(*(set(r.epochs().tolist()) for r in runs)))
    quantities = [("metric", "loss"), ("metric", "accuracy")]
    quantities += [("mi", est, layer, q) for est in estimators for layer in candidate.layers
                   for q in (ixt_key(est), ity_key(est))]
    pairs = [(i, j) for i in range(len(reference)) for j in range(i + 1, len(reference))]
    k = reference.index(same[0])
    rows = []
    for q in quantities:
        ref = _curves(reference, q, split, epochs)
        cand = _curves([candidate], q, split, epochs)[0]
        seeds = float(np.mean([np.abs(ref[i] - ref[j]).mean() for i, j in pairs]))
        dist = float(np.abs(cand - ref[k]).mean())
        ratio = dist / seeds if seeds > 0 else (0.0 if dist == 0 else float("inf"))
        rows.append({"quantity": _quantity_words(q), "candidate": dist, "seeds": seeds,
                     "ratio": ratio, "within": ratio <= 1.0})
    return rows


def _quantity_words(q: tuple) -> str:
    """("mi", estimator id, layer, quantity) or ("metric", name) in words."""
    if q[0] == "metric":
        return q[1]
    _, est, layer, name = q
    words = {"i_xt": "I(X;T)", "i_ty": "I(T;Y)", "i_xt_upper": "I(X;T) upper bound",
             "i_ty_upper": "I(T;Y) upper bound"}.get(name, name)
    return f"{words} of {layer}, {estimator_label(est)}"
