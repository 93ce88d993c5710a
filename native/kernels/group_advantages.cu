// group_advantages.cu — the group-advantage op on CUDA (reference: group_advantages.cpp).
//
// Groups are small (G ≤ a few dozen), so one thread owns one group and loops over its
// members in fp64 — no shared-memory reduction needed. The batch std ("batch" scale)
// is the same two-pass loop run by a single thread over all N rewards: N is a batch
// of completions (hundreds), not tokens. A second kernel writes one advantage per
// thread. Compiled only when the torch found has CUDA.
#include <ATen/ATen.h>
#include <ATen/cuda/CUDAContext.h>

#include "group_advantages.h"

namespace datarus {

namespace {

constexpr double kZeroStd = 1e-8;

// Finite mean / Bessel std / count of x[0..n) with stride 1.
__device__ void moments(const double* x, int64_t n, double* mean, double* std, int64_t* count) {
  double sum = 0;
  int64_t c = 0;
  for (int64_t i = 0; i < n; ++i)
    if (isfinite(x[i])) sum += x[i], ++c;
  double m = c > 0 ? sum / c : NAN, sq = 0;
  for (int64_t i = 0; i < n; ++i)
    if (isfinite(x[i])) sq += (x[i] - m) * (x[i] - m);
  *mean = m;
  *std = c > 1 ? sqrt(sq / (c - 1)) : 0.0;
  *count = c;
}

// stats: [groups + 1, 3] f64 = (mean, std, count); row `groups` is the whole batch.
__global__ void statsKernel(const double* r, int64_t groups, int64_t G, double* stats) {
  int64_t g = blockIdx.x * blockDim.x + threadIdx.x;
  if (g > groups) return;
  const double* x = g < groups ? r + g * G : r;
  int64_t n = g < groups ? G : groups * G, c = 0;
  moments(x, n, &stats[3 * g], &stats[3 * g + 1], &c);
  stats[3 * g + 2] = static_cast<double>(c);
}

__global__ void advantageKernel(const double* r, const double* stats, int64_t N, int64_t G, int64_t groups, int scale,
                                double eps, float* out) {
  int64_t i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= N) return;
  const double* s = stats + 3 * (i / G);
  if (!isfinite(r[i]) || s[1] < kZeroStd) {  // missing, or a group of equal rewards
    out[i] = 0.f;
    return;
  }
  double centred = r[i] - s[0];
  double denom = scale == 0 ? s[1] + eps : scale == 1 ? stats[3 * groups + 1] + eps : 1.0;
  out[i] = static_cast<float>(centred / denom);
}

}  // namespace

GroupAdvantages groupAdvantagesCuda(const at::Tensor& rewards, int64_t groupSize, RewardScale scale, double eps) {
  at::Tensor r = rewards.detach().to(at::kDouble).contiguous();  // [N] f64 on the GPU
  const int64_t N = r.numel(), groups = N / groupSize;
  at::Tensor stats = at::empty({groups + 1, 3}, r.options());  // [groups+1, 3] f64
  at::Tensor adv = at::empty({N}, r.options().dtype(at::kFloat));
  auto stream = at::cuda::getCurrentCUDAStream();
  const int threads = 128;
  statsKernel<<<(groups + 1 + threads - 1) / threads, threads, 0, stream>>>(r.data_ptr<double>(), groups, groupSize,
                                                                              stats.data_ptr<double>());
  int mode = scale == RewardScale::Group ? 0 : scale == RewardScale::Batch ? 1 : 2;
  if (N > 0)
    advantageKernel<<<(N + threads - 1) / threads, threads, 0, stream>>>(
        r.data_ptr<double>(), stats.data_ptr<double>(), N, groupSize, groups, mode, eps, adv.data_ptr<float>());
  GroupAdvantages out;
  out.advantages = adv;
  at::Tensor g = stats.narrow(0, 0, groups);
  out.groupMean = g.select(1, 0).to(at::kFloat);
  out.groupStd = g.select(1, 1).to(at::kFloat);
  out.zeroStdGroups = (g.select(1, 2).gt(0) & g.select(1, 1).lt(kZeroStd)).sum().item<int64_t>();
  out.missing = N - static_cast<int64_t>(stats[groups][2].item<double>());
  return out;
}

}  // namespace datarus
