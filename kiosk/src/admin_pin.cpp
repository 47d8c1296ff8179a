// SPDX-License-Identifier: Apache-2.0
// PBKDF2-SHA256 PIN hashing and verification.
#include "pb/admin_pin.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <vector>

namespace pb::kiosk {
namespace {

std::string hex(const unsigned char* p, std::size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out += digits[p[i] >> 4];
    out += digits[p[i] & 15];
  }
  return out;
}

bool unhex(const std::string& s, std::vector<unsigned char>& out) {
  if (s.size() % 2 != 0 || s.empty()) return false;
  auto val = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  out.clear();
  for (std::size_t i = 0; i < s.size(); i += 2) {
    const int hi = val(s[i]), lo = val(s[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out.push_back(static_cast<unsigned char>(hi * 16 + lo));
  }
  return true;
}

bool derive(const std::string& pin, const std::vector<unsigned char>& salt, int iterations,
            std::vector<unsigned char>& out) {
  out.assign(32, 0);
  return PKCS5_PBKDF2_HMAC(pin.data(), static_cast<int>(pin.size()), salt.data(),
                           static_cast<int>(salt.size()), iterations, EVP_sha256(),
                           static_cast<int>(out.size()), out.data()) == 1;
}

}  // namespace

bool valid_pin(const std::string& pin) {
  if (pin.size() < 4 || pin.size() > 8) return false;
  for (char c : pin)
    if (c < '0' || c > '9') return false;
  return true;
}

Result<std::string> hash_pin(const std::string& pin, int iterations) {
  if (!valid_pin(pin)) return Status::error(Status::Code::kInvalid, "a PIN is 4 to 8 digits");
  if (iterations < 1) return Status::error(Status::Code::kInvalid, "iterations must be positive");
  std::vector<unsigned char> salt(16), out;
  if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1 ||
      !derive(pin, salt, iterations, out))
    return Status::error(Status::Code::kInternal, "OpenSSL could not hash the PIN");
  return "pbkdf2-sha256$" + std::to_string(iterations) + "$" + hex(salt.data(), salt.size()) + "$" +
         hex(out.data(), out.size());
}

bool verify_pin(const std::string& pin, const std::string& stored) {
  const std::string prefix = "pbkdf2-sha256$";
  if (stored.rfind(prefix, 0) != 0) return false;
  const std::string rest = stored.substr(prefix.size());
  const auto d1 = rest.find('$');
  const auto d2 = d1 == std::string::npos ? d1 : rest.find('$', d1 + 1);
  if (d2 == std::string::npos) return false;
  int iterations = 0;
  try {
    iterations = std::stoi(rest.substr(0, d1));
  } catch (...) {
    return false;
  }
  if (iterations < 1 || iterations > 10'000'000) return false;
  std::vector<unsigned char> salt, expected, got;
  if (!unhex(rest.substr(d1 + 1, d2 - d1 - 1), salt) || !unhex(rest.substr(d2 + 1), expected))
    return false;
  if (!derive(pin, salt, iterations, got)) return false;
  if (got.size() != expected.size()) return false;
  return CRYPTO_memcmp(got.data(), expected.data(), got.size()) == 0;
}

}  // namespace pb::kiosk
