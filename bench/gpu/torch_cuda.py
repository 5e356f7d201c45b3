"""PyTorch CUDA eager: the peer of bench/gpu's training-step measurement (same architecture as tinyseek's dense
model and bench/peer/torch_bench.py: pre-RMSNorm, RoPE, causal MHA, SwiGLU, tied head; the same three configs),
fp32 with TF32 off, then with TF32 on. Prints one JSON object. Usage: torch_cuda.py [REPS]"""
import json, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F

REPS = int(sys.argv[1]) if len(sys.argv) > 1 else 10
dev = 'cuda'
torch.manual_seed(0)


class Block(nn.Module):
    def __init__(s, d, h, ff):
        super().__init__()
        s.h = h
        s.n1, s.n2 = nn.RMSNorm(d, eps=1e-6), nn.RMSNorm(d, eps=1e-6)
        s.qkv = nn.Linear(d, 3 * d, bias=False)
        s.o = nn.Linear(d, d, bias=False)
        s.g, s.u = nn.Linear(d, ff, bias=False), nn.Linear(d, ff, bias=False)
        s.dn = nn.Linear(ff, d, bias=False)

    def forward(s, x, cos, sin):
        B, T, D = x.shape
        q, k, v = s.qkv(s.n1(x)).view(B, T, 3, s.h, D // s.h).permute(2, 0, 3, 1, 4)
        def rope(t):
            a, b = t.chunk(2, -1)
            return torch.cat([a * cos - b * sin, a * sin + b * cos], -1)
        a = F.scaled_dot_product_attention(rope(q), rope(k), v, is_causal=True)
        x = x + s.o(a.transpose(1, 2).reshape(B, T, D))
        h = s.n2(x)
        return x + s.dn(F.silu(s.g(h)) * s.u(h))


class Model(nn.Module):
    def __init__(s, V, d, L, h, ff, T):
        super().__init__()
        s.emb = nn.Embedding(V, d)
        s.blocks = nn.ModuleList([Block(d, h, ff) for _ in range(L)])
        s.norm = nn.RMSNorm(d, eps=1e-6)
        hd = d // h
        ang = torch.arange(T).float()[:, None] * (10000 ** (-torch.arange(0, hd, 2).float() / hd))[None]
        s.register_buffer('cos', ang.cos())
        s.register_buffer('sin', ang.sin())

    def forward(s, ids):
        T = ids.shape[1]
        x = s.emb(ids)
        for b in s.blocks:
            x = b(x, s.cos[:T], s.sin[:T])
        return s.norm(x) @ s.emb.weight.T


V = 54
configs = [('lesson d=64 L=2 T=48 B=16', 64, 2, 4, 176, 48, 16), ('d=128 L=4 H=4 T=64 B=32', 128, 4, 4, 352, 64, 32),
           ('d=512 L=8 H=8 T=256 B=32', 512, 8, 8, 1408, 256, 32)]
out = []
for tf32 in (False, True):
    torch.backends.cuda.matmul.allow_tf32 = tf32
    torch.backends.cudnn.allow_tf32 = tf32
    for name, d, L, h, ff, T, B in configs:
        m = Model(V, d, L, h, ff, max(T, 128)).to(dev)
        opt = torch.optim.AdamW(m.parameters(), lr=1e-3)
        ids = torch.randint(0, V, (B, T), device=dev)
        tg = torch.randint(0, V, (B, T), device=dev)
        def step():
            loss = F.cross_entropy(m(ids).view(-1, V), tg.view(-1))
            opt.zero_grad()
            loss.backward()
            opt.step()
            loss.item()
        for _ in range(3):
            step()
        ts = []
        for _ in range(REPS):
            torch.cuda.synchronize(); t0 = time.perf_counter(); step(); torch.cuda.synchronize()
            ts.append(time.perf_counter() - t0)
        ts.sort()
        out.append({'name': name, 'tf32': tf32, 'params': sum(p.numel() for p in m.parameters()),
                    'train_tok_s': B * T / ts[len(ts) // 2]})
# fp32 matmul peers (cuBLAS SGEMM, TF32 off) at the bench's sizes
torch.backends.cuda.matmul.allow_tf32 = False
mm = []
for n in (512, 1024, 2048, 4096):
    a = torch.randn(n, n, device=dev); b = torch.randn(n, n, device=dev)
    for _ in range(3):
        a @ b
    torch.cuda.synchronize(); t0 = time.perf_counter(); r = 20
    for _ in range(r):
        a @ b
    torch.cuda.synchronize()
    mm.append({'n': n, 'tflops': 2 * n ** 3 * r / (time.perf_counter() - t0) / 1e12})
print(json.dumps({'torch': torch.__version__, 'device': torch.cuda.get_device_name(), 'train': out, 'sgemm': mm}))
