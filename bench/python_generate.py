#!/usr/bin/python3
"""Generation throughput of the same model in Python: PyTorch eager with a KV cache, the way
Hugging Face's modeling code runs it (F.linear, rotate_half RoPE, repeat_kv, a cache grown with
torch.cat, logits of the last position only), greedy. The measurement mirrors bench/generate_bench:

    python_generate.py MODEL_DIR [--batch N] [--prompt-len N] [--new-tokens N] [--threads N]
                       [--repeat K] [--tokens] [--compare OURS.json]

MODEL_DIR is what `generate_bench --save` wrote (config.json, F32 model.safetensors). The prompts
are generate_bench's (the same formula). After one warm-up run, generation is timed end to end K
times with one new token (the prefill) and K times with all N; the best of each is kept, decode is
the difference (N - 1 one-token steps). Prints one JSON line. With --compare, the greedy tokens are
checked against generate_bench's `--json --tokens` output: "tokens_match" in the JSON, and a
warning on stderr when they differ.

Needs Debian's python3-torch (/usr/bin/python3). The building blocks (safetensors reading, RoPE
frequencies, RMSNorm, rotate_half) come from tests/model/reference_model.py, rft's independent
reference, which is imported by path.
"""
import argparse
import importlib.util
import json
import math
import os
import sys
import time

import torch
import torch.nn.functional as F

_REFERENCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "model",
                          "reference_model.py")
_spec = importlib.util.spec_from_file_location("reference_model", _REFERENCE)
ref = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ref)


def make_prompts(batch, length, vocab):
    """generate_bench's prompts: token j of sequence b."""
    return [[((b * length + j) * 2654435761 + 12345) % 2**32 % vocab for j in range(length)]
            for b in range(batch)]


class Model:
    def __init__(self, model_dir):
        with open(os.path.join(model_dir, "config.json")) as f:
            self.cfg = cfg = json.load(f)
        self.w = ref.load_safetensors(os.path.join(model_dir, "model.safetensors"))
        self.hidden = cfg["hidden_size"]
        self.heads = cfg["num_attention_heads"]
        self.kv_heads = cfg.get("num_key_value_heads", self.heads)
        self.head_dim = cfg.get("head_dim") or self.hidden // self.heads
        self.eps = cfg.get("rms_norm_eps", 1e-6)
        self.layers = cfg["num_hidden_layers"]
        self.qk_norm = cfg["model_type"] == "qwen3"
        self.inv = ref.inv_frequencies(cfg, self.head_dim)
        self.head = self.w.get("lm_head.weight", self.w["model.embed_tokens.weight"])
        self.params = sum(t.numel() for t in self.w.values())
        embed = self.w["model.embed_tokens.weight"].numel()
        # Weights one decode step reads (an untied embedding only by the rows looked up).
        self.step_params = self.params - (embed if "lm_head.weight" in self.w else 0)

    def lin(self, name, x):
        return F.linear(x, self.w[name + ".weight"], self.w.get(name + ".bias"))

    def forward(self, ids, positions, cache):
        """Logits [B, vocab] of the last position of ids [B, T]; appends to cache (a list of
        (keys, values) per layer, [B, kv_heads, S, D])."""
        b, t = ids.shape
        h_, kv, d = self.heads, self.kv_heads, self.head_dim
        x = F.embedding(ids, self.w["model.embed_tokens.weight"])
        angles = positions.to(torch.float32).unsqueeze(-1) * self.inv
        emb = torch.cat((angles, angles), dim=-1)
        cos, sin = emb.cos().unsqueeze(1), emb.sin().unsqueeze(1)  # [B, 1, T, D]
        past = cache[0][0].shape[2] if cache else 0
        mask = None
        if t > 1:  # causal over this step's queries; every cached key is visible
            mask = torch.full((t, past + t), float("-inf")).triu(past + 1)
        for i in range(self.layers):
            p = "model.layers.%d." % i
            h = ref.rms_norm(x, self.w[p + "input_layernorm.weight"], self.eps)
            q = self.lin(p + "self_attn.q_proj", h).view(b, t, h_, d)
            k = self.lin(p + "self_attn.k_proj", h).view(b, t, kv, d)
            v = self.lin(p + "self_attn.v_proj", h).view(b, t, kv, d)
            if self.qk_norm:
                q = ref.rms_norm(q, self.w[p + "self_attn.q_norm.weight"], self.eps)
                k = ref.rms_norm(k, self.w[p + "self_attn.k_norm.weight"], self.eps)
            q, k, v = q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)
            q = q * cos + ref.rotate_half(q) * sin
            k = k * cos + ref.rotate_half(k) * sin
            if len(cache) > i:
                k = torch.cat((cache[i][0], k), dim=2)
                v = torch.cat((cache[i][1], v), dim=2)
                cache[i] = (k, v)
            else:
                cache.append((k, v))
            k = k.repeat_interleave(h_ // kv, dim=1)
            v = v.repeat_interleave(h_ // kv, dim=1)
            att = (q @ k.transpose(-1, -2)) / math.sqrt(d)
            if mask is not None:
                att = att + mask
            out = att.softmax(-1) @ v
            x = x + self.lin(p + "self_attn.o_proj", out.transpose(1, 2).reshape(b, t, h_ * d))
            h = ref.rms_norm(x, self.w[p + "post_attention_layernorm.weight"], self.eps)
            gate = self.lin(p + "mlp.gate_proj", h)
            x = x + self.lin(p + "mlp.down_proj", F.silu(gate) * self.lin(p + "mlp.up_proj", h))
        x = ref.rms_norm(x[:, -1], self.w["model.norm.weight"], self.eps)
        return F.linear(x, self.head)

    @torch.no_grad()
    def generate(self, prompts, new_tokens):
        """Greedy tokens [B, new_tokens]: prefill, then one token per step with the cache."""
        ids = torch.tensor(prompts, dtype=torch.long)
        b, t = ids.shape
        positions = torch.arange(t).expand(b, t)
        cache = []
        out = []
        logits = self.forward(ids, positions, cache)
        for step in range(new_tokens):
            nxt = logits.argmax(-1)
            out.append(nxt)
            if step + 1 == new_tokens:
                break
            positions = positions[:, -1:] + 1
            logits = self.forward(nxt.unsqueeze(1), positions, cache)
        return torch.stack(out, dim=1)


def best_seconds(model, prompts, new_tokens, repeat):
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        model.generate(prompts, new_tokens)
        best = min(best, time.perf_counter() - start)
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model_dir")
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--prompt-len", type=int, default=32)
    ap.add_argument("--new-tokens", type=int, default=64)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--tokens", action="store_true", help="include the generated tokens")
    ap.add_argument("--compare", help="generate_bench --json --tokens output to check against")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)

    model = Model(a.model_dir)
    prompts = make_prompts(a.batch, a.prompt_len, model.cfg["vocab_size"])
    tokens = model.generate(prompts, a.new_tokens).tolist()  # the warm-up run
    prefill_s = best_seconds(model, prompts, 1, a.repeat)
    total_s = best_seconds(model, prompts, a.new_tokens, a.repeat)
    decode_s = max(total_s - prefill_s, 1e-9)
    n = a.new_tokens
    r = {
        "impl": "python",
        "size": a.model_dir,
        "params": model.params,
        "step_params": model.step_params,
        "weight_bytes": model.step_params * 4,
        "batch": a.batch,
        "prompt_len": a.prompt_len,
        "new_tokens": n,
        "threads": a.threads,
        "repeat": a.repeat,
        "prefill_s": prefill_s,
        "decode_s": decode_s if n > 1 else 0.0,
        "total_s": total_s,
        "prefill_tokens_per_s": a.batch * a.prompt_len / prefill_s,
        "decode_tokens_per_s": a.batch * (n - 1) / decode_s if n > 1 else 0.0,
        "total_tokens_per_s": a.batch * n / total_s,
    }
    if a.tokens:
        r["tokens"] = tokens
    if a.compare:
        with open(a.compare) as f:
            ours = json.loads(f.read().strip().splitlines()[-1])
        r["tokens_match"] = ours.get("tokens") == tokens
        if not r["tokens_match"]:
            theirs = ours.get("tokens") or []
            first = next(((i, j) for i in range(min(len(theirs), len(tokens)))
                          for j in range(min(len(theirs[i]), len(tokens[i])))
                          if theirs[i][j] != tokens[i][j]), None)
            print("warning: greedy tokens differ from %s (first difference: sequence, token %s)"
                  % (a.compare, first), file=sys.stderr)
    print(json.dumps(r))


if __name__ == "__main__":
    main()
