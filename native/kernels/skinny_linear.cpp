// skinny_linear.cpp — AVX2/FMA weight-streaming kernel for few-row linear layers.
#include "skinny_linear.h"

#include <ATen/Parallel.h>
#include <immintrin.h>

#include "simd.h"

namespace datarus::kernels {

namespace {

// out[i, n] = Σ_k x[i, k]·w[n, k] for i < M rows, n in [n0, n1). Row strides are K and N.
template <int M>
__attribute__((target("avx2,fma"))) void rowsKernel(const float* x, const float* w, const float* b, float* out,
                                                      int64_t K, int64_t N, int64_t n0, int64_t n1) {
  const int64_t K8 = K / 8 * 8;
  for (int64_t n = n0; n < n1; ++n) {
    const float* wr = w + n * K;
    __m256 acc[M];
    for (int i = 0; i < M; ++i) acc[i] = _mm256_setzero_ps();
    const float* ahead = wr + 4 * K;  // four rows ahead: keeps the stream in flight
    for (int64_t k = 0; k < K8; k += 8) {
      if ((k & 15) == 0 && n + 4 < n1) _mm_prefetch(reinterpret_cast<const char*>(ahead + k), _MM_HINT_T0);
      __m256 wv = _mm256_loadu_ps(wr + k);
      for (int i = 0; i < M; ++i) acc[i] = _mm256_fmadd_ps(_mm256_loadu_ps(x + i * K + k), wv, acc[i]);
    }
    for (int i = 0; i < M; ++i) {
      float s = simd::hsum(acc[i]);
      for (int64_t k = K8; k < K; ++k) s += x[i * K + k] * wr[k];
      out[i * N + n] = s + (b ? b[n] : 0.0f);
    }
  }
}

using Kernel = void (*)(const float*, const float*, const float*, float*, int64_t, int64_t, int64_t, int64_t);
constexpr Kernel kKernels[] = {nullptr,        rowsKernel<1>, rowsKernel<2>, rowsKernel<3>, rowsKernel<4>,
                               rowsKernel<5>, rowsKernel<6>, rowsKernel<7>, rowsKernel<8>};

}  // namespace

bool skinnyLinearApplies(const at::Tensor& x, const at::Tensor& weight) {
  if (!simd::cpuHasAvx2Fma()) return false;
  if (!x.device().is_cpu() || x.scalar_type() != at::kFloat || weight.scalar_type() != at::kFloat) return false;
  if (weight.dim() != 2 || !weight.is_contiguous() || x.size(-1) != weight.size(1)) return false;
  return x.numel() / x.size(-1) <= kSkinnyMaxRows;
}

at::Tensor skinnyLinear(const at::Tensor& xIn, const at::Tensor& weight, const at::Tensor& bias) {
  if (!skinnyLinearApplies(xIn, weight)) return at::linear(xIn, weight, bias);
  const int64_t K = weight.size(1), N = weight.size(0);
  at::Tensor x = xIn.reshape({-1, K}).contiguous();  // [R, K]
  const int64_t R = x.size(0);
  at::Tensor b = bias.defined() ? bias.contiguous() : at::Tensor();
  at::Tensor out = at::empty({R, N}, x.options());   // [R, N]
  const float* xp = x.data_ptr<float>();
  const float* wp = weight.data_ptr<float>();
  const float* bp = b.defined() ? b.data_ptr<float>() : nullptr;
  float* op = out.data_ptr<float>();
  // Grain: enough output features per task to amortise scheduling (≥ 64 KiB of weights).
  const int64_t grain = std::max<int64_t>(16, (64 * 1024 / 4) / std::max<int64_t>(1, K));
  at::parallel_for(0, N, grain, [&](int64_t n0, int64_t n1) {
    for (int64_t r0 = 0; r0 < R; r0 += 8) {
      const int64_t rows = std::min<int64_t>(8, R - r0);
      kKernels[rows](xp + r0 * K, wp, bp, op + r0 * N, K, N, n0, n1);
    }
  });
  std::vector<int64_t> shape(xIn.sizes().begin(), xIn.sizes().end());
  shape.back() = N;
  return out.view(shape);
}

}  // namespace datarus::kernels
