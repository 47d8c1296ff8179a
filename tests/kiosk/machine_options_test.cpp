// SPDX-License-Identifier: Apache-2.0
// MachineOptions: the [booth] and [event] keys the machine uses take their defaults and their
// values from config (config/src/keys.cpp), and MachineOptions repeats none of them.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "pb/booth_machine.h"
#include "pb/config.h"
#include "test_support.h"

using pb::kiosk::MachineOptions;

TEST_CASE("machine options start from the declared config defaults", "[kiosk][machine]") {
  const pb::config::BoothConfig booth;
  const pb::config::EventConfig event;
  const MachineOptions o;
  CHECK(o.idle_timeout_ms == booth.idle_timeout_s * 1000);
  CHECK(o.thanks_timeout_ms == booth.thanks_timeout_s * 1000);
  CHECK(o.countdown_s == booth.countdown_s);
  CHECK(o.max_retakes == booth.max_retakes);
  CHECK(o.default_locale == booth.default_locale);
  CHECK(o.min_age == event.min_age);
  CHECK(o.consent_version == event.consent_version);
  CHECK(o.admin_enabled);  // a machine without a config (the tests') has the admin corner
}

TEST_CASE("machine options carry the booth's config", "[kiosk][machine]") {
  const pb::config::Config c = pb::config::parse_config(
      "[event]\nconsent_version = 7\nmin_age = 16\n"
      "[booth]\nidle_timeout_s = 90\nthanks_timeout_s = 20\ncountdown_s = 5\nmax_retakes = 0\n"
      "default_locale = \"ko\"\n",
      "booth.toml");
  const MachineOptions o(c.booth, c.event);
  CHECK(o.idle_timeout_ms == 90'000);
  CHECK(o.thanks_timeout_ms == 20'000);
  CHECK(o.countdown_s == 5);
  CHECK(o.max_retakes == 0);
  CHECK(o.default_locale == "ko");
  CHECK(o.min_age == 16);
  CHECK(o.consent_version == 7);
  CHECK_FALSE(o.admin_enabled);  // no admin_pin_hash: no admin corner
  pb::config::BoothConfig with_pin = c.booth;
  with_pin.admin_pin_hash = "pbkdf2-sha256$1$c2FsdA$aGFzaA";
  CHECK(MachineOptions(with_pin, c.event).admin_enabled);
}

// A default written into MachineOptions again would drift from the config's (as the two
// camera values once did): no member named after a [booth] or [event] key has an initializer.
TEST_CASE("MachineOptions declares no default of a config key again", "[kiosk][machine]") {
  std::ifstream in(pb::test::source_dir() + "/kiosk/include/pb/booth_machine.h");
  std::stringstream text;
  text << in.rdbuf();
  const std::string header = text.str();
  const auto from = header.find("struct MachineOptions {");
  REQUIRE(from != std::string::npos);
  const auto to = header.find("\n};", from);
  REQUIRE(to != std::string::npos);
  // "  Millis idle_timeout_ms = 45'000;" or "  int countdown_s{3};": a member with an initializer.
  const std::regex member(R"(^\s*[A-Za-z_][\w:<>, ]*\s(\w+)\s*(=|\{))");
  std::vector<std::string> initialised;
  std::istringstream lines(header.substr(from, to - from));
  for (std::string line; std::getline(lines, line);) {
    const auto comment = line.find("//");
    if (comment != std::string::npos) line.resize(comment);
    std::smatch m;
    if (line.find('(') == std::string::npos && std::regex_search(line, m, member))
      initialised.push_back(m[1]);
  }
  CHECK(initialised.size() >= 10);  // the machine's own (idle_warning_ms, camera_grace_ms, …)
  CHECK(std::find(initialised.begin(), initialised.end(), "camera_grace_ms") != initialised.end());
  const std::regex unit("_(s|ms|mb)$");
  for (const auto& key : pb::config::declared_keys()) {
    const auto dot = key.name.find('.');
    const std::string section = key.name.substr(0, dot);
    if (section != "booth" && section != "event") continue;
    const std::string leaf = key.name.substr(dot + 1);
    const std::string stem = std::regex_replace(leaf, unit, "");
    for (const auto& name : initialised) {
      INFO(key.name << " has its default in config/src/keys.cpp; MachineOptions::" << name
                    << " must take it from there");
      // The key's name, or with a unit of its own: idle_timeout_s as idle_timeout_ms.
      CHECK_FALSE((name == leaf || (stem != leaf && name.rfind(stem + "_", 0) == 0)));
    }
  }
}
