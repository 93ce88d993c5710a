// skinny_linear_test.cc — the decode kernel against at::linear, its reference.
#include <gtest/gtest.h>

#include "skinny_linear.h"

using namespace datarus::kernels;

TEST(SkinnyLinear, MatchesAtLinearForEveryRowCountAndOddShapes) {
  at::manual_seed(0);
  double worst = 0;
  for (int64_t rows : {1, 2, 3, 5, 8, 9, 13, 16})
    for (auto [N, K] : {std::pair<int64_t, int64_t>{37, 19}, {38, 24}, {576, 576}, {192, 576}, {70, 1536}}) {
      at::Tensor x = at::randn({rows, 1, K}), w = at::randn({N, K}), b = at::randn({N});
      at::Tensor want = at::linear(x, w, b), got = skinnyLinear(x, w, b);
      ASSERT_EQ(got.sizes(), want.sizes());
      double d = (got - want).abs().max().item<double>() / want.abs().max().item<double>();
      worst = std::max(worst, d);
      EXPECT_LT(d, 1e-5) << rows << " rows, " << N << "x" << K;
      EXPECT_TRUE(at::allclose(skinnyLinear(x, w, at::Tensor()), at::linear(x, w), 1e-4, 1e-4));
    }
  std::printf("[skinny] max relative |kernel - at::linear| = %.3g (applies here: %d)\n", worst,
              skinnyLinearApplies(at::randn({1, 8}), at::randn({4, 8})));
  // Beyond its cover it defers to at::linear.
  at::Tensor big = at::randn({40, 8}), w = at::randn({4, 8});
  EXPECT_FALSE(skinnyLinearApplies(big, w));
  EXPECT_TRUE(at::equal(skinnyLinear(big, w, at::Tensor()), at::linear(big, w)));
}
