// generate_group_worker.cc — model.generateGroup(prompts, groupSize, options):
// for each prompt, prefill once and decode `groupSize` samples in micro-batches,
// freeing each micro-batch's cache as soon as it is done.
#include <mutex>

#include "convert.h"
#include "group_convert.h"
#include "worker.h"
#include "workers.h"

namespace datarus::binding {

namespace {

struct GroupOut {
  std::vector<GroupSample> samples;
  double prefillSeconds, decodeSeconds;
  int64_t promptTokens;
};

class GenerateGroupWorker : public PromiseWorker {
 public:
  GenerateGroupWorker(Napi::Env env, Napi::Object owner, StatePtr state, std::vector<std::vector<int64_t>> prompts,
                      int64_t groupSize, GroupArgs args)
      : PromiseWorker(env, owner), state_(std::move(state)), prompts_(std::move(prompts)), groupSize_(groupSize),
        args_(std::move(args)) {}

 protected:
  void Run() override {
    std::lock_guard<std::mutex> lock(state_->mu);
    const Model& m = *state_->model;
    GroupOptions o = args_.options;
    o.keepCaches = false;
    // Validate every prompt before generating anything.
    for (const auto& p : prompts_) validateGroup(m, p, groupSize_, o);
    for (const auto& p : prompts_) {
      GroupSession g(m, p, groupSize_, o);
      g.decode();
      GroupOut out{{}, g.prefillSeconds(), g.decodeSeconds(), static_cast<int64_t>(p.size())};
      for (int64_t i = 0; i < g.size(); ++i) out.samples.push_back(g.sample(i));
      results_.push_back(std::move(out));
    }
  }
  Napi::Value Result(Napi::Env env) override {
    Napi::Array arr = Napi::Array::New(env, results_.size());
    for (size_t k = 0; k < results_.size(); ++k) {
      Napi::Object o = Napi::Object::New(env);
      Napi::Array samples = Napi::Array::New(env, results_[k].samples.size());
      for (size_t i = 0; i < results_[k].samples.size(); ++i)
        samples.Set(static_cast<uint32_t>(i), sampleToJs(env, results_[k].samples[i]));
      o.Set("samples", samples);
      o.Set("prefillSeconds", results_[k].prefillSeconds);
      o.Set("decodeSeconds", results_[k].decodeSeconds);
      o.Set("promptTokens", static_cast<double>(results_[k].promptTokens));
      arr.Set(static_cast<uint32_t>(k), o);
    }
    return arr;
  }

 private:
  StatePtr state_;
  std::vector<std::vector<int64_t>> prompts_;
  int64_t groupSize_;
  GroupArgs args_;
  std::vector<GroupOut> results_;
};

}  // namespace

Napi::Value startGenerateGroup(const Napi::CallbackInfo& info, StatePtr state) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[1].IsNumber()) throwInvalid(env, "generateGroup(prompts, groupSize, options)");
  auto prompts = toIdLists(env, info[0], "prompts");
  GroupArgs args = parseGroupOptions(env, info.Length() > 2 ? info[2] : env.Undefined(), state);
  auto* w = new GenerateGroupWorker(env, info.This().As<Napi::Object>(), std::move(state), std::move(prompts),
                                    static_cast<int64_t>(info[1].As<Napi::Number>().Int64Value()), std::move(args));
  Napi::Promise p = w->promise();
  w->Queue();
  return p;
}

}  // namespace datarus::binding
