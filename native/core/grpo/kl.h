// kl.h — per-token estimators of KL(π_θ ‖ π_ref) from sampled tokens (Schulman, 2020,
// "Approximating KL divergence"), picked by name.
//
// With δ = log π_ref(y) − log π_θ(y) for a token y sampled from the policy:
//   k1 = −δ                 unbiased, high variance, can be negative per token
//   k2 = δ² / 2             biased, low variance, always ≥ 0
//   k3 = e^δ − δ − 1        unbiased and ≥ 0; the GRPO paper's choice (Shao et al. 2024)
//                           and TRL's only estimator
// Gradients flow through logp only; the reference is a constant.
#pragma once

#include <ATen/ATen.h>

#include <string>

namespace datarus {

enum class KlEstimator { K1, K2, K3 };

// "k1" | "k2" | "k3"; throws E_INVALID_ARGUMENT otherwise.
KlEstimator parseKlEstimator(const std::string& name);
const char* klEstimatorName(KlEstimator e);

// logp, refLogp: [B, T] f32 → per-token estimate [B, T] f32 (differentiable in logp).
at::Tensor perTokenKl(KlEstimator e, const at::Tensor& logp, const at::Tensor& refLogp);

}  // namespace datarus
