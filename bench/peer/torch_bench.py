"""PyTorch eager on the CPU: the same two configs as bench/train.ts, for the side-by-side table.

Prints one JSON object: {"torch": version, "threads": n, "blas": library, "configs": [{"name", "train_tok_s",
"sample_tok_s"}]}. "blas" names the BLAS library the process mapped (a distribution's torch takes whichever the
system provides: Debian's reference libblas3 trains the lesson model about 4x slower than its OpenBLAS).
Run by bench/index.ts when python3 with torch is present; the same architecture as tinyseek's dense model
(pre-RMSNorm, RoPE, causal MHA, SwiGLU, tied head), written here independently.
Runs on the torch a Linux distribution ships (Debian's 1.13 has neither nn.RMSNorm nor
scaled_dot_product_attention: plain-op fallbacks below) as well as on current releases.
Usage: torch_bench.py THREADS [REPS]
"""
import json, math, os, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
REPS = int(sys.argv[2]) if len(sys.argv) > 2 else 7
torch.manual_seed(0)

class RMSNormFallback(nn.Module):
    """x / sqrt(mean(x²) + eps) · w, for torch without nn.RMSNorm (< 2.4)."""
    def __init__(s, d, eps=1e-6):
        super().__init__()
        s.eps, s.weight = eps, nn.Parameter(torch.ones(d))

    def forward(s, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + s.eps) * s.weight

def causal_attention_fallback(q, k, v, is_causal=True):
    """softmax(q kᵀ/√d + causal mask) v, for torch without F.scaled_dot_product_attention (< 2.0)."""
    T = q.shape[-2]
    a = (q @ k.transpose(-2, -1)) / math.sqrt(q.shape[-1])
    a = a.masked_fill(torch.ones(T, T, dtype=torch.bool).triu(1), float('-inf'))
    return F.softmax(a, -1) @ v

RMSNorm = getattr(nn, 'RMSNorm', RMSNormFallback)
attention = getattr(F, 'scaled_dot_product_attention', causal_attention_fallback)

class Block(nn.Module):
    def __init__(s, d, h, ff):
        super().__init__()
        s.h = h
        s.n1, s.n2 = RMSNorm(d), RMSNorm(d)
        s.qkv = nn.Linear(d, 3 * d, bias=False)
        s.o = nn.Linear(d, d, bias=False)
        s.g, s.u = nn.Linear(d, ff, bias=False), nn.Linear(d, ff, bias=False)
        s.dn = nn.Linear(ff, d, bias=False)

    def rope(s, x, cos, sin):
        x1, x2 = x.chunk(2, -1)
        return torch.cat([x1 * cos - x2 * sin, x1 * sin + x2 * cos], -1)

    def forward(s, x, cos, sin):
        B, T, D = x.shape
        q, k, v = s.qkv(s.n1(x)).view(B, T, 3, s.h, D // s.h).permute(2, 0, 3, 1, 4)
        q, k = s.rope(q, cos, sin), s.rope(k, cos, sin)
        a = attention(q, k, v, is_causal=True)
        x = x + s.o(a.transpose(1, 2).reshape(B, T, D))
        h = s.n2(x)
        return x + s.dn(F.silu(s.g(h)) * s.u(h))

class Model(nn.Module):
    def __init__(s, V, d, L, h, ff, T):
        super().__init__()
        s.emb = nn.Embedding(V, d)
        s.blocks = nn.ModuleList([Block(d, h, ff) for _ in range(L)])
        s.norm = RMSNorm(d)
        hd = d // h
        inv = 10000 ** (-torch.arange(0, hd, 2).float() / hd)
        ang = torch.arange(T).float()[:, None] * inv[None]
        s.register_buffer('cos', ang.cos()); s.register_buffer('sin', ang.sin())

    def forward(s, ids):
        T = ids.shape[1]
        x = s.emb(ids)
        for b in s.blocks:
            x = b(x, s.cos[:T], s.sin[:T])
        return s.norm(x) @ s.emb.weight.T

# TINYSEEK_BENCH_CLOCK=cpu: this process's CPU time (all threads), as bench/util.ts's clock does.
clock = time.process_time if os.environ.get("TINYSEEK_BENCH_CLOCK") == "cpu" else time.perf_counter

def median_s(fn, reps):
    fn(); fn()
    ts = []
    for _ in range(reps):
        t0 = clock(); fn(); ts.append(clock() - t0)
    ts.sort()
    return ts[len(ts) // 2]

configs = [("lesson d=64 L=2 T=48 B=16", 64, 2, 4, 176, 48, 16), ("d=128 L=4 H=4 T=64 B=32", 128, 4, 4, 352, 64, 32)]
out = []
for name, d, L, h, ff, T, B in configs:
    m = Model(54, d, L, h, ff, 128)
    opt = torch.optim.AdamW(m.parameters(), lr=1e-3)
    ids = torch.randint(0, 54, (B, T)); tg = torch.randint(0, 54, (B, T))
    def step():
        loss = F.cross_entropy(m(ids).view(-1, 54), tg.view(-1))
        opt.zero_grad(); loss.backward(); opt.step()
    train = B * T / median_s(step, REPS)
    # Sampling: no KV cache in this simple peer; regenerate the growing prefix each step (eager, no_grad).
    def sample():
        with torch.no_grad():
            x = torch.randint(0, 54, (B, 4))
            for _ in range(32):
                p = F.softmax(m(x)[:, -1], -1)
                x = torch.cat([x, torch.multinomial(p, 1)], 1)
    samp = B * 32 / median_s(sample, max(1, REPS // 2))
    out.append({"name": name, "train_tok_s": train, "sample_tok_s": samp})

def blas_library():
    """The BLAS shared libraries this process has mapped (none: built into torch, as MKL is in PyPI's wheels)."""
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f}
        libs = {l for l in libs if ("blas" in l.lower() or "mkl" in l.lower()) and "lapack" not in l.lower()}
    except OSError:
        return "unknown"
    return ", ".join(sorted(os.path.basename(os.path.dirname(l)) + "/" + os.path.basename(l) for l in libs)) or "built in"

print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "blas": blas_library(), "configs": out}))
