// SPDX-License-Identifier: Apache-2.0
// run_kiosk and KioskApp: start-up, lockdown and the frame loop (see kiosk_app.h). The
// script player, screenshots and frame times live in script_player.* and diagnostics.*.
#include "kiosk_app.h"
#include "pb/log.h"

#include <SDL_ttf.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "pb/campaign_count.h"
#include "pb/consent_text.h"
#include "pb/photo.h"
#include "pb/uploader.h"
#include "pb/utf8.h"
#include "power_off.h"
#include "textures.h"
#include "theme.h"

namespace pb::kiosk {
namespace {

// The live preview texture fits this box in the photo's aspect (4:5: 640x800).
constexpr int kPreviewW = 640, kPreviewH = 800;
constexpr Uint32 kFrameMs = 16;  // pacing when the renderer has no vsync
const char* kFontDir = "/usr/share/fonts/truetype/nanum";

std::atomic<bool> g_terminate{false};
extern "C" void on_terminate(int) {
  g_terminate = true;
}

MachineOptions machine_options(const config::Config& c, const Strings& strings,
                               bool run_by_service) {
  MachineOptions o(c.booth, c.event);
  o.run_by_service = run_by_service;
  o.languages = strings.languages();
  const DataUses uses = data_uses(c);  // REVIEW asks only what this booth can honour
  o.offer_campaign = uses.campaign;
  o.offer_wall = uses.wall;
  o.offer_link = uses.link;
  return o;
}

Millis ticks() {
  return static_cast<Millis>(SDL_GetTicks64());
}

}  // namespace

SdlSession::SdlSession() {
  ok = SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS | SDL_INIT_TIMER) == 0;
  if (ok && TTF_Init() != 0) {
    SDL_Quit();
    ok = false;
  }
}

SdlSession::~SdlSession() {
  if (!ok) return;
  TTF_Quit();
  SDL_Quit();
}

KioskApp::KioskApp(const config::Config& config, const KioskOptions& options)
    : cfg_(config), opt_(options) {}

KioskApp::~KioskApp() = default;

int run_kiosk(const config::Config& cfg, const KioskOptions& opt) {
  bool power_off = false;
  int rc = 0;
  {
    KioskApp app(cfg, opt);
    if (rc = app.start(); rc != 0) return rc;
    rc = app.run();
    power_off = app.power_off_asked();
  }  // the back office has finished every save and closed the ledger, the uploader stopped
  if (!power_off) return rc;
  // A scripted run (tests, screenshots) never powers the machine it runs on off.
  if (!opt.script_path.empty() && opt.power_off_log.empty()) {
    pb::log::info("kiosk: the ledger is closed; a scripted run does not power off");
    return rc;
  }
  pb::log::info("kiosk: the ledger is closed; asking the system to power off");
  if (Status st = request_power_off(opt.power_off_log); !st) {
    pb::log::warn(pb::log::cat("kiosk: could not power off: ", st.message()));
    return KioskApp::kPowerOffFailed;
  }
  return rc;
}

// --- start-up: everything that reads the disk happens before the loop --------------------

int KioskApp::start() {
  // First, so that each slow step below can tell the service manager it is moving on.
  service_.emplace(ServiceNotifier::from_environment());
  auto loaded = Strings::load(config::assets_dir() + "/i18n");
  if (!loaded) {
    pb::log::info(pb::log::cat("kiosk: ", loaded.status().message()));
    return kStartFailed;
  }
  strings_.emplace(std::move(*loaded));
  if (!opt_.script_path.empty()) {
    script_ = ScriptPlayer::load(opt_.script_path, g_terminate);
    if (!script_) return kStartFailed;
  }
  shots_.emplace(opt_.screenshots_dir);
  entry_shot_pending_ = shots_->enabled();
  if (const int rc = open_photo_and_camera(); rc != 0) return rc;
  service_->starting("camera and sign frame ready");
  if (cfg_.upload.enabled) {
    uploader_ = std::make_unique<upload::OutboxWorker>(cfg_);
    uploader_->start();
    // The campaign-wide count: its own thread, so a slow listing never holds up an upload.
    campaign_ = std::make_unique<upload::CampaignCountWorker>(cfg_);
    campaign_->start();
  }
  if (const int rc = open_window(); rc != 0) return rc;
  service_->starting("window and renderer open");

  painter_ = std::make_unique<Painter>(renderer_.get(), kFontDir);
  sound_ = std::make_unique<Sound>(cfg_.booth.sound);
  const char* speech_log = std::getenv("PB_SPEECH_LOG");
  speech_ = std::make_unique<Speech>(*sound_, speech_log ? speech_log : "");
  const Strings& strings = *strings_;
  office_ = std::make_unique<BackOffice>(
      cfg_, composer_, uploader_.get(),
      [&strings](const std::string& l, const std::string& k) { return strings.get(l, k); });
  t0_ = ticks();
  machine_ =
      std::make_unique<BoothMachine>(machine_options(cfg_, *strings_, service_->enabled()), t0_);
  touch_ = TouchAdapter(static_cast<std::uint32_t>(machine_->options().admin_hold_ms));
  // The plain sign in the preview, drawn while the booth starts: ATTRACT's first frames wait
  // for it otherwise.
  if (composer_)
    composer_->prepare(preview_px_,
                       {"", "", strings_->get(machine_->state().session.locale, "sign.blank")});
  service_->starting("drawing the first frame");
  return 0;
}

int KioskApp::open_photo_and_camera() {
  // The tracker gets a cascade of its own: the shutter's compose never waits for it.
  std::shared_ptr<const photo::FaceFinder> tracker_faces;
  if (auto aspect = photo::parse_aspect(cfg_.photo.aspect); aspect) {
    if (auto sign = photo::SignFrame::load(cfg_.photo.frame)) {
      std::shared_ptr<const photo::FaceFinder> faces;
      if (auto f = photo::FaceFinder::load()) faces = *f;
      if (faces)
        if (auto f = photo::FaceFinder::load()) tracker_faces = *f;
      composer_ = std::make_shared<photo::Composer>(*sign, *aspect, faces);
    } else {
      pb::log::warn(pb::log::cat("kiosk: no sign frame (", sign.status().message(),
                                 "); photos without the sign"));
    }
  }
  auto source = camera::make_source(cfg_.camera);
  if (!source) {
    pb::log::warn(pb::log::cat("kiosk: camera: ", source.status().message()));
    return kStartFailed;
  }
  grabber_ = std::make_unique<camera::Grabber>(std::move(*source));
  grabber_->start();
  tracker_ = std::make_unique<FaceTracker>(tracker_faces);
  return 0;
}

// SDL, with the lockdown hints set before init.
int KioskApp::open_window() {
  SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
  SDL_SetHint(SDL_HINT_VIDEO_MINIMIZE_ON_FOCUS_LOSS, "0");
  SDL_SetHint(SDL_HINT_QUIT_ON_LAST_WINDOW_CLOSE, "0");
  SDL_SetHint(SDL_HINT_VIDEO_ALLOW_SCREENSAVER, "0");
  if (!opt_.windowed) {
    SDL_SetHint(SDL_HINT_GRAB_KEYBOARD, "1");
    SDL_SetHint(SDL_HINT_ALLOW_ALT_TAB_WHILE_GRABBED, "0");
  }
  std::signal(SIGTERM, on_terminate);
  std::signal(SIGINT, on_terminate);
  sdl_.emplace();
  if (!sdl_->ok) {
    pb::log::warn(pb::log::cat("kiosk: SDL could not start: ", SDL_GetError()));
    return kStartFailed;
  }
  const Uint32 win_flags = opt_.windowed ? SDL_WINDOW_RESIZABLE : SDL_WINDOW_FULLSCREEN_DESKTOP;
  // Fullscreen starts at the screen's size: under cage the first frame fixes the window's
  // size, and a 1280x720 first frame on a 1280x800 screen stayed 1280x720 at the top
  // (Wayland, llvmpipe) although SDL reported the new size.
  int win_w = 1280, win_h = 720;
  if (SDL_DisplayMode mode{};
      !opt_.windowed && SDL_GetDesktopDisplayMode(0, &mode) == 0 && mode.w > 0 && mode.h > 0) {
    win_w = mode.w;
    win_h = mode.h;
  }
  window_.reset(SDL_CreateWindow("pledgebooth", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED,
                                 win_w, win_h, win_flags));
  if (!window_) {
    pb::log::warn(pb::log::cat("kiosk: no window: ", SDL_GetError()));
    return kStartFailed;
  }
  renderer_.reset(
      SDL_CreateRenderer(window_.get(), -1, SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC));
  if (!renderer_) renderer_.reset(SDL_CreateRenderer(window_.get(), -1, 0));
  if (!renderer_) {
    pb::log::warn(pb::log::cat("kiosk: no renderer: ", SDL_GetError()));
    return kStartFailed;
  }
  if (SDL_RendererInfo info{}; SDL_GetRendererInfo(renderer_.get(), &info) == 0) {
    const std::string name = info.name ? info.name : "?";
    std::string gl;  // which GL draws: a GPU's driver or Mesa's llvmpipe (software)
    if (name.rfind("opengl", 0) == 0) {  // "opengl", "opengles2", "opengles"
      gl_flush_ = reinterpret_cast<void (*)()>(SDL_GL_GetProcAddress("glFlush"));
      using GetString = const unsigned char* (*)(unsigned);
      constexpr unsigned kGlRenderer = 0x1F01;  // GL_RENDERER
      if (auto get = reinterpret_cast<GetString>(SDL_GL_GetProcAddress("glGetString")))
        if (const unsigned char* s = get(kGlRenderer))
          gl = printable_text(reinterpret_cast<const char*>(s), 80);
    }
    int out_w = 0, out_h = 0;
    SDL_GetRendererOutputSize(renderer_.get(), &out_w, &out_h);
    pb::log::info(pb::log::cat("kiosk: renderer ", name, gl.empty() ? "" : " (" + gl + ")",
                               (info.flags & SDL_RENDERER_SOFTWARE) ? " (software)" : "",
                               (info.flags & SDL_RENDERER_PRESENTVSYNC) ? ", vsync" : "", ", ",
                               out_w, "x", out_h));
  }
  SDL_DisableScreenSaver();
  if (!opt_.windowed) {
    SDL_SetWindowKeyboardGrab(window_.get(), SDL_TRUE);
    SDL_ShowCursor(SDL_DISABLE);
  }
  SDL_SetHint(SDL_HINT_RENDER_SCALE_QUALITY, "1");
  const auto aspect = photo::parse_aspect(cfg_.photo.aspect);
  preview_px_ = photo::preview_size(aspect ? *aspect : photo::Aspect::k4x5, {kPreviewW, kPreviewH});
  preview_.reset(SDL_CreateTexture(renderer_.get(), SDL_PIXELFORMAT_ARGB8888,
                                   SDL_TEXTUREACCESS_STREAMING, preview_px_.width,
                                   preview_px_.height));
  return 0;
}

// --- the frame loop -----------------------------------------------------------------------

int KioskApp::run() {
  while (running_) {
    const auto frame_start = Clock::now();
    const Millis now = ticks();
    if (g_terminate) running_ = false;
    service_->watchdog(frame_start);

    FramePhases phases(frame_start);
    if (!read_input(now)) return kDisplayLost;
    phases.mark("input");
    take_office_results(now);
    phases.mark("results");
    watch_camera(now);
    phases.mark("camera");
    advance_time(now);
    phases.mark("time");
    update_preview();
    phases.mark("preview");
    draw(now);
    phases.mark("draw");
    take_screenshots(now);
    phases.mark("screenshots");
    if (!present()) return kDisplayLost;
    phases.mark("present");
    play_script(now);
    phases.mark("script");
    pace(frame_start, phases.slowest());
  }
  return finish();
}

// 1. Input: through the adapter only. Quit requests and keys are the lockdown's.
bool KioskApp::read_input(Millis now) {
  SDL_Event e;
  while (SDL_PollEvent(&e)) {
    if (std::string lost = display_.on_event(e, window_.get(), opt_.windowed); !lost.empty()) {
      pb::log::warn(
          pb::log::cat("kiosk: ", lost, "; exiting so that the service restarts the booth"));
      return false;
    }
    const bool quit = e.type == SDL_QUIT ||
                      (e.type == SDL_WINDOWEVENT && e.window.event == SDL_WINDOWEVENT_CLOSE);
    if (e.type == SDL_MOUSEBUTTONDOWN || e.type == SDL_FINGERDOWN) ++pointer_presses_;
    if (quit && opt_.windowed) {
      running_ = false;
    } else if (e.type == SDL_KEYDOWN && feed_key(e.key, now)) {
      // Keys instead of touch: the focus moved, or a target was tapped.
    } else if (quit || e.type == SDL_KEYDOWN) {
      if (!ignored_quit_logged_ || quit)
        pb::log::info(
            pb::log::cat("kiosk: lockdown: ignored ", (quit ? "a quit request" : "a key")));
      ignored_quit_logged_ = true;
    }
    if (auto in = touch_.feed(e, *painter_, window_.get(), static_cast<std::uint32_t>(now)))
      feed_pointer(*in, now);
  }
  if (auto in = touch_.poll(static_cast<std::uint32_t>(now))) feed_pointer(*in, now);
  return true;
}

bool KioskApp::feed_key(const SDL_KeyboardEvent& key, Millis now) {
  if (const std::optional<std::string> access = access_key(key)) {
    ++key_taps_;
    feed(Tap{*access}, now);  // audio mode, the volume: on any screen (#26)
    return true;
  }
  const std::optional<NavKey> k = nav_key(key);
  if (!k) return false;
  const KeyFocus::Outcome out = focus_.on_key(*k);
  if (out.moved) feed(KeyMoved{}, now);
  if (out.tap) {
    ++key_taps_;
    feed(Tap{*out.tap}, now);  // the same tap a finger on that target sends
  }
  return true;
}

void KioskApp::feed_pointer(const PointerInput& in, Millis now) {
  focus_.on_pointer();
  const bool long_press = in.kind == PointerInput::Kind::kLongPress;
  const Hit* h = hit_at(hits_, in.x, in.y, long_press);
  if (!h) return;
  if (long_press)
    feed(LongPress{h->target}, now);
  else
    feed(Tap{h->target}, now);
}

// 2. What the back office finished.
void KioskApp::take_office_results(Millis now) {
  for (auto& r : office_->take_results()) {
    if (auto* img = std::get_if<ReviewImage>(&r)) {
      if (!traits(machine_->state().screen).review_photo) continue;
      review_ = review_texture(renderer_.get(), *img);
      machine_->set_review_ready();
    } else if (auto* done = std::get_if<SaveDone>(&r)) {
      if (TexturePtr qr = qr_texture(renderer_.get(), done->qr_url)) qr_ = std::move(qr);
      feed(*done, now);
    } else if (auto* failed = std::get_if<SaveFailed>(&r)) {
      pb::log::warn(pb::log::cat(
          "kiosk: save failed: ", strings_->format("en", failed->message, failed->args), " (",
          failed->detail, ")"));
      feed(*failed, now);
    } else if (auto* pin = std::get_if<PinChecked>(&r)) {
      feed(*pin, now);
    } else if (auto* st = std::get_if<StorageState>(&r)) {
      feed(*st, now);
    } else if (auto* found = std::get_if<FoundPledge>(&r)) {
      found_thumb_ = found->thumb ? review_texture(renderer_.get(), *found->thumb) : nullptr;
      feed(found->info, now);
    }
  }
  status_ = office_->status();
  if (status_.last_pledge_thumb != shown_thumb_) {  // a new last pledge: its photo's texture
    shown_thumb_ = status_.last_pledge_thumb;
    thumb_ = shown_thumb_ ? review_texture(renderer_.get(), *shown_thumb_) : nullptr;
  }
}

// 3. The camera, as the machine needs to know it.
void KioskApp::watch_camera(Millis now) {
  cam_ = grabber_->stats();
  // The camera's own error (a device path, a driver's words) goes to the log; ADMIN says
  // "no pictures" in the volunteer's language.
  if (cam_.last_error != camera_error_logged_) {
    camera_error_logged_ = cam_.last_error;
    if (!cam_.last_error.empty()) pb::log::warn(pb::log::cat("kiosk: camera: ", cam_.last_error));
  }
  camera_fresh_ =
      cam_.connected && camera::Clock::now() - cam_.last_frame_at < std::chrono::seconds(2);
  office_->note_camera(cam_.fps, camera_fresh_);  // for the fleet heartbeat ([status] url)
  // Twice a second; a camera that is still starting is the machine's to wait for
  // (MachineOptions::camera_startup_ms).
  if (now - last_camera_report_ >= 500) {
    feed(CameraState{camera_fresh_}, now);
    last_camera_report_ = now;
  }
}

// 4. Time: the machine's timers, the countdown's beeps, a new screen or language.
void KioskApp::advance_time(Millis now) {
  feed(Tick{}, now);
  if (const int digit = machine_->countdown_digit(now); digit != last_digit_) {
    if (digit > 0) sound_->countdown_beep(digit == 1);
    last_digit_ = digit;
  }
  on_screen_change(machine_->state());
}

void KioskApp::on_screen_change(const BoothState& s) {
  if (s.screen == last_screen_ && s.session.locale == last_locale_) return;
  if (s.screen != last_screen_) {
    frames_in_screen_ = 0;
    if (traits(s.screen).forgets_participant) {
      // The last participant's photo and link leave memory with them.
      review_.reset();
      qr_.reset();
      still_.reset();
      tracker_->forget();
      follow_.reset();
    }
    entry_shot_pending_ = shots_->enabled();
  }
  last_screen_ = s.screen;
  last_locale_ = s.session.locale;
}

// 5. The live preview: only when shown and when the frame or the sign text changed.
void KioskApp::update_preview() {
  const BoothState& s = machine_->state();
  if (!traits(s.screen).live_preview || !preview_) return;
  auto frame = grabber_->latest();
  photo::SignText text;
  text.blank = strings_->get(s.session.locale, "sign.blank");
  if (traits(s.screen).sign_text) {
    text.name = s.session.first_name.text();
    text.answer = s.session.answer_pick.empty()
                      ? s.session.answer_words.text()
                      : strings_->get(s.session.locale, "answer." + s.session.answer_pick);
  }
  const std::string sign_key = text.name + "\n" + text.answer + "\n" + text.blank;
  // Redrawn only for a new camera frame or a new sign text that is drawn: without a GPU each
  // texture upload costs milliseconds, so the framing moves at the camera's rate, not the
  // screen's. A typed letter's text is drawn on the composer's thread; until it is, the
  // preview keeps the text before it (drawing it here took 60-260 ms of a frame).
  const bool new_frame = frame && frame->sequence != shown_seq_;
  const bool new_text = sign_key != shown_sign_;
  sign_pending_ = new_text;
  if (!frame || (!new_frame && !new_text)) return;
  // A plain sign is never left waiting: the texture may still hold the last participant's name.
  const bool words = !text.name.empty() || !text.answer.empty();
  if (!new_frame && words && composer_ && !composer_->preview_ready(preview_px_, text)) {
    composer_->prepare(preview_px_, text);
    return;
  }
  if (new_frame) {
    tracker_->offer(frame);
    // The framing eases toward the participant's face, as the photo will frame it.
    shown_framing_ = follow_.step(tracker_->latest().face, frame->bgr.size(), Clock::now());
  }
  void* pixels = nullptr;
  int pitch = 0;
  if (SDL_LockTexture(preview_.get(), nullptr, &pixels, &pitch) != 0) return;
  bool shows_text = true;
  if (composer_) {
    shows_text = composer_->preview_latest(frame->bgr, text, static_cast<std::uint8_t*>(pixels),
                                           pitch, preview_px_, shown_framing_);
  } else {  // no sign frame: the mirrored camera image alone
    const cv::Mat& src = frame->bgr;
    const int cw = std::min(src.cols, src.rows * preview_px_.width / preview_px_.height);
    cv::Mat crop = src(cv::Rect((src.cols - cw) / 2, 0, cw, src.rows)), scaled, flipped;
    cv::resize(crop, scaled, preview_px_);
    cv::flip(scaled, flipped, 1);
    cv::Mat dst(preview_px_, CV_8UC4, pixels, static_cast<std::size_t>(pitch));
    cv::cvtColor(flipped, dst, cv::COLOR_BGR2BGRA);
  }
  SDL_UnlockTexture(preview_.get());
  shown_seq_ = frame->sequence;
  if (shows_text) shown_sign_ = sign_key;
  sign_pending_ = !shows_text;
  preview_valid_ = true;
}

// 6. Draw.
void KioskApp::draw(Millis now) {
  apply_look(machine_->state());
  painter_->begin_frame();
  View view{*machine_,
            now,
            *strings_,
            cfg_,
            status_,
            CameraInfo{camera_fresh_, cam_.fps, cam_.source, cam_.last_error},
            preview_valid_ ? preview_.get() : nullptr,
            review_.get(),
            qr_.get(),
            touch_.held(),
            thumb_.get(),
            found_thumb_.get()};
  if (!speech_->problem().empty())
    view.speech_problem = strings_->get(machine_->shown_locale(), speech_->problem());
  draw_screen(*painter_, view, hits_);
  focus_.update(view.s().screen, hits_);
  if (view.s().session.audio) focus_.show();  // audio mode: where the voice is, is seen
  if (const Focusable* f = focus_.focused(); f && focus_.visible())
    draw_focus_ring(*painter_, f->rect);
  ++frames_in_screen_;
  report_counter(view);
  narrate(view);
}

void KioskApp::apply_look(const BoothState& s) {
  const bool high_contrast = s.session.high_contrast;
  set_theme(high_contrast ? Theme::kHighContrast : Theme::kStandard);
  // The volunteer's screens keep their size: their panels are laid out tight.
  const bool large = high_contrast && s.screen != Screen::kAdmin && s.screen != Screen::kAdminPin;
  painter_->set_look(static_cast<int>(current_theme()), large ? kLargeTextScale : 1.0f);
}

void KioskApp::narrate(const View& view) {
  if (auto said = narrator_.update(view, focus_.items(), focus_.focused())) speech_->say(*said);
  // What bench/kiosk/speech-latency reads: screen change (the frame that drew it) → the
  // audio device taking the utterance's first sample.
  if (const auto h = speech_->heard())
    pb::log::info(pb::log::cat("kiosk: speech: first sample ", std::lround(h->ms), " ms after ",
                               h->new_screen ? "a new screen" : "a change on the screen"));
}

// One line whenever ATTRACT's or THANKS's count reads differently: the volunteer's log, and
// what tests of the campaign-wide count wait for.
void KioskApp::report_counter(const View& view) {
  const Screen screen = view.s().screen;
  campaign_shown_ = shown_campaign(view).has_value();
  std::string line;
  if (const std::string c = attract_counter(view); screen == Screen::kAttract && !c.empty())
    line = "kiosk: attract counter: " + c;
  if (const std::string c = thanks_counter(view); screen == Screen::kThanks && !c.empty())
    line = "kiosk: thanks counter: " + c;
  if (line.empty() || line == counter_reported_) return;
  counter_reported_ = line;
  pb::log::info(line);
}

// 7. Screenshots: on entering a screen once it has what it shows, and on `shot`.
void KioskApp::take_screenshots(Millis now) {
  const BoothState& s = machine_->state();
  if (entry_shot_pending_) {
    bool ready = frames_in_screen_ >= 2;
    if (traits(s.screen).live_preview) ready = ready && preview_valid_ && !sign_pending_;
    ready = ready && !machine_->awaiting();
    // The back office's first look at the ledger has arrived (ATTRACT's count, ADMIN's rows),
    // or a second or so went by: a script waits for the shot, and a screen must not time
    // out under it.
    ready =
        ready && (status_.ledger_open || !status_.ledger_error.empty() || frames_in_screen_ > 60);
    if (s.screen == Screen::kCountdown) ready = ready && machine_->countdown_digit(now) > 0;
    if (ready || frames_in_screen_ > 180) {
      shots_->capture(renderer_.get(),
                      std::string(to_string(s.screen)) + "-" + machine_->shown_locale());
      entry_shot_pending_ = false;
    }
  }
  // A named shot shows the sign with what was typed (a few frames at most), as a person sees
  // it once he stops typing.
  if (named_shots_.empty() ||
      (traits(s.screen).live_preview && sign_pending_ && ++shot_waited_ < 180))
    return;
  for (const auto& name : named_shots_)
    shots_->capture(renderer_.get(), name + "-" + machine_->shown_locale());
  named_shots_.clear();
  shot_waited_ = 0;
}

// 8. Present, and tell the service manager what the booth has shown.
bool KioskApp::present() {
  if (std::string lost = display_.on_frame(SDL_RenderFlush(renderer_.get())); !lost.empty()) {
    pb::log::warn(
        pb::log::cat("kiosk: ", lost, "; exiting so that the service restarts the booth"));
    return false;
  }
  SDL_RenderPresent(renderer_.get());
  // Hand the frame to the GL driver now. A swap does not always do it (EGL pbuffers, as
  // under SDL's offscreen driver): Mesa's llvmpipe then rasterised every frame since the
  // last texture upload at that upload, e.g. all of THANKS's frames at ATTRACT's first
  // preview (130-145 ms). Flushed here, the raster runs on llvmpipe's threads while this
  // one sleeps until the next frame.
  if (gl_flush_) gl_flush_();
  if (!service_->ready_sent()) {
    pb::log::info("kiosk: first frame presented");  // bench/kiosk/startup reads these two
    service_->ready("first frame presented");
  }
  const BoothState& s = machine_->state();
  if (!camera_shown_ && preview_valid_ && traits(s.screen).live_preview) {
    camera_shown_ = true;
    pb::log::info("kiosk: first camera frame shown");
    service_->status("first camera frame shown");
  }
  report_thanks(s);
  return true;
}

// One line, in one write, once THANKS has shown a participant his number or that his
// pledge was not saved: the volunteer's log, and what crash tests hold the booth to.
void KioskApp::report_thanks(const BoothState& st) {
  std::string line;
  if (st.screen == Screen::kThanks && st.session.saved &&
      thanks_reported_ != st.session.saved->pledge_id) {
    thanks_reported_ = st.session.saved->pledge_id;
    line = "kiosk: thanks shown: supporter #" + std::to_string(st.session.saved->supporter_number) +
           " pledge " + st.session.saved->pledge_id;
  } else if (st.screen == Screen::kThanks && st.session.save_failed && thanks_reported_ != "-") {
    thanks_reported_ = "-";
    line = "kiosk: thanks shown: not saved, the participant was asked to see a volunteer";
  } else if (st.screen != Screen::kThanks) {
    thanks_reported_.clear();
  }
  if (!line.empty()) pb::log::info(line);  // one write, as every log line
  // Which QR code THANKS shows (issue 24: his own photo only with "a link for me").
  if (!line.empty() && st.session.saved)
    pb::log::info(st.session.saved->qr_url == cfg_.event.page_url
                      ? "kiosk: thanks qr: the campaign page"
                      : "kiosk: thanks qr: his own photo");
}

// 9. The script, between frames.
void KioskApp::play_script(Millis now) {
  if (!script_ || entry_shot_pending_ || !named_shots_.empty()) return;
  script_->step({window_.get(), *painter_, hits_, machine_->state().screen, now,
                 [this](const std::string& name) { named_shots_.push_back(name); }, settled(),
                 campaign_shown_, focus_.focused_target()});
  if (script_->done() && !script_reported_) {
    pb::log::info(script_->failed() ? "kiosk: script failed" : "kiosk: script finished");
    script_reported_ = true;
  }
  if (script_->done() && opt_.exit_after_script && named_shots_.empty()) {
    if (script_->failed()) exit_code_ = kScriptFailed;
    running_ = false;
  }
  if (script_->failed() && !opt_.exit_after_script) script_.reset();
}

bool KioskApp::settled() const {
  const BoothState& s = machine_->state();
  return !machine_->awaiting() && !office_->busy() &&
         !(traits(s.screen).live_preview && sign_pending_);
}

// 10. Pacing and frame times.
void KioskApp::pace(Clock::time_point frame_start, const char* slowest_phase) {
  const auto frame_end = Clock::now();
  frame_stats_.record(frame_start, frame_end, office_->busy(), to_string(machine_->state().screen),
                      slowest_phase);
  const double work = std::chrono::duration<double, std::milli>(frame_end - frame_start).count();
  // With vsync, present already waited; without (offscreen, software), pace to ~60 Hz.
  if (work < kFrameMs) SDL_Delay(kFrameMs - static_cast<Uint32>(work));
}

int KioskApp::finish() {
  service_->stopping();
  const std::string summary = frame_stats_.summary_json();
  pb::log::info(pb::log::cat("kiosk: frame times ", summary));
  pb::log::info(pb::log::cat("kiosk: input: ", pointer_presses_, " touch or mouse presses, ",
                             key_taps_, " taps by keys"));
  if (!opt_.frame_stats_path.empty()) std::ofstream(opt_.frame_stats_path) << summary << "\n";
  return exit_code_;
}

// --- events in, commands out ----------------------------------------------------------------

void KioskApp::feed(const Event& e, Millis now) {
  for (const Command& c : machine_->handle(e, now)) carry_out(c, now);
}

void KioskApp::carry_out(const Command& c, Millis now) {
  if (std::holds_alternative<TakeStill>(c)) {
    sound_->shutter();
    still_ = grabber_->still(camera::Clock::now());
    // The machine hears at once whether the still was taken (before the next command).
    if (still_)
      feed(StillTaken{}, now);
    else
      feed(StillFailed{}, now);
  } else if (const auto* cr = std::get_if<ComposeReview>(&c)) {
    review_.reset();
    // Where the tracker saw the face just before the shutter: compose refinds it nearby
    // (~1 ms) instead of searching the whole still (5-25 ms).
    std::optional<cv::Rect> hint;
    if (const FaceSighting seen = tracker_->latest();
        seen.face && still_ && still_->captured - seen.captured < std::chrono::milliseconds(500))
      hint = seen.face;
    office_->compose_review(still_, *cr, hint);
  } else if (std::holds_alternative<DiscardPhoto>(c)) {
    still_.reset();
    review_.reset();
    office_->discard_photo();
  } else if (const auto* sp = std::get_if<SavePledge>(&c)) {
    still_.reset();
    qr_.reset();
    if (!sp->with_photo) review_.reset();
    office_->save(*sp);
  } else if (const auto* vp = std::get_if<VerifyPin>(&c)) {
    office_->verify_pin(vp->pin);
  } else if (std::holds_alternative<DeleteLastPledge>(c)) {
    office_->delete_last_pledge();
  } else if (const auto* fp = std::get_if<FindPledge>(&c)) {
    found_thumb_.reset();
    office_->find_pledge(fp->ref);
  } else if (const auto* dp = std::get_if<DeletePledge>(&c)) {
    found_thumb_.reset();
    office_->delete_pledge(dp->pledge_id);
  } else if (std::holds_alternative<UploadNow>(c)) {
    if (uploader_) uploader_->wake(true);
  } else if (std::holds_alternative<ExitBooth>(c)) {
    running_ = false;
  } else if (std::holds_alternative<ForgetStranded>(c)) {
    office_->forget_stranded();
  } else if (std::holds_alternative<RestartBooth>(c)) {
    pb::log::info("kiosk: a volunteer restarts the booth; the service starts it again");
    running_ = false;
  } else if (std::holds_alternative<ShutDown>(c)) {
    pb::log::info("kiosk: a volunteer shuts the booth down; closing the ledger first");
    power_off_ = true;
    running_ = false;
  }
}

}  // namespace pb::kiosk
