// bench_util.h — measurements shared by the benchmarks: the machine's fp32 matmul
// rate and read bandwidth (taken in the same run as the figures they bound),
// peak resident memory, and the OpenMP wait-policy default.
#pragma once

#include <ATen/ATen.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <unistd.h>

#include "huge_pages.h"
#include "runtime.h"

namespace datarus::bench {

using Clock = std::chrono::steady_clock;

inline double seconds(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// libgomp reads its wait policy when it loads. Long spinning starves OpenBLAS's
// threads on small machines and immediate sleeping makes every short parallel loop
// of a decode step pay a wake-up, so unless the user chose a policy, re-exec once
// with a short spin (the same default as packages/engine/src/native-binding.ts).
inline void openMpDefaults(char** argv) {
  if (!std::getenv("OMP_WAIT_POLICY") && !std::getenv("GOMP_SPINCOUNT")) {
    setenv("GOMP_SPINCOUNT", "10000", 1);
    execv("/proc/self/exe", argv);
  }
}

// Best-of-7 fp32 GEMM rate (GFLOP/s) of [m, k] × [k, n] on the CPU (runtime.h).
inline double matmulGflops(int64_t m = 1024, int64_t k = 1024, int64_t n = 1024) {
  return datarus::matmulGflops(at::kCPU, at::kFloat, m, k, n);
}

// Best-of-5 read bandwidth (GB/s): summing a 512 MiB buffer on huge pages where the
// OS grants them (core/huge_pages.h), as the decode panels are: the best stream
// this machine gives, not one slowed by a page walk every 4 KiB.
inline double readBandwidthGBs() {
  at::Tensor x = hugePageEmpty(128 << 20).fill_(1.0f);
  x.sum();
  double best = 0;
  for (int r = 0; r < 5; ++r) {
    auto t0 = Clock::now();
    volatile float s = x.sum().item<float>();
    (void)s;
    best = std::max(best, x.numel() * 4.0 / seconds(t0) / 1e9);
  }
  return best;
}

// Peak and current resident set size of this process, in bytes (from /proc).
inline int64_t procStatusBytes(const char* key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(key, 0) == 0) return std::atoll(line.c_str() + std::string(key).size()) * 1024;
  return 0;
}
inline int64_t peakRssBytes() { return procStatusBytes("VmHWM:"); }
inline int64_t rssBytes() { return procStatusBytes("VmRSS:"); }
// Restarts peakRssBytes() at the current size (Linux: 5 written to /proc/self/clear_refs);
// false where that is refused.
inline bool resetPeakRss() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
  out.flush();
  return static_cast<bool>(out);
}

// Bytes of the mapping that holds `p` which are backed by transparent huge pages
// (AnonHugePages in /proc/self/smaps); 0 when unknown.
inline int64_t hugePageBytesAt(const void* p) {
  std::ifstream in("/proc/self/smaps");
  std::string line;
  bool inside = false;
  const auto addr = reinterpret_cast<uintptr_t>(p);
  while (std::getline(in, line)) {
    unsigned long lo = 0, hi = 0;
    if (std::sscanf(line.c_str(), "%lx-%lx ", &lo, &hi) == 2) {  // a mapping's header line
      inside = addr >= lo && addr < hi;
    } else if (inside && line.rfind("AnonHugePages:", 0) == 0) {
      return std::atoll(line.c_str() + 14) * 1024;
    }
  }
  return 0;
}

}  // namespace datarus::bench
