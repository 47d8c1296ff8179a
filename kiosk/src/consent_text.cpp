// SPDX-License-Identifier: Apache-2.0
// The booth's uses of a pledge from its config, and the panel that tells them (consent_text.h).
#include "pb/consent_text.h"

#include "pb/thanks_info.h"
#include "pb/uploader.h"

namespace pb::kiosk {

DataUses data_uses(const config::Config& c) {
  DataUses u;
  u.campaign = c.upload.enabled && !upload::upload_targets_for(c, true, false).empty();
  u.wall = c.event.wall;
  u.link = photo_link_published(c);
  u.counts =
      (c.upload.enabled && c.upload.tallies && !c.upload.targets.empty()) || !c.status.url.empty();
  return u;
}

std::string organiser_name(const config::Config& c, const Strings& strings,
                           const std::string& locale) {
  return c.event.organiser.empty() ? strings.get(locale, "data.organiser_default")
                                   : c.event.organiser;
}

std::string choice_text(const config::Config& c, const Strings& strings, const std::string& locale,
                        const std::string& use) {
  const std::vector<std::pair<std::string, std::string>> args = {
      {"organiser", organiser_name(c, strings, locale)}};
  if (use == "campaign")
    if (auto it = c.event.consent_text.find(locale);
        it != c.event.consent_text.end() && !it->second.empty())
      return fill(it->second, args);
  return strings.format(locale, "consent." + use, args);
}

std::vector<PanelSection> about_data_panel(const config::Config& c, const Strings& strings,
                                           const std::string& locale) {
  const DataUses u = data_uses(c);
  const std::string who = organiser_name(c, strings, locale);
  const auto tr = [&](const std::string& key,
                      std::vector<std::pair<std::string, std::string>> args = {}) {
    args.emplace_back("organiser", who);
    return strings.format(locale, key, args);
  };
  std::vector<PanelSection> panel;

  PanelSection sent{tr("consent.sent_title"), {}};
  if (u.campaign) sent.lines.push_back(tr("consent.sent_campaign"));
  if (u.wall) sent.lines.push_back(tr("consent.sent_wall"));
  if (u.link) sent.lines.push_back(tr("consent.sent_link"));
  if (u.counts) sent.lines.push_back(tr("consent.sent_counts"));
  if (sent.lines.empty()) sent.lines.push_back(tr("consent.sent_nothing"));
  panel.push_back(std::move(sent));

  if (u.campaign || u.link)  // what went out is kept there
    panel.push_back({tr("data.keep_title"),
                     {c.event.keep_months > 0
                          ? tr("data.keep", {{"months", std::to_string(c.event.keep_months)}})
                          : tr("data.keep_ask")},
                     0});

  // Nothing personal without a purpose: a photo only for a use ticked, a name and words only
  // for (a) or (b); the count and a picked answer, without his name, always.
  panel.push_back({tr("consent.kept_title"),
                   {tr(u.any_choice() ? "consent.kept_photo" : "consent.kept_photo_never"),
                    tr(u.campaign || u.wall ? "consent.kept_words" : "consent.kept_no_words"),
                    tr("consent.kept_count")},
                   1});

  if (u.any_choice()) {  // without a choice the booth keeps nothing that is his to take back
    const std::string contact =
        c.event.privacy_contact.empty() ? c.event.page_url : c.event.privacy_contact;
    panel.push_back({tr("data.withdraw_title"),
                     {tr(u.campaign || u.link ? "data.withdraw" : "consent.withdraw_booth",
                         {{"contact", contact}})},
                     1});
  }
  return panel;
}

}  // namespace pb::kiosk
