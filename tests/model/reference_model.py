#!/usr/bin/env python3
"""An independent reference for rft's transformer: the published Llama / Qwen2 / Qwen3 decoder
written directly in PyTorch (Debian's python3-torch), following the Hugging Face modeling code's
conventions (rotate_half RoPE, Llama-3 frequency scaling, repeat_kv for grouped-query attention,
RMSNorm in float32, q/k norm before RoPE, tied or separate LM head).

Usage: reference_model.py CHECKPOINT_DIR TOKENS_CSV OUT.f32

Reads config.json and model.safetensors (F32, parsed by hand: no safetensors package), runs the
token ids (one sequence, comma-separated) and writes the logits [T, vocab] as raw little-endian
float32 to OUT.f32.
"""
import json
import math
import struct
import sys

import numpy as np
import torch


def load_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    base = 8 + n
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] != "F32":
            raise SystemExit("reference: %s is %s; this reference reads F32 only" % (name, info["dtype"]))
        begin, end = info["data_offsets"]
        arr = np.frombuffer(data[base + begin:base + end], dtype="<f4").reshape(info["shape"])
        tensors[name] = torch.from_numpy(arr.copy())
    return tensors


def inv_frequencies(cfg, head_dim):
    theta = cfg.get("rope_theta", 10000.0)
    inv = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim))
    scaling = cfg.get("rope_scaling") or {}
    kind = scaling.get("rope_type", scaling.get("type"))
    if kind == "linear":
        inv = inv / scaling["factor"]
    elif kind == "llama3":
        factor = scaling["factor"]
        low, high = scaling["low_freq_factor"], scaling["high_freq_factor"]
        old = scaling["original_max_position_embeddings"]
        low_wavelen, high_wavelen = old / low, old / high
        out = []
        for f in inv.tolist():
            wavelen = 2 * math.pi / f
            if wavelen < high_wavelen:
                out.append(f)
            elif wavelen > low_wavelen:
                out.append(f / factor)
            else:
                smooth = (old / wavelen - low) / (high - low)
                out.append((1 - smooth) * f / factor + smooth * f)
        inv = torch.tensor(out, dtype=torch.float64)
    return inv.to(torch.float32)


def rms_norm(x, weight, eps):
    var = x.pow(2).mean(-1, keepdim=True)
    return weight * (x * torch.rsqrt(var + eps))


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


def forward(cfg, w, ids):
    hidden = cfg["hidden_size"]
    heads = cfg["num_attention_heads"]
    kv_heads = cfg.get("num_key_value_heads", heads)
    head_dim = cfg.get("head_dim") or hidden // heads
    eps = cfg.get("rms_norm_eps", 1e-6)
    qk_norm = cfg["model_type"] == "qwen3"
    t = len(ids)
    x = w["model.embed_tokens.weight"][torch.tensor(ids)]
    inv = inv_frequencies(cfg, head_dim)
    angles = torch.outer(torch.arange(t, dtype=torch.float32), inv)
    emb = torch.cat((angles, angles), dim=-1)
    cos, sin = emb.cos(), emb.sin()
    causal = torch.full((t, t), float("-inf")).triu(1)

    def lin(name, v):
        y = v @ w[name + ".weight"].T
        if name + ".bias" in w:
            y = y + w[name + ".bias"]
        return y

    for i in range(cfg["num_hidden_layers"]):
        p = "model.layers.%d." % i
        h = rms_norm(x, w[p + "input_layernorm.weight"], eps)
        q = lin(p + "self_attn.q_proj", h).view(t, heads, head_dim)
        k = lin(p + "self_attn.k_proj", h).view(t, kv_heads, head_dim)
        v = lin(p + "self_attn.v_proj", h).view(t, kv_heads, head_dim)
        if qk_norm:
            q = rms_norm(q, w[p + "self_attn.q_norm.weight"], eps)
            k = rms_norm(k, w[p + "self_attn.k_norm.weight"], eps)
        q, k, v = q.transpose(0, 1), k.transpose(0, 1), v.transpose(0, 1)  # [heads, T, D]
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(heads // kv_heads, dim=0)
        v = v.repeat_interleave(heads // kv_heads, dim=0)
        att = (q @ k.transpose(-1, -2)) / math.sqrt(head_dim) + causal
        out = att.softmax(-1) @ v
        x = x + lin(p + "self_attn.o_proj", out.transpose(0, 1).reshape(t, heads * head_dim))
        h = rms_norm(x, w[p + "post_attention_layernorm.weight"], eps)
        gate = lin(p + "mlp.gate_proj", h)
        x = x + lin(p + "mlp.down_proj", torch.nn.functional.silu(gate) * lin(p + "mlp.up_proj", h))
    x = rms_norm(x, w["model.norm.weight"], eps)
    head = w.get("lm_head.weight", w["model.embed_tokens.weight"])
    return x @ head.T


def main():
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    ckpt, tokens, out = sys.argv[1:]
    with open(ckpt + "/config.json") as f:
        cfg = json.load(f)
    w = load_safetensors(ckpt + "/model.safetensors")
    ids = [int(t) for t in tokens.split(",")]
    with torch.no_grad():
        logits = forward(cfg, w, ids)
    logits.to(torch.float32).numpy().astype("<f4").tofile(out)


if __name__ == "__main__":
    main()
