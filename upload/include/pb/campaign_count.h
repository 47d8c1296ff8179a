// SPDX-License-Identifier: Apache-2.0
// The booth's campaign-wide count: how many men have pledged at this event on every booth.
// A thread of its own reads the other booths' tally documents of the event from a target
// that can be read back ([upload] campaign_count_interval_s, docs/METADATA.md) and keeps
// their sum in the ledger (Ledger::save_campaign_count); the kiosk shows it beside nothing
// else: store::campaign_figure decides whether it is fresh enough to replace the booth's
// own count.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "pb/config.h"

namespace pb::upload {

// The target the booth reads the campaign from: the first configured target that
// can_read_tally (a folder, s3, webdav) and has no setup error; nullptr when none.
const config::UploadTarget* campaign_count_target(const config::Config& config);

struct CampaignCountStats {
  std::int64_t reads = 0;     // reads that succeeded and were kept in the ledger
  std::int64_t failures = 0;  // reads that failed (target unreachable, listing refused)
  std::string last_error;     // why the last read failed ("" = it did not); no secrets
};

// Owns one thread (named pb-campaign, at the upload worker's low priority) with its own
// Ledger connection and its own curl handles: it reads at start, then every
// campaign_count_interval_s, and after a failed read again within a minute. Nothing of it
// runs on the caller's thread, and nothing is thrown out of it. libcurl must be initialised.
class CampaignCountWorker {
 public:
  // Copies what it needs; data_dir "" = config.storage.data_dir. Does nothing when the
  // interval is 0 or no target can be read (campaign_count_target).
  explicit CampaignCountWorker(const config::Config& config, std::string data_dir = "");
  ~CampaignCountWorker();  // stops within about a second, also mid-request
  CampaignCountWorker(const CampaignCountWorker&) = delete;
  CampaignCountWorker& operator=(const CampaignCountWorker&) = delete;

  // Starts the thread (when there is anything to read); a second call does nothing.
  void start();
  void stop();
  CampaignCountStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pb::upload
