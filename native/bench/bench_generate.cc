// bench_generate.cc — GRPO group generation against its baseline and the machine.
//
//   datarus_bench_generate MODEL [--group 8] [--prompt-tokens 256] [--new-tokens 128]
//                          [--micro-batch 8] [--memory-groups 8,32,64] [--trials 5] [--json]
//
// Measured in one run: tokens/s of group generation (one shared prefill, samples
// decoded in micro-batches); the naive baseline where every sample prefills its
// own copy of the prompt (decoded in the same micro-batches, so only the prompt
// sharing differs); the prompt FLOPs saved; peak resident memory for several G at
// a fixed micro-batch (each in a fresh child process); and the decode's physical
// limit from the matmul FLOP/s and read bandwidth measured here: a decode step of
// m rows must stream every weight once (bytes / bandwidth) and do 2·params·m
// FLOPs (FLOPs / matmul rate), so m / max(the two) tokens/s is the ceiling.
//
// On a shared machine both limits drift by tens of percent within a minute (other
// tenants' memory traffic), so each decode trial is bracketed by its own
// measurements of them, its limit uses their mean, and the trial with the median
// fraction of its limit is reported (every trial is printed).
//
// The decode-step weight panels (core/decode_pack.h: one more copy of the weights,
// built once per weights version) are built before any timing or memory baseline
// and reported on their own line.
#include <ATen/ATen.h>

#include <algorithm>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#include "bench_util.h"
#include "error.h"
#include "group.h"
#include "loader.h"
#include "runtime.h"

using namespace datarus;
using namespace datarus::bench;

namespace {

struct Args {
  std::string model;
  int64_t group = 8, promptTokens = 256, newTokens = 128, microBatch = 8, measureMemory = 0, trials = 5;
  std::vector<int64_t> memoryGroups = {8, 32, 64};
  bool json = false;
};

Args parse(int argc, char** argv) {
  Args a;
  a.model = argv[1];
  for (int i = 2; i < argc; ++i) {
    std::string f = argv[i];
    auto next = [&] { return i + 1 < argc ? std::atoll(argv[++i]) : 0; };
    if (f == "--group") a.group = next();
    else if (f == "--prompt-tokens") a.promptTokens = next();
    else if (f == "--new-tokens") a.newTokens = next();
    else if (f == "--micro-batch") a.microBatch = next();
    else if (f == "--measure-memory") a.measureMemory = next();
    else if (f == "--trials") a.trials = std::max<int64_t>(1, next());
    else if (f == "--json") a.json = true;
    else if (f == "--memory-groups" && i + 1 < argc) {
      a.memoryGroups.clear();
      std::stringstream ss(argv[++i]);
      for (std::string x; std::getline(ss, x, ',');) a.memoryGroups.push_back(std::atoll(x.c_str()));
    }
  }
  return a;
}

std::vector<int64_t> syntheticPrompt(int64_t n) {
  std::vector<int64_t> p(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) p[static_cast<size_t>(i)] = 100 + (i * 7919) % 20000;
  return p;
}

struct Trial {
  double decodeTps = 0, groupSeconds = 0;  // the decode, and prefill + decode
  double bandwidth = 0, gflops = 0;        // mean of the measurements just before and after
  double limit = 0;                        // decode tokens/s ceiling from those two
};

GroupOptions options(const Args& a) {
  GroupOptions o;
  o.maxNewTokens = a.newTokens;
  o.temperature = 1.0;
  o.seed = 1;
  o.microBatch = a.microBatch;
  o.keepCaches = false;  // no stop ids: every sample runs to newTokens
  return o;
}

// The baseline: each micro-batch prefills m copies of the prompt, then decodes.
double naiveSeconds(const Model& m, const std::vector<int64_t>& prompt, const Args& a) {
  c10::InferenceMode inference;
  auto t0 = Clock::now();
  const int64_t P = static_cast<int64_t>(prompt.size());
  for (int64_t first = 0; first < a.group; first += a.microBatch) {
    const int64_t rows = std::min(a.microBatch, a.group - first);
    KVCache cache = m.newCache(rows, P + a.newTokens);
    at::Tensor ids = at::tensor(prompt, at::kLong).unsqueeze(0).repeat({rows, 1});  // [rows, P]
    at::Tensor logits = m.lastLogits(m.hidden(ids, 0, &cache));                      // [rows, V]
    std::vector<Sampler> samplers;
    for (int64_t r = 0; r < rows; ++r) samplers.emplace_back(SamplingOptions{1.0, 1.0, 0, uint64_t(first + r + 1)});
    for (int64_t t = 0; t < a.newTokens; ++t) {
      std::vector<int64_t> next;
      for (int64_t r = 0; r < rows; ++r) next.push_back(samplers[static_cast<size_t>(r)].next(logits[r]).token);
      if (t + 1 == a.newTokens) break;
      logits = m.lastLogits(m.hidden(at::tensor(next, at::kLong).unsqueeze(1), 0, &cache));
    }
  }
  return seconds(t0);
}

struct PackSize {
  int64_t bytes = 0;      // 0 when the model decodes without panels
  int64_t hugeBytes = 0;  // of which on transparent huge pages
};

// Builds the model's decode-step weight panels now.
PackSize decodePackSize(const Model& m) {
  c10::InferenceMode inference;
  auto pack = m.decodePack();
  if (!pack) return {};
  return {pack->bytes(), hugePageBytesAt(pack->head.panels.data_ptr())};
}

// Child mode: peak RSS growth while generating a group of G (model already loaded).
int measureMemory(const Model& m, const Args& a) {
  decodePackSize(m);
  int64_t base = rssBytes();
  std::FILE* f = std::fopen("/proc/self/clear_refs", "w");  // "5" resets the peak (VmHWM) to now
  if (f) {
    std::fputs("5", f);
    std::fclose(f);
  }
  GroupOptions o = options(a);
  GroupSession g(m, syntheticPrompt(a.promptTokens), a.measureMemory, o);
  g.decode();
  std::printf("%lld\n", static_cast<long long>(peakRssBytes() - base));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  openMpDefaults(argv);
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: datarus_bench_generate MODEL [--group 8] [--prompt-tokens 256] [--new-tokens 128] "
                 "[--micro-batch 8] [--memory-groups 8,32,64] [--trials 5] [--json]\n");
    return 2;
  }
  Args a = parse(argc, argv);
  try {
    int threads = initThreads();
    LoadedModel lm = loadModel(a.model, {});
    const Model& m = *lm.model;
    if (a.measureMemory > 0) return measureMemory(m, a);
    const ModelConfig& c = m.config();
    const double params = static_cast<double>(c.parameterCount());
    const std::vector<int64_t> prompt = syntheticPrompt(a.promptTokens);

    GroupOptions o = options(a);
    auto tp = Clock::now();
    const PackSize pack = decodePackSize(m);
    const double packMib = pack.bytes / 1048576.0, packSeconds = seconds(tp), hugeMib = pack.hugeBytes / 1048576.0;
    GroupSession warm(m, std::vector<int64_t>(prompt.begin(), prompt.begin() + 8), 2, o);  // warm-up
    const double tokens = static_cast<double>(a.group * a.newTokens);
    // Decode ceiling at micro-batch m: per step, all weights plus the KV read once.
    const double mb = static_cast<double>(std::min(a.microBatch, a.group));
    const double kvPerToken = 2.0 * c.numLayers * c.numKvHeads * c.headDim * 4;
    const double avgSuffix = a.newTokens / 2.0;
    const double stepBytes = params * 4 + kvPerToken * (a.promptTokens + mb * avgSuffix);
    const double stepFlops = 2 * params * mb;
    std::vector<Trial> trials;
    for (int64_t t = 0; t < a.trials; ++t) {
      Trial tr;
      const double bw0 = readBandwidthGBs(), gf0 = matmulGflops();
      GroupSession g(m, prompt, a.group, o);
      g.decode();
      tr.bandwidth = (bw0 + readBandwidthGBs()) / 2;
      tr.gflops = (gf0 + matmulGflops()) / 2;
      tr.groupSeconds = g.prefillSeconds() + g.decodeSeconds();
      tr.decodeTps = tokens / g.decodeSeconds();
      tr.limit = mb / std::max(stepBytes / (tr.bandwidth * 1e9), stepFlops / (tr.gflops * 1e9));
      trials.push_back(tr);
    }
    std::vector<Trial> byFraction = trials;
    std::sort(byFraction.begin(), byFraction.end(),
              [](const Trial& x, const Trial& y) { return x.decodeTps / x.limit < y.decodeTps / y.limit; });
    const Trial& med = byFraction[byFraction.size() / 2];
    const double gflops = med.gflops, bandwidth = med.bandwidth, limit = med.limit, decodeTps = med.decodeTps;
    const double groupSeconds = med.groupSeconds;
    const double naive = naiveSeconds(m, prompt, a);
    const double flopsSaved = (a.group - 1) * 2.0 * params * a.promptTokens;

    std::vector<std::pair<int64_t, double>> memory;
    char self[4096] = {0};
    if (readlink("/proc/self/exe", self, sizeof self - 1) <= 0) std::strcpy(self, argv[0]);
    for (int64_t G : a.memoryGroups) {
      std::string cmd = std::string("'") + self + "' '" + a.model + "' --measure-memory " + std::to_string(G) + " --prompt-tokens " +
                        std::to_string(a.promptTokens) + " --new-tokens " + std::to_string(a.newTokens) +
                        " --micro-batch " + std::to_string(a.microBatch);
      std::FILE* p = popen(cmd.c_str(), "r");
      long long bytes = -1;
      if (p) {
        if (std::fscanf(p, "%lld", &bytes) != 1) bytes = -1;
        pclose(p);
      }
      memory.emplace_back(G, bytes / 1048576.0);
    }

    if (a.json) {
      std::printf("{\"model\":\"%s\",\"threads\":%d,\"group\":%lld,\"prompt_tokens\":%lld,\"new_tokens\":%lld,"
                  "\"micro_batch\":%lld,\"matmul_gflops\":%.1f,\"read_bandwidth_gbs\":%.2f,"
                  "\"group_tokens_per_s\":%.2f,\"naive_tokens_per_s\":%.2f,\"speedup_vs_naive\":%.3f,"
                  "\"group_decode_tokens_per_s\":%.2f,\"decode_limit_tokens_per_s\":%.2f,"
                  "\"decode_fraction_of_limit\":%.3f,\"prompt_gflops_saved\":%.2f,\"decode_pack_mib\":%.1f,\"decode_pack_huge_page_mib\":%.1f,"
                  "\"decode_pack_seconds\":%.3f,"
                  "\"decode_trials\":[",
                  a.model.c_str(), threads, (long long)a.group, (long long)a.promptTokens, (long long)a.newTokens,
                  (long long)a.microBatch, gflops, bandwidth, tokens / groupSeconds, tokens / naive,
                  naive / groupSeconds, decodeTps, limit, decodeTps / limit, flopsSaved / 1e9, packMib, hugeMib, packSeconds);
      for (size_t i = 0; i < trials.size(); ++i)
        std::printf("%s{\"decode_tokens_per_s\":%.2f,\"read_bandwidth_gbs\":%.2f,\"matmul_gflops\":%.1f,"
                    "\"limit_tokens_per_s\":%.2f,\"fraction\":%.3f}",
                    i ? "," : "", trials[i].decodeTps, trials[i].bandwidth, trials[i].gflops, trials[i].limit,
                    trials[i].decodeTps / trials[i].limit);
      std::printf("],\"peak_rss_mib\":{");
      for (size_t i = 0; i < memory.size(); ++i)
        std::printf("%s\"%lld\":%.1f", i ? "," : "", (long long)memory[i].first, memory[i].second);
      std::printf("}}\n");
    } else {
      std::printf("model              %s (%.1fM params, %s)\n", a.model.c_str(), params / 1e6, buildInfo().c_str());
      for (size_t i = 0; i < trials.size(); ++i)
        std::printf("decode trial %zu     %.2f tokens/s; around it %.1f GFLOP/s matmul, %.2f GB/s read: %.0f%% of %.2f\n",
                    i + 1, trials[i].decodeTps, trials[i].gflops, trials[i].bandwidth,
                    100 * trials[i].decodeTps / trials[i].limit, trials[i].limit);
      std::printf("machine            %.1f GFLOP/s fp32 matmul, %.2f GB/s read (around the median trial)\n", gflops,
                  bandwidth);
      std::printf("group generation   G=%lld, %lld prompt + %lld new tokens, micro-batch %lld\n", (long long)a.group,
                  (long long)a.promptTokens, (long long)a.newTokens, (long long)a.microBatch);
      std::printf("  shared prefill   %.2f tokens/s (%.2f s)\n", tokens / groupSeconds, groupSeconds);
      std::printf("  naive baseline   %.2f tokens/s (%.2f s; every sample prefills its own prompt)\n", tokens / naive,
                  naive);
      std::printf("  speed-up         %.2fx; prompt FLOPs saved %.1f GFLOP\n", naive / groupSeconds, flopsSaved / 1e9);
      std::printf("  decode           %.2f tokens/s = %.0f%% of the limit %.2f tokens/s at micro-batch %.0f\n",
                  decodeTps, 100 * decodeTps / limit, limit, mb);
      for (const auto& [G, mib] : memory)
        std::printf("  peak RSS growth  G=%-3lld %.1f MiB (micro-batch %lld)\n", (long long)G, mib,
                    (long long)a.microBatch);
      std::printf("  weight panels    %.1f MiB (%.0f MiB on huge pages) built in %.2f s (decode-step copy of the weights,"
                  " once per weights version)\n", packMib, hugeMib, packSeconds);
    }
  } catch (const Error& e) {
    std::fprintf(stderr, "error %s: %s\n", e.code().c_str(), e.what());
    return 1;
  }
  return 0;
}
