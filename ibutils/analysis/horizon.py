"""What changes after the horizon the seed bands stop at: one run trained longer (seed 0 to
1,000 epochs) against the seeds of the same configuration at the shorter horizon (200).

One long run cannot be put through the calibrated compression test (it needs seeds), so the
comparison is fixed in advance as: for each layer and estimator, the change of the long
run's value from the short horizon to its end; the largest fall after the short horizon
(from the highest value after it to the end; a late compression phase would show here); and
whether the change leaves the seed range at the short horizon (the width of the band the
chapter draws: a change smaller than switching the seed is not called a change).
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..results import RunResult


def _at(run: RunResult, values: np.ndarray, epoch: int, horizon: int) -> float:
    """`values` (over `run`'s snapshots up to `horizon`) at the snapshot `epoch`."""
    epochs = run.epochs(horizon)
    if epoch not in epochs:
        raise ValueError(f"epoch: got {epoch}, not a snapshot of {run.label or run.config.key()}"
                         f" (allowed: {epochs.tolist()})")
    return float(values[int(np.flatnonzero(epochs == epoch)[0])])


def horizon_changes(seeds: Sequence[RunResult], long: RunResult, estimator: str, *,
                    split: str = "test", quantity: str = "i_xt",
                    short: int | None = None) -> list[dict]:
    """Per layer of `long`: how its `quantity` under `estimator` moves after `short`.

    `seeds` are the configuration's runs at the short horizon (default: their horizon), `long`
    the same configuration trained further (its own horizon). Rows: ``layer``, ``short``,
    ``long`` (epochs), ``at_short`` and ``at_end`` (the long run's value at both), ``change``
    (end minus short), ``largest_fall`` (highest value after the short horizon minus the end,
    >= 0), ``seed_range`` (max minus min over `seeds` at the short horizon) and ``moved``
    (|change| > seed_range).
    """
    if not seeds:
        raise ValueError("seeds: got none, allowed the runs of the configuration at the short "
                         "horizon")
    short = seeds[0].horizon if short is None else int(short)
    end = long.horizon
    if not end > short:
        raise ValueError(f"long: horizon {end}, allowed a run trained past short={short}")
    rows = []
    for layer in long.layers:
        try:
            values = long.mi(split, estimator, layer, quantity, horizon=end)
        except KeyError:  # a layer this estimator does not record
            continue
        epochs = long.epochs(end)
        at_short = _at(long, values, short, end)
        after = values[epochs >= short]
        band = [_at(r, r.mi(split, estimator, layer, quantity, horizon=short), short, short)
                for r in seeds]
        change = float(values[-1] - at_short)
        rows.append({"layer": layer, "short": short, "long": end, "at_short": at_short,
                     "at_end": float(values[-1]), "change": change,
                     "largest_fall": float(after.max() - values[-1]),
                     "seed_range": float(max(band) - min(band)),
                     "moved": bool(abs(change) > max(band) - min(band))})
    return rows


def metric_change(long: RunResult, name: str, *, split: str = "test",
                  short: int = 200) -> float:
    """Loss or accuracy of `long` at its end minus at the snapshot `short`."""
    values = long.metric(split, name, horizon=long.horizon)
    return float(values[-1] - _at(long, values, short, long.horizon))
