// decode_attention.cpp — online-softmax attention for single-token decode steps.
#include "decode_attention.h"

#include <ATen/Parallel.h>

#include <cmath>

namespace datarus::kernels {

namespace {

// Folds keys/values [n, D] into the running (max, sum, acc) of one query head.
inline void accumulate(const float* q, const float* keys, const float* values, int64_t n, int64_t D, float scale,
                       float& max, float& sum, float* acc) {
  for (int64_t s = 0; s < n; ++s) {
    const float* kr = keys + s * D;
    float dot = 0;
    for (int64_t d = 0; d < D; ++d) dot += q[d] * kr[d];
    dot *= scale;
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
        if (hasPrefix) accumulate(qh, pkp + h * P * D, pvp + h * P * D, P, D, sc, max, sum, acc.data());
        accumulate(qh, rowK, rowV, lengths[static_cast<size_t>(b)], D, sc, max, sum, acc.data());
        float* o = op + (b * Hq + head) * D;
        for (int64_t d = 0; d < D; ++d) o[d] = acc[static_cast<size_t>(d)] / sum;
      }
    }
  });
  return out;
}

}  // namespace datarus::kernels
