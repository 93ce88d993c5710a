// kv_cache.h — the key/value cache of autoregressive decoding.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <vector>

namespace datarus {

// Per-layer key/value cache of B rows, optionally behind a shared prefix.
//
// k[l], v[l]: [B, Hkv, capacity, D] in the model dtype. Row r holds lengths[r]
// valid positions; rows may differ (samples of a group stop or resume at
// different points). prefixK[l], prefixV[l]: [Hkv, P, D], keys/values of a
// prompt that every row continues; it is read by all rows and never copied.
// A row's token at cache slot s sits at absolute position prefixLen + s.
struct KVCache {
  std::vector<at::Tensor> k, v;
  std::vector<int64_t> lengths;  // [B]
  int64_t capacity = 0;
  int64_t batch = 0;
  std::vector<at::Tensor> prefixK, prefixV;
  int64_t prefixLen = 0;

  int64_t length(int64_t row = 0) const { return lengths[static_cast<size_t>(row)]; }
  int64_t maxLength() const;
  bool uniform() const;  // all rows hold the same number of positions
  // Reallocates to at least `needed` slots per row (doubling), keeping contents.
  void reserve(int64_t needed);
  // Bytes held by the per-row buffers (the shared prefix is not counted).
  int64_t bytes() const;
};

}  // namespace datarus
