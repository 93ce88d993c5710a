// token_backward.h — chunked forward/backward for losses of per-token log-probs
// and per-token entropies.
//
// The same two-phase scheme as logprobs.h's lossBackward (never more than one
// [B, chunk, V] logits block alive), extended with the entropy H_t = −Σ_v p log p
// of each position's next-token distribution: phase 1 computes logp and H without a
// graph, the loss is differentiated on those small [B, T] leaves, phase 2 recomputes
// each chunk's logits and pushes (dL/dlogp, dL/dH) back in closed form (headBackward,
// logprobs.h). When the loss ignores H (entropyCoef = 0) phase 2 needs one [B, chunk, V]
// buffer, so the cost is that of lossBackward.
#pragma once

#include <ATen/ATen.h>

#include <functional>

#include "logprobs.h"
#include "model.h"

namespace datarus {

// logp, entropy: [B, T-1] f32 leaves → scalar loss [].
using TokenLoss = std::function<at::Tensor(const at::Tensor& logp, const at::Tensor& entropy)>;

struct TokenBackwardResult {
  double loss = 0;
  at::Tensor logp;     // [B, T-1] f32, detached
  at::Tensor entropy;  // [B, T-1] f32, detached
};

// ids: [B, T] int64 on any device. Gradients accumulate into the model's parameters
// (which must require grad). `entropyGrad` says whether the loss depends on entropy.
// `checkpointLayers` runs the decoder stack with activation checkpointing
// (checkpointed_forward.h): the same values, less memory, more compute.
TokenBackwardResult tokenLossBackward(Model& model, const at::Tensor& ids, const TokenLoss& loss, bool entropyGrad,
                                      int64_t logitTokens = kLogitTokens, bool checkpointLayers = false);

}  // namespace datarus
