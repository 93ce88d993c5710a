// fused_norm_rope.h — RMSNorm, rotary embedding and SwiGLU as single loops, for decode.
//
// A decode step runs each of these on a few rows, where ATen spends more time
// dispatching its 6–8 elementwise ops than computing. These loops do the same
// arithmetic in one pass (fp32 accumulation, as the ATen path does) and are used
// only without autograd, on contiguous fp32 CPU tensors; the ATen expressions in
// model.cpp are their reference (native/test/fused_norm_rope_test.cc).
#pragma once

#include <ATen/ATen.h>

namespace datarus::kernels {

// True when the fused loops cover `x` (no grad mode, fp32, CPU, contiguous).
bool fusedApplies(const at::Tensor& x);

// weight · x / sqrt(mean(x², -1) + eps); x: [..., H], weight: [H].
at::Tensor rmsNorm(const at::Tensor& x, const at::Tensor& weight, double eps);

// One row of rmsNorm: out[i] = weight[i] · (x[i] · inv), inv = 1 / sqrt(mean(x²) + eps).
// Shared by rmsNorm and the norm fused into packedLinear, so both give the same bits.
void rmsNormRow(const float* x, const float* weight, int64_t H, double eps, float* out);

// One row of the SwiGLU activation: out[i] = silu(gate[i]) · up[i], silu(g) = g / (1 + e^−g)
// (AVX2 with simd::exp where the processor has it; at::silu(gate) * up is the reference).
void swigluRow(const float* gate, const float* up, int64_t n, float* out);

// Rotates x: [B, T, heads, D] in place with the Hugging Face "rotate half" layout:
// (x1, x2) → (x1·cos − x2·sin, x2·cos + x1·sin) over the two halves of each head.
// cos, sin: [B or 1, T, 1, D] (both halves equal), fp32.
void ropeInPlace(at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin);

}  // namespace datarus::kernels
