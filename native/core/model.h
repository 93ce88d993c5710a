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
#include "decode_pack.h"
#include "decoder.h"
#include "kv_cache.h"
#include "tensors.h"

namespace datarus {

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
  const at::Tensor& embedding() const { return embed_; }    // [V, H]
  const at::Tensor& finalNorm() const { return finalNorm_; }  // [H]
  const std::vector<DecoderLayer>& layers() const { return layers_; }

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

  // The weights repacked for decode steps (decode_pack.h), built on first use and
  // rebuilt after they change; null where the packed kernel does not apply (another
  // device or dtype, autograd on, no AVX2+FMA). Model::hidden uses it by itself.
  std::shared_ptr<const DecodePack> decodePack() const;

  // Makes every parameter a leaf that requires grad (true) or a frozen tensor (false).
  void setTrainable(bool trainable);

 private:
  const at::Tensor& take(TensorMap& src, const std::string& name, std::vector<int64_t> shape);

  ModelConfig config_;
  at::Device device_;
  at::ScalarType dtype_;
  TensorMap params_;
  at::Tensor embed_, finalNorm_, lmHead_;
  std::vector<DecoderLayer> layers_;
  std::shared_ptr<DecodePackSlot> packSlot_ = std::make_shared<DecodePackSlot>();
};

// Checks ids are in [0, vocab) and their count fits the context; throws
// E_TOKEN_OUT_OF_RANGE / E_CONTEXT_OVERFLOW with the offending value.
void checkTokens(const ModelConfig& c, const std::vector<int64_t>& ids, int64_t extraTokens = 0);

}  // namespace datarus
