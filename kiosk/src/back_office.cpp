// SPDX-License-Identifier: Apache-2.0
// BackOffice: the kiosk's worker thread for everything slow (compose, encode, ledger,
// PIN hash, status). One queue, jobs in order, nothing thrown out of the thread.
#include "back_office.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "pb/admin_pin.h"
#include "pb/answer_picks.h"
#include "pb/camera.h"
#include "pb/disk.h"
#include "pb/heartbeat.h"
#include "pb/ledger.h"
#include "pb/log.h"
#include "pb/photo.h"
#include "pb/retention.h"
#include "pb/tally_counts.h"
#include "pb/thanks_info.h"
#include "pb/uploader.h"
#include "pb/wall.h"
#include "pb/worker.h"

namespace pb::kiosk {
namespace {

// ADMIN's delete confirmation shows the photo it is about to delete, this small (4:5 box).
constexpr int kThumbWidth = 160, kThumbHeight = 200;

// The pledge's photo decoded at a quarter of its size and fitted into the thumbnail box;
// null when the file is missing, too large to be a photo of ours, or not a JPEG.
std::shared_ptr<const ReviewImage> thumbnail_of(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec || size == 0 || size > 32u * 1024 * 1024) return nullptr;
  const cv::Mat photo = cv::imread(path, cv::IMREAD_REDUCED_COLOR_4);
  if (photo.empty()) return nullptr;
  const double scale = std::min(static_cast<double>(kThumbWidth) / photo.cols,
                                static_cast<double>(kThumbHeight) / photo.rows);
  const cv::Size box(std::max(1, static_cast<int>(photo.cols * scale)),
                     std::max(1, static_cast<int>(photo.rows * scale)));
  cv::Mat small;
  cv::resize(photo, small, box, 0, 0, cv::INTER_AREA);
  auto img = std::make_shared<ReviewImage>();
  img->width = small.cols;
  img->height = small.rows;
  img->argb.resize(static_cast<std::size_t>(small.cols) * static_cast<std::size_t>(small.rows) * 4);
  photo::copy_to_argb(small, img->argb.data(), small.cols * 4);
  return img;
}

struct ComposeJob {
  std::shared_ptr<const camera::Frame> still;
  ComposeReview what;
  std::optional<cv::Rect> face_hint;
};
struct DiscardJob {};
struct SaveJob {
  SavePledge what;
};
struct PinJob {
  std::string pin;
};
struct DeleteJob {
  std::string pledge_id;  // "" = the newest pledge of the event ("Delete last pledge")
};
struct FindJob {
  std::string ref;
};
struct ForgetJob {};
using Job = std::variant<ComposeJob, DiscardJob, SaveJob, PinJob, DeleteJob, FindJob, ForgetJob>;

constexpr auto kRefreshEvery = std::chrono::milliseconds(1000);
// Retention runs at start and then hourly, a few pledges at a time (each is a transaction
// and a file removal), so a save waits at most for one small batch; a backlog (the first
// start after a year) is worked off a batch every few seconds.
constexpr auto kRetentionEvery = std::chrono::hours(1);
constexpr auto kRetentionBacklogEvery = std::chrono::seconds(5);
constexpr std::size_t kRetentionBatch = 20;
constexpr int kReviewWidth = 720;  // the REVIEW image's pixel width (design units, 4:5 → 900 high)

std::vector<std::string> target_names(const config::Config& config) {
  std::vector<std::string> names;
  for (const auto& t : config.upload.targets) names.push_back(t.name);
  return names;
}

std::int64_t free_mb(const std::string& dir) {
  auto bytes = disk::free_bytes(dir);
  return bytes ? *bytes / (1024 * 1024) : -1;
}

}  // namespace

struct BackOffice::Impl {
  config::Config config;
  std::shared_ptr<const photo::Composer> composer;
  upload::OutboxWorker* uploader;
  Translate tr;

  mutable std::mutex mu;  // guards everything below up to `worker`
  std::deque<Job> jobs;
  std::vector<OfficeResult> results;
  BoothStatus status;
  std::atomic<int> in_flight{0};                   // compose and save jobs queued or running
  Worker worker{mu};                               // stopped by ~BackOffice before anything goes
  std::unique_ptr<campaign::Heartbeat> heartbeat;  // [status] url set: the fleet heartbeat

  // Owned by the thread only.
  std::unique_ptr<store::Ledger> ledger;
  std::optional<cv::Mat> composed;  // the REVIEW photo, until saved or discarded
  BoothStatus local;
  // After a failed save: why (the volunteer's message), and how much a probe must write
  // before the booth opens again. Free space by statvfs is no proof that a save works.
  std::optional<SaveFailed> save_broken;
  std::size_t probe_bytes = 0;
  // ADMIN's "last pledge" (with its thumbnail) and "last upload": read again only when a save
  // or delete ran here, or the counts say the ledger changed (another process).
  bool pledges_changed = true;
  decltype(local.pledges) listed_pledges = -1;
  decltype(local.done) listed_done = -1;
  std::chrono::steady_clock::time_point next_retention{};  // the first refresh runs it
  std::map<std::string, std::string> answer_picks;         // read at the first run

  void push(Job job) {
    {
      std::lock_guard<std::mutex> lock(mu);
      jobs.push_back(std::move(job));
    }
    worker.wake();
  }
  void post(OfficeResult r) {
    std::lock_guard<std::mutex> lock(mu);
    results.push_back(std::move(r));
  }
  std::string answer_of(const std::string& locale, const std::string& pick,
                        const std::string& words) {
    return pick.empty() ? words : tr(locale, "answer." + pick);
  }

  void run();
  void open_ledger();
  void refresh();
  void retention();
  void handle(ComposeJob& job);
  void handle(SaveJob& job);
  void handle(DeleteJob& job);
  void handle(FindJob& job);
  void handle(ForgetJob& job);
  // The volunteer's screens say what happened in words; the technical detail goes here, to
  // the booth's log (the journal on the appliance), once per change.
  std::string logged_ledger_error, logged_upload_error, logged_wall_problem;
  void log_once(std::string& logged, const std::string& now, const std::string& what);
  // The volunteer's message (i18n key + args) when storage is not usable; key "" when fine.
  StorageState storage_state();
};

void BackOffice::Impl::log_once(std::string& logged, const std::string& now,
                                const std::string& what) {
  if (now == logged) return;
  logged = now;
  if (!now.empty()) pb::log::warn(pb::log::cat("kiosk: ", what, ": ", now));
}

void BackOffice::Impl::open_ledger() {
  if (ledger) return;
  auto opened = store::Ledger::open(config.storage.data_dir);
  if (opened) {
    ledger = std::move(*opened);
    local.ledger_open = true;
    local.ledger_error.clear();
  } else {
    local.ledger_open = false;
    local.ledger_error = opened.status().message();
  }
  log_once(logged_ledger_error, local.ledger_error, "the ledger cannot be opened");
}

StorageState BackOffice::Impl::storage_state() {
  if (!ledger) return StorageState{false, "oos.ledger", {}};
  if (save_broken) return StorageState{false, save_broken->message, save_broken->args};
  if (local.free_mb >= 0 && local.free_mb < config.storage.min_free_mb)
    return StorageState{false,
                        "oos.disk_low",
                        {{"free", std::to_string(local.free_mb)},
                         {"min", std::to_string(config.storage.min_free_mb)}}};
  return StorageState{true, "", {}};
}

void BackOffice::Impl::refresh() {
  open_ledger();
  if (save_broken) {
    if (disk::probe_write(config.storage.data_dir + "/photos", probe_bytes)) {
      pb::log::info(pb::log::cat("kiosk: a test write of ", probe_bytes,
                                 " bytes succeeded: saving works again"));
      save_broken.reset();
    }
  }
  local.free_mb = free_mb(config.storage.data_dir);
  const auto wall_problem = campaign::hidden_list_problem(config.storage.data_dir);
  local.wall_hidden_unreadable = wall_problem.has_value();
  log_once(logged_wall_problem, wall_problem ? wall_problem->what + " " + wall_problem->fix : "",
           "wall");
  local.upload_enabled = uploader != nullptr;
  if (ledger) {
    if (auto n = ledger->count_pledges(config.event.id)) local.pledges = *n;
    if (auto h = ledger->clock_high_ms()) local.clock_high_ms = *h;
    local.campaign.reset();
    if (const int every = config.upload.campaign_count_interval_s; every > 0 && uploader)
      if (auto kept = ledger->campaign_count(config.event.id);
          kept && *kept &&
          store::campaign_count_fresh(**kept, config.event.id, store::now_ms(),
                                      store::campaign_max_age_ms(every)))
        local.campaign = **kept;
    if (auto stats = ledger->event_stats()) {
      for (const auto& e : *stats)
        if (e.event == config.event.id) {
          local.photos = e.photos;
          local.shared = e.shared;
        }
    }
    if (auto q = ledger->queue_counts()) {
      local.pending = q->pending;
      local.failed = q->failed;
      local.done = q->done;
    }
    if (pledges_changed || listed_pledges != local.pledges) {
      pledges_changed = false;
      listed_pledges = local.pledges;
      local.last_pledge_id.clear();
      local.last_pledge_thumb.reset();
      if (auto last = ledger->last_pledge(config.event.id); last && *last) {
        const store::Pledge& p = **last;
        local.last_pledge_id = p.id;
        local.last_pledge_ms = p.created_ms;
        local.last_pledge_name = p.first_name;
        local.last_pledge_photo = !p.photo_path.empty();
        local.last_pledge_thumb =
            local.last_pledge_photo ? thumbnail_of(ledger->photo_file(p)) : nullptr;
      }
    }
    // Counts the ledger keeps (not its rows): none of this grows with the ledger.
    if (listed_done != local.done) {
      listed_done = local.done;
      local.last_upload.clear();
      for (const auto& t : config.upload.targets) local.last_upload.emplace_back(t.name, 0);
      if (auto queues = ledger->queue_by_target())
        for (const auto& q : *queues)
          for (auto& [name, ms] : local.last_upload)
            if (name == q.target) ms = std::max(ms, q.last_done_ms);
    }
    local.stranded.clear();
    if (auto gone = ledger->unconfigured_targets(target_names(config)))
      for (const auto& t : *gone) local.stranded.emplace_back(t.target, t.pending + t.failed);
    local.last_error.clear();
    local.last_error_target.clear();
    if (auto err = ledger->newest_upload_error(); err && *err) {
      local.last_error = (*err)->target + ": " + (*err)->last_error;
      local.last_error_target = (*err)->target;
    }
  }
  if (uploader) {
    const auto ws = uploader->status();
    local.online = ws.online;
    if (local.last_error.empty())
      for (const auto& t : ws.targets)
        if (!t.last_error.empty()) {
          local.last_error = t.name + ": " + t.last_error;
          local.last_error_target = t.name;
        }
  }
  log_once(logged_upload_error, local.last_error, "upload failing");
  retention();
  StorageState storage = storage_state();
  std::lock_guard<std::mutex> lock(mu);
  status = local;
  results.emplace_back(std::in_place_type<StorageState>, std::move(storage));
}

// [event] keep_months: photos, names and own words of pledges past it are deleted here,
// uploaded or not; their delivered copies stay recorded for `pledgebooth purge`.
void BackOffice::Impl::retention() {
  const auto now = std::chrono::steady_clock::now();
  if (!ledger || config.event.keep_months <= 0 || now < next_retention) return;
  next_retention = now + kRetentionEvery;
  if (answer_picks.empty()) answer_picks = config::answer_pick_texts();
  const store::IsPick is_pick = [this](const std::string& a) { return answer_picks.count(a) > 0; };
  local.retention_error.clear();
  auto plan = store::retention_plan(*ledger, config.event.keep_months, is_pick, false);
  if (!plan) {
    local.retention_error = plan.status().message();
  } else {
    std::size_t expired = 0;
    for (const auto& e : *plan) {
      if (expired == kRetentionBatch) {
        next_retention = now + kRetentionBacklogEvery;
        break;
      }
      if (Status st = ledger->expire_pledge(e.pledge.id, !e.words, false); !st) {
        local.retention_error = st.message();
        break;
      }
      ++expired;
    }
    if (expired > 0) {
      pledges_changed = true;
      pb::log::info(pb::log::cat("kiosk: retention: ", expired, " pledge(s) older than ",
                                 config.event.keep_months,
                                 " months lost their photo, name and words"));
    }
  }
  if (!local.retention_error.empty())
    pb::log::warn("kiosk: retention failed, tried again in an hour: " + local.retention_error);
  if (auto soon = store::undelivered_expiring_soon(*ledger, config.event.keep_months))
    local.expiring_undelivered = *soon;
}

void BackOffice::Impl::handle(ComposeJob& job) {
  composed.reset();
  if (!job.still || job.still->bgr.empty()) return;
  cv::Mat photo_bgr;
  if (composer) {
    photo::SignText text{job.what.first_name,
                         answer_of(job.what.locale, job.what.answer_pick, job.what.answer_words),
                         tr(job.what.locale, "sign.blank")};
    const auto t0 = std::chrono::steady_clock::now();
    auto photo = composer->compose(job.still->bgr, text, job.face_hint);
    if (photo) {
      photo_bgr = photo->bgr;
      // One line per photo for the volunteer's log: how the framing was found, how long it took.
      const double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      char line[160];
      std::snprintf(line, sizeof line, "kiosk: photo composed in %.1f ms (%s)", ms,
                    !photo->face            ? "no face found: centred"
                    : photo->face_from_hint ? "face followed from the preview"
                                            : "face found in the whole frame");
      pb::log::info(line);
    }
  }
  if (photo_bgr.empty()) photo_bgr = job.still->bgr.clone();
  composed = photo_bgr;
  // The on-screen copy, scaled to the REVIEW box.
  const int w = kReviewWidth;
  const int h = photo_bgr.rows * w / std::max(1, photo_bgr.cols);
  cv::Mat small;
  cv::resize(photo_bgr, small, cv::Size(w, h), 0, 0, cv::INTER_AREA);
  ReviewImage img;
  img.width = w;
  img.height = h;
  img.argb.resize(static_cast<std::size_t>(w) * static_cast<std::size_t>(h) * 4);
  photo::copy_to_argb(small, img.argb.data(), w * 4);
  post(std::move(img));
}

void BackOffice::Impl::handle(SaveJob& job) {
  pledges_changed = true;
  const SavePledge& w = job.what;
  pb::log::info("kiosk: saving a pledge");  // one write: crash tests kill on it
  open_ledger();
  local.free_mb = free_mb(config.storage.data_dir);
  // A retry ("Try again" on THANKS) after a failed save: the disk is tried again now, not at
  // the next refresh.
  if (save_broken && disk::probe_write(config.storage.data_dir + "/photos", probe_bytes))
    save_broken.reset();
  // Failed saves keep the photo in memory: "Try again" saves it, leaving THANKS discards it.
  if (StorageState st = storage_state(); !st.ok) {
    post(SaveFailed{st.message, st.args, "storage not usable (" + st.message + ")"});
    return;
  }
  store::PledgeInput in;
  in.event = config.event.id;
  in.booth = config.booth.id;
  in.locale = w.locale;
  // Nothing personal without a purpose (issue 24): the photo is kept only for a use he
  // ticked, his first name and own words only for (a) campaign use or (b) the wall; the
  // pledge counts either way, with a quick pick kept (it names nobody).
  const Choices& c = w.choices;
  const bool keep_photo = w.with_photo && c.any();
  const bool keep_words = c.campaign || c.wall;
  in.first_name = keep_words ? w.first_name : "";
  in.answer = answer_of(w.locale, w.answer_pick, keep_words ? w.answer_words : "");
  in.share_consent = c.campaign;
  in.wall_consent = c.wall;
  in.link_consent = c.link;
  in.consent_version = w.with_photo ? w.consent_version : 0;
  in.consent_locale = w.locale;
  if (keep_photo && composed) {
    auto jpeg = photo::encode_jpeg(*composed, config.photo.jpeg_quality);
    if (!jpeg) {
      post(SaveFailed{"oos.save_failed", {}, jpeg.status().message()});
      return;
    }
    in.photo_jpeg = std::move(*jpeg);
  }
  in.targets = upload::upload_targets_for(config, c.campaign, c.link);
  const std::size_t photo_bytes = in.photo_jpeg.size();
  const auto save_started = std::chrono::steady_clock::now();
  auto saved = ledger->save_pledge(in);
  [[maybe_unused]] const auto save_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                            std::chrono::steady_clock::now() - save_started)
                                            .count();
  if (!saved) {
    const bool full = saved.status().code() == Status::Code::kDiskFull;
    SaveFailed failed{full ? "oos.disk_full" : "oos.save_failed", {}, saved.status().message()};
    // Out of service until a write the size of this pledge (and room for its ledger rows)
    // succeeds; the refresh right after this save must not report the disk fine.
    save_broken = failed;
    probe_bytes = photo_bytes + 64 * 1024;
    post(std::move(failed));
    return;
  }
  composed.reset();  // the booth keeps no copy beyond the ledger's
  const store::Pledge& p = *saved;
  std::int64_t number = 0;
  if (auto n = ledger->count_pledges(config.event.id)) number = *n;
  std::string url = config.event.page_url;
  if (photo_link_published(config) && !p.photo_path.empty() && p.link_consent)
    url = upload::public_photo_url(config.event.public_base_url, p);
  post(SaveDone{p.id, number, url});
  if (uploader) uploader->note_save(save_ms);  // wakes it too: the pledge may be queued
}

void BackOffice::Impl::handle(DeleteJob& job) {
  pledges_changed = true;
  open_ledger();
  local.delete_error.clear();
  // The volunteer reads why in words (i18n keys); the detail goes to the log.
  auto failed = [&](const char* key, const std::string& detail) {
    local.delete_error = key;
    pb::log::warn(pb::log::cat("kiosk: delete a pledge: ", detail));
  };
  if (!ledger) return failed("admin.delete_no_ledger", local.ledger_error);
  std::string id = job.pledge_id;
  if (id.empty()) {
    auto last = ledger->last_pledge(config.event.id);
    if (!last || !*last)
      return last ? failed("admin.no_pledge", "no pledge at this event")
                  : failed("admin.delete_failed", last.status().message());
    id = (*last)->id;
  }
  if (Status remote = upload::delete_remote_copies(config, *ledger, id);
      !remote && remote.code() != Status::Code::kNotFound)
    return failed("admin.delete_kept_remote", "uploaded copy not removed: " + remote.message());
  if (Status st = ledger->delete_pledge(id); !st)
    return failed("admin.delete_failed", st.message());
}

void BackOffice::Impl::handle(ForgetJob&) {
  open_ledger();
  if (!ledger) return;
  auto gone = ledger->unconfigured_targets(target_names(config));
  if (!gone) {
    pb::log::warn(pb::log::cat("kiosk: forget removed targets: ", gone.status().message()));
    return;
  }
  // Only targets no longer configured: a configured target's uploads are still sent.
  for (const auto& t : *gone) {
    auto dropped = ledger->forget_target(t.target);
    if (dropped)
      pb::log::info(pb::log::cat("kiosk: a volunteer dropped ", *dropped,
                                 " undelivered uploads for \"", t.target,
                                 "\", no longer in the config; the pledges and photos stay"));
    else
      pb::log::warn(
          pb::log::cat("kiosk: forget target ", t.target, ": ", dropped.status().message()));
  }
}

void BackOffice::Impl::handle(FindJob& job) {
  FoundPledge found;
  found.info.ref = job.ref;
  open_ledger();
  if (!ledger) {
    found.info.error = local.ledger_error;
    post(std::move(found));
    return;
  }
  auto pledges = ledger->find_by_reference(job.ref);
  if (!pledges) {
    found.info.error = pledges.status().message();
  } else {
    found.info.matches = static_cast<int>(pledges->size());
    if (pledges->size() == 1) {
      const store::Pledge& p = pledges->front();
      found.info.pledge_id = p.id;
      found.info.first_name = p.first_name;
      found.info.created_ms = p.created_ms;
      found.info.photo = !p.photo_path.empty();
      if (found.info.photo) found.thumb = thumbnail_of(ledger->photo_file(p));
    }
  }
  post(std::move(found));
}

void BackOffice::Impl::run() {
  auto last_refresh = std::chrono::steady_clock::now() - kRefreshEvery;
  for (;;) {
    std::optional<Job> job;
    {
      std::unique_lock<std::mutex> lock(mu);
      worker.wait_until(lock, last_refresh + kRefreshEvery, [&] { return !jobs.empty(); });
      if (worker.stopping() && jobs.empty()) return;  // queued saves are finished first
      if (!jobs.empty()) {
        job = std::move(jobs.front());
        jobs.pop_front();
      }
    }
    if (job) {
      if (auto* c = std::get_if<ComposeJob>(&*job)) {
        handle(*c);
        --in_flight;
      } else if (std::holds_alternative<DiscardJob>(*job)) {
        composed.reset();
      } else if (auto* s = std::get_if<SaveJob>(&*job)) {
        handle(*s);
        --in_flight;
        refresh();
        last_refresh = std::chrono::steady_clock::now();
      } else if (auto* p = std::get_if<PinJob>(&*job)) {
        post(PinChecked{kiosk::verify_pin(p->pin, config.booth.admin_pin_hash)});
      } else if (auto* d = std::get_if<DeleteJob>(&*job)) {
        handle(*d);
        refresh();
        last_refresh = std::chrono::steady_clock::now();
      } else if (auto* f = std::get_if<FindJob>(&*job)) {
        handle(*f);
      } else if (auto* f = std::get_if<ForgetJob>(&*job)) {
        handle(*f);
        refresh();
        last_refresh = std::chrono::steady_clock::now();
      }
    }
    if (std::chrono::steady_clock::now() - last_refresh >= kRefreshEvery) {
      refresh();
      last_refresh = std::chrono::steady_clock::now();
    }
  }
}

BackOffice::BackOffice(const config::Config& config,
                       std::shared_ptr<const photo::Composer> composer,
                       upload::OutboxWorker* uploader, Translate tr)
    : impl_(std::make_unique<Impl>()) {
  impl_->config = config;
  impl_->composer = std::move(composer);
  impl_->uploader = uploader;
  impl_->tr = std::move(tr);
  impl_->worker.start("pb-office", [impl = impl_.get()] { impl->run(); });
  // The heartbeat has its own thread and ledger connection; it copies ADMIN's status.
  if (!config.status.url.empty())
    impl_->heartbeat = std::make_unique<campaign::Heartbeat>(config, [impl = impl_.get()] {
      std::lock_guard<std::mutex> lock(impl->mu);
      return campaign::BoothExtras{
          impl->status.upload_enabled ? std::optional<bool>(impl->status.online) : std::nullopt,
          impl->status.last_error};
    });
}

BackOffice::~BackOffice() {
  impl_->heartbeat.reset();
  impl_->worker.stop();
}

void BackOffice::compose_review(std::shared_ptr<const camera::Frame> still,
                                const ComposeReview& what, std::optional<cv::Rect> face_hint) {
  ++impl_->in_flight;
  impl_->push(ComposeJob{std::move(still), what, face_hint});
}
void BackOffice::discard_photo() {
  impl_->push(DiscardJob{});
}
void BackOffice::save(const SavePledge& what) {
  ++impl_->in_flight;
  impl_->push(SaveJob{what});
}
void BackOffice::verify_pin(const std::string& pin) {
  impl_->push(PinJob{pin});
}
void BackOffice::find_pledge(const std::string& ref) {
  impl_->push(FindJob{ref});
}

void BackOffice::delete_pledge(const std::string& pledge_id) {
  impl_->push(DeleteJob{pledge_id});
}

void BackOffice::delete_last_pledge() {
  impl_->push(DeleteJob{});
}
void BackOffice::forget_stranded() {
  impl_->push(ForgetJob{});
}

std::vector<OfficeResult> BackOffice::take_results() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::vector<OfficeResult> out;
  out.swap(impl_->results);
  return out;
}

BoothStatus BackOffice::status() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->status;
}

void BackOffice::note_camera(double fps, bool connected) {
  if (impl_->heartbeat) impl_->heartbeat->note_camera(fps, connected);
}

bool BackOffice::busy() const {
  return impl_->in_flight.load() > 0;
}

}  // namespace pb::kiosk
