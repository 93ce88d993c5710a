// decode_attention_test.cc — the fused decode attention against plain ATen
// softmax attention, with a shared prefix and rows of different lengths.
#include <gtest/gtest.h>

#include <cmath>

#include "decode_attention.h"
#include "error.h"

using namespace datarus::kernels;

TEST(DecodeAttention, MatchesSoftmaxAttentionWithPrefixAndRaggedRows) {
  at::NoGradGuard g;
  at::manual_seed(1);
  const int64_t B = 3, Hkv = 2, P = 7, cap = 13;
  std::vector<int64_t> lengths = {0, 5, 12};  // cached slots before this step's token
  double worst = 0;
  // D = 12 takes the portable loops; 8, 16, 64 and 72 the vectorised ones (72: a
  // 64-wide pass and an 8-wide one). 1, 6 and 13 keys per row leave score tails
  // after the blocks of four.
  for (auto [G, D] : {std::pair<int64_t, int64_t>{3, 16}, {3, 64}, {5, 8}, {2, 12}, {2, 72}})
  for (bool prefix : {true, false}) {
    const double scale = 1.0 / std::sqrt(double(D));
    at::Tensor q = at::randn({B, Hkv * G, D}), pk = at::randn({Hkv, P, D}), pv = at::randn({Hkv, P, D});
    at::Tensor k = at::randn({B, Hkv, cap, D}), v = at::randn({B, Hkv, cap, D});
    at::Tensor newK = at::randn({B, Hkv, D}), newV = at::randn({B, Hkv, D});
    at::Tensor k0 = k.clone(), v0 = v.clone();
    at::Tensor got = decodeAttention(q, prefix ? pk : at::Tensor(), prefix ? pv : at::Tensor(), k, v, newK, newV,
                                     lengths, scale);
    for (int64_t b = 0; b < B; ++b) {
      // The new key and value land in slot lengths[b]; every other slot is untouched.
      at::Tensor wantK = k0[b].clone(), wantV = v0[b].clone();
      wantK.select(1, lengths[b]).copy_(newK[b]);
      wantV.select(1, lengths[b]).copy_(newV[b]);
      EXPECT_TRUE(at::equal(k[b], wantK)) << "row " << b;
      EXPECT_TRUE(at::equal(v[b], wantV)) << "row " << b;
      for (int64_t head = 0; head < Hkv * G; ++head) {
        int64_t h = head / G;
        at::Tensor keys = k[b][h].narrow(0, 0, lengths[b] + 1), vals = v[b][h].narrow(0, 0, lengths[b] + 1);
        if (prefix) {
          keys = at::cat({pk[h], keys});
          vals = at::cat({pv[h], vals});
        }
        at::Tensor p = at::softmax(at::mv(keys, q[b][head]) * scale, 0);  // [P + len + 1]
        at::Tensor want = at::mv(vals.t(), p);                             // [D]
        worst = std::max(worst, (got[b][head] - want).abs().max().item<double>());
      }
    }
  }
  std::printf("[decode-attention] max |fused - softmax attention| = %.3g\n", worst);
  EXPECT_LT(worst, 1e-5);
}

TEST(DecodeAttention, RefusesAFullCacheRow) {
  at::Tensor q = at::randn({1, 2, 8}), k = at::zeros({1, 1, 4, 8}), v = at::zeros({1, 1, 4, 8});
  at::Tensor nk = at::randn({1, 1, 8}), nv = at::randn({1, 1, 8});
  try {
    decodeAttention(q, {}, {}, k, v, nk, nv, {4}, 1.0);
    FAIL() << "a row with no free slot was accepted";
  } catch (const datarus::Error& e) {
    EXPECT_EQ(e.code(), datarus::code::kInternal);
  }
  EXPECT_EQ(k.abs().sum().item<float>(), 0.0f) << "nothing is written before the check";
}
