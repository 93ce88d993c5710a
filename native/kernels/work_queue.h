// work_queue.h — items handed out in turn to whichever thread of the pool is free.
//
// A decode step's parallel loops are short (tens to hundreds of microseconds) and
// run on threads whose speed differs from call to call (one started late, or the
// other's memory traffic slowed it). A static split makes the faster thread wait
// for the slower one at the end of every loop; taking items from a queue bounds
// that wait by one item. Which thread computes an item changes none of its bits.
#pragma once

#include <ATen/Parallel.h>

#include <algorithm>
#include <atomic>
#include <cstdint>

namespace datarus::kernels {

class WorkQueue {
 public:
  explicit WorkQueue(int64_t items) : items_(items) {}

  // The next item not yet taken, in order; false when none is left.
  bool take(int64_t* item) {
    *item = next_.fetch_add(1, std::memory_order_relaxed);
    return *item < items_;
  }

 private:
  std::atomic<int64_t> next_{0};
  const int64_t items_;
};

// Runs body() once on each of min(pool size, most) threads, together; returns when all have.
template <class F>
void onEachThread(int64_t most, F&& body) {
  const int64_t threads = std::max<int64_t>(1, std::min<int64_t>(at::get_num_threads(), most));
  at::parallel_for(0, threads, 1, [&](int64_t, int64_t) { body(); });
}

}  // namespace datarus::kernels
