// run_kiosk: the SDL main loop (poll → adapter → machine → commands → draw → present),
// lockdown, the live preview texture, scripted runs, screenshots and frame timing.
#include "pb/kiosk.h"

#include <SDL.h>
#include <SDL_ttf.h>
#include <stb/stb_image_write.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "back_office.h"
#include "painter.h"
#include "pb/camera.h"
#include "pb/face_tracker.h"
#include "pb/i18n.h"
#include "pb/kiosk_script.h"
#include "pb/photo.h"
#include "pb/qr_code.h"
#include "pb/sound.h"
#include "screens.h"
#include "service.h"
#include "touch_input.h"
#ifdef PB_KIOSK_HAS_UPLOADER
#include "pb/uploader.h"
#endif

namespace pb::kiosk {
namespace {

// The live preview texture fits this box in the photo's aspect (4:5: 640x800).
constexpr int kPreviewW = 640, kPreviewH = 800;
constexpr Uint32 kFrameMs = 16;          // pacing when the renderer has no vsync
constexpr Millis kCameraGraceMs = 5000;  // no "camera lost" while it starts up
const char* kFontDir = "/usr/share/fonts/truetype/nanum";

std::atomic<bool> g_terminate{false};
extern "C" void on_terminate(int) {
  g_terminate = true;
}

struct WindowDeleter {
  void operator()(SDL_Window* w) const { SDL_DestroyWindow(w); }
};
struct RendererDeleter {
  void operator()(SDL_Renderer* r) const { SDL_DestroyRenderer(r); }
};

// SDL and SDL_ttf for the lifetime of the booth.
struct SdlSession {
  bool ok = false;
  SdlSession() {
    ok = SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS | SDL_INIT_TIMER) == 0;
    if (ok && TTF_Init() != 0) {
      SDL_Quit();
      ok = false;
    }
  }
  ~SdlSession() {
    if (!ok) return;
    TTF_Quit();
    SDL_Quit();
  }
};

// Writes screenshots on its own thread so the UI thread never waits on the disk.
class ScreenshotWriter {
 public:
  ScreenshotWriter() : thread_([this] { run(); }) {}
  ~ScreenshotWriter() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  void write(std::string path, std::vector<unsigned char> rgb, int w, int h) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.push_back({std::move(path), std::move(rgb), w, h});
    }
    cv_.notify_all();
  }

 private:
  struct Shot {
    std::string path;
    std::vector<unsigned char> rgb;
    int w, h;
  };
  void run() {
    for (;;) {
      Shot shot;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
        if (queue_.empty()) return;
        shot = std::move(queue_.front());
        queue_.pop_front();
      }
      if (!stbi_write_png(shot.path.c_str(), shot.w, shot.h, 3, shot.rgb.data(), shot.w * 3))
        std::cerr << "kiosk: could not write " << shot.path << "\n";
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Shot> queue_;
  bool stop_ = false;
  std::thread thread_;
};

double percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

MachineOptions machine_options(const config::Config& c) {
  MachineOptions o;
  o.idle_timeout_ms = static_cast<Millis>(c.booth.idle_timeout_s) * 1000;
  o.thanks_timeout_ms = static_cast<Millis>(c.booth.thanks_timeout_s) * 1000;
  o.countdown_s = c.booth.countdown_s;
  o.max_retakes = c.booth.max_retakes;
  o.default_locale = c.booth.default_locale;
  o.consent_version = c.event.consent_version;
  o.admin_enabled = !c.booth.admin_pin_hash.empty();
  return o;
}

// Plays a script: one step at a time, taps injected as real SDL events so they travel
// the same path as a finger.
class ScriptPlayer {
 public:
  ScriptPlayer(std::vector<ScriptStep> steps, std::string name)
      : steps_(std::move(steps)), name_(std::move(name)) {}
  bool done() const { return i_ >= steps_.size() || failed_; }
  bool failed() const { return failed_; }

  struct Env {
    SDL_Window* window;
    Painter& painter;
    const std::vector<Hit>& hits;
    Screen screen;
    Millis now;
    std::function<void(const std::string&)> shot;
    bool settled;  // nothing in flight: no PIN check, compose or save
  };

  void step(const Env& env) {
    while (!done()) {
      ScriptStep& s = steps_[i_];
      if (started_ < 0) started_ = env.now;
      const Millis elapsed = env.now - started_;
      switch (s.kind) {
        case ScriptStep::Kind::kWait:
          if (elapsed < static_cast<Millis>(s.seconds * 1000)) return;
          break;
        case ScriptStep::Kind::kTap:
        case ScriptStep::Kind::kTouch:
        case ScriptStep::Kind::kHold: {
          if (phase_ == 0) {
            float x = s.x, y = s.y;
            if (!s.target.empty()) {
              const Hit* h = find(env.hits, s.target, s.kind == ScriptStep::Kind::kHold);
              if (!h) {
                if (elapsed < 5000) return;  // the screen may still be changing
                return fail(s, "no target `" + s.target + "` on screen " + to_string(env.screen));
              }
              x = h->rect.cx();
              y = h->rect.cy();
            }
            press(env, x, y, true, s.kind == ScriptStep::Kind::kTouch);
            px_ = x;
            py_ = y;
            phase_ = 1;
            pressed_at_ = env.now;
            return;
          }
          const Millis hold =
              s.kind == ScriptStep::Kind::kHold ? static_cast<Millis>(s.seconds * 1000) : 0;
          if (env.now - pressed_at_ < hold || env.now == pressed_at_) return;
          press(env, px_, py_, false, s.kind == ScriptStep::Kind::kTouch);
          phase_ = 0;
          break;
        }
        case ScriptStep::Kind::kExpect:
          if (s.target != to_string(env.screen)) {
            if (elapsed < static_cast<Millis>(s.seconds * 1000)) return;
            return fail(s, std::string("expected screen `") + s.target + "`, still on `" +
                               to_string(env.screen) + "`");
          }
          break;
        case ScriptStep::Kind::kSettle:
          // Judged from the next frame on, once the taps just sent have been handled.
          if (elapsed == 0 || !env.settled) {
            if (elapsed < static_cast<Millis>(s.seconds * 1000)) return;
            return fail(s, "still busy (a PIN check, compose or save) after " +
                               std::to_string(s.seconds) + " s");
          }
          break;
        case ScriptStep::Kind::kShot:
          env.shot(s.target);
          ++i_;  // the shot is taken next frame: nothing else may happen before it
          started_ = -1;
          return;
        case ScriptStep::Kind::kQuit: {
          SDL_Event e{};
          e.type = SDL_QUIT;
          SDL_PushEvent(&e);
          SDL_Event w{};
          w.type = SDL_WINDOWEVENT;
          w.window.event = SDL_WINDOWEVENT_CLOSE;
          w.window.windowID = SDL_GetWindowID(env.window);
          SDL_PushEvent(&w);
          break;
        }
        case ScriptStep::Kind::kKey: {
          SDL_Event e{};
          e.type = SDL_KEYDOWN;
          e.key.windowID = SDL_GetWindowID(env.window);
          e.key.state = SDL_PRESSED;
          e.key.keysym.sym = s.target == "escape"   ? SDLK_ESCAPE
                             : s.target == "alt+f4" ? SDLK_F4
                                                    : SDLK_TAB;
          e.key.keysym.scancode = SDL_GetScancodeFromKey(e.key.keysym.sym);
          e.key.keysym.mod = s.target == "escape" ? KMOD_NONE : KMOD_LALT;
          SDL_PushEvent(&e);
          e.type = SDL_KEYUP;
          e.key.state = SDL_RELEASED;
          SDL_PushEvent(&e);
          break;
        }
        case ScriptStep::Kind::kStall:  // a hung UI thread: no frames, no watchdog pings
          std::cerr << "kiosk: script: stalling the UI loop\n";
          while (!g_terminate) SDL_Delay(20);
          break;
      }
      ++i_;
      started_ = -1;
    }
  }

 private:
  static const Hit* find(const std::vector<Hit>& hits, const std::string& target, bool long_press) {
    for (auto it = hits.rbegin(); it != hits.rend(); ++it)
      if (it->target == target && (it->long_press == long_press || !long_press)) return &*it;
    return nullptr;
  }
  void press(const Env& env, float x, float y, bool down, bool finger) {
    const SDL_Rect p = env.painter.pixels({x, y, 0, 0});
    int ww = 1, wh = 1, pw = 1, ph = 1;
    SDL_GetWindowSize(env.window, &ww, &wh);
    SDL_GetRendererOutputSize(SDL_GetRenderer(env.window), &pw, &ph);
    const float wx = static_cast<float>(p.x) * static_cast<float>(ww) / static_cast<float>(pw);
    const float wy = static_cast<float>(p.y) * static_cast<float>(wh) / static_cast<float>(ph);
    SDL_Event e{};
    if (finger) {
      e.type = down ? SDL_FINGERDOWN : SDL_FINGERUP;
      e.tfinger.touchId = 1;
      e.tfinger.fingerId = 7;
      e.tfinger.x = wx / static_cast<float>(ww);
      e.tfinger.y = wy / static_cast<float>(wh);
      e.tfinger.pressure = 1;
    } else {
      e.type = down ? SDL_MOUSEBUTTONDOWN : SDL_MOUSEBUTTONUP;
      e.button.windowID = SDL_GetWindowID(env.window);
      e.button.which = 0;
      e.button.button = SDL_BUTTON_LEFT;
      e.button.state = down ? SDL_PRESSED : SDL_RELEASED;
      e.button.clicks = 1;
      e.button.x = static_cast<int>(wx);
      e.button.y = static_cast<int>(wy);
    }
    SDL_PushEvent(&e);
  }
  void fail(const ScriptStep& s, const std::string& what) {
    std::cerr << "script " << name_ << ":" << s.line << ": " << what << "\n";
    failed_ = true;
  }

  std::vector<ScriptStep> steps_;
  std::string name_;
  std::size_t i_ = 0;
  Millis started_ = -1;
  int phase_ = 0;
  Millis pressed_at_ = 0;
  float px_ = 0, py_ = 0;
  bool failed_ = false;
};

}  // namespace

int run_kiosk(const config::Config& cfg, const KioskOptions& opt) {
  // --- start-up: everything that reads the disk happens before the loop -----------------
  auto loaded = Strings::load(config::assets_dir() + "/i18n");
  if (!loaded) {
    std::cerr << "kiosk: " << loaded.status().message() << "\n";
    return 2;
  }
  const Strings strings = std::move(*loaded);
  std::optional<ScriptPlayer> script;
  if (!opt.script_path.empty()) {
    std::ifstream in(opt.script_path);
    if (!in) {
      std::cerr << "kiosk: cannot read the script " << opt.script_path << "\n";
      return 2;
    }
    std::stringstream text;
    text << in.rdbuf();
    auto steps = parse_script(text.str(), opt.script_path);
    if (!steps) {
      std::cerr << "kiosk: " << steps.status().message() << "\n";
      return 2;
    }
    script.emplace(std::move(*steps), opt.script_path);
  }
  if (!opt.screenshots_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(opt.screenshots_dir, ec);
  }

  std::shared_ptr<const photo::Composer> composer;
  // The tracker gets a cascade of its own: the shutter's compose never waits for it.
  std::shared_ptr<const photo::FaceFinder> tracker_faces;
  if (auto aspect = photo::parse_aspect(cfg.photo.aspect); aspect) {
    if (auto sign = photo::SignFrame::load(cfg.photo.frame)) {
      std::shared_ptr<const photo::FaceFinder> faces;
      if (auto f = photo::FaceFinder::load()) faces = *f;
      if (faces)
        if (auto f = photo::FaceFinder::load()) tracker_faces = *f;
      composer = std::make_shared<photo::Composer>(*sign, *aspect, faces);
    } else {
      std::cerr << "kiosk: no sign frame (" << sign.status().message()
                << "); photos without the sign\n";
    }
  }
  auto source = camera::make_source(cfg.camera);
  if (!source) {
    std::cerr << "kiosk: camera: " << source.status().message() << "\n";
    return 2;
  }
  camera::Grabber grabber(std::move(*source));
  grabber.start();
  FaceTracker tracker(tracker_faces);
  FaceFollow follow;

  std::unique_ptr<upload::OutboxWorker> uploader;
#ifdef PB_KIOSK_HAS_UPLOADER
  if (cfg.upload.enabled) {
    uploader = std::make_unique<upload::OutboxWorker>(cfg);
    uploader->start();
  }
#endif

  // --- SDL, with the lockdown hints set before init ---------------------------------------
  SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
  SDL_SetHint(SDL_HINT_VIDEO_MINIMIZE_ON_FOCUS_LOSS, "0");
  SDL_SetHint(SDL_HINT_QUIT_ON_LAST_WINDOW_CLOSE, "0");
  SDL_SetHint(SDL_HINT_VIDEO_ALLOW_SCREENSAVER, "0");
  if (!opt.windowed) {
    SDL_SetHint(SDL_HINT_GRAB_KEYBOARD, "1");
    SDL_SetHint(SDL_HINT_ALLOW_ALT_TAB_WHILE_GRABBED, "0");
  }
  std::signal(SIGTERM, on_terminate);
  std::signal(SIGINT, on_terminate);
  SdlSession sdl;
  if (!sdl.ok) {
    std::cerr << "kiosk: SDL could not start: " << SDL_GetError() << "\n";
    return 2;
  }
  const Uint32 win_flags = opt.windowed ? SDL_WINDOW_RESIZABLE : SDL_WINDOW_FULLSCREEN_DESKTOP;
  std::unique_ptr<SDL_Window, WindowDeleter> window(SDL_CreateWindow(
      "pledgebooth", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, 1280, 720, win_flags));
  if (!window) {
    std::cerr << "kiosk: no window: " << SDL_GetError() << "\n";
    return 2;
  }
  std::unique_ptr<SDL_Renderer, RendererDeleter> renderer(
      SDL_CreateRenderer(window.get(), -1, SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC));
  if (!renderer) renderer.reset(SDL_CreateRenderer(window.get(), -1, 0));
  if (!renderer) {
    std::cerr << "kiosk: no renderer: " << SDL_GetError() << "\n";
    return 2;
  }
  SDL_DisableScreenSaver();
  if (!opt.windowed) {
    SDL_SetWindowKeyboardGrab(window.get(), SDL_TRUE);
    SDL_ShowCursor(SDL_DISABLE);
  }
  SDL_SetHint(SDL_HINT_RENDER_SCALE_QUALITY, "1");
  const auto aspect = photo::parse_aspect(cfg.photo.aspect);
  const cv::Size preview_px =
      photo::preview_size(aspect ? *aspect : photo::Aspect::k4x5, {kPreviewW, kPreviewH});
  TexturePtr preview(SDL_CreateTexture(renderer.get(), SDL_PIXELFORMAT_ARGB8888,
                                       SDL_TEXTUREACCESS_STREAMING, preview_px.width,
                                       preview_px.height));
  TexturePtr review, qr;
  bool preview_valid = false;

  Painter painter(renderer.get(), kFontDir);
  Sound sound(cfg.booth.sound);
  int last_digit = 0;  // the countdown digit last beeped
  TouchAdapter touch;
  ScreenshotWriter shots;
  BackOffice office(
      cfg, composer, uploader.get(),
      [&strings](const std::string& l, const std::string& k) { return strings.get(l, k); });
  const Millis t0 = static_cast<Millis>(SDL_GetTicks64());
  BoothMachine machine(machine_options(cfg), t0);
  BoothStatus status;
  std::shared_ptr<const camera::Frame> still;
  std::uint64_t shown_seq = 0;
  std::string shown_sign;
  std::optional<cv::Rect> shown_framing;  // the face the preview is framed on (eased)
  std::vector<Hit> hits;
  Millis last_camera_report = 0;
  int shot_no = 0;
  bool running = true;
  int exit_code = 0;
  Screen last_screen = Screen::kAttract;
  std::string last_locale;
  int frames_in_screen = 0;
  bool entry_shot_pending = !opt.screenshots_dir.empty();
  std::vector<std::string> named_shots;
  bool ignored_quit_logged = false;
  bool script_reported = false;
  struct FrameTime {
    double work, interval;
    bool in_flight;  // the back office was composing or saving
  };
  std::vector<FrameTime> frame_times;
  frame_times.reserve(1 << 16);
  auto prev_start = std::chrono::steady_clock::now();
  ServiceNotifier service = ServiceNotifier::from_environment();
  DisplayWatch display;
  bool camera_shown = false;

  // One line, in one write, once THANKS has shown a participant his number or that his
  // pledge was not saved: the volunteer's log, and what crash tests hold the booth to.
  std::string thanks_reported;
  auto report_thanks = [&thanks_reported](const BoothState& st) {
    std::string line;
    if (st.screen == Screen::kThanks && st.saved && thanks_reported != st.saved->pledge_id) {
      thanks_reported = st.saved->pledge_id;
      line = "kiosk: thanks shown: supporter #" + std::to_string(st.saved->supporter_number) +
             " pledge " + st.saved->pledge_id + "\n";
    } else if (st.screen == Screen::kThanks && st.save_failed && thanks_reported != "-") {
      thanks_reported = "-";
      line = "kiosk: thanks shown: not saved, the participant was asked to see a volunteer\n";
    } else if (st.screen != Screen::kThanks) {
      thanks_reported.clear();
    }
    if (!line.empty()) std::fwrite(line.data(), 1, line.size(), stderr);
  };

  std::function<void(const Event&, Millis)> feed = [&](const Event& e, Millis now) {
    for (const Command& c : machine.handle(e, now)) {
      if (std::holds_alternative<TakeStill>(c)) {
        sound.shutter();
        still = grabber.still(camera::Clock::now());
        if (still)
          feed(StillTaken{}, now);
        else
          feed(StillFailed{}, now);
      } else if (const auto* cr = std::get_if<ComposeReview>(&c)) {
        review.reset();
        // Where the tracker saw the face just before the shutter: compose refinds it nearby
        // (~1 ms) instead of searching the whole still (5-25 ms).
        std::optional<cv::Rect> hint;
        if (const FaceSighting seen = tracker.latest();
            seen.face && still && still->captured - seen.captured < std::chrono::milliseconds(500))
          hint = seen.face;
        office.compose_review(still, *cr, hint);
      } else if (std::holds_alternative<DiscardPhoto>(c)) {
        still.reset();
        review.reset();
        office.discard_photo();
      } else if (const auto* sp = std::get_if<SavePledge>(&c)) {
        still.reset();
        qr.reset();
        if (!sp->with_photo) review.reset();
        office.save(*sp);
      } else if (const auto* vp = std::get_if<VerifyPin>(&c)) {
        office.verify_pin(vp->pin);
      } else if (std::holds_alternative<DeleteLastPledge>(c)) {
        office.delete_last_pledge();
      } else if (std::holds_alternative<UploadNow>(c)) {
#ifdef PB_KIOSK_HAS_UPLOADER
        if (uploader) uploader->wake(true);
#endif
      } else if (std::holds_alternative<ExitBooth>(c)) {
        running = false;
      }
    }
  };

  while (running) {
    const auto frame_start = std::chrono::steady_clock::now();
    const Millis now = static_cast<Millis>(SDL_GetTicks64());
    if (g_terminate) running = false;
    service.watchdog(frame_start);

    // 1. Input: through the adapter only. Quit requests and keys are the lockdown's.
    SDL_Event e;
    while (SDL_PollEvent(&e)) {
      if (std::string lost = display.on_event(e, window.get(), opt.windowed); !lost.empty()) {
        std::cerr << "kiosk: " << lost << "; exiting so that the service restarts the booth\n";
        return 4;
      }
      const bool quit = e.type == SDL_QUIT ||
                        (e.type == SDL_WINDOWEVENT && e.window.event == SDL_WINDOWEVENT_CLOSE);
      if (quit && opt.windowed) {
        running = false;
      } else if (quit || e.type == SDL_KEYDOWN) {
        if (!ignored_quit_logged || quit)
          std::cerr << "kiosk: lockdown: ignored " << (quit ? "a quit request" : "a key") << "\n";
        ignored_quit_logged = true;
      }
      if (auto in = touch.feed(e, painter, window.get(), static_cast<std::uint32_t>(now))) {
        if (const Hit* h = hit_at(hits, in->x, in->y, false)) feed(Tap{h->target}, now);
      }
    }
    if (auto in = touch.poll(static_cast<std::uint32_t>(now))) {
      if (const Hit* h = hit_at(hits, in->x, in->y, true)) feed(LongPress{h->target}, now);
    }

    // 2. What the workers finished.
    for (auto& r : office.take_results()) {
      if (auto* img = std::get_if<ReviewImage>(&r)) {
        if (machine.state().screen != Screen::kReview && machine.state().screen != Screen::kThanks)
          continue;
        review.reset(SDL_CreateTexture(renderer.get(), SDL_PIXELFORMAT_ARGB8888,
                                       SDL_TEXTUREACCESS_STATIC, img->width, img->height));
        if (review) SDL_UpdateTexture(review.get(), nullptr, img->argb.data(), img->width * 4);
        machine.set_review_ready();
      } else if (auto* done = std::get_if<SaveDone>(&r)) {
        const QrCode code = make_qr(done->qr_url);
        if (!code.empty()) {
          std::vector<Uint32> px(code.dark.size());
          for (std::size_t i = 0; i < px.size(); ++i)
            px[i] = code.dark[i] ? 0xFF2A0842u : 0xFFFFFFFFu;
          qr.reset(SDL_CreateTexture(renderer.get(), SDL_PIXELFORMAT_ARGB8888,
                                     SDL_TEXTUREACCESS_STATIC, code.size, code.size));
          if (qr) {
            SDL_UpdateTexture(qr.get(), nullptr, px.data(), code.size * 4);
            SDL_SetTextureScaleMode(qr.get(), SDL_ScaleModeNearest);
          }
        }
        feed(*done, now);
      } else if (auto* failed = std::get_if<SaveFailed>(&r)) {
        std::cerr << "kiosk: save failed: " << strings.format("en", failed->message, failed->args)
                  << "\n";
        feed(*failed, now);
      } else if (auto* pin = std::get_if<PinChecked>(&r)) {
        feed(*pin, now);
      } else if (auto* st = std::get_if<StorageState>(&r)) {
        feed(*st, now);
      }
    }
    status = office.status();

    // 3. The camera, as the machine needs to know it.
    const camera::GrabberStats cam = grabber.stats();
    const bool fresh =
        cam.connected && camera::Clock::now() - cam.last_frame_at < std::chrono::seconds(2);
    office.note_camera(cam.fps, fresh);  // for the fleet heartbeat ([status] url)
    if (now - last_camera_report >= 500 && (fresh || now - t0 > kCameraGraceMs)) {
      feed(CameraState{fresh}, now);
      last_camera_report = now;
    }

    // 4. Time.
    feed(Tick{}, now);
    const BoothState& s = machine.state();
    if (const int digit = machine.countdown_digit(now); digit != last_digit) {
      if (digit > 0) sound.countdown_beep(digit == 1);
      last_digit = digit;
    }
    if (s.screen != last_screen || s.locale != last_locale) {
      if (s.screen != last_screen) {
        frames_in_screen = 0;
        if (s.screen == Screen::kAttract || s.screen == Screen::kOutOfService) {
          // The last participant's photo and link leave memory with them.
          review.reset();
          qr.reset();
          still.reset();
          tracker.forget();
          follow.reset();
        }
        entry_shot_pending = !opt.screenshots_dir.empty();
      }
      last_screen = s.screen;
      last_locale = s.locale;
    }

    // 5. The live preview: only when shown and when the frame or the sign text changed.
    if (shows_preview(s.screen) && preview) {
      auto frame = grabber.latest();
      const bool with_text = s.screen == Screen::kDetails || s.screen == Screen::kCountdown;
      photo::SignText text;
      text.blank = strings.get(s.locale, "sign.blank");
      if (with_text) {
        text.name = s.first_name.text();
        text.answer = s.answer_pick.empty() ? s.answer_words.text()
                                            : strings.get(s.locale, "answer." + s.answer_pick);
      }
      const std::string sign_key = text.name + "\n" + text.answer + "\n" + text.blank;
      // Redrawn only for a new camera frame or new sign text: without a GPU each texture
      // upload costs milliseconds, so the framing moves at the camera's rate, not the screen's.
      if (frame && (frame->sequence != shown_seq || sign_key != shown_sign)) {
        if (frame->sequence != shown_seq) {
          tracker.offer(frame);
          // The framing eases toward the participant's face, as the photo will frame it.
          shown_framing = follow.step(tracker.latest().face, frame->bgr.size(),
                                      std::chrono::steady_clock::now());
        }
        const std::optional<cv::Rect>& framing = shown_framing;
        void* pixels = nullptr;
        int pitch = 0;
        if (SDL_LockTexture(preview.get(), nullptr, &pixels, &pitch) == 0) {
          if (composer) {
            composer->preview(frame->bgr, text, static_cast<std::uint8_t*>(pixels), pitch,
                              preview_px, framing);
          } else {  // no sign frame: the mirrored camera image alone
            const cv::Mat& src = frame->bgr;
            const int cw = std::min(src.cols, src.rows * preview_px.width / preview_px.height);
            cv::Mat crop = src(cv::Rect((src.cols - cw) / 2, 0, cw, src.rows)), scaled, flipped;
            cv::resize(crop, scaled, preview_px);
            cv::flip(scaled, flipped, 1);
            cv::Mat dst(preview_px, CV_8UC4, pixels, static_cast<std::size_t>(pitch));
            cv::cvtColor(flipped, dst, cv::COLOR_BGR2BGRA);
          }
          SDL_UnlockTexture(preview.get());
          shown_seq = frame->sequence;
          shown_sign = sign_key;
          preview_valid = true;
        }
      }
    }

    // 6. Draw.
    painter.begin_frame();
    View view{machine,
              now,
              strings,
              cfg,
              status,
              CameraInfo{fresh, cam.fps, cam.source, cam.last_error},
              preview_valid ? preview.get() : nullptr,
              review.get(),
              qr.get(),
              touch.held()};
    draw_screen(painter, view, hits);
    ++frames_in_screen;

    // 7. Screenshots: on entering a screen once it has what it shows, and on `shot`.
    auto capture = [&](const std::string& name) {
      int w = 0, h = 0;
      SDL_GetRendererOutputSize(renderer.get(), &w, &h);
      std::vector<unsigned char> rgb(static_cast<std::size_t>(w) * static_cast<std::size_t>(h) * 3);
      if (SDL_RenderReadPixels(renderer.get(), nullptr, SDL_PIXELFORMAT_RGB24, rgb.data(), w * 3) !=
          0)
        return;
      char prefix[16];
      std::snprintf(prefix, sizeof prefix, "%02d-", ++shot_no);
      shots.write(opt.screenshots_dir + "/" + prefix + name + ".png", std::move(rgb), w, h);
    };
    if (entry_shot_pending) {
      bool ready = frames_in_screen >= 2;
      if (shows_preview(s.screen)) ready = ready && preview_valid;
      if (s.screen == Screen::kReview) ready = ready && review;
      if (s.screen == Screen::kThanks) ready = ready && !s.saving;
      if (s.screen == Screen::kCountdown) ready = ready && machine.countdown_digit(now) > 0;
      if (ready || frames_in_screen > 180) {
        capture(std::string(to_string(s.screen)) + "-" + s.locale);
        entry_shot_pending = false;
      }
    }
    for (const auto& name : named_shots)
      if (!opt.screenshots_dir.empty()) capture(name + "-" + s.locale);
    named_shots.clear();
    if (std::string lost = display.on_frame(SDL_RenderFlush(renderer.get())); !lost.empty()) {
      std::cerr << "kiosk: " << lost << "; exiting so that the service restarts the booth\n";
      return 4;
    }
    SDL_RenderPresent(renderer.get());
    if (!service.ready_sent()) {
      std::cerr << "kiosk: first frame presented\n";  // bench/kiosk/startup reads these two
      service.ready("first frame presented");
    }
    if (!camera_shown && preview_valid && shows_preview(s.screen)) {
      camera_shown = true;
      std::cerr << "kiosk: first camera frame shown\n";
      service.status("first camera frame shown");
    }
    report_thanks(s);

    // 8. The script, between frames.
    if (script && !entry_shot_pending) {
      const bool settled = !s.pin_checking && !s.saving && !s.waiting_for_still && !office.busy() &&
                           !(s.screen == Screen::kReview && !s.review_ready);
      script->step({window.get(), painter, hits, s.screen, now,
                    [&](const std::string& name) { named_shots.push_back(name); }, settled});
      if (script->done() && !script_reported) {
        std::cerr << (script->failed() ? "kiosk: script failed\n" : "kiosk: script finished\n");
        script_reported = true;
      }
      if (script->done() && opt.exit_after_script && named_shots.empty()) {
        if (script->failed()) exit_code = 3;
        running = false;
      }
      if (script->failed() && !opt.exit_after_script) script.reset();
    }

    // 9. Pacing and frame times.
    const auto frame_end = std::chrono::steady_clock::now();
    const double work = std::chrono::duration<double, std::milli>(frame_end - frame_start).count();
    const double interval =
        std::chrono::duration<double, std::milli>(frame_start - prev_start).count();
    prev_start = frame_start;
    if (frame_times.size() < frame_times.capacity())
      frame_times.push_back({work, interval, office.busy()});
    // With vsync, present already waited; without (offscreen, software), pace to ~60 Hz.
    if (work < kFrameMs) SDL_Delay(kFrameMs - static_cast<Uint32>(work));
  }

  service.stopping();
  // Frame pacing summary (the first frames include start-up and are left out).
  std::vector<double> all_work, all_int, save_work, save_int;
  for (std::size_t i = 10; i < frame_times.size(); ++i) {
    all_work.push_back(frame_times[i].work);
    all_int.push_back(frame_times[i].interval);
    if (frame_times[i].in_flight) {
      save_work.push_back(frame_times[i].work);
      save_int.push_back(frame_times[i].interval);
    }
  }
  char summary[512];
  std::snprintf(
      summary, sizeof summary,
      "{\"frames\": %zu, \"work_p50_ms\": %.2f, \"work_p99_ms\": %.2f, \"interval_p50_ms\": %.2f, "
      "\"interval_p99_ms\": %.2f, \"inflight_frames\": %zu, \"inflight_work_p50_ms\": %.2f, "
      "\"inflight_work_p99_ms\": %.2f, \"inflight_interval_p50_ms\": %.2f, "
      "\"inflight_interval_p99_ms\": "
      "%.2f}",
      all_work.size(), percentile(all_work, 0.5), percentile(all_work, 0.99),
      percentile(all_int, 0.5), percentile(all_int, 0.99), save_work.size(),
      percentile(save_work, 0.5), percentile(save_work, 0.99), percentile(save_int, 0.5),
      percentile(save_int, 0.99));
  std::cerr << "kiosk: frame times " << summary << "\n";
  if (!opt.frame_stats_path.empty()) std::ofstream(opt.frame_stats_path) << summary << "\n";
  return exit_code;
}

}  // namespace pb::kiosk
