// huge_pages.cpp — 2 MiB-aligned host tensors advised onto transparent huge pages.
#include "huge_pages.h"

#include <algorithm>
#include <cstdlib>
#include <new>

#ifdef __linux__
#include <sys/mman.h>
#endif

namespace datarus {

at::Tensor hugePageEmpty(int64_t numel) {
  const size_t need = static_cast<size_t>(std::max<int64_t>(numel, 1)) * sizeof(float);
  const size_t bytes = (need + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes;
  void* data = std::aligned_alloc(static_cast<size_t>(kHugePageBytes), bytes);
  if (!data) throw std::bad_alloc();
#ifdef __linux__
  madvise(data, bytes, MADV_HUGEPAGE);  // advice only: refused, the pages stay 4 KiB
#endif
  return at::from_blob(data, {numel}, [](void* p) { std::free(p); }, at::TensorOptions().dtype(at::kFloat));
}

}  // namespace datarus
