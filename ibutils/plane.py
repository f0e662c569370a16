"""The information plane of any PyTorch model: `InformationPlane` hooks the modules you name,
and at each call of `record(epoch)` estimates I(X;T) and I(T;Y) of every one of them on the
inputs you give, with the estimators of `ibutils.mi`, in bits.

The paper's networks go through `ibutils.runner` (cache, resume, the book's profiles); this is
the way in for your own model, in your own training loop::

    plane = InformationPlane(model, ["features.3", "classifier.1"], x_test, y_test,
                             estimators=[binning(n_bins=30), renyi()])
    for epoch in range(epochs):
        if epoch in (0, 1, 3, 10, 30):
            plane.record(epoch)
        train_one_epoch(model)
    plane.record(epochs)
    ibutils.plots.info_plane(plane, estimator=renyi().id)

It quacks like a stored run (`layers`, `epochs()`, `mi(...)`, `n`, `h_y(...)`), so the book's
figure functions draw it; `to_dict` gives its values as JSON-ready data.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import torch
from torch import nn

from .config import DEFAULT_ESTIMATORS, Estimator, ixt_key
from .mi import label_entropy, subsample
from .record import LAYER_MEASURES

OUTPUT = "output"  # the name of the model's own output (softmax of its logits) as a layer
_UNSUPPORTED = ("fixed_width", "seeded_by_run")  # settings only the study's runner serves


class InformationPlane:
    """Record the information plane of `model` at the epochs you choose.

    Parameters
    ----------
    model : torch.nn.Module
        Any model; it is put in eval mode while recording and back in its mode after.
    layers : sequence of str, or mapping of label -> module name
        Names of the modules whose outputs are the layers T (as in
        ``model.named_modules()``, e.g. ``"layer1.0.conv2"``); a mapping gives them labels.
    x, y : tensors
        The inputs X (any shape the model takes) and their integer labels Y (N,). X is the
        identity of each input, as in the study: I(X;T) is at most log2 N for binning.
    estimators : sequence of `ibutils.config.Estimator`
        Default: the paper's bins (width 0.67) and 30 bins over each layer's range.
        Estimators with ``n_samples`` use that seeded subsample of the N inputs.
    output : {"softmax", "identity", None}
        Also record the model's output as layer "output": softmax of it (for models that
        return logits, as the study records its nets), as it is, or not at all.
    batch_size : int
        Inputs per forward pass.
    """

    def __init__(self, model: nn.Module, layers, x: torch.Tensor, y: torch.Tensor, *,
                 estimators: Sequence[Estimator] = DEFAULT_ESTIMATORS,
                 output: str | None = "softmax", batch_size: int = 1000):
        named = dict(model.named_modules())
        pairs = layers.items() if isinstance(layers, Mapping) else ((n, n) for n in layers)
        self.modules: dict[str, nn.Module] = {}
        for label, name in pairs:
            if name not in named or name == "":
                raise ValueError(f"layers: got {name!r}, allowed names of the model's modules, "
                                 f"e.g. {[n for n in named if n][:8]}")
            self.modules[str(label)] = named[name]
        if not self.modules and output is None:
            raise ValueError("layers: got none and output=None; allowed at least one layer")
        if output not in ("softmax", "identity", None):
            raise ValueError(f"output: got {output!r}, allowed 'softmax', 'identity' or None")
        for est in estimators:
            bad = [p for p in _UNSUPPORTED if p in est.kwargs()]
            if bad:
                raise ValueError(f"estimators: {est.id} uses {bad}, which only the study's "
                                 "runner serves; allowed: estimators without them")
        if int(batch_size) != batch_size or batch_size < 1:
            raise ValueError(f"batch_size: got {batch_size!r}, allowed a positive integer")
        y = torch.as_tensor(y)
        if len(x) != len(y) or y.dim() != 1:
            raise ValueError(f"x, y: got {len(x)} inputs and labels of shape "
                             f"{tuple(y.shape)}; allowed N inputs and (N,) integer labels")
        self.model, self.x, self.y = model, x, y.cpu().numpy()
        self.estimators = tuple(estimators)
        self.output, self.batch_size = output, int(batch_size)
        self.label = type(model).__name__
        self.records: list[dict] = []

    # -- recording ---------------------------------------------------------------------------
    @torch.no_grad()
    def activations(self) -> dict[str, np.ndarray]:
        """{layer: (N, D) float32 array} of the model at its current weights."""
        acts: dict[str, list] = {name: [] for name in self.modules}
        def hook_for(name):
            def hook(_module, _inputs, out):
                out = out[0] if isinstance(out, (tuple, list)) else out
                acts[name].append(out.detach().float().reshape(len(out), -1).cpu().numpy())
            return hook
        handles = [m.register_forward_hook(hook_for(n)) for n, m in self.modules.items()]
        was_training = self.model.training
        device = next(self.model.parameters(), torch.empty(0)).device
        outputs = []
        try:
            self.model.eval()
            for i in range(0, len(self.x), self.batch_size):
                out = self.model(self.x[i:i + self.batch_size].to(device))
                outputs.append(out.detach().float().reshape(len(out), -1).cpu())
        finally:
            for h in handles:
                h.remove()
            self.model.train(was_training)
        result = {name: np.concatenate(parts) for name, parts in acts.items()}
        if self.output is not None:
            out = torch.cat(outputs)
            result[OUTPUT] = (torch.softmax(out, dim=1) if self.output == "softmax"
                              else out).numpy()
        return result

    def record(self, epoch: int) -> dict:
        """Estimate every layer with every estimator now; returns and keeps the record
        ``{"epoch": epoch, "mi": {estimator id: {layer: {quantity: bits}}}}``."""
        if self.records and epoch <= self.records[-1]["epoch"]:
            raise ValueError(f"epoch: got {epoch}, allowed an epoch after the last recorded "
                             f"({self.records[-1]['epoch']})")
        acts = self.activations()
        x_flat = self.x.detach().float().reshape(len(self.x), -1).cpu().numpy()
        out = {}
        for est in self.estimators:
            params = est.kwargs()
            k = params.pop("n_samples", None)
            rows = (slice(None) if k is None or k >= len(self.y)
                    else subsample(len(self.y), int(k)))
            fn = LAYER_MEASURES[est.kind]
            out[est.id] = {name: fn(t[rows], x_flat[rows], self.y[rows], **params).as_dict()
                           for name, t in acts.items()}
        record = {"epoch": int(epoch), "mi": out}
        self.records.append(record)
        return record

    # -- reading (the interface of a stored run, for the figure functions) --------------------
    @property
    def layers(self) -> list[str]:
        return list(self.modules) + ([OUTPUT] if self.output is not None else [])

    @property
    def n(self) -> dict[str, int]:
        return {"test": len(self.y), "train": len(self.y)}

    def h_y(self, split: str = "test") -> float:
        """H(Y) of the labels, in bits: the ceiling of I(T;Y)."""
        return label_entropy(self.y)

    @classmethod
    def from_dict(cls, data: dict) -> "StoredPlane":
        """A recorded plane read back from `to_dict`'s data (no model: for reading and
        drawing only)."""
        return StoredPlane(data)

    def epochs(self) -> np.ndarray:
        return np.array([r["epoch"] for r in self.records])

    def mi(self, split: str, estimator: str, layer: str, quantity: str) -> np.ndarray:
        """One quantity ("i_xt", "i_ty", ...) of one layer over the recorded epochs; `split`
        is accepted for the figure functions and ignored (one set of inputs)."""
        try:
            return np.array([r["mi"][estimator][layer][quantity] for r in self.records])
        except KeyError as exc:
            ids = [e.id for e in self.estimators] or getattr(self, "_estimator_ids", [])
            raise ValueError(f"estimator, layer, quantity: got {estimator!r}, {layer!r}, "
                             f"{quantity!r}; allowed estimators {ids}"
                             f", layers {self.layers}, quantities such as "
                             f"{ixt_key(estimator)!r}") from exc

    def to_dict(self) -> dict:
        """The recorded values as plain JSON-ready data."""
        return {"label": self.label, "layers": self.layers, "n": len(self.y),
                "h_y": self.h_y(), "estimators": [e.id for e in self.estimators],
                "records": self.records}


class StoredPlane(InformationPlane):
    """An `InformationPlane` read back from `InformationPlane.to_dict` data: the recorded
    values and what the figures need, without the model (it cannot record)."""

    def __init__(self, data: dict):  # noqa: super().__init__ needs a model; nothing to hook
        self.label, self.records = data["label"], list(data["records"])
        self._layers, self._n, self._h_y = list(data["layers"]), int(data["n"]), data["h_y"]
        self.estimators = ()
        self._estimator_ids = list(data["estimators"])

    @property
    def layers(self) -> list[str]:
        return list(self._layers)

    @property
    def n(self) -> dict[str, int]:
        return {"test": self._n, "train": self._n}

    def h_y(self, split: str = "test") -> float:
        return float(self._h_y)

    def record(self, epoch: int) -> dict:
        raise TypeError("record: a plane read back from data has no model; record with an "
                        "InformationPlane built on one")

    def to_dict(self) -> dict:
        return {"label": self.label, "layers": self.layers, "n": self._n, "h_y": self._h_y,
                "estimators": self._estimator_ids, "records": self.records}
