// sampler.cpp — filtering and seeded multinomial draw on the CPU.
#include "sampler.h"

#include <ATen/CPUGeneratorImpl.h>

namespace datarus {

Sampler::Sampler(const SamplingOptions& options)
    : options_(options), generator_(at::make_generator<at::CPUGeneratorImpl>(options.seed)) {}

Sampled Sampler::next(const at::Tensor& logitsIn) {
  at::NoGradGuard noGrad;
  at::Tensor logits = logitsIn.to(at::kCPU, at::kFloat).reshape({-1});  // [V]
  if (options_.temperature <= 0) {
    int64_t tok = logits.argmax().item<int64_t>();
    return {tok, at::log_softmax(logits, -1)[tok].item<float>()};
  }
  at::Tensor scaled = logits / options_.temperature;
  const int64_t V = scaled.size(0);
  if ((options_.topK > 0 && options_.topK < V) || options_.topP < 1.0) {
    int64_t k = options_.topK > 0 ? std::min(options_.topK, V) : V;
    auto [vals, idx] = scaled.topk(k);  // sorted descending
    if (options_.topP < 1.0) {
      at::Tensor probs = at::softmax(vals, -1);
      at::Tensor before = probs.cumsum(-1) - probs;  // mass strictly above each candidate
      vals = vals.masked_fill(before >= options_.topP, -INFINITY);  // the top token always survives
    }
    scaled = at::full({V}, -INFINITY, scaled.options()).scatter(0, idx, vals);
  }
  at::Tensor logp = at::log_softmax(scaled, -1);
  at::Tensor draw = at::multinomial(logp.exp(), 1, false, generator_);
  int64_t tok = draw.item<int64_t>();
  return {tok, logp[tok].item<float>()};
}

}  // namespace datarus
