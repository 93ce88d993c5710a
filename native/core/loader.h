// loader.h — load a model from a Hugging Face directory or a GGUF file; save one.
//
// A directory needs config.json plus model.safetensors, or shards listed in
// model.safetensors.index.json. A GGUF file carries its own config in metadata;
// its quantised tensors are dequantised to fp32 and renamed to Hugging Face names
// (llama.cpp's q/k row permutation for rotary embeddings is undone).
#pragma once

#include <memory>
#include <string>

#include "model.h"

namespace datarus {

struct LoadOptions {
  at::Device device = at::kCPU;
  at::ScalarType dtype = at::kFloat;
};

struct LoadedModel {
  std::unique_ptr<Model> model;
  std::string format;  // "hf" | "gguf"
};

LoadedModel loadModel(const std::string& path, const LoadOptions& options);

// Config and HF-named fp32 tensors from a GGUF file (exposed for tests).
std::pair<ModelConfig, TensorMap> readGgufModel(const std::string& path);

struct SaveOptions {
  at::ScalarType dtype = at::kFloat;    // dtype of the stored weights
  uint64_t maxShardBytes = 5ull << 30;  // split into shards + index above this
};

// Writes config.json and model.safetensors (or shards with an index) into dir,
// creating it if needed. Each file is written atomically.
void saveModel(const Model& model, const std::string& dir, const SaveOptions& options);

}  // namespace datarus
