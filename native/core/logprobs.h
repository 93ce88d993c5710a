// logprobs.h — per-token log-probabilities without materialising [B, T, V] logits.
//
// The output projection and log-softmax run over chunks of positions, so peak
// memory holds [B, chunk, V] logits at most. The training path uses the same
// chunking twice: once without grad to get the log-probs the loss needs, once per
// chunk with grad to push dLoss/dlogp back into the hidden states and lm_head.
#pragma once

#include <ATen/ATen.h>

#include <functional>

#include "model.h"

namespace datarus {

// Positions per chunk are chosen so that B * chunk <= kLogitTokens.
inline constexpr int64_t kLogitTokens = 1024;

// hidden: [B, T, H]; targets: [B, T] int64 → log p(targets) [B, T] fp32 (no grad).
at::Tensor chunkedLogprobs(const Model& model, const at::Tensor& hidden, const at::Tensor& targets,
                           int64_t logitTokens = kLogitTokens);

// ids: [B, T] int64 (right-padded) → log p(ids[:, t+1] | ids[:, :t+1]) as [B, T-1] fp32.
at::Tensor sequenceLogprobs(const Model& model, const at::Tensor& ids, int64_t logitTokens = kLogitTokens);

// A scalar loss of the per-token log-probs: logp [B, T-1] fp32 (a leaf) → loss [].
using LogprobLoss = std::function<at::Tensor(const at::Tensor& logp)>;

struct BackwardResult {
  double loss;
  at::Tensor logp;  // [B, T-1] fp32, detached
};

// Forward, loss and backward for ids [B, T]; gradients accumulate into the model's
// parameters (which must require grad). Never holds more than one logits chunk.
BackwardResult lossBackward(Model& model, const at::Tensor& ids, const LogprobLoss& loss,
                            int64_t logitTokens = kLogitTokens);

}  // namespace datarus
