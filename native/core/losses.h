// losses.h — simple per-token losses over log-probs for supervised training.
#pragma once

#include "logprobs.h"

namespace datarus {

// Weighted negative log-likelihood: −Σ w·logp / max(Σ w, 1e-8).
// weights: [B, T-1] fp32 on the model device, 0 on prompt and padding positions.
inline LogprobLoss weightedNll(at::Tensor weights) {
  return [weights = std::move(weights)](const at::Tensor& logp) {
    return -(logp * weights).sum() / weights.sum().clamp_min(1e-8);
  };
}

}  // namespace datarus
