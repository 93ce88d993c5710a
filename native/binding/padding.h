// padding.h — ragged per-sequence inputs to right-padded batch tensors.
// Right padding needs no attention mask: causal attention never lets a real
// token see the pad positions after it.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <vector>

namespace datarus::binding {

// sequences (ragged) → ids [B, T] int64 right-padded with 0.
at::Tensor padIds(const std::vector<std::vector<int64_t>>& seqs);
// ragged rows (at most `width` each) → [B, width] f32 padded with `fill`.
at::Tensor padRows(const std::vector<std::vector<float>>& rows, int64_t width, float fill);

}  // namespace datarus::binding
