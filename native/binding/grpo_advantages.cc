// grpo_advantages.cc — groupAdvantages(rewards, groupSize, {scaleRewards, eps}) on the
// JS thread: N rewards (NaN = missing) are tiny, so no worker is needed.
// Returns {advantages: Float32Array, groupMean, groupStd: Float32Array, zeroStdGroups, missing}.
#include "convert.h"
#include "error.h"
#include "group_advantages.h"
#include "worker.h"
#include "workers.h"

namespace datarus::binding {

Napi::Value groupAdvantagesFn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[1].IsNumber()) throwInvalid(env, "groupAdvantages(rewards, groupSize, options)");
  std::vector<float> r = toFloats(env, info[0], "rewards");
  int64_t G = info[1].As<Napi::Number>().Int64Value();
  Napi::Object opts = info.Length() > 2 && info[2].IsObject() ? info[2].As<Napi::Object>() : Napi::Object::New(env);
  GroupAdvantages a;
  try {
    a = groupAdvantages(at::tensor(r, at::kFloat), G, parseRewardScale(optString(opts, "scaleRewards", "group")),
                        optNumber(opts, "eps", 1e-4));
  } catch (const Error& e) {
    throw codedError(env, e.code(), e.what());
  }
  auto f32 = [&](const at::Tensor& t) {
    at::Tensor c = t.to(at::kCPU, at::kFloat).contiguous();
    return fromFloats(env, c.data_ptr<float>(), static_cast<size_t>(c.numel()));
  };
  Napi::Object o = Napi::Object::New(env);
  o.Set("advantages", f32(a.advantages));
  o.Set("groupMean", f32(a.groupMean));
  o.Set("groupStd", f32(a.groupStd));
  o.Set("zeroStdGroups", static_cast<double>(a.zeroStdGroups));
  o.Set("missing", static_cast<double>(a.missing));
  return o;
}

}  // namespace datarus::binding
