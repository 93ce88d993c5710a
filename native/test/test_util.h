// test_util.h — tiny random models, a GGUF writer and temp dirs for the core tests.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "config.h"
#include "tensors.h"

namespace datarus::testing {

// A fresh directory <temp dir>/datarus-<tag>-XXXXXX, removed with everything in it
// when this object goes out of scope, whether the test passed or failed; kept (and
// its path printed) only when the running test failed and DATARUS_KEEP_TEST_DIRS=1.
class TempDir {
 public:
  explicit TempDir(const std::string& tag);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A Llama/Qwen2-shaped config small enough for finite differences.
ModelConfig tinyConfig(bool qkvBias = true, bool tied = false, int64_t vocab = 64);

// Random HF-named parameters for `c` (fp32, seeded).
TensorMap randomParams(const ModelConfig& c, uint64_t seed);

// Writes a GGUF v3 file holding `c` and `params` the way llama.cpp converts a
// Hugging Face llama model: GGUF names, q/k rows permuted for adjacent rotary
// pairs, 2-D weights quantised with `quantType` (0 = F32, 3 = Q4_1, 8 = Q8_0).
void writeGguf(const std::string& path, const ModelConfig& c, const TensorMap& params, uint32_t quantType);

// Reference quantisers (round to nearest), written from the format description.
std::vector<uint8_t> quantizeQ8_0(const float* x, int64_t n);
std::vector<uint8_t> quantizeQ4_1(const float* x, int64_t n);
uint16_t floatToHalf(float f);

// Runs f and returns the datarus error code it threw ("" if it returned normally).
std::string codeOf(const std::function<void()>& f);

std::vector<uint8_t> readBytes(const std::string& path);
void writeBytes(const std::string& path, const std::vector<uint8_t>& bytes);

}  // namespace datarus::testing
