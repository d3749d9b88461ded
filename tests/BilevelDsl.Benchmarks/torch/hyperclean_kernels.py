#!/usr/bin/python3
"""PyTorch autograd timing of the hyper-cleaning lower level, next to BilevelDsl's generated kernels.

The function is the benchmark's (tests/BilevelDsl.Benchmarks/HyperCleaningModels.cs, HyperCleaningLower.Train):

    f(x, w) = mean_i sigmoid(x_i) * CE(W a_i, b_i) + 1e-3 ||w||^2,   W = w.view(10, 784),  A: 5000 x 784, float64

It times, per thread count (torch.set_num_threads):
  gradient: f and its gradient in (x, w) by one backward pass (torch.autograd.grad);
  HVP:      the Hessian of f times (vx, vw) by double backward (create_graph=True, then grad of <g, v>),
            with vx = x as in the C# benchmark.
Each is run `--calls` times after 3 warm-up calls; it prints the fastest and the median wall time of a call and the
process CPU time per call (time.process_time, all threads), the numbers to use when the machine is busy.

With --ours FILE (the output of `dotnet run -c Release --project tests/BilevelDsl.Benchmarks -- time`, which prints a
line `JSON {...}`), it prints the ratio ours / torch for each kernel and thread count, by CPU time and by fastest wall
time. The data are random (seeded), of the benchmark's shape; the values do not change the time.

Usage: /usr/bin/python3 hyperclean_kernels.py [--threads 1,2] [--calls 30] [--ours timing.txt]
"""
import argparse
import json
import statistics
import time

import torch

torch.set_default_dtype(torch.float64)
ROWS, COLUMNS, CLASSES = 5000, 784, 10


def lower(a, b, x, w):
    scores = a @ w.view(CLASSES, COLUMNS).T
    ce = torch.nn.functional.cross_entropy(scores, b, reduction="none")
    return (torch.sigmoid(x) * ce).mean() + 1e-3 * (w * w).sum()


def gradient(a, b, x, w):
    value = lower(a, b, x, w)
    gx, gw = torch.autograd.grad(value, (x, w))
    return value, gx, gw


def hessian_vector(a, b, x, w, vx, vw):
    value = lower(a, b, x, w)
    gx, gw = torch.autograd.grad(value, (x, w), create_graph=True)
    hx, hw = torch.autograd.grad((gx * vx).sum() + (gw * vw).sum(), (x, w))
    return hx, hw


def timed(call, calls):
    for _ in range(3):
        call()
    wall = []
    cpu_start = time.process_time()
    for _ in range(calls):
        start = time.perf_counter()
        call()
        wall.append((time.perf_counter() - start) * 1e3)
    cpu = (time.process_time() - cpu_start) * 1e3 / calls
    return min(wall), statistics.median(wall), cpu


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--calls", type=int, default=30)
    parser.add_argument("--ours")
    args = parser.parse_args()

    generator = torch.Generator().manual_seed(20261205)
    a = torch.randn(ROWS, COLUMNS, generator=generator)
    b = torch.randint(0, CLASSES, (ROWS,), generator=generator)
    x = torch.randn(ROWS, generator=generator).requires_grad_()
    w = (0.05 * torch.randn(CLASSES * COLUMNS, generator=generator)).requires_grad_()
    vw = torch.randn(CLASSES * COLUMNS, generator=generator)
    vx = x.detach().clone()

    ours = {}
    if args.ours:
        with open(args.ours) as f:
            for line in f:
                if line.startswith("JSON "):
                    ours = json.loads(line[5:])

    print(f"torch {torch.__version__}, float64, {ROWS} x {COLUMNS}, {CLASSES} classes; BLAS: "
          f"{'OpenBLAS' if 'openblas' in torch.__config__.show().lower() else 'see torch.__config__.show()'}")
    print(f"{'kernel':<40} {'min ms':>8} {'median ms':>10} {'CPU ms/call':>12} {'ours/torch CPU':>15} {'ours/torch min':>15}")
    for threads in [int(t) for t in args.threads.split(",")]:
        torch.set_num_threads(threads)
        suffix = f"({threads} thread{'s' if threads > 1 else ''})"
        for name, call, our_name in [
            ("torch autograd gradient", lambda: gradient(a, b, x, w), "generated gradient"),
            ("torch double-backward HVP", lambda: hessian_vector(a, b, x, w, vx, vw), "generated Hessian-vector product"),
        ]:
            fastest, median, cpu = timed(call, args.calls)
            mine = ours.get(f"{our_name} {suffix}")
            ratio_cpu = f"{mine[2] / cpu:.2f}" if mine else "-"
            ratio_min = f"{mine[0] / fastest:.2f}" if mine else "-"
            print(f"{name + ' ' + suffix:<40} {fastest:8.2f} {median:10.2f} {cpu:12.2f} {ratio_cpu:>15} {ratio_min:>15}")


if __name__ == "__main__":
    main()
