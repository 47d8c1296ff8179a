// SPDX-License-Identifier: Apache-2.0
// Fills a data dir with N consented pledges whose photos are ~SIZE bytes, for bench/upload/run.sh.
#include <cstdio>
#include <cstdlib>
#include <random>
#include <sstream>
#include <string>

#include "pb/ledger.h"
#include "sample_pledge.h"

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: %s DATA_DIR COUNT SIZE TARGET[,TARGET...]\n", argv[0]);
    return 2;
  }
  auto ledger = pb::store::Ledger::open(argv[1]);
  if (!ledger) {
    std::fprintf(stderr, "%s\n", ledger.status().message().c_str());
    return 1;
  }
  const int count = std::atoi(argv[2]);
  const std::size_t size = static_cast<std::size_t>(std::atol(argv[3]));
  std::vector<std::string> targets;
  std::stringstream ss(argv[4]);
  for (std::string t; std::getline(ss, t, ',');) targets.push_back(t);
  std::mt19937_64 rng(42);
  for (int i = 0; i < count; ++i) {
    pb::store::PledgeInput in = pb::test::sample_pledge("bench-event", "en", targets);
    in.consent_version = 1;
    // Random bytes do not compress, like a JPEG; size varies ±5 % like real photos.
    in.photo_jpeg.resize(size - size / 20 + rng() % (size / 10 + 1));
    pb::test::fill_random(in.photo_jpeg, rng);
    in.photo_jpeg[0] = 0xFF, in.photo_jpeg[1] = 0xD8;
    auto p = (*ledger)->save_pledge(in);
    if (!p) {
      std::fprintf(stderr, "%s\n", p.status().message().c_str());
      return 1;
    }
  }
  return 0;
}
