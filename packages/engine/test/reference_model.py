"""Independent reference for the engine's numerics, in plain PyTorch ops.

Writes a small random Llama/Qwen2-shaped model as a Hugging Face directory
(config.json, model.safetensors written by hand from the format description,
a byte-level tokenizer.json), then computes with its own implementation:
  * logits for fixed token ids,
  * the weighted next-token NLL and its gradients w.r.t. a few parameters.
Usage: reference_model.py OUT_DIR [--bias 0|1] [--tied 0|1] [--seed N]
Prints nothing; writes OUT_DIR/model/* and OUT_DIR/reference.json.
"""
import argparse
import json
import math
import os
import struct

import torch

p = argparse.ArgumentParser()
p.add_argument("out")
p.add_argument("--bias", type=int, default=1)
p.add_argument("--tied", type=int, default=0)
p.add_argument("--seed", type=int, default=0)
args = p.parse_args()

torch.manual_seed(args.seed)
V, H, I, L, HQ, HKV, D = 300, 64, 128, 3, 8, 2, 8
THETA, EPS = 50000.0, 1e-5
cfg = {
    "architectures": ["Qwen2ForCausalLM" if args.bias else "LlamaForCausalLM"],
    "model_type": "qwen2" if args.bias else "llama",
    "vocab_size": V, "hidden_size": H, "intermediate_size": I, "num_hidden_layers": L,
    "num_attention_heads": HQ, "num_key_value_heads": HKV, "head_dim": D,
    "max_position_embeddings": 256, "rms_norm_eps": EPS, "rope_theta": THETA,
    "tie_word_embeddings": bool(args.tied), "hidden_act": "silu", "attention_bias": bool(args.bias),
    "bos_token_id": 256, "eos_token_id": 256,
}

def rnd(*shape, scale=0.15):
    return (torch.randn(*shape) * scale).float()

W = {"model.embed_tokens.weight": rnd(V, H, scale=0.5), "model.norm.weight": 1 + rnd(H, scale=0.1)}
if not args.tied:
    W["lm_head.weight"] = rnd(V, H, scale=0.3)
for l in range(L):
    s = f"model.layers.{l}."
    W[s + "input_layernorm.weight"] = 1 + rnd(H, scale=0.1)
    W[s + "post_attention_layernorm.weight"] = 1 + rnd(H, scale=0.1)
    W[s + "self_attn.q_proj.weight"] = rnd(HQ * D, H)
    W[s + "self_attn.k_proj.weight"] = rnd(HKV * D, H)
    W[s + "self_attn.v_proj.weight"] = rnd(HKV * D, H)
    W[s + "self_attn.o_proj.weight"] = rnd(H, HQ * D)
    if args.bias:
        W[s + "self_attn.q_proj.bias"] = rnd(HQ * D)
        W[s + "self_attn.k_proj.bias"] = rnd(HKV * D)
        W[s + "self_attn.v_proj.bias"] = rnd(HKV * D)
    W[s + "mlp.gate_proj.weight"] = rnd(I, H)
    W[s + "mlp.up_proj.weight"] = rnd(I, H)
    W[s + "mlp.down_proj.weight"] = rnd(H, I)

def write_safetensors(path, tensors):
    header, offset, blobs = {}, 0, []
    for name in sorted(tensors):
        t = tensors[name].contiguous()
        b = t.numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        offset += len(b)
        blobs.append(b)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)

def byte_level_vocab():
    # GPT-2's reversible byte -> printable-character map.
    keep = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAC + 1)) + list(range(0xAE, 0xFF + 1))
    chars, n = {}, 0
    for b in range(256):
        if b in keep:
            chars[b] = chr(b)
        else:
            chars[b] = chr(256 + n)
            n += 1
    return {chars[b]: b for b in range(256)}

model_dir = os.path.join(args.out, "model")
os.makedirs(model_dir, exist_ok=True)
write_safetensors(os.path.join(model_dir, "model.safetensors"), W)
with open(os.path.join(model_dir, "config.json"), "w") as f:
    json.dump(cfg, f, indent=2)
tok = {
    "version": "1.0",
    "added_tokens": [{"id": 256, "content": "<|endoftext|>", "special": True, "lstrip": False, "rstrip": False,
                      "normalized": False, "single_word": False}],
    "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
    "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
    "model": {"type": "BPE", "vocab": byte_level_vocab(), "merges": []},
}
with open(os.path.join(model_dir, "tokenizer.json"), "w") as f:
    json.dump(tok, f)
with open(os.path.join(model_dir, "tokenizer_config.json"), "w") as f:
    json.dump({"eos_token": "<|endoftext|>", "bos_token": "<|endoftext|>"}, f)

# ---- the reference forward pass (float64 for a tight comparison) -------------
P = {k: v.double().requires_grad_(True) for k, v in W.items()}

def rms(x, w):
    return w * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + EPS))

def rope(x, pos):  # x: [B, heads, T, D]
    inv = 1.0 / (THETA ** (torch.arange(0, D, 2, dtype=torch.float64) / D))
    ang = pos[:, None].double() * inv[None, :]          # [T, D/2]
    cos, sin = ang.cos(), ang.sin()
    x1, x2 = x[..., : D // 2], x[..., D // 2:]
    # Rotate each (x1_i, x2_i) pair by its angle.
    return torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], -1)

def forward(ids):  # ids: [B, T] -> logits [B, T, V]
    B, T = ids.shape
    x = P["model.embed_tokens.weight"][ids]
    pos = torch.arange(T)
    mask = torch.triu(torch.ones(T, T, dtype=torch.bool), 1)
    for l in range(L):
        s = f"model.layers.{l}."
        h = rms(x, P[s + "input_layernorm.weight"])
        def proj(name, heads):
            y = h @ P[s + f"self_attn.{name}_proj.weight"].T
            if args.bias:
                y = y + P[s + f"self_attn.{name}_proj.bias"]
            return y.view(B, T, heads, D).transpose(1, 2)
        q, k, v = rope(proj("q", HQ), pos), rope(proj("k", HKV), pos), proj("v", HKV)
        k = k.repeat_interleave(HQ // HKV, dim=1)
        v = v.repeat_interleave(HQ // HKV, dim=1)
        att = (q @ k.transpose(-1, -2)) / math.sqrt(D)
        att = att.masked_fill(mask, float("-inf")).softmax(-1)
        o = (att @ v).transpose(1, 2).reshape(B, T, HQ * D)
        x = x + o @ P[s + "self_attn.o_proj.weight"].T
        h = rms(x, P[s + "post_attention_layernorm.weight"])
        g = h @ P[s + "mlp.gate_proj.weight"].T
        u = h @ P[s + "mlp.up_proj.weight"].T
        x = x + (g * torch.sigmoid(g) * u) @ P[s + "mlp.down_proj.weight"].T
    x = rms(x, P["model.norm.weight"])
    head = P["model.embed_tokens.weight"] if args.tied else P["lm_head.weight"]
    return x @ head.T

gen = torch.Generator().manual_seed(args.seed + 1)
ids = torch.randint(0, V, (2, 17), generator=gen)
weights = torch.rand(2, 16, generator=gen, dtype=torch.float64)
logits = forward(ids)
logp = logits[:, :-1].log_softmax(-1).gather(-1, ids[:, 1:, None]).squeeze(-1)
loss = -(logp * weights).sum() / weights.sum()
loss.backward()
names = ["model.embed_tokens.weight", "model.norm.weight", "model.layers.0.self_attn.q_proj.weight",
         "model.layers.1.self_attn.k_proj.weight", "model.layers.2.mlp.down_proj.weight",
         "model.layers.0.input_layernorm.weight"]
if args.bias:
    names.append("model.layers.1.self_attn.v_proj.bias")
if not args.tied:
    names.append("lm_head.weight")
out = {
    "ids": ids.tolist(),
    "weights": weights.tolist(),
    "logits": logits.detach()[0].flatten().tolist(),
    "loss": loss.item(),
    "grads": {n: P[n].grad.flatten().tolist() for n in names},
    "torch": torch.__version__,
}
with open(os.path.join(args.out, "reference.json"), "w") as f:
    json.dump(out, f)
