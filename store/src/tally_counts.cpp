// SPDX-License-Identifier: Apache-2.0
// Tally counts from the ledger's pledges (see pb/tally_counts.h): one pass, oldest first.
#include "pb/tally_counts.h"

#include <map>
#include <utility>

namespace pb::store {

Result<std::vector<TallyCounts>> tally_counts(
    Ledger& ledger, const std::map<std::string, std::string>& pick_of_answer) {
  auto pledges = ledger.list_pledges();
  if (!pledges) return pledges.status();
  std::map<std::pair<std::string, std::string>, TallyCounts> by;
  for (const Pledge& p : *pledges) {
    TallyCounts& t = by[{p.event, p.booth}];
    t.event = p.event;
    t.booth = p.booth;
    const bool photo = !p.photo_path.empty();
    ++t.pledges;
    t.with_photo += photo;
    t.shared += p.share_consent;
    std::string answer = "none";
    if (!p.answer.empty()) {
      auto it = pick_of_answer.find(p.answer);
      answer = it == pick_of_answer.end() ? "other" : it->second;
    }
    ++t.answers[answer];
    ++t.locales[p.locale];
    DayCounts& d = t.days[utc_date(p.created_ms)];
    ++d.pledges;
    d.with_photo += photo;
    d.shared += p.share_consent;
    if (p.created_ms > t.newest_ms) t.newest_ms = p.created_ms;
  }
  std::vector<TallyCounts> out;
  out.reserve(by.size());
  for (auto& [key, t] : by) out.push_back(std::move(t));
  return out;
}

}  // namespace pb::store
