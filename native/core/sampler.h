// sampler.h — next-token sampling: greedy, temperature, top-k, top-p, seeded.
//
// The behaviour log-prob returned with each token is the log-probability under
// the distribution actually sampled from (after temperature, top-k and top-p);
// for greedy decoding it is the model's own log-softmax at temperature 1.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <random>
#include <vector>

namespace datarus {

struct SamplingOptions {
  double temperature = 1.0;  // 0 = greedy
  double topP = 1.0;         // nucleus mass in (0, 1]
  int64_t topK = 0;          // 0 = no limit
  uint64_t seed = 0;
};

struct Sampled {
  int64_t token;
  float logprob;
};

// Draws are made on the CPU from a Mersenne Twister (std::mt19937_64, fully
// specified by the C++ standard), so a seed gives the same samples everywhere.
class Sampler {
 public:
  explicit Sampler(const SamplingOptions& options);
  // logits: [V] fp32 (any device). Not thread-safe; distinct samplers may run on
  // distinct threads.
  Sampled next(const at::Tensor& logits);

 private:
  double uniform();  // in [0, 1)

  SamplingOptions options_;
  std::mt19937_64 rng_;
  std::vector<float> terms_;  // [V] scratch: the softmax terms of the last call
};

}  // namespace datarus
