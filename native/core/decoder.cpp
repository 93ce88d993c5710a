// decoder.cpp — one pre-norm decoder layer (GQA attention with RoPE, SwiGLU MLP),
// shared by the policy model and the sharded reference.
#include "decoder.h"

#include <cmath>
#include <cstring>

#include "decode_attention.h"
#include "decode_pack.h"
#include "error.h"
#include "fused_norm_rope.h"

namespace datarus {

at::ScalarType accType(const at::Tensor& t) { return at::promote_types(t.scalar_type(), at::kFloat); }

std::vector<at::Tensor> DecoderLayer::tensors() const {
  return {inputNorm, q, qBias, k, kBias, v, vBias, o, postNorm, gate, up, down};
}

DecoderLayer DecoderLayer::to(at::Device device, at::ScalarType dtype) const {
  auto move = [&](const at::Tensor& t) {
    return t.defined() ? t.detach().to(device, dtype, false, /*copy=*/true).contiguous() : at::Tensor();
  };
  return {move(inputNorm), move(q), move(qBias), move(k), move(kBias), move(v),
          move(vBias),     move(o), move(postNorm), move(gate), move(up), move(down)};
}

at::Tensor rmsNorm(const at::Tensor& x, const at::Tensor& weight, double eps) {
  if (kernels::fusedApplies(x)) return kernels::rmsNorm(x, weight, eps);
  // Normalise in fp32 or wider (as transformers does), then scale in the model dtype.
  at::Tensor xf = x.to(accType(x));
  at::Tensor inv = at::rsqrt(xf.pow(2).mean(-1, /*keepdim=*/true) + eps);
  return weight * (xf * inv).to(x.scalar_type());
}

LayerInputs layerInputs(const ModelConfig& config, at::ScalarType dtype, at::Device device, int64_t T, int64_t pos0,
                        KVCache* cache) {
  auto i64 = at::TensorOptions().dtype(at::kLong).device(device);
  at::Tensor start;  // [B or 1, 1] slot of each row's first new token
  int64_t S = T;     // key slots visible after this call
  if (cache) {
    start = at::tensor(cache->lengths, at::kLong).to(device).unsqueeze(1);
    S = cache->maxLength() + T;
    pos0 = cache->prefixLen;
  } else {
    start = at::zeros({1, 1}, i64);
  }
  LayerInputs in;
  in.cache = cache;
  // Rotary tables per row: absolute positions pos0 + start + t → cos, sin [B or 1, T, 1, D].
  const at::ScalarType acc = at::promote_types(dtype, at::kFloat);
  at::Tensor pos = (start + at::arange(T, i64).unsqueeze(0) + pos0).to(acc);  // [B or 1, T]
  at::Tensor invFreq = 1.0 / at::pow(config.ropeTheta, at::arange(0, config.headDim, 2, pos.options()) /
                                                            static_cast<double>(config.headDim));  // [D/2]
  at::Tensor freqs = pos.unsqueeze(-1) * invFreq;             // [B, T, D/2]
  at::Tensor emb = at::cat({freqs, freqs}, -1).unsqueeze(2);  // [B, T, 1, D]
  in.cos = emb.cos();
  in.sin = emb.sin();
  // Causal mask over cache slots: row r's query t sees slots s <= start_r + t. [B or 1, 1, 1, T, S]
  if (T > 1 || (cache && !cache->uniform())) {
    at::Tensor qslot = (start + at::arange(T, i64).unsqueeze(0)).unsqueeze(-1);  // [B, T, 1]
    in.mask = (at::arange(S, i64).view({1, 1, S}) > qslot).view({-1, 1, 1, T, S});
  }
  return in;
}

namespace {

// Hugging Face rotary layout: the two halves of each head are the (x, y) pairs.
at::Tensor rotateHalf(const at::Tensor& x) {
  int64_t half = x.size(-1) / 2;
  return at::cat({-x.narrow(-1, half, half), x.narrow(-1, 0, half)}, -1);
}

// Writes new keys or values src [B, Hkv, T, D] into dst [B, Hkv, capacity, D] at
// slots lengths[r] .. lengths[r]+T-1 of each row r.
void writeCache(const KVCache& cache, at::Tensor& dst, const at::Tensor& src) {
  const int64_t B = src.size(0), H = src.size(1), T = src.size(2), D = src.size(3);
  if (dst.is_cpu() && src.is_cpu() && dst.is_contiguous() && src.stride(3) == 1 &&
      dst.scalar_type() == src.scalar_type()) {
    // Decode steps write a few short rows: plain copies, no per-row tensor ops.
    const int64_t e = src.element_size(), cap = dst.size(2);
    char* out = static_cast<char*>(dst.data_ptr());
    const char* in = static_cast<const char*>(src.data_ptr());
    check(dst.size(0) == B && dst.size(1) == H && dst.size(3) == D, code::kInternal, "cache of shape ", dst.sizes(),
          " cannot take keys of shape ", src.sizes());
    for (int64_t b = 0; b < B; ++b) {
      check(cache.length(b) + T <= cap, code::kInternal, "cache row ", b, " cannot take ", T, " more slots");
      for (int64_t h = 0; h < H; ++h)
        for (int64_t t = 0; t < T; ++t)
          std::memcpy(out + (((b * H + h) * cap) + cache.length(b) + t) * D * e,
                      in + (b * src.stride(0) + h * src.stride(1) + t * src.stride(2)) * e, static_cast<size_t>(D * e));
    }
    return;
  }
  if (cache.uniform()) {
    dst.narrow(2, cache.length(0), T).copy_(src);
    return;
  }
  for (int64_t r = 0; r < B; ++r) dst[r].narrow(1, cache.length(r), T).copy_(src[r]);
}

// The layer's panels when this call takes the packed decode path, else null.
const DecodeLayerPack* packOf(const LayerInputs& in, size_t layer, const at::Tensor& x) {
  return in.pack && kernels::packedLinearApplies(x) ? &in.pack->layers[layer] : nullptr;
}

// x + o(attention(q, k, v)) for the layer input x [B, T, H] and its projections qkv.
at::Tensor attention(const ModelConfig& config, const DecoderLayer& w, const at::Tensor& x,
                     const std::vector<at::Tensor>& qkv, const LayerInputs& in, size_t layer,
                     const DecodeLayerPack* pack) {
  const at::Tensor &cos = in.cos, &sin = in.sin, &mask = in.mask;
  KVCache* cache = in.cache;
  const int64_t B = x.size(0), T = x.size(1), D = config.headDim;
  const int64_t Hkv = config.numKvHeads, G = config.numHeads / Hkv;
  auto rope = [&](at::Tensor t) {  // t: [B, T, heads, D]; cos, sin: [B or 1, T, 1, D]
    if (kernels::fusedApplies(t)) {
      kernels::ropeInPlace(t, cos, sin);
      return t;
    }
    at::Tensor a = t.to(accType(t));
    return (a * cos + rotateHalf(a) * sin).to(t.scalar_type());
  };
  auto outProj = [&](const at::Tensor& a) {  // a: [B, T, Hq·D] → x + a·oᵀ
    if (pack) return kernels::packedLinear(a, pack->o, {{}, 0, x, {}})[0];
    return x + at::linear(a, w.o);
  };
  at::Tensor q = rope(qkv[0].view({B, T, Hkv * G, D}));  // [B, T, Hq, D]
  at::Tensor k = rope(qkv[1].view({B, T, Hkv, D}));      // [B, T, Hkv, D]
  at::Tensor v = qkv[2].view({B, T, Hkv, D});            // [B, T, Hkv, D]
  const double scale = 1.0 / std::sqrt(double(D));
  const int64_t P = cache ? cache->prefixLen : 0;
  if (cache && T == 1 && kernels::fusedApplies(q)) {
    // Decode step: one fused pass that stores the new keys/values in the cache and
    // attends over prefix and cached keys, instead of batched matmuls.
    at::Tensor out = kernels::decodeAttention(q.view({B, Hkv * G, D}), P ? cache->prefixK[layer] : at::Tensor(),
                                              P ? cache->prefixV[layer] : at::Tensor(), cache->k[layer],
                                              cache->v[layer], k.view({B, Hkv, D}), v.view({B, Hkv, D}),
                                              cache->lengths, scale);  // [B, Hq, D]
    return outProj(out.view({B, 1, Hkv * G * D}));
  }
  k = k.transpose(1, 2);  // [B, Hkv, T, D]
  v = v.transpose(1, 2);
  if (cache) {
    writeCache(*cache, cache->k[layer], k);
    writeCache(*cache, cache->v[layer], v);
    const int64_t S = cache->maxLength() + T;
    k = cache->k[layer].narrow(2, 0, S);  // [B, Hkv, S, D]
    v = cache->v[layer].narrow(2, 0, S);
  }
  const int64_t S = k.size(2);
  // Group query heads under their key/value head: [B, Hkv, G*T, D].
  q = q.view({B, T, Hkv, G, D}).permute({0, 2, 3, 1, 4}).reshape({B, Hkv, G * T, D});
  at::Tensor scores = at::matmul(q, k.transpose(-1, -2)).to(accType(q)) * scale;  // [B, Hkv, G*T, S]
  if (mask.defined()) scores = scores.view({B, Hkv, G, T, S}).masked_fill(mask, -INFINITY).view({B, Hkv, G * T, S});
  if (P == 0) {
    at::Tensor probs = at::softmax(scores, -1).to(x.scalar_type());
    at::Tensor out = at::matmul(probs, v);  // [B, Hkv, G*T, D]
    out = out.view({B, Hkv, G, T, D}).permute({0, 3, 1, 2, 4}).reshape({B, T, Hkv * G * D});
    return outProj(out);  // [B, T, H]
  }
  // Shared prefix: every row's queries become extra rows of one [Hkv, B*G*T, D]
  // matrix against the single copy of the prefix keys — no per-row copy of them.
  const at::Tensor& kp = cache->prefixK[layer];                            // [Hkv, P, D]
  const at::Tensor& vp = cache->prefixV[layer];                            // [Hkv, P, D]
  at::Tensor qf = q.transpose(0, 1).reshape({Hkv, B * G * T, D});          // [Hkv, B*G*T, D]
  at::Tensor sp = at::bmm(qf, kp.transpose(1, 2)).to(accType(q)) * scale;  // [Hkv, B*G*T, P]
  sp = sp.view({Hkv, B, G * T, P}).transpose(0, 1);                        // [B, Hkv, G*T, P]
  at::Tensor probs = at::softmax(at::cat({sp, scores}, -1), -1).to(x.scalar_type());  // [B, Hkv, G*T, P+S]
  at::Tensor pp = probs.narrow(-1, 0, P).transpose(0, 1).reshape({Hkv, B * G * T, P});
  at::Tensor out = at::bmm(pp, vp).view({Hkv, B, G * T, D}).transpose(0, 1);  // [B, Hkv, G*T, D]
  out = out + at::matmul(probs.narrow(-1, P, S), v);
  out = out.view({B, Hkv, G, T, D}).permute({0, 3, 1, 2, 4}).reshape({B, T, Hkv * G * D});
  return outProj(out);  // [B, T, H]
}

}  // namespace

at::Tensor decoderLayer(const ModelConfig& config, const DecoderLayer& w, const at::Tensor& x, const LayerInputs& in,
                        size_t layer) {
  const double eps = config.rmsNormEps;
  if (const DecodeLayerPack* pack = packOf(in, layer, x)) {
    // Decode step on the panels: each norm is fused into the product after it and
    // each residual add into the product before it.
    at::Tensor y = attention(config, w, x, kernels::packedLinear(x, pack->qkv, {w.inputNorm, eps, {}, {}}), in, layer,
                             pack);
    // gate, up: [B, T, I]
    std::vector<at::Tensor> gu = kernels::packedLinear(y, pack->gateUp, {w.postNorm, eps, {}, {}});
    return kernels::packedLinear(gu[0], pack->down, {{}, 0, y, gu[1]})[0];  // silu(gate)·up fused in
  }
  at::Tensor h = rmsNorm(x, w.inputNorm, eps);
  at::Tensor y = attention(config, w, x,
                           {at::linear(h, w.q, w.qBias), at::linear(h, w.k, w.kBias), at::linear(h, w.v, w.vBias)}, in,
                           layer, nullptr);
  h = rmsNorm(y, w.postNorm, eps);
  return y + at::linear(at::silu(at::linear(h, w.gate)) * at::linear(h, w.up), w.down);
}

}  // namespace datarus
