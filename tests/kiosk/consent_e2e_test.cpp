// SPDX-License-Identifier: Apache-2.0
// What leaves the booth is exactly what "About your data" says (issue 24), with the real
// booth under SDL's offscreen driver, its upload worker and real folder targets: for a booth
// that uploads nothing, one that uploads without a public link, one that publishes a link,
// and one with a wall. Two participants each: one ticks every choice this booth offers, one
// ticks none. Then every file that left is accounted for by a sentence of the panel, and
// nothing personal of the second participant is anywhere.
#include <signal.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "booth_run.h"
#include "pb/config.h"
#include "pb/consent_text.h"
#include "pb/i18n.h"
#include "pb/json.h"
#include "pb/ledger.h"
#include "test_support.h"

namespace fs = std::filesystem;
using namespace pb::kiosk;

namespace {

struct Booth {
  std::string name;
  std::string event_extra;  // lines of [event]
  std::string upload;       // the [upload] section and its targets
};

// Every regular file under root (relative), sorted; none when root is not there.
std::vector<std::string> files_in(const fs::path& root) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!fs::exists(root, ec)) return out;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec))
    if (it->is_regular_file()) out.push_back(fs::relative(it->path(), root).string());
  std::sort(out.begin(), out.end());
  return out;
}

// The participant who ticks every offered choice types a name and his own words; the other
// one picks an answer and ticks nothing.
std::string script(const DataUses& u) {
  std::string s =
      "expect attract 20\ntap attract:start\nexpect pledge\ntap pledge:agree\nexpect details\n"
      "tap key:shift\ntap key:A\ntap key:n\ntap key:a\ntap field:words\ntap key:q\ntap key:u\n"
      "tap key:x\ntap key:z\ntap details:next\nexpect photo-choice\ntap photo-choice:take\n"
      "expect review 20\n";
  if (u.campaign) s += "tap review:campaign\n";
  if (u.wall) s += "tap review:wall\n";
  if (u.link) s += "tap review:link\n";
  s += "tap review:use\nexpect thanks 20\nsettle 20\ntap thanks:done\nexpect attract 10\n";
  s += "tap attract:start\nexpect pledge\ntap pledge:agree\nexpect details\n"
       "tap key:shift\ntap key:B\ntap key:o\ntap pick:sister\ntap details:next\n"
       "expect photo-choice\ntap photo-choice:take\nexpect review 20\ntap review:use\n"
       "expect thanks 20\nsettle 20\ntap thanks:done\nexpect attract 10\nwait 600\n";
  return s;
}

const std::string kLink =
    "public_base_url = \"https://photos.example.org/p\"\npublic_target = \"public\"\n";

std::string folder_target(const std::string& name, const std::string& path) {
  return "[[upload.targets]]\nname = \"" + name + "\"\nkind = \"file\"\npath = \"" + path + "\"\n";
}

// Runs the booth with `booth`'s config and checks what left it against its panel.
void check_booth(const pb::test::TempDir& dir, const Booth& booth) {
  const std::string archive = dir / "archive", published = dir / "public";
  INFO("a booth with " << booth.name);
  const std::string data = dir / "data";
  const std::string toml =
      "[event]\nid = \"consent-fair\"\nname = \"#HeForShe\"\norganiser = \"UN Women Korea\"\n"
      "privacy_contact = \"privacy@example.org\"\nkeep_months = 12\n" +
      booth.event_extra +
      "[booth]\nid = \"booth-c\"\nidle_timeout_s = 30\nthanks_timeout_s = 20\ncountdown_s = 1\n"
      "[camera]\nsource = \"synthetic\"\nwidth = 640\nheight = 480\n[storage]\ndata_dir = \"" +
      data + "\"\nmin_free_mb = 1\n" + booth.upload;
  const pb::config::Config config = pb::config::parse_config(toml, "booth.toml");
  const DataUses uses = data_uses(config);
  auto strings = Strings::load(pb::config::assets_dir() + "/i18n");
  REQUIRE(strings);
  std::string panel;
  for (const auto& section : about_data_panel(config, *strings, "en"))
    for (const auto& line : section.lines) panel += line + "\n";
  INFO("the panel says:\n" << panel);
  const auto says = [&](const std::string& key) {
    return panel.find(strings->format("en", key, {{"organiser", "UN Women Korea"}})) !=
           std::string::npos;
  };

  pb::test::RunningBooth running(dir.path(), toml, script(uses), "consent", false);
  // Until both pledges are saved, every upload is done, and (when counts are sent) the
  // tally document counts both: events, not a fixed delay.
  const auto settled = [&] {
    if (!running.process().running()) return true;
    auto l = pb::store::Ledger::open(data, pb::store::Access::kReadOnly);
    if (!l) return false;
    auto all = (*l)->list_pledges();
    auto q = (*l)->queue_counts();
    if (!all || all->size() != 2 || !q || q->pending > 0) return false;
    if (!says("consent.sent_counts")) return true;
    for (const std::string& root : {archive, published}) {
      if (root == published && !uses.link) continue;
      const std::string doc = root + "/consent-fair/_booths/booth-c.json";
      if (!fs::exists(doc) || pb::test::read_file(doc).find("\"pledges\":2") == std::string::npos)
        return false;
    }
    return true;
  };
  const bool done = pb::test::eventually(settled, pb::test::scaled(std::chrono::seconds(120)));
  running.process().signal(SIGTERM);
  const int rc = running.process().wait(pb::test::scaled(std::chrono::seconds(20)));
  INFO(running.log());
  REQUIRE(done);
  REQUIRE(rc == 0);

  auto ledger = std::move(pb::store::Ledger::open(data).value());
  const auto pledges = ledger->list_pledges().value();
  REQUIRE(pledges.size() == 2);
  const pb::store::Pledge& ana = pledges[0];
  const pb::store::Pledge& bo = pledges[1];

  // The participant who ticked everything offered: his choices are those the panel names.
  CHECK(ana.share_consent == says("consent.sent_campaign"));
  CHECK(ana.wall_consent == says("consent.sent_wall"));
  CHECK(ana.link_consent == says("consent.sent_link"));
  CHECK(ana.consent_locale == "en");
  // Kept on the booth only for a use: the photo with any, the name and words with (a) or (b).
  CHECK(ana.photo_path.empty() == !uses.any_choice());
  CHECK((ana.first_name == "Ana") == (uses.campaign || uses.wall));
  CHECK((ana.answer == "quxz") == (uses.campaign || uses.wall));
  // The one who ticked nothing: counted with his quick pick, nothing personal kept.
  CHECK(bo.photo_path.empty());
  CHECK(bo.first_name.empty());
  CHECK(bo.answer == "For my sister");
  CHECK_FALSE(bo.share_consent);
  CHECK_FALSE(bo.wall_consent);
  CHECK_FALSE(bo.link_consent);
  std::vector<std::string> photos_kept;
  for (const auto& f : files_in(data))
    if (f.size() > 4 && f.compare(f.size() - 4, 4, ".jpg") == 0) photos_kept.push_back(f);
  CHECK(photos_kept.size() == (uses.any_choice() ? 1u : 0u));

  // What left: each file is accounted for by a sentence of the panel, and each sentence by
  // its files.
  const std::string day = pb::store::utc_date(ana.created_ms);
  const std::string ana_key = "consent-fair/" + day + "/" + ana.id;
  const std::string tally = "consent-fair/_booths/booth-c.json";
  std::set<std::string> expected_archive;
  if (says("consent.sent_campaign")) expected_archive = {ana_key + ".jpg", ana_key + ".json"};
  if (says("consent.sent_counts")) expected_archive.insert(tally);
  const auto in_archive = files_in(archive);
  CHECK(std::set<std::string>(in_archive.begin(), in_archive.end()) == expected_archive);
  std::set<std::string> expected_public;
  if (says("consent.sent_link")) expected_public = {ana_key + ".jpg", ana_key + ".json", tally};
  const auto in_public = files_in(published);
  CHECK(std::set<std::string>(in_public.begin(), in_public.end()) == expected_public);
  for (const auto& [root, files] : {std::pair{archive, in_archive}, {published, in_public}}) {
    for (const auto& f : files) {
      INFO(root << "/" << f);
      const std::string text = pb::test::read_file(root + "/" + f);
      CHECK(text.find(bo.id) == std::string::npos);  // nothing of the one who ticked nothing
      if (f == tally) {                              // counts only: no name, no words
        CHECK(text.find("Ana") == std::string::npos);
        CHECK(text.find("quxz") == std::string::npos);
      }
    }
  }
  if (says("consent.sent_campaign")) {
    const auto doc = nlohmann::json::parse(pb::test::read_file(archive + "/" + ana_key + ".json"));
    CHECK(doc["first_name"] == "Ana");  // "photo, first name and reason go to UN Women Korea"
    CHECK(doc["answer"] == "quxz");
    CHECK(doc["choices"]["campaign"] == true);
    CHECK(doc["choices"]["wall"] == ana.wall_consent);
    CHECK(doc["choices"]["link"] == ana.link_consent);
    CHECK(doc["choices"]["locale"] == "en");
  }
  if (says("consent.sent_link")) {
    const auto doc =
        nlohmann::json::parse(pb::test::read_file(published + "/" + ana_key + ".json"));
    CHECK(doc["first_name"].is_null());  // "your photo goes online": the photo, nothing more
    CHECK(doc["answer"].is_null());
    CHECK(doc["choices"]["link"] == true);
  }
  // THANKS' QR opened his own photo exactly when he asked for a link.
  CHECK(running.lines("kiosk: thanks qr: his own photo").size() == (ana.link_consent ? 1u : 0u));
  CHECK(running.lines("kiosk: thanks qr: the campaign page").size() ==
        (ana.link_consent ? 1u : 2u));
}

}  // namespace

TEST_CASE("a booth with uploads off sends nothing and keeps nothing personal as its panel says",
          "[kiosk][e2e][consent]") {
  pb::test::TempDir dir("kiosk-consent");
  check_booth(dir, {"uploads off", "",
                    "[upload]\nenabled = false\n" + folder_target("archive", dir / "archive")});
}

TEST_CASE("a booth uploading without a public link sends what its panel says and no more",
          "[kiosk][e2e][consent]") {
  pb::test::TempDir dir("kiosk-consent");
  check_booth(dir, {"uploads without a public link", "",
                    "[upload]\nenabled = true\n" + folder_target("archive", dir / "archive")});
}

TEST_CASE("a booth with a public link sends what its panel says and no more",
          "[kiosk][e2e][consent]") {
  pb::test::TempDir dir("kiosk-consent");
  check_booth(dir, {"a public link", kLink,
                    "[upload]\nenabled = true\n" + folder_target("archive", dir / "archive") +
                        folder_target("public", dir / "public")});
}

TEST_CASE("a booth with a wall and no uploads sends nothing as its panel says",
          "[kiosk][e2e][consent]") {
  pb::test::TempDir dir("kiosk-consent");
  check_booth(dir, {"a wall", "wall = true\n", "[upload]\nenabled = false\n"});
}
