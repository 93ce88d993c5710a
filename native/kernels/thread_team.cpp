// thread_team.cpp — helper threads that spin between the parallel loops of a decode.
#include "thread_team.h"

#include <ATen/Parallel.h>
#include <immintrin.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace datarus::kernels::team {

namespace {

using Body = std::function<void(int64_t)>;

// After this long without a loop to run, a helper sleeps until the next one:
// longer than the serial gaps inside a decode step, short enough that a finished
// decode leaves no thread spinning.
constexpr auto kSpin = std::chrono::milliseconds(2);

thread_local bool tInSlot = false;  // this thread is running a slot of some loop

// Runs the slots of `body` that fall to thread `t` of `n`: t, t + n, t + 2n, ...
void runShare(const Body& body, int64_t slots, int64_t t, int64_t n, std::exception_ptr& error, std::mutex& mu) {
  tInSlot = true;
  try {
    for (int64_t s = t; s < slots; s += n) body(s);
  } catch (...) {
    std::lock_guard<std::mutex> lock(mu);
    if (!error) error = std::current_exception();
  }
  tInSlot = false;
}

class Team {
 public:
  explicit Team(int64_t size) : size_(size) {
    for (int64_t i = 1; i < size_; ++i) helpers_.emplace_back([this, i] { helper(i); });
  }

  ~Team() {
    {
      std::lock_guard<std::mutex> lock(sleepMu_);
      stop_ = true;
    }
    wake_.notify_all();
    for (auto& t : helpers_) t.join();
  }

  int64_t size() const { return size_; }

  // Only the owning thread calls run, one loop at a time.
  void run(int64_t slots, const Body& body) {
    const int64_t n = std::min(slots, size_);
    body_ = &body;
    slots_ = slots;
    error_ = nullptr;
    pending_.store(n - 1, std::memory_order_relaxed);
    // The word helpers watch: a new sequence number, and how many threads take part.
    word_.store(((word_.load(std::memory_order_relaxed) >> 8) + 1) << 8 | static_cast<uint64_t>(n));
    if (sleepers_.load() > 0) {
      std::lock_guard<std::mutex> lock(sleepMu_);
      wake_.notify_all();
    }
    runShare(body, slots, 0, n, error_, errorMu_);
    while (pending_.load(std::memory_order_acquire) > 0) _mm_pause();
    if (error_) std::rethrow_exception(error_);
  }

 private:
  void helper(int64_t index) {
#ifdef _OPENMP
    omp_set_num_threads(1);  // an ATen parallel loop inside a slot runs on this thread
#endif
    uint64_t seen = 0;  // the word's first value: a loop run before this thread started is still seen
    for (;;) {
      uint64_t word = seen;
      auto idleSince = std::chrono::steady_clock::now();
      for (int spins = 0; (word = word_.load(std::memory_order_acquire)) == seen; ++spins) {
        _mm_pause();
        if ((spins & 255) != 255 || std::chrono::steady_clock::now() - idleSince < kSpin) continue;
        std::unique_lock<std::mutex> lock(sleepMu_);
        sleepers_.fetch_add(1);
        wake_.wait(lock, [&] { return stop_ || word_.load() != seen; });
        sleepers_.fetch_sub(1);
        if (stop_) return;
        idleSince = std::chrono::steady_clock::now();
      }
      seen = word;
      const int64_t n = static_cast<int64_t>(word & 0xff);
      if (index >= n) continue;  // not needed for this loop
      runShare(*body_, slots_, index, n, error_, errorMu_);
      pending_.fetch_sub(1, std::memory_order_acq_rel);
    }
  }

  const int64_t size_;
  std::vector<std::thread> helpers_;
  std::atomic<uint64_t> word_{0};
  std::atomic<int64_t> pending_{0};
  const Body* body_ = nullptr;
  int64_t slots_ = 0;
  std::exception_ptr error_;
  std::mutex errorMu_;
  std::mutex sleepMu_;
  std::condition_variable wake_;
  std::atomic<int64_t> sleepers_{0};
  bool stop_ = false;
};

std::mutex gOwnerMu;     // held by the thread whose scope owns the team
Team* gTeam = nullptr;   // built by the first owner, rebuilt when the thread count changes; never
                         // destroyed at exit (its helpers simply end with the process)
thread_local bool tOwner = false;

int64_t atenThreads() { return at::in_parallel_region() ? 1 : std::max<int64_t>(1, at::get_num_threads()); }

}  // namespace

TeamScope::TeamScope() {
  if (tOwner || !gOwnerMu.try_lock()) return;
  const int64_t size = std::min<int64_t>(atenThreads(), 255);
  if (!gTeam || gTeam->size() != size) {
    delete gTeam;
    gTeam = new Team(size);
  }
  owner_ = tOwner = true;
}

TeamScope::~TeamScope() {
  if (!owner_) return;
  tOwner = false;
  gOwnerMu.unlock();
}

int64_t threads() {
  if (tInSlot) return 1;
  return tOwner ? gTeam->size() : atenThreads();
}

void parallel(int64_t slots, const std::function<void(int64_t slot)>& body) {
  if (slots <= 0) return;
  if (tInSlot || slots == 1) {
    for (int64_t s = 0; s < slots; ++s) body(s);
    return;
  }
  if (tOwner) {
    gTeam->run(slots, body);
    return;
  }
  const int64_t n = std::min(slots, atenThreads());
  at::parallel_for(0, n, 1, [&](int64_t first, int64_t last) {
    for (int64_t t = first; t < last; ++t)
      for (int64_t s = t; s < slots; s += n) body(s);
  });
}

}  // namespace datarus::kernels::team
