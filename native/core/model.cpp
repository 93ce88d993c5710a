// model.cpp — parameter binding and the decoder forward pass.
#include "model.h"

#include <algorithm>
#include <cmath>

#include "error.h"
#include "decode_attention.h"
#include "fused_norm_rope.h"
#include "skinny_linear.h"

namespace datarus {

at::ScalarType accType(const at::Tensor& t) { return at::promote_types(t.scalar_type(), at::kFloat); }

namespace {
// x·Wᵀ + b. Without autograd and for a few rows (decode steps) the weight-streaming
// kernel is used; everything else (prefill, training) goes to BLAS through at::linear.
at::Tensor project(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b = at::Tensor()) {
  if (!at::GradMode::is_enabled() && kernels::skinnyLinearApplies(x, w)) return kernels::skinnyLinear(x, w, b);
  return at::linear(x, w, b);
}
}  // namespace

Model::Model(ModelConfig config, TensorMap params, at::Device device, at::ScalarType dtype)
    : config_(std::move(config)), device_(device), dtype_(dtype) {
  config_.validate();
  const auto& c = config_;
  const int64_t H = c.hiddenSize, I = c.intermediateSize, D = c.headDim;
  const int64_t q = c.numHeads * D, kv = c.numKvHeads * D;
  embed_ = take(params, "model.embed_tokens.weight", {c.vocabSize, H});
  finalNorm_ = take(params, "model.norm.weight", {H});
  if (c.tieEmbeddings) {
    params.erase("lm_head.weight");  // some tied checkpoints still store a copy
    lmHead_ = embed_;
  } else {
    lmHead_ = take(params, "lm_head.weight", {c.vocabSize, H});
  }
  for (int64_t l = 0; l < c.numLayers; ++l) {
    const std::string p = "model.layers." + std::to_string(l) + ".";
    Layer w;
    w.inputNorm = take(params, p + "input_layernorm.weight", {H});
    w.q = take(params, p + "self_attn.q_proj.weight", {q, H});
    w.k = take(params, p + "self_attn.k_proj.weight", {kv, H});
    w.v = take(params, p + "self_attn.v_proj.weight", {kv, H});
    w.o = take(params, p + "self_attn.o_proj.weight", {H, q});
    if (c.attentionBias) {
      w.qBias = take(params, p + "self_attn.q_proj.bias", {q});
      w.kBias = take(params, p + "self_attn.k_proj.bias", {kv});
      w.vBias = take(params, p + "self_attn.v_proj.bias", {kv});
    }
    w.postNorm = take(params, p + "post_attention_layernorm.weight", {H});
    w.gate = take(params, p + "mlp.gate_proj.weight", {I, H});
    w.up = take(params, p + "mlp.up_proj.weight", {I, H});
    w.down = take(params, p + "mlp.down_proj.weight", {H, I});
    layers_.push_back(std::move(w));
  }
  for (const auto& [name, t] : params)
    if (name.find("rotary_emb") == std::string::npos)
      fail(code::kBadTensor, "checkpoint tensor '", name, "' is not part of a ", c.modelType, " model");
}

const at::Tensor& Model::take(TensorMap& src, const std::string& name, std::vector<int64_t> shape) {
  auto it = src.find(name);
  check(it != src.end(), code::kMissingTensor, "checkpoint lacks tensor '", name, "'");
  check(it->second.sizes() == at::IntArrayRef(shape), code::kBadTensor, "tensor '", name, "' has shape ",
        it->second.sizes(), ", expected ", at::IntArrayRef(shape));
  check(at::isFloatingType(it->second.scalar_type()), code::kBadTensor, "tensor '", name, "' is not floating point");
  at::Tensor t = it->second.to(device_, dtype_).contiguous();
  src.erase(it);
  return params_.emplace(name, std::move(t)).first->second;
}

void Model::setTrainable(bool trainable) {
  for (auto& [name, t] : params_) t.requires_grad_(trainable);
}

KVCache Model::newCache(int64_t batch, int64_t capacity) const {
  KVCache cache;
  cache.batch = batch;
  cache.capacity = capacity;
  cache.lengths.assign(static_cast<size_t>(batch), 0);
  auto opts = at::TensorOptions().device(device_).dtype(dtype_);
  for (int64_t l = 0; l < config_.numLayers; ++l) {
    cache.k.push_back(at::zeros({batch, config_.numKvHeads, capacity, config_.headDim}, opts));
    cache.v.push_back(at::zeros({batch, config_.numKvHeads, capacity, config_.headDim}, opts));
  }
  return cache;
}

KVCache Model::newCacheAfter(const KVCache& prefix, int64_t batch, int64_t capacity) const {
  check(prefix.batch == 1 && prefix.prefixLen == 0, code::kInvalidArgument, "a shared prefix must be one plain row");
  KVCache cache = newCache(batch, capacity);
  cache.prefixLen = prefix.length(0);
  for (size_t l = 0; l < prefix.k.size(); ++l) {
    cache.prefixK.push_back(prefix.k[l].narrow(2, 0, cache.prefixLen));  // [1, Hkv, P, D] view
    cache.prefixV.push_back(prefix.v[l].narrow(2, 0, cache.prefixLen));
  }
  return cache;
}

int64_t KVCache::maxLength() const { return lengths.empty() ? 0 : *std::max_element(lengths.begin(), lengths.end()); }

bool KVCache::uniform() const {
  return std::all_of(lengths.begin(), lengths.end(), [&](int64_t n) { return n == lengths[0]; });
}

void KVCache::reserve(int64_t needed) {
  if (needed <= capacity) return;
  int64_t cap = std::max(needed, capacity * 2);
  for (size_t l = 0; l < k.size(); ++l) {
    auto grow = [&](at::Tensor& t) {
      at::Tensor bigger = at::zeros({t.size(0), t.size(1), cap, t.size(3)}, t.options());
      bigger.narrow(2, 0, capacity).copy_(t);
      t = bigger;
    };
    grow(k[l]);
    grow(v[l]);
  }
  capacity = cap;
}

int64_t KVCache::bytes() const {
  int64_t n = 0;
  for (size_t l = 0; l < k.size(); ++l) n += (k[l].numel() + v[l].numel()) * k[l].element_size();
  return n;
}

at::Tensor Model::rmsNorm(const at::Tensor& x, const at::Tensor& weight) const {
  if (kernels::fusedApplies(x)) return kernels::rmsNorm(x, weight, config_.rmsNormEps);
  // Normalise in fp32 or wider (as transformers does), then scale in the model dtype.
  at::Tensor xf = x.to(accType(x));
  at::Tensor inv = at::rsqrt(xf.pow(2).mean(-1, /*keepdim=*/true) + config_.rmsNormEps);
  return weight * (xf * inv).to(x.scalar_type());
}

namespace {

// Hugging Face rotary layout: the two halves of each head are the (x, y) pairs.
at::Tensor rotateHalf(const at::Tensor& x) {
  int64_t half = x.size(-1) / 2;
  return at::cat({-x.narrow(-1, half, half), x.narrow(-1, 0, half)}, -1);
}

}  // namespace

at::Tensor Model::attention(const Layer& w, const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin,
                            const at::Tensor& mask, KVCache* cache, size_t layer) const {
  const int64_t B = x.size(0), T = x.size(1), D = config_.headDim;
  const int64_t Hkv = config_.numKvHeads, G = config_.numHeads / Hkv;
  auto rope = [&](at::Tensor t) {  // t: [B, T, heads, D]; cos, sin: [B or 1, T, 1, D]
    if (kernels::fusedApplies(t)) {
      kernels::ropeInPlace(t, cos, sin);
      return t;
    }
    at::Tensor a = t.to(accType(t));
    return (a * cos + rotateHalf(a) * sin).to(t.scalar_type());
  };
  at::Tensor q = rope(project(x, w.q, w.qBias).view({B, T, Hkv * G, D}));  // [B, T, Hq, D]
  at::Tensor k = rope(project(x, w.k, w.kBias).view({B, T, Hkv, D}));      // [B, T, Hkv, D]
  at::Tensor v = project(x, w.v, w.vBias).view({B, T, Hkv, D});            // [B, T, Hkv, D]
  k = k.transpose(1, 2);                                                      // [B, Hkv, T, D]
  v = v.transpose(1, 2);
  if (cache) {
    if (cache->uniform()) {
      cache->k[layer].narrow(2, cache->length(0), T).copy_(k);
      cache->v[layer].narrow(2, cache->length(0), T).copy_(v);
    } else {
      for (int64_t r = 0; r < B; ++r) {
        cache->k[layer][r].narrow(1, cache->length(r), T).copy_(k[r]);
        cache->v[layer][r].narrow(1, cache->length(r), T).copy_(v[r]);
      }
    }
    const int64_t S = cache->maxLength() + T;
    k = cache->k[layer].narrow(2, 0, S);  // [B, Hkv, S, D]
    v = cache->v[layer].narrow(2, 0, S);
  }
  const double scale = 1.0 / std::sqrt(double(D));
  if (cache && T == 1 && kernels::fusedApplies(q)) {
    // Decode step: one fused pass over prefix and cached keys instead of batched matmuls.
    std::vector<int64_t> visible(cache->lengths);
    for (auto& n : visible) n += 1;  // the slot just written
    const int64_t P = cache->prefixLen;
    at::Tensor out = kernels::decodeAttention(q.view({B, Hkv * G, D}), P ? cache->prefixK[layer][0] : at::Tensor(),
                                              P ? cache->prefixV[layer][0] : at::Tensor(), cache->k[layer],
                                              cache->v[layer], visible, scale);  // [B, Hq, D]
    return project(out.view({B, 1, Hkv * G * D}), w.o);
  }
  const int64_t S = k.size(2);
  // Group query heads under their key/value head: [B, Hkv, G*T, D].
  q = q.view({B, T, Hkv, G, D}).permute({0, 2, 3, 1, 4}).reshape({B, Hkv, G * T, D});
  at::Tensor scores = at::matmul(q, k.transpose(-1, -2)).to(accType(q)) * scale;  // [B, Hkv, G*T, S]
  if (mask.defined()) scores = scores.view({B, Hkv, G, T, S}).masked_fill(mask, -INFINITY).view({B, Hkv, G * T, S});
  const int64_t P = cache ? cache->prefixLen : 0;
  if (P == 0) {
    at::Tensor probs = at::softmax(scores, -1).to(x.scalar_type());
    at::Tensor out = at::matmul(probs, v);  // [B, Hkv, G*T, D]
    out = out.view({B, Hkv, G, T, D}).permute({0, 3, 1, 2, 4}).reshape({B, T, Hkv * G * D});
    return project(out, w.o);  // [B, T, H]
  }
  // Shared prefix: every row's queries become extra rows of one [Hkv, B*G*T, D]
  // matrix against the single copy of the prefix keys — no per-row copy of them.
  const at::Tensor& kp = cache->prefixK[layer][0];                         // [Hkv, P, D]
  const at::Tensor& vp = cache->prefixV[layer][0];                         // [Hkv, P, D]
  at::Tensor qf = q.transpose(0, 1).reshape({Hkv, B * G * T, D});          // [Hkv, B*G*T, D]
  at::Tensor sp = at::bmm(qf, kp.transpose(1, 2)).to(accType(q)) * scale;  // [Hkv, B*G*T, P]
  sp = sp.view({Hkv, B, G * T, P}).transpose(0, 1);                        // [B, Hkv, G*T, P]
  at::Tensor probs = at::softmax(at::cat({sp, scores}, -1), -1).to(x.scalar_type());  // [B, Hkv, G*T, P+S]
  at::Tensor pp = probs.narrow(-1, 0, P).transpose(0, 1).reshape({Hkv, B * G * T, P});
  at::Tensor out = at::bmm(pp, vp).view({Hkv, B, G * T, D}).transpose(0, 1);  // [B, Hkv, G*T, D]
  out = out + at::matmul(probs.narrow(-1, P, S), v);
  out = out.view({B, Hkv, G, T, D}).permute({0, 3, 1, 2, 4}).reshape({B, T, Hkv * G * D});
  return project(out, w.o);  // [B, T, H]
}

at::Tensor Model::hidden(const at::Tensor& ids, int64_t pos0, KVCache* cache) const {
  check(ids.dim() == 2, code::kInvalidArgument, "ids must be [B, T]");
  const int64_t B = ids.size(0), T = ids.size(1);
  check(T >= 1, code::kInvalidArgument, "empty input");
  auto i64 = at::TensorOptions().dtype(at::kLong).device(device_);
  at::Tensor start;  // [B, 1] slot of each row's first new token
  int64_t S = T;     // key slots visible after this call
  if (cache) {
    check(cache->batch == B, code::kInvalidArgument, "cache has ", cache->batch, " rows, input ", B);
    check(cache->prefixLen + cache->maxLength() + T <= config_.maxPositions, code::kContextOverflow, "positions up to ",
          cache->prefixLen + cache->maxLength() + T, " exceed the context of ", config_.maxPositions);
    cache->reserve(cache->maxLength() + T);
    start = at::tensor(cache->lengths, at::kLong).to(device_).unsqueeze(1);
    S = cache->maxLength() + T;
    pos0 = cache->prefixLen;
  } else {
    check(pos0 + T <= config_.maxPositions, code::kContextOverflow, "positions up to ", pos0 + T,
          " exceed the context of ", config_.maxPositions);
    start = at::zeros({1, 1}, i64);
  }
  // Rotary tables per row: absolute positions pos0 + start + t → cos, sin [B or 1, T, 1, D].
  const at::ScalarType acc = at::promote_types(dtype_, at::kFloat);
  at::Tensor pos = (start + at::arange(T, i64).unsqueeze(0) + pos0).to(acc);  // [B or 1, T]
  at::Tensor invFreq = 1.0 / at::pow(config_.ropeTheta, at::arange(0, config_.headDim, 2, pos.options()) /
                                                             static_cast<double>(config_.headDim));  // [D/2]
  at::Tensor freqs = pos.unsqueeze(-1) * invFreq;                 // [B, T, D/2]
  at::Tensor emb = at::cat({freqs, freqs}, -1).unsqueeze(2);      // [B, T, 1, D]
  at::Tensor cos = emb.cos(), sin = emb.sin();
  // Causal mask over cache slots: row r's query t sees slots s <= start_r + t. [B or 1, 1, 1, T, S]
  at::Tensor mask;
  if (T > 1 || (cache && !cache->uniform())) {
    at::Tensor qslot = (start + at::arange(T, i64).unsqueeze(0)).unsqueeze(-1);  // [B, T, 1]
    mask = (at::arange(S, i64).view({1, 1, S}) > qslot).view({-1, 1, 1, T, S});
  }
  at::Tensor x = at::embedding(embed_, ids.to(device_, at::kLong));  // [B, T, H]
  for (size_t l = 0; l < layers_.size(); ++l) {
    const Layer& w = layers_[l];
    x = x + attention(w, rmsNorm(x, w.inputNorm), cos, sin, mask, cache, l);
    at::Tensor h = rmsNorm(x, w.postNorm);
    x = x + project(at::silu(project(h, w.gate)) * project(h, w.up), w.down);
  }
  if (cache)
    for (auto& n : cache->lengths) n += T;
  return rmsNorm(x, finalNorm_);
}

at::Tensor Model::lastLogits(const at::Tensor& hidden) const {
  at::Tensor last = hidden.select(1, hidden.size(1) - 1);  // [B, H]
  return project(last, lmHead_).to(accType(last));      // [B, V] fp32 (fp64 for an fp64 model)
}

void checkTokens(const ModelConfig& c, const std::vector<int64_t>& ids, int64_t extraTokens) {
  for (size_t i = 0; i < ids.size(); ++i)
    check(ids[i] >= 0 && ids[i] < c.vocabSize, code::kTokenOutOfRange, "token id ", ids[i], " at position ", i,
          " is outside the vocabulary [0, ", c.vocabSize, ")");
  check(static_cast<int64_t>(ids.size()) + extraTokens <= c.maxPositions, code::kContextOverflow, "input of ",
        ids.size(), " tokens", (extraTokens ? " plus " + std::to_string(extraTokens) + " new tokens" : ""),
        " exceeds the model context of ", c.maxPositions);
}

}  // namespace datarus
