// simd.h — AVX2/FMA building blocks shared by the CPU decode kernels.
//
// Every function here is compiled for AVX2+FMA through a target attribute, so the
// rest of the build needs no -mavx2; callers check `cpuHasAvx2Fma()` once and keep
// a portable loop for processors without it. The last two (maxOf, softmaxTerms)
// are such portable entry points themselves.
#pragma once

#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace datarus::kernels::simd {

inline bool cpuHasAvx2Fma() {
  static const bool ok = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return ok;
}

// AVX-512F, for kernels with 16-float registers (kernels/panel_tiles_avx512.cpp).
inline bool cpuHasAvx512f() {
  static const bool ok = __builtin_cpu_supports("avx512f");
  return ok;
}

// Sum of the 8 lanes.
__attribute__((target("avx2,fma"))) inline float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
  return _mm_cvtss_f32(s);
}

// The lane sums of eight vectors, as one [a, b, c, d, e, f, g, h] vector.
__attribute__((target("avx2,fma"))) inline __m256 hsum8(__m256 a, __m256 b, __m256 c, __m256 d, __m256 e, __m256 f,
                                                         __m256 g, __m256 h) {
  // Each 128-bit half of abcd holds a..d's sums over that half's lanes; likewise efgh.
  const __m256 abcd = _mm256_hadd_ps(_mm256_hadd_ps(a, b), _mm256_hadd_ps(c, d));
  const __m256 efgh = _mm256_hadd_ps(_mm256_hadd_ps(e, f), _mm256_hadd_ps(g, h));
  return _mm256_add_ps(_mm256_permute2f128_ps(abcd, efgh, 0x20), _mm256_permute2f128_ps(abcd, efgh, 0x31));
}

// e^x per lane for x <= 0 down to about −87 (softmax arguments, after subtracting
// the maximum); relative error below 2e-7 against expf. Below −87.3 the result is
// the smallest normal float instead of a denormal or zero, which no sum notices.
//
// Range reduction x = n·ln2 + r with |r| <= ln2/2 (ln2 split in a high part exact
// in float and a low correction), then a degree-6 polynomial for e^r (the Taylor
// series with minimax-adjusted coefficients) and 2^n assembled in the exponent bits.
__attribute__((target("avx2,fma"))) inline __m256 exp(__m256 x) {
  x = _mm256_max_ps(_mm256_min_ps(x, _mm256_set1_ps(88.3762626647949f)), _mm256_set1_ps(-87.3365478515625f));
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
  __m256 p = _mm256_set1_ps(1.9875691500e-4f);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
  p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));  // e^r
  const __m256i bits = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(p, _mm256_castsi256_ps(bits));  // e^r · 2^n
}

// out[i] = e^(in[i]·scale − shift) for i < n; returns Σ out (fp32 lanes, summed in
// double at the end). `in` and `out` may alias.
__attribute__((target("avx2,fma"))) inline double expShifted(const float* in, float* out, int64_t n, float scale,
                                                              float shift) {
  const __m256 s = _mm256_set1_ps(scale), m = _mm256_set1_ps(shift);
  __m256 total = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 e = exp(_mm256_fmsub_ps(_mm256_loadu_ps(in + i), s, m));
    _mm256_storeu_ps(out + i, e);
    total = _mm256_add_ps(total, e);
  }
  double sum = hsum(total);
  if (i < n) {  // tail: the same polynomial on a zero-padded vector
    alignas(32) float buf[8] = {0};
    for (int64_t j = i; j < n; ++j) buf[j - i] = in[j];
    __m256 e = exp(_mm256_fmsub_ps(_mm256_load_ps(buf), s, m));
    _mm256_store_ps(buf, e);
    for (int64_t j = i; j < n; ++j) sum += out[j] = buf[j - i];
  }
  return sum;
}

// Largest element of in[0, n) (n >= 1).
__attribute__((target("avx2,fma"))) inline float max(const float* in, int64_t n) {
  __m256 best = _mm256_set1_ps(-INFINITY);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) best = _mm256_max_ps(best, _mm256_loadu_ps(in + i));
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, best);
  float m = lanes[0];
  for (int j = 1; j < 8; ++j) m = m > lanes[j] ? m : lanes[j];
  for (; i < n; ++i) m = m > in[i] ? m : in[i];
  return m;
}

// ---- portable: AVX2 when the processor has it, plain loops otherwise ----

// Largest element of in[0, n) (n >= 1).
inline float maxOf(const float* in, int64_t n) { return cpuHasAvx2Fma() ? max(in, n) : *std::max_element(in, in + n); }

// out[i] = e^((in[i] − largest)·scale) for i < n, the unnormalised softmax of in·scale
// when `largest` is the largest element; returns Σ out. `in` and `out` may alias.
inline double softmaxTerms(const float* in, float* out, int64_t n, float scale, float largest) {
  if (cpuHasAvx2Fma()) return expShifted(in, out, n, scale, largest * scale);
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) sum += out[i] = static_cast<float>(std::exp((double(in[i]) - largest) * scale));
  return sum;
}

}  // namespace datarus::kernels::simd
