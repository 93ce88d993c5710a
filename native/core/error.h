// error.h — the one exception type the native core throws on purpose.
//
// Every failure that a caller can cause (bad file, bad argument, bad token id)
// is a datarus::Error with a stable code from packages/contracts/src/errors.ts.
// The binding turns it into a JS Error whose `code` property is that string;
// anything else that escapes (std::exception, c10::Error) becomes E_INTERNAL.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace datarus {

namespace code {
inline constexpr const char* kInvalidArgument = "E_INVALID_ARGUMENT";
inline constexpr const char* kFileNotFound = "E_FILE_NOT_FOUND";
inline constexpr const char* kFileIo = "E_FILE_IO";
inline constexpr const char* kBadMagic = "E_BAD_MAGIC";
inline constexpr const char* kTruncated = "E_TRUNCATED";
inline constexpr const char* kBadHeader = "E_BAD_HEADER";
inline constexpr const char* kUnknownDtype = "E_UNKNOWN_DTYPE";
inline constexpr const char* kBadTensor = "E_BAD_TENSOR";
inline constexpr const char* kBadConfig = "E_BAD_CONFIG";
inline constexpr const char* kMissingTensor = "E_MISSING_TENSOR";
inline constexpr const char* kTokenOutOfRange = "E_TOKEN_OUT_OF_RANGE";
inline constexpr const char* kContextOverflow = "E_CONTEXT_OVERFLOW";
inline constexpr const char* kAborted = "E_ABORTED";
inline constexpr const char* kNonFinite = "E_NON_FINITE";
inline constexpr const char* kInternal = "E_INTERNAL";
}  // namespace code

class Error : public std::runtime_error {
 public:
  Error(std::string code, const std::string& message)
      : std::runtime_error(message), code_(std::move(code)) {}
  const std::string& code() const noexcept { return code_; }

 private:
  std::string code_;
};

// Builds a message from streamable parts: fail(code::kBadTensor, "tensor ", name, " ...").
template <typename... Parts>
[[noreturn]] void fail(const char* code, const Parts&... parts) {
  std::ostringstream os;
  (os << ... << parts);
  throw Error(code, os.str());
}

template <typename... Parts>
void check(bool ok, const char* code, const Parts&... parts) {
  if (!ok) fail(code, parts...);
}

}  // namespace datarus
