// thread_team.h — the threads of a decode loop, kept spinning between its parallel loops.
//
// A decode step runs about 150 parallel loops of tens of microseconds each (four
// products and one attention per layer, the output projection, the samplers).
// Through OpenMP each of them is a fork and a join, and a helper thread that has
// gone to sleep since the last loop (libgomp's default after a short spin) pays a
// futex wake-up of tens of microseconds before it starts. On a 2-core machine a
// G=8 decode of SmolLM2-135M ran 1.05x the tokens/s with this team (means of 8
// interleaved trials each, 248 against 235 tokens/s; single trials vary by ±15%
// there). Spinning OpenMP's threads for longer would do the same, but they are
// also OpenBLAS's threads in prefill and training, where long spins starve the
// threads doing work.
//
// A TeamScope is a stretch of code (a decode loop) during which the calling
// thread owns a small team of helper threads that spin (with a pause) waiting for
// the next loop; 2 ms after the last one they go to sleep until the next. Inside a scope, team::parallel
// runs a loop's slots on the caller and the helpers; outside, or when another
// thread owns the team, on ATen's pool (OpenMP). Which thread runs a slot changes
// none of its results.
#pragma once

#include <cstdint>
#include <functional>

namespace datarus::kernels::team {

// Opens a scope on this thread for its lifetime. Nested scopes on the owning
// thread are no-ops; a scope opened while another thread owns the team does
// nothing either (that thread's loops go to ATen's pool).
class TeamScope {
 public:
  TeamScope();
  ~TeamScope();
  TeamScope(const TeamScope&) = delete;
  TeamScope& operator=(const TeamScope&) = delete;

 private:
  bool owner_ = false;
};

// Threads a loop started now gets: the team's size in a scope, ATen's thread
// count otherwise; 1 inside another parallel loop.
int64_t threads();

// Runs body(slot) for slot = 0 .. slots - 1 at the same time, slot 0 on the
// calling thread, and returns when all have finished (slots beyond threads()
// run one after another on the slots that exist, in order). An exception from
// a slot is rethrown here once every thread has stopped; the slots its thread
// had not started yet are skipped.
void parallel(int64_t slots, const std::function<void(int64_t slot)>& body);

}  // namespace datarus::kernels::team
