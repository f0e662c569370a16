"""What Li & Liu released: the per-epoch, per-layer binned information of every run of their
paper, read from the small data file `reference_data/li_liu_2021_released.json`
(regenerated from their repository, mrjunjieli/IB_ON_CNN, by `tools/li_liu_released.py`; the
file records the source commit).

Their estimator is binning with bins 0.67 wide (`ibutils.config.PAPER_ESTIMATOR`). Their
reporter wrote in Keras' ``on_epoch_end(e)``, so the value stored under e is the net after
e + 1 epochs: `ReleasedValue.epoch` counts completed epochs, as our snapshots do, and
`file_epoch` keeps their key. They never recorded the initialisation.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .architecture import NetConfig, paper_variants

DATA = Path(__file__).with_name("reference_data") / "li_liu_2021_released.json"


@dataclass(frozen=True)
class ReleasedValue:
    """One released value: a layer of one of their runs at one epoch (bits)."""

    run: str  # their folder, e.g. "data_all/mnistAndFmnist/test/width/tanh_SHAPE_1-..."
    split: str  # "train" or "test": the set the estimate was computed on
    dataset: str  # "mnist" or "fashion_mnist"
    net: NetConfig
    epoch: int  # completed training epochs: their file's key + 1
    file_epoch: int  # the key in their measures.txt
    layer: str  # our layer name: "conv3", "dense1", "softmax"
    i_xt: float
    i_ty: float


@lru_cache(maxsize=1)
def _payload() -> dict:
    return json.loads(DATA.read_text())


def source_commit() -> str:
    """The commit of their repository the data file was read from."""
    return _payload()["commit"]


def li_liu_released() -> Iterator[ReleasedValue]:
    """Every released value: each run (every configuration, both datasets, both splits), each
    recorded epoch, each measured layer."""
    for run in _payload()["runs"]:
        net = NetConfig(**{k: tuple(v) if isinstance(v, list) else v
                           for k, v in run["net"].items()})
        for k, file_epoch in enumerate(run["file_epochs"]):
            for j, layer in enumerate(run["layers"]):
                yield ReleasedValue(run["path"], run["split"], run["dataset"], net,
                                    file_epoch + 1, file_epoch, layer, run["i_xt"][k][j],
                                    run["i_ty"][k][j])


def paper_variant(net: NetConfig) -> list[tuple[str, str]]:
    """The (factor, variant) names of a network among the paper's (`paper_variants`); a
    network in two factors (w6 = d6, 5conv-k3 = no-fc) has both."""
    return [(factor, name) for factor, variants in paper_variants(net.activation).items()
            for name, cfg in variants.items() if cfg == net]
