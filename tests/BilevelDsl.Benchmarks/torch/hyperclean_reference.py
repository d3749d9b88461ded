#!/usr/bin/python3
"""PyTorch reference for experiment 1 (data hyper-cleaning, linear softmax model; docs/experiments.md).

Runs AID-CG and RHG with the settings and on the split that `bilevel hyperclean --export-split FILE` wrote, on one
thread in float64, and prints one JSON object per method: seconds and CPU seconds per outer iteration, test accuracy,
F1. The update rules mirror BilevelDsl's solvers as the tool configures them (docs/solvers.md):

  eps_k = max(max(1e-2, floor) * 0.8^k, floor)            lower-level tolerance of outer iteration k
  AID-CG: y <- up to `inner` gradient steps y - s grad_y f (warm start; stop once ||grad_y f|| <= eps_k);
          v <- up to `hyper` CG iterations on H_yy v = grad_y F (warm start from the previous v; stop at ||r|| <= eps_k);
          g = grad_x F - H_xy v
  RHG:    y_0 = previous y_T; y_{t+1} = y_t - s grad_y f(x, y_t), t < inner; g = d F(x, y_T) / dx by reverse mode
  x <- Adam(x, g, lr)

Usage: /usr/bin/python3 hyperclean_reference.py SPLIT.json [--methods aid-cg,rhg] [--lower-tol 0.05]
"""
import argparse
import gzip
import json
import os
import time

import numpy as np
import torch

torch.set_num_threads(1)
torch.set_default_dtype(torch.float64)


def load_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    rank = data[3]
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def features(images, pool):
    n, h, w = images.shape
    x = images.astype(np.float64) / 255.0
    if pool > 1:
        x = x.reshape(n, h // pool, pool, w // pool, pool).mean(axis=(2, 4))
    x = x.reshape(n, -1)
    return np.hstack([x, np.ones((n, 1))])


def load_split(split):
    d = split["dataDirectory"]
    train_images = load_idx(os.path.join(d, "train-images-idx3-ubyte.gz"))
    train_labels = load_idx(os.path.join(d, "train-labels-idx1-ubyte.gz"))
    test_images = load_idx(os.path.join(d, "t10k-images-idx3-ubyte.gz"))
    test_labels = load_idx(os.path.join(d, "t10k-labels-idx1-ubyte.gz"))
    tr, va, te = split["trainIndices"], split["validationIndices"], split["testIndices"]
    pool = split["pool"]
    t = lambda a: torch.tensor(a)
    return (t(features(train_images[tr], pool)), torch.tensor(split["noisyLabels"], dtype=torch.long),
            t(features(train_images[va], pool)), torch.tensor(train_labels[va].astype(np.int64)),
            t(features(test_images[te], pool)), torch.tensor(test_labels[te].astype(np.int64)),
            np.array(split["clean"], dtype=bool))


class Problem:
    def __init__(self, a_tr, b_tr, a_va, b_va, l2):
        self.a_tr, self.b_tr, self.a_va, self.b_va, self.l2 = a_tr, b_tr, a_va, b_va, l2
        self.d = a_tr.shape[1]

    def lower(self, x, w):
        scores = self.a_tr @ w.view(10, self.d).T
        ce = torch.nn.functional.cross_entropy(scores, self.b_tr, reduction="none")
        return (torch.sigmoid(x) * ce).mean() + self.l2 * (w * w).sum()

    def upper(self, x, w):
        scores = self.a_va @ w.view(10, self.d).T
        return torch.nn.functional.cross_entropy(scores, self.b_va)


def tolerance(k, floor):
    return max(max(1e-2, floor) * 0.8 ** k, floor)


def aid_cg(p, x, w, v, k, s, inner, hyper, floor):
    eps = tolerance(k, floor)
    for _ in range(inner):
        w.requires_grad_(True)
        g = torch.autograd.grad(p.lower(x, w), w)[0]
        w = w.detach()
        if g.norm() <= eps:
            break
        w = w - s * g
    w.requires_grad_(True)
    x.requires_grad_(True)
    gy_f = torch.autograd.grad(p.lower(x, w), w, create_graph=True)[0]
    gy_F = torch.autograd.grad(p.upper(x, w), w)[0]
    hvp = lambda u: torch.autograd.grad(gy_f, w, u, retain_graph=True)[0]
    r = gy_F - hvp(v)
    d = r.clone()
    rr = r @ r
    for _ in range(hyper):
        if rr.sqrt() <= eps:
            break
        hd = hvp(d)
        alpha = rr / (d @ hd)
        v = v + alpha * d
        r = r - alpha * hd
        rr_new = r @ r
        d = r + (rr_new / rr) * d
        rr = rr_new
    g = -torch.autograd.grad(gy_f, x, v)[0]
    return g.detach(), w.detach(), v.detach()


def rhg(p, x, w, s, inner):
    x.requires_grad_(True)
    y = w.detach()
    for _ in range(inner):
        y.requires_grad_(True) if not y.requires_grad else None
        g = torch.autograd.grad(p.lower(x, y), y, create_graph=True)[0]
        y = y - s * g
    g = torch.autograd.grad(p.upper(x, y), x)[0]
    return g.detach(), y.detach()


def accuracy(w, a, b, d):
    return ((a @ w.view(10, d).T).argmax(dim=1) == b).double().mean().item()


def f1(x, clean):
    sel = x.numpy() > 0
    tp = np.sum(sel & clean); fp = np.sum(sel & ~clean); fn = np.sum(~sel & clean)
    return 0.0 if tp == 0 else 2.0 * tp / (2.0 * tp + fp + fn)


def run(method, split, floor):
    a_tr, b_tr, a_va, b_va, a_te, b_te, clean = load_split(split)
    p = Problem(a_tr, b_tr, a_va, b_va, split["l2"])
    n, d = a_tr.shape
    x = torch.zeros(n)
    w = torch.zeros(10 * d)
    v = torch.zeros(10 * d)
    adam = torch.optim.Adam([x], lr=split["upperStepSize"])
    s, inner, hyper, outer = split["innerStepSize"], split["inner"], split["hypergradientSteps"], split["outer"]
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for k in range(outer):
        xk = x.detach()
        if method == "aid-cg":
            g, w, v = aid_cg(p, xk.clone(), w, v, k, s, inner, hyper, floor)
        else:
            g, w = rhg(p, xk.clone(), w, s, inner)
        if k == outer - 1:
            break  # as BilevelDsl: no x step after the last iteration
        adam.zero_grad()
        x.grad = g
        adam.step()
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    return {
        "method": method, "outer": outer, "threads": torch.get_num_threads(), "dtype": "float64",
        "secondsPerOuterIteration": wall / outer, "cpuSecondsPerOuterIteration": cpu / outer,
        "testAccuracy": accuracy(w, a_te, b_te, d), "f1": f1(x.detach(), clean),
        "upperValue": p.upper(x.detach(), w).item(), "torch": torch.__version__,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("split")
    parser.add_argument("--methods", default="aid-cg,rhg")
    parser.add_argument("--lower-tol", type=float, default=0.05)
    args = parser.parse_args()
    with open(args.split) as f:
        split = json.load(f)
    for method in args.methods.split(","):
        print(json.dumps(run(method, split, args.lower_tol)), flush=True)
