// SPDX-License-Identifier: Apache-2.0
// What THANKS promises a participant: the photo link (only when it will work) and a short
// pledge reference to quote when withdrawing. Pure functions, unit-tested.
#pragma once

#include <algorithm>
#include <string>

#include "pb/config.h"
#include "pb/ledger.h"

namespace pb::kiosk {

// Whether THANKS may offer a QR code to the photo's future public URL: only when an enabled
// upload target is declared to publish under public_base_url ([event] public_target).
// Otherwise the campaign page, so a participant never scans a link that will not work.
inline bool photo_link_published(const config::Config& c) {
  if (c.event.public_base_url.empty() || c.event.public_target.empty() || !c.upload.enabled)
    return false;
  return std::any_of(
      c.upload.targets.begin(), c.upload.targets.end(),
      [&](const config::UploadTarget& t) { return t.name == c.event.public_target; });
}

// The short pledge reference THANKS shows ("7F3A-9C21"): store::pledge_reference, which
// `pledgebooth delete REF` and ADMIN's "Delete a pledge by reference" read back.
inline std::string pledge_reference(const std::string& id) {
  return store::pledge_reference(id);
}

}  // namespace pb::kiosk
