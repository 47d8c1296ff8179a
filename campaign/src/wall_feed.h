// SPDX-License-Identifier: Apache-2.0
// What the wall shows, built from the ledger's pledges: pure functions, no I/O, so the rule
// "only shared, not hidden, of this event" is one function with its own tests.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "hidden_watch.h"
#include "pb/ledger.h"

namespace pb::campaign {

struct WallItem {
  std::string id;
  std::string first_name;
  std::string answer;
  std::int64_t created_ms = 0;
  bool photo = false;
};

struct WallFeed {
  std::int64_t count = 0;         // every pledge at the event (a number names no one)
  bool withheld = false;          // the hidden list cannot be read: no photo, name or answer
  std::vector<WallItem> photos;   // newest first: [0] is shown large
  std::vector<WallItem> answers;  // newest first, non-empty answers
};

// 36 characters of lowercase hex and dashes in the UUID layout.
bool is_pledge_id(const std::string& s);
// Whether a pledge's photo may be on the wall: this event, share consent, a photo, and a
// hidden list that could be read and does not hold it.
bool photo_on_wall(const store::Pledge& p, const std::string& event, const HiddenPhotos& hidden);
// Whether a pledge's first name and answer may be on the wall: this event, share consent,
// and a hidden list that could be read and does not hold it.
bool words_on_wall(const store::Pledge& p, const std::string& event, const HiddenPhotos& hidden);
// Adds one pledge of the event to what the feed shows, the pledges coming newest first;
// true once the feed shows all it can (max_photos photos and max_answers answers), so a
// reader stops there. Counts nothing: feed.count comes from the ledger's kept counts.
bool add_to_feed(WallFeed& feed, const store::Pledge& p, const std::string& event,
                 const HiddenPhotos& hidden, int max_photos, int max_answers);
// pledges oldest first (as Ledger::list_pledges returns them); counts them too.
WallFeed build_feed(const std::vector<store::Pledge>& pledges, const std::string& event,
                    const HiddenPhotos& hidden, int max_photos, int max_answers);
// The JSON the page reads (documented in docs/METADATA.md, "The wall's JSON").
std::string feed_json(const WallFeed& feed, std::int64_t seq, const std::string& event_id,
                      const std::string& event_name, const std::string& page_url);
// An SVG of a QR code (libqrencode, level M, 4-module quiet zone); "" when text is too long.
std::string qr_svg(const std::string& text);

}  // namespace pb::campaign
