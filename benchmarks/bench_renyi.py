"""The matrix-based Renyi estimator as the recorder calls it: one snapshot, every layer.

Side by side in one process, on 500 MNIST test images (random images without the data) and
the activations of every layer of an untrained paper net (Renyi's cost depends on the shapes,
not on training):
- baseline: `ibutils.mi.renyi_mi_by_definition`, the estimator's definition, five N x N
  eigensolves per layer, S(A_X), S(A_T), S(A_X o A_T), S(A_Y), S(A_T o A_Y);
- ours: `ibutils.mi.renyi_mi`, where S(A_Y) is in closed form, S(A_T o A_Y) comes from one
  small eigensolve per class, and the input side is computed once for all layers.
No speed goal is set for this; the script exits 1 only if the two disagree by more than
1e-9 (bits, or the estimator's units).

    python benchmarks/bench_renyi.py [--variant width/w3] [--repeat 3]
"""
from __future__ import annotations

import os

for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")  # before numpy is imported: the recorder's setting

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import torch  # noqa: E402

from ibutils import mi  # noqa: E402
from ibutils.mi import renyi  # noqa: E402
from ibutils.architecture import get_variant
from ibutils.models import build_cnn  # noqa: E402
from ibutils.record import capture
from ibutils.train import as_input  # noqa: E402

N, ALPHA = 500, 1.01


def inputs():
    try:
        from ibutils.data import load_dataset
        _, test = load_dataset("mnist")
        return test.x[:N], test.y[:N].numpy()
    except Exception:  # no data: random images of the same shape
        g = torch.Generator().manual_seed(0)
        return torch.rand(N, 1, 28, 28, generator=g), torch.randint(0, 10, (N,), generator=g).numpy()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", default="width/w3", help="factor/variant of a paper net")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    torch.manual_seed(0)
    model = build_cnn(get_variant(*args.variant.split("/"))).eval()
    x_img, y = inputs()
    acts, _ = capture(model, as_input(x_img))
    x = x_img.numpy().reshape(N, -1)
    shapes = ", ".join(f"{k} {v.shape[1]}" for k, v in acts.items())
    print(f"{args.variant}: {len(acts)} layers ({shapes}), N = {N}, alpha = {ALPHA}, 1 thread")
    base_t, ours_t, worst = [], [], 0.0
    for _ in range(args.repeat):
        start = time.perf_counter()
        ref = {k: mi.renyi_mi_by_definition(t, x, y, alpha=ALPHA) for k, t in acts.items()}
        base_t.append(time.perf_counter() - start)
        renyi._INPUT_MEMO.clear()  # a new snapshot: the input side is computed once, here
        start = time.perf_counter()
        ours = {k: mi.renyi_mi(t, x, y, alpha=ALPHA) for k, t in acts.items()}
        ours_t.append(time.perf_counter() - start)
        worst = max(worst, *(abs(ours[k].i_xt - ref[k][0]) for k in acts),
                    *(abs(ours[k].i_ty - ref[k][1]) for k in acts))
    base, fast = min(base_t), min(ours_t)
    print(f"baseline (definition, 5 eigensolves per layer)  {base:8.3f} s per snapshot")
    print(f"ours (ibutils.mi.renyi_mi)                      {fast:8.3f} s per snapshot")
    print(f"speed-up {base / fast:.2f}x; max |difference| {worst:.1e} (must be <= 1e-9)")
    ok = worst <= 1e-9
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
