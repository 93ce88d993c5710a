// model_handle.cc — ModelHandle methods; long work is delegated to workers.
#include "model_handle.h"

#include <cstring>

#include "error.h"
#include "group_handle.h"
#include "runtime.h"
#include "worker.h"
#include "workers.h"

namespace datarus::binding {

namespace {
struct AddonData {
  Napi::FunctionReference modelCtor;
};
}  // namespace

Napi::Function ModelHandle::Define(Napi::Env env) {
  Napi::Function ctor = DefineClass(env, "Model",
                                    {
                                        InstanceMethod("info", &ModelHandle::Info),
                                        InstanceMethod("generate", &ModelHandle::Generate),
                                        InstanceMethod("generateGroup", &ModelHandle::GenerateGroup),
                                        InstanceMethod("openGroup", &ModelHandle::OpenGroup),
                                        InstanceMethod("setTokenBytes", &ModelHandle::SetTokenBytes),
                                        InstanceMethod("logprobs", &ModelHandle::Logprobs),
                                        InstanceMethod("logits", &ModelHandle::Logits),
                                        InstanceMethod("backward", &ModelHandle::Backward),
                                        InstanceMethod("step", &ModelHandle::Step),
                                        InstanceMethod("zeroGrad", &ModelHandle::ZeroGrad),
                                        InstanceMethod("save", &ModelHandle::Save),
                                        InstanceMethod("matmulGflops", &ModelHandle::MatmulGflops),
                                        InstanceMethod("parameterNames", &ModelHandle::ParameterNames),
                                        InstanceMethod("parameter", &ModelHandle::Parameter),
                                        InstanceMethod("setParameter", &ModelHandle::SetParameter),
                                        InstanceMethod("grpoStep", &ModelHandle::GrpoStep),
                                        InstanceMethod("grpoBackward", &ModelHandle::GrpoBackward),
                                        InstanceMethod("createReference", &ModelHandle::CreateReference),
                                        InstanceMethod("referenceLogprobs", &ModelHandle::ReferenceLogprobs),
                                        InstanceMethod("saveCheckpoint", &ModelHandle::SaveCheckpoint),
                                        InstanceMethod("loadCheckpoint", &ModelHandle::LoadCheckpoint),
                                        InstanceMethod("initDistributed", &ModelHandle::InitDistributed),
                                        InstanceMethod("dispose", &ModelHandle::Dispose),
                                    });
  auto* data = new AddonData{Napi::Persistent(ctor)};
  env.SetInstanceData<AddonData>(data);
  return ctor;
}

Napi::Object wrapModel(Napi::Env env, StatePtr state) {
  auto* holder = new StatePtr(std::move(state));
  Napi::External<StatePtr> ext = Napi::External<StatePtr>::New(env, holder, [](Napi::Env, StatePtr* p) { delete p; });
  return env.GetInstanceData<AddonData>()->modelCtor.New({ext});
}

ModelHandle::ModelHandle(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ModelHandle>(info) {
  if (info.Length() != 1 || !info[0].IsExternal())
    throwInvalid(info.Env(), "Model handles are created by load(), not by new");
  state_ = *info[0].As<Napi::External<StatePtr>>().Data();
}

StatePtr ModelHandle::live(Napi::Env env) const {
  if (!state_) throw codedError(env, "E_DISPOSED", "model was disposed");
  return state_;
}

Napi::Value ModelHandle::Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  StatePtr s = live(env);
  const ModelConfig& c = s->model->config();
  Napi::Object o = Napi::Object::New(env);
  o.Set("modelType", c.modelType);
  o.Set("vocabSize", static_cast<double>(c.vocabSize));
  o.Set("hiddenSize", static_cast<double>(c.hiddenSize));
  o.Set("intermediateSize", static_cast<double>(c.intermediateSize));
  o.Set("numLayers", static_cast<double>(c.numLayers));
  o.Set("numHeads", static_cast<double>(c.numHeads));
  o.Set("numKvHeads", static_cast<double>(c.numKvHeads));
  o.Set("headDim", static_cast<double>(c.headDim));
  o.Set("maxPositions", static_cast<double>(c.maxPositions));
  o.Set("ropeTheta", c.ropeTheta);
  o.Set("rmsNormEps", c.rmsNormEps);
  o.Set("attentionBias", c.attentionBias);
  o.Set("tieEmbeddings", c.tieEmbeddings);
  o.Set("bosTokenId", static_cast<double>(c.bosTokenId));
  o.Set("eosTokenId", static_cast<double>(c.eosTokenId));
  o.Set("parameterCount", static_cast<double>(c.parameterCount()));
  o.Set("format", s->format);
  o.Set("path", s->path);
  o.Set("device", s->model->device().str());
  o.Set("dtype", dtypeName(s->model->dtype()));
  o.Set("optimizerStep", static_cast<double>(s->optimizer ? s->optimizer->step() : 0));
  return o;
}

Napi::Value ModelHandle::Generate(const Napi::CallbackInfo& info) { return startGenerate(info, live(info.Env())); }
Napi::Value ModelHandle::GenerateGroup(const Napi::CallbackInfo& info) {
  return startGenerateGroup(info, live(info.Env()));
}
Napi::Value ModelHandle::OpenGroup(const Napi::CallbackInfo& info) { return startOpenGroup(info, live(info.Env())); }

// setTokenBytes(Uint8Array[]): the bytes of every token id, for stop strings.
Napi::Value ModelHandle::SetTokenBytes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  StatePtr s = live(env);
  if (info.Length() < 1 || !info[0].IsArray()) throwInvalid(env, "setTokenBytes(Uint8Array[])");
  Napi::Array arr = info[0].As<Napi::Array>();
  auto bytes = std::make_shared<std::vector<std::string>>();
  for (uint32_t i = 0; i < arr.Length(); ++i) {
    Napi::Value v = arr.Get(i);
    if (!v.IsTypedArray()) throwInvalid(env, "setTokenBytes: entries must be Uint8Array");
    auto u = v.As<Napi::Uint8Array>();
    bytes->emplace_back(reinterpret_cast<const char*>(u.Data()), u.ElementLength());
  }
  std::lock_guard<std::mutex> lock(s->mu);
  s->tokenBytes = std::move(bytes);
  return env.Undefined();
}

Napi::Value ModelHandle::Logprobs(const Napi::CallbackInfo& info) { return startLogprobs(info, live(info.Env())); }
Napi::Value ModelHandle::Logits(const Napi::CallbackInfo& info) { return startLogits(info, live(info.Env())); }
Napi::Value ModelHandle::MatmulGflops(const Napi::CallbackInfo& info) { return startMatmulRate(info, live(info.Env())); }
Napi::Value ModelHandle::Backward(const Napi::CallbackInfo& info) { return startBackward(info, live(info.Env())); }
Napi::Value ModelHandle::Step(const Napi::CallbackInfo& info) { return startStep(info, live(info.Env())); }
Napi::Value ModelHandle::Save(const Napi::CallbackInfo& info) { return startSave(info, live(info.Env())); }

Napi::Value ModelHandle::GrpoStep(const Napi::CallbackInfo& info) { return startGrpoStep(info, live(info.Env())); }
Napi::Value ModelHandle::GrpoBackward(const Napi::CallbackInfo& info) { return startGrpoBackward(info, live(info.Env())); }
Napi::Value ModelHandle::CreateReference(const Napi::CallbackInfo& info) { return startCreateReference(info, live(info.Env())); }
Napi::Value ModelHandle::ReferenceLogprobs(const Napi::CallbackInfo& info) { return startReferenceLogprobs(info, live(info.Env())); }
Napi::Value ModelHandle::SaveCheckpoint(const Napi::CallbackInfo& info) { return startSaveCheckpoint(info, live(info.Env())); }
Napi::Value ModelHandle::LoadCheckpoint(const Napi::CallbackInfo& info) { return startLoadCheckpoint(info, live(info.Env())); }
Napi::Value ModelHandle::InitDistributed(const Napi::CallbackInfo& info) { return startInitDistributed(info, live(info.Env())); }

Napi::Value ModelHandle::ZeroGrad(const Napi::CallbackInfo& info) {
  StatePtr s = live(info.Env());
  std::lock_guard<std::mutex> lock(s->mu);
  zeroGrad(s->model->parameters());
  return info.Env().Undefined();
}

Napi::Value ModelHandle::ParameterNames(const Napi::CallbackInfo& info) {
  StatePtr s = live(info.Env());
  std::lock_guard<std::mutex> lock(s->mu);
  Napi::Array out = Napi::Array::New(info.Env());
  uint32_t i = 0;
  for (const auto& [name, t] : s->model->parameters()) out.Set(i++, name);
  return out;
}

// parameter(name, "value" | "grad"[, into]) → {shape, data: Float32Array} or null (no
// grad yet). With `into` (a Float32Array of the parameter's element count) the values
// are copied there and it is the returned data, so that a caller can refresh a copy
// it holds without allocating another.
Napi::Value ModelHandle::Parameter(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  StatePtr s = live(env);
  if (info.Length() < 1 || !info[0].IsString()) throwInvalid(env, "parameter(name) needs a name");
  std::string name = info[0].As<Napi::String>().Utf8Value();
  bool grad = info.Length() > 1 && info[1].IsString() && info[1].As<Napi::String>().Utf8Value() == "grad";
  std::lock_guard<std::mutex> lock(s->mu);
  auto it = s->model->parameters().find(name);
  if (it == s->model->parameters().end()) throwInvalid(env, "no parameter named '" + name + "'");
  at::Tensor t = grad ? it->second.grad() : it->second;
  if (!t.defined()) return env.Null();
  t = t.detach().to(at::kCPU, at::kFloat).contiguous();
  Napi::Object o = Napi::Object::New(env);
  Napi::Array shape = Napi::Array::New(env);
  for (int64_t d = 0; d < t.dim(); ++d) shape.Set(static_cast<uint32_t>(d), static_cast<double>(t.size(d)));
  o.Set("shape", shape);
  Napi::Float32Array data;
  if (info.Length() > 2 && !info[2].IsUndefined()) {
    if (!info[2].IsTypedArray() || info[2].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array ||
        info[2].As<Napi::Float32Array>().ElementLength() != static_cast<size_t>(t.numel()))
      throwInvalid(env, "parameter '" + name + "': into must be a Float32Array of " + std::to_string(t.numel()) +
                            " values");
    data = info[2].As<Napi::Float32Array>();
  } else {
    data = Napi::Float32Array::New(env, static_cast<size_t>(t.numel()));
  }
  std::memcpy(data.Data(), t.data_ptr<float>(), static_cast<size_t>(t.numel()) * sizeof(float));
  o.Set("data", data);
  return o;
}

// setParameter(name, Float32Array) overwrites a parameter's value in place (converted
// to the model's dtype and device). Every view of it (a tied head, the layers) sees
// the new value. The element count must match.
Napi::Value ModelHandle::SetParameter(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  StatePtr s = live(env);
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsTypedArray() ||
      info[1].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    throwInvalid(env, "setParameter(name, data) needs a name and a Float32Array");
  }
  std::string name = info[0].As<Napi::String>().Utf8Value();
  auto data = info[1].As<Napi::Float32Array>();
  std::lock_guard<std::mutex> lock(s->mu);
  auto it = s->model->parameters().find(name);
  if (it == s->model->parameters().end()) throwInvalid(env, "no parameter named '" + name + "'");
  at::Tensor dst = it->second;
  if (static_cast<int64_t>(data.ElementLength()) != dst.numel()) {
    throwInvalid(env, "parameter '" + name + "' has " + std::to_string(dst.numel()) + " elements, got " +
                          std::to_string(data.ElementLength()));
  }
  at::NoGradGuard noGrad;
  at::Tensor src = at::from_blob(data.Data(), dst.sizes(), at::kFloat);
  dst.detach().copy_(src);
  return env.Undefined();
}

Napi::Value ModelHandle::Dispose(const Napi::CallbackInfo& info) {
  state_.reset();
  return info.Env().Undefined();
}

}  // namespace datarus::binding
