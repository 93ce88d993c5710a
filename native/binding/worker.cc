// worker.cc — exception capture and Promise settlement for PromiseWorker.
#include "worker.h"

#include <c10/util/Exception.h>

#include "error.h"
#include "runtime.h"

namespace datarus::binding {

PromiseWorker::PromiseWorker(Napi::Env env, Napi::Object owner)
    : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)) {
  if (!owner.IsEmpty()) owner_ = Napi::Persistent(owner);
}

void PromiseWorker::Execute() {
  try {
    Run();
  } catch (const datarus::Error& e) {
    code_ = e.code();
    SetError(e.what());
  } catch (const c10::Error& e) {
    code_ = code::kInternal;
    SetError(std::string("libtorch: ") + e.what_without_backtrace());
  } catch (const std::bad_alloc&) {
    code_ = code::kInternal;
    SetError("out of memory");
  } catch (const std::exception& e) {
    code_ = code::kInternal;
    SetError(e.what());
  } catch (...) {
    code_ = code::kInternal;
    SetError("unknown native exception");
  }
  releaseFreedMemory();  // this thread's freed tensors (a failed call's too) go back to the system, not to its idle arena
}

void PromiseWorker::OnOK() {
  Napi::Env env = Env();
  try {
    deferred_.Resolve(Result(env));
  } catch (const Napi::Error& e) {
    deferred_.Reject(e.Value());
  } catch (const std::exception& e) {
    deferred_.Reject(codedError(env, code::kInternal, e.what()).Value());
  }
}

void PromiseWorker::OnError(const Napi::Error& error) {
  deferred_.Reject(codedError(Env(), code_.empty() ? code::kInternal : code_, error.Message()).Value());
}

Napi::Error codedError(Napi::Env env, const std::string& code, const std::string& message) {
  Napi::Error e = Napi::Error::New(env, message);
  e.Set("code", Napi::String::New(env, code));
  return e;
}

void throwInvalid(Napi::Env env, const std::string& message) {
  throw codedError(env, code::kInvalidArgument, message);
}

}  // namespace datarus::binding
