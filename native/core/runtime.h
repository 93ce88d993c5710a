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

// Hands the heap memory freed since the last call back to the system (malloc_trim),
// when tuneAllocator set its policy; otherwise does nothing. Blocks under the mmap
// threshold (a micro-batch's [B·T, H] activations, the layers' weights and their
// gradients) stay in glibc's heaps after they are freed, and each thread has its own
// heaps (an arena): successive training calls run on different libuv worker threads,
// so each of them kept a training step's worth of freed activations that no other
// thread could reuse. The learner of the default run grew from 3 GiB to a 12.4 GiB
// peak over its first GRPO steps (4 steps), for about 4 GiB of live tensors; with
// this called after every native operation (binding/worker.cc) its RSS falls back
// to ~3-4 GiB between steps and peaks at 6.8 GiB. The cost is one pass over the
// free lists and re-faulting the released pages, not measurable next to a step.
void releaseFreedMemory();

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
