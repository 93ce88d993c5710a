// simd_test.cc — the vectorised exponential and reductions against the C library.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "simd.h"

using namespace datarus::kernels;

TEST(Simd, ExpMatchesLibmOverTheSoftmaxRange) {
  if (!simd::cpuHasAvx2Fma()) GTEST_SKIP() << "no AVX2/FMA on this processor: the portable loops are used instead";
  // A dense grid over [-87, 20] plus the points where range reduction changes n.
  std::vector<float> x;
  for (float t = -87.0f; t <= 20.0f; t += 0.0137f) x.push_back(t);
  for (int n = -120; n <= 28; ++n) x.push_back(static_cast<float>((n + 0.5) * 0.6931471805599453));
  std::vector<float> got(x.size());
  const double sum = simd::expShifted(x.data(), got.data(), static_cast<int64_t>(x.size()), 1.0f, 0.0f);
  double worst = 0, want = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double e = std::exp(static_cast<double>(x[i]));
    want += e;
    worst = std::max(worst, std::abs(got[i] - e) / e);
  }
  std::printf("[simd] max relative |exp - libm| = %.3g over %zu points\n", worst, x.size());
  EXPECT_LT(worst, 5e-7);
  EXPECT_NEAR(sum / want, 1.0, 1e-5);
  // Far below the range: tiny and finite, never NaN or negative.
  float low[9] = {-1000, -200, -100, -88, -87.5f, -90, -150, -1e30f, -INFINITY}, lowOut[9];
  simd::expShifted(low, lowOut, 9, 1.0f, 0.0f);
  for (float e : lowOut) EXPECT_TRUE(e >= 0 && e < 1e-37f) << e;
}

TEST(Simd, ShiftScaleMaxAndTails) {
  if (!simd::cpuHasAvx2Fma()) GTEST_SKIP() << "no AVX2/FMA on this processor";
  for (int64_t n : {1, 7, 8, 9, 31}) {
    std::vector<float> in(static_cast<size_t>(n)), out(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) in[i] = std::sin(0.7f * i) * 5;
    const float m = simd::max(in.data(), n);
    EXPECT_EQ(m, *std::max_element(in.begin(), in.end()));
    const double sum = simd::expShifted(in.data(), out.data(), n, 0.5f, m * 0.5f);
    double want = 0;
    for (int64_t i = 0; i < n; ++i) {
      const double e = std::exp(0.5 * in[i] - 0.5 * m);
      EXPECT_NEAR(out[i], e, 1e-6 * e) << i;
      want += e;
    }
    EXPECT_NEAR(sum, want, 1e-6 * want);
  }
}

namespace {
__attribute__((target("avx2,fma"))) void laneSums(const float (*lanes)[8], float* out) {
  __m256 x[8];
  for (int v = 0; v < 8; ++v) x[v] = _mm256_loadu_ps(lanes[v]);
  _mm256_storeu_ps(out, simd::hsum8(x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7]));
}
}  // namespace

TEST(Simd, LaneSumsOfEightVectors) {
  if (!simd::cpuHasAvx2Fma()) GTEST_SKIP() << "no AVX2/FMA on this processor";
  float lanes[8][8], got[8];
  for (int v = 0; v < 8; ++v)
    for (int l = 0; l < 8; ++l) lanes[v][l] = static_cast<float>((v + 1) * 100 + l * l) * (l % 2 ? -0.5f : 1.0f);
  laneSums(lanes, got);
  for (int v = 0; v < 8; ++v) {
    double want = 0;
    for (int l = 0; l < 8; ++l) want += lanes[v][l];
    EXPECT_EQ(got[v], want) << "vector " << v;  // integers and halves below 2^24: exact in any order
  }
}
