// group_decode_worker.cc — group.decode(indices?) → Promise<samples>: continues the
// listed samples (all when omitted) until each stops.
#include <mutex>

#include "convert.h"
#include "group_handle.h"
#include "worker.h"

namespace datarus::binding {

namespace {

class GroupDecodeWorker : public PromiseWorker {
 public:
  GroupDecodeWorker(Napi::Env env, Napi::Object owner, GroupPtr group, std::vector<int64_t> which)
      : PromiseWorker(env, owner), group_(std::move(group)), which_(std::move(which)) {}

 protected:
  void Run() override {
    std::lock_guard<std::mutex> lock(group_->model->mu);
    group_->session->decode(which_);
    for (int64_t i = 0; i < group_->session->size(); ++i) samples_.push_back(group_->session->sample(i));
  }
  Napi::Value Result(Napi::Env env) override {
    Napi::Array arr = Napi::Array::New(env, samples_.size());
    for (size_t i = 0; i < samples_.size(); ++i) arr.Set(static_cast<uint32_t>(i), sampleToJs(env, samples_[i]));
    return arr;
  }

 private:
  GroupPtr group_;
  std::vector<int64_t> which_;
  std::vector<GroupSample> samples_;
};

}  // namespace

Napi::Value startGroupDecode(const Napi::CallbackInfo& info, GroupPtr group) {
  Napi::Env env = info.Env();
  std::vector<int64_t> which;
  if (info.Length() > 0 && !info[0].IsUndefined()) which = toIds(env, info[0], "indices");
  auto* w = new GroupDecodeWorker(env, info.This().As<Napi::Object>(), std::move(group), std::move(which));
  Napi::Promise p = w->promise();
  w->Queue();
  return p;
}

}  // namespace datarus::binding
