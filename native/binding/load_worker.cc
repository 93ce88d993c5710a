// load_worker.cc — load(path, {device, dtype}): reads a GGUF file or HF directory.
#include "convert.h"
#include "loader.h"
#include "runtime.h"
#include "worker.h"
#include "workers.h"

namespace datarus::binding {

namespace {

class LoadWorker : public PromiseWorker {
 public:
  LoadWorker(Napi::Env env, std::string path, std::string device, std::string dtype)
      : PromiseWorker(env, Napi::Object()), path_(std::move(path)), device_(std::move(device)), dtype_(std::move(dtype)) {}

 protected:
  void Run() override {
    LoadOptions o;
    o.device = parseDevice(device_);
    o.dtype = parseDtype(dtype_, o.device);
    LoadedModel lm = loadModel(path_, o);
    state_ = std::make_shared<ModelState>();
    state_->model = std::move(lm.model);
    state_->format = lm.format;
    state_->path = path_;
  }
  Napi::Value Result(Napi::Env env) override { return wrapModel(env, std::move(state_)); }

 private:
  std::string path_, device_, dtype_;
  StatePtr state_;
};

}  // namespace

Napi::Value startLoad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) throwInvalid(env, "load(path, options) needs a path string");
  Napi::Object opts = info.Length() > 1 && info[1].IsObject() ? info[1].As<Napi::Object>() : Napi::Object::New(env);
  auto* w = new LoadWorker(env, info[0].As<Napi::String>().Utf8Value(), optString(opts, "device", "auto"),
                           optString(opts, "dtype", "auto"));
  Napi::Promise p = w->promise();
  w->Queue();
  return p;
}

}  // namespace datarus::binding
