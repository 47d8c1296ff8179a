// SPDX-License-Identifier: Apache-2.0
// Test-only child for the crash test: saves pledges with photos (size in KB from argv) in a loop
// and prints "saving <n>" just before each save starts and "saved <id> <sha256>" after it
// returns (one write() per line), so the test can kill while a save is under way.
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <random>
#include <string>

#include "pb/ledger.h"
#include "sample_pledge.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: store_crash_child DATA_DIR [PHOTO_KB]\n");
    return 2;
  }
  auto ledger = pb::store::Ledger::open(argv[1]);
  if (!ledger) {
    std::fprintf(stderr, "open: %s\n", ledger.status().message().c_str());
    return 1;
  }
  int kb = argc > 2 ? std::atoi(argv[2]) : 400;
  if (write(1, "ready\n", 6) != 6) return 1;
  std::mt19937_64 rng{std::random_device{}()};
  for (int i = 0;; ++i) {
    pb::store::PledgeInput in = pb::test::sample_pledge("crash-test");
    in.share_consent = i % 3 != 0;
    in.photo_jpeg.resize(static_cast<std::size_t>(kb) * 1024 +
                         static_cast<std::size_t>(rng() % 4096));
    pb::test::fill_random(in.photo_jpeg, rng);
    const std::string saving = "saving " + std::to_string(i) + "\n";
    if (write(1, saving.data(), saving.size()) != static_cast<ssize_t>(saving.size())) return 1;
    auto saved = (*ledger)->save_pledge(in);
    if (!saved) {
      std::fprintf(stderr, "save: %s\n", saved.status().message().c_str());
      return 1;
    }
    std::string line = "saved " + saved->id + " " + saved->photo_sha256 + "\n";
    if (write(1, line.data(), line.size()) != static_cast<ssize_t>(line.size())) return 1;
  }
}
