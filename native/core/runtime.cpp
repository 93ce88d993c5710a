// runtime.cpp — thread, device and dtype selection.
#include "runtime.h"

#include <ATen/Parallel.h>
#include <torch/version.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <thread>

#include "error.h"

namespace datarus {

int initThreads() {
  static std::once_flag once;
  std::call_once(once, [] {
    int n = static_cast<int>(std::thread::hardware_concurrency());
    if (const char* env = std::getenv("DATARUS_THREADS")) n = std::atoi(env);
    if (n < 1) n = 1;
    at::set_num_threads(n);
  });
  return at::get_num_threads();
}

namespace {
std::atomic<bool> trimOnRelease{false};  // set by tuneAllocator
}  // namespace

void tuneAllocator() {
#if defined(__GLIBC__)
  static std::once_flag once;
  std::call_once(once, [] {
    if (std::getenv("MALLOC_TRIM_THRESHOLD_") || std::getenv("MALLOC_MMAP_THRESHOLD_")) return;
    if (const char* a = std::getenv("DATARUS_ALLOCATOR"); a && std::string(a) == "glibc") return;
    mallopt(M_MMAP_THRESHOLD, 4 << 20);
    mallopt(M_TRIM_THRESHOLD, 128 << 20);
    trimOnRelease = true;
  });
#endif
}

void releaseFreedMemory() {
#if defined(__GLIBC__)
  if (trimOnRelease) malloc_trim(0);
#endif
}

double matmulGflops(at::Device device, at::ScalarType dtype, int64_t m, int64_t k, int64_t n, int rounds,
                    int perRound) {
  check(m > 0 && k > 0 && n > 0 && rounds > 0 && perRound > 0, code::kInvalidArgument, "matmul shape must be positive");
  c10::InferenceMode inference;
  auto opts = at::TensorOptions().device(device).dtype(dtype);
  at::Tensor a = at::randn({m, k}, opts), b = at::randn({k, n}, opts);
  auto finish = [&](const at::Tensor& c) {  // reading one element waits for the device
    if (!device.is_cpu()) (void)c.view(-1)[0].item<float>();
  };
  for (int i = 0; i < 3; ++i) finish(at::mm(a, b));
  double best = 0;
  for (int r = 0; r < rounds; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    at::Tensor c;
    for (int i = 0; i < perRound; ++i) c = at::mm(a, b);
    finish(c);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    best = std::max(best, perRound * 2.0 * double(m) * double(k) * double(n) / s / 1e9);
  }
  return best;
}

at::Device parseDevice(const std::string& name) {
  if (name.empty() || name == "auto") return at::hasCUDA() ? at::Device(at::kCUDA, 0) : at::Device(at::kCPU);
  if (name == "cpu") return at::kCPU;
  if (name == "cuda" || name.rfind("cuda:", 0) == 0) {
    check(at::hasCUDA(), code::kInvalidArgument, "device '", name, "' requested but this build has no CUDA device");
    int index = name == "cuda" ? 0 : std::atoi(name.c_str() + 5);
    return at::Device(at::kCUDA, static_cast<at::DeviceIndex>(index));
  }
  fail(code::kInvalidArgument, "unknown device '", name, "' (auto, cpu, cuda, cuda:N)");
}

at::ScalarType parseDtype(const std::string& name, at::Device device) {
  if (name.empty() || name == "auto") return device.is_cuda() ? at::kBFloat16 : at::kFloat;
  if (name == "float32" || name == "fp32") return at::kFloat;
  if (name == "bfloat16" || name == "bf16") return at::kBFloat16;
  if (name == "float16" || name == "fp16") return at::kHalf;
  fail(code::kInvalidArgument, "unknown dtype '", name, "' (auto, float32, bfloat16, float16)");
}

const char* dtypeName(at::ScalarType t) {
  switch (t) {
    case at::kFloat: return "float32";
    case at::kBFloat16: return "bfloat16";
    case at::kHalf: return "float16";
    default: return "other";
  }
}

std::string buildInfo() {
  std::string s = "libtorch " TORCH_VERSION;
  s += at::hasCUDA() ? ", CUDA available" : ", CPU only";
  s += ", " + std::to_string(at::get_num_threads()) + " threads";
  return s;
}

}  // namespace datarus
