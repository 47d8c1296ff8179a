// SPDX-License-Identifier: Apache-2.0
// Pledges for the wall and heartbeat tests, saved through the real Ledger API, with real
// JPEGs of the booth's sign (photo::Composer over a drawn scene) when a test shows them.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pb/ledger.h"
#include "pb/wall.h"

namespace pb::test {

// A composed booth photo (1080x1350 JPEG) of a drawn "participant" with the sign showing
// name and answer; hue (0..179) varies the scene.
std::vector<std::uint8_t> booth_photo(const std::string& name, const std::string& answer, int hue);

struct TestPledge {
  std::string name;
  std::string answer;
  bool consent = true;                      // (a) campaign use
  std::optional<bool> wall = std::nullopt;  // (b) the projector wall; unset: as consent
  bool photo = true;
  bool real_jpeg = false;  // false: a few KB of bytes, enough for the server tests
  std::string event = "wall-test";
};
// Saves it (REQUIREs success) and returns the saved pledge.
store::Pledge save_test_pledge(store::Ledger& ledger, const TestPledge& p,
                               const std::vector<std::string>& targets = {});

// booth.toml for `pledgebooth wall` and the heartbeat: event wall-test, data in data_dir.
std::string wall_config(const std::string& data_dir, const std::string& extra = "");

// A wall in this process for the same event: 127.0.0.1, any free port, data in data_dir.
campaign::WallOptions wall_options(const std::string& data_dir);

// A TCP client to 127.0.0.1:port from a chosen loopback address (127.0.0.2 … are other
// clients to the wall), sending what a test wants, byte by byte if need be.
class RawClient {
 public:
  RawClient(const std::string& from, int port);
  ~RawClient();
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return connected_; }
  bool send(const std::string& bytes);
  // Whether the server ended the connection (EOF or reset) within timeout; what it sent
  // before goes to *got.
  bool ended_within(std::chrono::milliseconds timeout, std::string* got = nullptr);
  // What arrived until the reply's head was complete, the server hung up, or timeout.
  std::string reply(std::chrono::milliseconds timeout);

 private:
  int fd_ = -1;
  bool connected_ = false;
};

// The status of a reply's first line ("HTTP/1.1 503 …" → 503), 0 when it is none.
int status_of(const std::string& reply);

}  // namespace pb::test
