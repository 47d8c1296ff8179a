// SPDX-License-Identifier: Apache-2.0
// KioskApp: the booth's UI thread. start() opens everything that reads the disk, the
// camera, the uploader and SDL (with the lockdown); run() is the frame loop:
//   input → back-office results → camera → time → preview → draw → screenshots → present
//   → script → pace
// Each step is one member function; the machine (pb/booth_machine.h) decides, this class
// only carries events in and commands out.
#pragma once

#include <SDL.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core/types.hpp>

#include "back_office.h"
#include "diagnostics.h"
#include "focus.h"
#include "painter.h"
#include "pb/booth_machine.h"
#include "pb/camera.h"
#include "pb/face_tracker.h"
#include "pb/i18n.h"
#include "pb/kiosk.h"
#include "pb/sound.h"
#include "screens.h"
#include "script_player.h"
#include "service.h"
#include "speech.h"
#include "touch_input.h"

namespace pb::photo {
class Composer;
}
namespace pb::upload {
class OutboxWorker;
class CampaignCountWorker;
}  // namespace pb::upload

namespace pb::kiosk {

// SDL and SDL_ttf for the lifetime of the booth.
struct SdlSession {
  bool ok = false;
  SdlSession();
  ~SdlSession();
  SdlSession(const SdlSession&) = delete;
  SdlSession& operator=(const SdlSession&) = delete;
};

class KioskApp {
 public:
  // Exit codes (pb/kiosk.h): 2 start-up failure, 3 script failure, 4 display lost.
  static constexpr int kStartFailed = 2, kScriptFailed = 3, kDisplayLost = 4, kPowerOffFailed = 5;
  // ADMIN's "Shut down safely" ended the loop: power off once this app (and its ledger) is gone.
  bool power_off_asked() const { return power_off_; }

  KioskApp(const config::Config& config, const KioskOptions& options);
  ~KioskApp();
  KioskApp(const KioskApp&) = delete;
  KioskApp& operator=(const KioskApp&) = delete;

  // Everything that can fail before the first frame; 0, or the exit code (message logged).
  int start();
  // The frame loop until ExitBooth, SIGTERM, a closed window (windowed) or the script's
  // end (exit_after_script); returns the exit code.
  int run();

 private:
  using Clock = std::chrono::steady_clock;
  int open_photo_and_camera();
  int open_window();

  // The frame's steps, in order.
  bool read_input(Millis now);  // false: the display is gone
  void take_office_results(Millis now);
  void watch_camera(Millis now);
  void advance_time(Millis now);
  void update_preview();
  void feed_pointer(const PointerInput& in, Millis now);
  bool feed_key(const SDL_KeyboardEvent& key, Millis now);  // false: not one of the booth's
  void draw(Millis now);
  void take_screenshots(Millis now);
  bool present();  // false: the display is gone
  void play_script(Millis now);
  void pace(Clock::time_point frame_start, const char* slowest_phase);
  int finish();

  // One event into the machine, and its commands carried out.
  void feed(const Event& e, Millis now);
  void carry_out(const Command& c, Millis now);
  // The screen or language changed: forget the last participant's photo on leaving.
  void on_screen_change(const BoothState& s);
  void report_thanks(const BoothState& s);
  void report_counter(const View& view);
  // Audio mode and the look (#26): the theme and text size for this frame, what to say.
  void apply_look(const BoothState& s);
  void narrate(const View& view);
  bool settled() const;

  const config::Config& cfg_;
  const KioskOptions& opt_;

  // Start-up resources; declared in the order they open, so they close in reverse.
  std::optional<Strings> strings_;
  std::optional<ScriptPlayer> script_;
  std::shared_ptr<const photo::Composer> composer_;
  std::unique_ptr<camera::Grabber> grabber_;
  std::unique_ptr<FaceTracker> tracker_;
  FaceFollow follow_;
  std::unique_ptr<upload::OutboxWorker> uploader_;
  std::unique_ptr<upload::CampaignCountWorker> campaign_;
  std::optional<SdlSession> sdl_;
  struct WindowDeleter {
    void operator()(SDL_Window* w) const { SDL_DestroyWindow(w); }
  };
  struct RendererDeleter {
    void operator()(SDL_Renderer* r) const { SDL_DestroyRenderer(r); }
  };
  std::unique_ptr<SDL_Window, WindowDeleter> window_;
  std::unique_ptr<SDL_Renderer, RendererDeleter> renderer_;
  cv::Size preview_px_;
  TexturePtr preview_, review_, qr_;
  void (*gl_flush_)() = nullptr;  // glFlush of an OpenGL renderer (present())
  TexturePtr thumb_;              // ADMIN's delete confirmation: the last pledge's photo
  std::shared_ptr<const ReviewImage> shown_thumb_;  // what thumb_ was made from
  TexturePtr found_thumb_;  // ADMIN_DELETE_REF: the photo of the pledge a reference found
  std::unique_ptr<Painter> painter_;
  std::unique_ptr<Sound> sound_;
  std::unique_ptr<Speech> speech_;  // audio mode (speech.h)
  Narrator narrator_;
  TouchAdapter touch_;
  KeyFocus focus_;  // keys instead of touch (focus.h)
  std::optional<Screenshots> shots_;
  std::unique_ptr<BackOffice> office_;
  Millis t0_ = 0;
  std::unique_ptr<BoothMachine> machine_;
  std::optional<ServiceNotifier> service_;
  DisplayWatch display_;
  FrameStats frame_stats_;

  // Loop state.
  bool running_ = true;
  int exit_code_ = 0;
  bool power_off_ = false;
  std::string camera_error_logged_;
  BoothStatus status_;
  camera::GrabberStats cam_;
  bool camera_fresh_ = false;
  Millis last_camera_report_ = 0;
  int last_digit_ = 0;  // the countdown digit last beeped
  std::shared_ptr<const camera::Frame> still_;
  bool preview_valid_ = false;
  std::uint64_t shown_seq_ = 0;
  std::string shown_sign_;     // the sign text the preview shows
  bool sign_pending_ = false;  // the sign text changed and the preview does not show it yet
  int shot_waited_ = 0;        // frames a named shot waited for the sign text
  std::optional<cv::Rect> shown_framing_;  // the face the preview is framed on (eased)
  std::vector<Hit> hits_;
  Screen last_screen_ = Screen::kAttract;
  std::string last_locale_;
  int frames_in_screen_ = 0;
  bool entry_shot_pending_ = false;
  std::vector<std::string> named_shots_;
  bool ignored_quit_logged_ = false;
  bool script_reported_ = false;
  bool camera_shown_ = false;
  std::string thanks_reported_;   // pledge id last reported ("-" = not saved)
  std::string counter_reported_;  // the last counter line logged (report_counter)
  bool campaign_shown_ = false;   // the screen drawn last shows the campaign-wide count
  // What the participant used, logged at the end: presses of a finger or mouse, taps by keys.
  int pointer_presses_ = 0;
  int key_taps_ = 0;
};

}  // namespace pb::kiosk
