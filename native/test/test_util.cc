// test_util.cc — helpers for the core tests (see test_util.h).
#include "test_util.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <unistd.h>

#include "error.h"

namespace datarus::testing {

TempDir::TempDir(const std::string& tag) {
  std::string tmpl = (std::filesystem::temp_directory_path() / ("datarus-" + tag + "-XXXXXX")).string();
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  const char* dir = mkdtemp(buf.data());
  if (!dir) std::abort();
  path_ = dir;
}

TempDir::~TempDir() {
  const char* keep = std::getenv("DATARUS_KEEP_TEST_DIRS");
  if (::testing::Test::HasFailure() && keep && std::string(keep) == "1") {
    std::fprintf(stderr, "[temp-dir] kept %s (DATARUS_KEEP_TEST_DIRS=1)\n", path_.c_str());
    return;
  }
  std::error_code ec;  // never throw from a destructor; a leftover is better than a crash
  std::filesystem::remove_all(path_, ec);
}

ModelConfig tinyConfig(bool qkvBias, bool tied, int64_t vocab) {
  ModelConfig c;
  c.modelType = qkvBias ? "qwen2" : "llama";
  c.vocabSize = vocab;
  c.hiddenSize = 32;
  c.intermediateSize = 64;
  c.numLayers = 2;
  c.numHeads = 4;
  c.numKvHeads = 2;
  c.headDim = 8;
  c.maxPositions = 128;
  c.rmsNormEps = 1e-6;
  c.ropeTheta = 10000.0;
  c.attentionBias = qkvBias;
  c.tieEmbeddings = tied;
  c.bosTokenId = 1;
  c.eosTokenId = 2;
  return c;
}

TensorMap randomParams(const ModelConfig& c, uint64_t seed) {
  at::manual_seed(seed);
  TensorMap p;
  const int64_t H = c.hiddenSize, I = c.intermediateSize, q = c.numHeads * c.headDim, kv = c.numKvHeads * c.headDim;
  auto w = [](std::vector<int64_t> shape) { return at::randn(shape) * 0.2; };
  auto norm = [&](int64_t n) { return 1.0 + 0.1 * at::randn({n}); };
  p["model.embed_tokens.weight"] = w({c.vocabSize, H});
  p["model.norm.weight"] = norm(H);
  if (!c.tieEmbeddings) p["lm_head.weight"] = w({c.vocabSize, H});
  for (int64_t l = 0; l < c.numLayers; ++l) {
    std::string s = "model.layers." + std::to_string(l) + ".";
    p[s + "input_layernorm.weight"] = norm(H);
    p[s + "post_attention_layernorm.weight"] = norm(H);
    p[s + "self_attn.q_proj.weight"] = w({q, H});
    p[s + "self_attn.k_proj.weight"] = w({kv, H});
    p[s + "self_attn.v_proj.weight"] = w({kv, H});
    p[s + "self_attn.o_proj.weight"] = w({H, q});
    if (c.attentionBias) {
      p[s + "self_attn.q_proj.bias"] = w({q});
      p[s + "self_attn.k_proj.bias"] = w({kv});
      p[s + "self_attn.v_proj.bias"] = w({kv});
    }
    p[s + "mlp.gate_proj.weight"] = w({I, H});
    p[s + "mlp.up_proj.weight"] = w({I, H});
    p[s + "mlp.down_proj.weight"] = w({H, I});
  }
  return p;
}

uint16_t floatToHalf(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  uint32_t sign = (x >> 16) & 0x8000;
  int32_t exp = static_cast<int32_t>((x >> 23) & 0xFF) - 127 + 15;
  uint32_t mant = x & 0x7FFFFF;
  if (exp <= 0) {  // subnormal or zero in half precision
    if (exp < -10) return static_cast<uint16_t>(sign);
    mant |= 0x800000;
    uint32_t shift = static_cast<uint32_t>(14 - exp);
    uint32_t half = mant >> shift;
    if ((mant >> (shift - 1)) & 1) ++half;  // round half up
    return static_cast<uint16_t>(sign | half);
  }
  if (exp >= 31) return static_cast<uint16_t>(sign | 0x7C00);
  uint32_t half = sign | (static_cast<uint32_t>(exp) << 10) | (mant >> 13);
  if (mant & 0x1000) ++half;  // round half up (carry may bump the exponent, which is correct)
  return static_cast<uint16_t>(half);
}

namespace {
void put16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(v & 0xFF);
  out.push_back(v >> 8);
}
}  // namespace

std::vector<uint8_t> quantizeQ8_0(const float* x, int64_t n) {
  std::vector<uint8_t> out;
  for (int64_t b = 0; b < n; b += 32) {
    float amax = 0;
    for (int j = 0; j < 32; ++j) amax = std::max(amax, std::fabs(x[b + j]));
    float d = amax / 127.0f;
    put16(out, floatToHalf(d));
    float inv = d > 0 ? 1.0f / d : 0.0f;
    for (int j = 0; j < 32; ++j) out.push_back(static_cast<uint8_t>(static_cast<int8_t>(std::lround(x[b + j] * inv))));
  }
  return out;
}

std::vector<uint8_t> quantizeQ4_1(const float* x, int64_t n) {
  std::vector<uint8_t> out;
  for (int64_t b = 0; b < n; b += 32) {
    float lo = x[b], hi = x[b];
    for (int j = 0; j < 32; ++j) {
      lo = std::min(lo, x[b + j]);
      hi = std::max(hi, x[b + j]);
    }
    float d = (hi - lo) / 15.0f;
    put16(out, floatToHalf(d));
    put16(out, floatToHalf(lo));
    float inv = d > 0 ? 1.0f / d : 0.0f;
    for (int j = 0; j < 16; ++j) {
      auto q = [&](float v) { return static_cast<uint8_t>(std::min(15L, std::max(0L, std::lround((v - lo) * inv)))); };
      out.push_back(static_cast<uint8_t>(q(x[b + j]) | (q(x[b + j + 16]) << 4)));
    }
  }
  return out;
}

namespace {

struct Writer {
  std::vector<uint8_t> bytes;
  template <typename T>
  void put(T v) {
    const auto* p = reinterpret_cast<const uint8_t*>(&v);
    bytes.insert(bytes.end(), p, p + sizeof(T));
  }
  void str(const std::string& s) {
    put<uint64_t>(s.size());
    bytes.insert(bytes.end(), s.begin(), s.end());
  }
  void kvU32(const std::string& k, uint32_t v) { str(k), put<uint32_t>(4), put<uint32_t>(v); }
  void kvF32(const std::string& k, float v) { str(k), put<uint32_t>(6), put<float>(v); }
  void kvStr(const std::string& k, const std::string& v) { str(k), put<uint32_t>(8), str(v); }
};

// llama.cpp's permutation: rows of each head reordered so rotary pairs are adjacent.
at::Tensor permuteRotary(const at::Tensor& w, int64_t heads) {
  std::vector<int64_t> shape(w.sizes().begin(), w.sizes().end());
  std::vector<int64_t> split = {heads, 2, shape[0] / heads / 2};
  split.insert(split.end(), shape.begin() + 1, shape.end());
  return w.reshape(split).transpose(1, 2).reshape(shape).contiguous();
}

std::string ggufName(const std::string& hf) {
  static const std::map<std::string, std::string> kLayer = {
      {"input_layernorm.weight", "attn_norm.weight"},  {"post_attention_layernorm.weight", "ffn_norm.weight"},
      {"self_attn.q_proj.weight", "attn_q.weight"},    {"self_attn.k_proj.weight", "attn_k.weight"},
      {"self_attn.v_proj.weight", "attn_v.weight"},    {"self_attn.o_proj.weight", "attn_output.weight"},
      {"self_attn.q_proj.bias", "attn_q.bias"},        {"self_attn.k_proj.bias", "attn_k.bias"},
      {"self_attn.v_proj.bias", "attn_v.bias"},        {"mlp.gate_proj.weight", "ffn_gate.weight"},
      {"mlp.up_proj.weight", "ffn_up.weight"},         {"mlp.down_proj.weight", "ffn_down.weight"}};
  if (hf == "model.embed_tokens.weight") return "token_embd.weight";
  if (hf == "model.norm.weight") return "output_norm.weight";
  if (hf == "lm_head.weight") return "output.weight";
  std::string rest = hf.substr(std::string("model.layers.").size());
  size_t dot = rest.find('.');
  return "blk." + rest.substr(0, dot) + "." + kLayer.at(rest.substr(dot + 1));
}

}  // namespace

void writeGguf(const std::string& path, const ModelConfig& c, const TensorMap& params, uint32_t quantType) {
  const std::string arch = c.modelType == "qwen2" ? "qwen2" : "llama";
  Writer w;
  w.bytes = {'G', 'G', 'U', 'F'};
  w.put<uint32_t>(3);
  w.put<uint64_t>(params.size());
  w.put<uint64_t>(10);
  w.kvStr("general.architecture", arch);
  w.kvU32(arch + ".block_count", static_cast<uint32_t>(c.numLayers));
  w.kvU32(arch + ".context_length", static_cast<uint32_t>(c.maxPositions));
  w.kvU32(arch + ".embedding_length", static_cast<uint32_t>(c.hiddenSize));
  w.kvU32(arch + ".feed_forward_length", static_cast<uint32_t>(c.intermediateSize));
  w.kvU32(arch + ".attention.head_count", static_cast<uint32_t>(c.numHeads));
  w.kvU32(arch + ".attention.head_count_kv", static_cast<uint32_t>(c.numKvHeads));
  w.kvF32(arch + ".rope.freq_base", static_cast<float>(c.ropeTheta));
  w.kvF32(arch + ".attention.layer_norm_rms_epsilon", static_cast<float>(c.rmsNormEps));
  w.kvU32(arch + ".vocab_size", static_cast<uint32_t>(c.vocabSize));

  std::vector<std::vector<uint8_t>> blobs;
  uint64_t offset = 0;
  for (const auto& [name, t0] : params) {
    at::Tensor t = t0.contiguous();
    if (arch == "llama" && name.find("q_proj") != std::string::npos) t = permuteRotary(t, c.numHeads);
    if (arch == "llama" && name.find("k_proj") != std::string::npos) t = permuteRotary(t, c.numKvHeads);
    uint32_t type = t.dim() == 2 ? quantType : 0;
    const float* x = t.data_ptr<float>();
    std::vector<uint8_t> blob;
    if (type == 8) blob = quantizeQ8_0(x, t.numel());
    else if (type == 3) blob = quantizeQ4_1(x, t.numel());
    else blob.assign(reinterpret_cast<const uint8_t*>(x), reinterpret_cast<const uint8_t*>(x) + t.numel() * 4);
    w.str(ggufName(name));
    w.put<uint32_t>(static_cast<uint32_t>(t.dim()));
    for (int64_t d = t.dim() - 1; d >= 0; --d) w.put<uint64_t>(static_cast<uint64_t>(t.size(d)));
    w.put<uint32_t>(type);
    w.put<uint64_t>(offset);
    offset += (blob.size() + 31) / 32 * 32;
    blob.resize((blob.size() + 31) / 32 * 32, 0);
    blobs.push_back(std::move(blob));
  }
  while (w.bytes.size() % 32) w.bytes.push_back(0);
  for (const auto& b : blobs) w.bytes.insert(w.bytes.end(), b.begin(), b.end());
  writeBytes(path, w.bytes);
}

std::string codeOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code();
  }
  return "";
}

std::vector<uint8_t> readBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void writeBytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace datarus::testing
