// file.h — bounds-checked binary file access for model loaders.
//
// Every read names the file and what was being read, so a truncated file yields
// E_TRUNCATED ("model.gguf: file ends inside tensor info 12") instead of garbage.
#pragma once

#include <cstdint>
#include <string>

namespace datarus {

class InputFile {
 public:
  explicit InputFile(const std::string& path);
  ~InputFile();
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  const std::string& path() const { return path_; }
  uint64_t size() const { return size_; }
  // Reads exactly n bytes at offset or throws E_TRUNCATED naming `what`.
  void readAt(uint64_t offset, void* dst, uint64_t n, const char* what) const;

 private:
  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0;
};

// Sequential little-endian reader over an InputFile (GGUF headers).
class Cursor {
 public:
  explicit Cursor(const InputFile& f, uint64_t pos = 0) : f_(f), pos_(pos) {}
  uint64_t pos() const { return pos_; }
  void skip(uint64_t n, const char* what);
  // Copies n bytes at the cursor (through a 64 KiB read-ahead buffer).
  void bytes(void* dst, uint64_t n, const char* what);
  template <typename T>
  T read(const char* what) {
    T v;
    bytes(&v, sizeof(T), what);
    return v;
  }
  // A u64-length-prefixed string, at most maxLen bytes.
  std::string string(uint64_t maxLen, const char* what);

 private:
  const InputFile& f_;
  uint64_t pos_;
  std::string buf_;
  uint64_t bufStart_ = 0;
};

bool fileExists(const std::string& path);
bool isDirectory(const std::string& path);
std::string readTextFile(const std::string& path, uint64_t maxBytes);
// Streams bytes to path + ".tmp"; commit() fsyncs and renames it over path, so
// readers never see a partial file. Destroyed uncommitted, it removes the temp file.
class AtomicWriter {
 public:
  explicit AtomicWriter(const std::string& path);
  ~AtomicWriter();
  AtomicWriter(const AtomicWriter&) = delete;
  AtomicWriter& operator=(const AtomicWriter&) = delete;
  void write(const void* data, uint64_t n);
  void commit();

 private:
  std::string path_, tmp_;
  int fd_ = -1;
};

void writeFileAtomic(const std::string& path, const std::string& bytes);

}  // namespace datarus
