// bench_engine.cc — prefill and decode throughput of a real model against the
// machine's measured limits (fp32 matmul FLOP/s, memory bandwidth) in the same run.
//
//   datarus_bench MODEL [--prompt-tokens 256] [--new-tokens 64] [--json]
//
// Prefill is compute-bound: its limit is (2·params FLOPs per token) / matmul FLOP/s.
// Single-sequence decode is bandwidth-bound: every token streams all weights once,
// so its limit is bandwidth / weight bytes. Both fractions are printed. The figures
// are the best of three runs, and so are the limits: each is the higher of its
// measurements before and after the runs (other tenants' traffic on a shared
// machine moves the bandwidth by tens of percent within a minute).
#include <ATen/ATen.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <unistd.h>

#include "error.h"
#include "generate.h"
#include "loader.h"
#include "runtime.h"
#include "bench_util.h"

using namespace datarus;

using namespace datarus::bench;

int main(int argc, char** argv) {
  openMpDefaults(argv);
  if (argc < 2) {
    std::fprintf(stderr, "usage: datarus_bench MODEL [--prompt-tokens N] [--new-tokens N] [--json]\n");
    return 2;
  }
  std::string path = argv[1];
  int64_t promptTokens = 256, newTokens = 64;
  bool json = false;
  for (int i = 2; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--prompt-tokens") && i + 1 < argc) promptTokens = std::atoll(argv[++i]);
    else if (!std::strcmp(argv[i], "--new-tokens") && i + 1 < argc) newTokens = std::atoll(argv[++i]);
    else if (!std::strcmp(argv[i], "--json")) json = true;
  }
  try {
    int threads = initThreads();
    LoadedModel lm = loadModel(path, {});
    const Model& m = *lm.model;
    const double params = static_cast<double>(m.config().parameterCount());
    const double gflops0 = matmulGflops(), bandwidth0 = readBandwidthGBs();

    std::vector<int64_t> prompt(promptTokens);
    for (int64_t i = 0; i < promptTokens; ++i) prompt[i] = 100 + (i * 7919) % 20000;
    GenerateOptions o;
    o.maxNewTokens = newTokens;
    o.sampling.temperature = 0;
    generate(m, std::vector<int64_t>(prompt.begin(), prompt.begin() + 16), {});  // warm-up
    GenerateResult best;
    double bestPrefill = 1e30, bestDecode = 1e30;
    for (int r = 0; r < 3; ++r) {
      GenerateResult res = generate(m, prompt, o);
      bestPrefill = std::min(bestPrefill, res.prefillSeconds);
      bestDecode = std::min(bestDecode, res.decodeSeconds / std::max<size_t>(1, res.tokens.size() - 1));
    }
    const double gflops = std::max(gflops0, matmulGflops());
    const double bandwidth = std::max(bandwidth0, readBandwidthGBs());
    // Decode: tokens after the first (the first comes from the prefill's logits).
    const double prefillTps = promptTokens / bestPrefill;
    const double decodeTps = 1.0 / bestDecode;
    const double prefillLimit = gflops * 1e9 / (2.0 * params);
    const double weightBytes = params * 4.0;
    const double decodeLimit = bandwidth * 1e9 / weightBytes;
    if (json) {
      std::printf(
          "{\"model\":\"%s\",\"params\":%.0f,\"threads\":%d,\"matmul_gflops\":%.1f,\"read_bandwidth_gbs\":%.2f,"
          "\"prefill_tokens_per_s\":%.1f,\"prefill_limit_tokens_per_s\":%.1f,\"prefill_fraction_of_limit\":%.3f,"
          "\"prefill_gflops\":%.1f,\"prefill_fraction_of_matmul\":%.3f,"
          "\"decode_tokens_per_s\":%.2f,\"decode_limit_tokens_per_s\":%.2f,\"decode_fraction_of_limit\":%.3f}\n",
          path.c_str(), params, threads, gflops, bandwidth, prefillTps, prefillLimit, prefillTps / prefillLimit,
          prefillTps * 2 * params / 1e9, prefillTps * 2 * params / 1e9 / gflops, decodeTps, decodeLimit,
          decodeTps / decodeLimit);
    } else {
      std::printf("model            %s (%.1fM params, %s)\n", path.c_str(), params / 1e6, buildInfo().c_str());
      std::printf("matmul fp32      %.1f GFLOP/s (1024^3 GEMM, the better of before and after the runs)\n", gflops);
      std::printf("read bandwidth   %.2f GB/s (the better of before and after the runs)\n", bandwidth);
      std::printf("prefill          %.1f tokens/s  = %.1f GFLOP/s = %.0f%% of matmul rate (%ld-token prompt)\n",
                  prefillTps, prefillTps * 2 * params / 1e9, 100 * prefillTps / prefillLimit, (long)promptTokens);
      std::printf("decode (B=1)     %.2f tokens/s  = %.0f%% of the bandwidth limit %.2f tokens/s (fp32 weights)\n",
                  decodeTps, 100 * decodeTps / decodeLimit, decodeLimit);
    }
  } catch (const Error& e) {
    std::fprintf(stderr, "error %s: %s\n", e.code().c_str(), e.what());
    return 1;
  }
  return 0;
}
