// config.cpp — config.json <-> ModelConfig, with validation.
#include "config.h"

#include "error.h"

namespace datarus {

namespace {

int64_t intField(const json::Value& doc, const char* key, int64_t fallback, bool required) {
  const json::Value* v = doc.find(key);
  if (!v || v->isNull()) {
    check(!required, code::kBadConfig, "config.json: missing required field '", key, "'");
    return fallback;
  }
  check(v->isNumber(), code::kBadConfig, "config.json: field '", key, "' must be a number");
  return v->asInt();
}

double numField(const json::Value& doc, const char* key, double fallback) {
  const json::Value* v = doc.find(key);
  if (!v || v->isNull()) return fallback;
  check(v->isNumber(), code::kBadConfig, "config.json: field '", key, "' must be a number");
  return v->asNumber();
}

bool boolField(const json::Value& doc, const char* key, bool fallback) {
  const json::Value* v = doc.find(key);
  if (!v || v->isNull()) return fallback;
  check(v->isBool(), code::kBadConfig, "config.json: field '", key, "' must be a boolean");
  return v->asBool();
}

// eos_token_id may be an integer or a list of integers (first one wins).
int64_t tokenField(const json::Value& doc, const char* key) {
  const json::Value* v = doc.find(key);
  if (!v || v->isNull()) return -1;
  if (v->isArray()) return v->asArray().empty() ? -1 : v->asArray()[0].asInt();
  return v->asInt();
}

}  // namespace

void ModelConfig::validate() const {
  auto positive = [](int64_t v, const char* name) {
    check(v > 0 && v < (int64_t(1) << 31), code::kBadConfig, "config: ", name, " must be a positive integer, got ", v);
  };
  check(modelType == "llama" || modelType == "qwen2" || modelType == "mistral", code::kBadConfig,
        "config: unsupported model_type '", modelType, "' (supported: llama, qwen2, mistral)");
  positive(vocabSize, "vocab_size");
  positive(hiddenSize, "hidden_size");
  positive(intermediateSize, "intermediate_size");
  positive(numLayers, "num_hidden_layers");
  positive(numHeads, "num_attention_heads");
  positive(numKvHeads, "num_key_value_heads");
  positive(headDim, "head_dim");
  positive(maxPositions, "max_position_embeddings");
  check(numHeads % numKvHeads == 0, code::kBadConfig, "config: num_attention_heads (", numHeads,
        ") must be a multiple of num_key_value_heads (", numKvHeads, ")");
  check(headDim % 2 == 0, code::kBadConfig, "config: head_dim must be even for rotary embeddings, got ", headDim);
  check(rmsNormEps > 0 && rmsNormEps < 1, code::kBadConfig, "config: rms_norm_eps out of range: ", rmsNormEps);
  check(ropeTheta > 1, code::kBadConfig, "config: rope_theta out of range: ", ropeTheta);
  check(parameterCount() < (int64_t(1) << 40), code::kBadConfig, "config: implausible model size");
}

int64_t ModelConfig::parameterCount() const {
  int64_t q = numHeads * headDim, kv = numKvHeads * headDim;
  int64_t attn = hiddenSize * q + 2 * hiddenSize * kv + q * hiddenSize + (attentionBias ? q + 2 * kv : 0);
  int64_t mlp = 3 * hiddenSize * intermediateSize;
  int64_t layer = attn + mlp + 2 * hiddenSize;
  int64_t embed = vocabSize * hiddenSize;
  return numLayers * layer + hiddenSize + embed * (tieEmbeddings ? 1 : 2);
}

double ModelConfig::forwardFlops(int64_t T) const {
  const double q = double(numHeads) * headDim, kv = double(numKvHeads) * headDim, H = double(hiddenSize);
  const double matmul = numLayers * (H * q + 2 * H * kv + q * H + 3 * H * intermediateSize) + double(vocabSize) * H;
  return double(T) * (2 * matmul + 4.0 * numLayers * double(T) * q);
}

ModelConfig configFromHf(const json::Value& doc) {
  check(doc.isObject(), code::kBadConfig, "config.json: not a JSON object");
  ModelConfig c;
  if (const json::Value* t = doc.find("model_type"); t && t->isString()) c.modelType = t->asString();
  c.vocabSize = intField(doc, "vocab_size", 0, true);
  c.hiddenSize = intField(doc, "hidden_size", 0, true);
  c.intermediateSize = intField(doc, "intermediate_size", 0, true);
  c.numLayers = intField(doc, "num_hidden_layers", 0, true);
  c.numHeads = intField(doc, "num_attention_heads", 0, true);
  c.numKvHeads = intField(doc, "num_key_value_heads", c.numHeads, false);
  c.headDim = intField(doc, "head_dim", c.numHeads > 0 ? c.hiddenSize / c.numHeads : 0, false);
  c.maxPositions = intField(doc, "max_position_embeddings", 2048, false);
  c.rmsNormEps = numField(doc, "rms_norm_eps", 1e-6);
  c.ropeTheta = numField(doc, "rope_theta", 10000.0);
  c.attentionBias = c.modelType == "qwen2" ? true : boolField(doc, "attention_bias", false);
  c.tieEmbeddings = boolField(doc, "tie_word_embeddings", false);
  c.bosTokenId = tokenField(doc, "bos_token_id");
  c.eosTokenId = tokenField(doc, "eos_token_id");
  if (const json::Value* act = doc.find("hidden_act"); act && act->isString())
    check(act->asString() == "silu", code::kBadConfig, "config: hidden_act '", act->asString(),
          "' is not supported (only silu / SwiGLU)");
  if (const json::Value* rs = doc.find("rope_scaling"); rs && !rs->isNull())
    fail(code::kBadConfig, "config: rope_scaling is not supported yet");
  c.validate();
  return c;
}

json::Value configToHf(const ModelConfig& c, const std::string& torchDtype) {
  json::Value doc;
  std::string arch = c.modelType == "qwen2" ? "Qwen2ForCausalLM"
                     : c.modelType == "mistral" ? "MistralForCausalLM"
                                                : "LlamaForCausalLM";
  doc.set("architectures", json::Value(json::Value::Array{json::Value(arch)}));
  doc.set("model_type", c.modelType);
  doc.set("vocab_size", c.vocabSize);
  doc.set("hidden_size", c.hiddenSize);
  doc.set("intermediate_size", c.intermediateSize);
  doc.set("num_hidden_layers", c.numLayers);
  doc.set("num_attention_heads", c.numHeads);
  doc.set("num_key_value_heads", c.numKvHeads);
  doc.set("head_dim", c.headDim);
  doc.set("max_position_embeddings", c.maxPositions);
  doc.set("rms_norm_eps", c.rmsNormEps);
  doc.set("rope_theta", c.ropeTheta);
  doc.set("attention_bias", c.attentionBias);
  doc.set("tie_word_embeddings", c.tieEmbeddings);
  doc.set("hidden_act", "silu");
  if (c.bosTokenId >= 0) doc.set("bos_token_id", c.bosTokenId);
  if (c.eosTokenId >= 0) doc.set("eos_token_id", c.eosTokenId);
  doc.set("torch_dtype", torchDtype);
  doc.set("use_cache", true);
  return doc;
}

}  // namespace datarus
