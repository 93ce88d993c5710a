// group_handle.cc — GroupHandle methods; decode/append run on workers.
#include "group_handle.h"

#include <mutex>

#include "worker.h"

namespace datarus::binding {

namespace {
Napi::FunctionReference* groupCtor = nullptr;
}

Napi::Function GroupHandle::Define(Napi::Env env) {
  Napi::Function ctor = DefineClass(env, "Group",
                                    {
                                        InstanceMethod("decode", &GroupHandle::Decode),
                                        InstanceMethod("append", &GroupHandle::Append),
                                        InstanceMethod("samples", &GroupHandle::Samples),
                                        InstanceMethod("stats", &GroupHandle::Stats),
                                        InstanceMethod("close", &GroupHandle::Close),
                                    });
  groupCtor = new Napi::FunctionReference(Napi::Persistent(ctor));
  return ctor;
}

Napi::Object GroupHandle::Wrap(Napi::Env env, GroupPtr state) {
  auto* holder = new GroupPtr(std::move(state));
  auto ext = Napi::External<GroupPtr>::New(env, holder, [](Napi::Env, GroupPtr* p) { delete p; });
  return groupCtor->New({ext});
}

GroupHandle::GroupHandle(const Napi::CallbackInfo& info) : Napi::ObjectWrap<GroupHandle>(info) {
  if (info.Length() != 1 || !info[0].IsExternal()) throwInvalid(info.Env(), "groups are created by model.openGroup()");
  state_ = *info[0].As<Napi::External<GroupPtr>>().Data();
}

GroupPtr GroupHandle::live(Napi::Env env) const {
  if (!state_) throw codedError(env, "E_DISPOSED", "group was closed");
  return state_;
}

Napi::Value GroupHandle::Decode(const Napi::CallbackInfo& info) { return startGroupDecode(info, live(info.Env())); }
Napi::Value GroupHandle::Append(const Napi::CallbackInfo& info) { return startGroupAppend(info, live(info.Env())); }

Napi::Value GroupHandle::Samples(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  GroupPtr g = live(env);
  std::lock_guard<std::mutex> lock(g->model->mu);
  Napi::Array arr = Napi::Array::New(env, static_cast<size_t>(g->session->size()));
  for (int64_t i = 0; i < g->session->size(); ++i) arr.Set(static_cast<uint32_t>(i), sampleToJs(env, g->session->sample(i)));
  return arr;
}

Napi::Value GroupHandle::Stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  GroupPtr g = live(env);
  std::lock_guard<std::mutex> lock(g->model->mu);
  Napi::Object o = Napi::Object::New(env);
  o.Set("prefillSeconds", g->session->prefillSeconds());
  o.Set("decodeSeconds", g->session->decodeSeconds());
  o.Set("decodedTokens", static_cast<double>(g->session->decodedTokens()));
  o.Set("cacheBytes", static_cast<double>(g->session->cacheBytes()));
  o.Set("promptTokens", static_cast<double>(g->session->prompt().size()));
  return o;
}

Napi::Value GroupHandle::Close(const Napi::CallbackInfo& info) {
  state_.reset();  // memory goes when the last worker using it finishes
  return info.Env().Undefined();
}

}  // namespace datarus::binding
