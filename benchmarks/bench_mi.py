"""Goal 3 of the speed issue: binned MI against the reference algorithm and a memory pass.

Baseline: the reference algorithm of ibsgd's `simplebinmi` (Saxe et al. 2018), reimplemented
here: floor-binning to an int array, distinct rows found by `np.unique` over a void view of each
row, H(T|Y) by a loop over labels, and H(T|X) by a loop over every input (the per-sample loop).
Ours: `ibutils.mi.binning_mi` (rows binned and hashed in one read by the compiled kernel of
`ibutils._binning_engine.binhash`, or by numpy without a compiler or with IBUTILS_FAST_BINS=0). Both
on identical activations (N = 10,000 rows, D >= 4,000) of a real layer when IBUTILS_DATA
holds MNIST, else on synthetic tanh activations.

Prints baseline, ours and their ratio, and ours against one plain pass over the same array
(`np.sum`); exits 1 when a goal is missed: >= 100x the baseline, values equal within 1e-9 bits,
<= 2x the memory pass.
"""
from __future__ import annotations

import sys
import time

import numpy as np

from ibutils import mi

BIN_WIDTH = 0.67


def reference_binned_mi(t: np.ndarray, y: np.ndarray, bin_width: float):
    """ibsgd-style reference: I(X;T) = H(T) - H(T|X), I(T;Y) = H(T) - H(T|Y), in bits."""
    def probs(rows):
        rows = np.ascontiguousarray(rows)
        ids = rows.view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1])))
        _, inverse, counts = np.unique(ids, return_inverse=True, return_counts=True)
        return counts / counts.sum(), inverse

    def entropy(p):
        return float(-(p * np.log2(p)).sum())

    binned = np.floor(t / bin_width).astype(np.int64)
    p_t, _ = probs(binned)
    h_t = entropy(p_t)
    h_t_given_y = sum(np.mean(y == c) * entropy(probs(binned[y == c])[0]) for c in np.unique(y))
    x_ids = np.arange(len(t))  # every row is a distinct input
    inputs, inverse_x = np.unique(x_ids, return_inverse=True)
    h_t_given_x = 0.0
    for x in range(len(inputs)):  # the per-sample loop
        rows = binned[inverse_x == x]
        h_t_given_x += len(rows) / len(t) * entropy(probs(rows)[0])
    return h_t - h_t_given_x, h_t - h_t_given_y


def activations() -> tuple[np.ndarray, np.ndarray, str]:
    try:
        import torch

        from ibutils.config import get_profile
        from ibutils.architecture import get_variant
        from ibutils.runner import data_for
        from ibutils.record import capture
        from ibutils.train import new_model
        run = get_profile("book").run_config(get_variant("width", "w12"), "mnist", 0)
        splits = data_for(run)
        model, _ = new_model(run)
        torch.manual_seed(0)
        acts, _ = capture(model, splits["train"].x)
        return acts["conv4"], splits["train"].y.numpy(), "MNIST, w12 conv4 at init"
    except Exception as exc:  # no data here: synthetic activations of the same size
        rng = np.random.default_rng(0)
        t = np.tanh(rng.normal(scale=2.0, size=(10_000, 4_800))).astype(np.float32)
        return t, rng.integers(0, 10, 10_000), f"synthetic tanh ({type(exc).__name__})"


def best_of(fn, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return min(times), out


def main() -> int:
    t, y, source = activations()
    print(f"activations: {source}, shape {t.shape}, {t.nbytes / 2**20:.0f} MiB")
    from ibutils.mi._binning_engine import binhash
    print("ours hashes rows with: " + ("the compiled one-pass kernel (_binhash.cpp)"
                                       if binhash() is not None else
                                       "numpy (no compiler, or IBUTILS_FAST_BINS=0)"))
    base_s, (b_ixt, b_ity) = best_of(lambda: reference_binned_mi(t, y, BIN_WIDTH), 1)
    ours_s, r = best_of(lambda: mi.binning_mi(t, y, bin_width=BIN_WIDTH), 5)
    sum_s, _ = best_of(lambda: t.sum(), 5)
    err = max(abs(b_ixt - r.i_xt), abs(b_ity - r.i_ty))
    speedup, vs_pass = base_s / ours_s, ours_s / sum_s
    print(f"{'':28s}{'seconds':>10s}")
    print(f"{'baseline (reference loop)':28s}{base_s:10.3f}")
    print(f"{'ours (binning_mi)':28s}{ours_s:10.4f}")
    print(f"{'one memory pass (np.sum)':28s}{sum_s:10.4f}")
    print(f"speedup over baseline: {speedup:8.1f}x   (goal >= 100x)")
    print(f"ours / memory pass:    {vs_pass:8.2f}x   (goal <= 2x)")
    print(f"max |difference|:      {err:.2e} bits (goal <= 1e-9); I(X;T) = {r.i_xt:.6f}, "
          f"I(T;Y) = {r.i_ty:.6f}")
    ok = speedup >= 100 and vs_pass <= 2 and err <= 1e-9
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
