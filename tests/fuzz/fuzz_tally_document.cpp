// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: a tally document as any booth of a campaign can write it, through the
// parser every reader uses (upload/src/tally.cpp) and the campaign's sums. Invariants: no
// crash, overflow (UBSan) or hang; a refusal always says why; an accepted document has every
// count in 0..10^7 and no control character in any name; its sums saturate instead of
// wrapping; written back and read again it is the same document.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "pb/tally.h"
#include "pb/utf8.h"

using namespace pb;

namespace {

void check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "fuzz_tally_document: invariant broken: %s\n", what);
  std::abort();  // libFuzzer saves the input
}

bool in_bounds(std::int64_t n) {
  return n >= 0 && n <= store::kMaxBoothPledges;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string why;
  const auto doc = upload::parse_tally_document(text, &why);
  if (!doc) {
    check(!why.empty(), "a refusal without a reason");
    return 0;
  }
  check(in_bounds(doc->pledges) && in_bounds(doc->with_photo) && in_bounds(doc->shared),
        "a count out of bounds");
  check(is_clean_text(doc->booth) && is_clean_text(doc->event), "a name with control characters");
  for (const auto* m : {&doc->answers, &doc->locales})
    for (const auto& [k, v] : *m) {
      check(in_bounds(v), "an answer or locale count out of bounds");
      check(is_clean_text(k), "a key with control characters");
    }
  for (const auto& [day, d] : doc->days) {
    check(day.size() == 10 && is_clean_text(day), "a day that is no yyyy-mm-dd");
    check(in_bounds(d.pledges) && in_bounds(d.with_photo) && in_bounds(d.shared),
          "a day's count out of bounds");
  }
  // A campaign of many copies: the sums only grow, up to the int64 ceiling.
  std::vector<store::TallyCounts> docs(2000, *doc);
  const auto events = upload::tally_by_event(docs);
  check(events.size() == 1, "one event expected");
  const store::DayCounts total = upload::tally_total(events);
  check(total.pledges >= doc->pledges && total.shared >= doc->shared, "a sum that shrank");
  // Written back by the booth's own writer, it reads the same.
  const auto again = upload::parse_tally_document(upload::tally_document(*doc), &why);
  check(again.has_value(), "the document written back does not read");
  check(again->pledges == doc->pledges && again->answers == doc->answers &&
            again->locales == doc->locales && again->days.size() == doc->days.size() &&
            again->booth == doc->booth && again->event == doc->event,
        "the document written back reads differently");
  return 0;
}
