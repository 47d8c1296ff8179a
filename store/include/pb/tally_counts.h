// The counts a booth publishes per event (its tally document, docs/METADATA.md): counts of
// every pledge in the ledger, shared or not, and nothing that names or shows anyone.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "pb/ledger.h"
#include "pb/status.h"

namespace pb::store {

struct DayCounts {
  std::int64_t pledges = 0;
  std::int64_t with_photo = 0;
  std::int64_t shared = 0;  // with share consent
};

// One event's pledges saved under one booth id.
struct TallyCounts {
  std::string event;
  std::string booth;
  std::int64_t pledges = 0;
  std::int64_t with_photo = 0;
  std::int64_t shared = 0;
  // By answer: a quick pick's id, "other" for own words, "none" for no answer.
  std::map<std::string, std::int64_t> answers;
  std::map<std::string, std::int64_t> locales;
  std::map<std::string, DayCounts> days;  // by UTC day, yyyy-mm-dd
  std::int64_t newest_ms = 0;             // created_ms of the newest pledge counted
};

// The counts of every (event, booth) in the ledger, by event then booth. pick_of_answer maps
// an answer text as saved (a quick pick in any locale) to the pick's id; any other non-empty
// answer counts as "other".
Result<std::vector<TallyCounts>> tally_counts(
    Ledger& ledger, const std::map<std::string, std::string>& pick_of_answer);

}  // namespace pb::store
