// SPDX-License-Identifier: Apache-2.0
// Expected failures as values: a full disk, a lost camera or an HTTP 503 come back as a
// Status (or a Result<T>) with a message a volunteer can act on. Exceptions are for bugs
// and start-up config errors only; nothing is thrown across a worker thread.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace pb {

// [[nodiscard]]: a Status dropped on the floor is a failure nobody sees. Where ignoring one
// is right, the call says why in a comment and casts to void.
class [[nodiscard]] Status {
 public:
  // What kind of failure, so callers can branch without parsing the message.
  enum class Code {
    kOk,
    kNotFound,     // the thing asked for is not there
    kInvalid,      // bad input (config, id, argument)
    kDiskFull,     // ENOSPC / EDQUOT: stop politely, keep what is saved
    kReadOnly,     // EROFS / EACCES on the data dir
    kIo,           // any other local I/O failure
    kCorrupt,      // the ledger or a photo does not match what was recorded
    kUnavailable,  // device or network not reachable now; worth retrying
    kRejected,     // a server refused for good (4xx other than 408/429)
    kInternal,     // a bug
  };

  Status() = default;
  static Status ok() { return Status(); }
  static Status error(Code code, std::string message) { return Status(code, std::move(message)); }

  bool is_ok() const { return code_ == Code::kOk; }
  explicit operator bool() const { return is_ok(); }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

// A value or the Status that says why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}  // NOLINT: implicit by design

  bool is_ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return is_ok(); }
  T& value() { return std::get<T>(v_); }
  const T& value() const { return std::get<T>(v_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  // The failure; an ok Status when there is a value.
  Status status() const { return is_ok() ? Status::ok() : std::get<Status>(v_); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace pb
