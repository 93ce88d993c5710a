// group_advantages.cpp — CPU reference of the group-advantage op and its dispatcher.
#include "group_advantages.h"

#include <cmath>
#include <vector>

#include "error.h"

namespace datarus {

RewardScale parseRewardScale(const std::string& name) {
  if (name == "group") return RewardScale::Group;
  if (name == "batch") return RewardScale::Batch;
  if (name == "none") return RewardScale::None;
  fail(code::kInvalidArgument, "scaleRewards must be group, batch or none, not '", name, "'");
}

namespace {

// Mean and Bessel-corrected std of the finite values in x[0..n).
struct Moments {
  double mean = NAN, std = 0;
  int64_t count = 0;
};

Moments moments(const double* x, int64_t n) {
  Moments m;
  double sum = 0;
  for (int64_t i = 0; i < n; ++i)
    if (std::isfinite(x[i])) sum += x[i], ++m.count;
  if (m.count == 0) return m;
  m.mean = sum / m.count;
  double sq = 0;
  for (int64_t i = 0; i < n; ++i)
    if (std::isfinite(x[i])) sq += (x[i] - m.mean) * (x[i] - m.mean);
  m.std = m.count > 1 ? std::sqrt(sq / (m.count - 1)) : 0.0;
  return m;
}

// Two rewards are "equal" for the zero-std count when their spread is below this.
constexpr double kZeroStd = 1e-8;

}  // namespace

GroupAdvantages groupAdvantagesCpu(const at::Tensor& rewards, int64_t groupSize, RewardScale scale, double eps) {
  at::Tensor r = rewards.detach().to(at::kCPU, at::kDouble).contiguous();  // [N] f64
  const int64_t N = r.numel(), groups = N / groupSize;
  const double* x = r.data_ptr<double>();
  GroupAdvantages out;
  out.groupMean = at::empty({groups}, at::kFloat);
  out.groupStd = at::empty({groups}, at::kFloat);
  std::vector<Moments> gm(groups);
  for (int64_t g = 0; g < groups; ++g) {
    gm[g] = moments(x + g * groupSize, groupSize);
    out.groupMean[g] = gm[g].mean;
    out.groupStd[g] = gm[g].std;
    if (gm[g].count > 0 && gm[g].std < kZeroStd) ++out.zeroStdGroups;
  }
  const Moments batch = moments(x, N);
  at::Tensor a = at::zeros({N}, at::kFloat);  // [N] f32
  float* ap = a.data_ptr<float>();
  for (int64_t i = 0; i < N; ++i) {
    if (!std::isfinite(x[i])) {
      ++out.missing;
      continue;
    }
    const Moments& g = gm[i / groupSize];
    if (g.std < kZeroStd) continue;  // all equal (or alone): exactly no gradient
    double centred = x[i] - g.mean;
    double denom = scale == RewardScale::Group ? g.std + eps : scale == RewardScale::Batch ? batch.std + eps : 1.0;
    ap[i] = static_cast<float>(centred / denom);
  }
  out.advantages = a.to(rewards.device());
  out.groupMean = out.groupMean.to(rewards.device());
  out.groupStd = out.groupStd.to(rewards.device());
  return out;
}

GroupAdvantages groupAdvantages(const at::Tensor& rewards, int64_t groupSize, RewardScale scale, double eps) {
  check(rewards.dim() == 1, code::kInvalidArgument, "rewards must be a 1-D tensor");
  check(groupSize >= 1 && rewards.numel() % groupSize == 0, code::kInvalidArgument, rewards.numel(),
        " rewards do not split into groups of ", groupSize);
  check(eps >= 0, code::kInvalidArgument, "advantage eps must be >= 0");
#ifdef DATARUS_WITH_CUDA
  if (rewards.is_cuda()) return groupAdvantagesCuda(rewards, groupSize, scale, eps);
#endif
  return groupAdvantagesCpu(rewards, groupSize, scale, eps);
}

}  // namespace datarus
