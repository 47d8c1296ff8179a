// SPDX-License-Identifier: Apache-2.0
// pb::log: one sink, levels, and a Capture that tests read lines from.
#include <catch2/catch.hpp>

#include <thread>

#include "pb/log.h"

TEST_CASE("a capture sees every line logged while it lives, exactly as written", "[log]") {
  pb::log::Capture outer;
  {
    pb::log::Capture capture;
    pb::log::info("kiosk: saving a pledge");
    pb::log::debug("details only a capture sees");
    pb::log::error("pledgebooth: camera: gone");
    CHECK(capture.lines() == std::vector<std::string>{"kiosk: saving a pledge",
                                                      "details only a capture sees",
                                                      "pledgebooth: camera: gone"});
    CHECK(capture.contains("camera: gone"));
    CHECK_FALSE(capture.contains("not logged"));
  }
  // The capture before it is the sink again.
  pb::log::warn("after");
  CHECK(outer.lines() == std::vector<std::string>{"after"});
}

TEST_CASE("lines below the level are dropped", "[log]") {
  pb::log::Capture capture;
  pb::log::set_level(pb::log::Level::kWarn);
  pb::log::info("quiet");
  pb::log::warn("loud");
  pb::log::set_level(pb::log::Level::kDebug);
  CHECK(capture.lines() == std::vector<std::string>{"loud"});
}

TEST_CASE("lines from several threads arrive whole", "[log]") {
  pb::log::Capture capture;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([t] {
      for (int i = 0; i < 100; ++i) pb::log::info("thread " + std::to_string(t) + " line");
    });
  for (auto& th : threads) th.join();
  auto lines = capture.lines();
  CHECK(lines.size() == 400);
  for (const auto& l : lines) CHECK(l.size() == std::string("thread 0 line").size());
}
