// packed_linear.cpp — panel packing and the outer-product decode kernel.
#include "packed_linear.h"

#include <ATen/Parallel.h>
#include <immintrin.h>

#include <algorithm>

#include "error.h"
#include "fused_norm_rope.h"
#include "panel_tiles.h"
#include "simd.h"
#include "work_queue.h"

namespace datarus::kernels {

namespace {

constexpr int64_t kMaxWidth = 16;

// xt[k·8 + i] = x[i·K + k] for 8 rows of x: 8×8 blocks transposed in registers.
__attribute__((target("avx2,fma"))) void transpose8(const float* x, int64_t K, float* xt) {
  int64_t k = 0;
  for (; k + 8 <= K; k += 8) {
    __m256 r[8], t[8];
    for (int i = 0; i < 8; ++i) r[i] = _mm256_loadu_ps(x + i * K + k);
    for (int i = 0; i < 8; i += 2) {  // pairs of rows interleaved
      t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
      t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
    }
    for (int i = 0; i < 8; i += 4)  // quads of rows
      for (int h = 0; h < 2; ++h) {
        r[i + 2 * h] = _mm256_shuffle_ps(t[i + h], t[i + h + 2], _MM_SHUFFLE(1, 0, 1, 0));
        r[i + 2 * h + 1] = _mm256_shuffle_ps(t[i + h], t[i + h + 2], _MM_SHUFFLE(3, 2, 3, 2));
      }
    // r[0..3]: rows 0-3 at k+{0,1,2,3} (low lane) and k+{4..7} (high lane); r[4..7]: rows 4-7.
    for (int c = 0; c < 4; ++c) {
      _mm256_storeu_ps(xt + (k + c) * 8, _mm256_permute2f128_ps(r[c], r[c + 4], 0x20));
      _mm256_storeu_ps(xt + (k + c + 4) * 8, _mm256_permute2f128_ps(r[c], r[c + 4], 0x31));
    }
  }
  for (; k < K; ++k)
    for (int i = 0; i < 8; ++i) xt[k * 8 + i] = x[i * K + k];
}

// The mb rows of x [mb, K] in panelTile's layout xt [K, mb]; one row is its own transpose.
const float* transposeRows(const float* x, int64_t K, int64_t mb, float* xt) {
  if (mb == 1) return x;
  if (mb == 8) {
    transpose8(x, K, xt);
    return xt;
  }
  for (int64_t i = 0; i < mb; ++i)
    for (int64_t k = 0; k < K; ++k) xt[k * mb + i] = x[i * K + k];
  return xt;
}

// Everything one parallel task needs to write its panels' results.
struct Outputs {
  const PackedLinear& w;
  std::vector<float*> data;         // per segment: [R, N_s] row-major
  std::vector<const float*> bias;   // per segment, nullptr when absent
  const float* residual = nullptr;  // [R, N_0] added to segment 0, or nullptr
};

// dst[i·N + c] = (tile[i·8 + c] + bias[c]) + residual[i·N + c] for MB rows and 8
// columns; a missing bias adds 0, a missing residual nothing.
__attribute__((target("avx2,fma"))) void storeFullPanel8(float* dst, int64_t N, int MB, const float* tile,
                                                          const float* bias, const float* residual) {
  const __m256 b = bias ? _mm256_loadu_ps(bias) : _mm256_setzero_ps();
  for (int i = 0; i < MB; ++i) {
    __m256 v = _mm256_add_ps(_mm256_loadu_ps(tile + i * 8), b);
    if (residual) v = _mm256_add_ps(_mm256_loadu_ps(residual + i * N), v);
    _mm256_storeu_ps(dst + i * N, v);
  }
}

// storeFullPanel8 for 16 columns (tile [MB][16]): the same two adds per lane.
__attribute__((target("avx512f"))) void storeFullPanel16(float* dst, int64_t N, int MB, const float* tile,
                                                          const float* bias, const float* residual) {
  const __m512 b = bias ? _mm512_loadu_ps(bias) : _mm512_setzero_ps();
  for (int i = 0; i < MB; ++i) {
    __m512 v = _mm512_add_ps(_mm512_loadu_ps(tile + i * 16), b);
    if (residual) v = _mm512_add_ps(_mm512_loadu_ps(residual + i * N), v);
    _mm512_storeu_ps(dst + i * N, v);
  }
}

// Adds the bias and writes panel p's results for rows r0 .. r0+MB-1; tile is [MB][width].
void storePanel(const Outputs& o, int64_t p, int64_t r0, int MB, const float* tile) {
  const int64_t W = o.w.width;
  const int32_t s = o.w.segment[static_cast<size_t>(p)];
  const int64_t N = o.w.widths[static_cast<size_t>(s)], c0 = o.w.column[static_cast<size_t>(p)];
  const int64_t n = std::min<int64_t>(W, N - c0);
  const float* b = o.bias[static_cast<size_t>(s)];
  const float* res = s == 0 ? o.residual : nullptr;
  float* out = o.data[static_cast<size_t>(s)];
  if (n == W) {  // a full panel: the same two adds, a register of lanes at a time
    (W == 16 ? storeFullPanel16 : storeFullPanel8)(out + r0 * N + c0, N, MB, tile, b ? b + c0 : nullptr,
                                                   res ? res + r0 * N + c0 : nullptr);
    return;
  }
  for (int i = 0; i < MB; ++i) {
    float* dst = out + (r0 + i) * N + c0;
    for (int64_t c = 0; c < n; ++c) dst[c] = tile[i * W + c] + (b ? b[c0 + c] : 0.0f);
    if (res)
      for (int64_t c = 0; c < n; ++c) dst[c] = res[(r0 + i) * N + c0 + c] + dst[c];
  }
}

// Panels [p0, p1) for the mb rows starting at r0 (xt: those rows transposed,
// [K, mb]): the tile's NP at a time, then one at a time. pNext: the first panel
// this thread reads after these (to prefetch), or -1.
void panelRange(const Outputs& o, const tiles::Tile& tile, const float* xt, int64_t mb, int64_t p0, int64_t p1,
                int64_t r0, int64_t pNext) {
  const int64_t K = o.w.K, W = o.w.width, NP = tile.panels, stride = K * W;
  const float* panels = o.w.panels.data_ptr<float>();
  float out[tiles::kMaxPanels * 8 * kMaxWidth];  // [NP, mb, W]
  int64_t p = p0;
  for (; p + NP <= p1; p += NP) {
    const int64_t next = p + NP < p1 ? p + NP : pNext;
    tile.many(xt, K, panels + p * stride, out, next >= 0 ? panels + next * stride : nullptr);
    for (int64_t j = 0; j < NP; ++j) storePanel(o, p + j, r0, static_cast<int>(mb), out + j * mb * W);
  }
  for (; p < p1; ++p) {
    tile.one(xt, K, panels + p * stride, out, nullptr);
    storePanel(o, p, r0, static_cast<int>(mb), out);
  }
}

}  // namespace

namespace tiles {

Tile tileFor(int64_t width, int rows) { return width == 16 ? avx512Tile(rows) : avx2Tile(rows); }

int64_t chunkPanels(int64_t width) { return width == 16 ? 6 : 12; }  // ≤ 600 KiB of panels at K = 1536

}  // namespace tiles

int64_t defaultPanelWidth() { return panelWidthSupported(16) ? 16 : 8; }

bool panelWidthSupported(int64_t width) {
  return simd::cpuHasAvx2Fma() && (width == 8 || (width == 16 && simd::cpuHasAvx512f()));
}

bool packedLinearSupports(at::Device device, at::ScalarType dtype) {
  return simd::cpuHasAvx2Fma() && device.is_cpu() && dtype == at::kFloat;
}

bool packedLinearApplies(const at::Tensor& x) {
  return packedLinearSupports(x.device(), x.scalar_type()) && x.dim() >= 1 && x.size(-1) > 0 &&
         x.numel() / x.size(-1) <= kPackedMaxRows;
}

int64_t packedFloats(const std::vector<at::Tensor>& weights, int64_t width) {
  const int64_t W = width ? width : defaultPanelWidth();
  int64_t panels = 0;
  for (const auto& w : weights) panels += (w.size(0) + W - 1) / W;
  return weights.empty() ? 0 : panels * weights[0].size(1) * W;
}

PackedLinear packLinear(const std::vector<at::Tensor>& weights, const std::vector<at::Tensor>& biases,
                        const at::Tensor& storage, int64_t width) {
  check(!weights.empty(), code::kInvalidArgument, "nothing to pack");
  const int64_t W = width ? width : defaultPanelWidth();
  check(panelWidthSupported(W), code::kInvalidArgument, "panels ", W, " wide cannot run on this processor");
  check(biases.empty() || biases.size() == weights.size(), code::kInvalidArgument, "one bias per weight, or none");
  PackedLinear out;
  out.K = weights[0].size(1);
  out.width = W;
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
  if (storage.defined()) {
    check(storage.device().is_cpu() && storage.scalar_type() == at::kFloat && storage.is_contiguous() &&
              storage.numel() >= P * K * W,
          code::kInvalidArgument, "panel storage must be contiguous CPU fp32 of at least ", P * K * W, " floats");
    out.panels = storage.reshape({-1}).narrow(0, 0, P * K * W).view({P, K, W});  // [P, K, W]
  } else {
    out.panels = at::empty({P, K, W}, at::kFloat);  // [P, K, W]
  }
  std::vector<at::Tensor> src;
  for (const auto& w : weights) src.push_back(w.detach().contiguous());
  float* dst = out.panels.data_ptr<float>();
  at::parallel_for(0, P, 16, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      const at::Tensor& w = src[static_cast<size_t>(out.segment[static_cast<size_t>(p)])];
      const int64_t c0 = out.column[static_cast<size_t>(p)], n = std::min<int64_t>(W, w.size(0) - c0);
      const float* rows[kMaxWidth];  // the panel's weight rows; padding columns read zeros
      std::vector<float> pad(n < W ? static_cast<size_t>(K) : 0, 0.0f);
      for (int64_t c = 0; c < W; ++c) rows[c] = c < n ? w.data_ptr<float>() + (c0 + c) * K : pad.data();
      float* panel = dst + p * K * W;  // written in order: k-major, W columns each
      for (int64_t k = 0; k < K; ++k)
        for (int64_t c = 0; c < W; ++c) panel[k * W + c] = rows[c][k];
    }
  });
  return out;
}

std::vector<at::Tensor> packedLinear(const at::Tensor& xIn, const PackedLinear& w, const PackedExtras& extras) {
  check(packedLinearApplies(xIn) && xIn.size(-1) == w.K, code::kInvalidArgument, "packedLinear needs CPU fp32 [..., ",
        w.K, "] with at most ", kPackedMaxRows, " rows, got ", xIn.sizes());
  const int64_t K = w.K;
  const at::Tensor x = xIn.is_contiguous() ? xIn : xIn.contiguous();  // [..., K]: R rows
  const int64_t R = x.numel() / K, P = static_cast<int64_t>(w.segment.size());
  const at::Tensor& g = extras.normWeight;
  check(!g.defined() || (g.dim() == 1 && g.size(0) == K && g.is_contiguous() && g.scalar_type() == at::kFloat),
        code::kInvalidArgument, "norm weight must be contiguous fp32 [", K, "]");
  const at::Tensor& u = extras.up;
  check(!u.defined() || (u.scalar_type() == at::kFloat && u.is_contiguous() && u.numel() == R * K && !g.defined()),
        code::kInvalidArgument, "up must be contiguous fp32 with ", R, "x", K, " values, and not with a norm");
  const at::Tensor res = extras.residual.defined() ? extras.residual.contiguous() : at::Tensor();
  check(!res.defined() || (res.scalar_type() == at::kFloat && res.numel() == R * w.widths[0]), code::kInvalidArgument,
        "residual must be fp32 with ", R, "x", w.widths[0], " values");
  std::vector<at::Tensor> outs;
  Outputs o{w, {}, {}, res.defined() ? res.data_ptr<float>() : nullptr};
  std::vector<int64_t> shape(xIn.sizes().begin(), xIn.sizes().end());
  for (size_t s = 0; s < w.widths.size(); ++s) {
    shape.back() = w.widths[s];
    outs.push_back(at::empty(shape, x.options()));  // [..., N_s]: [R, N_s] row-major
    o.data.push_back(outs.back().data_ptr<float>());
    o.bias.push_back(w.biases[s].defined() ? w.biases[s].data_ptr<float>() : nullptr);
  }
  const float* xp = x.data_ptr<float>();
  const float* gp = g.defined() ? g.data_ptr<float>() : nullptr;
  const float* up = u.defined() ? u.data_ptr<float>() : nullptr;
  // Work items: one tile call's panels for up to 8 rows; a chunk of
  // tiles::chunkPanels, reused from cache by every block of 8 rows, beyond. Threads
  // walk them in pairs from both ends (work_queue.h).
  tiles::Tile tile[(kPackedMaxRows + 7) / 8];  // per block of 8 rows
  for (int64_t r0 = 0; r0 < R; r0 += 8)
    tile[r0 / 8] = tiles::tileFor(w.width, static_cast<int>(std::min<int64_t>(8, R - r0)));
  const int64_t unit = R <= 8 ? tile[0].panels : tiles::chunkPanels(w.width);
  const int64_t items = (P + unit - 1) / unit;
  const int64_t walkers = std::max<int64_t>(1, std::min<int64_t>(at::get_num_threads(), items));
  PairedQueue queue(items, walkers);
  onEachThread(walkers, [&](int64_t walker) {
    // Each thread prepares the input for itself: RMS-normalised or gated when
    // asked, then transposed in blocks of up to 8 rows, each [K, rows].
    thread_local std::vector<float> prepared, transposed;
    const float* rows = xp;
    if (gp || up) {
      prepared.resize(static_cast<size_t>(R * K));
      for (int64_t r = 0; r < R; ++r) {
        if (gp) rmsNormRow(xp + r * K, gp, K, extras.normEps, prepared.data() + r * K);
        else swigluRow(xp + r * K, up + r * K, K, prepared.data() + r * K);
      }
      rows = prepared.data();
    }
    transposed.resize(static_cast<size_t>(R * K));
    const float* xt[(kPackedMaxRows + 7) / 8];
    for (int64_t r0 = 0; r0 < R; r0 += 8)
      xt[r0 / 8] = transposeRows(rows + r0 * K, K, std::min<int64_t>(8, R - r0), transposed.data() + r0 * K);
    PairedQueue::Cursor cursor = queue.cursor(walker);
    for (int64_t item; queue.take(cursor, &item);) {
      const int64_t p0 = item * unit, p1 = std::min(P, p0 + unit), next = queue.peek(cursor);
      for (int64_t r0 = 0; r0 < R; r0 += 8)
        panelRange(o, tile[r0 / 8], xt[r0 / 8], std::min<int64_t>(8, R - r0), p0, p1, r0,
                   next >= 0 ? next * unit : -1);
    }
  });
  return outs;
}

}  // namespace datarus::kernels
