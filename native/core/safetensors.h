// safetensors.h — read and write the Hugging Face safetensors format.
//
// Layout: u64 little-endian header length N, N bytes of JSON
// {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {..}},
// then the raw little-endian tensor bytes; offsets are relative to the end of the header.
// The reader rejects a header over 100 MB, offsets outside the file, overlapping or
// mis-sized tensors and unknown dtypes, each with its own error code.
#pragma once

#include <string>
#include <vector>

#include "tensors.h"

namespace datarus {

// Reads every tensor of one .safetensors file, keeping its stored dtype (CPU tensors).
TensorMap readSafetensors(const std::string& path);
// Names listed in a file's header, without reading tensor data.
std::vector<std::string> safetensorsNames(const std::string& path);
// Writes tensors (contiguous CPU copies are made as needed) atomically.
void writeSafetensors(const std::string& path, const TensorMap& tensors,
                      const std::vector<std::pair<std::string, std::string>>& metadata = {});

}  // namespace datarus
