// policy_loss_test.cc — KL estimators, clipping at both bounds, every lossType, against
// hand-computed values and TRL's formulas (written here from TRL's description).
#include <gtest/gtest.h>

#include <cmath>

#include "grpo/policy_loss.h"

using namespace datarus;

namespace {

// TRL GRPOTrainer.compute_loss (k3 KL, one micro-batch, one process), in fp64.
double trlLoss(const at::Tensor& logp, const at::Tensor& old, const at::Tensor& ref, const at::Tensor& adv,
               const at::Tensor& mask, double epsLow, double epsHigh, double beta, const std::string& lossType,
               double maxCompletionLength) {
  at::Tensor coef1 = at::exp(logp - old);
  at::Tensor coef2 = at::clamp(coef1, 1 - epsLow, 1 + epsHigh);
  at::Tensor A = adv.unsqueeze(1);
  at::Tensor ptl = -at::min(coef1 * A, coef2 * A);
  if (beta != 0) ptl = ptl + beta * (at::exp(ref - logp) - (ref - logp) - 1);
  if (lossType == "grpo") return ((ptl * mask).sum(-1) / mask.sum(-1).clamp_min(1.0)).mean().item<double>();
  if (lossType == "bnpo") return ((ptl * mask).sum() / mask.sum().clamp_min(1.0)).item<double>();
  if (lossType == "dr_grpo") return ((ptl * mask).sum() / (logp.size(0) * maxCompletionLength)).item<double>();
  return ((ptl * mask).sum() / mask.sum()).item<double>();  // dapo, num_items_in_batch = all tokens
}

LossNormalizer single(const at::Tensor& mask, double L) {
  LossNormalizer n;
  n.sequences = mask.size(0);
  n.tokens = mask.sum().item<double>();
  n.microBatches = 1;
  n.maxCompletionLength = L;
  return n;
}

}  // namespace

TEST(KlEstimators, HandComputed) {
  // logp = −1, ref = −2 → δ = ref − logp = −1: k1 = 1, k2 = 0.5, k3 = e^−1 − (−1) − 1 = e^−1.
  at::Tensor lp = at::full({1, 1}, -1.0, at::kDouble), ref = at::full({1, 1}, -2.0, at::kDouble);
  EXPECT_NEAR(perTokenKl(parseKlEstimator("k1"), lp, ref).item<double>(), 1.0, 1e-12);
  EXPECT_NEAR(perTokenKl(parseKlEstimator("k2"), lp, ref).item<double>(), 0.5, 1e-12);
  EXPECT_NEAR(perTokenKl(parseKlEstimator("k3"), lp, ref).item<double>(), std::exp(-1.0), 1e-12);
  // All three vanish when the policy equals the reference; k3's gradient there is 0 too.
  for (const char* k : {"k1", "k2", "k3"})
    EXPECT_EQ(perTokenKl(parseKlEstimator(k), ref, ref).item<double>(), 0.0) << k;
  EXPECT_THROW(parseKlEstimator("k4"), std::exception);
}

TEST(KlEstimators, K3IsUnbiasedForTheTrueKl) {
  // Sample y ~ p over 5 outcomes: E_p[k1] = E_p[k3] = KL(p‖q); k2 ≈ KL for close p, q.
  at::manual_seed(1);
  at::Tensor logits = at::randn({5}, at::kDouble);
  at::Tensor lp = at::log_softmax(logits, 0), lq = at::log_softmax(logits + 0.3 * at::randn({5}, at::kDouble), 0);
  double exact = (lp.exp() * (lp - lq)).sum().item<double>();
  at::Tensor p = lp.exp();
  double k1 = (p * perTokenKl(KlEstimator::K1, lp, lq)).sum().item<double>();
  double k3 = (p * perTokenKl(KlEstimator::K3, lp, lq)).sum().item<double>();
  std::printf("[kl] exact %.6f, E[k1] %.6f, E[k3] %.6f\n", exact, k1, k3);
  EXPECT_NEAR(k1, exact, 1e-12);
  EXPECT_NEAR(k3, exact, 1e-12);
}

TEST(PolicyLoss, ClipsAtBothBounds) {
  // Four tokens of one sequence per case; ε = 0.2, ε_high = 0.28, no KL.
  GrpoLossOptions o;
  o.epsilon = 0.2, o.epsilonHigh = 0.28, o.beta = 0, o.lossType = LossType::Dapo;
  at::Tensor old = at::zeros({2, 3}, at::kDouble);
  // ratios: 0.5 (below 1−ε), 1.0, 1.5 (above 1+ε_high)
  at::Tensor lp = at::log(at::tensor({0.5, 1.0, 1.5, 0.5, 1.0, 1.5}, at::kDouble)).view({2, 3}).requires_grad_(true);
  at::Tensor adv = at::tensor({1.0, -1.0}, at::kDouble);  // row 0: A>0, row 1: A<0
  at::Tensor mask = at::ones({2, 3}, at::kDouble);
  PolicyLoss pl = grpoPolicyLoss(o, single(mask, 3), lp, old, at::Tensor(), adv, mask, at::Tensor());
  // Per token −min(ρA, clip(ρ)A):
  //   A=+1: ρ=0.5 → −0.5 (unclipped: min picks ρA); ρ=1 → −1; ρ=1.5 → −1.28 (clipped)
  //   A=−1: ρ=0.5 → +0.8 (clipped at 1−ε); ρ=1 → +1; ρ=1.5 → +1.5
  double want = (-0.5 - 1 - 1.28 + 0.8 + 1 + 1.5) / 6;
  EXPECT_NEAR(pl.loss.item<double>(), want, 1e-12);
  pl.loss.backward();
  at::Tensor g = lp.grad();  // d/dlogp = −A·ρ/6 where unclipped, 0 where clipped
  EXPECT_NEAR(g[0][0].item<double>(), -0.5 / 6, 1e-12);
  EXPECT_EQ(g[0][2].item<double>(), 0.0);  // high clip, A > 0: no gradient
  EXPECT_EQ(g[1][0].item<double>(), 0.0);  // low clip, A < 0: no gradient
  EXPECT_NEAR(g[1][2].item<double>(), 1.5 / 6, 1e-12);
  EXPECT_NEAR(pl.sums.clipHigh, 1, 0);
  EXPECT_NEAR(pl.sums.clipLow, 1, 0);
  std::printf("[clip] loss %.6f (hand %.6f)\n", pl.loss.item<double>(), want);
}

TEST(PolicyLoss, EveryLossTypeMatchesTrl) {
  at::manual_seed(7);
  const int64_t B = 4, T = 9;
  at::Tensor logp = -at::rand({B, T}, at::kDouble) * 3;
  at::Tensor old = logp + 0.3 * at::randn({B, T}, at::kDouble);  // ratios on both sides of the clip
  at::Tensor ref = logp + 0.2 * at::randn({B, T}, at::kDouble);
  at::Tensor adv = at::randn({B}, at::kDouble);
  at::Tensor mask = at::ones({B, T}, at::kDouble);
  mask[0].narrow(0, 0, 3).zero_();  // a prompt
  mask[1].narrow(0, 6, 3).zero_();  // padding
  mask[2].narrow(0, 2, 2).zero_();  // an observation in the middle
  double worst = 0;
  for (const char* type : {"grpo", "bnpo", "dr_grpo", "dapo"}) {
    GrpoLossOptions o;
    o.epsilon = 0.2, o.epsilonHigh = 0.28, o.beta = 0.04, o.lossType = parseLossType(type);
    double got = grpoPolicyLoss(o, single(mask, 12), logp, old, ref, adv, mask, at::Tensor()).loss.item<double>();
    double want = trlLoss(logp, old, ref, adv, mask, 0.2, 0.28, 0.04, type, 12);
    worst = std::max(worst, std::fabs(got - want));
    EXPECT_NEAR(got, want, 1e-12) << type;
  }
  std::printf("[loss types] max |ours - TRL formula| over grpo/bnpo/dr_grpo/dapo = %.3g\n", worst);
  EXPECT_THROW(parseLossType("ppo"), std::exception);
}

TEST(PolicyLoss, EntropyBonusLowersTheLoss) {
  GrpoLossOptions o;
  o.beta = 0, o.entropyCoef = 0.1, o.lossType = LossType::Dapo;
  at::Tensor lp = at::zeros({1, 2}, at::kDouble), mask = at::ones({1, 2}, at::kDouble);
  at::Tensor ent = at::tensor({1.0, 3.0}, at::kDouble).view({1, 2});
  PolicyLoss pl = grpoPolicyLoss(o, single(mask, 2), lp, at::Tensor(), at::Tensor(), at::zeros({1}, at::kDouble), mask, ent);
  EXPECT_NEAR(pl.loss.item<double>(), -0.1 * 2.0, 1e-12);  // A = 0: only −c·mean(H)
  EXPECT_NEAR(pl.sums.entropy, 4.0, 1e-12);
}
