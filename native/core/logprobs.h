// logprobs.h — per-token log-probabilities without materialising [B, T, V] logits.
//
// The output projection and log-softmax run over chunks of positions, so peak
// memory holds [B, chunk, V] logits at most. The training path uses the same
// chunking twice: once without grad to get the log-probs the loss needs, once per
// chunk to push dLoss/dlogp back into the hidden states and lm_head (headBackward).
#pragma once

#include <ATen/ATen.h>

#include <functional>
#include <utility>

#include "model.h"

namespace datarus {

// Positions per chunk are chosen so that B * chunk <= kLogitTokens.
inline constexpr int64_t kLogitTokens = 1024;

// logits [..., V] in the accumulation dtype (a scratch block: overwritten), targets
// [...] int64 → log p(targets) [...], and the entropy −Σ p log p [...] into *entropy
// when given (no grad). Works in place: no second block of the logits' size without
// the entropy, one with it (log_softmax, logsumexp and exp(·)·(·) allocate two or three).
at::Tensor logprobsFromLogits(const at::Tensor& logits, const at::Tensor& targets, at::Tensor* entropy = nullptr);

// hidden [B, T, H], lmHead [V, H], targets [B, T] → (logp, entropy) each [B, T] f32, no grad
// (entropy undefined when wantEntropy is false).
std::pair<at::Tensor, at::Tensor> chunkedLogprobsEntropy(const at::Tensor& hidden, const at::Tensor& lmHead,
                                                         const at::Tensor& targets, int64_t logitTokens = kLogitTokens,
                                                         bool wantEntropy = true);

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
// `checkpointLayers` runs the decoder stack with activation checkpointing
// (checkpointed_forward.h): the same values, less memory, more compute.
BackwardResult lossBackward(Model& model, const at::Tensor& ids, const LogprobLoss& loss,
                            int64_t logitTokens = kLogitTokens, bool checkpointLayers = false);

// The output projection's backward, chunk by chunk and without a graph: given
// dLoss/dlogp and (when defined) dLoss/dH of each position, both [B, T] in the
// log-probs' dtype, returns dLoss/dhidden [B, T, H] and adds dLoss/dlmHead into
// lmHead's .grad when it requires grad. A chunk's gradient w.r.t. its logits is
// formed in closed form, gLogp·(onehot(target) − p) − gH·p·(log p + H), in the one
// [B, chunk, V] buffer that held its logits (autograd's recomputation kept the
// log-softmax output and two more gradients of that size alive, ~3× the memory),
// and Gᵀ·h is accumulated into the head's gradient in place. Positions before the
// first one with a nonzero gradient (the prompt) are skipped: they contribute zero.
at::Tensor headBackward(const at::Tensor& hidden, const at::Tensor& lmHead, const at::Tensor& targets,
                        const at::Tensor& gLogp, const at::Tensor& gEntropy, int64_t logitTokens = kLogitTokens);

}  // namespace datarus
