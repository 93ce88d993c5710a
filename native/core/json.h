// json.h — a small JSON value, parser and writer for model headers and configs.
//
// Enough for config.json, safetensors headers and index files: objects keep key
// order, numbers are doubles (exact for integers below 2^53, which bounds every
// offset and size we accept). The parser is iterative-depth-limited and throws
// datarus::Error(E_BAD_HEADER) with the byte position on malformed input.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace datarus::json {

class Value {
 public:
  enum class Kind { Null, Bool, Number, String, Array, Object };
  using Array = std::vector<Value>;
  using Object = std::vector<std::pair<std::string, Value>>;

  Value() = default;
  Value(std::nullptr_t) {}
  Value(bool b) : kind_(Kind::Bool), bool_(b) {}
  Value(double n) : kind_(Kind::Number), num_(n) {}
  Value(int n) : kind_(Kind::Number), num_(n) {}
  Value(int64_t n) : kind_(Kind::Number), num_(static_cast<double>(n)) {}
  Value(const char* s) : kind_(Kind::String), str_(s) {}
  Value(std::string s) : kind_(Kind::String), str_(std::move(s)) {}
  Value(Array a) : kind_(Kind::Array), arr_(std::make_shared<Array>(std::move(a))) {}
  Value(Object o) : kind_(Kind::Object), obj_(std::make_shared<Object>(std::move(o))) {}

  Kind kind() const { return kind_; }
  bool isNull() const { return kind_ == Kind::Null; }
  bool isNumber() const { return kind_ == Kind::Number; }
  bool isString() const { return kind_ == Kind::String; }
  bool isArray() const { return kind_ == Kind::Array; }
  bool isObject() const { return kind_ == Kind::Object; }
  bool isBool() const { return kind_ == Kind::Bool; }

  bool asBool() const;
  double asNumber() const;
  int64_t asInt() const;  // throws unless an integral number
  const std::string& asString() const;
  const Array& asArray() const;
  const Object& asObject() const;

  // Object lookup; nullptr when absent or when this is not an object.
  const Value* find(std::string_view key) const;
  // Appends or replaces a key of an object value.
  void set(const std::string& key, Value v);

 private:
  Kind kind_ = Kind::Null;
  bool bool_ = false;
  double num_ = 0;
  std::string str_;
  std::shared_ptr<Array> arr_;
  std::shared_ptr<Object> obj_;
};

// Parses a complete JSON document; `what` names the document in error messages.
Value parse(std::string_view text, const std::string& what);
// Serialises compactly (indent < 0) or pretty-printed with `indent` spaces.
std::string dump(const Value& v, int indent = -1);

}  // namespace datarus::json
