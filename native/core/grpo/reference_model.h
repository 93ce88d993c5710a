// reference_model.h — the frozen reference policy π_ref of GRPO's KL term, sharded by
// layer ranges.
//
// A copy of the policy's weights at the time it is made (normally step 0), split into
// N contiguous layer ranges balanced by parameter count: shard 0 also holds the token
// embedding, the last shard the final norm and the output projection (its own copy
// when embeddings are tied, except in a single shard, where the head is the
// embedding's copy as in the policy: 113 MiB less for SmolLM2-135M). Shard i lives on devices[i % devices.size()]; with one
// device (CPU offload, or a single GPU) the shards are still separate parameter sets,
// so the hand-over between shards and the memory split are exercised everywhere.
// Its layers run the same decoder code as the policy (decoder.h), without a KV cache:
// the reference only ever scores whole sequences; a test pins its log-probs to the policy's. Log-probs are
// computed over chunks of positions, like the policy's, so [B, T, V] is never alive.
#pragma once

#include <ATen/ATen.h>

#include <vector>

#include "logprobs.h"
#include "model.h"

namespace datarus {

struct ReferenceShardInfo {
  int64_t firstLayer = 0, endLayer = 0;  // layers [firstLayer, endLayer)
  int64_t parameters = 0;                // elements held by this shard
  bool embedding = false, head = false;
  at::Device device = at::kCPU;
};

class ShardedReference {
 public:
  // shards in [1, numLayers]; devices non-empty; weights are copied (detached) in `dtype`.
  ShardedReference(const Model& policy, int64_t shards, std::vector<at::Device> devices, at::ScalarType dtype);

  // ids: [B, T] int64 → log p_ref(ids[:, t+1] | ids[:, :t+1]) as [B, T-1] fp32 on the CPU.
  at::Tensor logprobs(const at::Tensor& ids, int64_t logitTokens = kLogitTokens) const;

  const std::vector<ReferenceShardInfo>& shards() const { return info_; }
  const ModelConfig& config() const { return config_; }

 private:
  struct Shard {
    at::Device device = at::kCPU;
    at::Tensor embed, finalNorm, lmHead;  // defined on the first / last shard only
    std::vector<DecoderLayer> layers;
  };


  ModelConfig config_;
  at::ScalarType dtype_;
  std::vector<Shard> shards_;
  std::vector<ReferenceShardInfo> info_;
};

// Layer boundaries [b0 = 0, b1, ..., bN = L] balancing embedding + layers + head
// parameter counts over N shards, every shard with at least one layer.
std::vector<int64_t> balancedLayerSplit(const ModelConfig& c, int64_t shards);

}  // namespace datarus
