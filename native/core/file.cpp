// file.cpp — POSIX implementation of the bounds-checked readers.
#include "file.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"

namespace datarus {

InputFile::InputFile(const std::string& path) : path_(path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) fail(code::kFileNotFound, path, ": no such file");
  check(S_ISREG(st.st_mode), code::kFileIo, path, ": not a regular file");
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  check(fd_ >= 0, code::kFileIo, path, ": cannot open: ", std::strerror(errno));
  size_ = static_cast<uint64_t>(st.st_size);
}

InputFile::~InputFile() {
  if (fd_ >= 0) ::close(fd_);
}

void InputFile::readAt(uint64_t offset, void* dst, uint64_t n, const char* what) const {
  if (offset > size_ || n > size_ - offset)
    fail(code::kTruncated, path_, ": file ends inside ", what, " (needs bytes ", offset, "..", offset + n, ", file has ",
         size_, ")");
  auto* out = static_cast<char*>(dst);
  while (n > 0) {
    ssize_t got = ::pread(fd_, out, n, static_cast<off_t>(offset));
    if (got < 0 && errno == EINTR) continue;
    check(got > 0, code::kFileIo, path_, ": read failed: ", std::strerror(errno));
    out += got;
    offset += static_cast<uint64_t>(got);
    n -= static_cast<uint64_t>(got);
  }
}

void Cursor::skip(uint64_t n, const char* what) {
  if (pos_ > f_.size() || n > f_.size() - pos_) fail(code::kTruncated, f_.path(), ": file ends inside ", what);
  pos_ += n;
}

void Cursor::bytes(void* dst, uint64_t n, const char* what) {
  constexpr uint64_t kChunk = 64 * 1024;
  if (n > kChunk) {
    f_.readAt(pos_, dst, n, what);
    pos_ += n;
    return;
  }
  if (pos_ < bufStart_ || pos_ + n > bufStart_ + buf_.size()) {
    if (pos_ > f_.size() || n > f_.size() - pos_) f_.readAt(pos_, dst, n, what);  // throws E_TRUNCATED
    uint64_t len = std::min<uint64_t>(kChunk, f_.size() - pos_);
    buf_.resize(len);
    f_.readAt(pos_, buf_.data(), len, what);
    bufStart_ = pos_;
  }
  std::memcpy(dst, buf_.data() + (pos_ - bufStart_), n);
  pos_ += n;
}

std::string Cursor::string(uint64_t maxLen, const char* what) {
  uint64_t n = read<uint64_t>(what);
  check(n <= maxLen, code::kBadHeader, f_.path(), ": ", what, " has absurd length ", n);
  check(n <= f_.size(), code::kTruncated, f_.path(), ": file ends inside ", what);
  std::string s(n, '\0');
  if (n) bytes(s.data(), n, what);
  return s;
}

bool fileExists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

bool isDirectory(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string readTextFile(const std::string& path, uint64_t maxBytes) {
  InputFile f(path);
  check(f.size() <= maxBytes, code::kBadHeader, path, ": file too large (", f.size(), " bytes, limit ", maxBytes, ")");
  std::string s(f.size(), '\0');
  if (!s.empty()) f.readAt(0, s.data(), s.size(), "file");
  return s;
}

AtomicWriter::AtomicWriter(const std::string& path) : path_(path), tmp_(path + ".tmp") {
  fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  check(fd_ >= 0, code::kFileIo, tmp_, ": cannot create: ", std::strerror(errno));
}

AtomicWriter::~AtomicWriter() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(tmp_.c_str());
  }
}

void AtomicWriter::write(const void* data, uint64_t n) {
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    ssize_t w = ::write(fd_, p, n);
    if (w < 0 && errno == EINTR) continue;
    check(w > 0, code::kFileIo, tmp_, ": write failed: ", std::strerror(errno));
    p += w;
    n -= static_cast<uint64_t>(w);
  }
}

void AtomicWriter::commit() {
  check(::fsync(fd_) == 0, code::kFileIo, tmp_, ": fsync failed: ", std::strerror(errno));
  ::close(fd_);
  fd_ = -1;
  check(::rename(tmp_.c_str(), path_.c_str()) == 0, code::kFileIo, path_, ": rename failed: ", std::strerror(errno));
}

void writeFileAtomic(const std::string& path, const std::string& bytes) {
  AtomicWriter w(path);
  w.write(bytes.data(), bytes.size());
  w.commit();
}

}  // namespace datarus
