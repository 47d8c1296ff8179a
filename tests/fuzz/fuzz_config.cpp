// SPDX-License-Identifier: Apache-2.0
// booth.toml loader: any bytes end as a Config or a ConfigError naming "fuzz.toml:<line>:",
// that is valid UTF-8 without control characters; nothing else escapes.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "pb/config.h"
#include "pb/utf8.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    pb::config::Config c = pb::config::parse_config(text, "fuzz.toml");
    pb::config::validate(c);
  } catch (const pb::config::ConfigError& e) {
    const std::string msg = e.what();
    if (msg.rfind("fuzz.toml:", 0) != 0 || e.line() < 0) std::abort();
    // Valid UTF-8 (U+FFFD marks stray bytes of the file) without any control character.
    const std::u32string decoded = pb::decode_utf8(msg);
    if (pb::encode_utf8(decoded) != msg) std::abort();
    for (char32_t c : decoded)
      if (pb::is_control_code_point(c)) std::abort();
  }
  return 0;
}
