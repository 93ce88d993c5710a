// work_queue_test.cc — every item handed out exactly once, each walker's items contiguous.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "work_queue.h"

using datarus::kernels::PairedQueue;

namespace {

// Walkers take in a random interleaving (one seed per case) until all are refused.
void walk(int64_t items, int64_t walkers, uint32_t seed) {
  PairedQueue queue(items, walkers);
  std::vector<PairedQueue::Cursor> cursors;
  for (int64_t w = 0; w < walkers; ++w) cursors.push_back(queue.cursor(w));
  std::vector<std::vector<int64_t>> got(static_cast<size_t>(walkers));
  std::vector<bool> done(static_cast<size_t>(walkers), false);
  std::mt19937 rng(seed);
  for (int64_t left = walkers; left > 0;) {
    const size_t w = rng() % static_cast<uint32_t>(walkers);
    if (done[w]) continue;
    int64_t item = -1;
    const int64_t hint = queue.peek(cursors[w]);
    if (queue.take(cursors[w], &item)) {
      EXPECT_EQ(item, hint) << "an uncontended take gives the item peek announced";
      got[w].push_back(item);
    } else {
      done[w] = true;
      --left;
    }
  }
  std::vector<int> count(static_cast<size_t>(items), 0);
  for (int64_t w = 0; w < walkers; ++w) {
    const auto& mine = got[static_cast<size_t>(w)];
    for (size_t i = 0; i < mine.size(); ++i) {
      ASSERT_GE(mine[i], 0);
      ASSERT_LT(mine[i], items);
      ++count[static_cast<size_t>(mine[i])];
      if (i) EXPECT_EQ(mine[i] - mine[i - 1], w % 2 ? -1 : 1) << "walker " << w << " left its stream";
    }
  }
  for (int64_t i = 0; i < items; ++i) EXPECT_EQ(count[static_cast<size_t>(i)], 1) << "item " << i;
}

}  // namespace

TEST(PairedQueue, EveryItemOnceInContiguousRuns) {
  for (int64_t items : {0, 1, 2, 3, 7, 24, 100})
    for (int64_t walkers : {1, 2, 3, 4, 5})
      for (uint32_t seed = 0; seed < 5; ++seed)
        walk(items, walkers, seed * 31 + static_cast<uint32_t>(items + walkers));
}

TEST(PairedQueue, WalkersInTurnOnOneThread) {
  // Inside another parallel region onEachThread runs the walkers one after the other:
  // the front walker of each stretch must then take all of it.
  PairedQueue queue(10, 4);
  std::vector<int> count(10, 0);
  for (int64_t w = 0; w < 4; ++w) {
    auto c = queue.cursor(w);
    for (int64_t item; queue.take(c, &item);) ++count[static_cast<size_t>(item)];
  }
  for (int n : count) EXPECT_EQ(n, 1);
}
