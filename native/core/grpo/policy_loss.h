// policy_loss.h — the GRPO objective on per-token log-probs (no model, no I/O).
//
// Per completion token, with ratio ρ = exp(logp − oldLogp) against the behaviour
// log-probs recorded at generation and the sequence's advantage A:
//   ℓ = −min(ρ·A, clip(ρ, 1 − ε, 1 + ε_high)·A) + β·KL_k(π_θ ‖ π_ref) − c_H·H
// (PPO's clipped surrogate, Schulman et al. 2017; the asymmetric ε_high is DAPO's
// "clip-higher", Yu et al. 2025; KL estimators in kl.h; the entropy bonus c_H·H is
// optional and off by default, as in GRPO). Prompt, observation and padding tokens
// carry mask 0 and contribute nothing. Aggregation over tokens: loss_aggregation.h.
//
// Clip metrics follow TRL: a token is "low-clipped" when ρ < 1 − ε and A < 0 (the
// clip removes its gradient), "high-clipped" when ρ > 1 + ε_high and A > 0.
#pragma once

#include <ATen/ATen.h>

#include "kl.h"
#include "loss_aggregation.h"

namespace datarus {

struct GrpoLossOptions {
  double epsilon = 0.2;      // lower clip ε (PPO / GRPO)
  double epsilonHigh = 0.2;  // upper clip ε_high (DAPO uses 0.28)
  double beta = 0.04;        // KL coefficient (GRPO paper); 0 disables the reference
  KlEstimator kl = KlEstimator::K3;
  LossType lossType = LossType::Grpo;
  double entropyCoef = 0.0;  // entropy bonus c_H; 0 = none
};

// Token-weighted sums over the completion tokens of one micro-batch; they add up
// across micro-batches and ranks, and metrics() turns them into means.
struct LossSums {
  double tokens = 0, sequences = 0;
  double kl = 0, entropy = 0, ratio = 0;
  double clipLow = 0, clipHigh = 0;
  void add(const LossSums& o);
};

struct PolicyLoss {
  at::Tensor loss;  // [] f32, differentiable in logp (and entropy)
  LossSums sums;
};

// logp: [B, T] f32 (requires grad); oldLogp: [B, T] f32 or undefined (= logp detached,
// ratio 1); refLogp: [B, T] f32 or undefined (needed when beta > 0); advantages: [B] f32;
// mask: [B, T] f32 in {0, 1}; entropy: [B, T] f32 or undefined (needed when entropyCoef != 0).
PolicyLoss grpoPolicyLoss(const GrpoLossOptions& o, const LossNormalizer& n, const at::Tensor& logp,
                          const at::Tensor& oldLogp, const at::Tensor& refLogp, const at::Tensor& advantages,
                          const at::Tensor& mask, const at::Tensor& entropy);

}  // namespace datarus
