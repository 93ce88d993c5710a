// cancel_flag.h — a JS-visible cancellation flag. TypeScript wires an AbortSignal
// to cancel(); workers copy the shared flag and stop at their next check point,
// rejecting with E_ABORTED and freeing what they held.
#pragma once

#include <napi.h>

#include <atomic>
#include <memory>

namespace datarus::binding {

using Flag = std::shared_ptr<std::atomic<bool>>;

class CancelFlag : public Napi::ObjectWrap<CancelFlag> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit CancelFlag(const Napi::CallbackInfo& info);
  const Flag& flag() const { return flag_; }
  // The flag of a CancelFlag passed as options.cancel, or a fresh unset one.
  static Flag from(const Napi::Value& v);

 private:
  Napi::Value Cancel(const Napi::CallbackInfo& info);
  Flag flag_ = std::make_shared<std::atomic<bool>>(false);
};

}  // namespace datarus::binding
