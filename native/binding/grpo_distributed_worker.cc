// grpo_distributed_worker.cc — model.initDistributed({rendezvous, rank, worldSize,
// backend, timeoutSeconds}): joins a c10d process group (blocks until every rank has
// joined, so it runs on a worker thread), then broadcasts rank 0's weights so that
// all ranks start identical. Later grpoStep / grpoBackward calls all-reduce gradients.
#include <mutex>

#include "convert.h"
#include "grpo/distributed.h"
#include "grpo_state.h"
#include "worker.h"
#include "workers.h"

namespace datarus::binding {

namespace {

class InitDistributedWorker : public PromiseWorker {
 public:
  InitDistributedWorker(Napi::Env env, Napi::Object owner, StatePtr state, DistributedOptions o)
      : PromiseWorker(env, owner), state_(std::move(state)), o_(std::move(o)) {}

 protected:
  void Run() override {
    std::lock_guard<std::mutex> lock(state_->mu);
    Model& m = *state_->model;
    auto comm = createProcessGroup(o_, m.device().is_cuda());
    at::NoGradGuard g;
    std::vector<at::Tensor> params;
    for (auto& [k, p] : m.parameters()) params.push_back(p.detach());
    comm->broadcast(params);
    grpoState(*state_).comm = std::move(comm);
  }
  Napi::Value Result(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    o.Set("rank", o_.rank);
    o.Set("worldSize", o_.worldSize);
    return o;
  }

 private:
  StatePtr state_;
  DistributedOptions o_;
};

}  // namespace

Napi::Value startInitDistributed(const Napi::CallbackInfo& info, StatePtr state) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) throwInvalid(env, "initDistributed({rendezvous, rank, worldSize})");
  Napi::Object opts = info[0].As<Napi::Object>();
  DistributedOptions o;
  o.rendezvous = optString(opts, "rendezvous", o.rendezvous);
  o.rank = static_cast<int>(optNumber(opts, "rank", 0));
  o.worldSize = static_cast<int>(optNumber(opts, "worldSize", 1));
  o.backend = optString(opts, "backend", "auto");
  o.timeoutSeconds = optNumber(opts, "timeoutSeconds", 300);
  auto* w = new InitDistributedWorker(env, info.This().As<Napi::Object>(), std::move(state), std::move(o));
  Napi::Promise p = w->promise();
  w->Queue();
  return p;
}

}  // namespace datarus::binding
