"""Regenerate `ibutils/reference_data/li_liu_2021_released.json`: the per-epoch, per-layer
binned I(X;T) and I(T;Y) that Li & Liu released with their code (repository
mrjunjieli/IB_ON_CNN, folder ``data_all/mnistAndFmnist``), read by
`ibutils.reference.li_liu_released`.

    python tools/li_liu_released.py PATH_TO_THEIR_GIT_DIR_OR_CLONE

Each run folder holds ``measures.txt`` (JSON: {"tanh": {file epoch: {"MI_XM_bin": [one value per
measured layer], "MI_YM_bin": [...], "H_M_bin": [...]}}}) and ``README.md`` (the Keras layers,
one JSON object per line). The folder name ends in ``_{choice}_{pool}``: choice 0 is MNIST, 1
Fashion-MNIST. The network is read from the folder name and checked against the README's
layers (conv filters and kernel sizes, a max-pool, hidden Dense layers) where there is one;
the split comes from the path (``train``/``test``). Values are kept
to 1e-6 bits; the source commit is recorded in the file.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "ibutils" / "reference_data" / "li_liu_2021_released.json"
PREFIX = "data_all/mnistAndFmnist/"
DATASETS = {"0": "mnist", "1": "fashion_mnist"}


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", f"--git-dir={repo}", *args], check=True, capture_output=True,
                          text=True).stdout


def network(readme: str) -> dict:
    """filters, kernels, pool_after and dense of the Keras model a README lists."""
    filters, kernels, dense, pool_after = [], [], [], None
    for line in readme.splitlines():
        try:
            layer = json.loads(line)
        except ValueError:
            continue
        kind, cfg = layer["class_name"], layer["config"]
        if kind == "Conv2D":
            filters.append(cfg["filters"])
            kernels.append(cfg["kernel_size"][0])
        elif kind == "MaxPooling2D":
            pool_after = len(filters)
        elif kind == "Dense" and cfg["activation"] != "softmax":
            dense.append(cfg["units"])
    return {"filters": filters, "kernels": kernels, "pool_after": pool_after, "dense": dense,
            "activation": "tanh"}


def from_name(folder: str, factor_folder: str) -> dict:
    """The network a run folder's name describes: ``tanh_SHAPE_{filters}_KERNEL_{kernels}_10_
    {choice}_{pool}``, the pool after the 2nd conv layer (their code, PAPER.md), and the
    dense layers 500-1024-500 of the paper's FC net in the folder ``fully``."""
    name = folder.rsplit("/", 1)[1]
    shape = name.split("_SHAPE_")[1].split("_KERNEL_")[0]
    kernel = name.split("_KERNEL_")[1].split("_")[0]
    pool = name.rsplit("_", 1)[1] == "1"
    return {"filters": [int(f) for f in shape.split("-")],
            "kernels": [int(k) for k in kernel.split("-")], "pool_after": 2 if pool else None,
            "dense": [500, 1024, 500] if factor_folder == "fully" else [], "activation": "tanh"}


def layer_names(net: dict) -> list[str]:
    return ([f"conv{i + 1}" for i in range(len(net["filters"]))]
            + [f"dense{i + 1}" for i in range(len(net["dense"]))] + ["softmax"])


def main(repo: str) -> int:
    repo = Path(repo)
    if (repo / ".git").is_dir():
        repo = repo / ".git"
    commit = git(repo, "rev-parse", "HEAD").strip()
    paths = [p for p in git(repo, "ls-tree", "-r", "--name-only", "HEAD").splitlines()
             if p.startswith(PREFIX) and p.endswith("/measures.txt")]
    runs = []
    for path in sorted(paths):
        folder = path[:-len("/measures.txt")]
        split, factor_folder = folder[len(PREFIX):].split("/")[:2]
        choice = folder.rsplit("_", 2)[1]
        net = from_name(folder, factor_folder)
        try:
            listed = network(git(repo, "show", f"HEAD:{folder}/README.md"))
        except subprocess.CalledProcessError:  # a few runs have no README: the name suffices
            listed = net
        if listed != net:
            raise SystemExit(f"{folder}: its README lists {listed}, its name says {net}")
        measures = json.loads(git(repo, "show", f"HEAD:{path}"))["tanh"]
        file_epochs = sorted(measures, key=int)
        layers = layer_names(net)
        for e in file_epochs:
            if len(measures[e]["MI_XM_bin"]) != len(layers):
                raise SystemExit(f"{path}: epoch {e} has {len(measures[e]['MI_XM_bin'])} "
                                 f"values, the network {len(layers)} layers")
        runs.append({
            "path": folder, "split": split, "dataset": DATASETS[choice],
            "folder": factor_folder, "net": net, "layers": layers,
            "file_epochs": [int(e) for e in file_epochs],
            "i_xt": [[round(v, 6) for v in measures[e]["MI_XM_bin"]] for e in file_epochs],
            "i_ty": [[round(v, 6) for v in measures[e]["MI_YM_bin"]] for e in file_epochs]})
    OUT.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "source": "mrjunjieli/IB_ON_CNN (Li & Liu's released code and results), folder "
                  + PREFIX + "*/*/*/measures.txt and README.md",
        "commit": commit,
        "estimator": "binning, fixed bin width 0.67 (their MI_XM_bin, MI_YM_bin), bits",
        "epochs": "file_epochs are the keys of measures.txt, written by Keras' on_epoch_end(e): "
                  "the net after e + 1 training epochs",
        "runs": runs}
    OUT.write_text(json.dumps(payload, separators=(",", ":")) + "\n")
    print(f"{len(runs)} runs from {commit[:12]} -> {OUT.relative_to(ROOT)} "
          f"({OUT.stat().st_size / 1e3:.0f} kB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:2]))
