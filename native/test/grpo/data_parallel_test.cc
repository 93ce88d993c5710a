// data_parallel_test.cc — two learner processes over c10d Gloo, each with half the
// batch, end the step with the same weights as one process with the whole batch.
//
// The parent re-runs this test binary twice (posix_spawn, no fork after libtorch and
// OpenMP have started) with DATARUS_DP_RANK set; each child trains its half and writes
// its weights to a safetensors file the parent compares.
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

#include "../test_util.h"
#include "grpo/distributed.h"
#include "grpo/grpo_step.h"
#include "logprobs.h"
#include "safetensors.h"

extern char** environ;

using namespace datarus;
using namespace datarus::testing;

namespace {

constexpr int64_t kB = 6;

Model makeModel() {
  ModelConfig c = tinyConfig(true, false);
  // fp64: Adam's first update g/(|g| + eps) amplifies fp32 summation-order noise on
  // near-zero gradients; in fp64 the comparison measures the algorithm, not rounding.
  return Model(c, randomParams(c, 31), at::kCPU, at::kDouble);
}

GrpoBatch wholeBatch(const Model& m) {
  at::manual_seed(77);
  GrpoBatch b;
  b.ids = at::randint(0, m.config().vocabSize, {kB, 12}, at::kLong);
  b.mask = at::zeros({kB, 11});
  for (int64_t i = 0; i < kB; ++i) b.mask[i].narrow(0, 3, 8 - i % 3).fill_(1);
  b.oldLogp = sequenceLogprobs(m, b.ids).to(at::kFloat) + 0.2 * at::randn({kB, 11});  // [B, T-1] f32
  b.refLogp = b.oldLogp + 0.1 * at::randn({kB, 11});
  b.advantages = at::randn({kB});
  return b;
}

GrpoBatch rows(const GrpoBatch& b, int64_t start, int64_t n) {
  return {b.ids.narrow(0, start, n), b.mask.narrow(0, start, n), b.oldLogp.narrow(0, start, n),
          b.refLogp.narrow(0, start, n), b.advantages.narrow(0, start, n)};
}

GrpoStepOptions stepOptions() {
  GrpoStepOptions o;
  o.loss.lossType = LossType::Dapo;
  o.loss.beta = 0.04;
  o.microBatchSize = 2;
  return o;
}

AdamWOptions adam() {
  AdamWOptions a;
  a.lr = 1e-2;
  a.maxGradNorm = 0.5;  // the clip sees the all-reduced (global) norm
  return a;
}

}  // namespace

// Child side: runs only when spawned by the test below.
TEST(DataParallelChild, TrainHalfBatch) {
  const char* rankEnv = std::getenv("DATARUS_DP_RANK");
  if (!rankEnv) GTEST_SKIP() << "spawned by DataParallel.TwoGlooRanksMatchOneProcess";
  DistributedOptions d;
  d.rank = std::atoi(rankEnv);
  d.worldSize = 2;
  d.rendezvous = std::string("127.0.0.1:") + std::getenv("DATARUS_DP_PORT");
  d.backend = "gloo";
  d.timeoutSeconds = 60;
  auto comm = createProcessGroup(d, false);
  Model m = makeModel();
  GrpoBatch b = wholeBatch(m);
  AdamW opt(adam());
  GrpoStepStats s = grpoStep(m, opt, rows(b, d.rank * kB / 2, kB / 2), stepOptions(), comm.get());
  EXPECT_FALSE(s.skipped);
  TensorMap out;
  for (auto& [k, p] : m.parameters()) out[k] = p.detach();
  writeSafetensors(std::string(std::getenv("DATARUS_DP_OUT")) + "/rank" + rankEnv + ".safetensors", out);
}

TEST(DataParallel, TwoGlooRanksMatchOneProcess) {
  if (!distributedAvailable()) GTEST_SKIP() << "no c10d Gloo in this build";
  TempDir tmp("dp");
  const std::string& dir = tmp.path();
  std::string port = std::to_string(20000 + getpid() % 20000);
  std::vector<pid_t> kids;
  for (int r = 0; r < 2; ++r) {
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e) env.emplace_back(*e);
    env.push_back("DATARUS_DP_RANK=" + std::to_string(r));
    env.push_back("DATARUS_DP_PORT=" + port);
    env.push_back("DATARUS_DP_OUT=" + dir);
    env.push_back("OMP_NUM_THREADS=1");
    std::vector<char*> envp;
    for (auto& s : env) envp.push_back(s.data());
    envp.push_back(nullptr);
    std::string self = "/proc/self/exe", filter = "--gtest_filter=DataParallelChild.*";
    char* argv[] = {self.data(), filter.data(), nullptr};
    pid_t pid;
    ASSERT_EQ(posix_spawn(&pid, "/proc/self/exe", nullptr, nullptr, argv, envp.data()), 0);
    kids.push_back(pid);
  }
  // Meanwhile, the whole batch in this process.
  Model m = makeModel();
  GrpoBatch b = wholeBatch(m);
  AdamW opt(adam());
  GrpoStepStats s = grpoStep(m, opt, b, stepOptions());
  for (pid_t pid : kids) {
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "a rank failed";
  }
  double worst = 0, moved = 0;
  ModelConfig c = tinyConfig(true, false);
  TensorMap init = randomParams(c, 31);
  for (int r = 0; r < 2; ++r) {
    TensorMap got = readSafetensors(dir + "/rank" + std::to_string(r) + ".safetensors");
    for (auto& [k, p] : m.parameters()) {
      worst = std::max(worst, (got.at(k).to(at::kDouble) - p.detach()).abs().max().item<double>());
      moved = std::max(moved, (p.detach() - init.at(k).to(at::kDouble)).abs().max().item<double>());
    }
  }
  std::printf("[data parallel] 2 Gloo ranks × half batch vs 1 process × whole batch: max |Δweight| = %.3g "
              "(the step moved weights by up to %.3g; grad norm %.4f)\n", worst, moved, s.gradNorm);
  EXPECT_GT(moved, 1e-4);
  EXPECT_LT(worst, 1e-9);
}
