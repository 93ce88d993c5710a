// group.cpp — prefill once, decode samples in micro-batch buffers, resume after appends.
#include "group.h"

#include <algorithm>
#include <chrono>

#include "error.h"
#include "work_queue.h"

namespace datarus {

namespace {
double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

void validateGroup(const Model& model, const std::vector<int64_t>& prompt, int64_t groupSize, const GroupOptions& o) {
  check(groupSize >= 1, code::kInvalidArgument, "group size must be >= 1, got ", groupSize);
  check(o.temperature >= 0, code::kInvalidArgument, "temperature must be >= 0, got ", o.temperature);
  check(o.topP > 0 && o.topP <= 1, code::kInvalidArgument, "top-p must be in (0, 1], got ", o.topP);
  check(o.topK >= 0, code::kInvalidArgument, "top-k must be >= 0, got ", o.topK);
  check(o.maxNewTokens >= 0, code::kInvalidArgument, "max new tokens must be >= 0");
  check(o.microBatch >= 1, code::kInvalidArgument, "micro-batch must be >= 1, got ", o.microBatch);
  check(o.seeds.empty() || static_cast<int64_t>(o.seeds.size()) == groupSize, code::kInvalidArgument,
        "seeds must be empty or one per sample");
  for (const auto& s : o.stopStrings) check(!s.empty(), code::kInvalidArgument, "a stop string is empty");
  check(o.stopStrings.empty() || o.tokenBytes, code::kInvalidArgument, "stop strings need the vocabulary's token bytes");
  check(!prompt.empty(), code::kInvalidArgument, "prompt is empty");
  checkTokens(model.config(), prompt);
  check(static_cast<int64_t>(prompt.size()) < model.config().maxPositions, code::kContextOverflow, "prompt of ",
        prompt.size(), " tokens leaves no room in the context of ", model.config().maxPositions);
}

GroupSession::GroupSession(const Model& model, std::vector<int64_t> prompt, int64_t groupSize, GroupOptions options)
    : model_(model), prompt_(std::move(prompt)), options_(std::move(options)) {
  validateGroup(model_, prompt_, groupSize, options_);
  c10::InferenceMode inference;
  auto t0 = std::chrono::steady_clock::now();
  const int64_t P = static_cast<int64_t>(prompt_.size());
  promptCache_ = model_.newCache(1, P);
  at::Tensor h = model_.hidden(at::tensor(prompt_, at::kLong).unsqueeze(0), 0, &promptCache_);  // [1, P, H]
  promptLogits_ = model_.lastLogits(h)[0];                                                       // [V]
  prefillSeconds_ = since(t0);
  samples_.resize(static_cast<size_t>(groupSize));
  pendingLogits_.resize(static_cast<size_t>(groupSize));
  for (int64_t i = 0; i < groupSize; ++i) {
    SamplingOptions so{options_.temperature, options_.topP, options_.topK,
                       options_.seeds.empty() ? options_.seed + static_cast<uint64_t>(i) : options_.seeds[i]};
    samplers_.push_back(std::make_unique<Sampler>(so));
    stops_.emplace_back(&options_.stopStrings);
  }
  for (int64_t first = 0; first < groupSize; first += options_.microBatch) {
    Buffer b;
    for (int64_t i = first; i < std::min(groupSize, first + options_.microBatch); ++i) b.rows.push_back(i);
    buffers_.push_back(std::move(b));
  }
}

int64_t GroupSession::cacheBytes() const {
  int64_t n = 0;
  for (const auto& b : buffers_)
    if (!b.cache.k.empty()) n += b.cache.bytes();
  return n;
}

void GroupSession::checkAbort() const {
  if (options_.abort && options_.abort->load()) fail(code::kAborted, "generation cancelled");
}

void GroupSession::ensureCache(Buffer& b) const {
  check(promptCache_.batch == 1, code::kInvalidArgument, "the group's caches were released");
  if (!b.cache.k.empty()) return;
  const int64_t room = model_.config().maxPositions - static_cast<int64_t>(prompt_.size());
  b.cache = model_.newCacheAfter(promptCache_, static_cast<int64_t>(b.rows.size()),
                                 std::min<int64_t>(room, std::max<int64_t>(options_.maxNewTokens, 1) + 1));
}

GroupSession::Buffer& GroupSession::bufferOf(int64_t i, int64_t* row) {
  Buffer& b = buffers_[static_cast<size_t>(i / options_.microBatch)];
  *row = i % options_.microBatch;
  ensureCache(b);
  return b;
}

void GroupSession::append(int64_t i, const std::vector<int64_t>& tokens) {
  check(i >= 0 && i < size(), code::kInvalidArgument, "sample index ", i, " out of range");
  checkTokens(model_.config(), tokens);
  GroupSample& s = samples_[static_cast<size_t>(i)];
  check(static_cast<int64_t>(prompt_.size() + s.tokens.size() + tokens.size()) < model_.config().maxPositions,
        code::kContextOverflow, "appending ", tokens.size(), " tokens to sample ", i, " exceeds the context");
  checkAbort();
  c10::InferenceMode inference;
  int64_t row;
  Buffer& b = bufferOf(i, &row);
  // Tokens not yet in the cache: the sample's last generated token, then the new ones.
  const int64_t fed = b.cache.length(row);
  std::vector<int64_t> feed(s.tokens.begin() + fed, s.tokens.end());
  feed.insert(feed.end(), tokens.begin(), tokens.end());
  if (feed.empty()) return;
  stops_[static_cast<size_t>(i)].reset();  // stop strings match text generated after this point
  b.cache.reserve(fed + static_cast<int64_t>(feed.size()));
  KVCache view;  // row `row` of the buffer, writing into the same storage
  view.batch = 1;
  view.capacity = b.cache.capacity;
  view.lengths = {fed};
  view.prefixK = b.cache.prefixK;
  view.prefixV = b.cache.prefixV;
  view.prefixLen = b.cache.prefixLen;
  for (size_t l = 0; l < b.cache.k.size(); ++l) {
    view.k.push_back(b.cache.k[l].narrow(0, row, 1));
    view.v.push_back(b.cache.v[l].narrow(0, row, 1));
  }
  at::Tensor h = model_.hidden(at::tensor(feed, at::kLong).unsqueeze(0), 0, &view);  // [1, n, H]
  b.cache.lengths[static_cast<size_t>(row)] = view.lengths[0];
  pendingLogits_[static_cast<size_t>(i)] = model_.lastLogits(h)[0];
  for (int64_t t : tokens) {
    s.tokens.push_back(t);
    s.logprobs.push_back(0.0f);
    s.policy.push_back(0);
  }
  s.finishReason.clear();
}

void GroupSession::decode(std::vector<int64_t> which) {
  if (which.empty())
    for (int64_t i = 0; i < size(); ++i) which.push_back(i);
  for (int64_t i : which) check(i >= 0 && i < size(), code::kInvalidArgument, "sample index ", i, " out of range");
  c10::InferenceMode inference;
  for (auto& b : buffers_) {
    std::vector<int64_t> rows;
    for (size_t r = 0; r < b.rows.size(); ++r)
      if (std::find(which.begin(), which.end(), b.rows[r]) != which.end()) rows.push_back(static_cast<int64_t>(r));
    if (rows.empty()) continue;
    decodeBuffer(b, rows);
    if (!options_.keepCaches) b.cache = KVCache();
  }
}

void GroupSession::decodeBuffer(Buffer& b, const std::vector<int64_t>& rows) {
  auto t0 = std::chrono::steady_clock::now();
  kernels::team::TeamScope team;  // the step's parallel loops on threads kept spinning between them
  ensureCache(b);
  const int64_t R = static_cast<int64_t>(b.rows.size());
  const int64_t P = static_cast<int64_t>(prompt_.size());
  const int64_t maxPos = model_.config().maxPositions;
  // A resumed sample whose last generated token is not in the cache yet feeds it first.
  for (int64_t r : rows) {
    int64_t i = b.rows[static_cast<size_t>(r)];
    if (b.cache.length(r) < static_cast<int64_t>(samples_[static_cast<size_t>(i)].tokens.size())) append(i, {});
  }
  std::vector<at::Tensor> next(static_cast<size_t>(R));  // per row: next-token logits [V]
  std::vector<bool> active(static_cast<size_t>(R), false);
  std::vector<int64_t> produced(static_cast<size_t>(R), 0);
  for (int64_t r : rows) {
    size_t i = static_cast<size_t>(b.rows[static_cast<size_t>(r)]);
    GroupSample& s = samples_[i];
    if (pendingLogits_[i].defined()) next[r] = pendingLogits_[i];
    else if (s.tokens.empty()) next[r] = promptLogits_;
    else continue;  // already finished and nothing appended: nothing to continue from
    pendingLogits_[i] = at::Tensor();
    s.finishReason.clear();
    active[r] = true;
  }
  std::vector<int64_t> ids(static_cast<size_t>(R), 0);
  std::vector<Sampled> draws(static_cast<size_t>(R));
  for (;;) {
    checkAbort();
    // Each row has its own sampler (own RNG stream), so rows draw in parallel.
    kernels::forEachItem(R, [&](int64_t r) {
      if (active[r] && options_.maxNewTokens > 0)
        draws[r] = samplers_[static_cast<size_t>(b.rows[static_cast<size_t>(r)])]->next(next[r]);
    });
    bool any = false;
    for (int64_t r = 0; r < R; ++r) {
      if (!active[r]) continue;
      size_t i = static_cast<size_t>(b.rows[static_cast<size_t>(r)]);
      GroupSample& s = samples_[i];
      if (options_.maxNewTokens == 0) {
        s.finishReason = "length";
        active[r] = false;
        continue;
      }
      const Sampled& x = draws[r];
      s.tokens.push_back(x.token);
      s.logprobs.push_back(x.logprob);
      s.policy.push_back(1);
      ++produced[r];
      ++decodedTokens_;
      ids[r] = x.token;
      bool stopId = std::find(options_.stopIds.begin(), options_.stopIds.end(), x.token) != options_.stopIds.end();
      bool stopStr = options_.tokenBytes && x.token < static_cast<int64_t>(options_.tokenBytes->size()) &&
                     stops_[i].feed((*options_.tokenBytes)[static_cast<size_t>(x.token)]);
      if (stopId || stopStr) s.finishReason = "stop";
      else if (P + static_cast<int64_t>(s.tokens.size()) >= maxPos) s.finishReason = "context";
      else if (produced[r] >= options_.maxNewTokens) s.finishReason = "length";
      if (!s.finishReason.empty()) active[r] = false;
      any = any || active[r];
    }
    if (!any) break;
    // One step for the whole buffer; rows not decoding get a dummy token whose slot
    // is not kept (their length is restored), so they are untouched.
    std::vector<int64_t> before = b.cache.lengths;
    for (int64_t r = 0; r < R; ++r)
      if (!active[r]) ids[r] = 0;
    at::Tensor h = model_.hidden(at::tensor(ids, at::kLong).unsqueeze(1), 0, &b.cache);  // [R, 1, H]
    at::Tensor logits = model_.lastLogits(h);                                             // [R, V]
    for (int64_t r = 0; r < R; ++r) {
      if (active[r]) next[r] = logits[r];
      else b.cache.lengths[static_cast<size_t>(r)] = before[static_cast<size_t>(r)];
    }
  }
  decodeSeconds_ += since(t0);
}

void GroupSession::release() {
  for (auto& b : buffers_) b.cache = KVCache();
  promptCache_ = KVCache();
}

}  // namespace datarus
