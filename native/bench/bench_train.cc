// bench_train.cc — one GRPO optimisation step of a real model on a fixed batch, against
// the machine's measured fp32 matmul rate in the same run.
//
//   datarus_bench_train MODEL [--batch 8] [--seq 256] [--prompt 64] [--micro-batch 8]
//                             [--beta 0.04] [--steps 2] [--checkpoint] [--json]
//
// The step is: reference log-probs (when beta > 0), micro-batched policy forward +
// backward of the GRPO loss, AdamW. Model FLOPs count 2·(matmul parameters) + causal-
// free attention per token for a forward, 3× for forward + backward, plus one forward
// for the reference (PaLM's MFU accounting; recomputation of the logits chunk is not
// counted). MFU = model FLOP/s ÷ best fp32 GEMM FLOP/s measured here. Each variant's
// memory is the peak resident size during its steps above the size before them
// (gradients and AdamW moments already allocated: what one step's activations,
// logits chunks and reference pass add).
// --checkpoint runs the same steps again with activation checkpointing
// (checkpointed_forward.h) and prints both side by side. Prints figures; never fails
// on a timing.
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

namespace {
constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
}  // namespace

int main(int argc, char** argv) {
  openMpDefaults(argv);
  if (argc < 2) {
    std::fprintf(stderr, "usage: datarus_bench_train MODEL [--batch N] [--seq N] [--prompt N] [--micro-batch N] [--beta X] [--steps N] [--checkpoint] [--json]\n");
    return 2;
  }
  std::string path = argv[1];
  int64_t B = 8, T = 256, prompt = 64, micro = 8, steps = 2;
  double beta = 0.04;
  bool json = false, compareCheckpoint = false;
  for (int i = 2; i < argc; ++i) {
    auto next = [&] { return i + 1 < argc ? argv[++i] : "0"; };
    if (!std::strcmp(argv[i], "--batch")) B = std::atoll(next());
    else if (!std::strcmp(argv[i], "--seq")) T = std::atoll(next());
    else if (!std::strcmp(argv[i], "--prompt")) prompt = std::atoll(next());
    else if (!std::strcmp(argv[i], "--micro-batch")) micro = std::atoll(next());
    else if (!std::strcmp(argv[i], "--beta")) beta = std::atof(next());
    else if (!std::strcmp(argv[i], "--steps")) steps = std::max<int64_t>(1, std::atoll(next()));
    else if (!std::strcmp(argv[i], "--checkpoint")) compareCheckpoint = true;
    else if (!std::strcmp(argv[i], "--json")) json = true;
  }
  try {
    int threads = initThreads();
    tuneAllocator();  // the addon's allocator policy, so that memory figures match it
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

    // The best step time of one variant, and the peak resident bytes its steps added.
    struct Run {
      double best = 1e30, refSeconds = 0, stepBytes = 0;
      GrpoStepStats last;
    };
    auto measure = [&](bool checkpoint) {
      Run r;
      o.checkpointLayers = checkpoint;
      releaseFreedMemory();
      const double before = static_cast<double>(rssBytes());
      resetPeakRss();
      for (int64_t s = 0; s <= steps; ++s) {  // step 0 warms up allocators and OpenMP
        auto t0 = Clock::now();
        if (ref) {
          auto r0 = Clock::now();
          b.refLogp = ref->logprobs(b.ids);
          r.refSeconds = seconds(r0);
        }
        b.oldLogp = at::Tensor();
        r.last = grpoStep(m, opt, b, o);
        double dt = seconds(t0);
        if (s > 0) r.best = std::min(r.best, dt);
      }
      r.stepBytes = static_cast<double>(peakRssBytes()) - before;
      return r;
    };
    // gradients and AdamW moments exist before either variant's baseline
    if (ref) b.refLogp = ref->logprobs(b.ids);
    grpoStep(m, opt, b, o);
    const Run plain = measure(false);
    const Run ckpt = compareCheckpoint ? measure(true) : Run{};
    const double best = plain.best, refSeconds = plain.refSeconds;
    const GrpoStepStats& last = plain.last;
    const double tokens = static_cast<double>(B * T);
    const double fwd = B * c.forwardFlops(T);
    const double flops = 3 * fwd + (beta > 0 ? fwd : 0);
    const double mfu = flops / best / (peak * 1e9);
    if (json) {
      std::printf("{\"model\":\"%s\",\"batch\":%lld,\"seq\":%lld,\"microBatch\":%lld,\"beta\":%g,\"threads\":%d,"
                  "\"stepSeconds\":%.4f,\"referenceSeconds\":%.4f,\"tokensPerSecond\":%.1f,\"modelFlopsPerStep\":%.4g,"
                  "\"achievedGflops\":%.2f,\"matmulGflops\":%.2f,\"mfu\":%.4f,\"loss\":%.6f,\"gradNorm\":%.4f,"
                  "\"stepMemoryGiB\":%.3f",
                  path.c_str(), (long long)B, (long long)T, (long long)micro, beta, threads, best, refSeconds,
                  tokens / best, flops, flops / best / 1e9, peak, mfu, last.loss, last.gradNorm, plain.stepBytes / kGiB);
      if (compareCheckpoint)
        std::printf(",\"checkpointed\":{\"stepSeconds\":%.4f,\"stepMemoryGiB\":%.3f}", ckpt.best, ckpt.stepBytes / kGiB);
      std::printf("}\n");
    } else {
      std::printf("%s (%s): GRPO step on %lld x %lld tokens (micro-batch %lld, beta %g), %d threads\n", path.c_str(),
                  buildInfo().c_str(), (long long)B, (long long)T, (long long)micro, beta, threads);
      std::printf("  step %.3f s (reference %.3f s), %.1f tokens/s\n", best, refSeconds, tokens / best);
      std::printf("  model FLOPs %.3g per step → %.2f GFLOP/s; measured fp32 matmul %.2f GFLOP/s; MFU %.1f%%\n", flops,
                  flops / best / 1e9, peak, 100 * mfu);
      std::printf("  memory: the steps' peak resident size %.2f GiB above the size before them\n", plain.stepBytes / kGiB);
      if (compareCheckpoint)
        std::printf("  activation checkpointing: step %.3f s (%.2fx the plain step), %.2f GiB above (%.2fx)\n", ckpt.best,
                    ckpt.best / best, ckpt.stepBytes / kGiB, ckpt.stepBytes / plain.stepBytes);
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
