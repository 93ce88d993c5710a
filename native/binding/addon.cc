// addon.cc — module entry: exports load(), the Model class and build information.
#include <ATen/Parallel.h>
#include <napi.h>

#include "cancel_flag.h"
#include "group_handle.h"
#include "model_handle.h"
#include "runtime.h"
#include "workers.h"

namespace datarus::binding {

namespace {

Napi::Value BuildInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("description", buildInfo());
  o.Set("threads", at::get_num_threads());
  o.Set("cuda", at::hasCUDA());
  return o;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  tuneAllocator();
  initThreads();
  exports.Set("Model", ModelHandle::Define(env));
  exports.Set("Group", GroupHandle::Define(env));
  exports.Set("CancelFlag", CancelFlag::Define(env));
  exports.Set("load", Napi::Function::New(env, startLoad, "load"));
  exports.Set("groupAdvantages", Napi::Function::New(env, groupAdvantagesFn, "groupAdvantages"));
  exports.Set("buildInfo", Napi::Function::New(env, BuildInfo, "buildInfo"));
  return exports;
}

}  // namespace

}  // namespace datarus::binding

static Napi::Object InitDatarus(Napi::Env env, Napi::Object exports) { return datarus::binding::Init(env, exports); }

NODE_API_MODULE(datarus_native, InitDatarus)
