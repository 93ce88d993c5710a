// packed_linear.h — y = x·Wᵀ + b for the few rows of a decode step, from weights
// repacked once into column panels. fp32 on an AVX2+FMA processor.
//
// A decode step multiplies a handful of token rows by every weight matrix, so it
// is bound by streaming the weights from memory while doing 2·rows FLOPs per
// weight. Read in their natural [N, K] layout, each weight row needs a horizontal
// sum per input row and the loads outnumber the FMAs; packed, they do not:
//
//   panel p = W[Wd·p : Wd·p+Wd, :]ᵀ, stored [K, Wd]; all panels back to back [P, K, Wd].
//
// The panel width Wd is one vector register of fp32: 16 where the processor has
// AVX-512F, else 8 (AVX2). Two threads walk the panels from opposite ends
// (kernels/work_queue.h), each as one sequential stream, and stop where they
// meet; the inner products of a few rows by a few panels are the tile kernels of
// panel_tiles.h. Matrices that read the same input (q, k, v; gate, up) are packed
// into one set of panels — one pass, one parallel region — and written to separate
// outputs ("segments").
//
// Each output value is one lane accumulating k = 0 .. K-1 in order, whatever the
// number of rows in the call or the panel width, so a row's result does not depend
// on which rows it shares a call with (a group of G samples decodes bit for bit as
// one sample alone), nor on the processor's vector width.
// at::linear is the reference (native/test/packed_linear_test.cc).
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <vector>

namespace datarus::kernels {

inline constexpr int64_t kPackedMaxRows = 16;  // rows beyond this go to a GEMM (prefill)

struct PackedLinear {
  at::Tensor panels;              // [P, K, width] fp32; a segment's last panel is zero-padded
  int64_t width = 8;              // output features per panel
  std::vector<int64_t> widths;    // N of each segment
  std::vector<at::Tensor> biases; // [N] per segment, undefined when absent
  std::vector<int32_t> segment;   // per panel: its segment
  std::vector<int32_t> column;    // per panel: its first output column within the segment
  int64_t K = 0;

  int64_t bytes() const { return panels.defined() ? panels.numel() * 4 : 0; }
};

// True when this processor (AVX2+FMA) can run the kernel on tensors of this device and dtype (CPU fp32).
bool packedLinearSupports(at::Device device, at::ScalarType dtype);

// The panel width packLinear uses by default: 16 with AVX-512F, else 8.
int64_t defaultPanelWidth();
// True for 8 (AVX2+FMA) and for 16 when this processor also has AVX-512F.
bool panelWidthSupported(int64_t width);

// True when x is supported and has at most kPackedMaxRows rows.
bool packedLinearApplies(const at::Tensor& x);

// Floats of the panels that packLinear makes of these weights [N_s, K] at this
// width (0: the default): P·K·width.
int64_t packedFloats(const std::vector<at::Tensor>& weights, int64_t width = 0);

// Packs weights [N_s, K] (fp32, CPU, same K) with optional biases [N_s] as one
// panel set whose outputs are segments s = 0, 1, ... The panels are written into
// `storage` when given (CPU fp32, contiguous, at least packedFloats(weights)
// elements; e.g. a slice of one buffer holding a whole model's panels), else into
// a new tensor. `width` 0 takes defaultPanelWidth(). Throws E_INVALID_ARGUMENT on
// mismatched shapes or storage, or a width this processor cannot run.
PackedLinear packLinear(const std::vector<at::Tensor>& weights, const std::vector<at::Tensor>& biases = {},
                        const at::Tensor& storage = {}, int64_t width = 0);

// Work fused into one packedLinear call, saving a decode step the separate passes
// (and their dispatch) over its few rows. Each gives the same bits as the unfused ops.
struct PackedExtras {
  at::Tensor normWeight;  // [K]: the input rows are first RMS-normalised (kernels::rmsNorm)
  double normEps = 1e-6;
  at::Tensor residual;    // [..., N_0]: added to the first segment's output
  at::Tensor up;          // [..., K]: x is a gate and the product reads silu(x)·up (kernels::swigluRow); no norm with it
};

// x: [..., K] → one [..., N_s] tensor per segment (x·W_sᵀ + b_s), with `extras`
// applied. Requires packedLinearApplies(x); no autograd.
std::vector<at::Tensor> packedLinear(const at::Tensor& x, const PackedLinear& w, const PackedExtras& extras = {});

}  // namespace datarus::kernels
