// json.cpp — recursive-descent JSON parser (depth-limited) and writer.
#include "json.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "error.h"

namespace datarus::json {

bool Value::asBool() const {
  check(kind_ == Kind::Bool, code::kBadHeader, "expected a JSON boolean");
  return bool_;
}
double Value::asNumber() const {
  check(kind_ == Kind::Number, code::kBadHeader, "expected a JSON number");
  return num_;
}
int64_t Value::asInt() const {
  double n = asNumber();
  check(std::isfinite(n) && std::floor(n) == n && std::fabs(n) < 9.007199254740992e15, code::kBadHeader,
        "expected an integer, got ", n);
  return static_cast<int64_t>(n);
}
const std::string& Value::asString() const {
  check(kind_ == Kind::String, code::kBadHeader, "expected a JSON string");
  return str_;
}
const Value::Array& Value::asArray() const {
  check(kind_ == Kind::Array, code::kBadHeader, "expected a JSON array");
  return *arr_;
}
const Value::Object& Value::asObject() const {
  check(kind_ == Kind::Object, code::kBadHeader, "expected a JSON object");
  return *obj_;
}
const Value* Value::find(std::string_view key) const {
  if (kind_ != Kind::Object) return nullptr;
  for (const auto& kv : *obj_)
    if (kv.first == key) return &kv.second;
  return nullptr;
}
void Value::set(const std::string& key, Value v) {
  if (kind_ != Kind::Object) {
    kind_ = Kind::Object;
    obj_ = std::make_shared<Object>();
  }
  for (auto& kv : *obj_)
    if (kv.first == key) {
      kv.second = std::move(v);
      return;
    }
  obj_->emplace_back(key, std::move(v));
}

namespace {

constexpr int kMaxDepth = 64;

class Parser {
 public:
  Parser(std::string_view s, const std::string& what) : s_(s), what_(what) {}

  Value document() {
    Value v = value(0);
    ws();
    if (i_ != s_.size()) error("trailing characters");
    return v;
  }

 private:
  std::string_view s_;
  const std::string& what_;
  size_t i_ = 0;

  [[noreturn]] void error(const char* msg) { fail(code::kBadHeader, what_, ": malformed JSON at byte ", i_, ": ", msg); }
  void ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\r' || s_[i_] == '\t')) ++i_;
  }
  char peek() {
    ws();
    if (i_ >= s_.size()) error("unexpected end");
    return s_[i_];
  }
  void expect(char c) {
    if (peek() != c) error("unexpected character");
    ++i_;
  }
  bool literal(std::string_view lit) {
    if (s_.substr(i_, lit.size()) == lit) {
      i_ += lit.size();
      return true;
    }
    return false;
  }

  Value value(int depth) {
    if (depth > kMaxDepth) error("nesting too deep");
    char c = peek();
    if (c == '{') return object(depth);
    if (c == '[') return array(depth);
    if (c == '"') return Value(string());
    if (literal("true")) return Value(true);
    if (literal("false")) return Value(false);
    if (literal("null")) return Value(nullptr);
    return number();
  }

  Value object(int depth) {
    expect('{');
    Value::Object out;
    if (peek() == '}') {
      ++i_;
      return Value(std::move(out));
    }
    for (;;) {
      if (peek() != '"') error("expected a key");
      std::string key = string();
      expect(':');
      out.emplace_back(std::move(key), value(depth + 1));
      char c = peek();
      ++i_;
      if (c == '}') break;
      if (c != ',') error("expected , or }");
    }
    return Value(std::move(out));
  }

  Value array(int depth) {
    expect('[');
    Value::Array out;
    if (peek() == ']') {
      ++i_;
      return Value(std::move(out));
    }
    for (;;) {
      out.push_back(value(depth + 1));
      char c = peek();
      ++i_;
      if (c == ']') break;
      if (c != ',') error("expected , or ]");
    }
    return Value(std::move(out));
  }

  static void utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  uint32_t hex4() {
    if (i_ + 4 > s_.size()) error("short \\u escape");
    uint32_t v = 0;
    for (int k = 0; k < 4; ++k) {
      char h = s_[i_++];
      v <<= 4;
      if (h >= '0' && h <= '9') v |= h - '0';
      else if (h >= 'a' && h <= 'f') v |= h - 'a' + 10;
      else if (h >= 'A' && h <= 'F') v |= h - 'A' + 10;
      else error("bad \\u escape");
    }
    return v;
  }

  std::string string() {
    ++i_;  // opening quote
    std::string out;
    for (;;) {
      if (i_ >= s_.size()) error("unterminated string");
      char c = s_[i_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) error("control character in string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i_ >= s_.size()) error("unterminated escape");
      char e = s_[i_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          uint32_t cp = hex4();
          if (cp >= 0xD800 && cp < 0xDC00 && s_.substr(i_, 2) == "\\u") {
            i_ += 2;
            uint32_t lo = hex4();
            if (lo < 0xDC00 || lo > 0xDFFF) error("bad surrogate pair");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          utf8(out, cp);
          break;
        }
        default: error("bad escape");
      }
    }
  }

  Value number() {
    size_t start = i_;
    if (i_ < s_.size() && (s_[i_] == '-' || s_[i_] == '+')) ++i_;
    while (i_ < s_.size() && (isdigit(static_cast<unsigned char>(s_[i_])) || s_[i_] == '.' || s_[i_] == 'e' ||
                              s_[i_] == 'E' || s_[i_] == '-' || s_[i_] == '+'))
      ++i_;
    if (start == i_) error("unexpected character");
    std::string text(s_.substr(start, i_ - start));
    char* end = nullptr;
    double v = std::strtod(text.c_str(), &end);
    if (end != text.c_str() + text.size()) error("bad number");
    return Value(v);
  }
};

void escape(std::string& out, const std::string& s) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

void write(std::string& out, const Value& v, int indent, int level) {
  auto newline = [&](int lvl) {
    if (indent < 0) return;
    out += '\n';
    out.append(static_cast<size_t>(indent * lvl), ' ');
  };
  switch (v.kind()) {
    case Value::Kind::Null: out += "null"; break;
    case Value::Kind::Bool: out += v.asBool() ? "true" : "false"; break;
    case Value::Kind::Number: {
      double n = v.asNumber();
      char buf[32];
      if (std::floor(n) == n && std::fabs(n) < 1e15) std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(n));
      else std::snprintf(buf, sizeof buf, "%.17g", n);
      out += buf;
      break;
    }
    case Value::Kind::String: escape(out, v.asString()); break;
    case Value::Kind::Array: {
      out += '[';
      const auto& a = v.asArray();
      for (size_t k = 0; k < a.size(); ++k) {
        if (k) out += indent < 0 ? "," : ", ";
        write(out, a[k], -1, 0);
      }
      out += ']';
      break;
    }
    case Value::Kind::Object: {
      out += '{';
      const auto& o = v.asObject();
      for (size_t k = 0; k < o.size(); ++k) {
        if (k) out += ',';
        newline(level + 1);
        escape(out, o[k].first);
        out += indent < 0 ? ":" : ": ";
        write(out, o[k].second, indent, level + 1);
      }
      if (!o.empty()) newline(level);
      out += '}';
      break;
    }
  }
}

}  // namespace

Value parse(std::string_view text, const std::string& what) { return Parser(text, what).document(); }

std::string dump(const Value& v, int indent) {
  std::string out;
  write(out, v, indent, 0);
  return out;
}

}  // namespace datarus::json
