// group_append_worker.cc — group.append(index, tokens) → Promise<void>: feeds tokens
// the model did not write (policy mask 0) into one sample's cache.
#include <mutex>

#include "convert.h"
#include "group_handle.h"
#include "worker.h"

namespace datarus::binding {

namespace {

class GroupAppendWorker : public PromiseWorker {
 public:
  GroupAppendWorker(Napi::Env env, Napi::Object owner, GroupPtr group, int64_t index, std::vector<int64_t> tokens)
      : PromiseWorker(env, owner), group_(std::move(group)), index_(index), tokens_(std::move(tokens)) {}

 protected:
  void Run() override {
    std::lock_guard<std::mutex> lock(group_->model->mu);
    group_->session->append(index_, tokens_);
  }
  Napi::Value Result(Napi::Env env) override { return env.Undefined(); }

 private:
  GroupPtr group_;
  int64_t index_;
  std::vector<int64_t> tokens_;
};

}  // namespace

Napi::Value startGroupAppend(const Napi::CallbackInfo& info, GroupPtr group) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsNumber()) throwInvalid(env, "append(index, tokens)");
  auto* w = new GroupAppendWorker(env, info.This().As<Napi::Object>(), std::move(group),
                                  info[0].As<Napi::Number>().Int64Value(), toIds(env, info[1], "tokens"));
  Napi::Promise p = w->promise();
  w->Queue();
  return p;
}

}  // namespace datarus::binding
