// model_test.cc — forward consistency, chunked log-probs, gradients, save/load, overfitting.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>

#include "error.h"
#include "generate.h"
#include "loader.h"
#include "logprobs.h"
#include "losses.h"
#include "optim.h"
#include "test_util.h"

using namespace datarus;
using namespace datarus::testing;

namespace {

Model tinyModel(bool bias, bool tied, at::ScalarType dtype = at::kFloat, uint64_t seed = 3) {
  ModelConfig c = tinyConfig(bias, tied);
  return Model(c, randomParams(c, seed), at::kCPU, dtype);
}

at::Tensor randomIds(int64_t B, int64_t T, int64_t vocab, uint64_t seed) {
  at::manual_seed(seed);
  return at::randint(0, vocab, {B, T}, at::kLong);
}

// Unchunked reference: full [B, T, V] logits, log-softmax, gather.
at::Tensor fullLogprobs(const Model& m, const at::Tensor& ids) {
  at::NoGradGuard g;
  const int64_t T = ids.size(1);
  at::Tensor h = m.hidden(ids.narrow(1, 0, T - 1));
  at::Tensor logp = at::log_softmax(at::linear(h, m.lmHead()).to(at::kDouble), -1);
  return logp.gather(-1, ids.narrow(1, 1, T - 1).unsqueeze(-1)).squeeze(-1);
}

}  // namespace

TEST(Model, CachedDecodingMatchesFullForward) {
  Model m = tinyModel(true, false);
  at::NoGradGuard g;
  at::Tensor ids = randomIds(2, 12, 64, 1);
  at::Tensor full = at::linear(m.hidden(ids), m.lmHead());  // [2, 12, V]
  KVCache cache = m.newCache(2, 12);
  at::Tensor pre = at::linear(m.hidden(ids.narrow(1, 0, 5), 0, &cache), m.lmHead());
  double maxDiff = (pre - full.narrow(1, 0, 5)).abs().max().item<double>();
  for (int64_t t = 5; t < 12; ++t) {
    at::Tensor step = at::linear(m.hidden(ids.narrow(1, t, 1), t, &cache), m.lmHead());
    maxDiff = std::max(maxDiff, (step - full.narrow(1, t, 1)).abs().max().item<double>());
  }
  std::printf("[cache] max |cached - full| logits = %.3g\n", maxDiff);
  EXPECT_LT(maxDiff, 1e-4);
}

TEST(Model, DecodeStepsFollowWeightChanges) {
  Model m = tinyModel(true, false);
  at::Tensor ids = randomIds(3, 1, 64, 2);
  // Decode-step logits, [3, V]: with the packed panels when autograd is off (where
  // this processor has AVX2+FMA), with at::linear when it is on (the reference).
  auto logits = [&](bool packed) {
    at::AutoGradMode mode(!packed);
    KVCache cache = m.newCache(3, 1);
    return m.lastLogits(m.hidden(ids, 0, &cache)).detach();
  };
  const double before = (logits(true) - logits(false)).abs().max().item<double>();
  std::shared_ptr<const DecodePack> first;
  {
    at::NoGradGuard g;
    first = m.decodePack();
    m.parameters().at("model.layers.1.mlp.down_proj.weight").mul_(-2);  // as an optimiser step would, in place
    m.parameters().at("model.layers.0.self_attn.k_proj.bias").add_(0.5);
  }
  at::Tensor ref = logits(false);
  const double after = (logits(true) - ref).abs().max().item<double>();
  std::printf("[pack] max |packed - at::linear| logits: %.3g before, %.3g after a weight change\n", before, after);
  EXPECT_LT(before, 1e-4);
  EXPECT_LT(after, 1e-4);
  at::NoGradGuard g;
  if (first) EXPECT_NE(m.decodePack().get(), first.get());  // rebuilt, not stale
  EXPECT_EQ(m.decodePack().get(), m.decodePack().get());    // and reused while nothing changes
  // A rebuild may write into a stale pack's buffer: the same panels as a fresh one.
  std::shared_ptr<DecodePack> fresh = buildDecodePack(m.layers(), m.lmHead());
  at::Tensor old = at::full_like(fresh->storage, 3.0f);
  std::shared_ptr<DecodePack> reused = buildDecodePack(m.layers(), m.lmHead(), old);
  EXPECT_EQ(reused->storage.data_ptr(), old.data_ptr());
  EXPECT_TRUE(at::equal(reused->head.panels, fresh->head.panels));
  EXPECT_TRUE(at::equal(reused->layers[1].gateUp.panels, fresh->layers[1].gateUp.panels));
  EXPECT_NE(buildDecodePack(m.layers(), m.lmHead(), old.narrow(0, 0, 8))->storage.data_ptr(), old.data_ptr());
}

TEST(Model, ChunkedLogprobsEqualUnchunked) {
  Model m = tinyModel(false, true);
  at::Tensor ids = randomIds(3, 20, 64, 2);
  at::Tensor ref = fullLogprobs(m, ids);
  for (int64_t budget : {1, 7, 3 * 19, 4096}) {
    at::Tensor got = sequenceLogprobs(m, ids, budget);
    double d = (got.to(at::kDouble) - ref).abs().max().item<double>();
    EXPECT_LT(d, 1e-5) << "budget " << budget;
  }
}

TEST(Model, CheckpointedLossBackwardGivesTheSameLossAndGradients) {
  at::Tensor ids = randomIds(2, 10, 64, 4);
  at::Tensor w = at::rand({2, 9});
  std::vector<double> losses;
  std::vector<std::map<std::string, at::Tensor>> grads;
  for (bool checkpoint : {false, true}) {
    Model m = tinyModel(true, false);
    m.setTrainable(true);
    losses.push_back(lossBackward(m, ids, weightedNll(w), kLogitTokens, checkpoint).loss);
    grads.emplace_back();
    for (const auto& [name, p] : m.parameters()) grads.back()[name] = p.grad().clone();
  }
  EXPECT_EQ(losses[0], losses[1]);
  double worst = 0;
  for (const auto& [name, g] : grads[0]) worst = std::max(worst, (g - grads[1].at(name)).abs().max().item<double>());
  std::printf("[model] checkpointed lossBackward: max |grad - plain grad| = %.3g\n", worst);
  EXPECT_EQ(worst, 0.0);  // the same forward values, recomputed in the same order
}

TEST(Model, ChunkedBackwardMatchesFiniteDifferences) {
  // fp64 so that central differences are accurate to ~1e-8.
  Model m = tinyModel(true, false, at::kDouble, 5);
  m.setTrainable(true);
  at::Tensor ids = randomIds(2, 10, 64, 3);
  at::Tensor w = at::rand({2, 9}, at::kDouble);
  auto loss = weightedNll(w);
  lossBackward(m, ids, loss, /*logitTokens=*/4);  // many chunks
  const char* names[] = {"model.embed_tokens.weight", "lm_head.weight", "model.layers.0.self_attn.q_proj.weight",
                         "model.layers.1.self_attn.k_proj.bias", "model.layers.1.mlp.down_proj.weight",
                         "model.norm.weight"};
  double worst = 0;
  at::manual_seed(11);
  for (const char* name : names) {
    at::Tensor p = m.parameters().at(name);
    at::Tensor grad = p.grad().clone();
    for (int trial = 0; trial < 4; ++trial) {
      int64_t idx = at::randint(0, p.numel(), {1}).item<int64_t>();
      const double eps = 1e-6;
      auto eval = [&](double delta) {
        at::NoGradGuard g;
        p.view({-1})[idx] += delta;
        double v = loss(sequenceLogprobs(m, ids)).item<double>();
        p.view({-1})[idx] -= delta;
        return v;
      };
      double fd = (eval(eps) - eval(-eps)) / (2 * eps);
      double an = grad.view({-1})[idx].item<double>();
      double rel = std::fabs(fd - an) / std::max(1e-6, std::fabs(fd) + std::fabs(an));
      worst = std::max(worst, rel);
      EXPECT_LT(rel, 1e-5) << name << "[" << idx << "] fd=" << fd << " analytic=" << an;
    }
  }
  std::printf("[gradcheck] worst relative error vs central differences = %.3g\n", worst);
}

TEST(Model, SaveLoadRoundTripsExactly) {
  for (bool tied : {false, true}) {
    Model m = tinyModel(true, tied);
    TempDir tmp("save");
    const std::string& dir = tmp.path();
    saveModel(m, dir, {});
    LoadedModel back = loadModel(dir, {});
    EXPECT_EQ(back.format, "hf");
    ASSERT_EQ(back.model->parameters().size(), m.parameters().size());
    for (const auto& [k, v] : m.parameters()) EXPECT_TRUE(at::equal(back.model->parameters().at(k), v)) << k;
    // Sharded: tiny shard limit forces one tensor per file plus an index.
    TempDir shardTmp("shard");
    const std::string& sharded = shardTmp.path();
    saveModel(m, sharded, {at::kFloat, 4096});
    LoadedModel again = loadModel(sharded, {});
    for (const auto& [k, v] : m.parameters()) EXPECT_TRUE(at::equal(again.model->parameters().at(k), v)) << k;
  }
}

TEST(Model, GgufAndSafetensorsGiveTheSameLogits) {
  ModelConfig c = tinyConfig(false, false);
  TensorMap params = randomParams(c, 9);
  TempDir tmp("fmt");
  const std::string& dir = tmp.path();
  writeGguf(dir + "/m.gguf", c, params, 0);
  Model direct(c, params, at::kCPU, at::kFloat);
  LoadedModel g = loadModel(dir + "/m.gguf", {});
  at::Tensor ids = randomIds(1, 9, 64, 4);
  double d = (fullLogprobs(direct, ids) - fullLogprobs(*g.model, ids)).abs().max().item<double>();
  EXPECT_LT(d, 1e-5);
}

TEST(Model, OverfitsOneBatch) {
  Model m = tinyModel(true, true, at::kFloat, 21);
  m.setTrainable(true);
  at::Tensor ids = randomIds(4, 16, 64, 6);
  at::Tensor w = at::ones({4, 15});
  AdamWOptions o;
  o.lr = 1e-2;
  o.weightDecay = 0.0;
  o.maxGradNorm = 1.0;
  AdamW opt(o);
  double first = 0, last = 0;
  int steps = 0;
  for (; steps < 300; ++steps) {
    last = lossBackward(m, ids, weightedNll(w)).loss;
    if (steps == 0) first = last;
    opt.apply(m.parameters());
    if (last < first / 10) break;
  }
  std::printf("[overfit] loss %.4f -> %.4f in %d AdamW steps\n", first, last, steps + 1);
  EXPECT_LT(last, first / 10);
}

TEST(Model, NonFiniteGradientSkipsTheStep) {
  Model m = tinyModel(false, true);
  m.setTrainable(true);
  at::Tensor before = m.parameters().at("model.norm.weight").clone();
  lossBackward(m, randomIds(1, 6, 64, 8), [](const at::Tensor& lp) { return lp.sum() * INFINITY; });
  AdamW opt({});
  StepStats s = opt.apply(m.parameters());
  EXPECT_TRUE(s.skipped);
  EXPECT_EQ(opt.step(), 0);
  EXPECT_TRUE(at::equal(m.parameters().at("model.norm.weight"), before));
}

TEST(Optim, ScheduleWarmsUpThenDecays) {
  AdamWOptions o;
  o.lr = 1.0;
  o.warmupSteps = 4;
  o.totalSteps = 14;
  o.minLrRatio = 0.1;
  EXPECT_DOUBLE_EQ(scheduledLr(o, 0), 0.25);
  EXPECT_DOUBLE_EQ(scheduledLr(o, 3), 1.0);
  EXPECT_DOUBLE_EQ(scheduledLr(o, 4), 1.0);
  EXPECT_NEAR(scheduledLr(o, 9), 0.1 + 0.9 * 0.5, 1e-12);
  EXPECT_DOUBLE_EQ(scheduledLr(o, 14), 0.1);
  EXPECT_DOUBLE_EQ(scheduledLr(o, 100), 0.1);
}

TEST(Generate, GreedyWithCacheEqualsRecomputation) {
  Model m = tinyModel(true, false);
  std::vector<int64_t> prompt = {1, 5, 9, 33, 7};
  GenerateOptions o;
  o.maxNewTokens = 20;
  o.sampling.temperature = 0;
  GenerateResult cached = generate(m, prompt, o);
  o.useCache = false;
  GenerateResult slow = generate(m, prompt, o);
  EXPECT_EQ(cached.tokens, slow.tokens);
  EXPECT_EQ(cached.tokens.size(), 20u);
  EXPECT_EQ(cached.finishReason, "length");
}

TEST(Generate, SeededSamplingRepeatsAndLogprobsMatch) {
  Model m = tinyModel(false, true);
  GenerateOptions o;
  o.maxNewTokens = 12;
  o.sampling = {0.9, 0.95, 20, 1234};
  GenerateResult a = generate(m, {1, 2, 3}, o), b = generate(m, {1, 2, 3}, o);
  EXPECT_EQ(a.tokens, b.tokens);
  o.sampling.seed = 99;
  GenerateResult c = generate(m, {1, 2, 3}, o);
  EXPECT_NE(a.tokens, c.tokens);
  // With temperature 1 and no filtering, the behaviour log-probs are the model's.
  o.sampling = {1.0, 1.0, 0, 7};
  GenerateResult d = generate(m, {1, 2, 3}, o);
  std::vector<int64_t> seq = {1, 2, 3};
  seq.insert(seq.end(), d.tokens.begin(), d.tokens.end());
  at::Tensor lp = sequenceLogprobs(m, at::tensor(seq, at::kLong).unsqueeze(0));
  double maxDiff = 0;
  for (size_t i = 0; i < d.tokens.size(); ++i)
    maxDiff = std::max(maxDiff, std::fabs(lp[0][2 + static_cast<int64_t>(i)].item<double>() - d.logprobs[i]));
  std::printf("[sampling] max |behaviour - recomputed| log-prob = %.3g\n", maxDiff);
  EXPECT_LT(maxDiff, 1e-4);
}

TEST(Generate, BadInputGetsCodes) {
  Model m = tinyModel(false, true);
  auto generateCode = [&](std::vector<int64_t> prompt, int64_t maxNew) {
    return codeOf([&] {
      GenerateOptions o;
      o.maxNewTokens = maxNew;
      generate(m, prompt, o);
    });
  };
  EXPECT_EQ(generateCode({1, 64}, 1), code::kTokenOutOfRange);
  EXPECT_EQ(generateCode({-1}, 1), code::kTokenOutOfRange);
  EXPECT_EQ(generateCode({}, 1), code::kInvalidArgument);
  EXPECT_EQ(generateCode(std::vector<int64_t>(128, 3), 1), code::kContextOverflow);
  GenerateOptions o;
  o.maxNewTokens = 50;
  EXPECT_EQ(generate(m, std::vector<int64_t>(100, 3), o).finishReason, "context");
}

TEST(Model, Bfloat16ForwardTracksFloat32) {
  ModelConfig c = tinyConfig(true, false);
  TensorMap params = randomParams(c, 13);
  Model f32(c, params, at::kCPU, at::kFloat);
  Model bf16(c, params, at::kCPU, at::kBFloat16);
  at::Tensor ids = randomIds(2, 12, 64, 9);
  at::Tensor a = sequenceLogprobs(f32, ids), b = sequenceLogprobs(bf16, ids);
  EXPECT_EQ(b.scalar_type(), at::kFloat);  // norms, softmax and log-probs stay fp32
  double d = (a - b).abs().max().item<double>();
  std::printf("[bf16] max |logp_bf16 - logp_fp32| = %.3g\n", d);
  EXPECT_LT(d, 0.25);  // bf16 keeps 8 mantissa bits: ~1e-2 relative per matmul
  EXPECT_GT(d, 0.0);   // and it really ran in bf16
}
