// model.h — a Llama / Qwen2 / SmolLM2 causal language model on ATen ops.
//
// Pre-norm decoder: x += Attn(RMSNorm(x)); x += SwiGLU(RMSNorm(x)); logits = W_out · RMSNorm(x).
// Attention is grouped-query (Hq query heads share Hkv key/value heads) with
// rotary position embeddings in the Hugging Face "rotate half" layout, optional
// q/k/v biases (Qwen2), and tied or untied output embeddings. Parameters are
// stored under their Hugging Face names, so saving and loading need no mapping.
#pragma once

#include <ATen/ATen.h>

#include <memory>
#include <string>
#include <vector>

#include "config.h"
#include "tensors.h"

namespace datarus {

// Per-layer key/value cache of B rows, optionally behind a shared prefix.
//
// k[l], v[l]: [B, Hkv, capacity, D] in the model dtype. Row r holds lengths[r]
// valid positions; rows may differ (samples of a group stop or resume at
// different points). prefixK[l], prefixV[l]: [1, Hkv, P, D], keys/values of a
// prompt that every row continues; it is read by all rows and never copied.
// A row's token at cache slot s sits at absolute position prefixLen + s.
struct KVCache {
  std::vector<at::Tensor> k, v;
  std::vector<int64_t> lengths;  // [B]
  int64_t capacity = 0;
  int64_t batch = 0;
  std::vector<at::Tensor> prefixK, prefixV;
  int64_t prefixLen = 0;

  int64_t length(int64_t row = 0) const { return lengths[static_cast<size_t>(row)]; }
  int64_t maxLength() const;
  bool uniform() const;  // all rows hold the same number of positions
  // Reallocates to at least `needed` slots per row (doubling), keeping contents.
  void reserve(int64_t needed);
  // Bytes held by the per-row buffers (the shared prefix is not counted).
  int64_t bytes() const;
};

class Model {
 public:
  // params: Hugging Face names → tensors (any float dtype, any device); moved to
  // `device` in `dtype`. Throws E_MISSING_TENSOR / E_BAD_TENSOR on a mismatch.
  Model(ModelConfig config, TensorMap params, at::Device device, at::ScalarType dtype);

  const ModelConfig& config() const { return config_; }
  at::Device device() const { return device_; }
  at::ScalarType dtype() const { return dtype_; }
  // Trainable parameters by Hugging Face name (a tied lm_head is not listed).
  TensorMap& parameters() { return params_; }
  const TensorMap& parameters() const { return params_; }
  // Output projection [V, H] (the embedding matrix when tied).
  const at::Tensor& lmHead() const { return lmHead_; }

  // A cache for `batch` sequences of up to `capacity` tokens.
  KVCache newCache(int64_t batch, int64_t capacity) const;

  // ids: [B, T] int64 on any device → final normed hidden states [B, T, H] (model dtype).
  // Without a cache, positions are pos0 .. pos0+T-1 for every row. With a cache,
  // row r's tokens go to slots lengths[r] .. lengths[r]+T-1 (positions offset by the
  // prefix), attend to the prefix and the row's own earlier slots, and lengths
  // advance by T; pos0 is ignored.
  at::Tensor hidden(const at::Tensor& ids, int64_t pos0 = 0, KVCache* cache = nullptr) const;

  // A cache whose rows all continue `prefix` (a B=1 cache of one prompt): its
  // keys/values are shared by reference, not copied.
  KVCache newCacheAfter(const KVCache& prefix, int64_t batch, int64_t capacity) const;

  // Logits of the last position of each row: hidden [B, T, H] → [B, V] fp32.
  at::Tensor lastLogits(const at::Tensor& hidden) const;

  // Makes every parameter a leaf that requires grad (true) or a frozen tensor (false).
  void setTrainable(bool trainable);

 private:
  struct Layer {
    at::Tensor inputNorm, q, qBias, k, kBias, v, vBias, o, postNorm, gate, up, down;
  };

  at::Tensor attention(const Layer& w, const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin,
                       const at::Tensor& mask, KVCache* cache, size_t layer) const;
  at::Tensor rmsNorm(const at::Tensor& x, const at::Tensor& weight) const;
  const at::Tensor& take(TensorMap& src, const std::string& name, std::vector<int64_t> shape);

  ModelConfig config_;
  at::Device device_;
  at::ScalarType dtype_;
  TensorMap params_;
  at::Tensor embed_, finalNorm_, lmHead_;
  std::vector<Layer> layers_;
};

// The dtype that norms, softmax and logits are computed in: fp32, or fp64 for an fp64 model.
at::ScalarType accType(const at::Tensor& t);

// Checks ids are in [0, vocab) and their count fits the context; throws
// E_TOKEN_OUT_OF_RANGE / E_CONTEXT_OVERFLOW with the offending value.
void checkTokens(const ModelConfig& c, const std::vector<int64_t>& ids, int64_t extraTokens = 0);

}  // namespace datarus
