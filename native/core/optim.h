// optim.h — AdamW with decoupled weight decay, global-norm clipping, LR schedule.
//
// AdamW (Loshchilov & Hutter, 2019): m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²;
// p ← p − lr·(m̂ / (√v̂ + ε) + λ·p), with bias-corrected m̂, v̂. Weight decay is
// applied to matrices only (norm weights and biases are exempt, as is usual).
// A step whose gradient norm is not finite is skipped: weights and moments stay
// untouched and the gradients are cleared.
#pragma once

#include <cstdint>
#include <string>

#include "tensors.h"

namespace datarus {

struct AdamWOptions {
  double lr = 1e-5;           // peak learning rate
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weightDecay = 0.0;   // λ, decoupled
  double maxGradNorm = 1.0;   // global L2 clip; <= 0 disables
  int64_t warmupSteps = 0;    // linear warm-up from 0 to lr
  int64_t totalSteps = 0;     // cosine decay to minLrRatio·lr at totalSteps; 0 = constant
  double minLrRatio = 0.0;
};

// The learning rate at optimiser step `step` (0-based) under warm-up + cosine decay.
double scheduledLr(const AdamWOptions& o, int64_t step);

struct StepStats {
  double gradNorm = 0;  // before clipping
  double lr = 0;
  bool skipped = false;  // non-finite gradient: nothing was updated
  int64_t step = 0;      // optimiser steps taken so far (after this one)
};

class AdamW {
 public:
  explicit AdamW(AdamWOptions options) : options_(options) {}
  const AdamWOptions& options() const { return options_; }
  void setOptions(const AdamWOptions& o) { options_ = o; }
  int64_t step() const { return step_; }

  // Clips, updates every parameter with a gradient, and clears the gradients.
  StepStats apply(TensorMap& params);
  // Moment tensors under "<name>.exp_avg" / "<name>.exp_avg_sq" (for checkpoints).
  TensorMap state() const;
  void loadState(const TensorMap& state, int64_t step);

 private:
  AdamWOptions options_;
  int64_t step_ = 0;
  TensorMap m_, v_;
};

// Global L2 norm of all gradients (0 when none); fp64 accumulation.
double gradNorm(const TensorMap& params);
void zeroGrad(TensorMap& params);

}  // namespace datarus
