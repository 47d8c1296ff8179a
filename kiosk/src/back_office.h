// SPDX-License-Identifier: Apache-2.0
// The booth's worker thread ("back office"): composes the REVIEW photo, encodes and saves
// pledges to the ledger, deletes on request, checks PINs, and every second gathers the
// status ADMIN and OUT_OF_SERVICE need (counts, queue, free disk). The UI thread only
// posts jobs and collects results: it never waits on disk, network or a slow hash.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include <opencv2/core/types.hpp>

#include "pb/booth_machine.h"
#include "pb/config.h"
#include "pb/ledger.h"

namespace pb::camera {
struct Frame;
}
namespace pb::photo {
class Composer;
}
namespace pb::upload {
class OutboxWorker;
}

namespace pb::kiosk {

// What ADMIN shows; a snapshot refreshed about once a second.
struct BoothStatus {
  bool ledger_open = false;
  std::string ledger_error;
  std::int64_t pledges = 0;  // at this event
  std::int64_t photos = 0;
  std::int64_t shared = 0;
  std::int64_t free_mb = -1;  // -1 = unknown
  bool upload_enabled = false;
  std::int64_t pending = 0, failed = 0, done = 0;
  // Undelivered rows of targets no longer in the config: (target, rows). They never drain.
  std::vector<std::pair<std::string, std::int64_t>> stranded;
  std::string last_error;         // the newest failed/retrying outbox error ("" = none)
  std::string last_error_target;  // its target (ADMIN names it; the error text is logged)
  bool online = true;
  // The newest pledge at this event: what "Delete last pledge" deletes, shown before it does.
  std::string last_pledge_id;  // "" = none
  std::int64_t last_pledge_ms = 0;
  std::string last_pledge_name;
  bool last_pledge_photo = false;
  // A small copy of its photo for the delete confirmation (null: none, or unreadable).
  std::shared_ptr<const struct ReviewImage> last_pledge_thumb;
  // Per configured target: UTC ms of its last successful upload (0 = none yet).
  std::vector<std::pair<std::string, std::int64_t>> last_upload;
  std::string delete_error;  // i18n key of why a deletion kept the pledge ("" = none)
  // Retention ([event] keep_months): pledges not yet uploaded that lose their photo, name
  // and words within a week (ADMIN warns), and why the last run failed ("" = it did not).
  std::int64_t expiring_undelivered = 0;
  std::string retention_error;
  std::int64_t clock_high_ms = 0;  // the ledger's highest id time (ADMIN's clock check)
  // The wall's hidden list cannot be read, so the wall shows the count only (doctor says why).
  bool wall_hidden_unreadable = false;
  // The other booths' pledges at this event as last read (upload::CampaignCountWorker), while
  // fresh enough to show (store::campaign_count_fresh); nullopt = show the own count only.
  std::optional<store::CampaignCount> campaign;
};

// The composed REVIEW photo as ARGB8888 pixels (tightly packed).
struct ReviewImage {
  std::vector<std::uint8_t> argb;
  int width = 0, height = 0;
};

// The answer to find_pledge: what the machine needs, and the pledge's thumbnail (null: no
// photo, or unreadable) for ADMIN_DELETE_REF.
struct FoundPledge {
  PledgeLookedUp info;
  std::shared_ptr<const ReviewImage> thumb;
};

using OfficeResult =
    std::variant<ReviewImage, SaveDone, SaveFailed, PinChecked, StorageState, FoundPledge>;

class BackOffice {
 public:
  using Translate = std::function<std::string(const std::string& locale, const std::string& key)>;
  // composer may be null (no sign frame): the photo is then the camera frame as is.
  // uploader may be null (uploads off). tr gives on-screen strings (quick-pick answers
  // are saved in the participant's language); it must be thread-safe (read-only tables).
  BackOffice(const config::Config& config, std::shared_ptr<const photo::Composer> composer,
             upload::OutboxWorker* uploader, Translate tr);
  ~BackOffice();  // finishes every queued job (a save in particular), then joins
  BackOffice(const BackOffice&) = delete;
  BackOffice& operator=(const BackOffice&) = delete;

  // face_hint: where the face tracker last saw a face (see FaceTracker), or nullopt.
  void compose_review(std::shared_ptr<const camera::Frame> still, const ComposeReview& what,
                      std::optional<cv::Rect> face_hint = std::nullopt);
  void discard_photo();
  void save(const SavePledge& what);
  void verify_pin(const std::string& pin);
  void delete_last_pledge();
  // ADMIN_DELETE_REF: the pledges of a reference (answers FoundPledge), and the deletion of
  // the one shown (remote copies first, as `pledgebooth delete`; the wall reads the ledger).
  void find_pledge(const std::string& ref);
  void delete_pledge(const std::string& pledge_id);
  // Drops the undelivered uploads of every target no longer in the config (ADMIN's "Forget
  // removed target", as `pledgebooth upload --forget-target`); a configured one never.
  void forget_stranded();
  // Results since the last call, in order.
  std::vector<OfficeResult> take_results();
  BoothStatus status() const;
  // The camera's frame rate for the fleet heartbeat (lock-free; no-op without [status] url).
  void note_camera(double fps, bool connected);
  // True while a photo is being composed or a pledge saved (for frame-pacing figures).
  bool busy() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pb::kiosk
