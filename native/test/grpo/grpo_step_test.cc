// grpo_step_test.cc — the full GRPO loss through the model: finite-difference gradient
// check, micro-batch invariance, and skipping of non-finite steps.
#include <gtest/gtest.h>

#include <cmath>

#include "grpo/grpo_step.h"
#include "logprobs.h"
#include "../test_util.h"
#include "grpo/token_backward.h"

using namespace datarus;
using namespace datarus::testing;

namespace {

// A batch of B sequences of T tokens: prompt of 3, completions of varying length, padding after.
GrpoBatch makeBatch(const Model& m, int64_t B, int64_t T, uint64_t seed, bool withOld, bool withRef) {
  at::manual_seed(seed);
  GrpoBatch b;
  b.ids = at::randint(0, m.config().vocabSize, {B, T}, at::kLong);
  b.mask = at::zeros({B, T - 1}, at::kFloat);
  for (int64_t i = 0; i < B; ++i) {
    int64_t len = T - 1 - (i % 3) * 2;  // completion ends early on some rows
    b.mask[i].narrow(0, 2, len - 2).fill_(1);
    if (i == 1) b.mask[i].narrow(0, 4, 2).zero_();  // an observation span
  }
  at::Tensor cur = sequenceLogprobs(m, b.ids).to(at::kFloat);  // [B, T-1]
  if (withOld) b.oldLogp = cur + 0.4 * at::randn({B, T - 1});  // ratios land on both sides of the clip
  if (withRef) b.refLogp = cur + 0.3 * at::randn({B, T - 1});
  b.advantages = at::randn({B});
  return b;
}

// The loss of the whole batch with no gradient, from the same pieces (for differences).
double evalLoss(const Model& m, const GrpoBatch& b, const GrpoStepOptions& o) {
  at::NoGradGuard g;
  const int64_t T = b.ids.size(1) - 1;
  at::Tensor h = m.hidden(b.ids.narrow(1, 0, T));
  auto [lp, ent] = chunkedLogprobsEntropy(h, m.lmHead(), b.ids.narrow(1, 1, T));
  LossNormalizer n;
  n.sequences = b.ids.size(0);
  n.tokens = b.mask.sum().item<double>();
  n.microBatches = 1;
  n.maxCompletionLength = o.maxCompletionLength;
  auto f = [](const at::Tensor& t) { return t.defined() ? t.to(at::kDouble) : t; };
  return grpoPolicyLoss(o.loss, n, lp, f(b.oldLogp), f(b.refLogp), f(b.advantages), f(b.mask), ent)
      .loss.item<double>();
}

}  // namespace

TEST(GrpoStep, FullLossGradientMatchesFiniteDifferences) {
  // fp64 so that central differences are accurate to ~1e-8.
  ModelConfig c = tinyConfig(true, false);
  Model m(c, randomParams(c, 5), at::kCPU, at::kDouble);
  GrpoBatch b = makeBatch(m, 3, 10, 3, true, true);
  double worst = 0;
  for (const char* type : {"grpo", "dr_grpo", "dapo"}) {
    GrpoStepOptions o;
    o.loss.epsilon = 0.2, o.loss.epsilonHigh = 0.28, o.loss.beta = 0.1, o.loss.entropyCoef = 0.05;
    o.loss.kl = KlEstimator::K3;
    o.loss.lossType = parseLossType(type);
    o.maxCompletionLength = 12;
    o.microBatchSize = 2;  // two micro-batches
    o.logitTokens = 4;     // many logits chunks
    zeroGrad(m.parameters());
    GrpoStepStats s = grpoBackward(m, b, o);
    EXPECT_GT(s.clipLow + s.clipHigh, 0) << "the batch should exercise the clip";
    at::manual_seed(11);
    for (const char* name : {"model.embed_tokens.weight", "lm_head.weight", "model.layers.0.self_attn.q_proj.weight",
                             "model.layers.1.mlp.down_proj.weight", "model.norm.weight"}) {
      at::Tensor p = m.parameters().at(name);
      at::Tensor grad = p.grad().clone();
      for (int trial = 0; trial < 3; ++trial) {
        int64_t idx = at::randint(0, p.numel(), {1}).item<int64_t>();
        const double eps = 1e-6;
        auto at = [&](double d) {
          at::NoGradGuard g;
          p.view({-1})[idx] += d;
          double v = evalLoss(m, b, o);
          p.view({-1})[idx] -= d;
          return v;
        };
        double fd = (at(eps) - at(-eps)) / (2 * eps);
        double an = grad.view({-1})[idx].item<double>();
        double rel = std::fabs(fd - an) / std::max(1e-7, std::fabs(fd) + std::fabs(an));
        worst = std::max(worst, rel);
        EXPECT_LT(rel, 1e-5) << type << " " << name << "[" << idx << "] fd=" << fd << " analytic=" << an;
      }
    }
    EXPECT_NEAR(s.loss, evalLoss(m, b, o), 1e-10) << type;
  }
  zeroGrad(m.parameters());
  std::printf("[grpo gradcheck] worst relative error vs central differences = %.3g\n", worst);
}

TEST(GrpoStep, GradientDoesNotDependOnMicroBatchSize) {
  ModelConfig c = tinyConfig(false, true);
  Model m(c, randomParams(c, 8), at::kCPU, at::kFloat);
  GrpoBatch b = makeBatch(m, 5, 12, 4, true, true);
  double worst = 0;
  for (const char* type : {"grpo", "dr_grpo", "dapo"}) {
    std::vector<TensorMap> grads;
    for (int64_t mb : {5, 2, 1}) {
      GrpoStepOptions o;
      o.loss.lossType = parseLossType(type);
      o.microBatchSize = mb;
      zeroGrad(m.parameters());
      grpoBackward(m, b, o);
      TensorMap g;
      for (auto& [k, p] : m.parameters()) g[k] = p.grad().clone();
      grads.push_back(g);
    }
    for (size_t i = 1; i < grads.size(); ++i)
      for (auto& [k, g] : grads[0]) worst = std::max(worst, (grads[i][k] - g).abs().max().item<double>());
  }
  zeroGrad(m.parameters());
  std::printf("[micro-batches] max |grad(mb) - grad(whole)| = %.3g\n", worst);
  EXPECT_LT(worst, 1e-5);
}

TEST(GrpoStep, NonFiniteStepIsSkippedAndWeightsStay) {
  ModelConfig c = tinyConfig(false, false);
  Model m(c, randomParams(c, 9), at::kCPU, at::kFloat);
  GrpoBatch b = makeBatch(m, 2, 8, 5, true, true);
  TensorMap before;
  for (auto& [k, p] : m.parameters()) before[k] = p.detach().clone();
  AdamW opt(AdamWOptions{});
  b.advantages[0] = NAN;
  GrpoStepOptions o;
  GrpoStepStats s = grpoStep(m, opt, b, o);
  EXPECT_TRUE(s.skipped);
  EXPECT_EQ(s.step, 0);
  for (auto& [k, p] : m.parameters()) {
    EXPECT_TRUE(at::equal(p.detach(), before[k])) << k;
    EXPECT_FALSE(p.grad().defined()) << k;
  }
  b.advantages[0] = 1.0;  // and a finite step does move them
  s = grpoStep(m, opt, b, o);
  EXPECT_FALSE(s.skipped);
  EXPECT_EQ(s.step, 1);
  EXPECT_FALSE(at::equal(m.parameters().begin()->second.detach(), before.begin()->second));
}

// Activation checkpointing changes where activations live, not what is computed: the
// same loss and logp bit for bit, the same gradient up to the order in which a tied
// embedding's two contributions are summed; with QKV bias, GQA, untied and tied heads.
TEST(GrpoStep, CheckpointedLayersGiveTheSameLossAndGradients) {
  double worst = 0;
  for (bool tied : {false, true}) {
    ModelConfig c = tinyConfig(true, tied);
    Model m(c, randomParams(c, 21), at::kCPU, at::kFloat);
    m.setTrainable(true);
    GrpoBatch b = makeBatch(m, 4, 14, 6, true, true);
    GrpoStepOptions o;
    o.loss.entropyCoef = 0.01;  // the entropy's gradient through the stack too
    o.microBatchSize = 2;
    std::vector<TensorMap> grads;
    std::vector<double> losses;
    for (bool checkpoint : {false, true}) {
      o.checkpointLayers = checkpoint;
      zeroGrad(m.parameters());
      losses.push_back(grpoBackward(m, b, o).loss);
      TensorMap g;
      for (auto& [k, p] : m.parameters()) {
        ASSERT_TRUE(p.grad().defined()) << k << (checkpoint ? " (checkpointed)" : "");
        g[k] = p.grad().clone();
      }
      grads.push_back(g);
    }
    EXPECT_EQ(losses[0], losses[1]);
    for (auto& [k, g] : grads[0]) {
      const double scale = std::max(1e-12, g.abs().max().item<double>());
      worst = std::max(worst, (grads[1][k] - g).abs().max().item<double>() / scale);
    }
  }
  std::printf("[checkpointing] max |grad(checkpointed) - grad| / max |grad| = %.3g\n", worst);
  EXPECT_LT(worst, 1e-6);
}
