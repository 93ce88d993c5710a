// packed_linear_test.cc — the panel decode kernel against at::linear in double.
#include <gtest/gtest.h>

#include "error.h"
#include "fused_norm_rope.h"
#include "huge_pages.h"
#include "packed_linear.h"
#include "simd.h"

using namespace datarus::kernels;

namespace {
double relErr(const at::Tensor& got, const at::Tensor& want) {
  return (got.to(at::kDouble) - want).abs().max().item<double>() / want.abs().max().item<double>();
}

// The panel widths this processor runs: 8, and 16 with AVX-512F.
std::vector<int64_t> panelWidths() {
  std::vector<int64_t> out;
  for (int64_t w : {8, 16})
    if (panelWidthSupported(w)) out.push_back(w);
  return out;
}
}  // namespace

TEST(PackedLinear, MatchesLinearInDoubleForEveryRowCountSegmentsAndOddShapes) {
  if (!simd::cpuHasAvx2Fma()) GTEST_SKIP() << "no AVX2+FMA: the model uses at::linear";
  at::manual_seed(0);
  double worst = 0;
  for (auto [K, widths] : std::vector<std::pair<int64_t, std::vector<int64_t>>>{
           {19, {37}}, {24, {38, 5, 16}}, {576, {576, 192, 192}}, {1536, {70}}, {64, {8, 9, 7, 1}},
           {130, {50, 30}}}) {
    std::vector<at::Tensor> ws, bs;
    for (int64_t n : widths) {
      ws.push_back(at::randn({n, K}));
      bs.push_back(at::randn({n}));
    }
    for (int64_t width : panelWidths()) {
    PackedLinear packed = packLinear(ws, bs, {}, width), plain = packLinear(ws, {}, {}, width);
    for (int64_t rows : {1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 16}) {
      at::Tensor x = at::randn({rows, 1, K});
      std::vector<at::Tensor> got = packedLinear(x, packed), noBias = packedLinear(x, plain);
      ASSERT_EQ(got.size(), widths.size());
      for (size_t s = 0; s < widths.size(); ++s) {
        at::Tensor want = at::linear(x.to(at::kDouble), ws[s].to(at::kDouble), bs[s].to(at::kDouble));
        ASSERT_EQ(got[s].sizes(), want.sizes());
        const double d = relErr(got[s], want);
        worst = std::max(worst, d);
        EXPECT_LT(d, 5e-6) << rows << " rows, segment " << s << " of K=" << K << ", panels " << width << " wide";
        EXPECT_LT(relErr(noBias[s], at::linear(x.to(at::kDouble), ws[s].to(at::kDouble))), 5e-6);
      }
    }
    }
  }
  std::printf("[packed] max relative |kernel - linear in fp64| = %.3g (tolerance 5e-6)\n", worst);
}

TEST(PackedLinear, ARowsResultDoesNotDependOnTheOtherRowsOfTheCall) {
  if (!simd::cpuHasAvx2Fma()) GTEST_SKIP() << "no AVX2+FMA: the model uses at::linear";
  at::manual_seed(1);
  for (int64_t K : {576, 130})  // 130: the 8-wide 8-row kernel's k blocks end in a partial one
    for (int64_t width : panelWidths()) {
    PackedLinear w = packLinear({at::randn({200, K})}, {}, {}, width);
    at::Tensor x = at::randn({16, K});
    at::Tensor all = packedLinear(x, w)[0];  // [16, 200]
    for (int64_t rows : {1, 2, 3, 5, 7, 8, 11})
      for (int64_t r = 0; r + rows <= 16; r += rows)
        EXPECT_TRUE(at::equal(packedLinear(x.narrow(0, r, rows), w)[0], all.narrow(0, r, rows)))
            << rows << " rows from " << r << ", K=" << K << ", panels " << width << " wide";
    }
}

TEST(PackedLinear, EveryPanelWidthGivesTheSameBits) {
  if (!simd::cpuHasAvx2Fma()) GTEST_SKIP() << "no AVX2+FMA: the model uses at::linear";
  if (!panelWidthSupported(16)) GTEST_SKIP() << "no AVX-512F: only 8-wide panels run here";
  EXPECT_EQ(defaultPanelWidth(), 16);
  at::manual_seed(5);
  for (auto [K, widths] : std::vector<std::pair<int64_t, std::vector<int64_t>>>{{576, {576, 192, 192}}, {130, {37, 9}}}) {
    std::vector<at::Tensor> ws, bs;
    for (int64_t n : widths) {
      ws.push_back(at::randn({n, K}));
      bs.push_back(at::randn({n}));
    }
    PackedLinear narrow = packLinear(ws, bs, {}, 8), wide = packLinear(ws, bs, {}, 16);
    EXPECT_EQ(narrow.panels.size(2), 8);
    EXPECT_EQ(wide.panels.size(2), 16);
    for (int64_t rows = 1; rows <= kPackedMaxRows; ++rows) {
      at::Tensor x = at::randn({rows, K}), res = at::randn({rows, widths[0]});
      std::vector<at::Tensor> a = packedLinear(x, narrow, {{}, 0, res, {}}), b = packedLinear(x, wide, {{}, 0, res, {}});
      for (size_t s = 0; s < widths.size(); ++s)
        EXPECT_TRUE(at::equal(a[s], b[s])) << rows << " rows, segment " << s << ", K=" << K;
    }
  }
}

TEST(PackedLinear, PacksIntoASliceOfAHugePageBufferAsIntoItsOwn) {
  if (!simd::cpuHasAvx2Fma()) GTEST_SKIP() << "no AVX2+FMA: the model uses at::linear";
  at::manual_seed(2);
  const std::vector<at::Tensor> ws = {at::randn({37, 64}), at::randn({16, 64})};
  const int64_t n = packedFloats(ws);
  EXPECT_EQ(packedFloats(ws, 8), (5 + 2) * 64 * 8);  // ceil(37/8) + 16/8 panels of [64, 8]
  EXPECT_EQ(packedFloats(ws, 16), (3 + 1) * 64 * 16);  // ceil(37/16) + 16/16 panels of [64, 16]
  at::Tensor buffer = datarus::hugePageEmpty(n + 100);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(buffer.data_ptr()) % datarus::kHugePageBytes, 0u);
  buffer.fill_(-7.0f);
  PackedLinear inBuffer = packLinear(ws, {}, buffer.narrow(0, 50, n)), own = packLinear(ws);
  EXPECT_EQ(inBuffer.panels.data_ptr<float>(), buffer.data_ptr<float>() + 50);
  EXPECT_TRUE(at::equal(inBuffer.panels, own.panels));
  EXPECT_TRUE(at::equal(buffer.narrow(0, 0, 50), at::full({50}, -7.0f)));  // neighbours untouched
  EXPECT_TRUE(at::equal(buffer.narrow(0, 50 + n, 100 - 50), at::full({50}, -7.0f)));
  at::Tensor x = at::randn({3, 64});
  for (size_t s = 0; s < ws.size(); ++s)
    EXPECT_TRUE(at::equal(packedLinear(x, inBuffer)[s], packedLinear(x, own)[s]));
  EXPECT_THROW(packLinear(ws, {}, buffer.narrow(0, 0, n - 1)), datarus::Error);
  EXPECT_THROW(packLinear(ws, {}, at::empty({n}, at::kDouble)), datarus::Error);
}

TEST(PackedLinear, FusedNormAndResidualGiveTheBitsOfTheSeparateOps) {
  if (!simd::cpuHasAvx2Fma()) GTEST_SKIP() << "no AVX2+FMA: the model uses at::linear";
  at::manual_seed(3);
  const int64_t K = 96;
  const std::vector<at::Tensor> ws = {at::randn({40, K}), at::randn({24, K})};
  PackedLinear w = packLinear(ws, {at::randn({40}), at::randn({24})});
  at::Tensor g = at::rand({K}) + 0.5;
  for (int64_t rows : {1, 3, 8, 11}) {
    at::Tensor x = at::randn({rows, 1, K}), res = at::randn({rows, 1, 40});
    std::vector<at::Tensor> fused = packedLinear(x, w, {g, 1e-5, res});
    std::vector<at::Tensor> apart = packedLinear(rmsNorm(x, g, 1e-5), w);
    EXPECT_TRUE(at::equal(fused[0], res + apart[0])) << rows << " rows";
    EXPECT_TRUE(at::equal(fused[1], apart[1])) << rows << " rows: the residual joins the first segment only";
  }
  EXPECT_THROW(packedLinear(at::randn({2, K}), w, {at::randn({K + 1}), 1e-5, {}}), datarus::Error);
  EXPECT_THROW(packedLinear(at::randn({2, K}), w, {{}, 0, at::randn({2, 41})}), datarus::Error);
}

TEST(PackedLinear, FusedSwigluGivesTheBitsOfTheSeparateActivation) {
  if (!simd::cpuHasAvx2Fma()) GTEST_SKIP() << "no AVX2+FMA: the model uses at::linear";
  at::manual_seed(4);
  const int64_t K = 100;
  PackedLinear w = packLinear({at::randn({48, K})});
  for (int64_t rows : {1, 5, 8, 13}) {
    at::Tensor gate = at::randn({rows, 1, K}) * 3, up = at::randn({rows, 1, K}), res = at::randn({rows, 1, 48});
    at::Tensor act = at::empty_like(gate);
    for (int64_t r = 0; r < rows; ++r)
      swigluRow(gate[r].data_ptr<float>(), up[r].data_ptr<float>(), K, act[r].data_ptr<float>());
    EXPECT_TRUE(at::equal(packedLinear(gate, w, {{}, 0, res, up})[0], res + packedLinear(act, w)[0])) << rows;
  }
  PackedExtras both{at::ones({K}), 1e-5, {}, at::randn({2, K})};
  EXPECT_THROW(packedLinear(at::randn({2, K}), w, both), datarus::Error);
  EXPECT_THROW(packedLinear(at::randn({2, K}), w, {{}, 0, {}, at::randn({3, K})}), datarus::Error);
}

TEST(PackedLinear, RefusesWhatItCannotServe) {
  EXPECT_THROW(packLinear({}), datarus::Error);
  EXPECT_THROW(packLinear({at::randn({4, 8}), at::randn({4, 9})}), datarus::Error);
  EXPECT_THROW(packLinear({at::randn({4, 8})}, {at::randn({5})}), datarus::Error);
  EXPECT_THROW(packLinear({at::randn({4, 8})}, {}, {}, 12), datarus::Error);  // no such panel width
  EXPECT_FALSE(packedLinearApplies(at::randn({kPackedMaxRows + 1, 8})));
  EXPECT_FALSE(packedLinearApplies(at::randn({2, 8}, at::kDouble)));
  if (simd::cpuHasAvx2Fma()) {
    PackedLinear w = packLinear({at::randn({4, 8})});
    EXPECT_THROW(packedLinear(at::randn({2, 9}), w), datarus::Error);
  }
}
