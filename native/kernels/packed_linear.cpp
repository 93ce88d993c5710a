// packed_linear.cpp — panel packing and the outer-product decode kernel.
#include "packed_linear.h"

#include <ATen/Parallel.h>
#include <immintrin.h>

#include <algorithm>

#include "error.h"
#include "simd.h"

namespace datarus::kernels {

namespace {

constexpr int64_t W = kPanelWidth;
constexpr int64_t kPrefetchFloats = 512;  // 2 KiB ahead in each panel stream
constexpr int64_t kChunkPanels = 12;      // a multiple of every panelsAtOnce(); ≤ 600 KiB at K = 1536

// Panels processed side by side for MB rows: enough independent accumulator
// chains to hide the FMA latency (NP·MB of them) within 16 vector registers.
constexpr int panelsAtOnce(int MB) { return MB == 1 ? 6 : MB == 2 ? 4 : MB == 3 ? 3 : MB <= 6 ? 2 : 1; }

// acc[j][i] = Σ_k x[i, k] · panel_j[k, :] for NP consecutive panels and MB rows of x
// (row stride K); the 8 lanes of acc[j][i] are out[j][i][0..7].
template <int MB, int NP>
__attribute__((target("avx2,fma"))) void panelTile(const float* x, int64_t K, const float* panel, float* out) {
  __m256 acc[NP][MB];
  for (int j = 0; j < NP; ++j)
    for (int i = 0; i < MB; ++i) acc[j][i] = _mm256_setzero_ps();
  const int64_t stride = K * W;  // floats per panel
  for (int64_t k = 0; k < K; ++k) {
    const float* row = panel + k * W;
    if ((k & 1) == 0)  // one prefetch per 64-byte line of each stream
      for (int j = 0; j < NP; ++j)
        _mm_prefetch(reinterpret_cast<const char*>(row + j * stride + kPrefetchFloats), _MM_HINT_T0);
    __m256 w[NP];
    for (int j = 0; j < NP; ++j) w[j] = _mm256_loadu_ps(row + j * stride);
    for (int i = 0; i < MB; ++i) {
      const __m256 xb = _mm256_broadcast_ss(x + i * K + k);
      for (int j = 0; j < NP; ++j) acc[j][i] = _mm256_fmadd_ps(xb, w[j], acc[j][i]);
    }
  }
  for (int j = 0; j < NP; ++j)
    for (int i = 0; i < MB; ++i) _mm256_storeu_ps(out + (j * MB + i) * W, acc[j][i]);
}

// Everything one parallel task needs to write its panels' results.
struct Outputs {
  const PackedLinear& w;
  std::vector<float*> data;         // per segment: [R, N_s] row-major
  std::vector<const float*> bias;   // per segment, nullptr when absent
};

// Adds the bias and writes panel p's results for rows r0 .. r0+MB-1; tile is [MB][8].
void storePanel(const Outputs& o, int64_t p, int64_t r0, int MB, const float* tile) {
  const int32_t s = o.w.segment[static_cast<size_t>(p)];
  const int64_t N = o.w.widths[static_cast<size_t>(s)], c0 = o.w.column[static_cast<size_t>(p)];
  const int64_t n = std::min<int64_t>(W, N - c0);
  const float* b = o.bias[static_cast<size_t>(s)];
  for (int i = 0; i < MB; ++i) {
    float* dst = o.data[static_cast<size_t>(s)] + (r0 + i) * N + c0;
    for (int64_t c = 0; c < n; ++c) dst[c] = tile[i * W + c] + (b ? b[c0 + c] : 0.0f);
  }
}

// Panels [p0, p1) for MB rows starting at r0: NP at a time, then one at a time.
template <int MB>
void panelRange(const Outputs& o, const float* x, int64_t p0, int64_t p1, int64_t r0) {
  constexpr int NP = panelsAtOnce(MB);
  const int64_t K = o.w.K;
  const float* panels = o.w.panels.data_ptr<float>();
  float tile[NP * MB * W];
  int64_t p = p0;
  for (; p + NP <= p1; p += NP) {
    panelTile<MB, NP>(x + r0 * K, K, panels + p * K * W, tile);
    for (int j = 0; j < NP; ++j) storePanel(o, p + j, r0, MB, tile + j * MB * W);
  }
  for (; p < p1; ++p) {
    panelTile<MB, 1>(x + r0 * K, K, panels + p * K * W, tile);
    storePanel(o, p, r0, MB, tile);
  }
}

using RangeFn = void (*)(const Outputs&, const float*, int64_t, int64_t, int64_t);
constexpr RangeFn kRanges[] = {nullptr,         panelRange<1>, panelRange<2>, panelRange<3>, panelRange<4>,
                               panelRange<5>, panelRange<6>, panelRange<7>, panelRange<8>};

}  // namespace

bool packedLinearSupports(at::Device device, at::ScalarType dtype) {
  return simd::cpuHasAvx2Fma() && device.is_cpu() && dtype == at::kFloat;
}

bool packedLinearApplies(const at::Tensor& x) {
  return packedLinearSupports(x.device(), x.scalar_type()) && x.dim() >= 1 && x.size(-1) > 0 &&
         x.numel() / x.size(-1) <= kPackedMaxRows;
}

PackedLinear packLinear(const std::vector<at::Tensor>& weights, const std::vector<at::Tensor>& biases) {
  check(!weights.empty(), code::kInvalidArgument, "nothing to pack");
  check(biases.empty() || biases.size() == weights.size(), code::kInvalidArgument, "one bias per weight, or none");
  PackedLinear out;
  out.K = weights[0].size(1);
  for (size_t s = 0; s < weights.size(); ++s) {
    const at::Tensor& w = weights[s];
    check(w.dim() == 2 && w.size(1) == out.K && w.device().is_cpu() && w.scalar_type() == at::kFloat,
          code::kInvalidArgument, "packed weights must be CPU fp32 [N, ", out.K, "], got ", w.sizes());
    at::Tensor b = s < biases.size() ? biases[s] : at::Tensor();
    check(!b.defined() || (b.dim() == 1 && b.size(0) == w.size(0)), code::kInvalidArgument, "bias must be [",
          w.size(0), "]");
    out.widths.push_back(w.size(0));
    out.biases.push_back(b.defined() ? b.detach().to(at::kFloat).contiguous() : at::Tensor());
    for (int64_t c = 0; c < w.size(0); c += W) {
      out.segment.push_back(static_cast<int32_t>(s));
      out.column.push_back(static_cast<int32_t>(c));
    }
  }
  const int64_t P = static_cast<int64_t>(out.segment.size()), K = out.K;
  out.panels = at::empty({P, K, W}, at::kFloat);  // [P, K, 8]
  std::vector<at::Tensor> src;
  for (const auto& w : weights) src.push_back(w.detach().contiguous());
  float* dst = out.panels.data_ptr<float>();
  at::parallel_for(0, P, 16, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      const at::Tensor& w = src[static_cast<size_t>(out.segment[static_cast<size_t>(p)])];
      const int64_t c0 = out.column[static_cast<size_t>(p)], n = std::min<int64_t>(W, w.size(0) - c0);
      const float* rows[W];  // the panel's weight rows; padding columns read zeros
      std::vector<float> pad(n < W ? static_cast<size_t>(K) : 0, 0.0f);
      for (int64_t c = 0; c < W; ++c) rows[c] = c < n ? w.data_ptr<float>() + (c0 + c) * K : pad.data();
      float* panel = dst + p * K * W;  // written in order: k-major, 8 columns each
      for (int64_t k = 0; k < K; ++k)
        for (int64_t c = 0; c < W; ++c) panel[k * W + c] = rows[c][k];
    }
  });
  return out;
}

std::vector<at::Tensor> packedLinear(const at::Tensor& xIn, const PackedLinear& w) {
  check(packedLinearApplies(xIn) && xIn.size(-1) == w.K, code::kInvalidArgument, "packedLinear needs CPU fp32 [..., ",
        w.K, "] with at most ", kPackedMaxRows, " rows, got ", xIn.sizes());
  const int64_t K = w.K;
  at::Tensor x = xIn.reshape({-1, K}).contiguous();  // [R, K]
  const int64_t R = x.size(0), P = static_cast<int64_t>(w.segment.size());
  std::vector<at::Tensor> outs;
  Outputs o{w, {}, {}};
  for (size_t s = 0; s < w.widths.size(); ++s) {
    outs.push_back(at::empty({R, w.widths[s]}, x.options()));  // [R, N_s]
    o.data.push_back(outs.back().data_ptr<float>());
    o.bias.push_back(w.biases[s].defined() ? w.biases[s].data_ptr<float>() : nullptr);
  }
  const float* xp = x.data_ptr<float>();
  // Grain: at least 64 KiB of weights per task, to amortise scheduling.
  const int64_t grain = std::max<int64_t>(1, (64 * 1024 / 4) / (K * W));
  at::parallel_for(0, P, grain, [&](int64_t p0, int64_t p1) {
    // Beyond 8 rows the panels are reused from cache: a chunk of them for every block of rows.
    for (int64_t c0 = p0; c0 < p1; c0 += kChunkPanels)
      for (int64_t r0 = 0; r0 < R; r0 += 8)
        kRanges[std::min<int64_t>(8, R - r0)](o, xp, c0, std::min(p1, c0 + kChunkPanels), r0);
  });
  for (size_t s = 0; s < outs.size(); ++s) {
    std::vector<int64_t> shape(xIn.sizes().begin(), xIn.sizes().end());
    shape.back() = w.widths[s];
    outs[s] = outs[s].view(shape);
  }
  return outs;
}

}  // namespace datarus::kernels
