"""Our runs against the values Li & Liu released (`ibutils.reference`), at matched epochs.

Both sides count completed training epochs (theirs: their file's key + 1), so a released value
is matched with our snapshot of the same network, dataset, split, layer and epoch. Our value is
the mean over our seeds, with the seeds' lowest and highest; theirs is one run.
"""
from __future__ import annotations

from collections import defaultdict

import numpy as np

from ..config import PAPER_ID
from ..reference import li_liu_released


def matched_values(runs, released=None, *, estimator: str = PAPER_ID) -> list[dict]:
    """One row per released value that our `runs` can be compared with.

    `runs`: stored runs of any factors (a network in two factors counts once); `released`:
    `ReleasedValue`s (default: all of `li_liu_released()`). A value is matched when some
    configuration among `runs` has its network and dataset and every seed of it has a snapshot
    at its epoch. Keys: split, dataset, factor and variant (ours; a network in two factors
    is named by the first), layer, kind ("hidden" or "output"),
    epoch, seeds, theirs_ixt, theirs_ity, ours_ixt, ours_ity (seed means) and ixt_lo, ixt_hi,
    ity_lo, ity_hi (the seeds' range), run (their folder).
    """
    released = li_liu_released() if released is None else released
    configs = defaultdict(list)  # (net, dataset) -> seed runs, a run in two factors once
    seen = set()
    for r in runs:  # the first factor a network appears in names it (w6 before d6)
        if (r.config.key(), r.dataset) not in seen:
            seen.add((r.config.key(), r.dataset))
            configs[(r.config.net, r.dataset)].append(r)
    rows = []
    for v in released:
        seeds = configs.get((v.net, v.dataset))
        if not seeds or v.layer not in seeds[0].layers:
            continue
        at = [np.flatnonzero(r.epochs() == v.epoch) for r in seeds]
        if any(len(k) == 0 for k in at):
            continue
        ixt = [r.mi(v.split, estimator, v.layer, "i_xt")[k[0]] for r, k in zip(seeds, at)]
        ity = [r.mi(v.split, estimator, v.layer, "i_ty")[k[0]] for r, k in zip(seeds, at)]
        rows.append({"split": v.split, "dataset": v.dataset, "factor": seeds[0].factor,
                     "variant": seeds[0].variant,
                     "layer": v.layer, "kind": "output" if v.layer == "softmax" else "hidden",
                     "epoch": v.epoch, "seeds": len(seeds), "run": v.run,
                     "theirs_ixt": v.i_xt, "theirs_ity": v.i_ty,
                     "ours_ixt": float(np.mean(ixt)), "ours_ity": float(np.mean(ity)),
                     "ixt_lo": float(min(ixt)), "ixt_hi": float(max(ixt)),
                     "ity_lo": float(min(ity)), "ity_hi": float(max(ity))})
    return rows


def fidelity_summary(rows, by=("split", "kind")) -> list[dict]:
    """The differences ours - theirs of `matched_values` rows, per group of `by`: ``n``
    values, ``epochs`` (distinct matched epochs), and for I(X;T) and I(T;Y) the mean and
    largest absolute difference (``ixt_mean``, ``ixt_max``, ``ity_mean``, ``ity_max``, bits)
    and the median seed range of ours (``ity_seed_range``): differences within it are as
    large as changing our seed."""
    groups = defaultdict(list)
    for row in rows:
        groups[tuple(row[k] for k in by)].append(row)
    out = []
    for key, sel in groups.items():
        d_xt = np.abs([r["ours_ixt"] - r["theirs_ixt"] for r in sel])
        d_ty = np.abs([r["ours_ity"] - r["theirs_ity"] for r in sel])
        out.append({**dict(zip(by, key)), "n": len(sel),
                    "epochs": len({r["epoch"] for r in sel}),
                    "ixt_mean": float(d_xt.mean()), "ixt_max": float(d_xt.max()),
                    "ity_mean": float(d_ty.mean()), "ity_max": float(d_ty.max()),
                    "ity_seed_range": float(np.median([r["ity_hi"] - r["ity_lo"] for r in sel]))})
    return out
