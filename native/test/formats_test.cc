// formats_test.cc — JSON, dequantisation, safetensors and GGUF readers, incl. corrupt input.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <map>
#include <random>

#include "error.h"
#include "gguf.h"
#include "json.h"
#include "loader.h"
#include "quant.h"
#include "safetensors.h"
#include "test_util.h"

using namespace datarus;
using namespace datarus::testing;

TEST(Json, RoundTripsAndRejectsMalformed) {
  auto v = json::parse(R"({"a": [1, 2.5, "x\n\u00e9"], "b": {"c": null, "d": true}})", "doc");
  EXPECT_EQ(v.find("a")->asArray()[1].asNumber(), 2.5);
  EXPECT_EQ(v.find("a")->asArray()[2].asString(), "x\n\xc3\xa9");
  auto again = json::parse(json::dump(v), "again");
  EXPECT_EQ(json::dump(again), json::dump(v));
  for (const char* bad : {"{", "{\"a\":}", "[1,,2]", "\"abc", "{\"a\" 1}", "nul", "[1] x"})
    EXPECT_EQ(codeOf([&] { json::parse(bad, "bad"); }), code::kBadHeader) << bad;
  std::string deep(1000, '[');
  EXPECT_EQ(codeOf([&] { json::parse(deep, "deep"); }), code::kBadHeader);
}

TEST(Quant, HalfConversionIsExact) {
  EXPECT_EQ(ggml::halfToFloat(0x3C00), 1.0f);
  EXPECT_EQ(ggml::halfToFloat(0xC000), -2.0f);
  EXPECT_EQ(ggml::halfToFloat(0x7BFF), 65504.0f);
  EXPECT_EQ(ggml::halfToFloat(0x0001), std::ldexp(1.0f, -24));  // smallest subnormal
  EXPECT_TRUE(std::isinf(ggml::halfToFloat(0x7C00)));
  for (float f : {0.5f, -3.25f, 1024.0f, 0.0009765625f}) EXPECT_EQ(ggml::halfToFloat(floatToHalf(f)), f);
}

TEST(Quant, DequantisesBlocksAsTheFormatDefines) {
  at::manual_seed(0);
  at::Tensor x = at::randn({256});
  const float* xs = x.data_ptr<float>();
  // Q8_0: x ≈ d·q; error at most d/2 per element.
  auto q8 = quantizeQ8_0(xs, 256);
  std::vector<float> out(256);
  ggml::dequantize(ggml::Q8_0, q8.data(), out.data(), 256);
  for (int b = 0; b < 8; ++b) {
    float d = ggml::halfToFloat(static_cast<uint16_t>(q8[b * 34] | (q8[b * 34 + 1] << 8)));
    for (int j = 0; j < 32; ++j) {
      int8_t q = static_cast<int8_t>(q8[b * 34 + 2 + j]);
      EXPECT_EQ(out[b * 32 + j], d * q);
      EXPECT_LE(std::fabs(out[b * 32 + j] - xs[b * 32 + j]), d * 0.5f + 1e-3f);
    }
  }
  // Q4_1: x ≈ d·q + m with q in 0..15, low nibbles first.
  auto q4 = quantizeQ4_1(xs, 256);
  ggml::dequantize(ggml::Q4_1, q4.data(), out.data(), 256);
  double maxErr = 0;
  for (int b = 0; b < 8; ++b) {
    const uint8_t* blk = &q4[b * 20];
    float d = ggml::halfToFloat(static_cast<uint16_t>(blk[0] | (blk[1] << 8)));
    float m = ggml::halfToFloat(static_cast<uint16_t>(blk[2] | (blk[3] << 8)));
    for (int j = 0; j < 16; ++j) {
      EXPECT_EQ(out[b * 32 + j], d * (blk[4 + j] & 15) + m);
      EXPECT_EQ(out[b * 32 + j + 16], d * (blk[4 + j] >> 4) + m);
    }
    for (int j = 0; j < 32; ++j) maxErr = std::max(maxErr, double(std::fabs(out[b * 32 + j] - xs[b * 32 + j])));
  }
  EXPECT_LT(maxErr, 0.5);  // half a quantisation step of a ~N(0,1) block range
  EXPECT_EQ(codeOf([&] { ggml::dequantize(99, q4.data(), out.data(), 32); }), code::kUnknownDtype);
}

TEST(Safetensors, RoundTripsExactly) {
  TempDir tmp("st");
  const std::string& dir = tmp.path();
  TensorMap in = {{"a", at::randn({3, 5})}, {"b", at::randn({7}).to(at::kBFloat16)}, {"c", at::arange(6, at::kLong)}};
  writeSafetensors(dir + "/x.safetensors", in, {{"format", "pt"}});
  TensorMap out = readSafetensors(dir + "/x.safetensors");
  ASSERT_EQ(out.size(), 3u);
  for (const auto& [k, v] : in) {
    EXPECT_EQ(out[k].scalar_type(), v.scalar_type()) << k;
    EXPECT_TRUE(at::equal(out[k], v)) << k;
  }
}

TEST(Safetensors, CorruptFilesGetCodes) {
  TempDir tmp("stbad");
  const std::string& dir = tmp.path();
  std::string p = dir + "/bad.safetensors";
  auto withHeader = [&](const std::string& header, size_t dataBytes) {
    std::vector<uint8_t> b(8);
    uint64_t n = header.size();
    std::memcpy(b.data(), &n, 8);
    b.insert(b.end(), header.begin(), header.end());
    b.resize(b.size() + dataBytes, 0);
    writeBytes(p, b);
  };
  auto load = [&] { readSafetensors(p); };
  EXPECT_EQ(codeOf([&] { readSafetensors(dir + "/missing.safetensors"); }), code::kFileNotFound);
  writeBytes(p, {1, 2, 3});
  EXPECT_EQ(codeOf(load), code::kTruncated);
  std::vector<uint8_t> huge(16, 0);
  uint64_t big = 1ull << 40;
  std::memcpy(huge.data(), &big, 8);
  writeBytes(p, huge);
  EXPECT_EQ(codeOf(load), code::kBadHeader);  // header too large
  withHeader("{not json", 0);
  EXPECT_EQ(codeOf(load), code::kBadHeader);
  withHeader(R"({"w": {"dtype": "Q9", "shape": [2], "data_offsets": [0, 8]}})", 8);
  EXPECT_EQ(codeOf(load), code::kUnknownDtype);
  withHeader(R"({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}})", 4);
  EXPECT_EQ(codeOf(load), code::kTruncated);
  withHeader(R"({"w": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}})", 8);
  EXPECT_EQ(codeOf(load), code::kBadTensor);
  withHeader(R"({"w": {"dtype": "F32", "shape": [1099511627776, 1099511627776], "data_offsets": [0, 8]}})", 8);
  EXPECT_EQ(codeOf(load), code::kBadTensor);
  withHeader(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                 "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}})", 12);
  EXPECT_EQ(codeOf(load), code::kBadTensor);  // overlap
}

TEST(Gguf, LoadsWhatTheWriterWroteAndUndoesTheRotaryPermutation) {
  TempDir tmp("gguf");
  const std::string& dir = tmp.path();
  ModelConfig c = tinyConfig(/*qkvBias=*/false, /*tied=*/false);
  TensorMap params = randomParams(c, 7);
  writeGguf(dir + "/m.gguf", c, params, /*F32*/ 0);
  auto [cfg, loaded] = readGgufModel(dir + "/m.gguf");
  EXPECT_EQ(cfg.numLayers, c.numLayers);
  EXPECT_EQ(cfg.numKvHeads, c.numKvHeads);
  EXPECT_FALSE(cfg.tieEmbeddings);
  ASSERT_EQ(loaded.size(), params.size());
  for (const auto& [k, v] : params) EXPECT_TRUE(at::equal(loaded[k], v)) << k;

  writeGguf(dir + "/q.gguf", c, params, /*Q8_0*/ 8);
  auto [cfg8, q8] = readGgufModel(dir + "/q.gguf");
  for (const auto& [k, v] : params) EXPECT_LT((q8[k] - v).abs().max().item<float>(), 0.02) << k;
}

TEST(Gguf, CorruptHeadersGetCodes) {
  TempDir tmp("ggufbad");
  const std::string& dir = tmp.path();
  ModelConfig c = tinyConfig(false, true);
  writeGguf(dir + "/m.gguf", c, randomParams(c, 1), 3);
  auto good = readBytes(dir + "/m.gguf");
  std::string p = dir + "/bad.gguf";
  auto load = [&] { loadModel(p, {}); };
  auto mutated = [&](size_t at, std::vector<uint8_t> with) {
    auto b = good;
    std::memcpy(b.data() + at, with.data(), with.size());
    writeBytes(p, b);
  };
  mutated(0, {'G', 'G', 'M', 'L'});
  EXPECT_EQ(codeOf(load), code::kBadMagic);
  mutated(4, {1, 0, 0, 0});
  EXPECT_EQ(codeOf(load), code::kBadMagic);  // version 1 is not supported
  mutated(8, {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F});
  EXPECT_EQ(codeOf(load), code::kBadHeader);  // absurd tensor count
  mutated(24, {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0});
  EXPECT_EQ(codeOf(load), code::kBadHeader);  // absurd key length
  writeBytes(p, std::vector<uint8_t>(good.begin(), good.begin() + good.size() / 2));
  EXPECT_EQ(codeOf(load), code::kTruncated);
  writeBytes(p, std::vector<uint8_t>(good.begin(), good.begin() + 100));
  EXPECT_EQ(codeOf(load), code::kTruncated);
}

// Every mutated file either loads or throws datarus::Error; nothing else escapes,
// and the process survives (a crash fails the whole test binary).
TEST(Gguf, FuzzedFilesNeverCrash) {
  TempDir tmp("ggfuzz");
  const std::string& dir = tmp.path();
  ModelConfig c = tinyConfig(false, true);
  writeGguf(dir + "/m.gguf", c, randomParams(c, 2), 3);
  auto good = readBytes(dir + "/m.gguf");
  std::string p = dir + "/fuzz.gguf";
  std::mt19937_64 rng(12345);
  int loaded = 0, rejected = 0;
  std::map<std::string, int> codes;
  const int kCases = 1500;
  for (int i = 0; i < kCases; ++i) {
    auto b = good;
    int kind = static_cast<int>(rng() % 4);
    // Mutations concentrate on the header, where the parser makes its decisions.
    size_t span = std::min<size_t>(b.size(), 2048);
    if (kind == 0) {
      for (int k = 0; k < 1 + static_cast<int>(rng() % 8); ++k) b[rng() % span] = static_cast<uint8_t>(rng());
    } else if (kind == 1) {
      b.resize(rng() % b.size());
    } else if (kind == 2) {
      size_t at = rng() % (span - 8);
      uint64_t v = rng() >> (rng() % 64);
      std::memcpy(b.data() + at, &v, 8);
    } else {
      size_t at = rng() % span, len = rng() % 64;
      b.insert(b.begin() + static_cast<long>(at), len, static_cast<uint8_t>(rng()));
    }
    writeBytes(p, b);
    try {
      loadModel(p, {});
      ++loaded;
    } catch (const Error& e) {
      ++rejected;
      ++codes[e.code()];
    } catch (const std::exception& e) {
      ADD_FAILURE() << "case " << i << ": non-datarus exception: " << e.what();
    }
  }
  std::printf("[fuzz] %d GGUF mutations: %d loaded, %d rejected:", kCases, loaded, rejected);
  for (const auto& [k, n] : codes) std::printf(" %s=%d", k.c_str(), n);
  std::printf("\n");
  EXPECT_EQ(loaded + rejected, kCases);
  EXPECT_GT(rejected, kCases / 2);
}

TEST(Safetensors, FuzzedFilesNeverCrash) {
  TempDir tmp("stfuzz");
  const std::string& dir = tmp.path();
  writeSafetensors(dir + "/m.safetensors", {{"a", at::randn({4, 8})}, {"b", at::randn({16})}});
  auto good = readBytes(dir + "/m.safetensors");
  std::string p = dir + "/fuzz.safetensors";
  std::mt19937_64 rng(99);
  int rejected = 0;
  const int kCases = 1000;
  for (int i = 0; i < kCases; ++i) {
    auto b = good;
    if (rng() % 2) {
      for (int k = 0; k < 1 + static_cast<int>(rng() % 6); ++k) b[rng() % b.size()] = static_cast<uint8_t>(rng());
    } else {
      b.resize(rng() % b.size());
    }
    writeBytes(p, b);
    try {
      readSafetensors(p);
    } catch (const Error&) {
      ++rejected;
    } catch (const std::exception& e) {
      ADD_FAILURE() << "case " << i << ": non-datarus exception: " << e.what();
    }
  }
  std::printf("[fuzz] %d safetensors mutations: %d rejected\n", kCases, rejected);
  EXPECT_GT(rejected, 0);
}
