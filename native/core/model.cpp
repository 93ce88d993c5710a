// model.cpp — parameter binding, KV caches and the forward pass over the layers.
#include "model.h"

#include <algorithm>
#include <cmath>

#include "error.h"

namespace datarus {

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
    DecoderLayer w;
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
    cache.prefixK.push_back(prefix.k[l][0].narrow(1, 0, cache.prefixLen));  // [Hkv, P, D] view
    cache.prefixV.push_back(prefix.v[l][0].narrow(1, 0, cache.prefixLen));
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

at::Tensor Model::hidden(const at::Tensor& ids, int64_t pos0, KVCache* cache) const {
  check(ids.dim() == 2, code::kInvalidArgument, "ids must be [B, T]");
  const int64_t B = ids.size(0), T = ids.size(1);
  check(T >= 1, code::kInvalidArgument, "empty input");
  if (cache) {
    check(cache->batch == B, code::kInvalidArgument, "cache has ", cache->batch, " rows, input ", B);
    check(cache->prefixLen + cache->maxLength() + T <= config_.maxPositions, code::kContextOverflow, "positions up to ",
          cache->prefixLen + cache->maxLength() + T, " exceed the context of ", config_.maxPositions);
    cache->reserve(cache->maxLength() + T);
  } else {
    check(pos0 + T <= config_.maxPositions, code::kContextOverflow, "positions up to ", pos0 + T,
          " exceed the context of ", config_.maxPositions);
  }
  LayerInputs in = layerInputs(config_, dtype_, device_, T, pos0, cache);
  std::shared_ptr<const DecodePack> pack = B * T <= kernels::kPackedMaxRows ? decodePack() : nullptr;
  in.pack = pack.get();
  at::Tensor x = at::embedding(embed_, ids.to(device_, at::kLong));  // [B, T, H]
  for (size_t l = 0; l < layers_.size(); ++l) x = decoderLayer(config_, layers_[l], x, in, l);
  if (cache)
    for (auto& n : cache->lengths) n += T;
  return rmsNorm(x, finalNorm_, config_.rmsNormEps);
}

at::Tensor Model::lastLogits(const at::Tensor& hidden) const {
  at::Tensor last = hidden.select(1, hidden.size(1) - 1);  // [B, H]
  if (last.size(0) <= kernels::kPackedMaxRows)
    if (auto pack = decodePack()) return kernels::packedLinear(last, pack->head)[0];  // [B, V] fp32
  return at::linear(last, lmHead_).to(accType(last));  // [B, V] fp32 (fp64 for an fp64 model)
}

std::shared_ptr<const DecodePack> Model::decodePack() const {
  if (at::GradMode::is_enabled() || !kernels::packedLinearSupports(device_, dtype_)) return nullptr;
  return packSlot_->get(layers_, lmHead_);
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
