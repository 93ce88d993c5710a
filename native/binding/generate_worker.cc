// generate_worker.cc — model.generate(prompt, options): one sequence, KV-cached.
#include <mutex>

#include "convert.h"
#include "generate.h"
#include "worker.h"
#include "workers.h"

namespace datarus::binding {

namespace {

class GenerateWorker : public PromiseWorker {
 public:
  GenerateWorker(Napi::Env env, Napi::Object owner, StatePtr state, std::vector<int64_t> prompt, GenerateOptions o)
      : PromiseWorker(env, owner), state_(std::move(state)), prompt_(std::move(prompt)), options_(std::move(o)) {}

 protected:
  void Run() override {
    std::lock_guard<std::mutex> lock(state_->mu);
    result_ = generate(*state_->model, prompt_, options_);
  }
  Napi::Value Result(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    o.Set("tokens", fromIds(env, result_.tokens));
    o.Set("logprobs", fromFloats(env, result_.logprobs.data(), result_.logprobs.size()));
    o.Set("finishReason", result_.finishReason);
    o.Set("prefillSeconds", result_.prefillSeconds);
    o.Set("decodeSeconds", result_.decodeSeconds);
    return o;
  }

 private:
  StatePtr state_;
  std::vector<int64_t> prompt_;
  GenerateOptions options_;
  GenerateResult result_;
};

}  // namespace

Napi::Value startGenerate(const Napi::CallbackInfo& info, StatePtr state) {
  Napi::Env env = info.Env();
  if (info.Length() < 1) throwInvalid(env, "generate(prompt, options) needs a prompt");
  std::vector<int64_t> prompt = toIds(env, info[0], "prompt");
  Napi::Object opts = info.Length() > 1 && info[1].IsObject() ? info[1].As<Napi::Object>() : Napi::Object::New(env);
  GenerateOptions o;
  o.maxNewTokens = static_cast<int64_t>(optNumber(opts, "maxNewTokens", 128));
  o.sampling.temperature = optNumber(opts, "temperature", 1.0);
  o.sampling.topP = optNumber(opts, "topP", 1.0);
  o.sampling.topK = static_cast<int64_t>(optNumber(opts, "topK", 0));
  o.sampling.seed = static_cast<uint64_t>(optNumber(opts, "seed", 0));
  if (opts.Has("stopIds") && !opts.Get("stopIds").IsUndefined()) o.stopIds = toIds(env, opts.Get("stopIds"), "stopIds");
  auto* w = new GenerateWorker(env, info.This().As<Napi::Object>(), std::move(state), std::move(prompt), std::move(o));
  Napi::Promise p = w->promise();
  w->Queue();
  return p;
}

}  // namespace datarus::binding
