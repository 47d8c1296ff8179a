// SPDX-License-Identifier: Apache-2.0
// Exports of the ledger: UTF-8 CSV with a BOM, written durably.
#include <filesystem>

#include "files.h"
#include "ledger_impl.h"
#include "pb/csv.h"

namespace fs = std::filesystem;

namespace pb::store {

Status Ledger::export_csv(const std::string& path) {
  auto pledges = list_pledges();
  if (!pledges) return pledges.status();
  std::string out = "\xEF\xBB\xBF";  // BOM: Excel then reads UTF-8 (Korean) correctly
  out +=
      "id,event,booth,created_utc,locale,first_name,answer,share_consent,consent_version,photo_"
      "path,photo_size,"
      "photo_sha256\r\n";
  for (const auto& p : *pledges) {
    out += csv_field(p.id) + "," + csv_field(p.event) + "," + csv_field(p.booth) + "," +
           csv_field(p.created_utc) + "," + csv_field(p.locale) + "," + csv_field(p.first_name) +
           "," + csv_field(p.answer) + "," + (p.share_consent ? "yes" : "no") + "," +
           std::to_string(p.consent_version) + "," + csv_field(p.photo_path) + "," +
           std::to_string(p.photo_size) + "," + csv_field(p.photo_sha256) + "\r\n";
  }
  fs::path target = fs::absolute(path);
  std::string dir = target.parent_path().string();
  return write_file_durably(dir, target.filename().string(),
                            std::vector<std::uint8_t>(out.begin(), out.end()), *impl_->env);
}

}  // namespace pb::store
