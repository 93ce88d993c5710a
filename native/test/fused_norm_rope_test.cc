// fused_norm_rope_test.cc — the fused decode loops against their ATen reference.
#include <gtest/gtest.h>

#include "fused_norm_rope.h"

using namespace datarus::kernels;

TEST(FusedNormRope, RmsNormMatchesAten) {
  at::NoGradGuard g;
  at::Tensor x = at::randn({3, 2, 96}), w = at::randn({96});
  at::Tensor ref = w * (x * at::rsqrt(x.pow(2).mean(-1, true) + 1e-5));
  ASSERT_TRUE(fusedApplies(x));
  double d = (rmsNorm(x, w, 1e-5) - ref).abs().max().item<double>();
  std::printf("[fused] rmsnorm max |fused - aten| = %.3g\n", d);
  EXPECT_LT(d, 1e-5);
}

TEST(FusedNormRope, SwigluMatchesAtenSiluTimesUp) {
  at::NoGradGuard g;
  // Typical activations, then the tails where e^−g leaves the exponential's range.
  at::Tensor gate = at::cat({at::randn({1000}) * 4, at::tensor({-200.0f, -90.0f, -88.0f, 0.0f, 88.0f, 90.0f, 200.0f})});
  at::Tensor up = at::randn({gate.numel()});
  at::Tensor out = at::empty_like(gate);
  swigluRow(gate.data_ptr<float>(), up.data_ptr<float>(), gate.numel(), out.data_ptr<float>());
  at::Tensor ref = (at::silu(gate.to(at::kDouble)) * up.to(at::kDouble)).to(at::kFloat);
  const double d = ((out - ref).abs() / (ref.abs() + 1e-6)).max().item<double>();
  std::printf("[fused] swiglu max relative |fused - silu·up in fp64| = %.3g (tolerance 1e-6)\n", d);
  EXPECT_LT(d, 1e-6);
  EXPECT_TRUE(at::isfinite(out).all().item<bool>());
}

TEST(FusedNormRope, RopeMatchesAtenRotateHalf) {
  at::NoGradGuard g;
  for (int64_t rows : {1, 3}) {
    const int64_t B = 3, T = 4, Hh = 5, D = 8;
    at::Tensor x = at::randn({B, T, Hh, D});
    at::Tensor ang = at::randn({rows, T, 1, D / 2});
    at::Tensor emb = at::cat({ang, ang}, -1), cos = emb.cos(), sin = emb.sin();
    at::Tensor rot = at::cat({-x.narrow(-1, D / 2, D / 2), x.narrow(-1, 0, D / 2)}, -1);
    at::Tensor ref = x * cos + rot * sin;
    at::Tensor y = x.clone();
    ropeInPlace(y, cos, sin);
    double d = (y - ref).abs().max().item<double>();
    EXPECT_LT(d, 1e-6) << "table rows " << rows;
  }
  at::Tensor t = at::randn({2, 2}).requires_grad_();
  at::GradMode::set_enabled(true);
  EXPECT_FALSE(fusedApplies(t));  // autograd keeps the ATen path
}
