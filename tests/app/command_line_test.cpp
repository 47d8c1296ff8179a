// SPDX-License-Identifier: Apache-2.0
// The command line as an operator types it: options before or after the subcommand, and
// usage errors that exit 2 with the usage line (the real `pledgebooth` binary).
#include <catch2/catch.hpp>

#include <cctype>
#include <sstream>
#include <string>

#include "test_support.h"

using pb::test::run_pledgebooth;

namespace {

std::string write_config(const pb::test::TempDir& dir) {
  const std::string path = dir / "booth.toml";
  pb::test::write_file(path,
                       "[event]\nid = \"options-fair\"\nname = \"Options fair\"\n"
                       "[storage]\ndata_dir = \"" +
                           (dir / "data") + "\"\nmin_free_mb = 1\n[upload]\nenabled = false\n");
  return path;
}

}  // namespace

TEST_CASE("the config option is accepted before or after the subcommand", "[app][cli]") {
  pb::test::TempDir dir("pbopts");
  const std::string cfg = write_config(dir);
  REQUIRE(
      run_pledgebooth({"add-test-pledges", "2", "--photo-kb", "0", "--config", cfg}).exit_code ==
      0);
  const auto before = run_pledgebooth({"--config", cfg, "stats", "--json"});
  const auto after = run_pledgebooth({"stats", "--json", "--config", cfg});
  const auto between = run_pledgebooth({"stats", "--config", cfg, "--json"});
  INFO(before.output << "\n---\n" << after.output << "\n---\n" << between.output);
  REQUIRE(before.exit_code == 0);
  REQUIRE(after.exit_code == 0);
  REQUIRE(between.exit_code == 0);
  CHECK(before.output.find("\"event\":\"options-fair\",\"pledges\":2") != std::string::npos);
  CHECK(after.output == before.output);
  CHECK(between.output == before.output);
  // export and delete too.
  const auto exported = run_pledgebooth({"export", "--csv", dir / "out.csv", "--config", cfg});
  INFO(exported.output);
  CHECK(exported.exit_code == 0);
  CHECK(pb::test::read_file(dir / "out.csv").find("options-fair") != std::string::npos);
  const auto deleted = run_pledgebooth({"delete", "no-such-id", "--config", cfg});
  CHECK(deleted.exit_code != 0);
  CHECK(deleted.output.find("not expected") == std::string::npos);
}

TEST_CASE("the config option after a subcommand of the booth binary reaches it", "[app][cli]") {
  pb::test::TempDir dir("pbopts-booth");
  const std::string cfg = dir / "booth.toml";
  // A broken config must be named whichever side of the subcommand --config stands.
  pb::test::write_file(cfg, "[booth]\ncountdown_s = \"three\"\n");
  for (const auto& args : {std::vector<std::string>{"--config", cfg, "doctor"},
                           std::vector<std::string>{"doctor", "--config", cfg}}) {
    const auto r = run_pledgebooth(args);
    INFO(r.output);
    CHECK(r.exit_code == 2);
    CHECK(r.output.find("booth.toml:2") != std::string::npos);
  }
}

TEST_CASE("usage errors exit 2 with the usage line", "[app][cli]") {
  for (const auto& args : {std::vector<std::string>{"stats", "--no-such-flag"},
                           std::vector<std::string>{"no-such-command"}, std::vector<std::string>{},
                           std::vector<std::string>{"delete"}}) {
    const auto r = run_pledgebooth(args);
    INFO(r.output);
    CHECK(r.exit_code == 2);
    CHECK(r.output.find("usage: pledgebooth [--config booth.toml] <command>") != std::string::npos);
  }
  const auto help = run_pledgebooth({"--help"});
  CHECK(help.exit_code == 0);
  CHECK(help.output.find("stats") != std::string::npos);
}

TEST_CASE("--help lists every command in one style and hides add-test-pledges", "[app][cli]") {
  const auto help = run_pledgebooth({"--help"});
  REQUIRE(help.exit_code == 0);
  INFO(help.output);
  CHECK(help.output.find("add-test-pledges") == std::string::npos);
  // Each command line under "Subcommands:": name, then a lower-case description that does
  // not end in a full stop.
  const auto at = help.output.find("Subcommands:");
  REQUIRE(at != std::string::npos);
  std::istringstream lines(help.output.substr(at));
  std::string line;
  std::getline(lines, line);
  int commands = 0;
  while (std::getline(lines, line) && !line.empty()) {
    INFO(line);
    std::istringstream words(line);
    std::string name, first;
    words >> name >> first;
    REQUIRE_FALSE(first.empty());  // every command is described
    CHECK(std::islower(static_cast<unsigned char>(first[0])));
    CHECK(line.back() != '.');
    ++commands;
  }
  CHECK(commands >= 8);  // stats export delete upload tally wall kiosk snap doctor hash-pin
  for (const char* name : {"stats", "upload", "kiosk", "doctor", "hash-pin", "wall"})
    CHECK(help.output.find(std::string("\n  ") + name) != std::string::npos);
  // The hidden command still explains itself when asked directly.
  const auto add = run_pledgebooth({"add-test-pledges", "--help"});
  CHECK(add.exit_code == 0);
  CHECK(add.output.find("tests and benchmarks") != std::string::npos);
}
