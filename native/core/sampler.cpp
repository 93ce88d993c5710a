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

// Ids that may belong to the top-p nucleus: every token of the highest bins of
// scaled logit (z − max)·invT, in 0.25-nat steps, whose mass reaches top-p of the
// total, plus one more bin of margin for rounding; an unordered superset of the
// nucleus found in one pass instead of sorting the vocabulary. terms: e^((z − max)·invT).
std::vector<int64_t> nucleusSuperset(const float* z, const float* terms, int64_t V, double invT, float max,
                                     double total, double topP) {
  constexpr int kBins = 128;  // 32 nats; lower logits share the last bin
  constexpr double kWidth = 0.25;
  std::vector<int32_t> bin(static_cast<size_t>(V));
  double mass[kBins + 1] = {};
  for (int64_t i = 0; i < V; ++i) {
    const double depth = (double(max) - z[i]) * invT;
    const int b = depth >= 0 && depth < kBins * kWidth ? static_cast<int>(depth / kWidth) : kBins;  // NaN: last
    bin[static_cast<size_t>(i)] = b;
    mass[b] += terms[i];
  }
  int last = kBins;
  double acc = 0;
  for (int b = 0; b < kBins; ++b)
    if ((acc += mass[b]) >= topP * total) {
      last = std::min(kBins, b + 1);
      break;
    }
  std::vector<int64_t> ids;
  for (int64_t i = 0; i < V; ++i)
    if (bin[static_cast<size_t>(i)] <= last) ids.push_back(i);
  return ids;
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
  // Candidates: the top-k / nucleus set, in descending order of logit, with their
  // weights p = e^(z·invT − max) and the mass `total` that top-p is a fraction of.
  auto byLogit = [&](int64_t a, int64_t b) { return z[a] > z[b] || (z[a] == z[b] && a < b); };
  std::vector<int64_t> cand;
  std::vector<double> p;
  double total = 0;
  auto weigh = [&] {
    p.resize(cand.size());
    const double m = z[cand[0]] * invT;
    double mass = 0;
    for (size_t i = 0; i < cand.size(); ++i) mass += p[i] = std::exp(z[cand[i]] * invT - m);
    return mass;
  };
  // Keeps the smallest prefix whose mass reaches top-p (the top token always stays);
  // false when the candidates ran out first.
  auto cutTopP = [&] {
    double before = 0;
    for (size_t i = 0; i < cand.size(); ++i) {
      if (before / total >= options_.topP) {
        cand.resize(std::max<size_t>(i, 1));
        p.resize(cand.size());
        return true;
      }
      before += p[i];
    }
    return false;
  };
  auto all = [&] {
    cand.resize(static_cast<size_t>(V));
    std::iota(cand.begin(), cand.end(), 0);
  };
  if (options_.topK <= 0 || options_.topK >= V) {
    // Top-p alone: sort only the tokens of the highest logit bins, unless the cut
    // falls outside them (rounding at a bin edge), then the whole vocabulary.
    const float m = maxOf(z, V);
    total = softmaxTerms(z, V, invT, m, terms_);
    cand = nucleusSuperset(z, terms_.data(), V, invT, m, total, options_.topP);
    std::sort(cand.begin(), cand.end(), byLogit);
    weigh();
    if (!cutTopP() && static_cast<int64_t>(cand.size()) < V) {
      all();
      std::sort(cand.begin(), cand.end(), byLogit);
      weigh();
      cutTopP();
    }
  } else {
    all();
    std::partial_sort(cand.begin(), cand.begin() + options_.topK, cand.end(), byLogit);
    cand.resize(static_cast<size_t>(options_.topK));
    total = weigh();
    if (options_.topP < 1.0) cutTopP();
  }
  total = std::accumulate(p.begin(), p.end(), 0.0);
  const size_t pick = inverseCdf(p.data(), p.size(), uniform() * total);
  return {cand[pick], static_cast<float>(std::log(p[pick] / total))};
}

}  // namespace datarus
