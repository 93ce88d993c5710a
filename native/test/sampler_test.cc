// sampler_test.cc — the sampler's draws and behaviour log-probs against softmax in
// double precision: frequencies, filtering, greedy ties and non-finite logits.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <vector>

#include "sampler.h"

using namespace datarus;

namespace {

// log softmax(z / T) over the `allowed` ids, in double.
std::map<int64_t, double> logSoftmax(const std::vector<float>& z, double T, const std::vector<int64_t>& allowed) {
  double m = -INFINITY, sum = 0;
  for (int64_t i : allowed) m = std::max(m, z[i] / T);
  for (int64_t i : allowed) sum += std::exp(z[i] / T - m);
  std::map<int64_t, double> out;
  for (int64_t i : allowed) out[i] = z[i] / T - m - std::log(sum);
  return out;
}

at::Tensor tensorOf(const std::vector<float>& z) { return at::tensor(z, at::kFloat); }

}  // namespace

TEST(Sampler, FrequenciesAndLogprobsFollowTheTemperedSoftmax) {
  // 37 logits: not a multiple of the vector width, so the tail path is used too.
  std::vector<float> z(37);
  for (size_t i = 0; i < z.size(); ++i) z[i] = static_cast<float>(std::sin(1.3 * i) * 3);
  std::vector<int64_t> all(z.size());
  for (size_t i = 0; i < z.size(); ++i) all[i] = static_cast<int64_t>(i);
  const double T = 0.7;
  const auto want = logSoftmax(z, T, all);
  Sampler s({T, 1.0, 0, 42});
  const int n = 40000;
  std::vector<int> counts(z.size());
  double worstLogp = 0;
  for (int d = 0; d < n; ++d) {
    Sampled x = s.next(tensorOf(z));
    ASSERT_TRUE(x.token >= 0 && x.token < static_cast<int64_t>(z.size()));
    ++counts[x.token];
    worstLogp = std::max(worstLogp, std::abs(x.logprob - want.at(x.token)));
  }
  double worstFreq = 0;
  for (size_t i = 0; i < z.size(); ++i) worstFreq = std::max(worstFreq, std::abs(counts[i] / double(n) - std::exp(want.at(i))));
  std::printf("[sampler] max |logprob - log softmax| = %.3g, max |frequency - p| = %.3g over %d draws\n", worstLogp,
              worstFreq, n);
  EXPECT_LT(worstLogp, 1e-5);
  EXPECT_LT(worstFreq, 0.01);  // ~4 standard errors at the largest p
}

TEST(Sampler, TopKAndTopPDrawOnlyFromTheirSetWithRenormalisedLogprobs) {
  const std::vector<float> z = {2.0f, 1.0f, 0.5f, 3.0f, -1.0f, 2.5f};  // order: 3, 5, 0, 1, 2, 4
  {
    Sampler s({1.0, 1.0, 2, 7});  // top-k 2: {3, 5}
    const auto want = logSoftmax(z, 1.0, {3, 5});
    for (int d = 0; d < 2000; ++d) {
      Sampled x = s.next(tensorOf(z));
      ASSERT_TRUE(x.token == 3 || x.token == 5) << x.token;
      EXPECT_NEAR(x.logprob, want.at(x.token), 1e-6);
    }
  }
  {
    // p(3) = 0.45, p(5) = 0.27, p(0) = 0.17: top-p 0.7 keeps {3, 5} (the mass before 5 is below 0.7)
    Sampler s({1.0, 0.7, 0, 9});
    const auto want = logSoftmax(z, 1.0, {3, 5});
    for (int d = 0; d < 2000; ++d) {
      Sampled x = s.next(tensorOf(z));
      ASSERT_TRUE(x.token == 3 || x.token == 5) << x.token;
      EXPECT_NEAR(x.logprob, want.at(x.token), 1e-6);
    }
  }
}

// The top-p set by sorting the whole vocabulary in double: ids and their log-probs
// renormalised over the set.
std::map<int64_t, double> nucleusReference(const std::vector<float>& z, double T, double topP) {
  std::vector<int64_t> order(z.size());
  for (size_t i = 0; i < z.size(); ++i) order[i] = static_cast<int64_t>(i);
  std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return z[a] > z[b] || (z[a] == z[b] && a < b); });
  double total = 0;
  for (float v : z) total += std::exp((v - z[order[0]]) / T);
  std::vector<int64_t> kept;
  double before = 0;
  for (int64_t i : order) {
    if (!kept.empty() && before / total >= topP) break;
    kept.push_back(i);
    before += std::exp((z[i] - z[order[0]]) / T);
  }
  return logSoftmax(z, T, kept);
}

TEST(Sampler, TopPOverALargeVocabularyKeepsExactlyTheSortedNucleus) {
  // Random logits, and logits on a 0.25 grid (ties, values on the sampler's bin edges).
  std::mt19937 rng(5);
  std::normal_distribution<float> normal(0.0f, 3.0f);
  double worst = 0;
  int draws = 0;
  for (int trial = 0; trial < 12; ++trial) {
    std::vector<float> z(5000 + trial);
    for (auto& v : z) v = trial % 2 ? std::round(normal(rng) * 4) / 4 : normal(rng);
    const double T = 0.6 + 0.1 * trial, topP = trial % 3 == 0 ? 0.5 : trial % 3 == 1 ? 0.9 : 0.99;
    const auto want = nucleusReference(z, T, topP);
    Sampler s({T, topP, 0, static_cast<uint64_t>(trial)});
    for (int d = 0; d < 200; ++d, ++draws) {
      Sampled x = s.next(tensorOf(z));
      ASSERT_TRUE(want.count(x.token)) << "trial " << trial << ": token " << x.token << " is outside the nucleus";
      worst = std::max(worst, std::abs(x.logprob - want.at(x.token)));
    }
  }
  std::printf("[sampler] top-p over 5000 ids: max |logprob - sorted reference| = %.3g over %d draws\n", worst, draws);
  EXPECT_LT(worst, 1e-5);  // a wrong set shifts every log-prob by the log of its mass change
}

TEST(Sampler, GreedyTakesTheFirstMaximumWithItsModelLogprob) {
  const std::vector<float> z = {0.5f, 4.0f, -2.0f, 4.0f, 1.0f, 0.0f, 3.5f, 2.0f, -1.0f};
  Sampler s({0.0, 1.0, 0, 0});
  Sampled x = s.next(tensorOf(z));
  EXPECT_EQ(x.token, 1);
  EXPECT_NEAR(x.logprob, logSoftmax(z, 1.0, {0, 1, 2, 3, 4, 5, 6, 7, 8}).at(1), 1e-6);
}

TEST(Sampler, NonFiniteLogitsStillGiveATokenOfTheVocabulary) {
  std::vector<float> z(19, 1.0f);
  z[4] = NAN;
  z[11] = INFINITY;
  z[18] = NAN;  // last, in the scalar tail of the vectorised max: the maximum comes out NaN
  for (double T : {0.0, 1.0}) {
    Sampler s({T, 1.0, 0, 3});
    for (int d = 0; d < 20; ++d) {
      Sampled x = s.next(tensorOf(z));
      EXPECT_TRUE(x.token >= 0 && x.token < static_cast<int64_t>(z.size())) << "T=" << T << " token " << x.token;
    }
  }
}
