// step_worker.cc — model.step(options): clip, AdamW update, clear gradients.
// A non-finite gradient norm skips the update and reports skipped = true.
#include <mutex>

#include "convert.h"
#include "optim.h"
#include "worker.h"
#include "workers.h"

namespace datarus::binding {

namespace {

class StepWorker : public PromiseWorker {
 public:
  StepWorker(Napi::Env env, Napi::Object owner, StatePtr state, AdamWOptions o)
      : PromiseWorker(env, owner), state_(std::move(state)), options_(o) {}

 protected:
  void Run() override {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (!state_->optimizer) state_->optimizer = std::make_unique<AdamW>(options_);
    state_->optimizer->setOptions(options_);
    stats_ = state_->optimizer->apply(state_->model->parameters());
  }
  Napi::Value Result(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    o.Set("gradNorm", stats_.gradNorm);
    o.Set("lr", stats_.lr);
    o.Set("skipped", stats_.skipped);
    o.Set("step", static_cast<double>(stats_.step));
    return o;
  }

 private:
  StatePtr state_;
  AdamWOptions options_;
  StepStats stats_;
};

}  // namespace

Napi::Value startStep(const Napi::CallbackInfo& info, StatePtr state) {
  Napi::Env env = info.Env();
  Napi::Object opts = info.Length() > 0 && info[0].IsObject() ? info[0].As<Napi::Object>() : Napi::Object::New(env);
  AdamWOptions o = parseAdamW(opts);
  auto* w = new StepWorker(env, info.This().As<Napi::Object>(), std::move(state), o);
  Napi::Promise p = w->promise();
  w->Queue();
  return p;
}

}  // namespace datarus::binding
