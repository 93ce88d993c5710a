// gguf.cpp — validating GGUF parser and fp32 dequantising tensor reader.
#include "gguf.h"

#include <algorithm>

#include "error.h"
#include "file.h"
#include "quant.h"

namespace datarus {

namespace {

constexpr uint64_t kMaxCount = 1u << 20;       // tensors or kv pairs
constexpr uint64_t kMaxString = 16u << 20;     // one metadata string
constexpr uint64_t kMaxElements = 1ull << 40;  // one tensor

enum ValueType : uint32_t {
  U8 = 0, I8, U16, I16, U32, I32, F32, BOOL, STRING, ARRAY, U64, I64, F64,
};

uint64_t scalarSize(uint32_t t) {
  switch (t) {
    case U8: case I8: case BOOL: return 1;
    case U16: case I16: return 2;
    case U32: case I32: case F32: return 4;
    case U64: case I64: case F64: return 8;
    default: return 0;
  }
}

json::Value readScalar(Cursor& c, uint32_t t) {
  switch (t) {
    case U8: return json::Value(static_cast<int64_t>(c.read<uint8_t>("metadata value")));
    case I8: return json::Value(static_cast<int64_t>(c.read<int8_t>("metadata value")));
    case U16: return json::Value(static_cast<int64_t>(c.read<uint16_t>("metadata value")));
    case I16: return json::Value(static_cast<int64_t>(c.read<int16_t>("metadata value")));
    case U32: return json::Value(static_cast<int64_t>(c.read<uint32_t>("metadata value")));
    case I32: return json::Value(static_cast<int64_t>(c.read<int32_t>("metadata value")));
    case F32: return json::Value(static_cast<double>(c.read<float>("metadata value")));
    case BOOL: return json::Value(c.read<uint8_t>("metadata value") != 0);
    case U64: return json::Value(static_cast<double>(c.read<uint64_t>("metadata value")));
    case I64: return json::Value(static_cast<double>(c.read<int64_t>("metadata value")));
    case F64: return json::Value(c.read<double>("metadata value"));
    case STRING: return json::Value(c.string(kMaxString, "metadata string"));
    default: fail(code::kBadHeader, "unknown GGUF metadata type ", t);
  }
}

void readKv(Cursor& c, const InputFile& f, GgufFile& out) {
  std::string key = c.string(1u << 16, "metadata key");
  uint32_t t = c.read<uint32_t>("metadata type");
  if (t != ARRAY) {
    check(t <= F64, code::kBadHeader, f.path(), ": metadata '", key, "' has unknown type ", t);
    out.metadata[key] = readScalar(c, t);
    return;
  }
  uint32_t et = c.read<uint32_t>("array type");
  uint64_t n = c.read<uint64_t>("array length");
  check(et <= F64 && et != ARRAY, code::kBadHeader, f.path(), ": metadata '", key, "' has bad array type ", et);
  check(n <= f.size(), code::kBadHeader, f.path(), ": metadata '", key, "' has absurd array length ", n);
  if (n <= 64) {
    json::Value::Array items;
    for (uint64_t i = 0; i < n; ++i) items.push_back(readScalar(c, et));
    out.metadata[key] = json::Value(std::move(items));
    return;
  }
  out.arrayLengths[key] = n;
  if (et == STRING) {
    for (uint64_t i = 0; i < n; ++i) {
      uint64_t len = c.read<uint64_t>("array string length");
      check(len <= kMaxString, code::kBadHeader, f.path(), ": metadata '", key, "' holds an absurd string");
      c.skip(len, "array string");
    }
  } else {
    check(n <= f.size() / scalarSize(et), code::kTruncated, f.path(), ": metadata '", key, "' runs past the file");
    c.skip(n * scalarSize(et), "array");
  }
}

}  // namespace

GgufFile readGgufHeader(const std::string& path) {
  InputFile f(path);
  Cursor c(f);
  char magic[4];
  c.bytes(magic, 4, "magic");
  check(std::string(magic, 4) == "GGUF", code::kBadMagic, path, ": not a GGUF file (bad magic)");
  GgufFile out;
  out.version = c.read<uint32_t>("version");
  check(out.version == 2 || out.version == 3, code::kBadMagic, path, ": unsupported GGUF version ", out.version);
  uint64_t nTensors = c.read<uint64_t>("tensor count");
  uint64_t nKv = c.read<uint64_t>("kv count");
  check(nTensors <= kMaxCount && nKv <= kMaxCount, code::kBadHeader, path, ": absurd counts (", nTensors,
        " tensors, ", nKv, " metadata entries)");
  for (uint64_t i = 0; i < nKv; ++i) readKv(c, f, out);

  std::vector<uint64_t> relOffsets;
  for (uint64_t i = 0; i < nTensors; ++i) {
    GgufTensorInfo t;
    t.name = c.string(1024, "tensor name");
    uint32_t nd = c.read<uint32_t>("tensor rank");
    check(nd >= 1 && nd <= 4, code::kBadTensor, path, ": tensor '", t.name, "' has rank ", nd);
    uint64_t numel = 1;
    for (uint32_t d = 0; d < nd; ++d) {
      uint64_t dim = c.read<uint64_t>("tensor dims");
      check(dim >= 1 && dim <= kMaxElements && numel <= kMaxElements / dim, code::kBadTensor, path, ": tensor '",
            t.name, "' has an absurd shape");
      numel *= dim;
      t.shape.insert(t.shape.begin(), static_cast<int64_t>(dim));
    }
    t.type = c.read<uint32_t>("tensor type");
    const ggml::TypeInfo* info = ggml::typeInfo(t.type);
    check(info != nullptr, code::kUnknownDtype, path, ": tensor '", t.name, "' has unsupported ggml type ", t.type);
    check(numel % static_cast<uint64_t>(info->blockElems) == 0, code::kBadTensor, path, ": tensor '", t.name,
          "' size is not a multiple of its block size");
    t.bytes = numel / info->blockElems * info->blockBytes;
    relOffsets.push_back(c.read<uint64_t>("tensor offset"));
    out.tensors.push_back(std::move(t));
  }

  uint64_t alignment = 32;
  if (auto it = out.metadata.find("general.alignment"); it != out.metadata.end() && it->second.isNumber())
    alignment = static_cast<uint64_t>(it->second.asInt());
  check(alignment >= 1 && alignment <= 4096 && (alignment & (alignment - 1)) == 0, code::kBadHeader, path,
        ": bad alignment ", alignment);
  uint64_t dataStart = (c.pos() + alignment - 1) / alignment * alignment;
  check(dataStart <= f.size(), code::kTruncated, path, ": file ends before its tensor data");
  uint64_t dataSize = f.size() - dataStart;
  for (size_t i = 0; i < out.tensors.size(); ++i) {
    auto& t = out.tensors[i];
    check(relOffsets[i] % alignment == 0, code::kBadTensor, path, ": tensor '", t.name, "' offset is misaligned");
    check(relOffsets[i] <= dataSize && t.bytes <= dataSize - relOffsets[i], code::kTruncated, path, ": tensor '",
          t.name, "' data runs past the end of the file");
    t.offset = dataStart + relOffsets[i];
  }
  return out;
}

TensorMap readGgufTensors(const std::string& path, const GgufFile& header) {
  InputFile f(path);
  TensorMap out;
  std::vector<uint8_t> raw;
  for (const auto& t : header.tensors) {
    raw.resize(t.bytes);
    f.readAt(t.offset, raw.data(), t.bytes, t.name.c_str());
    at::Tensor dst = at::empty(t.shape, at::kFloat);
    ggml::dequantize(t.type, raw.data(), dst.data_ptr<float>(), dst.numel());
    out.emplace(t.name, std::move(dst));
  }
  return out;
}

}  // namespace datarus
