// skinny_linear.h — y = x·Wᵀ + b for a few rows of x (decode steps), fp32 on CPU.
//
// A decode step multiplies a handful of token rows by every weight matrix, so it
// is bound by streaming the weights from memory. BLAS GEMMs pack the weight panel
// for such skinny shapes and reach a fraction of the bandwidth; this kernel reads
// each weight row once and applies it to all (≤ 8 per pass) input rows with AVX2
// FMAs, split over the output features across threads. at::linear is its
// reference (kernels/ test) and its fallback for anything it does not cover.
#pragma once

#include <ATen/ATen.h>

namespace datarus::kernels {

// True when skinnyLinear would take the fast path: CPU fp32, contiguous weight,
// at most `kMaxRows` rows, and an AVX2+FMA processor.
bool skinnyLinearApplies(const at::Tensor& x, const at::Tensor& weight);
inline constexpr int64_t kSkinnyMaxRows = 16;

// x: [..., K] → [..., N] with weight [N, K] and optional bias [N]; no autograd.
at::Tensor skinnyLinear(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias);

}  // namespace datarus::kernels
