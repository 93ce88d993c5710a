// gguf.h — read GGUF (v2, v3) model files: metadata, tensor directory, weights.
//
// Layout: "GGUF", u32 version, u64 tensor count, u64 kv count, kv pairs, tensor
// infos (name, n_dims, dims innermost-first, ggml type, offset), padding to
// `general.alignment` (default 32), then tensor data. Every count, length, shape
// and offset is checked against the file before anything is allocated.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "json.h"
#include "tensors.h"

namespace datarus {

struct GgufTensorInfo {
  std::string name;
  std::vector<int64_t> shape;  // PyTorch order (outermost first)
  uint32_t type;
  uint64_t offset;  // absolute file offset of the data
  uint64_t bytes;
};

struct GgufFile {
  uint32_t version = 0;
  // Scalars and strings as JSON values; arrays of at most 64 elements likewise,
  // longer arrays (token lists) are skipped and recorded in arrayLengths.
  std::map<std::string, json::Value> metadata;
  std::map<std::string, uint64_t> arrayLengths;
  std::vector<GgufTensorInfo> tensors;
};

// Parses and validates the header and tensor directory (no tensor data is read).
GgufFile readGgufHeader(const std::string& path);
// Reads and dequantises every tensor to fp32, keyed by its GGUF name.
TensorMap readGgufTensors(const std::string& path, const GgufFile& header);

}  // namespace datarus
