// SPDX-License-Identifier: Apache-2.0
// Ids, hashes and times for the ledger: UUIDv7, SHA-256 hex, UTC dates.
#include <openssl/evp.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <random>

#include "pb/clock.h"
#include "pb/ledger.h"

namespace pb::store {

std::string new_uuid_v7(std::int64_t unix_ms) {
  // 48-bit ms timestamp, then a 12-bit counter so ids made in the same ms by this
  // process still sort in order, then 62 random bits (RFC 9562, method 1).
  static std::mutex mu;
  static std::mt19937_64 rng{std::random_device{}() ^
                             (std::uint64_t(std::random_device{}()) << 32)};
  static std::int64_t last_ms = -1;
  static std::uint16_t seq = 0;
  std::uint64_t rand_b;
  std::uint16_t rand_a;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (unix_ms <= last_ms) {
      unix_ms = last_ms;
      if (++seq > 0xfff) {  // counter exhausted: borrow the next millisecond
        ++unix_ms;
        seq = 0;
      }
    } else {
      seq = static_cast<std::uint16_t>(rng() & 0x7ff);  // random start, room to count up
    }
    last_ms = unix_ms;
    rand_a = seq;
    rand_b = rng();
  }
  std::uint8_t b[16];
  for (int i = 0; i < 6; ++i)
    b[i] = static_cast<std::uint8_t>(std::uint64_t(unix_ms) >> (40 - 8 * i));
  b[6] = static_cast<std::uint8_t>(0x70 | ((rand_a >> 8) & 0x0f));
  b[7] = static_cast<std::uint8_t>(rand_a & 0xff);
  for (int i = 0; i < 8; ++i) b[8 + i] = static_cast<std::uint8_t>(rand_b >> (56 - 8 * i));
  b[8] = static_cast<std::uint8_t>(0x80 | (b[8] & 0x3f));
  char out[37];
  std::snprintf(out, sizeof out,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return out;
}

std::int64_t uuid_v7_ms(const std::string& id) {
  // "tttttttt-tttt-7...": 12 hex digits of milliseconds around the first dash.
  if (id.size() != 36 || id[8] != '-') return 0;
  std::int64_t ms = 0;
  for (char c : id.substr(0, 8) + id.substr(9, 4)) {
    const int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0) return 0;
    ms = ms * 16 + d;
  }
  return ms;
}

std::string sha256_hex(const std::uint8_t* data, std::size_t size) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data, size, md, &len, EVP_sha256(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned i = 0; i < len; ++i) {
    out.push_back(hex[md[i] >> 4]);
    out.push_back(hex[md[i] & 15]);
  }
  return out;
}

namespace {
std::string format_utc(std::int64_t unix_ms, const char* format) {
  std::time_t t = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}
}  // namespace

std::string utc_date(std::int64_t unix_ms) {
  return format_utc(unix_ms, "%Y-%m-%d");
}

std::string utc_timestamp(std::int64_t unix_ms) {
  char ms[8];
  std::snprintf(ms, sizeof ms, ".%03dZ", static_cast<int>(unix_ms % 1000));
  return format_utc(unix_ms, "%Y-%m-%dT%H:%M:%S") + ms;
}

namespace {
class SystemClock final : public Clock {
 public:
  std::int64_t now_ms() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};
}  // namespace

const Clock& Clock::system() {
  static const SystemClock clock;
  return clock;
}

std::int64_t now_ms() {
  return Clock::system().now_ms();
}

std::int64_t build_time_ms() {
  return std::int64_t{PB_BUILD_EPOCH} * 1000;
}

ClockState check_clock(std::int64_t now, std::int64_t ledger_high_ms) {
  constexpr std::int64_t kSlackMs = 60'000;  // NTP stepping back a few seconds is no alarm
  if (now + kSlackMs < ledger_high_ms) return ClockState::kBehindLedger;
  if (now < build_time_ms()) return ClockState::kBeforeBuild;
  return ClockState::kOk;
}

}  // namespace pb::store
