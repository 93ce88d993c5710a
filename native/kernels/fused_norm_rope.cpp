// fused_norm_rope.cpp — single-pass RMSNorm and in-place rotary embedding.
#include "fused_norm_rope.h"

#include <ATen/Parallel.h>

#include <cmath>

#include "simd.h"

namespace datarus::kernels {

bool fusedApplies(const at::Tensor& x) {
  return !at::GradMode::is_enabled() && x.device().is_cpu() && x.scalar_type() == at::kFloat && x.is_contiguous();
}

at::Tensor rmsNorm(const at::Tensor& x, const at::Tensor& weight, double eps) {
  const int64_t H = x.size(-1), R = x.numel() / H;
  at::Tensor w = weight.contiguous();
  at::Tensor out = at::empty_like(x);
  const float* xp = x.data_ptr<float>();
  const float* wp = w.data_ptr<float>();
  float* op = out.data_ptr<float>();
  at::parallel_for(0, R, std::max<int64_t>(1, 16384 / H), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) rmsNormRow(xp + r * H, wp, H, eps, op + r * H);
  });
  return out;
}

void rmsNormRow(const float* x, const float* weight, int64_t H, double eps, float* out) {
  // Eight partial sums (lane i % 8), added in a fixed order: the compiler vectorises
  // them, where one running sum is a chain of H dependent adds.
  float part[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= H; i += 8)
    for (int j = 0; j < 8; ++j) part[j] += x[i + j] * x[i + j];
  for (; i < H; ++i) part[i % 8] += x[i] * x[i];
  const float sq = ((part[0] + part[1]) + (part[2] + part[3])) + ((part[4] + part[5]) + (part[6] + part[7]));
  const float inv = 1.0f / std::sqrt(sq / static_cast<float>(H) + static_cast<float>(eps));
  for (i = 0; i < H; ++i) out[i] = weight[i] * (x[i] * inv);
}

namespace {

__attribute__((target("avx2,fma"))) int64_t swigluAvx2(const float* gate, const float* up, int64_t n, float* out) {
  const __m256 one = _mm256_set1_ps(1.0f), zero = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 g = _mm256_loadu_ps(gate + i);
    const __m256 silu = _mm256_div_ps(g, _mm256_add_ps(one, simd::exp(_mm256_sub_ps(zero, g))));
    _mm256_storeu_ps(out + i, _mm256_mul_ps(silu, _mm256_loadu_ps(up + i)));
  }
  return i;
}

}  // namespace

void swigluRow(const float* gate, const float* up, int64_t n, float* out) {
  int64_t i = simd::cpuHasAvx2Fma() ? swigluAvx2(gate, up, n, out) : 0;
  for (; i < n; ++i) out[i] = gate[i] / (1.0f + std::exp(-gate[i])) * up[i];
}

void ropeInPlace(at::Tensor& x, const at::Tensor& cosIn, const at::Tensor& sinIn) {
  const int64_t B = x.size(0), T = x.size(1), heads = x.size(2), D = x.size(3), half = D / 2;
  at::Tensor cos = cosIn.contiguous(), sin = sinIn.contiguous();
  const bool perRow = cos.size(0) == B && B > 1;
  float* xp = x.data_ptr<float>();
  const float* cp = cos.data_ptr<float>();
  const float* sp = sin.data_ptr<float>();
  for (int64_t b = 0; b < B; ++b)
    for (int64_t t = 0; t < T; ++t) {
      const int64_t row = (perRow ? b * T : 0) + t;  // index into [B or 1, T, 1, D]
      const float* c = cp + row * D;
      const float* s = sp + row * D;
      for (int64_t h = 0; h < heads; ++h) {
        float* v = xp + ((b * T + t) * heads + h) * D;
        for (int64_t i = 0; i < half; ++i) {
          const float x1 = v[i], x2 = v[i + half];
          v[i] = x1 * c[i] - x2 * s[i];
          v[i + half] = x2 * c[i + half] + x1 * s[i + half];
        }
      }
    }
}

}  // namespace datarus::kernels
