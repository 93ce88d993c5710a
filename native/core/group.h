// group.h — GRPO group generation: one prompt prefilled once, G samples decoded
// from its shared KV cache in micro-batches.
//
// Memory: the prompt's keys/values exist once (shared by reference by every
// micro-batch); per-sample caches live in micro-batch buffers of at most
// `microBatch` rows, and decode() runs one buffer at a time, so peak activation
// memory is bounded by the micro-batch, not by G. A session keeps its buffers so
// that samples can be resumed after tokens the model did not write (observations
// in agentic mode) without re-running anything before them.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "model.h"
#include "sampler.h"
#include "stop_matcher.h"

namespace datarus {

struct GroupOptions {
  int64_t maxNewTokens = 256;   // per decode() call, per sample
  double temperature = 1.0;
  double topP = 1.0;
  int64_t topK = 0;
  std::vector<uint64_t> seeds;  // one per sample; default seed + index
  uint64_t seed = 0;
  int64_t microBatch = 8;       // rows decoded together
  std::vector<int64_t> stopIds;
  std::vector<std::string> stopStrings;  // matched on decoded bytes (needs tokenBytes)
  const std::vector<std::string>* tokenBytes = nullptr;  // id → bytes, for stop strings
  const std::atomic<bool>* abort = nullptr;
  bool keepCaches = true;  // false: free each micro-batch's buffer once decoded (one-shot groups)
};

struct GroupSample {
  std::vector<int64_t> tokens;   // everything after the prompt: generated and appended
  std::vector<float> logprobs;   // behaviour log-prob per token (0 for appended ones)
  std::vector<uint8_t> policy;   // 1 = written by the policy, 0 = appended (observation)
  std::string finishReason;      // "stop" | "length" | "context" | "" (not decoded yet)
};

class GroupSession {
 public:
  // Validates, then prefills `prompt` once (throws before any work on bad input).
  GroupSession(const Model& model, std::vector<int64_t> prompt, int64_t groupSize, GroupOptions options);

  int64_t size() const { return static_cast<int64_t>(samples_.size()); }
  const GroupSample& sample(int64_t i) const { return samples_[static_cast<size_t>(i)]; }
  const std::vector<int64_t>& prompt() const { return prompt_; }
  double prefillSeconds() const { return prefillSeconds_; }
  double decodeSeconds() const { return decodeSeconds_; }
  int64_t decodedTokens() const { return decodedTokens_; }
  // Bytes of per-sample KV buffers currently held (the prompt's cache excluded).
  int64_t cacheBytes() const;

  // Continues each listed sample (all when empty) from where it is — after its
  // prompt, its last generated token or its last appended tokens — until it
  // stops or has produced maxNewTokens more.
  void decode(std::vector<int64_t> which = {});
  // Appends tokens the model did not write to sample i (policy mask 0), running
  // them through the model so a later decode() continues after them.
  void append(int64_t i, const std::vector<int64_t>& tokens);
  // Drops every per-sample buffer (the samples' tokens stay readable).
  void release();

 private:
  struct Buffer {
    KVCache cache;
    std::vector<int64_t> rows;  // sample index of each row
  };
  void ensureCache(Buffer& b) const;  // allocates a buffer's cache on first use
  Buffer& bufferOf(int64_t i, int64_t* row);
  void decodeBuffer(Buffer& b, const std::vector<int64_t>& rows);
  void checkAbort() const;

  const Model& model_;
  std::vector<int64_t> prompt_;
  GroupOptions options_;
  KVCache promptCache_;
  at::Tensor promptLogits_;  // [V] fp32, the next-token distribution after the prompt
  std::vector<GroupSample> samples_;
  std::vector<std::unique_ptr<Sampler>> samplers_;
  std::vector<StopMatcher> stops_;
  std::vector<at::Tensor> pendingLogits_;  // per sample: next-token logits after an append
  std::vector<Buffer> buffers_;
  double prefillSeconds_ = 0, decodeSeconds_ = 0;
  int64_t decodedTokens_ = 0;
};

// Checks options before any work: G >= 1, temperature >= 0, top-p in (0, 1], no
// empty stop string, a non-empty prompt inside the context. Throws E_INVALID_ARGUMENT.
void validateGroup(const Model& model, const std::vector<int64_t>& prompt, int64_t groupSize, const GroupOptions& o);

}  // namespace datarus
