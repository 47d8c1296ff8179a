// SPDX-License-Identifier: Apache-2.0
// "About your data" and REVIEW's choices as this booth's config makes them (pb/consent_text.h):
// the panel rendered for booths that upload nothing, upload without a public link, publish a
// link, and have a wall. What each booth then really sends is tested end to end in
// tests/kiosk/consent_e2e_test.cpp.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "pb/config.h"
#include "pb/consent_text.h"
#include "pb/i18n.h"

using namespace pb::kiosk;

namespace {

const std::string kEvent =
    "[event]\norganiser = \"UN Women Korea\"\nprivacy_contact = \"privacy@example.org\"\n"
    "keep_months = 12\n";
const std::string kArchive =
    "[[upload.targets]]\nname = \"archive\"\nkind = \"file\"\npath = \"/media/archive\"\n";
const std::string kPublic =
    "[[upload.targets]]\nname = \"public\"\nkind = \"file\"\npath = \"/srv/public\"\n";
const std::string kLink =
    "public_base_url = \"https://photos.example.org/p\"\npublic_target = \"public\"\n";

pb::config::Config booth(const std::string& event_extra, const std::string& rest) {
  return pb::config::parse_config(kEvent + event_extra + rest, "booth.toml");
}

const Strings& strings() {
  static const Strings s = [] {
    auto loaded = Strings::load(pb::config::assets_dir() + "/i18n");
    REQUIRE(loaded);
    return std::move(*loaded);
  }();
  return s;
}

// The panel as one text, a line per sentence.
std::string rendered(const pb::config::Config& c, const std::string& locale = "en") {
  std::string out;
  for (const auto& section : about_data_panel(c, strings(), locale)) {
    out += section.title + "\n";
    for (const auto& line : section.lines) out += "  " + line + "\n";
  }
  return out;
}

bool says(const std::string& panel, const std::string& key) {
  const std::string sentence = strings().format(
      "en", key,
      {{"organiser", "UN Women Korea"}, {"months", "12"}, {"contact", "privacy@example.org"}});
  return panel.find(sentence) != std::string::npos;
}

}  // namespace

TEST_CASE("about your data with uploads off says nothing leaves and nothing personal is kept",
          "[kiosk][consent]") {
  const auto c = booth("", "[upload]\nenabled = false\n" + kArchive);
  const DataUses u = data_uses(c);
  CHECK_FALSE(u.any_choice());
  CHECK_FALSE(u.counts);
  const std::string panel = rendered(c);
  INFO(panel);
  CHECK(says(panel, "consent.sent_nothing"));
  CHECK_FALSE(says(panel, "consent.sent_campaign"));
  CHECK_FALSE(says(panel, "consent.sent_counts"));
  CHECK(says(panel, "consent.kept_photo_never"));
  CHECK(says(panel, "consent.kept_no_words"));
  CHECK(says(panel, "consent.kept_count"));
  CHECK_FALSE(says(panel, "data.keep"));  // nothing leaves: no period to state
  CHECK(panel.find("privacy@example.org") == std::string::npos);  // nothing to take back
}

TEST_CASE("about your data with uploads on and no public link names the organiser only",
          "[kiosk][consent]") {
  const auto c = booth("", kArchive);
  const DataUses u = data_uses(c);
  CHECK(u.campaign);
  CHECK_FALSE(u.link);
  CHECK_FALSE(u.wall);
  CHECK(u.counts);  // the tally documents go to the archive
  const std::string panel = rendered(c);
  INFO(panel);
  CHECK(says(panel, "consent.sent_campaign"));
  CHECK(says(panel, "consent.sent_counts"));
  CHECK_FALSE(says(panel, "consent.sent_link"));
  CHECK_FALSE(says(panel, "consent.sent_wall"));
  CHECK_FALSE(says(panel, "consent.sent_nothing"));
  CHECK(says(panel, "consent.kept_photo"));
  CHECK(says(panel, "consent.kept_words"));
  CHECK(says(panel, "data.keep"));
  CHECK(says(panel, "data.withdraw"));
  // Without tallies or a heartbeat, no count leaves either, and the panel says so.
  const auto quiet = booth("", "[upload]\ntallies = false\n" + kArchive);
  CHECK_FALSE(data_uses(quiet).counts);
  CHECK_FALSE(says(rendered(quiet), "consent.sent_counts"));
  const auto beat =
      booth("", "[upload]\ntallies = false\n[status]\nurl = \"https://fleet.example.org/b\"\n" +
                    kArchive);
  CHECK(says(rendered(beat), "consent.sent_counts"));
}

TEST_CASE("about your data with a public link says the photo goes online for him",
          "[kiosk][consent]") {
  const auto c = booth(kLink, kArchive + kPublic);
  const DataUses u = data_uses(c);
  CHECK(u.campaign);
  CHECK(u.link);
  const std::string panel = rendered(c);
  INFO(panel);
  CHECK(says(panel, "consent.sent_campaign"));
  CHECK(says(panel, "consent.sent_link"));
  CHECK_FALSE(says(panel, "consent.sent_wall"));
  // Only the public target: the link is offered, campaign use is not (nothing would reach
  // the organiser but the public copy), and no name or words are kept.
  const auto only_public = booth(kLink, kPublic);
  CHECK_FALSE(data_uses(only_public).campaign);
  CHECK(data_uses(only_public).link);
  const std::string link_panel = rendered(only_public);
  INFO(link_panel);
  CHECK_FALSE(says(link_panel, "consent.sent_campaign"));
  CHECK(says(link_panel, "consent.sent_link"));
  CHECK(says(link_panel, "consent.kept_no_words"));
}

TEST_CASE("about your data with a wall and no uploads keeps everything on the booth",
          "[kiosk][consent]") {
  const auto c = booth("wall = true\n", "[upload]\nenabled = false\n");
  const DataUses u = data_uses(c);
  CHECK(u.wall);
  CHECK_FALSE(u.campaign);
  CHECK_FALSE(u.link);
  const std::string panel = rendered(c);
  INFO(panel);
  CHECK(says(panel, "consent.sent_wall"));
  CHECK_FALSE(says(panel, "consent.sent_campaign"));
  CHECK_FALSE(says(panel, "consent.sent_counts"));
  CHECK(says(panel, "consent.kept_words"));
  CHECK_FALSE(says(panel, "data.keep"));
  CHECK(says(panel, "consent.withdraw_booth"));  // deleted from this booth, not "online"
  CHECK_FALSE(says(panel, "data.withdraw"));
}

TEST_CASE("about your data reads the same in every language with nothing left unfilled",
          "[kiosk][consent][i18n]") {
  const std::vector<pb::config::Config> booths = {
      booth("", "[upload]\nenabled = false\n"), booth("", kArchive),
      booth(kLink, kArchive + kPublic), booth("wall = true\n", kArchive + kPublic)};
  for (const auto& c : booths) {
    const auto en = about_data_panel(c, strings(), "en");
    for (const std::string& locale : strings().locales()) {
      INFO(locale);
      const auto panel = about_data_panel(c, strings(), locale);
      REQUIRE(panel.size() == en.size());
      for (std::size_t i = 0; i < panel.size(); ++i) {
        CHECK(panel[i].lines.size() == en[i].lines.size());
        for (const auto& line : panel[i].lines) {
          INFO(line);
          CHECK(line.find('{') == std::string::npos);
          CHECK(line.find("consent.") == std::string::npos);  // a missing key shows itself
        }
      }
      for (const char* use : {"campaign", "wall", "link"}) {
        const std::string text = choice_text(c, strings(), locale, use);
        CHECK(text.find('{') == std::string::npos);
        CHECK(text.find("consent.") == std::string::npos);
      }
    }
  }
  // The event's own wording for campaign use, per language.
  auto c = booth("consent_text = { ko = \"{organiser}에 보냅니다\" }\n", kArchive);
  CHECK(choice_text(c, strings(), "ko", "campaign") == "UN Women Korea에 보냅니다");
  CHECK(choice_text(c, strings(), "en", "campaign") ==
        strings().format("en", "consent.campaign", {{"organiser", "UN Women Korea"}}));
}
