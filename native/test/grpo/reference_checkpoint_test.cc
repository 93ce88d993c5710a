// reference_checkpoint_test.cc — sharded reference log-probs equal the policy's for
// 1, 2 and 4 shards; checkpoints resume bit for bit.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "../test_util.h"
#include "grpo/checkpoint.h"
#include "grpo/grpo_step.h"
#include "grpo/reference_model.h"
#include "logprobs.h"

using namespace datarus;
using namespace datarus::testing;

namespace {

ModelConfig fourLayers(bool tied) {
  ModelConfig c = tinyConfig(true, tied);
  c.numLayers = 4;
  return c;
}

GrpoBatch batchFor(const Model& m, uint64_t seed) {
  at::manual_seed(seed);
  GrpoBatch b;
  b.ids = at::randint(0, m.config().vocabSize, {4, 10}, at::kLong);
  b.mask = at::zeros({4, 9});
  b.mask.narrow(1, 3, 6).fill_(1);
  b.oldLogp = sequenceLogprobs(m, b.ids).to(at::kFloat);
  b.refLogp = b.oldLogp + 0.1;
  b.advantages = at::randn({4});
  return b;
}

}  // namespace

TEST(ShardedReference, LogprobsEqualThePolicyForOneTwoFourShards) {
  for (bool tied : {false, true}) {
    ModelConfig c = fourLayers(tied);
    Model m(c, randomParams(c, 12), at::kCPU, at::kFloat);
    at::manual_seed(2);
    at::Tensor ids = at::randint(0, c.vocabSize, {3, 17}, at::kLong);
    at::Tensor want = sequenceLogprobs(m, ids);  // [3, 16]
    const int64_t total = 2 * c.vocabSize * c.hiddenSize + (c.parameterCount() - (tied ? 1 : 2) * c.vocabSize * c.hiddenSize);
    for (int64_t n : {1, 2, 4}) {
      ShardedReference ref(m, n, {at::kCPU}, at::kFloat);
      double d = (ref.logprobs(ids, /*logitTokens=*/8) - want).abs().max().item<double>();
      std::printf("[reference] tied=%d shards=%lld max |ref - policy| logp = %.3g; parameters per shard:", tied,
                  static_cast<long long>(n), d);
      int64_t sum = 0;
      for (const auto& s : ref.shards()) {
        std::printf(" [%lld,%lld)%s%s %lld (%.0f%%)", static_cast<long long>(s.firstLayer),
                    static_cast<long long>(s.endLayer), s.embedding ? "+emb" : "", s.head ? "+head" : "",
                    static_cast<long long>(s.parameters), 100.0 * s.parameters / total);
        sum += s.parameters;
        EXPECT_LT(s.parameters, 1.6 * total / n) << "shard too large";
      }
      std::printf("\n");
      EXPECT_EQ(sum, total - (tied && n == 1 ? c.vocabSize * c.hiddenSize : 0));  // one shard shares the tied head
      EXPECT_EQ(static_cast<int64_t>(ref.shards().size()), n);
      EXPECT_LT(d, 1e-5);
    }
    // The reference is a frozen copy: training the policy does not move it.
    ShardedReference ref(m, 2, {at::kCPU}, at::kFloat);
    for (auto& [k, p] : m.parameters()) p.detach().add_(0.01);
    EXPECT_LT((ref.logprobs(ids) - want).abs().max().item<double>(), 1e-5);
  }
}

TEST(ShardedReference, BalancesSmolLM2Shapes) {
  // SmolLM2-135M: 30 layers, H 576, I 1536, 9/3 heads, vocab 49152, tied.
  ModelConfig c;
  c.vocabSize = 49152, c.hiddenSize = 576, c.intermediateSize = 1536, c.numLayers = 30;
  c.numHeads = 9, c.numKvHeads = 3, c.headDim = 64, c.tieEmbeddings = true;
  for (int64_t n : {2, 4}) {
    std::vector<int64_t> b = balancedLayerSplit(c, n);
    std::printf("[reference] SmolLM2-135M split into %lld:", static_cast<long long>(n));
    for (size_t i = 0; i + 1 < b.size(); ++i) std::printf(" [%lld,%lld)", (long long)b[i], (long long)b[i + 1]);
    std::printf("\n");
    EXPECT_EQ(b.front(), 0);
    EXPECT_EQ(b.back(), 30);
  }
}

TEST(Checkpoint, ResumeGivesTheSameNextStep) {
  ModelConfig c = tinyConfig(true, false);
  AdamWOptions ao;
  ao.lr = 1e-2, ao.warmupSteps = 2, ao.totalSteps = 10, ao.weightDecay = 0.01;
  GrpoStepOptions o;
  o.loss.lossType = LossType::Dapo;
  TempDir tmp("ckpt");
  std::string dir = tmp.path() + "/run";

  // Uninterrupted: 3 steps.
  Model a(c, randomParams(c, 4), at::kCPU, at::kFloat);
  AdamW optA(ao);
  for (int k = 0; k < 2; ++k) grpoStep(a, optA, batchFor(a, 100 + k), o);
  saveCheckpoint(dir, a, &optA, {2, R"({"lr":0.01})"});
  at::Tensor noiseAfterSave = at::randn({4});
  GrpoBatch third = batchFor(a, 102);
  grpoStep(a, optA, third, o);

  // Resumed: load after step 2, take step 3 on the same batch.
  LoadedCheckpoint r = loadCheckpoint(dir, {});
  EXPECT_TRUE(at::equal(at::randn({4}), noiseAfterSave)) << "RNG state restored";
  ASSERT_TRUE(r.optimizer);
  EXPECT_EQ(r.meta.step, 2);
  EXPECT_EQ(r.meta.configJson, R"({"lr":0.01})");
  EXPECT_EQ(r.optimizer->step(), 2);
  r.optimizer->setOptions(ao);
  grpoStep(*r.model, *r.optimizer, third, o);
  double worst = 0;
  for (auto& [k, p] : a.parameters()) worst = std::max(worst, (p.detach() - r.model->parameters().at(k).detach()).abs().max().item<double>());
  std::printf("[checkpoint] max |resumed - uninterrupted| after step 3 = %.3g\n", worst);
  EXPECT_EQ(worst, 0.0);

  // Saving again replaces the directory atomically (no temp or old dirs left behind).
  saveCheckpoint(dir, a, &optA, {3, ""});
  EXPECT_EQ(loadCheckpoint(dir, {}).meta.step, 3);
  int entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(std::filesystem::path(dir).parent_path())) ++entries, (void)e;
  EXPECT_EQ(entries, 1);
}
