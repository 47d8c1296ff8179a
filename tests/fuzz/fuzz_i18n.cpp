// SPDX-License-Identifier: Apache-2.0
// String tables: any TOML text is added or refused with a message, and every string it
// holds formats with placeholders (also ones whose values hold placeholders) and ends.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "pb/i18n.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  pb::kiosk::Strings strings;
  pb::Status s = strings.add("en", text, "fuzz.toml");
  if (!s) {
    if (s.message().empty()) std::abort();
    return 0;
  }
  const std::vector<std::pair<std::string, std::string>> args = {
      {"n", "{n}{n}"}, {"event", "{n}"}, {"", "{}"}, {"name", std::string(64, '{')}};
  for (const auto& key : strings.keys("en")) {
    const std::string& raw = strings.get("en", key);
    const std::string out = strings.format("en", key, args);
    // Each placeholder grows the text by a bounded amount: no replacement is re-expanded.
    if (out.size() > raw.size() * 70 + 70) std::abort();
  }
  // fill() on the raw bytes, with the bytes as a value too.
  const std::string filled = pb::kiosk::fill(text, {{"a", text}, {"b", "{a}"}});
  if (filled.size() > text.size() * (text.size() + 4) + 16) std::abort();
  return 0;
}
