// quant.cpp — scalar dequantisation kernels (run once at load time).
#include "quant.h"

#include <cstring>

#include "error.h"

namespace datarus::ggml {

namespace {
constexpr TypeInfo kF32{"F32", 1, 4};
constexpr TypeInfo kF16{"F16", 1, 2};
constexpr TypeInfo kBF16{"BF16", 1, 2};
constexpr TypeInfo kQ4_0{"Q4_0", 32, 18};
constexpr TypeInfo kQ4_1{"Q4_1", 32, 20};
constexpr TypeInfo kQ8_0{"Q8_0", 32, 34};

uint16_t load16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
}  // namespace

const TypeInfo* typeInfo(uint32_t type) {
  switch (type) {
    case F32: return &kF32;
    case F16: return &kF16;
    case BF16: return &kBF16;
    case Q4_0: return &kQ4_0;
    case Q4_1: return &kQ4_1;
    case Q8_0: return &kQ8_0;
    default: return nullptr;
  }
}

float halfToFloat(uint16_t h) {
  uint32_t sign = (h & 0x8000u) << 16, exp = (h >> 10) & 0x1F, mant = h & 0x3FF, bits;
  if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else {  // subnormal: renormalise
      exp = 127 - 15 + 1;
      while ((mant & 0x400) == 0) {
        mant <<= 1;
        --exp;
      }
      bits = sign | (exp << 23) | ((mant & 0x3FF) << 13);
    }
  } else if (exp == 31) {
    bits = sign | 0x7F800000u | (mant << 13);
  } else {
    bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

float bf16ToFloat(uint16_t h) {
  uint32_t bits = static_cast<uint32_t>(h) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

void dequantize(uint32_t type, const uint8_t* src, float* dst, int64_t n) {
  const TypeInfo* info = typeInfo(type);
  check(info != nullptr, code::kUnknownDtype, "cannot dequantise ggml type ", type);
  check(n % info->blockElems == 0, code::kBadTensor, "element count ", n, " is not a multiple of the ", info->name,
        " block size");
  switch (type) {
    case F32: std::memcpy(dst, src, static_cast<size_t>(n) * 4); return;
    case F16:
      for (int64_t i = 0; i < n; ++i) dst[i] = halfToFloat(load16(src + 2 * i));
      return;
    case BF16:
      for (int64_t i = 0; i < n; ++i) dst[i] = bf16ToFloat(load16(src + 2 * i));
      return;
    default: break;
  }
  for (int64_t b = 0; b < n / 32; ++b, src += info->blockBytes, dst += 32) {
    float d = halfToFloat(load16(src));
    if (type == Q8_0) {
      const auto* q = reinterpret_cast<const int8_t*>(src + 2);
      for (int j = 0; j < 32; ++j) dst[j] = d * static_cast<float>(q[j]);
      continue;
    }
    float m = type == Q4_1 ? halfToFloat(load16(src + 2)) : 0.0f;
    const uint8_t* qs = src + (type == Q4_1 ? 4 : 2);
    int offset = type == Q4_0 ? 8 : 0;
    for (int j = 0; j < 16; ++j) {
      dst[j] = d * static_cast<float>((qs[j] & 0x0F) - offset) + m;
      dst[j + 16] = d * static_cast<float>((qs[j] >> 4) - offset) + m;
    }
  }
}

}  // namespace datarus::ggml
