// backward_worker.cc — model.backward(sequences, weights, {normalizer, gradientCheckpointing}):
// weighted NLL over next-token log-probs, gradients accumulated into the model.
//
// weights[i] has length len(sequences[i]) − 1 (the weight of predicting token
// t + 1 at position t; 0 on prompt tokens). The loss is −Σ w·logp / normalizer,
// with normalizer defaulting to Σ w, so that micro-batches can share one. With
// gradientCheckpointing the decoder keeps each layer's input only and recomputes
// the layer in backward (checkpointed_forward.h): the same gradients, less memory.
#include <mutex>

#include "convert.h"
#include "error.h"
#include "logprobs.h"
#include "padding.h"
#include "worker.h"
#include "workers.h"

namespace datarus::binding {

namespace {

class BackwardWorker : public PromiseWorker {
 public:
  BackwardWorker(Napi::Env env, Napi::Object owner, StatePtr state, std::vector<std::vector<int64_t>> seqs,
                 std::vector<std::vector<float>> weights, double normalizer, bool checkpoint)
      : PromiseWorker(env, owner),
        state_(std::move(state)),
        seqs_(std::move(seqs)),
        weights_(std::move(weights)),
        normalizer_(normalizer),
        checkpoint_(checkpoint) {}

 protected:
  void Run() override {
    std::lock_guard<std::mutex> lock(state_->mu);
    Model& m = *state_->model;
    for (size_t k = 0; k < seqs_.size(); ++k) {
      checkTokens(m.config(), seqs_[k]);
      check(seqs_[k].size() >= 2, code::kInvalidArgument, "every sequence needs at least 2 tokens");
      check(weights_[k].size() + 1 == seqs_[k].size(), code::kInvalidArgument, "weights[", k, "] has ",
            weights_[k].size(), " entries; expected ", seqs_[k].size() - 1);
    }
    at::Tensor ids = padIds(seqs_);                                         // [B, T] right-padded
    at::Tensor w = padRows(weights_, ids.size(1) - 1, 0.0f).to(m.device());  // [B, T-1]
    double norm = normalizer_ > 0 ? normalizer_ : std::max(1e-8, w.sum().item<double>());
    tokens_ = w.gt(0).sum().item<int64_t>();
    m.setTrainable(true);
    auto nll = [&](const at::Tensor& logp) { return -(logp * w).sum() / norm; };
    loss_ = lossBackward(m, ids, nll, kLogitTokens, checkpoint_).loss;
  }
  Napi::Value Result(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    o.Set("loss", loss_);
    o.Set("tokens", static_cast<double>(tokens_));
    return o;
  }

 private:
  StatePtr state_;
  std::vector<std::vector<int64_t>> seqs_;
  std::vector<std::vector<float>> weights_;
  double normalizer_;
  bool checkpoint_;
  double loss_ = 0;
  int64_t tokens_ = 0;
};

}  // namespace

Napi::Value startBackward(const Napi::CallbackInfo& info, StatePtr state) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[1].IsArray()) throwInvalid(env, "backward(sequences, weights, options)");
  auto seqs = toIdLists(env, info[0], "sequences");
  Napi::Array wa = info[1].As<Napi::Array>();
  if (wa.Length() != seqs.size()) throwInvalid(env, "weights must have one entry per sequence");
  if (seqs.empty()) throwInvalid(env, "backward needs at least one sequence");
  std::vector<std::vector<float>> weights;
  for (uint32_t i = 0; i < wa.Length(); ++i) weights.push_back(toFloats(env, wa.Get(i), "weights"));
  Napi::Object opts = info.Length() > 2 && info[2].IsObject() ? info[2].As<Napi::Object>() : Napi::Object::New(env);
  auto* w = new BackwardWorker(env, info.This().As<Napi::Object>(), std::move(state), std::move(seqs),
                               std::move(weights), optNumber(opts, "normalizer", 0),
                               optBool(opts, "gradientCheckpointing", false));
  Napi::Promise p = w->promise();
  w->Queue();
  return p;
}

}  // namespace datarus::binding
