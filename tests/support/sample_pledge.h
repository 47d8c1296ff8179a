// SPDX-License-Identifier: Apache-2.0
// Pledges to save in tests and benches: the fields every pledge needs in one place, and the
// photo bytes they carry. Header-only (no Catch2), so benches and helper programs use it too.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "pb/ledger.h"

namespace pb::test {

// A pledge of `event` at booth-1 in `locale`, with share consent and outbox rows for
// `targets`, no name, no answer and no photo: a test sets what it is about on top.
inline store::PledgeInput sample_pledge(const std::string& event = "campus-fair",
                                        const std::string& locale = "en",
                                        std::vector<std::string> targets = {"usb"}) {
  store::PledgeInput in;
  in.event = event;
  in.booth = "booth-1";
  in.locale = locale;
  in.share_consent = true;
  in.targets = std::move(targets);
  return in;
}

// `size` bytes from `seed`, varied every 97th byte so that no two photos are alike.
inline std::vector<std::uint8_t> sample_photo(std::size_t size, std::uint8_t seed) {
  std::vector<std::uint8_t> photo(size, seed);
  for (std::size_t i = 0; i < photo.size(); i += 97) photo[i] = static_cast<std::uint8_t>(i);
  return photo;
}

// `size` random bytes, which do not compress (like a JPEG).
inline void fill_random(std::vector<std::uint8_t>& photo, std::mt19937_64& rng) {
  std::size_t j = 0;
  for (; j + 8 <= photo.size(); j += 8) {
    std::uint64_t v = rng();
    std::memcpy(&photo[j], &v, 8);
  }
  for (; j < photo.size(); ++j) photo[j] = static_cast<std::uint8_t>(rng());
}

}  // namespace pb::test
