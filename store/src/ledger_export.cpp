// SPDX-License-Identifier: Apache-2.0
// Exports of the ledger: UTF-8 CSV with a BOM, written durably.
#include <filesystem>

#include "files.h"
#include "ledger_impl.h"
#include "pb/csv.h"

namespace fs = std::filesystem;

namespace pb::store {

Status Ledger::export_csv(const std::string& path, bool include_private) {
  auto pledges = list_pledges();
  if (!pledges) return pledges.status();
  std::string out = "\xEF\xBB\xBF";  // BOM: Excel then reads UTF-8 (Korean) correctly
  out +=
      "id,event,booth,created_utc,locale,first_name,answer,share_consent,consent_version,photo_"
      "path,photo_size,"
      "photo_sha256,wall_consent,link_consent,consent_locale,consent_utc\r\n";
  for (const auto& p : *pledges) {
    // Without campaign use (a), his name and words were kept for the wall only: not
    // handed on unless asked for.
    const bool personal = include_private || p.share_consent;
    out += csv_field(p.id) + "," + csv_field(p.event) + "," + csv_field(p.booth) + "," +
           csv_field(p.created_utc) + "," + csv_field(p.locale) + "," +
           csv_field(personal ? p.first_name : "") + "," + csv_field(personal ? p.answer : "") +
           "," + (p.share_consent ? "yes" : "no") + "," + std::to_string(p.consent_version) + "," +
           csv_field(p.photo_path) + "," + std::to_string(p.photo_size) + "," +
           csv_field(p.photo_sha256) + "," + (p.wall_consent ? "yes" : "no") + "," +
           (p.link_consent ? "yes" : "no") + "," + csv_field(p.consent_locale) + "," +
           csv_field(p.consent_ms > 0 ? utc_timestamp(p.consent_ms) : "") + "\r\n";
  }
  fs::path target = fs::absolute(path);
  std::string dir = target.parent_path().string();
  return write_file_durably(dir, target.filename().string(),
                            std::vector<std::uint8_t>(out.begin(), out.end()), *impl_->env);
}

}  // namespace pb::store
