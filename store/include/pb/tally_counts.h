// SPDX-License-Identifier: Apache-2.0
// The counts a booth publishes per event (its tally document, docs/METADATA.md): counts of
// every pledge in the ledger, shared or not, and nothing that names or shows anyone.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
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

// --- the campaign-wide count: this booth's pledges plus the other booths' documents ---

// A booth's document claiming more pledges than this is not believed (a booth takes one
// pledge every half minute at best: ~3,000 a day), nor a campaign sum above the second.
inline constexpr std::int64_t kMaxBoothPledges = 10'000'000;
inline constexpr std::int64_t kMaxCampaignPledges = 1'000'000'000;
// Booths of one event counted at most (documents read beyond it are skipped and named).
inline constexpr std::int64_t kMaxCampaignBooths = 1000;

// What ATTRACT and THANKS may show instead of this booth's own count.
struct CampaignFigure {
  std::int64_t pledges = 0;  // at the event, on every booth (this one's own count included)
  std::int64_t booths = 0;   // this booth and the others with a pledge there (>= 2)
};

// How old a kept count may be and still be shown: three reads missed in a row, and at least
// 15 minutes (a booth that restarts shows it at once; one offline for longer shows its
// own count again, as it did before any read).
std::int64_t campaign_max_age_ms(int interval_s);

// Whether a kept count may be shown now: of `event`, at most max_age_ms old, not fetched
// more than a minute in the future (the clock jumped back since), its numbers in bounds
// (not negative, at most kMaxCampaignBooths booths and kMaxCampaignPledges pledges, at least
// one pledge per booth).
bool campaign_count_fresh(const CampaignCount& kept, const std::string& event, std::int64_t now_ms,
                          std::int64_t max_age_ms);

// The figure from a fresh count and this booth's own pledges at the event (from its own
// ledger, never from its possibly older document): booths are the other booths plus this
// one once it has a pledge. nullopt, meaning "show the booth's own count", when fewer than
// two booths have pledges or own_pledges is out of bounds; so a figure always reads
// "N men … across M booths" with N, M >= 2.
std::optional<CampaignFigure> campaign_figure(const CampaignCount& fresh, std::int64_t own_pledges);

}  // namespace pb::store
