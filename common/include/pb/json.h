// SPDX-License-Identifier: Apache-2.0
// JSON text output: every document the booth writes (stats --json, upload metadata, the
// wall's feed, the heartbeat, the tally) is built as an nlohmann::ordered_json and written
// by json_text.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace pb {

// A JSON document as compact text. Strings from outside (names, answers, device names) are
// valid UTF-8 by the time they get here; a byte that is not becomes U+FFFD, never a throw.
inline std::string json_text(const nlohmann::ordered_json& doc, int indent = -1) {
  return doc.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace pb
