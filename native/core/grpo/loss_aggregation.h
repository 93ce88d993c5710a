// loss_aggregation.h — how per-token losses become one scalar (`lossType`), by name.
//
//   grpo     per-sequence token mean, then mean over sequences (Shao et al. 2024).
//            Every sequence weighs the same, so tokens of long completions weigh less:
//            a length bias (long wrong answers are punished less per token).
//   bnpo     token mean over the micro-batch, then mean over micro-batches (TRL's
//            "bnpo"). No per-sequence length bias, but depends on micro-batch size.
//   dr_grpo  token sum / (sequences · maxCompletionLength) (Dr. GRPO, Liu et al. 2025):
//            a constant normaliser, so no length bias and no batch dependence.
//   dapo     token sum / tokens in the whole global batch (DAPO, Yu et al. 2025):
//            every token weighs the same across micro-batches and ranks.
//
// Departure from TRL: every variant is written as a sum over micro-batches (and over
// data-parallel ranks) of micro-batch terms with global normalisers, so that gradient
// accumulation and an all-reduce SUM give exactly the whole-batch gradient. With one
// micro-batch and one rank each equals TRL's formula.
#pragma once

#include <ATen/ATen.h>

#include <string>

namespace datarus {

enum class LossType { Grpo, Bnpo, DrGrpo, Dapo };

// "grpo" | "bnpo" | "dr_grpo" | "dapo"; throws E_INVALID_ARGUMENT otherwise.
LossType parseLossType(const std::string& name);
const char* lossTypeName(LossType t);

// Global counts of the optimisation step the micro-batch belongs to (all ranks).
struct LossNormalizer {
  double sequences = 1;            // sequences in the global batch
  double tokens = 1;               // completion tokens in the global batch
  double microBatches = 1;         // micro-batches in the global batch
  double maxCompletionLength = 1;  // dr_grpo's constant L
};

// perToken: [B, T] f32; mask: [B, T] f32 in {0, 1} → [] f32, this micro-batch's share.
at::Tensor aggregateLoss(LossType t, const at::Tensor& perToken, const at::Tensor& mask, const LossNormalizer& n);

}  // namespace datarus
