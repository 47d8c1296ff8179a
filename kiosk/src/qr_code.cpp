// SPDX-License-Identifier: Apache-2.0
// make_qr: libqrencode with a 4-module quiet zone.
#include "pb/qr_code.h"

#include <qrencode.h>

#include <memory>

namespace pb::kiosk {

QrCode make_qr(const std::string& text) {
  std::unique_ptr<QRcode, decltype(&QRcode_free)> qr(
      QRcode_encodeString8bit(text.c_str(), 0, QR_ECLEVEL_M), &QRcode_free);
  QrCode out;
  if (!qr) return out;
  constexpr int kQuiet = 4;
  out.size = qr->width + 2 * kQuiet;
  out.dark.assign(static_cast<std::size_t>(out.size) * static_cast<std::size_t>(out.size), 0);
  for (int y = 0; y < qr->width; ++y)
    for (int x = 0; x < qr->width; ++x)
      out.dark[static_cast<std::size_t>((y + kQuiet) * out.size + x + kQuiet)] =
          qr->data[y * qr->width + x] & 1;
  return out;
}

}  // namespace pb::kiosk
