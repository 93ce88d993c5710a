// panel_tiles_avx2.cpp — tile kernels for panels 8 wide (one AVX2 register).
//
// Each 8-float load of a panel row feeds one FMA per input row against a broadcast
// input value (outer-product form). For 8 rows, three panels go together as two
// halves of 4 rows over L1-sized blocks of k, so that fewer loads feed each FMA.
#include <immintrin.h>

#include <algorithm>

#include "panel_tiles.h"

namespace datarus::kernels::tiles {

namespace {

constexpr int W = 8;
constexpr int64_t kPrefetchFloats = 512;  // 2 KiB ahead in each panel stream
constexpr int64_t kBlockK = 64;           // panelTile8's k block: 3 panels × 64 k × 32 B = 6 KiB of L1

// Panels processed side by side for MB rows: enough independent accumulator
// chains to hide the FMA latency (NP·MB of them) within 16 vector registers.
constexpr int panelsAtOnce(int MB) { return MB == 1 ? 6 : MB == 2 ? 4 : MB == 3 ? 3 : MB <= 6 ? 2 : 1; }

// One k of panelTile: acc[j][i] += x[i, k] · panel_j[k, :].
template <int MB, int NP>
__attribute__((target("avx2,fma"), always_inline)) inline void panelStep(const float* xk, const float* row,
                                                                         int64_t stride, __m256 (&acc)[NP][MB]) {
  __m256 w[NP];
  for (int j = 0; j < NP; ++j) w[j] = _mm256_loadu_ps(row + j * stride);
  for (int i = 0; i < MB; ++i) {
    const __m256 xb = _mm256_broadcast_ss(xk + i);
    for (int j = 0; j < NP; ++j) acc[j][i] = _mm256_fmadd_ps(xb, w[j], acc[j][i]);
  }
}

// The tile for MB rows and NP panels; the 8 lanes of acc[j][i] are out[j][i][0..7].
// Unrolled by two k, the length of one 64-byte line of a panel, which gets one
// prefetch.
template <int MB, int NP>
__attribute__((target("avx2,fma"))) void panelTile(const float* xt, int64_t K, const float* panel, float* out,
                                                    const float*) {
  __m256 acc[NP][MB];
  for (int j = 0; j < NP; ++j)
    for (int i = 0; i < MB; ++i) acc[j][i] = _mm256_setzero_ps();
  const int64_t stride = K * W;  // floats per panel
  int64_t k = 0;
  for (; k + 2 <= K; k += 2) {
    for (int j = 0; j < NP; ++j)
      _mm_prefetch(reinterpret_cast<const char*>(panel + j * stride + k * W + kPrefetchFloats), _MM_HINT_T0);
    panelStep<MB, NP>(xt + k * MB, panel + k * W, stride, acc);
    panelStep<MB, NP>(xt + (k + 1) * MB, panel + (k + 1) * W, stride, acc);
  }
  if (k < K) panelStep<MB, NP>(xt + k * MB, panel + k * W, stride, acc);
  for (int j = 0; j < NP; ++j)
    for (int i = 0; i < MB; ++i) _mm256_storeu_ps(out + (j * MB + i) * W, acc[j][i]);
}

// panelTile for 8 rows and 3 panels, as two halves of 4 rows: 7 loads feed 12 FMAs
// (3 panel rows, 4 broadcasts) where panelTile<8, 1> needs 9 loads for 8, and the
// loads, not the FMAs, bound the kernel on AVX2 (~12% less time per decode step).
// K is walked in blocks of kBlockK: the first half streams a block in, the second
// re-reads it from L1, and the block after it is prefetched across both halves so
// that memory is requested at a steady rate; during the last block, the first
// block of `next` (the three panels this thread reads after these, or null) is.
// Between blocks the accumulators wait in `partial`; each output is still one fp32
// sum over k = 0 .. K-1 in order, so the bits equal panelTile's.
__attribute__((target("avx2,fma"))) void panelTile8(const float* xt, int64_t K, const float* panel, float* out,
                                                     const float* next) {
  constexpr int NP = 3, MB = 8, HALF = 4;
  alignas(32) float partial[NP][MB][W];
  const int64_t stride = K * W;
  for (int64_t k0 = 0; k0 < K; k0 += kBlockK) {
    const int64_t k1 = std::min(K, k0 + kBlockK);
    const float* ahead = k1 < K ? panel + k1 * W : next;  // the block to prefetch during this one
    for (int h = 0; h < 2; ++h) {
      __m256 acc[NP][HALF];
      for (int j = 0; j < NP; ++j)
        for (int i = 0; i < HALF; ++i) acc[j][i] = k0 ? _mm256_load_ps(partial[j][h * HALF + i]) : _mm256_setzero_ps();
      for (int64_t k = k0; k < k1; ++k) {
        if (ahead && ((k - k0) & 3) == 0) {  // one 64-byte line per panel every 4 k: half a block per half
          const int64_t line = h * (kBlockK / 4) + (k - k0) / 4;
          for (int j = 0; j < NP; ++j)
            _mm_prefetch(reinterpret_cast<const char*>(ahead + j * stride + line * 16), _MM_HINT_T0);
        }
        __m256 w[NP];
        for (int j = 0; j < NP; ++j) w[j] = _mm256_loadu_ps(panel + j * stride + k * W);
        const float* xk = xt + k * MB + h * HALF;
        for (int i = 0; i < HALF; ++i) {
          const __m256 xb = _mm256_broadcast_ss(xk + i);
          for (int j = 0; j < NP; ++j) acc[j][i] = _mm256_fmadd_ps(xb, w[j], acc[j][i]);
        }
      }
      for (int j = 0; j < NP; ++j)
        for (int i = 0; i < HALF; ++i) _mm256_store_ps(partial[j][h * HALF + i], acc[j][i]);
    }
  }
  for (int j = 0; j < NP; ++j)
    for (int i = 0; i < MB; ++i) _mm256_storeu_ps(out + (j * MB + i) * W, _mm256_load_ps(partial[j][i]));
}

template <int MB>
Tile tile() {
  static_assert(panelsAtOnce(MB) <= kMaxPanels, "packed_linear.cpp's tile buffer holds kMaxPanels panels");
  if constexpr (MB == 8) return {3, panelTile8, panelTile<8, 1>};
  return {panelsAtOnce(MB), panelTile<MB, panelsAtOnce(MB)>, panelTile<MB, 1>};
}

}  // namespace

Tile avx2Tile(int rows) {
  static const Tile table[] = {tile<1>(), tile<2>(), tile<3>(), tile<4>(), tile<5>(), tile<6>(), tile<7>(), tile<8>()};
  return table[rows - 1];
}

}  // namespace datarus::kernels::tiles
