#!/usr/bin/env python3
"""PyTorch CPU figures for scale beside the WebGPU peers benches: the three conv shapes
of bench/peers/conv_peers_bench.ts (forward, input gradient, weight gradient) and one training step
of the first study's VAE (full width, latent 128, batch 2, 1×95×79: the model of
tools/fixtures/models_reddipalli22_fixtures.py, the preset's loss (L1 summed per sample + KL)/2,
Adam 1e-4) and of its VQGAN at width 0.25 (D = K = 64; L1 + VQ loss, no discriminator, as
bench/peers/train_step_peers_bench.ts --vqgan). Median ms of N timed calls after 2 warm-ups, on the
threads PyTorch is given (default 2, this project's CI machine).
Run: /usr/bin/python3 tools/torch_speed_reference.py [iterations=5] [threads=2]"""
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "fixtures"))
from models_reddipalli22_fixtures import Vae, Vqgan  # noqa: E402

N_IT = int(sys.argv[1]) if len(sys.argv) > 1 else 5
torch.set_num_threads(int(sys.argv[2]) if len(sys.argv) > 2 else 2)
torch.manual_seed(0)


def median_ms(fn):
    for _ in range(2):
        fn()
    ts = []
    for _ in range(N_IT):
        t0 = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t0) * 1e3)
    ts.sort()
    return ts[len(ts) // 2]


SHAPES = [("[4,32,64,64] k3 →64", 4, 32, 64, 64, 3, 1, 1, 64),
          ("[8,32,48,40] k5 s2 →64", 8, 32, 48, 40, 5, 2, 2, 64),
          ("[8,128,24,20] k3 →128", 8, 128, 24, 20, 3, 1, 1, 128)]
print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} threads, median of {N_IT}")
for label, n, ci, h, w, k, s, p, co in SHAPES:
    x = torch.randn(n, ci, h, w)
    wt = torch.randn(co, ci, k, k)
    y = F.conv2d(x, wt, stride=s, padding=p)
    g = torch.randn_like(y)
    flops = 2 * n * co * y.shape[2] * y.shape[3] * ci * k * k
    with torch.no_grad():
        f = median_ms(lambda: F.conv2d(x, wt, stride=s, padding=p))
        dx = median_ms(lambda: torch.nn.grad.conv2d_input(x.shape, wt, g, stride=s, padding=p))
        dw = median_ms(lambda: torch.nn.grad.conv2d_weight(x, wt.shape, g, stride=s, padding=p))
    for name, ms in (("forward", f), ("input grad", dx), ("weight grad", dw)):
        print(f"conv {label:24s} {name:12s} {ms:9.2f} ms  {flops / ms / 1e6:7.2f} GFLOP/s")


def train_step_ms(model, loss_fn):
    opt = torch.optim.Adam(model.parameters(), lr=1e-4)
    x = torch.rand(2, 1, 95, 79)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model, x)
        loss.backward()
        opt.step()
        return loss.item()
    return median_ms(step)


def vae_loss(m, x):
    recon, mu, lv = m(x, torch.randn(x.shape[0], 128))
    l1 = (recon - x).abs().flatten(1).sum(1).mean()
    kl = (-0.5 * (1 + lv - mu.pow(2) - lv.exp()).sum(1)).mean()
    return (l1 + kl) / 2


vae = Vae(128, 1.0).train()
print(f"step reddipalli22-vae (batch 2, {sum(p.numel() for p in vae.parameters()):,} parameters): "
      f"{train_step_ms(vae, vae_loss):.1f} ms")


def vqgan_loss(m, x):
    out = m(x)
    recon, vq = out[0], out[1]
    return (recon - x).abs().mean() + vq


try:
    vqgan = Vqgan(64, 64, 0.25, False).train()
    print(f"step reddipalli22-vqgan ×0.25 (batch 2, "
          f"{sum(p.numel() for p in vqgan.parameters()):,} parameters): "
          f"{train_step_ms(vqgan, vqgan_loss):.1f} ms")
except Exception as e:  # the fixture model's forward signature is the reference's
    print(f"step reddipalli22-vqgan: not measured ({e})")
