// group_open_worker.cc — model.openGroup(prompt, groupSize, options) → Promise<Group>:
// validates, then prefills the prompt once.
#include <mutex>

#include "convert.h"
#include "group_handle.h"
#include "worker.h"

namespace datarus::binding {

namespace {

class OpenGroupWorker : public PromiseWorker {
 public:
  OpenGroupWorker(Napi::Env env, Napi::Object owner, GroupPtr group, std::vector<int64_t> prompt, int64_t groupSize)
      : PromiseWorker(env, owner), group_(std::move(group)), prompt_(std::move(prompt)), groupSize_(groupSize) {}

 protected:
  void Run() override {
    std::lock_guard<std::mutex> lock(group_->model->mu);
    group_->session = std::make_unique<GroupSession>(*group_->model->model, prompt_, groupSize_, group_->args.options);
  }
  Napi::Value Result(Napi::Env env) override { return GroupHandle::Wrap(env, std::move(group_)); }

 private:
  GroupPtr group_;
  std::vector<int64_t> prompt_;
  int64_t groupSize_;
};

}  // namespace

Napi::Value startOpenGroup(const Napi::CallbackInfo& info, StatePtr state) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[1].IsNumber()) throwInvalid(env, "openGroup(prompt, groupSize, options)");
  auto group = std::make_shared<GroupState>();
  group->args = parseGroupOptions(env, info.Length() > 2 ? info[2] : env.Undefined(), state);
  group->model = std::move(state);
  auto* w = new OpenGroupWorker(env, info.This().As<Napi::Object>(), std::move(group), toIds(env, info[0], "prompt"),
                                static_cast<int64_t>(info[1].As<Napi::Number>().Int64Value()));
  Napi::Promise p = w->promise();
  w->Queue();
  return p;
}

}  // namespace datarus::binding
