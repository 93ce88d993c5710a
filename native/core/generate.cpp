// generate.cpp — one sequence: a group of one with the KV cache, or the reference
// path that recomputes the whole prefix at every step.
#include "generate.h"

#include <algorithm>
#include <chrono>

#include "error.h"
#include "group.h"

namespace datarus {

namespace {

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// With the cache: the prompt prefilled once and decoded as a group of one, so a
// sequence takes exactly the arithmetic of one sample of a group.
GenerateResult cached(const Model& model, const std::vector<int64_t>& prompt, const GenerateOptions& o) {
  GroupOptions g;
  g.maxNewTokens = o.maxNewTokens;
  g.temperature = o.sampling.temperature;
  g.topP = o.sampling.topP;
  g.topK = o.sampling.topK;
  g.seeds = {o.sampling.seed};
  g.microBatch = 1;
  g.stopIds = o.stopIds;
  g.abort = o.abort;
  g.keepCaches = false;
  GroupSession session(model, prompt, 1, g);
  session.decode();
  const GroupSample& s = session.sample(0);
  GenerateResult r;
  r.tokens = s.tokens;
  r.logprobs = s.logprobs;
  r.finishReason = s.finishReason;
  r.prefillSeconds = session.prefillSeconds();
  r.decodeSeconds = session.decodeSeconds();
  return r;
}

// Without it: every step runs the whole sequence so far (the reference for the cache).
GenerateResult recomputed(const Model& model, const std::vector<int64_t>& prompt, const GenerateOptions& o) {
  const ModelConfig& c = model.config();
  c10::InferenceMode inference;
  GenerateResult r;
  Sampler sampler(o.sampling);
  std::vector<int64_t> all(prompt);
  auto t0 = std::chrono::steady_clock::now();
  r.finishReason = "length";
  for (int64_t i = 0; i < o.maxNewTokens; ++i) {
    if (o.abort && o.abort->load()) fail(code::kAborted, "generation cancelled");
    at::Tensor logits = model.lastLogits(model.hidden(at::tensor(all, at::kLong).unsqueeze(0)));  // [1, V]
    if (i == 0) {
      r.prefillSeconds = since(t0);
      t0 = std::chrono::steady_clock::now();
    }
    Sampled s = sampler.next(logits[0]);
    r.tokens.push_back(s.token);
    r.logprobs.push_back(s.logprob);
    all.push_back(s.token);
    if (std::find(o.stopIds.begin(), o.stopIds.end(), s.token) != o.stopIds.end()) {
      r.finishReason = "stop";
      break;
    }
    if (static_cast<int64_t>(all.size()) >= c.maxPositions) {
      r.finishReason = "context";
      break;
    }
  }
  r.decodeSeconds = since(t0);
  return r;
}

}  // namespace

GenerateResult generate(const Model& model, const std::vector<int64_t>& prompt, const GenerateOptions& o) {
  const ModelConfig& c = model.config();
  check(!prompt.empty(), code::kInvalidArgument, "prompt is empty");
  check(o.maxNewTokens >= 0, code::kInvalidArgument, "maxNewTokens must be >= 0");
  checkTokens(c, prompt);
  check(static_cast<int64_t>(prompt.size()) < c.maxPositions, code::kContextOverflow, "prompt of ", prompt.size(),
        " tokens leaves no room in the context of ", c.maxPositions);
  return o.useCache ? cached(model, prompt, o) : recomputed(model, prompt, o);
}

}  // namespace datarus
