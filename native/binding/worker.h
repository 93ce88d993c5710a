// worker.h — the base of every asynchronous native operation.
//
// Arguments are copied into plain C++ members on the JS thread (the subclass
// constructor); Run() executes on a libuv worker thread and touches only C++;
// Result() builds the JS value on the JS thread. Every exception becomes a
// rejected Promise whose Error carries a stable `code`; nothing aborts.
#pragma once

#include <napi.h>

#include <string>

namespace datarus::binding {

class PromiseWorker : public Napi::AsyncWorker {
 public:
  // `owner` (the JS object whose native state is used) stays alive until settled.
  PromiseWorker(Napi::Env env, Napi::Object owner);
  Napi::Promise promise() { return deferred_.Promise(); }

 protected:
  virtual void Run() = 0;                           // worker thread
  virtual Napi::Value Result(Napi::Env env) = 0;    // JS thread

 private:
  void Execute() final;
  void OnOK() final;
  void OnError(const Napi::Error& error) final;

  Napi::Promise::Deferred deferred_;
  Napi::ObjectReference owner_;
  std::string code_;
};

// A JS Error with `code` set.
Napi::Error codedError(Napi::Env env, const std::string& code, const std::string& message);
// Throws E_INVALID_ARGUMENT into JS (as a C++ exception caught by node-addon-api).
[[noreturn]] void throwInvalid(Napi::Env env, const std::string& message);

}  // namespace datarus::binding
