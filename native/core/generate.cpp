// generate.cpp — prefill once, then decode token by token from the cache.
#include "generate.h"

#include <algorithm>
#include <chrono>
#include <optional>

#include "error.h"
#include "thread_team.h"

namespace datarus {

namespace {
double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

GenerateResult generate(const Model& model, const std::vector<int64_t>& prompt, const GenerateOptions& o) {
  const ModelConfig& c = model.config();
  check(!prompt.empty(), code::kInvalidArgument, "prompt is empty");
  check(o.maxNewTokens >= 0, code::kInvalidArgument, "maxNewTokens must be >= 0");
  checkTokens(c, prompt);
  check(static_cast<int64_t>(prompt.size()) < c.maxPositions, code::kContextOverflow, "prompt of ", prompt.size(),
        " tokens leaves no room in the context of ", c.maxPositions);
  c10::InferenceMode inference;
  GenerateResult r;
  const int64_t P = static_cast<int64_t>(prompt.size());
  const int64_t capacity = std::min<int64_t>(P + o.maxNewTokens, c.maxPositions);
  KVCache cache;
  if (o.useCache) cache = model.newCache(1, capacity);
  Sampler sampler(o.sampling);
  std::vector<int64_t> all(prompt);

  auto t0 = std::chrono::steady_clock::now();
  at::Tensor ids = at::tensor(all, at::kLong).unsqueeze(0);  // [1, P]
  at::Tensor logits = model.lastLogits(model.hidden(ids, 0, o.useCache ? &cache : nullptr));  // [1, V]
  r.prefillSeconds = since(t0);
  t0 = std::chrono::steady_clock::now();
  // Cached decode steps run their parallel loops on threads kept spinning between them.
  std::optional<kernels::team::TeamScope> team;
  if (o.useCache) team.emplace();
  r.finishReason = "length";
  for (int64_t i = 0; i < o.maxNewTokens; ++i) {
    if (o.abort && o.abort->load()) fail(code::kAborted, "generation cancelled");
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
    if (i + 1 == o.maxNewTokens) break;
    if (o.useCache) {
      at::Tensor next = at::tensor(std::vector<int64_t>{s.token}, at::kLong).unsqueeze(0);  // [1, 1]
      logits = model.lastLogits(model.hidden(next, 0, &cache));
    } else {
      logits = model.lastLogits(model.hidden(at::tensor(all, at::kLong).unsqueeze(0)));
    }
  }
  r.decodeSeconds = since(t0);
  return r;
}

}  // namespace datarus
