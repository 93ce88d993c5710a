// group_test.cc — group generation from a shared prompt cache: equality with
// single-sequence generation, seeds, behaviour log-probs, stop strings, resuming
// after appended tokens (ragged rows), and argument checks.
#include <gtest/gtest.h>

#include <cmath>

#include "error.h"
#include "generate.h"
#include "group.h"
#include "logprobs.h"
#include "test_util.h"

using namespace datarus;
using namespace datarus::testing;

namespace {

Model tiny(uint64_t seed = 3) {
  ModelConfig c = tinyConfig(true, false);
  return Model(c, randomParams(c, seed), at::kCPU, at::kFloat);
}

std::vector<int64_t> greedy(const Model& m, const std::vector<int64_t>& prompt, int64_t n) {
  GenerateOptions o;
  o.maxNewTokens = n;
  o.sampling.temperature = 0;
  return generate(m, prompt, o).tokens;
}

}  // namespace

TEST(Group, GreedySamplesEqualSingleSequenceGeneration) {
  Model m = tiny();
  std::vector<int64_t> prompt = {1, 7, 22, 9, 40, 3};
  GroupOptions o;
  o.temperature = 0;
  o.maxNewTokens = 15;
  o.microBatch = 2;
  GroupSession g(m, prompt, 5, o);
  g.decode();
  auto want = greedy(m, prompt, 15);
  for (int64_t i = 0; i < 5; ++i) {
    EXPECT_EQ(g.sample(i).tokens, want) << "sample " << i;
    EXPECT_EQ(g.sample(i).finishReason, "length");
  }
  EXPECT_EQ(g.decodedTokens(), 5 * 15);
}

TEST(Group, SeedsRepeatAndBehaviourLogprobsMatchRecomputation) {
  Model m = tiny(5);
  std::vector<int64_t> prompt = {1, 2, 3, 4};
  GroupOptions o;
  o.maxNewTokens = 12;
  o.microBatch = 3;
  o.seed = 42;
  GroupSession a(m, prompt, 4, o), b(m, prompt, 4, o);
  a.decode();
  b.decode();
  double worst = 0;
  for (int64_t i = 0; i < 4; ++i) {
    EXPECT_EQ(a.sample(i).tokens, b.sample(i).tokens);
    std::vector<int64_t> seq = prompt;
    seq.insert(seq.end(), a.sample(i).tokens.begin(), a.sample(i).tokens.end());
    at::Tensor lp = sequenceLogprobs(m, at::tensor(seq, at::kLong).unsqueeze(0));  // [1, T-1]
    for (size_t t = 0; t < a.sample(i).tokens.size(); ++t)
      worst = std::max(worst, std::fabs(lp[0][static_cast<int64_t>(prompt.size() - 1 + t)].item<double>() -
                                        a.sample(i).logprobs[t]));
  }
  EXPECT_NE(a.sample(0).tokens, a.sample(1).tokens);  // different seeds per sample
  std::printf("[group] max |behaviour - recomputed| log-prob = %.3g\n", worst);
  EXPECT_LT(worst, 1e-4);
}

TEST(Group, StopStringsMatchAcrossTokenBoundaries) {
  Model m = tiny(7);
  // Every token decodes to two letters, so most stop strings straddle tokens.
  std::vector<std::string> bytes;
  for (int64_t id = 0; id < 64; ++id) bytes.push_back(std::string(1, char('a' + id % 4)) + char('a' + id / 16));
  std::vector<int64_t> prompt = {5, 6, 7};
  auto free = greedy(m, prompt, 30);
  std::string text;
  for (auto t : free) text += bytes[t];
  std::string stop = text.substr(9, 3);  // starts inside token 4, ends inside token 5
  GroupOptions o;
  o.temperature = 0;
  o.maxNewTokens = 30;
  o.stopStrings = {stop};
  o.tokenBytes = &bytes;
  GroupSession g(m, prompt, 2, o);
  g.decode();
  std::string got;
  for (auto t : g.sample(0).tokens) got += bytes[t];
  EXPECT_EQ(g.sample(0).finishReason, "stop");
  EXPECT_NE(got.find(stop), std::string::npos);
  EXPECT_LT(got.find(stop) + stop.size(), got.size() + 2);  // stopped on the token completing it
  EXPECT_EQ(got.find(stop), text.find(stop));
}

TEST(Group, ResumingAfterAppendedTokensEqualsGeneratingFromTheWholePrefix) {
  Model m = tiny(9);
  std::vector<int64_t> prompt = {1, 30, 31, 32};
  GroupOptions o;
  o.temperature = 0;
  o.maxNewTokens = 6;
  o.microBatch = 3;
  GroupSession g(m, prompt, 3, o);
  g.decode();
  // Observations of different lengths make the rows of one buffer ragged.
  g.append(0, {10, 11, 12, 13, 14});
  g.append(2, {20});
  g.decode({0, 1, 2});
  for (int64_t i : {0, 2}) {
    const auto& s = g.sample(i);
    ASSERT_EQ(s.tokens.size(), s.policy.size());
    std::vector<int64_t> before(prompt);
    size_t firstRound = 6, appended = i == 0 ? 5 : 1;
    before.insert(before.end(), s.tokens.begin(), s.tokens.begin() + static_cast<long>(firstRound + appended));
    auto want = greedy(m, before, 6);
    std::vector<int64_t> got(s.tokens.begin() + static_cast<long>(firstRound + appended), s.tokens.end());
    EXPECT_EQ(got, want) << "sample " << i;
    for (size_t t = firstRound; t < firstRound + appended; ++t) EXPECT_EQ(s.policy[t], 0);
    EXPECT_EQ(s.policy.back(), 1);
  }
  // A listed sample with nothing appended simply continues where it stopped.
  EXPECT_EQ(g.sample(1).tokens, greedy(m, prompt, 12));
}

TEST(Group, OneShotGroupsFreeEachMicroBatch) {
  Model m = tiny();
  GroupOptions o;
  o.maxNewTokens = 8;
  o.microBatch = 2;
  o.keepCaches = false;
  GroupSession g(m, {1, 2, 3}, 6, o);
  g.decode();
  EXPECT_EQ(g.cacheBytes(), 0);
  o.keepCaches = true;
  GroupSession k(m, {1, 2, 3}, 6, o);
  k.decode();
  EXPECT_GT(k.cacheBytes(), 0);
}

TEST(Group, BadArgumentsAreRejectedBeforeWork) {
  Model m = tiny();
  GroupOptions o;
  EXPECT_EQ(codeOf([&] { GroupSession(m, {1, 2}, 0, o); }), code::kInvalidArgument);
  o.temperature = -1;
  EXPECT_EQ(codeOf([&] { GroupSession(m, {1, 2}, 2, o); }), code::kInvalidArgument);
  o.temperature = 1;
  o.topP = 0;
  EXPECT_EQ(codeOf([&] { GroupSession(m, {1, 2}, 2, o); }), code::kInvalidArgument);
  o.topP = 1.5;
  EXPECT_EQ(codeOf([&] { GroupSession(m, {1, 2}, 2, o); }), code::kInvalidArgument);
  o.topP = 1;
  EXPECT_EQ(codeOf([&] { GroupSession(m, {}, 2, o); }), code::kInvalidArgument);
  EXPECT_EQ(codeOf([&] { GroupSession(m, std::vector<int64_t>(128, 1), 2, o); }), code::kContextOverflow);
  std::vector<std::string> bytes(64, "x");
  o.tokenBytes = &bytes;
  o.stopStrings = {"ok", ""};
  EXPECT_EQ(codeOf([&] { GroupSession(m, {1, 2}, 2, o); }), code::kInvalidArgument);
}
