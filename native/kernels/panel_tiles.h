// panel_tiles.h — the inner kernels of packed_linear.cpp: a few input rows times a
// few consecutive weight panels, for each panel width.
//
// A tile call multiplies MB rows of x, given transposed (xt[k·MB + i] = x[i, k]),
// by NP consecutive panels of width Wd (panel j is [K, Wd], panels K·Wd floats
// apart) and writes out[(j·MB + i)·Wd + c] = Σ_k x[i, k] · panel_j[k, c]. Every
// output is one fp32 lane accumulating k = 0 .. K-1 in order with fused
// multiply-adds, whatever MB, NP or Wd: a row's result does not depend on the
// rows it shares a call with, nor on the panel width.
//
//   width 8:  AVX2+FMA, one 8-float register per panel row (panel_tiles_avx2.cpp)
//   width 16: AVX-512F, one 16-float register per panel row (panel_tiles_avx512.cpp)
#pragma once

#include <cstdint>

namespace datarus::kernels::tiles {

// xt: [K, MB]; panel: NP panels [K, Wd]; out: [NP, MB, Wd]. `next`: the first
// panel the calling thread reads after these (a prefetch hint), or null.
using TileFn = void (*)(const float* xt, int64_t K, const float* panel, float* out, const float* next);

inline constexpr int kMaxPanels = 6;  // the largest NP of any tile

struct Tile {
  int panels = 0;         // NP of `many` (at most kMaxPanels)
  TileFn many = nullptr;  // NP panels at once
  TileFn one = nullptr;   // a single panel (the tail of a range)
};

// The tile kernels for `rows` (1 .. 8) input rows at this panel width (8 or 16).
Tile tileFor(int64_t width, int rows);

// Panels in a chunk of the many-row path (rows beyond 8): every Tile::panels of
// this width divides it, and a chunk of K = 1536 stays well inside L2.
int64_t chunkPanels(int64_t width);

// Per width, for packed_linear.cpp's table; each defined in its own file.
Tile avx2Tile(int rows);
Tile avx512Tile(int rows);

}  // namespace datarus::kernels::tiles
