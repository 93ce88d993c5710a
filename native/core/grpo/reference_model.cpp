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

at::Tensor rotateHalf(const at::Tensor& x) {
  int64_t half = x.size(-1) / 2;
  return at::cat({-x.narrow(-1, half, half), x.narrow(-1, 0, half)}, -1);
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
    for (int64_t l = b[s]; l < b[s + 1]; ++l) {
      const std::string p = "model.layers." + std::to_string(l) + ".";
      Layer w;
      w.inputNorm = copy(p + "input_layernorm.weight", sh.device);
      w.q = copy(p + "self_attn.q_proj.weight", sh.device);
      w.k = copy(p + "self_attn.k_proj.weight", sh.device);
      w.v = copy(p + "self_attn.v_proj.weight", sh.device);
      w.o = copy(p + "self_attn.o_proj.weight", sh.device);
      w.qBias = copy(p + "self_attn.q_proj.bias", sh.device);
      w.kBias = copy(p + "self_attn.k_proj.bias", sh.device);
      w.vBias = copy(p + "self_attn.v_proj.bias", sh.device);
      w.postNorm = copy(p + "post_attention_layernorm.weight", sh.device);
      w.gate = copy(p + "mlp.gate_proj.weight", sh.device);
      w.up = copy(p + "mlp.up_proj.weight", sh.device);
      w.down = copy(p + "mlp.down_proj.weight", sh.device);
      sh.layers.push_back(std::move(w));
    }
    if (s == shards - 1) {
      sh.finalNorm = copy("model.norm.weight", sh.device);
      sh.lmHead = policy.lmHead().detach().to(sh.device, dtype, false, /*copy=*/true).contiguous();
      info.head = true;
    }
    for (const at::Tensor& t : {sh.embed, sh.finalNorm, sh.lmHead})
      if (t.defined()) info.parameters += t.numel();
    for (const Layer& w : sh.layers)
      for (const at::Tensor& t : {w.inputNorm, w.q, w.qBias, w.k, w.kBias, w.v, w.vBias, w.o, w.postNorm, w.gate,
                                  w.up, w.down})
        if (t.defined()) info.parameters += t.numel();
    shards_.push_back(std::move(sh));
    info_.push_back(info);
  }
}

at::Tensor ShardedReference::rmsNorm(const at::Tensor& x, const at::Tensor& weight) const {
  at::Tensor xf = x.to(accType(x));
  at::Tensor inv = at::rsqrt(xf.pow(2).mean(-1, /*keepdim=*/true) + config_.rmsNormEps);
  return weight * (xf * inv).to(x.scalar_type());
}

at::Tensor ShardedReference::layerForward(const Layer& w, const at::Tensor& x, const at::Tensor& cos,
                                          const at::Tensor& sin) const {
  const int64_t B = x.size(0), T = x.size(1), D = config_.headDim;
  const int64_t Hkv = config_.numKvHeads, G = config_.numHeads / Hkv;
  auto rope = [&](const at::Tensor& t) {  // t: [B, T, heads, D]
    at::Tensor a = t.to(accType(t));
    return (a * cos + rotateHalf(a) * sin).to(t.scalar_type());
  };
  at::Tensor h = rmsNorm(x, w.inputNorm);
  at::Tensor q = rope(at::linear(h, w.q, w.qBias).view({B, T, Hkv * G, D}));         // [B, T, Hq, D]
  at::Tensor k = rope(at::linear(h, w.k, w.kBias).view({B, T, Hkv, D})).transpose(1, 2);  // [B, Hkv, T, D]
  at::Tensor v = at::linear(h, w.v, w.vBias).view({B, T, Hkv, D}).transpose(1, 2);        // [B, Hkv, T, D]
  q = q.view({B, T, Hkv, G, D}).permute({0, 2, 3, 1, 4}).reshape({B, Hkv, G * T, D});      // [B, Hkv, G*T, D]
  at::Tensor scores = at::matmul(q, k.transpose(-1, -2)).to(accType(q)) * (1.0 / std::sqrt(double(D)));
  scores = scores.view({B, Hkv, G, T, T});
  at::Tensor causal = at::ones({T, T}, at::TensorOptions().dtype(at::kBool).device(x.device())).triu(1);
  scores = scores.masked_fill(causal, -INFINITY);
  at::Tensor probs = at::softmax(scores, -1).to(x.scalar_type()).view({B, Hkv, G * T, T});
  at::Tensor att = at::matmul(probs, v).view({B, Hkv, G, T, D}).permute({0, 3, 1, 2, 4}).reshape({B, T, Hkv * G * D});
  at::Tensor y = x + at::linear(att, w.o);  // [B, T, H]
  at::Tensor m = rmsNorm(y, w.postNorm);
  return y + at::linear(at::silu(at::linear(m, w.gate)) * at::linear(m, w.up), w.down);
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
      auto f = at::TensorOptions().dtype(at::promote_types(dtype_, at::kFloat)).device(sh.device);
      const int64_t D = config_.headDim;
      at::Tensor invFreq = 1.0 / at::pow(config_.ropeTheta, at::arange(0, D, 2, f) / static_cast<double>(D));
      at::Tensor freqs = at::outer(at::arange(0, T, f), invFreq);        // [T, D/2]
      at::Tensor emb = at::cat({freqs, freqs}, -1).unsqueeze(1);         // [T, 1, D]
      at::Tensor cos = emb.cos(), sin = emb.sin();
      for (const Layer& w : sh.layers) x = layerForward(w, x, cos, sin);
    }
    if (sh.lmHead.defined()) {
      at::Tensor h = rmsNorm(x, sh.finalNorm);
      at::Tensor tgt = ids.narrow(1, 1, T).to(sh.device, at::kLong);
      return chunkedLogprobsEntropy(h, sh.lmHead, tgt, logitTokens, false).first.to(at::kCPU, at::kFloat);
    }
  }
  fail(code::kInternal, "reference has no output shard");
}

}  // namespace datarus
