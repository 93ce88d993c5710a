// group_handle.h — the JS Group object: a resumable group-generation session.
//
//   const g = await model.openGroup(prompt, G, options);   // prefills once
//   await g.decode();                 // all samples until they stop
//   await g.append(i, observation);   // tokens the model did not write
//   await g.decode([i]);              // continue sample i after them
//   g.samples(); g.close();
#pragma once

#include <napi.h>

#include <memory>

#include "group.h"
#include "group_convert.h"
#include "model_state.h"

namespace datarus::binding {

struct GroupState {
  StatePtr model;  // keeps the model alive while the session exists
  GroupArgs args;  // storage the session's options point into
  std::unique_ptr<GroupSession> session;
};

using GroupPtr = std::shared_ptr<GroupState>;

class GroupHandle : public Napi::ObjectWrap<GroupHandle> {
 public:
  static Napi::Function Define(Napi::Env env);
  static Napi::Object Wrap(Napi::Env env, GroupPtr state);
  explicit GroupHandle(const Napi::CallbackInfo& info);

 private:
  GroupPtr live(Napi::Env env) const;
  Napi::Value Decode(const Napi::CallbackInfo& info);
  Napi::Value Append(const Napi::CallbackInfo& info);
  Napi::Value Samples(const Napi::CallbackInfo& info);
  Napi::Value Stats(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  GroupPtr state_;
};

// Workers (group_open_worker.cc, group_decode_worker.cc, group_append_worker.cc).
Napi::Value startOpenGroup(const Napi::CallbackInfo& info, StatePtr state);
Napi::Value startGroupDecode(const Napi::CallbackInfo& info, GroupPtr group);
Napi::Value startGroupAppend(const Napi::CallbackInfo& info, GroupPtr group);

}  // namespace datarus::binding
