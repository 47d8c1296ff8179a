// SPDX-License-Identifier: Apache-2.0
// ADMIN's "Shut down safely": once the booth has closed its ledger, the box powers off. The
// booth runs as the unprivileged pledgebooth user in a sandboxed unit (NoNewPrivileges, no
// @reboot system calls), so it does not power off itself: it asks systemd-logind over D-Bus
// (`systemctl poweroff`), and the polkit rule the package installs
// (/usr/share/polkit-1/rules.d/50-pledgebooth-poweroff.rules) lets that user, and only it,
// power off without a password (docs/APPLIANCE.md).
#pragma once

#include <string>

#include "pb/status.h"

namespace pb::kiosk {

// Asks the system to power off; returns when the request was accepted (the box then goes
// down) or with why not. test_log non-empty: the request is appended to that file instead
// (tests; nothing powers off).
Status request_power_off(const std::string& test_log);

}  // namespace pb::kiosk
