// huge_pages.h — large host buffers backed by 2 MiB pages where the OS allows it.
//
// Streaming hundreds of MiB through 4 KiB pages costs a TLB miss (a page walk,
// two-level under a hypervisor) every 4 KiB and stops the hardware prefetchers at
// each page boundary. Buffers read end to end on every decode step (the packed
// weights) and the bandwidth probe of the benchmarks use 2 MiB transparent huge
// pages instead: on Linux the allocation is 2 MiB-aligned and marked with
// madvise(MADV_HUGEPAGE), which works whether the system's THP mode is "always" or
// "madvise". Elsewhere, or where the kernel refuses, it is ordinary memory.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>

namespace datarus {

inline constexpr int64_t kHugePageBytes = int64_t{2} << 20;

// An uninitialised CPU fp32 tensor [numel] whose storage starts on a 2 MiB boundary
// and is advised to be backed by huge pages; its size is rounded up to whole huge
// pages. Throws std::bad_alloc when the memory cannot be had.
at::Tensor hugePageEmpty(int64_t numel);

}  // namespace datarus
