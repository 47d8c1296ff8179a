// SPDX-License-Identifier: Apache-2.0
// QR codes for THANKS (libqrencode): a square of dark/light modules with a quiet zone.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pb::kiosk {

struct QrCode {
  int size = 0;                    // modules per side, quiet zone included
  std::vector<std::uint8_t> dark;  // size*size, 1 = dark module
  bool empty() const { return size == 0; }
};

// Encodes text (UTF-8, 8-bit mode, error correction M). Empty on failure.
QrCode make_qr(const std::string& text);

}  // namespace pb::kiosk
