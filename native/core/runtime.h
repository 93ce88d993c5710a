// runtime.h — process-wide settings: intra-op threads, device and dtype choice.
#pragma once

#include <ATen/ATen.h>

#include <string>

namespace datarus {

// Sets libtorch's intra-op threads: DATARUS_THREADS if set, else every core.
// Idempotent; returns the count in effect.
int initThreads();

// Keeps glibc from holding on to freed tensor memory. Its default raises the mmap
// threshold after large blocks are freed, so later large tensors come from heaps
// that fragment and are never returned: a GRPO step on a 135M model then grows the
// process from 2.4 GiB to 6.7 GiB and more. A fixed trim threshold (128 MiB) turns
// that adjustment off. Does nothing when MALLOC_TRIM_THRESHOLD_ or
// MALLOC_MMAP_THRESHOLD_ is set, or off glibc. Idempotent.
void tuneAllocator();

// "auto" (CUDA when present, else CPU), "cpu", "cuda", "cuda:N".
at::Device parseDevice(const std::string& name);
// "auto" (bf16 on CUDA with bf16 support, fp32 on CPU), "float32", "bfloat16", "float16".
at::ScalarType parseDtype(const std::string& name, at::Device device);
const char* dtypeName(at::ScalarType t);

// A short description of the build: libtorch version, CUDA, BLAS threads.
std::string buildInfo();

}  // namespace datarus
