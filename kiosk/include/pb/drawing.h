// SPDX-License-Identifier: Apache-2.0
// How an installed booth draws its screen: on the GPU, or in software (cage with pixman, the
// booth with Mesa's llvmpipe) where the GPU has no 3D driver. The appliance's session script
// (dist/booth-session.in) decides at every start; `doctor` reports its choice with advice.
#pragma once

#include <string>

namespace pb::kiosk {

struct DrawingAdvice {
  bool warn = false;  // worth a volunteer's look (a slow path, or a choice that went wrong)
  std::string what;   // one line: the choice and why
  std::string fix;    // what to do, "" when nothing
};

// Asks the installed session script (<exe dir>/../libexec/pledgebooth/booth-session
// --explain) and compares with the GL renderer the running booth logged last
// (journalctl -u pledgebooth-booth). Runs two fixed commands; never throws.
DrawingAdvice drawing_advice();

}  // namespace pb::kiosk
