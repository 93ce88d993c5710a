// decode_attention.cpp — two-pass softmax attention for single-token decode steps.
#include "decode_attention.h"

#include <algorithm>
#include <cmath>

#include "error.h"
#include "simd.h"
#include "work_queue.h"

namespace datarus::kernels {

namespace {

// One (row, kv-head) item: its G query heads against n keys/values [n, D].
struct Span {
  const float* keys;
  const float* values;
  int64_t n;
};

// ---- portable loops (any D, any processor) ----

void scoresScalar(const float* q, int64_t G, const Span& kv, int64_t D, float scale, float* scores, int64_t stride) {
  for (int64_t g = 0; g < G; ++g)
    for (int64_t s = 0; s < kv.n; ++s) {
      float dot = 0;
      for (int64_t d = 0; d < D; ++d) dot += q[g * D + d] * kv.keys[s * D + d];
      scores[g * stride + s] = dot * scale;
    }
}

void mixScalar(const float* p, int64_t G, int64_t stride, const Span& kv, int64_t D, float* out) {
  for (int64_t g = 0; g < G; ++g)
    for (int64_t s = 0; s < kv.n; ++s)
      for (int64_t d = 0; d < D; ++d) out[g * D + d] += p[g * stride + s] * kv.values[s * D + d];
}

// ---- AVX2 (D a multiple of 8) ----

// scores[g·stride + s] = scale · q_g·k_s, eight keys at a time: the key block
// stays in L1 across the G queries, eight independent FMA chains hide the FMA
// latency, and the eight dot products reduce together into one vector.
__attribute__((target("avx2,fma"))) void scoresAvx2(const float* q, int64_t G, const Span& kv, int64_t D, float scale,
                                                     float* scores, int64_t stride) {
  const __m256 sc = _mm256_set1_ps(scale);
  int64_t s = 0;
  for (; s + 8 <= kv.n; s += 8) {
    const float* k0 = kv.keys + s * D;
    for (int64_t g = 0; g < G; ++g) {
      const float* qg = q + g * D;
      __m256 a[8];
#pragma GCC unroll 8
      for (int j = 0; j < 8; ++j) a[j] = _mm256_setzero_ps();
      for (int64_t d = 0; d < D; d += 8) {
        const __m256 qv = _mm256_loadu_ps(qg + d);
#pragma GCC unroll 8
        for (int j = 0; j < 8; ++j) a[j] = _mm256_fmadd_ps(qv, _mm256_loadu_ps(k0 + j * D + d), a[j]);
      }
      _mm256_storeu_ps(scores + g * stride + s,
                       _mm256_mul_ps(simd::hsum8(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]), sc));
    }
  }
  for (; s < kv.n; ++s)
    for (int64_t g = 0; g < G; ++g) {
      __m256 a = _mm256_setzero_ps();
      for (int64_t d = 0; d < D; d += 8)
        a = _mm256_fmadd_ps(_mm256_loadu_ps(q + g * D + d), _mm256_loadu_ps(kv.keys + s * D + d), a);
      scores[g * stride + s] = simd::hsum(a) * scale;
    }
}

// out[d0 : d0 + 8·NC] += Σ_s p[s] · v_s[d0 : d0 + 8·NC] for s < n, one head: NC
// accumulators in registers, each value row read whole and in order.
template <int NC>
__attribute__((target("avx2,fma"))) void mixRow(const float* p, const float* values, int64_t n, int64_t D, int64_t d0,
                                                 float* out) {
  __m256 acc[NC];
#pragma GCC unroll 8
  for (int c = 0; c < NC; ++c) acc[c] = _mm256_loadu_ps(out + d0 + 8 * c);
  for (int64_t s = 0; s < n; ++s) {
    const float* vr = values + s * D + d0;
    const __m256 ps = _mm256_broadcast_ss(p + s);
#pragma GCC unroll 8
    for (int c = 0; c < NC; ++c) acc[c] = _mm256_fmadd_ps(ps, _mm256_loadu_ps(vr + 8 * c), acc[c]);
  }
#pragma GCC unroll 8
  for (int c = 0; c < NC; ++c) _mm256_storeu_ps(out + d0 + 8 * c, acc[c]);
}

using MixRowFn = void (*)(const float*, const float*, int64_t, int64_t, int64_t, float*);
constexpr MixRowFn kMixRows[] = {nullptr,   mixRow<1>, mixRow<2>, mixRow<3>, mixRow<4>,
                                 mixRow<5>, mixRow<6>, mixRow<7>, mixRow<8>};

// The value span in blocks of about 16 KiB: the first head streams a block in (one
// sequential read), the other G − 1 heads re-read it from L1, 64 dimensions at a time.
void mixAvx2(const float* p, int64_t G, int64_t stride, const Span& kv, int64_t D, float* out) {
  const int64_t blockRows = std::max<int64_t>(8, 4096 / D);
  for (int64_t s0 = 0; s0 < kv.n; s0 += blockRows) {
    const int64_t n = std::min(blockRows, kv.n - s0);
    const float* values = kv.values + s0 * D;
    for (int64_t g = 0; g < G; ++g)
      for (int64_t d0 = 0; d0 < D; d0 += 64)
        kMixRows[std::min<int64_t>(8, (D - d0) / 8)](p + g * stride + s0, values, n, D, d0, out + g * D);
  }
}

// Exponentials of each of the G score rows [0, n) in place, shifted by the row's
// maximum and not normalised: each row's sum divides the output once, at the end.
void expRows(float* scores, int64_t G, int64_t stride, int64_t n, float* sums) {
  for (int64_t g = 0; g < G; ++g) {
    float* row = scores + g * stride;
    sums[g] = static_cast<float>(simd::softmaxTerms(row, row, n, 1.0f, simd::maxOf(row, n)));
  }
}

}  // namespace

at::Tensor decodeAttention(const at::Tensor& qIn, const at::Tensor& prefixK, const at::Tensor& prefixV,
                           const at::Tensor& k, const at::Tensor& v, const at::Tensor& newK, const at::Tensor& newV,
                           const std::vector<int64_t>& lengths, double scale) {
  at::Tensor q = qIn.contiguous();
  const int64_t B = q.size(0), Hq = q.size(1), D = q.size(2);
  const int64_t Hkv = k.size(1), G = Hq / Hkv, cap = k.size(2);
  check(k.is_contiguous() && v.is_contiguous() && k.sizes() == v.sizes() && k.size(0) == B && k.size(3) == D &&
            static_cast<int64_t>(lengths.size()) == B,
        code::kInternal, "decode attention needs contiguous caches [", B, ", Hkv, capacity, ", D, "], got ", k.sizes());
  check(newK.sizes() == at::IntArrayRef({B, Hkv, D}) && newV.sizes() == newK.sizes(), code::kInternal,
        "new keys and values must be [", B, ", ", Hkv, ", ", D, "], got ", newK.sizes(), " and ", newV.sizes());
  for (int64_t n : lengths)
    check(n >= 0 && n < cap, code::kInternal, "a cache row of ", cap, " slots cannot take slot ", n);
  const bool hasPrefix = prefixK.defined() && prefixK.size(1) > 0;
  at::Tensor pk = hasPrefix ? prefixK.contiguous() : at::Tensor();
  at::Tensor pv = hasPrefix ? prefixV.contiguous() : at::Tensor();
  const int64_t P = hasPrefix ? pk.size(1) : 0;
  at::Tensor nk = newK.contiguous(), nv = newV.contiguous();
  at::Tensor out = at::empty({B, Hq, D}, q.options());  // each item zeroes its [G, D] before mixing into it
  const float* qp = q.data_ptr<float>();
  float* kp = k.data_ptr<float>();
  float* vp = v.data_ptr<float>();
  const float* nkp = nk.data_ptr<float>();
  const float* nvp = nv.data_ptr<float>();
  const float* pkp = hasPrefix ? pk.data_ptr<float>() : nullptr;
  const float* pvp = hasPrefix ? pv.data_ptr<float>() : nullptr;
  float* op = out.data_ptr<float>();
  const float sc = static_cast<float>(scale);
  const bool avx2 = simd::cpuHasAvx2Fma() && D % 8 == 0;
  const int64_t stride = P + *std::max_element(lengths.begin(), lengths.end()) + 1;  // a score row
  // One item per (row, kv-head), taken from a queue: the new key and value into
  // their cache slot, scores [G, P + len + 1] in a scratch buffer, the
  // exponentials, the value mix, one division by each row's sum.
  WorkQueue queue(B * Hkv);
  onEachThread(B * Hkv, [&](int64_t) {
    thread_local std::vector<float> scores, sums;
    scores.resize(static_cast<size_t>(G * stride));
    sums.resize(static_cast<size_t>(G));
    for (int64_t i; queue.take(&i);) {
      const int64_t b = i / Hkv, h = i % Hkv, len = lengths[static_cast<size_t>(b)];
      float* keys = kp + (b * Hkv + h) * cap * D;
      float* values = vp + (b * Hkv + h) * cap * D;
      std::copy(nkp + i * D, nkp + (i + 1) * D, keys + len * D);
      std::copy(nvp + i * D, nvp + (i + 1) * D, values + len * D);
      const float* qh = qp + (b * Hq + h * G) * D;  // [G, D]: the heads sharing kv-head h
      const Span prefix{pkp + h * P * D, pvp + h * P * D, P};
      const Span own{keys, values, len + 1};
      auto scoreSpan = avx2 ? scoresAvx2 : scoresScalar;
      if (P) scoreSpan(qh, G, prefix, D, sc, scores.data(), stride);
      scoreSpan(qh, G, own, D, sc, scores.data() + P, stride);
      expRows(scores.data(), G, stride, P + own.n, sums.data());
      float* o = op + (b * Hq + h * G) * D;
      std::fill(o, o + G * D, 0.0f);
      auto mix = avx2 ? mixAvx2 : mixScalar;
      if (P) mix(scores.data(), G, stride, prefix, D, o);
      mix(scores.data() + P, G, stride, own, D, o);
      for (int64_t g = 0; g < G; ++g)
        for (int64_t d = 0; d < D; ++d) o[g * D + d] /= sums[static_cast<size_t>(g)];
    }
  });
  return out;
}

}  // namespace datarus::kernels
