// work_queue.h — how the threads of a decode step's parallel loops share items.
//
// A decode step's parallel loops are short (tens to hundreds of microseconds) and
// run on threads whose speed differs from call to call (one started late, or the
// other's memory traffic slowed it). A static split makes the faster thread wait
// for the slower one at the end of every loop; handing items out as threads
// become free bounds that wait by one item. Which thread computes an item changes
// none of its bits.
//
// WorkQueue hands out items in order to whichever thread asks. PairedQueue keeps
// each thread on one contiguous run of items (one sequential memory stream, which
// the hardware and software prefetches keep ahead of) and still balances: the
// items are cut into one stretch per pair of threads, the even thread of a pair
// walks its stretch from the front and the odd one from the back, and they stop
// where they meet.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>

#include "thread_team.h"

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

class PairedQueue {
 public:
  // One walker's place: its stretch, its end of it, and how many items it has taken.
  struct Cursor {
    int64_t stretch = 0;
    bool back = false;
    int64_t taken = 0;
  };

  // Items [0, items) for walkers 0 .. walkers-1 (walkers >= 1).
  PairedQueue(int64_t items, int64_t walkers)
      : items_(items), stretches_((std::max<int64_t>(1, walkers) + 1) / 2), claimed_(new Claimed[stretches_]) {}

  Cursor cursor(int64_t walker) const { return {walker / 2, walker % 2 == 1, 0}; }

  // The walker's next item; false when its stretch is used up. Each item of a
  // stretch is taken exactly once, by one walker or the other.
  bool take(Cursor& c, int64_t* item) {
    const int64_t b = first(c.stretch), e = first(c.stretch + 1);
    if (claimed_[c.stretch].n.fetch_add(1, std::memory_order_relaxed) >= e - b) return false;
    *item = c.back ? e - 1 - c.taken : b + c.taken;
    ++c.taken;
    return true;
  }

  // The item `take` would give this walker next, or -1 once its stretch looks used
  // up. Only a hint (the other walker may take it first): for prefetching.
  int64_t peek(const Cursor& c) const {
    const int64_t b = first(c.stretch), e = first(c.stretch + 1);
    if (claimed_[c.stretch].n.load(std::memory_order_relaxed) >= e - b) return -1;
    return c.back ? e - 1 - c.taken : b + c.taken;
  }

 private:
  struct alignas(64) Claimed {  // one cache line per stretch
    std::atomic<int64_t> n{0};
  };
  int64_t first(int64_t stretch) const { return stretch * items_ / stretches_; }

  const int64_t items_, stretches_;
  std::unique_ptr<Claimed[]> claimed_;
};

// Runs body(slot) for slot = 0 .. min(threads, most) - 1, each on its own thread,
// together; returns when all have (kernels/thread_team.h: the spinning team inside
// a decode loop, ATen's pool elsewhere). Inside another parallel loop the slots run
// one after the other on the calling thread.
template <class F>
void onEachThread(int64_t most, F&& body) {
  team::parallel(std::max<int64_t>(1, std::min(team::threads(), most)), body);
}

// Runs body(item) once for each item in [0, items), items handed out in order to
// whichever thread is free (WorkQueue).
template <class F>
void forEachItem(int64_t items, F&& body) {
  WorkQueue queue(items);
  onEachThread(items, [&](int64_t) {
    for (int64_t i; queue.take(&i);) body(i);
  });
}

}  // namespace datarus::kernels
