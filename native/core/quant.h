// quant.h — GGML tensor types and their dequantisation to fp32.
//
// Block formats (ggml): Q4_0 = {f16 d; u8 qs[16]} → x = d·(q − 8);
// Q4_1 = {f16 d; f16 m; u8 qs[16]} → x = d·q + m; Q8_0 = {f16 d; i8 qs[32]} → x = d·q.
// In the 4-bit formats element j < 16 is the low nibble of qs[j] and element j + 16
// its high nibble. Every block holds 32 elements.
#pragma once

#include <cstdint>
#include <string>

namespace datarus::ggml {

enum Type : uint32_t {
  F32 = 0,
  F16 = 1,
  Q4_0 = 2,
  Q4_1 = 3,
  Q8_0 = 8,
  BF16 = 30,
};

struct TypeInfo {
  const char* name;
  int64_t blockElems;  // elements per block
  int64_t blockBytes;  // bytes per block
};

// nullptr for types this project cannot dequantise.
const TypeInfo* typeInfo(uint32_t type);

// Dequantises `n` elements (a multiple of the block size) from `src` into `dst`.
void dequantize(uint32_t type, const uint8_t* src, float* dst, int64_t n);

// IEEE half / bfloat16 to float, bit-exact.
float halfToFloat(uint16_t h);
float bf16ToFloat(uint16_t h);

}  // namespace datarus::ggml
