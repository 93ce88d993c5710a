// logits_worker.cc — model.logits(sequence): the full [T, V] fp32 logits of one
// sequence, for inspection and numerical parity tests (small models only: the
// result is T·V floats).
#include <mutex>

#include "convert.h"
#include "error.h"
#include "worker.h"
#include "workers.h"

namespace datarus::binding {

namespace {

constexpr int64_t kMaxElements = 64ll << 20;  // 256 MB of fp32

class LogitsWorker : public PromiseWorker {
 public:
  LogitsWorker(Napi::Env env, Napi::Object owner, StatePtr state, std::vector<int64_t> ids)
      : PromiseWorker(env, owner), state_(std::move(state)), ids_(std::move(ids)) {}

 protected:
  void Run() override {
    std::lock_guard<std::mutex> lock(state_->mu);
    const Model& m = *state_->model;
    check(!ids_.empty(), code::kInvalidArgument, "logits() needs at least one token");
    checkTokens(m.config(), ids_);
    const int64_t T = static_cast<int64_t>(ids_.size()), V = m.config().vocabSize;
    check(T * V <= kMaxElements, code::kInvalidArgument, "logits() of ", T, " x ", V, " values is too large");
    c10::InferenceMode inference;
    at::Tensor h = m.hidden(at::tensor(ids_, at::kLong).unsqueeze(0));                                   // [1, T, H]
    logits_ = at::linear(h, m.lmHead())[0].to(at::kCPU, at::kFloat).contiguous();                        // [T, V]
  }
  Napi::Value Result(Napi::Env env) override {
    return fromFloats(env, logits_.data_ptr<float>(), static_cast<size_t>(logits_.numel()));
  }

 private:
  StatePtr state_;
  std::vector<int64_t> ids_;
  at::Tensor logits_;
};

}  // namespace

Napi::Value startLogits(const Napi::CallbackInfo& info, StatePtr state) {
  Napi::Env env = info.Env();
  if (info.Length() < 1) throwInvalid(env, "logits(sequence) needs a sequence");
  auto* w = new LogitsWorker(env, info.This().As<Napi::Object>(), std::move(state), toIds(env, info[0], "sequence"));
  Napi::Promise p = w->promise();
  w->Queue();
  return p;
}

}  // namespace datarus::binding
