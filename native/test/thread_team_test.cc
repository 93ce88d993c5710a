// thread_team_test.cc — the decode loops' spinning team: every slot once, on its
// own thread inside a scope, errors carried back, nested loops serial, one owner.
#include <gtest/gtest.h>

#include <ATen/Parallel.h>

#include <atomic>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "thread_team.h"

using namespace datarus::kernels;

namespace {

// Runs `slots` slots (each taking a little while, so that they overlap) and
// returns how many times each ran and on how many distinct threads.
std::pair<std::vector<int>, size_t> runSlots(int64_t slots) {
  std::vector<std::atomic<int>> count(static_cast<size_t>(slots));
  std::mutex mu;
  std::set<std::thread::id> ids;
  team::parallel(slots, [&](int64_t s) {
    count[static_cast<size_t>(s)].fetch_add(1);
    volatile double x = 0;
    for (int i = 0; i < 200000; ++i) x = x + i;
    std::lock_guard<std::mutex> lock(mu);
    ids.insert(std::this_thread::get_id());
  });
  std::vector<int> counts;
  for (auto& c : count) counts.push_back(c.load());
  return {counts, ids.size()};
}

}  // namespace

TEST(ThreadTeam, EverySlotRunsOnceInsideAndOutsideAScope) {
  for (int64_t slots : {1, 2, 3, 7}) {
    EXPECT_EQ(runSlots(slots).first, std::vector<int>(static_cast<size_t>(slots), 1)) << "no scope, " << slots;
    team::TeamScope scope;
    for (int round = 0; round < 50; ++round)  // many loops in a row on the same spinning helpers
      ASSERT_EQ(runSlots(slots).first, std::vector<int>(static_cast<size_t>(slots), 1)) << "scope, " << slots;
  }
}

TEST(ThreadTeam, AScopeSpreadsSlotsOverItsThreads) {
  const int64_t threads = at::get_num_threads();
  team::TeamScope scope;
  EXPECT_EQ(team::threads(), threads);
  EXPECT_EQ(runSlots(threads).second, static_cast<size_t>(threads));
}

TEST(ThreadTeam, AnErrorInASlotReachesTheCallerAfterTheOtherSlotsFinished) {
  team::TeamScope scope;
  std::atomic<int> finished{0};
  EXPECT_THROW(team::parallel(4,
                              [&](int64_t s) {
                                if (s == 3) throw std::runtime_error("slot 3");
                                finished.fetch_add(1);
                              }),
               std::runtime_error);
  EXPECT_EQ(finished.load(), 3);
  EXPECT_EQ(runSlots(2).first, std::vector<int>(2, 1)) << "the team still works after an error";
}

TEST(ThreadTeam, NestedLoopsRunOnTheCallingThread) {
  team::TeamScope scope;
  std::atomic<int> inner{0}, foreign{0};
  team::parallel(2, [&](int64_t) {
    EXPECT_EQ(team::threads(), 1);
    const auto self = std::this_thread::get_id();
    team::parallel(3, [&](int64_t) {
      inner.fetch_add(1);
      if (std::this_thread::get_id() != self) foreign.fetch_add(1);
    });
  });
  EXPECT_EQ(inner.load(), 6);
  EXPECT_EQ(foreign.load(), 0);
}

TEST(ThreadTeam, ASecondThreadWhileTheTeamIsOwnedUsesAtensPool) {
  team::TeamScope scope;
  std::vector<int> counts;
  std::thread other([&] {
    team::TeamScope mine;  // the team is taken: a no-op scope
    counts = runSlots(5).first;
  });
  other.join();
  EXPECT_EQ(counts, std::vector<int>(5, 1));
  EXPECT_EQ(runSlots(5).first, std::vector<int>(5, 1));
}
