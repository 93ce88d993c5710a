// runtime.h — process-wide settings: intra-op threads, device and dtype choice.
#pragma once

#include <ATen/ATen.h>

#include <string>

namespace datarus {

// Sets libtorch's intra-op threads: DATARUS_THREADS if set, else every core.
// Idempotent; returns the count in effect.
int initThreads();

// "auto" (CUDA when present, else CPU), "cpu", "cuda", "cuda:N".
at::Device parseDevice(const std::string& name);
// "auto" (bf16 on CUDA with bf16 support, fp32 on CPU), "float32", "bfloat16", "float16".
at::ScalarType parseDtype(const std::string& name, at::Device device);
const char* dtypeName(at::ScalarType t);

// A short description of the build: libtorch version, CUDA, BLAS threads.
std::string buildInfo();

}  // namespace datarus
