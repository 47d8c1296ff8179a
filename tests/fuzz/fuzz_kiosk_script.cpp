// SPDX-License-Identifier: Apache-2.0
// Kiosk script parser: any bytes end as steps with sane values or an error naming the line.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "pb/kiosk_script.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto steps = pb::kiosk::parse_script(text, "fuzz.script");
  if (!steps) {
    if (steps.status().message().rfind("fuzz.script:", 0) != 0) std::abort();
    return 0;
  }
  int last_line = 0;
  for (const auto& s : *steps) {
    if (s.line <= last_line) std::abort();  // one step per line, in order
    last_line = s.line;
    if (!std::isfinite(s.seconds) || s.seconds < 0) std::abort();
    if (!std::isfinite(s.x) || !std::isfinite(s.y)) std::abort();
  }
  return 0;
}
