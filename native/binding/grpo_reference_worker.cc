// grpo_reference_worker.cc — model.createReference({shards, devices, dtype}) copies the
// current weights into a frozen sharded reference; model.referenceLogprobs(sequences)
// scores sequences with it (one Float32Array of len − 1 per sequence).
#include <mutex>

#include "convert.h"
#include "error.h"
#include "grpo_state.h"
#include "runtime.h"
#include "worker.h"
#include "workers.h"

namespace datarus::binding {

namespace {

class CreateReferenceWorker : public PromiseWorker {
 public:
  CreateReferenceWorker(Napi::Env env, Napi::Object owner, StatePtr state, int64_t shards,
                        std::vector<std::string> devices, std::string dtype)
      : PromiseWorker(env, owner), state_(std::move(state)), shards_(shards), devices_(std::move(devices)),
        dtype_(std::move(dtype)) {}

 protected:
  void Run() override {
    std::lock_guard<std::mutex> lock(state_->mu);
    const Model& m = *state_->model;
    std::vector<at::Device> devs;
    for (const auto& d : devices_) devs.push_back(d == "policy" ? m.device() : parseDevice(d));
    if (devs.empty()) devs.push_back(m.device());
    at::ScalarType dt = dtype_ == "model" ? m.dtype() : parseDtype(dtype_, devs.front());
    GrpoState& g = grpoState(*state_);
    g.reference.reset();  // free the old copy first
    g.reference = std::make_unique<ShardedReference>(m, shards_, devs, dt);
    info_ = g.reference->shards();
  }
  Napi::Value Result(Napi::Env env) override {
    Napi::Array a = Napi::Array::New(env, info_.size());
    for (size_t i = 0; i < info_.size(); ++i) {
      Napi::Object o = Napi::Object::New(env);
      o.Set("firstLayer", static_cast<double>(info_[i].firstLayer));
      o.Set("endLayer", static_cast<double>(info_[i].endLayer));
      o.Set("parameters", static_cast<double>(info_[i].parameters));
      o.Set("embedding", info_[i].embedding);
      o.Set("head", info_[i].head);
      o.Set("device", info_[i].device.str());
      a.Set(static_cast<uint32_t>(i), o);
    }
    return a;
  }

 private:
  StatePtr state_;
  int64_t shards_;
  std::vector<std::string> devices_;
  std::string dtype_;
  std::vector<ReferenceShardInfo> info_;
};

class ReferenceLogprobsWorker : public PromiseWorker {
 public:
  ReferenceLogprobsWorker(Napi::Env env, Napi::Object owner, StatePtr state, std::vector<std::vector<int64_t>> seqs)
      : PromiseWorker(env, owner), state_(std::move(state)), seqs_(std::move(seqs)) {}

 protected:
  void Run() override {
    std::lock_guard<std::mutex> lock(state_->mu);
    GrpoState& g = grpoState(*state_);
    check(g.reference != nullptr, code::kInvalidArgument, "no reference model: call createReference first");
    for (const auto& s : seqs_) {
      checkTokens(state_->model->config(), s);
      check(s.size() >= 2, code::kInvalidArgument, "every sequence needs at least 2 tokens");
    }
    at::Tensor lp = g.reference->logprobs(padIds(seqs_)).contiguous();  // [B, T-1] f32 CPU
    for (size_t k = 0; k < seqs_.size(); ++k) {
      const float* row = lp[static_cast<int64_t>(k)].data_ptr<float>();
      out_.emplace_back(row, row + seqs_[k].size() - 1);
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

Napi::Value startCreateReference(const Napi::CallbackInfo& info, StatePtr state) {
  Napi::Env env = info.Env();
  Napi::Object opts = info.Length() > 0 && info[0].IsObject() ? info[0].As<Napi::Object>() : Napi::Object::New(env);
  int64_t shards = static_cast<int64_t>(optNumber(opts, "shards", 1));
  if (shards < 1) throwInvalid(env, "shards must be >= 1");
  std::vector<std::string> devices;
  if (opts.Has("devices") && opts.Get("devices").IsArray()) {
    Napi::Array d = opts.Get("devices").As<Napi::Array>();
    for (uint32_t i = 0; i < d.Length(); ++i) devices.push_back(d.Get(i).ToString().Utf8Value());
  }
  auto* w = new CreateReferenceWorker(env, info.This().As<Napi::Object>(), std::move(state), shards, std::move(devices),
                                      optString(opts, "dtype", "model"));
  Napi::Promise p = w->promise();
  w->Queue();
  return p;
}

Napi::Value startReferenceLogprobs(const Napi::CallbackInfo& info, StatePtr state) {
  Napi::Env env = info.Env();
  if (info.Length() < 1) throwInvalid(env, "referenceLogprobs(sequences) needs sequences");
  auto* w = new ReferenceLogprobsWorker(env, info.This().As<Napi::Object>(), std::move(state),
                                        toIdLists(env, info[0], "sequences"));
  Napi::Promise p = w->promise();
  w->Queue();
  return p;
}

}  // namespace datarus::binding
