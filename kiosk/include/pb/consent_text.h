// SPDX-License-Identifier: Apache-2.0
// What this booth does with a pledge, read from its config, and the words that say so: the
// choices REVIEW offers and the "About your data" panel are built here from the same facts
// the uploads and the wall act on, so the panel never promises what the booth does not do.
#pragma once

#include <string>
#include <vector>

#include "pb/config.h"
#include "pb/i18n.h"

namespace pb::kiosk {

// The uses a participant can choose on REVIEW and what leaves the booth without a choice.
struct DataUses {
  // (a) campaign use: uploads are enabled and a target other than [event] public_target
  // exists (upload::upload_targets_for): photo, first name and words go there.
  bool campaign = false;
  // (b) the projector wall: [event] wall.
  bool wall = false;
  // (c) a link for me: the photo goes to the public target and THANKS' QR opens it
  // (photo_link_published).
  bool link = false;
  // Counts without names or photos leave the booth: tally documents on the targets
  // ([upload] tallies) or the fleet heartbeat ([status] url).
  bool counts = false;
  bool any_choice() const { return campaign || wall || link; }
};
DataUses data_uses(const config::Config& config);

// The organiser as the panel and the choices name it ([event] organiser, or the locale's
// "the organiser").
std::string organiser_name(const config::Config& config, const Strings& strings,
                           const std::string& locale);

// A choice's sentence on REVIEW: "review.<use>" filled in; (a) may be worded by the event
// ([event] consent_text for the locale).
std::string choice_text(const config::Config& config, const Strings& strings,
                        const std::string& locale, const std::string& use);

// One part of the "About your data" panel: a heading and its sentences.
struct PanelSection {
  std::string title;
  std::vector<std::string> lines;
  int column = 0;  // 0: what leaves the booth and for how long; 1: what stays, taking it back
};
// The "About your data" panel in a locale: what leaves the booth (only the uses this config
// offers, and the counts when they are sent), what the booth keeps, how long, and how to
// take a pledge back — every sentence from data_uses(config), none fixed.
std::vector<PanelSection> about_data_panel(const config::Config& config, const Strings& strings,
                                           const std::string& locale);

}  // namespace pb::kiosk
