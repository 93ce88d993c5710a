// decoder.h — one pre-norm decoder layer of a Llama / Qwen2 / SmolLM2 model, as
// free functions over its weights, shared by the policy (model.cpp) and the frozen
// sharded reference (grpo/reference_model.cpp):
//   y = x + Attn(RMSNorm(x));  out = y + W_down · (silu(W_gate · RMSNorm(y)) ⊙ W_up · RMSNorm(y))
// Attention is grouped-query with rotary embeddings in the Hugging Face "rotate
// half" layout and optional q/k/v biases. Without autograd, decode-sized inputs
// take the kernels of native/kernels/; everything else runs on ATen.
#pragma once

#include <ATen/ATen.h>

#include <vector>

#include "config.h"
#include "kv_cache.h"

namespace datarus {

struct DecoderLayer {
  at::Tensor inputNorm, q, qBias, k, kBias, v, vBias, o, postNorm, gate, up, down;  // qBias.. undefined without bias
  std::vector<at::Tensor> tensors() const;
  // A detached copy on `device` in `dtype` (biases stay undefined when absent).
  DecoderLayer to(at::Device device, at::ScalarType dtype) const;
};

struct DecodePack;  // decode_pack.h

// What every layer of one forward pass shares.
struct LayerInputs {
  at::Tensor cos, sin;  // [B or 1, T, 1, D] rotary tables (fp32, or fp64 for an fp64 model)
  at::Tensor mask;      // [B or 1, 1, 1, T, S] true where a key is hidden; undefined when none is
  KVCache* cache = nullptr;
  const DecodePack* pack = nullptr;  // decode-step weight panels, when the model uses them
};

// Rotary tables and causal mask for T new tokens: at positions pos0 .. pos0+T-1,
// or, with a cache, after each row's cached slots (and the shared prefix).
LayerInputs layerInputs(const ModelConfig& config, at::ScalarType dtype, at::Device device, int64_t T, int64_t pos0,
                        KVCache* cache);

// x: [B, T, H] → [B, T, H]. With a cache, writes layer `layer`'s new keys/values.
at::Tensor decoderLayer(const ModelConfig& config, const DecoderLayer& w, const at::Tensor& x, const LayerInputs& in,
                        size_t layer);

at::Tensor rmsNorm(const at::Tensor& x, const at::Tensor& weight, double eps);
// The dtype that norms, softmax and logits are computed in: fp32, or fp64 for an fp64 model.
at::ScalarType accType(const at::Tensor& t);

}  // namespace datarus
