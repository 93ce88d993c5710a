// model_handle.h — the JS Model object: synchronous accessors and async operations.
#pragma once

#include <napi.h>

#include "model_state.h"

namespace datarus::binding {

class ModelHandle : public Napi::ObjectWrap<ModelHandle> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit ModelHandle(const Napi::CallbackInfo& info);

 private:
  StatePtr live(Napi::Env env) const;  // throws E_DISPOSED after dispose()

  Napi::Value Info(const Napi::CallbackInfo& info);
  Napi::Value Generate(const Napi::CallbackInfo& info);
  Napi::Value GenerateGroup(const Napi::CallbackInfo& info);
  Napi::Value OpenGroup(const Napi::CallbackInfo& info);
  Napi::Value SetTokenBytes(const Napi::CallbackInfo& info);
  Napi::Value Logprobs(const Napi::CallbackInfo& info);
  Napi::Value Logits(const Napi::CallbackInfo& info);
  Napi::Value MatmulGflops(const Napi::CallbackInfo& info);
  Napi::Value Backward(const Napi::CallbackInfo& info);
  Napi::Value Step(const Napi::CallbackInfo& info);
  Napi::Value ZeroGrad(const Napi::CallbackInfo& info);
  Napi::Value Save(const Napi::CallbackInfo& info);
  Napi::Value ParameterNames(const Napi::CallbackInfo& info);
  Napi::Value Parameter(const Napi::CallbackInfo& info);
  Napi::Value SetParameter(const Napi::CallbackInfo& info);
  Napi::Value GrpoStep(const Napi::CallbackInfo& info);
  Napi::Value GrpoBackward(const Napi::CallbackInfo& info);
  Napi::Value CreateReference(const Napi::CallbackInfo& info);
  Napi::Value ReferenceLogprobs(const Napi::CallbackInfo& info);
  Napi::Value SaveCheckpoint(const Napi::CallbackInfo& info);
  Napi::Value LoadCheckpoint(const Napi::CallbackInfo& info);
  Napi::Value InitDistributed(const Napi::CallbackInfo& info);
  Napi::Value Dispose(const Napi::CallbackInfo& info);

  StatePtr state_;
};

}  // namespace datarus::binding
