// sampler.cpp — filtering and seeded inverse-CDF draws, in plain loops over the
// vocabulary (a few passes over V floats; no tensor ops on the unfiltered path).
#include "sampler.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

namespace datarus {

Sampler::Sampler(const SamplingOptions& options) : options_(options), rng_(options.seed) {}

double Sampler::uniform() { return static_cast<double>(rng_() >> 11) * (1.0 / 9007199254740992.0); }

Sampled Sampler::next(const at::Tensor& logitsIn) {
  at::Tensor logits = logitsIn.to(at::kCPU, at::kFloat).contiguous().reshape({-1});  // [V]
  const float* z = logits.data_ptr<float>();
  const int64_t V = logits.numel();
  if (options_.temperature <= 0) {
    int64_t best = std::max_element(z, z + V) - z;
    double lse = 0, m = z[best];
    for (int64_t i = 0; i < V; ++i) lse += std::exp(double(z[i]) - m);
    return {best, static_cast<float>(-std::log(lse))};
  }
  const double invT = 1.0 / options_.temperature;
  // Candidates: every token, or the top-k / nucleus set, in descending order of logit.
  std::vector<int64_t> cand;
  const bool filtered = (options_.topK > 0 && options_.topK < V) || options_.topP < 1.0;
  if (filtered) {
    int64_t k = options_.topK > 0 ? std::min(options_.topK, V) : V;
    cand.resize(static_cast<size_t>(V));
    std::iota(cand.begin(), cand.end(), 0);
    auto byLogit = [&](int64_t a, int64_t b) { return z[a] > z[b] || (z[a] == z[b] && a < b); };
    std::partial_sort(cand.begin(), cand.begin() + k, cand.end(), byLogit);
    cand.resize(static_cast<size_t>(k));
    if (options_.topP < 1.0) {
      // Keep the smallest prefix whose mass reaches top-p (the top token always stays).
      double m = z[cand[0]] * invT, total = 0;
      std::vector<double> p(cand.size());
      for (size_t i = 0; i < cand.size(); ++i) total += p[i] = std::exp(z[cand[i]] * invT - m);
      double before = 0;
      size_t keep = cand.size();
      for (size_t i = 0; i < cand.size(); ++i) {
        if (before / total >= options_.topP) {
          keep = i;
          break;
        }
        before += p[i];
      }
      cand.resize(std::max<size_t>(keep, 1));
    }
  }
  auto logit = [&](size_t i) { return filtered ? z[cand[i]] * invT : z[i] * invT; };
  const size_t n = filtered ? cand.size() : static_cast<size_t>(V);
  double m = -INFINITY;
  for (size_t i = 0; i < n; ++i) m = std::max(m, double(logit(i)));
  double total = 0;
  for (size_t i = 0; i < n; ++i) total += std::exp(logit(i) - m);
  const double target = uniform() * total;
  double acc = 0;
  size_t pick = n - 1;
  for (size_t i = 0; i < n; ++i) {
    acc += std::exp(logit(i) - m);
    if (acc > target) {
      pick = i;
      break;
    }
  }
  int64_t token = filtered ? cand[pick] : static_cast<int64_t>(pick);
  return {token, static_cast<float>(logit(pick) - m - std::log(total))};
}

}  // namespace datarus
