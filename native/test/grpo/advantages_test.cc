// advantages_test.cc — group advantages against hand-computed values and TRL's formula.
#include <gtest/gtest.h>

#include <cmath>

#include "group_advantages.h"

using namespace datarus;

namespace {

at::Tensor rewards(std::vector<float> r) { return at::tensor(r, at::kFloat); }

// TRL's GRPOTrainer formula, written from its description (no missing rewards):
// mean and unbiased std per group of G (or over the batch for std), A = (r − mean)/(std + 1e-4).
at::Tensor trlAdvantages(const at::Tensor& r, int64_t G, const std::string& scale) {
  at::Tensor g = r.to(at::kDouble).view({-1, G});
  at::Tensor mean = g.mean(1, true).expand_as(g).reshape({-1});
  at::Tensor a = r.to(at::kDouble) - mean;
  if (scale == "group") a = a / (g.std(1, /*unbiased=*/true, true).expand_as(g).reshape({-1}) + 1e-4);
  if (scale == "batch") a = a / (r.to(at::kDouble).std() + 1e-4);
  return a;
}

}  // namespace

TEST(GroupAdvantages, HandComputedGroupScale) {
  // Group 1: {1, 0, 0, 1}: mean 0.5, Bessel std sqrt(1/3) = 0.57735.
  // Group 2: {2, 2, 2, 2}: zero std → all 0, counted.
  GroupAdvantages a = groupAdvantages(rewards({1, 0, 0, 1, 2, 2, 2, 2}), 4, RewardScale::Group, 0.0);
  const double s = std::sqrt(1.0 / 3.0);
  std::vector<double> want = {0.5 / s, -0.5 / s, -0.5 / s, 0.5 / s, 0, 0, 0, 0};
  double worst = 0;
  for (int i = 0; i < 8; ++i) worst = std::max(worst, std::fabs(a.advantages[i].item<double>() - want[i]));
  std::printf("[advantages/group] max |got - hand| = %.3g\n", worst);
  EXPECT_LT(worst, 1e-6);
  EXPECT_EQ(a.zeroStdGroups, 1);
  EXPECT_NEAR(a.groupMean[0].item<double>(), 0.5, 1e-7);
  EXPECT_NEAR(a.groupStd[0].item<double>(), s, 1e-7);
}

TEST(GroupAdvantages, HandComputedBatchAndNone) {
  // {0, 1 | 3, 5}: group means 0.5, 4; batch mean 2.25, batch Bessel std
  // sqrt(((2.25)^2 + 1.25^2 + 0.75^2 + 2.75^2)/3) = sqrt(14.75/3).
  at::Tensor r = rewards({0, 1, 3, 5});
  GroupAdvantages b = groupAdvantages(r, 2, RewardScale::Batch, 0.0);
  const double bs = std::sqrt(14.75 / 3.0);
  std::vector<double> wantB = {-0.5 / bs, 0.5 / bs, -1 / bs, 1 / bs};
  GroupAdvantages n = groupAdvantages(r, 2, RewardScale::None, 0.0);
  std::vector<double> wantN = {-0.5, 0.5, -1, 1};  // Dr. GRPO: centred only
  double worst = 0;
  for (int i = 0; i < 4; ++i) {
    worst = std::max(worst, std::fabs(b.advantages[i].item<double>() - wantB[i]));
    worst = std::max(worst, std::fabs(n.advantages[i].item<double>() - wantN[i]));
  }
  std::printf("[advantages/batch,none] max |got - hand| = %.3g\n", worst);
  EXPECT_LT(worst, 1e-6);
}

TEST(GroupAdvantages, MatchesTrlFormulaForEveryScale) {
  at::manual_seed(4);
  at::Tensor r = at::randn({6 * 8});
  double worst = 0;
  for (const char* scale : {"group", "batch", "none"}) {
    GroupAdvantages a = groupAdvantages(r, 8, parseRewardScale(scale), 1e-4);
    double d = (a.advantages.to(at::kDouble) - trlAdvantages(r, 8, scale)).abs().max().item<double>();
    EXPECT_LT(d, 1e-5) << scale;
    worst = std::max(worst, d);
  }
  std::printf("[advantages/trl] max |ours - TRL formula| over group/batch/none = %.3g\n", worst);
}

TEST(GroupAdvantages, MissingRewardsAreExcluded) {
  // {1, NaN, 3}: stats over {1, 3} (mean 2, std sqrt 2); the missing one gets 0.
  // {NaN, 5, NaN}: one present reward → std 0 → zero-std group.
  GroupAdvantages a = groupAdvantages(rewards({1, NAN, 3, NAN, 5, NAN}), 3, RewardScale::Group, 0.0);
  EXPECT_NEAR(a.advantages[0].item<double>(), -1 / std::sqrt(2.0), 1e-6);
  EXPECT_EQ(a.advantages[1].item<double>(), 0.0);
  EXPECT_NEAR(a.advantages[2].item<double>(), 1 / std::sqrt(2.0), 1e-6);
  EXPECT_EQ(a.advantages[4].item<double>(), 0.0);
  EXPECT_EQ(a.missing, 3);
  EXPECT_EQ(a.zeroStdGroups, 1);
}

TEST(GroupAdvantages, RejectsBadInput) {
  EXPECT_THROW(groupAdvantages(rewards({1, 2, 3}), 2, RewardScale::Group), std::exception);
  EXPECT_THROW(parseRewardScale("mean"), std::exception);
}
