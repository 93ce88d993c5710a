// decode_attention_test.cc — the fused decode attention against plain ATen
// softmax attention, with a shared prefix and rows of different lengths.
#include <gtest/gtest.h>

#include <cmath>

#include "decode_attention.h"

using namespace datarus::kernels;

TEST(DecodeAttention, MatchesSoftmaxAttentionWithPrefixAndRaggedRows) {
  at::NoGradGuard g;
  at::manual_seed(1);
  const int64_t B = 3, Hkv = 2, P = 7, cap = 12;
  std::vector<int64_t> lengths = {1, 5, 12};
  double worst = 0;
  // D = 12 takes the portable loops; 8, 16 and 64 the vectorised ones. G = 5 splits
  // the value mix into blocks of 4 and 1 heads.
  for (auto [G, D] : {std::pair<int64_t, int64_t>{3, 16}, {3, 64}, {5, 8}, {2, 12}})
  for (bool prefix : {true, false}) {
    const double scale = 1.0 / std::sqrt(double(D));
    at::Tensor q = at::randn({B, Hkv * G, D}), pk = at::randn({Hkv, P, D}), pv = at::randn({Hkv, P, D});
    at::Tensor k = at::randn({B, Hkv, cap, D}), v = at::randn({B, Hkv, cap, D});
    at::Tensor got = decodeAttention(q, prefix ? pk : at::Tensor(), prefix ? pv : at::Tensor(), k, v, lengths, scale);
    for (int64_t b = 0; b < B; ++b)
      for (int64_t head = 0; head < Hkv * G; ++head) {
        int64_t h = head / G;
        at::Tensor keys = k[b][h].narrow(0, 0, lengths[b]), vals = v[b][h].narrow(0, 0, lengths[b]);
        if (prefix) {
          keys = at::cat({pk[h], keys});
          vals = at::cat({pv[h], vals});
        }
        at::Tensor p = at::softmax(at::mv(keys, q[b][head]) * scale, 0);  // [P + len]
        at::Tensor want = at::mv(vals.t(), p);                             // [D]
        worst = std::max(worst, (got[b][head] - want).abs().max().item<double>());
      }
  }
  std::printf("[decode-attention] max |fused - softmax attention| = %.3g\n", worst);
  EXPECT_LT(worst, 1e-5);
}
