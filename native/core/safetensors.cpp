// safetensors.cpp — safetensors reader (validating) and streaming atomic writer.
#include "safetensors.h"

#include <algorithm>

#include "error.h"
#include "file.h"
#include "json.h"

namespace datarus {

namespace {

constexpr uint64_t kMaxHeader = 100ull << 20;

struct DtypeInfo {
  const char* name;
  at::ScalarType type;
  int64_t bytes;
};

constexpr DtypeInfo kDtypes[] = {
    {"F32", at::kFloat, 4}, {"F16", at::kHalf, 2},  {"BF16", at::kBFloat16, 2}, {"F64", at::kDouble, 8},
    {"I64", at::kLong, 8},  {"I32", at::kInt, 4},   {"I16", at::kShort, 2},     {"I8", at::kChar, 1},
    {"U8", at::kByte, 1},   {"BOOL", at::kBool, 1},
};

const DtypeInfo& dtypeByName(const std::string& path, const std::string& tensor, const std::string& name) {
  for (const auto& d : kDtypes)
    if (name == d.name) return d;
  fail(code::kUnknownDtype, path, ": tensor '", tensor, "' has unknown dtype '", name, "'");
}

const DtypeInfo& dtypeByType(at::ScalarType t) {
  for (const auto& d : kDtypes)
    if (d.type == t) return d;
  fail(code::kUnknownDtype, "cannot save tensors of type ", t);
}

struct Entry {
  std::string name;
  const DtypeInfo* dtype;
  std::vector<int64_t> shape;
  uint64_t begin, end;
};

struct Header {
  uint64_t dataStart;
  std::vector<Entry> entries;
};

Header readHeader(const InputFile& f) {
  const std::string& path = f.path();
  uint64_t n = 0;
  f.readAt(0, &n, 8, "header length");
  check(n <= kMaxHeader, code::kBadHeader, path, ": header length ", n, " exceeds the 100 MB limit");
  check(n <= f.size() - 8, code::kTruncated, path, ": header length ", n, " runs past the end of the file");
  std::string text(n, '\0');
  f.readAt(8, text.data(), n, "header");
  json::Value doc = json::parse(text, path);
  check(doc.isObject(), code::kBadHeader, path, ": header is not a JSON object");
  Header h{8 + n, {}};
  uint64_t dataSize = f.size() - h.dataStart;
  for (const auto& [name, spec] : doc.asObject()) {
    if (name == "__metadata__") continue;
    check(spec.isObject(), code::kBadHeader, path, ": entry '", name, "' is not an object");
    const json::Value* dt = spec.find("dtype");
    const json::Value* sh = spec.find("shape");
    const json::Value* off = spec.find("data_offsets");
    check(dt && dt->isString() && sh && sh->isArray() && off && off->isArray() && off->asArray().size() == 2,
          code::kBadHeader, path, ": entry '", name, "' needs dtype, shape and two data_offsets");
    Entry e{name, &dtypeByName(path, name, dt->asString()), {}, 0, 0};
    check(sh->asArray().size() <= 8, code::kBadTensor, path, ": tensor '", name, "' has too many dimensions");
    uint64_t numel = 1;
    for (const auto& d : sh->asArray()) {
      int64_t v = d.asInt();
      check(v >= 0 && v < (int64_t(1) << 40), code::kBadTensor, path, ": tensor '", name, "' has bad dimension ", v);
      check(v == 0 || numel <= (uint64_t(1) << 46) / static_cast<uint64_t>(v), code::kBadTensor, path, ": tensor '",
            name, "' is absurdly large");
      numel *= static_cast<uint64_t>(v);
      e.shape.push_back(v);
    }
    int64_t b = off->asArray()[0].asInt(), en = off->asArray()[1].asInt();
    check(b >= 0 && en >= b, code::kBadTensor, path, ": tensor '", name, "' has bad data_offsets");
    e.begin = static_cast<uint64_t>(b);
    e.end = static_cast<uint64_t>(en);
    check(e.end <= dataSize, code::kTruncated, path, ": tensor '", name, "' data runs past the end of the file");
    check(e.end - e.begin == numel * static_cast<uint64_t>(e.dtype->bytes), code::kBadTensor, path, ": tensor '", name,
          "' occupies ", e.end - e.begin, " bytes but its shape needs ", numel * e.dtype->bytes);
    h.entries.push_back(std::move(e));
  }
  std::vector<const Entry*> byOffset;
  for (const auto& e : h.entries) byOffset.push_back(&e);
  std::sort(byOffset.begin(), byOffset.end(), [](const Entry* a, const Entry* b) { return a->begin < b->begin; });
  for (size_t k = 1; k < byOffset.size(); ++k)
    check(byOffset[k]->begin >= byOffset[k - 1]->end, code::kBadTensor, path, ": tensors '", byOffset[k - 1]->name,
          "' and '", byOffset[k]->name, "' overlap");
  return h;
}

}  // namespace

TensorMap readSafetensors(const std::string& path) {
  InputFile f(path);
  check(f.size() >= 8, code::kTruncated, path, ": too short to be a safetensors file");
  Header h = readHeader(f);
  TensorMap out;
  for (const auto& e : h.entries) {
    at::Tensor t = at::empty(e.shape, at::TensorOptions().dtype(e.dtype->type));
    if (e.end > e.begin) f.readAt(h.dataStart + e.begin, t.data_ptr(), e.end - e.begin, e.name.c_str());
    out.emplace(e.name, std::move(t));
  }
  return out;
}

std::vector<std::string> safetensorsNames(const std::string& path) {
  InputFile f(path);
  check(f.size() >= 8, code::kTruncated, path, ": too short to be a safetensors file");
  std::vector<std::string> names;
  for (const auto& e : readHeader(f).entries) names.push_back(e.name);
  return names;
}

void writeSafetensors(const std::string& path, const TensorMap& tensors,
                      const std::vector<std::pair<std::string, std::string>>& metadata) {
  json::Value header;
  if (!metadata.empty()) {
    json::Value meta;
    for (const auto& [k, v] : metadata) meta.set(k, v);
    header.set("__metadata__", meta);
  }
  uint64_t offset = 0;
  std::vector<at::Tensor> blobs;
  for (const auto& [name, tensor] : tensors) {
    at::Tensor t = tensor.detach().to(at::kCPU).contiguous();
    const DtypeInfo& d = dtypeByType(t.scalar_type());
    json::Value spec;
    spec.set("dtype", d.name);
    json::Value::Array shape;
    for (int64_t s : t.sizes()) shape.emplace_back(s);
    spec.set("shape", json::Value(std::move(shape)));
    uint64_t bytes = static_cast<uint64_t>(t.numel()) * d.bytes;
    spec.set("data_offsets", json::Value(json::Value::Array{json::Value(static_cast<int64_t>(offset)),
                                                            json::Value(static_cast<int64_t>(offset + bytes))}));
    header.set(name, spec);
    offset += bytes;
    blobs.push_back(t);
  }
  std::string text = json::dump(header);
  while ((text.size() + 8) % 8 != 0) text += ' ';  // align data to 8 bytes, as the reference writer does
  uint64_t n = text.size();

  AtomicWriter out(path);
  out.write(&n, 8);
  out.write(text.data(), n);
  for (const auto& t : blobs) out.write(t.data_ptr(), static_cast<uint64_t>(t.numel()) * t.element_size());
  out.commit();
}

}  // namespace datarus
