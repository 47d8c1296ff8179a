// SPDX-License-Identifier: Apache-2.0
// Retention ([event] keep_months): what the booth keeps of a pledge past that age. Its photo,
// name and own words go, delivered or not (the booth is not the archive); the row stays, so
// the pledge still counts, with its quick pick for the tally. The running booth does it on
// its own (kiosk back office); `pledgebooth purge` does it on demand and also removes the
// remote copies it knows of. Time comes from a Clock (pb/clock.h), so tests move it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "pb/ledger.h"

namespace pb::store {

class Clock;

// Undelivered pledges are warned about this long before they expire.
inline constexpr std::int64_t kExpiryWarningMs = 7 * 24 * 3600 * 1000LL;

// The time before which pledges are past keep_months calendar months (UTC), counted back
// from now_ms; 0 (nothing is) when keep_months <= 0.
std::int64_t retention_cutoff_ms(std::int64_t now_ms, int keep_months);

// Whether an answer as saved is a quick pick (kept) rather than own words (removed).
using IsPick = std::function<bool(const std::string& answer)>;

// What retention takes from one pledge.
struct Expiry {
  Pledge pledge;
  bool photo = false, name = false, words = false;
  int undelivered = 0;  // outbox rows that will never be sent now
  int delivered = 0;    // remote copies (purge removes them; the booth leaves them)
};

// The pledges past keep_months (as the ledger's clock says now) and what goes of each. With
// `delivered`, also pledges whose only remains are delivered copies (purge's view).
Result<std::vector<Expiry>> retention_plan(Ledger& ledger, int keep_months, const IsPick& is_pick,
                                           bool delivered);

// Expires every pledge of the plan on this booth (delivered copies stay recorded). Returns
// how many pledges were expired; the first failure stops it (the rest waits for the next
// run).
Result<std::int64_t> enforce_retention(Ledger& ledger, int keep_months, const IsPick& is_pick);

// Pledges not yet uploaded that expire within kExpiryWarningMs: ADMIN and doctor warn.
Result<std::int64_t> undelivered_expiring_soon(Ledger& ledger, int keep_months);

// One line for a person: "photo, name and words, 1 upload not sent" (purge prints it).
std::string describe(const Expiry& e);

}  // namespace pb::store
