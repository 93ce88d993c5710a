// save_worker.cc — model.save(dir, {dtype, maxShardBytes}): HF safetensors + config.json.
#include <mutex>

#include "convert.h"
#include "loader.h"
#include "runtime.h"
#include "worker.h"
#include "workers.h"

namespace datarus::binding {

namespace {

class SaveWorker : public PromiseWorker {
 public:
  SaveWorker(Napi::Env env, Napi::Object owner, StatePtr state, std::string dir, std::string dtype, double maxShard)
      : PromiseWorker(env, owner), state_(std::move(state)), dir_(std::move(dir)), dtype_(std::move(dtype)),
        maxShard_(maxShard) {}

 protected:
  void Run() override {
    std::lock_guard<std::mutex> lock(state_->mu);
    SaveOptions o;
    o.dtype = dtype_ == "model" ? state_->model->dtype() : parseDtype(dtype_, at::kCPU);
    if (maxShard_ > 0) o.maxShardBytes = static_cast<uint64_t>(maxShard_);
    saveModel(*state_->model, dir_, o);
  }
  Napi::Value Result(Napi::Env env) override { return env.Undefined(); }

 private:
  StatePtr state_;
  std::string dir_, dtype_;
  double maxShard_;
};

}  // namespace

Napi::Value startSave(const Napi::CallbackInfo& info, StatePtr state) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) throwInvalid(env, "save(dir, options) needs a directory");
  Napi::Object opts = info.Length() > 1 && info[1].IsObject() ? info[1].As<Napi::Object>() : Napi::Object::New(env);
  auto* w = new SaveWorker(env, info.This().As<Napi::Object>(), std::move(state), info[0].As<Napi::String>().Utf8Value(),
                           optString(opts, "dtype", "model"), optNumber(opts, "maxShardBytes", 0));
  Napi::Promise p = w->promise();
  w->Queue();
  return p;
}

}  // namespace datarus::binding
