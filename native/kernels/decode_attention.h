// decode_attention.h — attention of one new token per row against a shared prompt
// prefix and the row's own cached keys/values, in one pass (fp32, CPU, no grad).
//
// In a decode step every (row, kv-head) pair does a few tiny dot-product blocks;
// ATen runs them as batched matmuls whose per-batch dispatch costs far more than
// the arithmetic. This kernel takes one (row, kv-head) item per task: it stores
// the row's new key and value in their cache slot, then the scores of its G query
// heads against the prefix keys and the row's cached keys go into one scratch row
// per head; vectorised exponentials; the value mix in blocks that are streamed in
// once and re-read from L1 by the G heads; one division by the sum. decoder.cpp's
// ATen path is its reference (native/test/decode_attention_test.cc).
#pragma once

#include <ATen/ATen.h>

#include <vector>

namespace datarus::kernels {

// q:          [B, Hq, D] fp32 (one token per row; Hq = Hkv·G, kv-head-major)
// prefixK:    [Hkv, P, D] or undefined;  prefixV likewise
// k, v:       [B, Hkv, capacity, D] contiguous cache buffers; row b holds lengths[b] slots
// newK, newV: [B, Hkv, D] this step's keys/values, written into slot lengths[b] of
//             row b first, then attended to with the rest (lengths[b] < capacity)
// → [B, Hq, D] fp32. Throws E_INTERNAL on shapes that break these rules.
at::Tensor decodeAttention(const at::Tensor& q, const at::Tensor& prefixK, const at::Tensor& prefixV,
                           const at::Tensor& k, const at::Tensor& v, const at::Tensor& newK, const at::Tensor& newV,
                           const std::vector<int64_t>& lengths, double scale);

}  // namespace datarus::kernels
