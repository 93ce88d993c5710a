// generate.h — autoregressive generation of one sequence with a KV cache.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "model.h"
#include "sampler.h"

namespace datarus {

struct GenerateOptions {
  int64_t maxNewTokens = 128;
  SamplingOptions sampling;
  std::vector<int64_t> stopIds;             // generation ends after emitting one of these
  const std::atomic<bool>* abort = nullptr;  // checked before every token
  bool useCache = true;                     // false: recompute the whole prefix each step (reference path)
};

struct GenerateResult {
  std::vector<int64_t> tokens;   // new tokens only
  std::vector<float> logprobs;   // behaviour log-prob of each new token
  std::string finishReason;      // "stop" | "length" | "context"
  double prefillSeconds = 0, decodeSeconds = 0;
};

// Throws E_TOKEN_OUT_OF_RANGE / E_CONTEXT_OVERFLOW / E_ABORTED.
GenerateResult generate(const Model& model, const std::vector<int64_t>& prompt, const GenerateOptions& options);

}  // namespace datarus
