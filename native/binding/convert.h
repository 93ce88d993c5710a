// convert.h — copying JS arguments into C++ values on the JS thread.
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

#include "optim.h"

namespace datarus::binding {

// Int32Array or number[] → token ids.
std::vector<int64_t> toIds(Napi::Env env, const Napi::Value& v, const char* what);
// Float32Array or number[] → floats.
std::vector<float> toFloats(Napi::Env env, const Napi::Value& v, const char* what);
// An array of id sequences.
std::vector<std::vector<int64_t>> toIdLists(Napi::Env env, const Napi::Value& v, const char* what);

// Optional fields of an options object (absent or undefined → fallback).
double optNumber(const Napi::Object& o, const char* key, double fallback);
std::string optString(const Napi::Object& o, const char* key, const std::string& fallback);
bool optBool(const Napi::Object& o, const char* key, bool fallback);

// AdamW options (lr, beta1, beta2, eps, weightDecay, maxGradNorm, warmupSteps,
// totalSteps, minLrRatio); absent fields keep AdamWOptions' defaults.
AdamWOptions parseAdamW(const Napi::Object& o);

Napi::Int32Array fromIds(Napi::Env env, const std::vector<int64_t>& ids);
Napi::Float32Array fromFloats(Napi::Env env, const float* data, size_t n);
// One Float32Array per list.
Napi::Array fromFloatLists(Napi::Env env, const std::vector<std::vector<float>>& lists);

}  // namespace datarus::binding
