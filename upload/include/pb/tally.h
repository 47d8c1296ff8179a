// SPDX-License-Identifier: Apache-2.0
// Tally documents: each booth's counts per event, kept on every target at
// <prefix>/<event>/_booths/<booth>.json (docs/METADATA.md, "Tally documents"). Counts only:
// no names, photos or pledge ids. Written by the upload engine when pledges come in,
// read back by `pledgebooth tally`.
#pragma once

#include <atomic>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pb/config.h"
#include "pb/status.h"
#include "pb/tally_counts.h"

namespace pb::upload {

inline constexpr int kTallySchemaVersion = 1;
// A tally document larger than this is not read (a real one is a few KB).
inline constexpr std::size_t kMaxTallyDocument = 256 * 1024;

// <prefix>/<event>/_booths/<booth>.json (no prefix → no leading '/'); only [A-Za-z0-9._~/-].
std::string tally_key(const std::string& prefix, const std::string& event,
                      const std::string& booth);
// The JSON document of one booth's counts for one event.
std::string tally_document(const store::TallyCounts& counts);
// Reads a document back. nullopt (and why in *error) when it is too large, not JSON, of
// another schema, when any count is missing, negative, not an integer or over
// store::kMaxBoothPledges (10^7: no booth takes more, and so no sum of documents overflows),
// when a day is no yyyy-mm-dd, or when the booth, the event or a key of answers or locales
// holds a control character (a newline in a name would forge lines in `tally`'s output).
std::optional<store::TallyCounts> parse_tally_document(std::string_view text,
                                                       std::string* error = nullptr);

// a + b, held at the largest (or smallest) int64 instead of wrapping: every sum of counts
// read from documents goes through it.
std::int64_t saturating_add(std::int64_t a, std::int64_t b);

// One event of a campaign: the sum of its booths' documents (saturating), and the documents.
struct EventTally {
  store::TallyCounts sum;                         // no booth; newest_ms is the newest of all
  std::vector<const store::TallyCounts*> booths;  // pointers into the documents passed in
};
std::map<std::string, EventTally> tally_by_event(const std::vector<store::TallyCounts>& documents);
// pledges, with_photo and shared summed over every event (saturating).
store::DayCounts tally_total(const std::map<std::string, EventTally>& events);

// Every booth's tally document on one target, as `pledgebooth tally` reads them.
struct CampaignTally {
  std::vector<store::TallyCounts> documents;  // by event, then booth
  // Documents not counted: (key, why) — missing, too large, malformed, of another booth.
  std::vector<std::pair<std::string, std::string>> skipped;
  std::int64_t requests = 0;  // HTTP requests made (0 for a folder)
};

// Whether read_campaign_tally can read this target (a folder, s3, webdav; not a webhook).
bool can_read_tally(const config::UploadTarget& target);

// Lists <prefix>/ for the events and <prefix>/<event>/_booths/ for the documents (S3
// ListObjectsV2 with pagination, WebDAV PROPFIND Depth 1, a folder's entries), then reads
// each document, `parallel` GETs at a time on one curl multi handle. A document that is
// missing, larger than kMaxTallyDocument or malformed is skipped and named; a document is
// also skipped when the event or booth inside it differs from its key, and an event whose
// `_booths` cannot be listed (on a folder: one that is a symlink, which is not followed) is
// named and left out. Fails (kRejected, kUnavailable, kInvalid for a webhook) only when the
// target cannot be listed at all or stops answering. No read blocks without a deadline:
// HTTP requests have theirs, folder files are opened O_NONBLOCK and must be regular files.
// libcurl must be initialised.
Result<CampaignTally> read_campaign_tally(const config::UploadTarget& target, int parallel = 8);

// The documents of one event only, as the booth reads them for its campaign count: lists
// <prefix>/<event>/_booths/ and reads at most max_documents of them (the first in the
// listing; the rest are skipped and named as one entry), with the same bounds and checks as
// read_campaign_tally. An absent folder is an empty result. When *cancel turns true every
// request ends within about a second and the call fails (kUnavailable, "cancelled").
Result<CampaignTally> read_event_tally(
    const config::UploadTarget& target, const std::string& event, int parallel = 4,
    std::size_t max_documents = static_cast<std::size_t>(store::kMaxCampaignBooths),
    const std::atomic<bool>* cancel = nullptr);

// What the documents of `event` from booths other than own_booth add up to: their pledges
// and how many of them have any. A document of another event or of own_booth is left out
// (this booth counts from its own ledger); so is one claiming more than
// store::kMaxBoothPledges, and any beyond store::kMaxCampaignBooths. The sum cannot
// overflow: it is at most kMaxCampaignBooths × kMaxBoothPledges.
store::CampaignCount campaign_count_of(const std::vector<store::TallyCounts>& documents,
                                       const std::string& event, const std::string& own_booth,
                                       std::int64_t fetched_ms);

}  // namespace pb::upload
