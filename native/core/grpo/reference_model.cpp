// reference_model.cpp — layer-range sharding and the sharded no-grad forward pass.
#include "reference_model.h"

#include <cmath>

#include "error.h"
#include "token_backward.h"

namespace datarus {

namespace {

int64_t layerParams(const ModelConfig& c) {
  const int64_t H = c.hiddenSize, I = c.intermediateSize, q = c.numHeads * c.headDim, kv = c.numKvHeads * c.headDim;
  return 2 * H + q * H + 2 * kv * H + H * q + 3 * H * I + (c.attentionBias ? q + 2 * kv : 0);
}

}  // namespace

std::vector<int64_t> balancedLayerSplit(const ModelConfig& c, int64_t shards) {
  const int64_t L = c.numLayers, emb = c.vocabSize * c.hiddenSize, per = layerParams(c);
  check(shards >= 1 && shards <= L, code::kInvalidArgument, "refShards must be in [1, ", L, "], not ", shards);
  const double total = 2.0 * emb + static_cast<double>(per) * L;  // head counted as its own copy
  std::vector<int64_t> b{0};
  double acc = emb;
  int64_t l = 0;
  for (int64_t k = 1; k < shards; ++k) {
    const double target = total * k / shards;
    // Take layers while the shard is under its share; leave ≥ 1 layer per remaining shard.
    int64_t taken = 0;
    while (l < L - (shards - k) && (taken == 0 || acc + per / 2.0 <= target)) acc += per, ++l, ++taken;
    b.push_back(l);
  }
  b.push_back(L);
  return b;
}

ShardedReference::ShardedReference(const Model& policy, int64_t shards, std::vector<at::Device> devices,
                                   at::ScalarType dtype)
    : config_(policy.config()), dtype_(dtype) {
  check(!devices.empty(), code::kInvalidArgument, "the reference needs at least one device");
  const auto& P = policy.parameters();
  auto copy = [&](const std::string& name, at::Device d) {
    auto it = P.find(name);
    if (it == P.end()) return at::Tensor();
    return it->second.detach().to(d, dtype, /*non_blocking=*/false, /*copy=*/true).contiguous();
  };
  std::vector<int64_t> b = balancedLayerSplit(config_, shards);
  for (int64_t s = 0; s < shards; ++s) {
    Shard sh;
    sh.device = devices[s % devices.size()];
    ReferenceShardInfo info;
    info.firstLayer = b[s], info.endLayer = b[s + 1], info.device = sh.device;
    if (s == 0) sh.embed = copy("model.embed_tokens.weight", sh.device), info.embedding = true;
    for (int64_t l = b[s]; l < b[s + 1]; ++l) sh.layers.push_back(policy.layers()[static_cast<size_t>(l)].to(sh.device, dtype));
    const bool sharedHead = config_.tieEmbeddings && sh.embed.defined();  // tied, and one shard holds both ends
    if (s == shards - 1) {
      sh.finalNorm = copy("model.norm.weight", sh.device);
      sh.lmHead = sharedHead ? sh.embed
                             : policy.lmHead().detach().to(sh.device, dtype, false, /*copy=*/true).contiguous();
      info.head = true;
    }
    for (const at::Tensor& t : {sh.embed, sh.finalNorm, sharedHead ? at::Tensor() : sh.lmHead})
      if (t.defined()) info.parameters += t.numel();
    for (const DecoderLayer& w : sh.layers)
      for (const at::Tensor& t : w.tensors())
        if (t.defined()) info.parameters += t.numel();
    shards_.push_back(std::move(sh));
    info_.push_back(info);
  }
}

at::Tensor ShardedReference::logprobs(const at::Tensor& ids, int64_t logitTokens) const {
  check(ids.dim() == 2 && ids.size(1) >= 2, code::kInvalidArgument, "log-probs need sequences of at least 2 tokens");
  at::NoGradGuard noGrad;
  const int64_t T = ids.size(1) - 1;
  check(T <= config_.maxPositions, code::kContextOverflow, "sequence of ", T, " positions exceeds the context");
  at::Tensor x;  // [B, T, H], moved from shard to shard
  for (const Shard& sh : shards_) {
    if (sh.embed.defined()) x = at::embedding(sh.embed, ids.narrow(1, 0, T).to(sh.device, at::kLong));
    x = x.to(sh.device);
    if (!sh.layers.empty()) {
      LayerInputs in = layerInputs(config_, dtype_, sh.device, T, 0, nullptr);
      for (const DecoderLayer& w : sh.layers) x = decoderLayer(config_, w, x, in, 0);
    }
    if (sh.lmHead.defined()) {
      at::Tensor h = rmsNorm(x, sh.finalNorm, config_.rmsNormEps);
      at::Tensor tgt = ids.narrow(1, 1, T).to(sh.device, at::kLong);
      return chunkedLogprobsEntropy(h, sh.lmHead, tgt, logitTokens, false).first.to(at::kCPU, at::kFloat);
    }
  }
  fail(code::kInternal, "reference has no output shard");
}

}  // namespace datarus
