// cancel_flag.cc — CancelFlag: new CancelFlag(); flag.cancel().
#include "cancel_flag.h"

namespace datarus::binding {

namespace {
Napi::FunctionReference* ctorRef = nullptr;
}

Napi::Function CancelFlag::Define(Napi::Env env) {
  Napi::Function ctor = DefineClass(env, "CancelFlag", {InstanceMethod("cancel", &CancelFlag::Cancel)});
  ctorRef = new Napi::FunctionReference(Napi::Persistent(ctor));
  return ctor;
}

CancelFlag::CancelFlag(const Napi::CallbackInfo& info) : Napi::ObjectWrap<CancelFlag>(info) {}

Napi::Value CancelFlag::Cancel(const Napi::CallbackInfo& info) {
  flag_->store(true);
  return info.Env().Undefined();
}

Flag CancelFlag::from(const Napi::Value& v) {
  if (ctorRef && v.IsObject() && v.As<Napi::Object>().InstanceOf(ctorRef->Value()))
    return Napi::ObjectWrap<CancelFlag>::Unwrap(v.As<Napi::Object>())->flag();
  return std::make_shared<std::atomic<bool>>(false);
}

}  // namespace datarus::binding
