"""Why Li & Liu's training-split ceiling is 13.1365 bits, not log2 10,000 = 13.2877.

    python tools/li_liu_train_split.py PATH_TO_THEIR_choice_FILE [--draws 200]

Binned I(X;T) of a hidden layer is H(T), which for distinct inputs reaches the entropy of the
inputs themselves: log2 N when N images are distinct, less when some repeat. Their released
values put every hidden layer of every training-split run at 13.1365 bits on both datasets,
with H(Y) = log2 10 on MNIST and 3.3209 bits on Fashion-MNIST. This script tests two
candidate training lists against those three numbers:

1. their released ``choice`` file (a pickle of plain ints, lists and a dict; checked with
   pickletools before loading: no code can run from it);
2. 1,000 images per MNIST class drawn *with replacement* (numpy's default), the same indices
   reused for Fashion-MNIST, over many seeds (mean and spread), from the whole class and from
   the first ~1,070 images of each class.

Reads MNIST and Fashion-MNIST labels and images from IBUTILS_DATA.
"""
from __future__ import annotations

import argparse
import pickle
import pickletools

import numpy as np

from ibutils.data import data_root

OBSERVED = {"train ceiling (bits)": 13.136497, "MNIST H(Y)": 3.321928,
            "Fashion-MNIST H(Y)": 3.320853}


def entropy(counts) -> float:
    c = np.asarray(counts, dtype=float)
    c = c[c > 0]
    p = c / c.sum()
    return float(-(p * np.log2(p)).sum())


def raw(folder: str, kind: str) -> np.ndarray:
    data = (data_root() / folder / "raw" / f"train-{kind}").read_bytes()
    if kind.startswith("labels"):
        return np.frombuffer(data[8:], dtype=np.uint8)
    return np.frombuffer(data[16:], dtype=np.uint8).reshape(-1, 784)


def safe_pickle(path: str):
    """Load a pickle only if it holds plain data (no GLOBAL/REDUCE opcodes)."""
    names = {op.name for op, _, _ in pickletools.genops(open(path, "rb"))}
    unsafe = names & {"GLOBAL", "STACK_GLOBAL", "REDUCE", "BUILD", "INST", "OBJ", "NEWOBJ"}
    if unsafe:
        raise SystemExit(f"{path}: holds {sorted(unsafe)}, refusing to load it")
    with open(path, "rb") as f:
        return pickle.load(f)


def describe(name: str, idx: np.ndarray, y_mnist, y_fashion, x_mnist, x_fashion) -> None:
    _, rows_m = np.unique(x_mnist[idx], axis=0, return_counts=True)
    _, rows_f = np.unique(x_fashion[idx], axis=0, return_counts=True)
    print(f"{name}: {len(idx)} indices, {len(np.unique(idx))} distinct; H(images) MNIST "
          f"{entropy(rows_m):.4f}, Fashion-MNIST {entropy(rows_f):.4f}; H(Y) MNIST "
          f"{entropy(np.bincount(y_mnist[idx])):.6f}, Fashion-MNIST "
          f"{entropy(np.bincount(y_fashion[idx])):.6f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("choice")
    parser.add_argument("--draws", type=int, default=200)
    args = parser.parse_args()
    y_m, y_f = raw("MNIST", "labels-idx1-ubyte"), raw("FashionMNIST", "labels-idx1-ubyte")
    x_m, x_f = raw("MNIST", "images-idx3-ubyte"), raw("FashionMNIST", "images-idx3-ubyte")
    print("their released values:", ", ".join(f"{k} {v}" for k, v in OBSERVED.items()))
    choice = safe_pickle(args.choice)
    idx = np.concatenate([np.asarray(choice[k]) for k in sorted(choice)])
    describe("released choice file", idx, y_m, y_f, x_m, x_f)
    share = np.mean([np.mean(y_m[np.asarray(choice[k])] == k) for k in sorted(choice)])
    print(f"  share of each list's indices whose MNIST label is its key: {share:.3f}")
    rng = np.random.default_rng(0)
    for pool in (None, 1070):
        h_x, h_y = [], []
        for _ in range(args.draws):
            draw = np.concatenate([rng.choice(np.flatnonzero(y_m == k)[:pool], 1000)
                                   for k in range(10)])
            h_x.append(entropy(np.bincount(draw)))
            h_y.append(entropy(np.bincount(y_f[draw], minlength=10)))
        where = "whole class" if pool is None else f"first {pool} of each class"
        print(f"1,000 per MNIST class with replacement, {where} ({args.draws} draws): "
              f"H(inputs) {np.mean(h_x):.4f} +- {np.std(h_x):.4f}; MNIST H(Y) log2 10; "
              f"Fashion-MNIST H(Y) {np.mean(h_y):.6f} +- {np.std(h_y):.6f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
