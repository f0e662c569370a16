"""The stored-run format, in one place: what a run's `result.json` holds, how a new one is
made and a snapshot merged into it, when it covers what a page asks for, and `RunResult`, the
reader every analysis uses.

A payload (the JSON object) holds ``config`` (the `RunConfig`), ``key``, ``profile``,
``layers``, ``layer_shapes``, ``n`` and ``h_y`` per split, ``epochs_trained``, ``epoch_loss``
(one mean training loss per epoch), ``train_seconds`` and ``snapshots``: one record per
snapshot epoch (`ibutils.record.snapshot_record`): ``{"epoch", "train": {"loss",
"accuracy", "mi": {estimator id: {layer: {quantity: value}}}}, "test": {...},
"weight_norm": {layer: value}, "gradients": {layer: {"mean", "std", "snr"}}}``.
`ibutils.store` writes and reads the files; `constructed_run` builds a valid one from given
curves, for tests and examples.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .config import Estimator, Profile, RunConfig, snapshot_epochs
from .data import Split
from .mi import label_entropy


class MissingResultError(RuntimeError):
    """A result is not in the cache and training was not allowed."""


class RunResult:
    """A stored run: its config, snapshot records and helpers to pull out curves."""

    def __init__(self, payload: dict, *, horizon: int | None = None, label: str = "",
                 factor: str = "", variant: str = ""):
        self.payload = payload
        self.config = RunConfig.from_dict(payload["config"])
        self.horizon = payload["epochs_trained"] if horizon is None else horizon
        self.start = 0
        self.label, self.factor, self.variant = label, factor, variant

    def window(self, first: int, last: int) -> "RunResult":
        """The same run restricted to snapshots with first <= epoch <= last."""
        view = RunResult(self.payload, horizon=min(last, self.horizon), label=self.label,
                         factor=self.factor, variant=self.variant)
        view.start = first
        return view

    @property
    def dataset(self) -> str:
        return self.config.dataset

    @property
    def seed(self) -> int:
        return self.config.seed

    @property
    def label_config(self) -> str:
        """The configuration without the seed: "factor/variant/dataset"."""
        return f"{self.factor}/{self.variant}/{self.dataset}" if self.factor else self.config.key()

    def h_y(self, split: str) -> float:
        """H(Y) in bits of a split's labels, as stored with the run (the ceiling of I(T;Y))."""
        return float(self.payload["h_y"][split])

    @property
    def layers(self) -> list[str]:
        return list(self.payload["layers"])

    @property
    def n(self) -> dict[str, int]:
        return dict(self.payload["n"])

    def snapshots(self, horizon: int | None = None) -> list[dict]:
        """Snapshot records up to `horizon` (default: the horizon this result was asked for)."""
        horizon = self.horizon if horizon is None else horizon
        return [s for s in self.payload["snapshots"] if self.start <= s["epoch"] <= horizon]

    def epoch_loss(self) -> np.ndarray:
        """Mean training-batch loss of every epoch 1..horizon."""
        return np.array(self.payload["epoch_loss"][: self.horizon], dtype=float)

    def epochs(self, horizon: int | None = None) -> np.ndarray:
        return np.array([s["epoch"] for s in self.snapshots(horizon)])

    def mi(self, split: str, estimator: str, layer: str, quantity: str, horizon=None) -> np.ndarray:
        """One estimate (e.g. ``"i_xt"``) of one layer at every snapshot, in bits."""
        return np.array([s[split]["mi"][estimator][layer][quantity]
                         for s in self.snapshots(horizon)], dtype=float)

    def has_estimator(self, estimator: str, split: str = "test") -> bool:
        """Every snapshot of the run carries `estimator` on `split` (a run being measured with
        a new estimator, e.g. while it is retrained, carries it on its first snapshots only)."""
        return all(estimator in s[split]["mi"] for s in self.snapshots())

    def has_gradients(self) -> bool:
        """Every snapshot carries gradient statistics (`ibutils.record.gradient_stats`)."""
        return all("gradients" in s for s in self.snapshots())

    def gradients(self, layer: str, stat: str = "mean", horizon=None) -> np.ndarray:
        """Gradient statistic ("mean", "std" or "snr") of one layer at every snapshot."""
        if not self.has_gradients():
            raise MissingResultError(
                f"{self.label or self.config.key()}: stored without gradient statistics; "
                f"run_study(..., gradients=True) (CLI: --gradients) adds them from the cached "
                f"snapshot weights")
        return np.array([s["gradients"][layer][stat] for s in self.snapshots(horizon)],
                        dtype=float)

    def weight_norms(self, layer: str, horizon=None) -> np.ndarray:
        """Frobenius norm of one layer's weight at every snapshot."""
        return np.array([s["weight_norm"][layer] for s in self.snapshots(horizon)], dtype=float)

    def metric(self, split: str, name: str, horizon=None) -> np.ndarray:
        """Loss or accuracy of a split at every snapshot."""
        return np.array([s[split][name] for s in self.snapshots(horizon)], dtype=float)

    def __repr__(self):
        return (f"RunResult({self.label or self.config.key()}, {self.dataset}, seed={self.seed}, "
                f"epochs={self.payload['epochs_trained']}, snapshots={len(self.snapshots())})")


def covers(payload: dict | None, needed: Sequence[int], estimators: Sequence[Estimator]) -> bool:
    if payload is None:
        return False
    by_epoch = {s["epoch"]: s for s in payload["snapshots"]}
    return all(
        e in by_epoch and all(est.id in by_epoch[e]["train"]["mi"] for est in estimators)
        for e in needed
    )


def needed_snapshots(run: RunConfig, horizon: int) -> list[int]:
    """Snapshot epochs a run must have up to `horizon` (its schedule, plus the horizon)."""
    return sorted(set(snapshot_epochs(run.schedule, horizon)) | {horizon})


def complete(payload: dict | None, needed, horizon: int, estimators) -> bool:
    """The stored run covers every needed snapshot with every estimator, trained to horizon."""
    return covers(payload, needed, estimators) and payload["epochs_trained"] >= horizon


def new_payload(run: RunConfig, profile: Profile, splits: dict[str, Split]) -> dict:
    shapes = run.net.layer_shapes()
    return {
        "config": run.to_dict(), "key": run.key(), "profile": profile.name,
        "layers": list(run.net.layer_names), "layer_shapes": {k: list(v) for k, v in shapes.items()},
        "n": {name: len(s.y) for name, s in splits.items()},
        "h_y": {name: label_entropy(s.y.numpy()) for name, s in splits.items()},
        "epochs_trained": 0, "epoch_loss": [], "train_seconds": 0.0, "snapshots": [],
    }


def merge_snapshot(payload: dict, record: dict) -> None:
    """Insert or update one snapshot record, keeping estimates of other estimators and what
    else the stored record has that the new one lacks (e.g. its gradient statistics)."""
    snaps = {s["epoch"]: s for s in payload["snapshots"]}
    old = snaps.get(record["epoch"])
    if old is not None:
        for split in ("train", "test"):
            record[split]["mi"] = {**old[split]["mi"], **record[split]["mi"]}
        record = {**old, **record}
    snaps[record["epoch"]] = record
    payload["snapshots"] = [snaps[e] for e in sorted(snaps)]


def add_snapshot(payload: dict, record: dict, *, epoch: int, epoch_loss: Sequence[float],
                 train_seconds: float, group_size: int = 1) -> None:
    """A freshly measured snapshot into a payload being trained: the record merged in, the
    per-epoch losses up to `epoch` (later ones already stored are kept), the epochs trained,
    the seconds spent so far, and how many runs shared the training (a seed group)."""
    merge_snapshot(payload, record)
    old_loss = payload["epoch_loss"]
    payload["epoch_loss"] = list(epoch_loss) + old_loss[len(epoch_loss):]
    payload["epochs_trained"] = max(payload["epochs_trained"], epoch)
    payload["train_seconds"] = train_seconds
    payload["trained_in_group_of"] = group_size


def add_remeasured(payload: dict, record: dict) -> None:
    """A snapshot of a run trained again over stored epochs (its weights were gone and an
    estimator was added): only what the stored snapshot lacks is taken from the new record
    (the added estimates, gradient statistics); its stored losses, accuracies and estimates
    stay, so that nothing already computed changes."""
    snaps = {s["epoch"]: s for s in payload["snapshots"]}
    old = snaps.get(record["epoch"])
    if old is None:
        snaps[record["epoch"]] = record
    else:
        for split in ("train", "test"):
            old[split]["mi"] = {**record[split]["mi"], **old[split]["mi"]}
        for key, value in record.items():
            old.setdefault(key, value)
    payload["snapshots"] = [snaps[e] for e in sorted(snaps)]


def retraining_record(payload: dict, record: dict, epoch_loss: Sequence[float],
                      stored_loss: Sequence[float], *, seconds: float) -> dict:
    """How far a retraining reproduces the stored run so far, for the run's provenance.

    Training is deterministic given the code, the thread count and whether seeds were trained
    as one grouped network; the stored run may differ in any of these, so the retrained
    weights can differ by floating-point reordering, which 200 epochs of Adam amplify. The
    record gives the largest absolute differences seen so far, in the per-epoch training loss
    and in the snapshot's test loss and accuracy, and the seconds the retraining took.
    """
    prev = (payload.get("provenance") or [{}])[-1].get("retrained", {})
    n = min(len(epoch_loss), len(stored_loss))
    loss_diff = max((abs(a - b) for a, b in zip(epoch_loss[:n], stored_loss[:n])), default=0.0)
    stored = next((s for s in payload["snapshots"] if s["epoch"] == record["epoch"]), None)
    test_loss = test_acc = 0.0
    if stored is not None:
        test_loss = abs(record["test"]["loss"] - stored["test"]["loss"])
        test_acc = abs(record["test"]["accuracy"] - stored["test"]["accuracy"])
    return {"until_epoch": record["epoch"], "seconds": round(seconds, 1),
            "max_epoch_loss_diff": max(loss_diff, prev.get("max_epoch_loss_diff", 0.0)),
            "max_test_loss_diff": max(test_loss, prev.get("max_test_loss_diff", 0.0)),
            "max_test_accuracy_diff": max(test_acc, prev.get("max_test_accuracy_diff", 0.0))}


def constructed_run(run: RunConfig, epochs: Sequence[int], train: dict, test: dict | None = None,
                    *, n: int = 100, h_y: float = 1.0, factor: str = "",
                    variant: str = "") -> RunResult:
    """A valid stored run built from given values instead of training: the one fake that the
    tests and examples use, so they exercise the same format as real runs.

    `train` and `test` (default: the same as `train`) give each split's values over the
    snapshot `epochs`: ``{"loss": seq, "accuracy": seq, "mi": {estimator id: {layer:
    {quantity: seq}}}}``, every sequence as long as `epochs` ("loss" and "accuracy" may be
    left out: 1.0 and 0.5). Layers come from ``run.net``; ``n`` and ``h_y`` are the same for
    both splits. The label is "factor/variant/dataset/s{seed}" as `ibutils.runner.run_study`
    names runs.
    """
    test = train if test is None else test
    payload = {
        "config": run.to_dict(), "key": run.key(), "profile": "constructed",
        "layers": list(run.net.layer_names),
        "layer_shapes": {k: list(v) for k, v in run.net.layer_shapes().items()},
        "n": {"train": n, "test": n}, "h_y": {"train": h_y, "test": h_y},
        "epochs_trained": int(epochs[-1]), "epoch_loss": [], "train_seconds": 0.0,
        "snapshots": []}

    def split_record(values: dict, k: int) -> dict:
        return {"loss": float(values.get("loss", [1.0] * len(epochs))[k]),
                "accuracy": float(values.get("accuracy", [0.5] * len(epochs))[k]),
                "mi": {est: {layer: {q: float(v[k]) for q, v in quantities.items()}
                             for layer, quantities in layers.items()}
                       for est, layers in values["mi"].items()}}

    for k, epoch in enumerate(epochs):
        merge_snapshot(payload, {"epoch": int(epoch), "train": split_record(train, k),
                                 "test": split_record(test, k)})
    label = f"{factor}/{variant}/{run.dataset}/s{run.seed}" if factor else ""
    return RunResult(payload, label=label, factor=factor, variant=variant)
