// loader.cpp — format detection, GGUF → Hugging Face mapping, sharded save/load.
#include "loader.h"

#include <sys/stat.h>

#include <set>

#include "error.h"
#include "file.h"
#include "gguf.h"
#include "json.h"
#include "safetensors.h"

namespace datarus {

namespace {

const json::Value& meta(const GgufFile& g, const std::string& key) {
  auto it = g.metadata.find(key);
  check(it != g.metadata.end(), code::kBadConfig, "GGUF metadata lacks '", key, "'");
  return it->second;
}

int64_t metaInt(const GgufFile& g, const std::string& key) {
  const json::Value& v = meta(g, key);
  check(v.isNumber(), code::kBadConfig, "GGUF metadata '", key, "' is not a number");
  return v.asInt();
}

ModelConfig ggufConfig(const GgufFile& g) {
  const json::Value& archV = meta(g, "general.architecture");
  check(archV.isString(), code::kBadConfig, "GGUF general.architecture is not a string");
  const std::string arch = archV.asString();
  check(arch == "llama" || arch == "qwen2", code::kBadConfig, "GGUF architecture '", arch,
        "' is not supported (llama, qwen2)");
  ModelConfig c;
  c.modelType = arch;
  c.hiddenSize = metaInt(g, arch + ".embedding_length");
  c.intermediateSize = metaInt(g, arch + ".feed_forward_length");
  c.numLayers = metaInt(g, arch + ".block_count");
  c.numHeads = metaInt(g, arch + ".attention.head_count");
  c.numKvHeads = g.metadata.count(arch + ".attention.head_count_kv") ? metaInt(g, arch + ".attention.head_count_kv")
                                                                     : c.numHeads;
  c.headDim = g.metadata.count(arch + ".attention.key_length") ? metaInt(g, arch + ".attention.key_length")
                                                               : (c.numHeads > 0 ? c.hiddenSize / c.numHeads : 0);
  c.maxPositions = metaInt(g, arch + ".context_length");
  c.rmsNormEps = meta(g, arch + ".attention.layer_norm_rms_epsilon").asNumber();
  c.ropeTheta = g.metadata.count(arch + ".rope.freq_base") ? meta(g, arch + ".rope.freq_base").asNumber() : 10000.0;
  c.attentionBias = arch == "qwen2";
  if (g.metadata.count(arch + ".vocab_size")) c.vocabSize = metaInt(g, arch + ".vocab_size");
  else if (auto it = g.arrayLengths.find("tokenizer.ggml.tokens"); it != g.arrayLengths.end())
    c.vocabSize = static_cast<int64_t>(it->second);
  if (g.metadata.count("tokenizer.ggml.bos_token_id")) c.bosTokenId = metaInt(g, "tokenizer.ggml.bos_token_id");
  if (g.metadata.count("tokenizer.ggml.eos_token_id")) c.eosTokenId = metaInt(g, "tokenizer.ggml.eos_token_id");
  bool hasOutput = false;
  for (const auto& t : g.tensors) hasOutput |= t.name == "output.weight";
  c.tieEmbeddings = !hasOutput;
  c.validate();
  return c;
}

// llama.cpp stores q/k rows so that rotary pairs are adjacent; HF keeps the two
// halves apart. w: [heads * D, ...] → rows reordered back to the HF layout.
at::Tensor unpermuteRotary(const at::Tensor& w, int64_t heads) {
  std::vector<int64_t> shape(w.sizes().begin(), w.sizes().end());
  std::vector<int64_t> split = {heads, shape[0] / heads / 2, 2};
  split.insert(split.end(), shape.begin() + 1, shape.end());
  return w.reshape(split).transpose(1, 2).reshape(shape).contiguous();
}

std::string hfName(const std::string& g) {
  static const std::pair<const char*, const char*> kLayer[] = {
      {"attn_norm.weight", "input_layernorm.weight"},  {"ffn_norm.weight", "post_attention_layernorm.weight"},
      {"attn_q.weight", "self_attn.q_proj.weight"},    {"attn_k.weight", "self_attn.k_proj.weight"},
      {"attn_v.weight", "self_attn.v_proj.weight"},    {"attn_output.weight", "self_attn.o_proj.weight"},
      {"attn_q.bias", "self_attn.q_proj.bias"},        {"attn_k.bias", "self_attn.k_proj.bias"},
      {"attn_v.bias", "self_attn.v_proj.bias"},        {"ffn_gate.weight", "mlp.gate_proj.weight"},
      {"ffn_up.weight", "mlp.up_proj.weight"},         {"ffn_down.weight", "mlp.down_proj.weight"},
  };
  if (g == "token_embd.weight") return "model.embed_tokens.weight";
  if (g == "output_norm.weight") return "model.norm.weight";
  if (g == "output.weight") return "lm_head.weight";
  if (g.rfind("blk.", 0) == 0) {
    size_t dot = g.find('.', 4);
    if (dot != std::string::npos) {
      std::string layer = g.substr(4, dot - 4), rest = g.substr(dot + 1);
      for (const auto& [from, to] : kLayer)
        if (rest == from) return "model.layers." + layer + "." + to;
    }
  }
  return "";  // not a weight (e.g. rope_freqs); skipped
}

std::string join(const std::string& dir, const std::string& name) {
  return dir.empty() || dir.back() == '/' ? dir + name : dir + "/" + name;
}

LoadedModel loadHfDirectory(const std::string& dir, const LoadOptions& o) {
  const std::string configPath = join(dir, "config.json");
  check(fileExists(configPath), code::kFileNotFound, dir, ": no config.json (expected a Hugging Face model directory)");
  ModelConfig config = configFromHf(json::parse(readTextFile(configPath, 1 << 20), configPath));
  std::vector<std::string> files;
  const std::string index = join(dir, "model.safetensors.index.json");
  if (fileExists(index)) {
    json::Value doc = json::parse(readTextFile(index, 64 << 20), index);
    const json::Value* map = doc.find("weight_map");
    check(map && map->isObject(), code::kBadHeader, index, ": no weight_map object");
    std::set<std::string> unique;
    for (const auto& [name, file] : map->asObject()) {
      check(file.isString() && file.asString().find('/') == std::string::npos, code::kBadHeader, index,
            ": bad shard file for '", name, "'");
      unique.insert(file.asString());
    }
    files.assign(unique.begin(), unique.end());
  } else {
    check(fileExists(join(dir, "model.safetensors")), code::kFileNotFound, dir,
          ": no model.safetensors or model.safetensors.index.json");
    files.push_back("model.safetensors");
  }
  TensorMap params;
  for (const auto& f : files)
    for (auto& [name, t] : readSafetensors(join(dir, f))) {
      check(!params.count(name), code::kBadTensor, "tensor '", name, "' appears in more than one shard");
      params.emplace(name, std::move(t));
    }
  return {std::make_unique<Model>(std::move(config), std::move(params), o.device, o.dtype), "hf"};
}

}  // namespace

std::pair<ModelConfig, TensorMap> readGgufModel(const std::string& path) {
  GgufFile g = readGgufHeader(path);
  ModelConfig config = ggufConfig(g);
  TensorMap raw = readGgufTensors(path, g);
  TensorMap params;
  const bool permuted = config.modelType == "llama";
  for (auto& [gname, t] : raw) {
    std::string name = hfName(gname);
    if (name.empty()) continue;
    check(!params.count(name), code::kBadTensor, path, ": duplicate tensor '", gname, "'");
    if (permuted && (name.find("q_proj") != std::string::npos || name.find("k_proj") != std::string::npos)) {
      int64_t heads = name.find("q_proj") != std::string::npos ? config.numHeads : config.numKvHeads;
      check(t.size(0) == heads * config.headDim, code::kBadTensor, path, ": tensor '", gname, "' has ", t.size(0),
            " rows, expected ", heads * config.headDim);
    }
    if (permuted && name.find("q_proj") != std::string::npos) t = unpermuteRotary(t, config.numHeads);
    if (permuted && name.find("k_proj") != std::string::npos) t = unpermuteRotary(t, config.numKvHeads);
    params.emplace(std::move(name), std::move(t));
  }
  return {config, std::move(params)};
}

LoadedModel loadModel(const std::string& path, const LoadOptions& options) {
  check(!path.empty(), code::kInvalidArgument, "model path is empty");
  check(fileExists(path), code::kFileNotFound, path, ": no such file or directory");
  if (isDirectory(path)) return loadHfDirectory(path, options);
  char magic[4] = {0, 0, 0, 0};
  InputFile f(path);
  check(f.size() >= 4, code::kTruncated, path, ": file too short to be a model");
  f.readAt(0, magic, 4, "magic");
  check(std::string(magic, 4) == "GGUF", code::kBadMagic, path,
        ": not a GGUF file (bad magic); pass a GGUF file or a Hugging Face model directory");
  auto [config, params] = readGgufModel(path);
  return {std::make_unique<Model>(std::move(config), std::move(params), options.device, options.dtype), "gguf"};
}

void saveModel(const Model& model, const std::string& dir, const SaveOptions& o) {
  ::mkdir(dir.c_str(), 0755);
  check(isDirectory(dir), code::kFileIo, dir, ": cannot create directory");
  const char* dtypeName = o.dtype == at::kBFloat16 ? "bfloat16" : o.dtype == at::kHalf ? "float16" : "float32";
  writeFileAtomic(join(dir, "config.json"), json::dump(configToHf(model.config(), dtypeName), 2) + "\n");
  // Greedy split in name order; one shard when everything fits.
  std::vector<TensorMap> shards(1);
  uint64_t used = 0;
  for (const auto& [name, t] : model.parameters()) {
    uint64_t bytes = static_cast<uint64_t>(t.numel()) * at::elementSize(o.dtype);
    if (used > 0 && used + bytes > o.maxShardBytes) {
      shards.emplace_back();
      used = 0;
    }
    shards.back().emplace(name, t.detach().to(at::kCPU, o.dtype));
    used += bytes;
  }
  const std::vector<std::pair<std::string, std::string>> meta = {{"format", "pt"}};
  if (shards.size() == 1) {
    writeSafetensors(join(dir, "model.safetensors"), shards[0], meta);
    return;
  }
  json::Value weightMap;
  uint64_t total = 0;
  for (size_t i = 0; i < shards.size(); ++i) {
    char name[64];
    std::snprintf(name, sizeof name, "model-%05zu-of-%05zu.safetensors", i + 1, shards.size());
    writeSafetensors(join(dir, name), shards[i], meta);
    for (const auto& [tname, t] : shards[i]) {
      weightMap.set(tname, std::string(name));
      total += static_cast<uint64_t>(t.numel()) * t.element_size();
    }
  }
  json::Value index;
  json::Value metadata;
  metadata.set("total_size", static_cast<int64_t>(total));
  index.set("metadata", metadata);
  index.set("weight_map", weightMap);
  writeFileAtomic(join(dir, "model.safetensors.index.json"), json::dump(index, 2) + "\n");
}

}  // namespace datarus
