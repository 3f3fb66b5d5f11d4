#pragma once

#include <cstdint>
#include <string>
#include <utility>

namespace ecomm::wal {

// The outcome of a log or file operation: OK, or a code with a message that names
// the file and offset involved.
class [[nodiscard]] Status {
 public:
  enum class Code : uint8_t { kOk, kIOError, kCorruption, kNotFound, kInvalidArgument };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status IOError(std::string msg) { return Status(Code::kIOError, std::move(msg)); }
  static Status Corruption(std::string msg) { return Status(Code::kCorruption, std::move(msg)); }
  static Status NotFound(std::string msg) { return Status(Code::kNotFound, std::move(msg)); }
  static Status InvalidArgument(std::string msg) {
    return Status(Code::kInvalidArgument, std::move(msg));
  }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;

 private:
  Status(Code code, std::string msg) : code_(code), message_(std::move(msg)) {}

  Code code_ = Code::kOk;
  std::string message_;
};

}  // namespace ecomm::wal
