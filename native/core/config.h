// config.h — the architecture description of a Llama / Qwen2 / SmolLM2 causal LM.
//
// Built from a Hugging Face config.json or from GGUF metadata, validated once, and
// written back as config.json on save. Field names follow transformers' configs.
#pragma once

#include <cstdint>
#include <string>

#include "json.h"

namespace datarus {

struct ModelConfig {
  std::string modelType = "llama";  // "llama" | "qwen2" | "mistral"
  int64_t vocabSize = 0;
  int64_t hiddenSize = 0;        // H
  int64_t intermediateSize = 0;  // I (SwiGLU width)
  int64_t numLayers = 0;         // L
  int64_t numHeads = 0;          // Hq
  int64_t numKvHeads = 0;        // Hkv; Hq % Hkv == 0 (grouped-query attention)
  int64_t headDim = 0;           // D; defaults to H / Hq
  int64_t maxPositions = 2048;   // context length
  double rmsNormEps = 1e-6;
  double ropeTheta = 10000.0;
  bool attentionBias = false;  // q/k/v projections carry a bias (Qwen2: always)
  bool tieEmbeddings = false;  // lm_head shares embed_tokens' weight
  int64_t bosTokenId = -1;
  int64_t eosTokenId = -1;

  // Throws E_BAD_CONFIG naming the first inconsistent field.
  void validate() const;
  // Parameter count implied by the shapes (tied embeddings counted once).
  int64_t parameterCount() const;
  // Model FLOPs of one forward pass over a sequence of T positions, PaLM's accounting:
  // 2 per matmul parameter per position (projections, MLP, LM head; not the embedding
  // lookup) plus 4·layers·T·heads·head_dim per position for attention scores and
  // values, counted without the causal mask. A training pass is 3× this.
  double forwardFlops(int64_t T) const;
};

// Parses a transformers config.json document.
ModelConfig configFromHf(const json::Value& doc);
// Serialises as a transformers config.json (architectures, model_type, ...).
json::Value configToHf(const ModelConfig& c, const std::string& torchDtype);

}  // namespace datarus
