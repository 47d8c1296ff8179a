// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: wall-hidden.txt as a volunteer's editor (or anyone who can write the
// data dir) may leave it, through the wall's lenient parser (campaign/src/hidden_photos.cpp).
// Invariants: no crash or hang; every id it returns is a pledge id in lower case; each one
// comes from a line of the text; the list the wall writes back reads the same.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "pb/wall.h"
#include "wall_feed.h"

using namespace pb;

namespace {

void check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "fuzz_hidden_list: invariant broken: %s\n", what);
  std::abort();  // libFuzzer saves the input
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto ids = campaign::parse_hidden(text);
  const std::string folded = lower(text);
  std::string written;
  for (const auto& id : ids) {
    check(campaign::is_pledge_id(id), "an id that is no lower-case pledge id");
    check(folded.find(id) != std::string::npos, "an id that is not in the text");
    written += id + "\n";
  }
  check(campaign::parse_hidden(written) == ids, "the list written back reads differently");
  return 0;
}
