// grpo_checkpoint_worker.cc — model.saveCheckpoint(dir, {step, config}) and
// model.loadCheckpoint(dir) → {step, config} (replaces weights and optimiser state in
// place; the handle keeps working; a reference, if any, is left as it was).
#include <mutex>

#include "convert.h"
#include "grpo/checkpoint.h"
#include "worker.h"
#include "workers.h"

namespace datarus::binding {

namespace {

class CheckpointWorker : public PromiseWorker {
 public:
  CheckpointWorker(Napi::Env env, Napi::Object owner, StatePtr state, std::string dir, bool save, CheckpointMeta meta)
      : PromiseWorker(env, owner), state_(std::move(state)), dir_(std::move(dir)), save_(save), meta_(std::move(meta)) {}

 protected:
  void Run() override {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (save_) {
      saveCheckpoint(dir_, *state_->model, state_->optimizer.get(), meta_);
      return;
    }
    LoadedCheckpoint c = loadCheckpoint(dir_, {state_->model->device(), state_->model->dtype()});
    state_->model = std::move(c.model);
    state_->optimizer = std::move(c.optimizer);
    meta_ = c.meta;
  }
  Napi::Value Result(Napi::Env env) override {
    if (save_) return env.Undefined();
    Napi::Object o = Napi::Object::New(env);
    o.Set("step", static_cast<double>(meta_.step));
    o.Set("config", meta_.configJson);
    o.Set("optimizerStep", static_cast<double>(state_->optimizer ? state_->optimizer->step() : 0));
    return o;
  }

 private:
  StatePtr state_;
  std::string dir_;
  bool save_;
  CheckpointMeta meta_;
};

}  // namespace

Napi::Value startSaveCheckpoint(const Napi::CallbackInfo& info, StatePtr state) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) throwInvalid(env, "saveCheckpoint(dir, {step, config})");
  Napi::Object opts = info.Length() > 1 && info[1].IsObject() ? info[1].As<Napi::Object>() : Napi::Object::New(env);
  CheckpointMeta meta{static_cast<int64_t>(optNumber(opts, "step", 0)), optString(opts, "config", "{}")};
  auto* w = new CheckpointWorker(env, info.This().As<Napi::Object>(), std::move(state),
                                 info[0].As<Napi::String>().Utf8Value(), true, std::move(meta));
  Napi::Promise p = w->promise();
  w->Queue();
  return p;
}

Napi::Value startLoadCheckpoint(const Napi::CallbackInfo& info, StatePtr state) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) throwInvalid(env, "loadCheckpoint(dir)");
  auto* w = new CheckpointWorker(env, info.This().As<Napi::Object>(), std::move(state),
                                 info[0].As<Napi::String>().Utf8Value(), false, {});
  Napi::Promise p = w->promise();
  w->Queue();
  return p;
}

}  // namespace datarus::binding
