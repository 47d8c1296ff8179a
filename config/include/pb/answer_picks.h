// SPDX-License-Identifier: Apache-2.0
// The quick-pick answers as a pledge saves them: every locale's text of "answer.<id>"
// (assets/i18n/*.toml, [answer]) mapped to the pick's id. The tally counts answers by id.
#pragma once

#include <map>
#include <string>

namespace pb::config {

// Text → pick id, from every string table in <assets>/i18n ("" assets = assets_dir()).
// Tables that cannot be read are skipped: an answer then counts as "other".
std::map<std::string, std::string> answer_pick_texts(const std::string& assets = "");

}  // namespace pb::config
