// sampler.cpp — filtering and seeded inverse-CDF draws over the vocabulary: one
// vectorised pass of exponentials on the unfiltered path, no tensor ops.
#include "sampler.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "simd.h"

namespace datarus {

Sampler::Sampler(const SamplingOptions& options) : options_(options), rng_(options.seed) {}

double Sampler::uniform() { return static_cast<double>(rng_() >> 11) * (1.0 / 9007199254740992.0); }

namespace {

using kernels::simd::maxOf;

// Σ_i e^((z_i − max)·invT) over the vocabulary, the terms kept in `terms`.
double softmaxTerms(const float* z, int64_t V, double invT, float max, std::vector<float>& terms) {
  terms.resize(static_cast<size_t>(V));
  return kernels::simd::softmaxTerms(z, terms.data(), V, static_cast<float>(invT), max);
}

// Inverse CDF: the first index whose running sum of weights w[0, n) exceeds target
// (the last one if rounding leaves the sum short of it).
template <typename T>
size_t inverseCdf(const T* w, size_t n, double target) {
  double acc = 0;
  for (size_t i = 0; i < n; ++i) {
    acc += w[i];
    if (acc > target) return i;
  }
  return n - 1;
}

}  // namespace

Sampled Sampler::next(const at::Tensor& logitsIn) {
  // [V] fp32 on the CPU; the usual case (a row of the CPU logits) is read in place,
  // with no tensor op, so samplers can run on worker threads.
  const bool inPlace = logitsIn.device().is_cpu() && logitsIn.scalar_type() == at::kFloat && logitsIn.is_contiguous();
  at::Tensor logits = inPlace ? logitsIn : logitsIn.to(at::kCPU, at::kFloat).contiguous();
  const float* z = logits.data_ptr<float>();
  const int64_t V = logits.numel();
  if (options_.temperature <= 0) {
    const float m = maxOf(z, V);
    int64_t best = std::find(z, z + V, m) - z;  // the first maximum
    if (best >= V) best = std::max_element(z, z + V) - z;  // NaN logits: any index, never past the end
    return {best, static_cast<float>(-std::log(softmaxTerms(z, V, 1.0, m, terms_)))};
  }
  const double invT = 1.0 / options_.temperature;
  const bool filtered = (options_.topK > 0 && options_.topK < V) || options_.topP < 1.0;
  if (!filtered) {
    // One pass of exponentials, then the inverse-CDF walk over the stored terms.
    const float m = maxOf(z, V);
    const double total = softmaxTerms(z, V, invT, m, terms_);
    const int64_t pick = static_cast<int64_t>(inverseCdf(terms_.data(), terms_.size(), uniform() * total));
    return {pick, static_cast<float>((double(z[pick]) - m) * invT - std::log(total))};
  }
  // Candidates: the top-k / nucleus set, in descending order of logit.
  std::vector<int64_t> cand(static_cast<size_t>(V));
  std::iota(cand.begin(), cand.end(), 0);
  const int64_t k = options_.topK > 0 ? std::min(options_.topK, V) : V;
  auto byLogit = [&](int64_t a, int64_t b) { return z[a] > z[b] || (z[a] == z[b] && a < b); };
  std::partial_sort(cand.begin(), cand.begin() + k, cand.end(), byLogit);
  cand.resize(static_cast<size_t>(k));
  const double m = z[cand[0]] * invT;
  std::vector<double> p(cand.size());
  double total = 0;
  for (size_t i = 0; i < cand.size(); ++i) total += p[i] = std::exp(z[cand[i]] * invT - m);
  if (options_.topP < 1.0) {
    // Keep the smallest prefix whose mass reaches top-p (the top token always stays).
    double before = 0;
    size_t keep = cand.size();
    for (size_t i = 0; i < cand.size(); ++i) {
      if (before / total >= options_.topP) {
        keep = i;
        break;
      }
      before += p[i];
    }
    keep = std::max<size_t>(keep, 1);
    cand.resize(keep);
    p.resize(keep);
    total = std::accumulate(p.begin(), p.end(), 0.0);
  }
  const size_t pick = inverseCdf(p.data(), p.size(), uniform() * total);
  return {cand[pick], static_cast<float>(std::log(p[pick] / total))};
}

}  // namespace datarus
