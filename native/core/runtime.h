// runtime.h — process-wide settings: intra-op threads, device and dtype choice.
#pragma once

#include <ATen/ATen.h>

#include <string>

namespace datarus {

// Sets libtorch's intra-op threads: DATARUS_THREADS if set, else every core.
// Idempotent; returns the count in effect.
int initThreads();

// Keeps glibc from holding on to freed tensor memory. Its default raises the mmap
// threshold (up to 32 MiB) after large blocks are freed, so later tensors come from
// heaps that fragment and are never returned: a GRPO step of 8 x 256 tokens on
// SmolLM2-135M then peaks at 16.7 GiB. A fixed mmap threshold of 4 MiB (larger
// blocks are mapped and unmapped, smaller ones reuse the heap) with a 128 MiB trim
// threshold keeps it at 7.6 GiB, with step times within this machine's noise
// (42.5 s against 44.2 s side by side); 128 KiB (glibc's starting threshold) saves
// another GiB but made the step about 37% slower on 2 cores (page faults on
// every fresh mapping). Does nothing when MALLOC_TRIM_THRESHOLD_ or
// MALLOC_MMAP_THRESHOLD_ is set, with DATARUS_ALLOCATOR=glibc (glibc's own policy,
// for comparison), or off glibc. Idempotent.
void tuneAllocator();

// "auto" (CUDA when present, else CPU), "cpu", "cuda", "cuda:N".
at::Device parseDevice(const std::string& name);
// "auto" (bf16 on CUDA with bf16 support, fp32 on CPU), "float32", "bfloat16", "float16".
at::ScalarType parseDtype(const std::string& name, at::Device device);
const char* dtypeName(at::ScalarType t);

// Best fp32/bf16 GEMM rate (GFLOP/s) of [m, k] × [k, n] on `device` in `dtype`:
// the peak that MFU figures are measured against (warm-up, then the best of `rounds`
// rounds of `perRound` products; synchronises with the device before timing).
double matmulGflops(at::Device device, at::ScalarType dtype, int64_t m, int64_t k, int64_t n, int rounds = 7,
                    int perRound = 5);

// A short description of the build: libtorch version, CUDA, BLAS threads.
std::string buildInfo();

}  // namespace datarus
