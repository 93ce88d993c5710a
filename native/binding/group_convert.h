// group_convert.h — GroupOptions from a JS options object, samples to JS values.
#pragma once

#include <napi.h>

#include "cancel_flag.h"
#include "group.h"
#include "model_state.h"

namespace datarus::binding {

// Everything a group worker owns: options plus the storage they point into.
struct GroupArgs {
  GroupOptions options;
  Flag cancel;
  std::shared_ptr<const std::vector<std::string>> tokenBytes;
};

// Reads maxNewTokens, temperature, topP, topK, seed, seeds, microBatch, stopIds,
// stopStrings and cancel. Stop strings need state->tokenBytes (set by the engine).
GroupArgs parseGroupOptions(Napi::Env env, const Napi::Value& v, const StatePtr& state);

Napi::Object sampleToJs(Napi::Env env, const GroupSample& s);

}  // namespace datarus::binding
