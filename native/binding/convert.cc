// convert.cc — argument conversion with E_INVALID_ARGUMENT on a wrong type.
#include "convert.h"

#include <cmath>
#include <cstring>

#include "worker.h"

namespace datarus::binding {

std::vector<int64_t> toIds(Napi::Env env, const Napi::Value& v, const char* what) {
  std::vector<int64_t> out;
  if (v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == napi_int32_array) {
    auto a = v.As<Napi::Int32Array>();
    out.assign(a.Data(), a.Data() + a.ElementLength());
    return out;
  }
  if (!v.IsArray()) throwInvalid(env, std::string(what) + " must be an Int32Array or an array of integers");
  auto a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); ++i) {
    Napi::Value x = a.Get(i);
    double d = x.IsNumber() ? x.As<Napi::Number>().DoubleValue() : NAN;
    if (!std::isfinite(d) || std::floor(d) != d) throwInvalid(env, std::string(what) + " holds a non-integer");
    out.push_back(static_cast<int64_t>(d));
  }
  return out;
}

std::vector<float> toFloats(Napi::Env env, const Napi::Value& v, const char* what) {
  std::vector<float> out;
  if (v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == napi_float32_array) {
    auto a = v.As<Napi::Float32Array>();
    out.assign(a.Data(), a.Data() + a.ElementLength());
    return out;
  }
  if (!v.IsArray()) throwInvalid(env, std::string(what) + " must be a Float32Array or an array of numbers");
  auto a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); ++i) {
    Napi::Value x = a.Get(i);
    if (!x.IsNumber()) throwInvalid(env, std::string(what) + " holds a non-number");
    out.push_back(x.As<Napi::Number>().FloatValue());
  }
  return out;
}

std::vector<std::vector<int64_t>> toIdLists(Napi::Env env, const Napi::Value& v, const char* what) {
  if (!v.IsArray()) throwInvalid(env, std::string(what) + " must be an array of token sequences");
  auto a = v.As<Napi::Array>();
  std::vector<std::vector<int64_t>> out;
  for (uint32_t i = 0; i < a.Length(); ++i) out.push_back(toIds(env, a.Get(i), what));
  return out;
}

namespace {

// An optional field of an options object: absent, undefined or null → an empty value;
// a value that `is` rejects → E_INVALID_ARGUMENT naming the field and `kind`.
template <class Is>
Napi::Value optField(const Napi::Object& o, const char* key, Is is, const char* kind) {
  if (!o.Has(key)) return Napi::Value();
  Napi::Value v = o.Get(key);
  if (v.IsUndefined() || v.IsNull()) return Napi::Value();
  if (!is(v)) throwInvalid(o.Env(), std::string("option '") + key + "' must be " + kind);
  return v;
}

}  // namespace

double optNumber(const Napi::Object& o, const char* key, double fallback) {
  Napi::Value v = optField(o, key, [](const Napi::Value& x) { return x.IsNumber(); }, "a number");
  return v.IsEmpty() ? fallback : v.As<Napi::Number>().DoubleValue();
}

bool optBool(const Napi::Object& o, const char* key, bool fallback) {
  Napi::Value v = optField(o, key, [](const Napi::Value& x) { return x.IsBoolean(); }, "a boolean");
  return v.IsEmpty() ? fallback : v.As<Napi::Boolean>().Value();
}

std::string optString(const Napi::Object& o, const char* key, const std::string& fallback) {
  Napi::Value v = optField(o, key, [](const Napi::Value& x) { return x.IsString(); }, "a string");
  return v.IsEmpty() ? fallback : v.As<Napi::String>().Utf8Value();
}

AdamWOptions parseAdamW(const Napi::Object& opts) {
  AdamWOptions o;
  o.lr = optNumber(opts, "lr", o.lr);
  o.beta1 = optNumber(opts, "beta1", o.beta1);
  o.beta2 = optNumber(opts, "beta2", o.beta2);
  o.eps = optNumber(opts, "eps", o.eps);
  o.weightDecay = optNumber(opts, "weightDecay", o.weightDecay);
  o.maxGradNorm = optNumber(opts, "maxGradNorm", o.maxGradNorm);
  o.warmupSteps = static_cast<int64_t>(optNumber(opts, "warmupSteps", 0));
  o.totalSteps = static_cast<int64_t>(optNumber(opts, "totalSteps", 0));
  o.minLrRatio = optNumber(opts, "minLrRatio", 0);
  return o;
}

Napi::Int32Array fromIds(Napi::Env env, const std::vector<int64_t>& ids) {
  auto a = Napi::Int32Array::New(env, ids.size());
  for (size_t i = 0; i < ids.size(); ++i) a[i] = static_cast<int32_t>(ids[i]);
  return a;
}

Napi::Float32Array fromFloats(Napi::Env env, const float* data, size_t n) {
  auto a = Napi::Float32Array::New(env, n);
  if (n) std::memcpy(a.Data(), data, n * sizeof(float));
  return a;
}

Napi::Array fromFloatLists(Napi::Env env, const std::vector<std::vector<float>>& lists) {
  Napi::Array a = Napi::Array::New(env, lists.size());
  for (size_t k = 0; k < lists.size(); ++k) a.Set(static_cast<uint32_t>(k), fromFloats(env, lists[k].data(), lists[k].size()));
  return a;
}

}  // namespace datarus::binding
