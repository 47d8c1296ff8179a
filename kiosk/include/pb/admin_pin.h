// SPDX-License-Identifier: Apache-2.0
// The admin PIN as a salted slow hash: "pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>"
// (OpenSSL PKCS5_PBKDF2_HMAC). Made by `pledgebooth hash-pin`, stored in booth.admin_pin_hash.
#pragma once

#include <string>

#include "pb/status.h"

namespace pb::kiosk {

inline constexpr int kPinIterations = 200'000;

// A PIN is 4 to 8 digits.
bool valid_pin(const std::string& pin);
// Hashes a PIN with a fresh random 16-byte salt. kInvalid for a PIN that is not 4-8 digits.
Result<std::string> hash_pin(const std::string& pin, int iterations = kPinIterations);
// True when pin matches the stored hash (constant-time compare). A malformed hash never
// matches. Slow on purpose (tens of ms): call it off the UI thread.
bool verify_pin(const std::string& pin, const std::string& stored);

}  // namespace pb::kiosk
