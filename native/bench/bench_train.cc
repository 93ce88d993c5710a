// bench_train.cc — one GRPO optimisation step of a real model on a fixed batch, against
// the machine's measured fp32 matmul rate in the same run.
//
//   datarus_bench_train MODEL [--batch 8] [--seq 256] [--prompt 64] [--micro-batch 8]
//                             [--beta 0.04] [--steps 2] [--json]
//
// The step is: reference log-probs (when beta > 0), micro-batched policy forward +
// backward of the GRPO loss, AdamW. Model FLOPs count 2·(matmul parameters) + causal-
// free attention per token for a forward, 3× for forward + backward, plus one forward
// for the reference (PaLM's MFU accounting; recomputation of the logits chunk is not
// counted). MFU = model FLOP/s ÷ best fp32 GEMM FLOP/s measured here. Prints figures;
// never fails on a timing.
#include <ATen/ATen.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <unistd.h>

#include "bench_util.h"
#include "error.h"
#include "grpo/grpo_step.h"
#include "grpo/reference_model.h"
#include "loader.h"
#include "runtime.h"

using namespace datarus;
using namespace datarus::bench;

int main(int argc, char** argv) {
  openMpDefaults(argv);
  if (argc < 2) {
    std::fprintf(stderr, "usage: datarus_bench_train MODEL [--batch N] [--seq N] [--prompt N] [--micro-batch N] [--beta X] [--steps N] [--json]\n");
    return 2;
  }
  std::string path = argv[1];
  int64_t B = 8, T = 256, prompt = 64, micro = 8, steps = 2;
  double beta = 0.04;
  bool json = false;
  for (int i = 2; i < argc; ++i) {
    auto next = [&] { return i + 1 < argc ? argv[++i] : "0"; };
    if (!std::strcmp(argv[i], "--batch")) B = std::atoll(next());
    else if (!std::strcmp(argv[i], "--seq")) T = std::atoll(next());
    else if (!std::strcmp(argv[i], "--prompt")) prompt = std::atoll(next());
    else if (!std::strcmp(argv[i], "--micro-batch")) micro = std::atoll(next());
    else if (!std::strcmp(argv[i], "--beta")) beta = std::atof(next());
    else if (!std::strcmp(argv[i], "--steps")) steps = std::max<int64_t>(1, std::atoll(next()));
    else if (!std::strcmp(argv[i], "--json")) json = true;
  }
  try {
    int threads = initThreads();
    LoadedModel lm = loadModel(path, {});
    Model& m = *lm.model;
    const ModelConfig& c = m.config();
    double peak = matmulGflops(B * T, c.hiddenSize, c.intermediateSize);

    at::manual_seed(0);
    GrpoBatch b;
    b.ids = at::randint(0, c.vocabSize, {B, T}, at::kLong);  // [B, T]
    b.mask = at::zeros({B, T - 1});
    b.mask.narrow(1, prompt - 1, T - prompt).fill_(1);
    b.advantages = at::randn({B});
    GrpoStepOptions o;
    o.loss.beta = beta;
    o.loss.lossType = LossType::Dapo;
    o.microBatchSize = micro;
    std::unique_ptr<ShardedReference> ref;
    if (beta > 0) ref = std::make_unique<ShardedReference>(m, 1, std::vector<at::Device>{m.device()}, m.dtype());
    AdamWOptions ao;
    ao.lr = 1e-6;
    AdamW opt(ao);

    double best = 1e30, refSeconds = 0;
    GrpoStepStats last;
    for (int64_t s = 0; s <= steps; ++s) {  // step 0 warms up allocators and OpenMP
      auto t0 = Clock::now();
      if (ref) {
        auto r0 = Clock::now();
        b.refLogp = ref->logprobs(b.ids);
        refSeconds = seconds(r0);
      }
      b.oldLogp = at::Tensor();
      last = grpoStep(m, opt, b, o);
      double dt = seconds(t0);
      if (s > 0) best = std::min(best, dt);
    }
    const double tokens = static_cast<double>(B * T);
    const double fwd = B * c.forwardFlops(T);
    const double flops = 3 * fwd + (beta > 0 ? fwd : 0);
    const double mfu = flops / best / (peak * 1e9);
    if (json) {
      std::printf("{\"model\":\"%s\",\"batch\":%lld,\"seq\":%lld,\"microBatch\":%lld,\"beta\":%g,\"threads\":%d,"
                  "\"stepSeconds\":%.4f,\"referenceSeconds\":%.4f,\"tokensPerSecond\":%.1f,\"modelFlopsPerStep\":%.4g,"
                  "\"achievedGflops\":%.2f,\"matmulGflops\":%.2f,\"mfu\":%.4f,\"loss\":%.6f,\"gradNorm\":%.4f}\n",
                  path.c_str(), (long long)B, (long long)T, (long long)micro, beta, threads, best, refSeconds,
                  tokens / best, flops, flops / best / 1e9, peak, mfu, last.loss, last.gradNorm);
    } else {
      std::printf("%s (%s): GRPO step on %lld x %lld tokens (micro-batch %lld, beta %g), %d threads\n", path.c_str(),
                  buildInfo().c_str(), (long long)B, (long long)T, (long long)micro, beta, threads);
      std::printf("  step %.3f s (reference %.3f s), %.1f tokens/s\n", best, refSeconds, tokens / best);
      std::printf("  model FLOPs %.3g per step → %.2f GFLOP/s; measured fp32 matmul %.2f GFLOP/s; MFU %.1f%%\n", flops,
                  flops / best / 1e9, peak, 100 * mfu);
    }
    return 0;
  } catch (const Error& e) {
    std::fprintf(stderr, "%s: %s\n", e.code().c_str(), e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "E_INTERNAL: %s\n", e.what());
    return 1;
  }
}
