// SPDX-License-Identifier: Apache-2.0
// What THANKS promises a participant: the photo link (only when it will work) and a short
// pledge reference to quote when withdrawing. Pure functions, unit-tested.
#pragma once

#include <algorithm>
#include <cctype>
#include <string>

#include "pb/config.h"

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

// A short pledge reference a participant can read out or type: the last 8 hex digits of
// the id (the random part of a UUIDv7) as "7F3A-9C21". A volunteer finds the full id by it
// (pledgebooth export lists every id).
inline std::string pledge_reference(const std::string& id) {
  std::string hex;
  for (char c : id)
    if (std::isxdigit(static_cast<unsigned char>(c)))
      hex += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (hex.size() < 8) return hex;
  hex = hex.substr(hex.size() - 8);
  return hex.substr(0, 4) + "-" + hex.substr(4);
}

}  // namespace pb::kiosk
