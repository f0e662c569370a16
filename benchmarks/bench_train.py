"""Goals 1 and 2 of the speed issue: training throughput against a plain PyTorch loop.

For each of the paper's 16 configurations (MNIST, 10,000 images, batch 1,000, Adam 1e-3):
- baseline: a plain loop, NCHW tensors, one model at a time;
- ours fp32: the runner's default path, one model at a time (`ibutils.train.train_epoch`):
  conv layers of 1 or 3 channels through `ibutils.fastconv`' direct convolutions, the rest
  channels-last through oneDNN with the tanh fused into the convolution (at one thread,
  `--threads 1`, also each batch's gradient summed over micro-batches of 250 images);
- grouped fp32: `ibutils.seed_group` training the 3 seeds together (grouped convs, channels-last;
  the runner's `--group-seeds`);
- ours bf16: under CPU autocast to bfloat16 (fp32 master weights), one model at a time (the
  runner's `--precision bf16`: oneDNN only, no direct kernels) and grouped
  (`--precision bf16 --group-seeds`); the goal takes the faster of the two per net, as a
  user would pick.
Throughput is model-epochs per second. Also measured in the same run: the fp32 GEMM rate of
this machine, the fraction of it that fp32 training of the largest net reaches, and the bf16
GEMM rate with the CPU's bf16 matrix features (the 8x bf16 goal assumed AMX, whose bf16 GEMM
runs ~9x fp32; a CPU with AVX-512 BF16 dot products alone runs it ~2x).

Goals (exit 1 if missed): fp32 >= 3x baseline and bf16 >= 8x baseline (geometric means over
the grid); largest net's fp32 training >= 50% of the fp32 GEMM rate.

    python benchmarks/bench_train.py [--epochs 2] [--quick | --nets pooling/pool ...] [--threads 1]
"""
from __future__ import annotations

import argparse
import math
import sys
import time

import torch
import torch.nn.functional as F

from ibutils.architecture import get_variant, paper_variants
from ibutils.models import build_cnn
from ibutils.seed_group import GroupedCNN, members_for, train_group_epoch
from ibutils.train import train_epoch

SEEDS = (0, 1, 2)


def data(n=10_000):
    try:
        from ibutils.data import load_dataset
        train, _ = load_dataset("mnist")
        return train.x, train.y
    except Exception:  # no data: random images of the same shape
        g = torch.Generator().manual_seed(0)
        return torch.rand(n, 1, 28, 28, generator=g), torch.randint(0, 10, (n,), generator=g)


def plain_epoch(model, opt, x, y, perm):
    for i in range(0, len(x), 1000):
        idx = perm[i:i + 1000]
        loss = F.cross_entropy(model(x[idx]), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()


def time_plain(cfg, x, y, epochs):
    torch.manual_seed(0)
    model = build_cnn(cfg)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    plain_epoch(model, opt, x, y, torch.randperm(len(x)))  # warm-up
    start = time.perf_counter()
    for _ in range(epochs):
        plain_epoch(model, opt, x, y, torch.randperm(len(x)))
    return (time.perf_counter() - start) / epochs  # seconds per model-epoch


def time_single(cfg, x, y, epochs, bf16=False):
    """The runner's path (`ibutils.train.train_epoch`), one model: fp32 through
    `ibutils.fastconv` (direct kernels for narrow layers, tanh fused into oneDNN's convolution
    for the others) or bf16 autocast through oneDNN; micro-batches at one thread."""
    torch.manual_seed(0)
    model = build_cnn(cfg).to(memory_format=torch.channels_last)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    xc = x.contiguous(memory_format=torch.channels_last)
    precision = "bf16" if bf16 else "fp32"
    train_epoch(model, opt, xc, y, seed=0, epoch=0, batch_size=1000, precision=precision)
    start = time.perf_counter()  # after a warm-up epoch (and the kernels' one-time build)
    for e in range(epochs):
        train_epoch(model, opt, xc, y, seed=0, epoch=e + 1, batch_size=1000,
                    precision=precision)
    return (time.perf_counter() - start) / epochs


def time_grouped(cfg, x, y, epochs, bf16):
    model = GroupedCNN(cfg, members_for(cfg, SEEDS)).to(memory_format=torch.channels_last)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    train_group_epoch(model, opt, x, y, SEEDS, 0, 1000, bf16)  # warm-up
    start = time.perf_counter()
    for e in range(epochs):
        train_group_epoch(model, opt, x, y, SEEDS, e + 1, 1000, bf16)
    return (time.perf_counter() - start) / epochs / len(SEEDS)


def macs_per_image(cfg) -> int:
    """Multiply-adds of one forward pass (convs and dense layers)."""
    total, in_ch, shapes = 0, 1, cfg.layer_shapes()
    for i, (f, k) in enumerate(zip(cfg.filters, cfg.kernels)):
        _, h, w = shapes[f"conv{i + 1}"]
        total += f * in_ch * k * k * h * w
        in_ch = f
    c, h, w = shapes[f"conv{len(cfg.filters)}"]
    widths = [c * h * w, *cfg.dense, 10]
    return total + sum(a * b for a, b in zip(widths[:-1], widths[1:]))


def gemm_gflops(n=2048, repeat=5, dtype=torch.float32):
    a, b = torch.rand(n, n).to(dtype), torch.rand(n, n).to(dtype)
    a @ b
    start = time.perf_counter()
    for _ in range(repeat):
        a @ b
    return 2 * n**3 * repeat / (time.perf_counter() - start) / 1e9


def cpu_matrix_units() -> str:
    """The CPU's bf16 matrix features from /proc/cpuinfo: AMX tiles (the bf16 goal's premise,
    ~9x the fp32 GEMM rate) or AVX-512 BF16 dot products (~2x), and PyTorch's kernel level."""
    try:
        with open("/proc/cpuinfo") as info:
            flags = next(line for line in info if line.startswith("flags")).split()
    except (OSError, StopIteration):
        flags = []
    units = [f for f in ("amx_bf16", "amx_tile", "avx512_bf16") if f in flags]
    return (f"{', '.join(units) or 'no bf16 matrix units'} "
            f"(torch kernels: {torch.backends.cpu.get_cpu_capability()})")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="4 configurations only")
    parser.add_argument("--nets", nargs="+", metavar="FACTOR/VARIANT", default=None,
                        help="only these configurations, e.g. pooling/pool fc/no-fc")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch threads for every path (default: torch's, all cores)")
    args = parser.parse_args(argv)
    if args.threads is not None:
        if args.threads < 1:
            parser.error(f"--threads: got {args.threads}, allowed a positive integer")
        torch.set_num_threads(args.threads)
    x, y = data()
    grid, seen = [], set()
    for f, vs in paper_variants().items():
        for v, c in vs.items():
            if c not in seen:  # depth d6 is width w6, fc no-fc is kernel 5conv-k3: 16 nets
                seen.add(c)
                grid.append((f, v, c))
    if args.quick:
        grid = grid[::4]
    if args.nets:
        grid = []
        for item in args.nets:
            factor, _, variant = item.partition("/")
            try:
                grid.append((factor, variant, get_variant(factor, variant)))
            except ValueError as err:
                parser.error(f"--nets: {item!r}: {err}")
    print(f"{len(grid)} configurations, {args.epochs} timed epochs each, torch threads "
          f"{torch.get_num_threads()}")
    print(f"{'config':22s}{'plain s/ep':>11s}{'fp32 s/ep':>11s}{'grouped':>9s}{'bf16 s/ep':>11s}"
          f"{'bf16 grp':>10s}{'fp32 x':>8s}{'grouped x':>10s}{'bf16 x':>8s}")
    ratios32, ratios_g, ratios16, largest = [], [], [], None
    for factor, name, cfg in grid:
        base = time_plain(cfg, x, y, args.epochs)
        ours = time_single(cfg, x, y, args.epochs)
        grouped = time_grouped(cfg, x, y, args.epochs, bf16=False)
        half = time_single(cfg, x, y, args.epochs, bf16=True)
        half_g = time_grouped(cfg, x, y, args.epochs, bf16=True)
        ratios32.append(base / ours)
        ratios_g.append(base / grouped)
        ratios16.append(base / min(half, half_g))
        print(f"{factor + '/' + name:22s}{base:11.3f}{ours:11.3f}{grouped:9.3f}{half:11.3f}"
              f"{half_g:10.3f}{base / ours:8.2f}{base / grouped:10.2f}{ratios16[-1]:8.2f}",
              flush=True)
        flops = 3 * 2 * macs_per_image(cfg) * len(x)  # forward + backward ~ 3 forward passes
        if largest is None or flops > largest[1]:
            largest = (f"{factor}/{name}", flops, ours)
    geo32 = math.exp(sum(map(math.log, ratios32)) / len(ratios32))
    geo16 = math.exp(sum(map(math.log, ratios16)) / len(ratios16))
    geo_g = math.exp(sum(map(math.log, ratios_g)) / len(ratios_g))
    geo_best = math.exp(sum(math.log(max(a, b)) for a, b in zip(ratios32, ratios_g))
                        / len(ratios32))
    peak = gemm_gflops()
    peak16 = gemm_gflops(dtype=torch.bfloat16)
    rate = largest[1] / largest[2] / 1e9
    print(f"\ngeometric mean speed-up, fp32: {geo32:.2f}x (goal >= 3x); grouped seeds "
          f"{geo_g:.2f}x; the faster of the two per net {geo_best:.2f}x")
    print(f"geometric mean speed-up, bf16 (the faster of one model and grouped per net): "
          f"{geo16:.2f}x (goal >= 8x)")
    print(f"fp32 GEMM rate: {peak:.0f} GFLOP/s; largest net {largest[0]} trains at {rate:.0f} "
          f"GFLOP/s = {100 * rate / peak:.0f}% (goal >= 50%)")
    print(f"bf16 GEMM rate: {peak16:.0f} GFLOP/s = {peak16 / peak:.1f}x fp32; CPU: "
          f"{cpu_matrix_units()}")
    ok = geo32 >= 3 and geo16 >= 8 and rate >= 0.5 * peak
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
