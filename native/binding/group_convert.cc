// group_convert.cc — option parsing and sample conversion for group workers.
#include "group_convert.h"

#include "convert.h"
#include "worker.h"

namespace datarus::binding {

GroupArgs parseGroupOptions(Napi::Env env, const Napi::Value& v, const StatePtr& state) {
  Napi::Object o = v.IsObject() ? v.As<Napi::Object>() : Napi::Object::New(env);
  GroupArgs a;
  GroupOptions& g = a.options;
  g.maxNewTokens = static_cast<int64_t>(optNumber(o, "maxNewTokens", 256));
  g.temperature = optNumber(o, "temperature", 1.0);
  g.topP = optNumber(o, "topP", 1.0);
  g.topK = static_cast<int64_t>(optNumber(o, "topK", 0));
  g.seed = static_cast<uint64_t>(optNumber(o, "seed", 0));
  g.microBatch = static_cast<int64_t>(optNumber(o, "microBatch", 8));
  if (o.Has("seeds") && !o.Get("seeds").IsUndefined())
    for (int64_t s : toIds(env, o.Get("seeds"), "seeds")) g.seeds.push_back(static_cast<uint64_t>(s));
  if (o.Has("stopIds") && !o.Get("stopIds").IsUndefined()) g.stopIds = toIds(env, o.Get("stopIds"), "stopIds");
  if (o.Has("stopStrings") && o.Get("stopStrings").IsArray()) {
    Napi::Array arr = o.Get("stopStrings").As<Napi::Array>();
    for (uint32_t i = 0; i < arr.Length(); ++i) {
      if (!arr.Get(i).IsString()) throwInvalid(env, "stopStrings must be strings");
      g.stopStrings.push_back(arr.Get(i).As<Napi::String>().Utf8Value());
    }
  }
  a.tokenBytes = state->tokenBytes;
  g.tokenBytes = a.tokenBytes.get();
  a.cancel = CancelFlag::from(o.Has("cancel") ? o.Get("cancel") : env.Undefined());
  g.abort = a.cancel.get();
  return a;
}

Napi::Object sampleToJs(Napi::Env env, const GroupSample& s) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("tokens", fromIds(env, s.tokens));
  o.Set("logprobs", fromFloats(env, s.logprobs.data(), s.logprobs.size()));
  auto mask = Napi::Uint8Array::New(env, s.policy.size());
  for (size_t i = 0; i < s.policy.size(); ++i) mask[i] = s.policy[i];
  o.Set("policyMask", mask);
  o.Set("finishReason", s.finishReason);
  return o;
}

}  // namespace datarus::binding
