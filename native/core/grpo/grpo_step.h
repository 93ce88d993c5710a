// grpo_step.h — one GRPO optimisation step: micro-batched backward of the policy
// loss, gradient all-reduce across data-parallel ranks, clip, AdamW, LR schedule.
//
// The batch is split into micro-batches of at most microBatchSize sequences, each
// trimmed to its longest sequence; gradients accumulate, and the loss normalisers
// are global counts (loss_aggregation.h), so the result does not depend on the
// micro-batch size (bnpo excepted, by definition) nor on how ranks split the batch.
// A step whose loss or gradient norm is not finite is skipped: gradients are cleared,
// weights, moments and the step counter stay untouched, and `skipped` is reported.
// μ iterations (GRPO's numIterations) are μ calls with the same batch: oldLogp stays
// the behaviour log-probs from generation.
#pragma once

#include <ATen/ATen.h>

#include "communicator.h"
#include "model.h"
#include "optim.h"
#include "policy_loss.h"

namespace datarus {

struct GrpoBatch {
  at::Tensor ids;         // [B, T] int64, right-padded (any pad id)
  at::Tensor mask;        // [B, T-1] f32: 1 where token t+1 is a completion token (0: prompt, observation, pad)
  at::Tensor oldLogp;     // [B, T-1] f32 behaviour log-probs, or undefined (ratio 1)
  at::Tensor refLogp;     // [B, T-1] f32 reference log-probs, or undefined (needed when beta > 0)
  at::Tensor advantages;  // [B] f32
};

struct GrpoStepOptions {
  GrpoLossOptions loss;
  int64_t microBatchSize = 8;      // sequences per backward pass; bounds activation memory
  double maxCompletionLength = 0;  // dr_grpo's L; 0 = the longest completion in the global batch
  int64_t logitTokens = 1024;      // positions per logits chunk (times batch)
  bool checkpointLayers = false;   // activation checkpointing of the decoder (checkpointed_forward.h)
};

// Global means (over completion tokens of all ranks) of one step.
struct GrpoStepStats {
  double loss = 0;
  double kl = 0, entropy = 0, ratioMean = 0;
  double clipLow = 0, clipHigh = 0, clipRegion = 0;  // fractions of completion tokens
  double tokens = 0, sequences = 0;                  // completion tokens / sequences, all ranks
  double processedTokens = 0;                        // every position fed through the model, this rank
  double modelFlops = 0;                             // their training FLOPs (3× ModelConfig::forwardFlops), this rank
  double completionLenMean = 0, completionLenMin = 0, completionLenMax = 0;  // this rank
  double gradNorm = 0, lr = 0;
  bool skipped = false;        // non-finite loss or gradient: nothing was updated
  bool nonFiniteLoss = false;
  int64_t step = 0;            // optimiser steps taken so far
  double seconds = 0;
};

// Forward + backward over micro-batches; gradients accumulate into the (trainable)
// model and are summed across ranks when comm is given. Fills the loss/metric fields.
GrpoStepStats grpoBackward(Model& model, const GrpoBatch& batch, const GrpoStepOptions& o, Communicator* comm = nullptr);

// grpoBackward, then clip + AdamW (or skip). Leaves gradients cleared.
GrpoStepStats grpoStep(Model& model, AdamW& optimizer, const GrpoBatch& batch, const GrpoStepOptions& o,
                       Communicator* comm = nullptr);

// Sums every parameter gradient across ranks in buckets (parameters without a gradient
// get zeros, so every rank reduces the same buckets).
void allReduceGradients(TensorMap& params, Communicator& comm);

}  // namespace datarus
