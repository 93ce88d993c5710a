// grpo_state.h — the learner-side native state a Model handle may carry: the frozen
// sharded reference and the data-parallel process group. Created on demand by
// createReference() / initDistributed(); guarded by ModelState::mu like the rest.
#pragma once

#include <memory>

#include "grpo/communicator.h"
#include "grpo/reference_model.h"
#include "model_state.h"
#include "padding.h"

namespace datarus::binding {

struct GrpoState {
  std::unique_ptr<ShardedReference> reference;
  std::shared_ptr<Communicator> comm;
};

// The state's GrpoState, created when absent (call with state->mu held).
inline GrpoState& grpoState(ModelState& s) {
  if (!s.grpo) s.grpo = std::make_shared<GrpoState>();
  return *s.grpo;
}

}  // namespace datarus::binding
