// decode_attention.cpp — online-softmax attention for single-token decode steps.
#include "decode_attention.h"

#include <ATen/Parallel.h>

#include <cmath>
#include <immintrin.h>

namespace datarus::kernels {

namespace {

bool cpuHasAvx2Fma() {
  static const bool ok = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return ok;
}

float dotScalar(const float* a, const float* b, int64_t n) {
  float s = 0;
  for (int64_t i = 0; i < n; ++i) s += a[i] * b[i];
  return s;
}

__attribute__((target("avx2,fma"))) float dotAvx2(const float* a, const float* b, int64_t n) {
  __m256 acc = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) acc = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc);
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
  float r = _mm_cvtss_f32(s);
  for (; i < n; ++i) r += a[i] * b[i];
  return r;
}

// Folds keys/values [n, D] into the running (max, sum, acc) of one query head.
inline void accumulate(const float* q, const float* keys, const float* values, int64_t n, int64_t D, float scale,
                       float& max, float& sum, float* acc, bool simd) {
  for (int64_t s = 0; s < n; ++s) {
    const float* kr = keys + s * D;
    const float dot = (simd ? dotAvx2(q, kr, D) : dotScalar(q, kr, D)) * scale;
    if (dot > max) {  // rescale what was accumulated under the old max
      const float r = std::exp(max - dot);
      sum *= r;
      for (int64_t d = 0; d < D; ++d) acc[d] *= r;
      max = dot;
    }
    const float p = std::exp(dot - max);
    sum += p;
    const float* vr = values + s * D;
    for (int64_t d = 0; d < D; ++d) acc[d] += p * vr[d];
  }
}

}  // namespace

at::Tensor decodeAttention(const at::Tensor& qIn, const at::Tensor& prefixK, const at::Tensor& prefixV,
                           const at::Tensor& k, const at::Tensor& v, const std::vector<int64_t>& lengths,
                           double scale) {
  at::Tensor q = qIn.contiguous();
  const int64_t B = q.size(0), Hq = q.size(1), D = q.size(2);
  const int64_t Hkv = k.size(1), G = Hq / Hkv, cap = k.size(2);
  const bool hasPrefix = prefixK.defined() && prefixK.size(1) > 0;
  at::Tensor pk = hasPrefix ? prefixK.contiguous() : at::Tensor();
  at::Tensor pv = hasPrefix ? prefixV.contiguous() : at::Tensor();
  const int64_t P = hasPrefix ? pk.size(1) : 0;
  at::Tensor kc = k.contiguous(), vc = v.contiguous();  // cache buffers are contiguous: no copy
  at::Tensor out = at::empty({B, Hq, D}, q.options());
  const float* qp = q.data_ptr<float>();
  const float* kp = kc.data_ptr<float>();
  const float* vp = vc.data_ptr<float>();
  const float* pkp = hasPrefix ? pk.data_ptr<float>() : nullptr;
  const float* pvp = hasPrefix ? pv.data_ptr<float>() : nullptr;
  float* op = out.data_ptr<float>();
  const float sc = static_cast<float>(scale);
  const bool simd = cpuHasAvx2Fma();
  at::parallel_for(0, B * Hkv, 1, [&](int64_t i0, int64_t i1) {
    std::vector<float> acc(static_cast<size_t>(D));
    for (int64_t i = i0; i < i1; ++i) {
      const int64_t b = i / Hkv, h = i % Hkv;
      const float* rowK = kp + (b * Hkv + h) * cap * D;
      const float* rowV = vp + (b * Hkv + h) * cap * D;
      for (int64_t g = 0; g < G; ++g) {
        const int64_t head = h * G + g;
        const float* qh = qp + (b * Hq + head) * D;
        float max = -INFINITY, sum = 0;
        std::fill(acc.begin(), acc.end(), 0.0f);
        if (hasPrefix) accumulate(qh, pkp + h * P * D, pvp + h * P * D, P, D, sc, max, sum, acc.data(), simd);
        accumulate(qh, rowK, rowV, lengths[static_cast<size_t>(b)], D, sc, max, sum, acc.data(), simd);
        float* o = op + (b * Hq + head) * D;
        for (int64_t d = 0; d < D; ++d) o[d] = acc[static_cast<size_t>(d)] / sum;
      }
    }
  });
  return out;
}

}  // namespace datarus::kernels
