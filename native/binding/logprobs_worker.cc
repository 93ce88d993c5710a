// logprobs_worker.cc — model.logprobs(sequences): per-token log-probs, chunked.
//
// Sequences are right-padded into batches of at most kBatchTokens tokens, so a
// long list never builds one huge batch; each result has length len − 1.
#include <algorithm>
#include <mutex>

#include "convert.h"
#include "error.h"
#include "logprobs.h"
#include "padding.h"
#include "worker.h"
#include "workers.h"

namespace datarus::binding {

namespace {

constexpr int64_t kBatchTokens = 4096;

class LogprobsWorker : public PromiseWorker {
 public:
  LogprobsWorker(Napi::Env env, Napi::Object owner, StatePtr state, std::vector<std::vector<int64_t>> seqs)
      : PromiseWorker(env, owner), state_(std::move(state)), seqs_(std::move(seqs)) {}

 protected:
  void Run() override {
    std::lock_guard<std::mutex> lock(state_->mu);
    const Model& m = *state_->model;
    for (const auto& s : seqs_) {
      checkTokens(m.config(), s);
      check(s.size() >= 2, code::kInvalidArgument, "every sequence needs at least 2 tokens");
    }
    c10::InferenceMode inference;
    out_.resize(seqs_.size());
    size_t i = 0;
    while (i < seqs_.size()) {
      // Greedy batch: add sequences while B * maxLen stays under the budget.
      size_t j = i;
      int64_t maxLen = 0;
      while (j < seqs_.size()) {
        int64_t len = std::max<int64_t>(maxLen, static_cast<int64_t>(seqs_[j].size()));
        if (j > i && len * static_cast<int64_t>(j - i + 1) > kBatchTokens) break;
        maxLen = len;
        ++j;
      }
      at::Tensor ids = padIds({seqs_.begin() + static_cast<long>(i), seqs_.begin() + static_cast<long>(j)});  // [B, T]
      at::Tensor lp = sequenceLogprobs(m, ids).to(at::kCPU, at::kFloat).contiguous();  // [B, T-1]
      for (size_t k = i; k < j; ++k) {
        const float* row = lp[static_cast<int64_t>(k - i)].data_ptr<float>();
        out_[k].assign(row, row + seqs_[k].size() - 1);
      }
      i = j;
    }
  }
  Napi::Value Result(Napi::Env env) override {
    return fromFloatLists(env, out_);
  }

 private:
  StatePtr state_;
  std::vector<std::vector<int64_t>> seqs_;
  std::vector<std::vector<float>> out_;
};

}  // namespace

Napi::Value startLogprobs(const Napi::CallbackInfo& info, StatePtr state) {
  Napi::Env env = info.Env();
  if (info.Length() < 1) throwInvalid(env, "logprobs(sequences) needs sequences");
  auto* w = new LogprobsWorker(env, info.This().As<Napi::Object>(), std::move(state), toIdLists(env, info[0], "sequences"));
  Napi::Promise p = w->promise();
  w->Queue();
  return p;
}

}  // namespace datarus::binding
