"""Grouping stored runs: by an attribute, by configuration (its seeds together), and the
distinct runs of a study in which one network belongs to two factors."""
from __future__ import annotations

from collections import defaultdict

from ..labels import config_label


def group(results, key: str) -> dict:
    """Runs grouped by an attribute ("dataset", "variant", "seed"), in first-seen order."""
    out = defaultdict(list)
    for r in results:
        out[getattr(r, key)].append(r)
    return dict(out)


def by_config(results) -> dict:
    """Seed runs grouped per configuration, labelled "dataset variant" (for the tables)."""
    return {config_label(runs[0].dataset, runs[0].variant): runs
            for runs in group(results, "label_config").values()}


def distinct_runs(study: dict) -> dict:
    """{(key, dataset, seed): run} over all factors: a configuration in two factors once."""
    return {(r.config.key(), r.dataset, r.seed): r
            for results in study.values() for r in results}


def layer_order(name: str) -> tuple:
    """conv1 < conv2 < ... < dense1 < ...: the order of layers from input to output."""
    kind = name.rstrip("0123456789")
    return ({"conv": 0, "pool": 0, "dense": 1}.get(kind, 2), int(name[len(kind):] or 0))
