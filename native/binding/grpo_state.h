// grpo_state.h — the learner-side native state a Model handle may carry: the frozen
// sharded reference and the data-parallel process group. Created on demand by
// createReference() / initDistributed(); guarded by ModelState::mu like the rest.
#pragma once

#include <memory>

#include "grpo/communicator.h"
#include "grpo/reference_model.h"
#include "model_state.h"

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

// sequences (ragged) → ids [B, T] int64 right-padded with 0.
at::Tensor padIds(const std::vector<std::vector<int64_t>>& seqs);
// ragged rows of length len(seq) − 1 → [B, T-1] f32 padded with `fill`.
at::Tensor padRows(const std::vector<std::vector<float>>& rows, int64_t width, float fill);

}  // namespace datarus::binding
