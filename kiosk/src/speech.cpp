// SPDX-License-Identifier: Apache-2.0
// Audio mode: what is said (Narrator, screen_words, control_words) and how (Speech: espeak-ng
// on a worker thread, resampled into Sound's speech channel). See speech.h.
#include "speech.h"

#include <espeak-ng/speak_lib.h>

#include <algorithm>
#include <cmath>

#include "pb/log.h"
#include "pb/low_priority.h"
#include "pb/thanks_info.h"

namespace pb::kiosk {
namespace {

std::string join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (const std::string& p : parts) {
    if (p.empty()) continue;
    if (!out.empty()) out += sep;
    out += p;
  }
  return out;
}

// "photo-choice:take" → "photo_choice.take", the i18n key most targets are labelled by.
std::string target_key(const std::string& target) {
  std::string key = target;
  std::replace(key.begin(), key.end(), '-', '_');
  std::replace(key.begin(), key.end(), ':', '.');
  return key;
}

std::string group_of(const std::string& target) {
  return target.substr(0, target.find(':'));
}

std::string item_of(const std::string& target) {
  const auto colon = target.find(':');
  return colon == std::string::npos ? "" : target.substr(colon + 1);
}

// Which panel covers the screen (its words replace the screen's).
std::string panel_of(const View& v) {
  const Session& p = v.s().session;
  if (v.machine.idle_warning_left(v.now) > 0) return "idle";
  if (v.s().screen == Screen::kReview && p.about_data) return "about-data";
  if (v.s().screen == Screen::kReview && p.confirm_no_photo) return "no-photo";
  return "";
}

}  // namespace

std::string control_words(const View& v, const Focusable& f) {
  const std::string group = group_of(f.target), item = item_of(f.target);
  const Session& p = v.s().session;
  if (group == "lang") {
    const std::string name = v.strings.get(item, "language.name");
    return item == p.locale ? name + ", " + v.tr("speech.chosen") : name;
  }
  if (group == "pick") {
    const std::string words = v.tr("answer." + item);
    return item == p.answer_pick ? words + ", " + v.tr("speech.chosen") : words;
  }
  if (group == "key") {
    if (item == "space") return v.tr("keyboard.space");
    if (item == "done") return v.tr("keyboard.done");
    if (item == "back" || item == "shift" || item == "mode") return v.tr("speech.key_" + item);
    return item;  // the letter itself
  }
  if (group == "field") {
    const bool name = item == "name";
    const std::string text = name ? p.first_name.text() : p.answer_words.text();
    return v.tr("speech.field", {{"label", v.tr(name ? "details.name_label" : "details.why_label")},
                                 {"text", text.empty() ? v.tr("speech.empty") : text}});
  }
  std::string words = f.label;
  if (words.empty() && v.strings.has(p.locale, target_key(f.target)))
    words = v.tr(target_key(f.target));
  if (words.empty()) {  // a target without words of its own: its item, as words
    words = item;
    std::replace(words.begin(), words.end(), '-', ' ');
  }
  if (f.target == "review:campaign" || f.target == "review:wall" || f.target == "review:link") {
    const bool on = f.target == "review:campaign" ? p.choices.campaign
                    : f.target == "review:wall"   ? p.choices.wall
                                                  : p.choices.link;
    words += ", " + v.tr(on ? "speech.ticked" : "speech.not_ticked");
  }
  return words;
}

std::string screen_words(const View& v, const std::vector<Focusable>& items) {
  const Session& p = v.s().session;
  const std::string panel = panel_of(v);
  std::vector<std::string> said;
  if (panel == "idle") {
    said = {v.tr("idle.title"), v.tr("idle.text")};
  } else if (panel == "about-data") {
    said = {v.tr("data.title")};
  } else if (panel == "no-photo") {
    said = {v.tr("review.no_photo_title"), v.tr("review.no_photo_text")};
  } else {
    const std::string age = std::to_string(v.machine.options().min_age);
    switch (v.s().screen) {
      case Screen::kAttract:
        said = {v.tr("attract.title"), v.tr("attract.subtitle"), attract_counter(v)};
        break;
      case Screen::kPledge: {
        std::string text = v.tr("pledge.text");
        if (auto it = v.config.event.pledge_text.find(p.locale);
            it != v.config.event.pledge_text.end() && !it->second.empty())
          text = it->second;
        said = {v.tr("pledge.title"), text};
        break;
      }
      case Screen::kAgeCheck:
        said = {v.tr("age.title"), v.tr("age.text", {{"age", age}})};
        break;
      case Screen::kDetails:
        said = {v.tr("details.title"), v.tr("details.subtitle")};
        break;
      case Screen::kPhotoChoice:
        said = {v.tr("photo_choice.title"),
                v.tr("photo_choice.text",
                     {{"seconds", std::to_string(v.machine.options().countdown_s)}}),
                v.tr("photo_choice.none_note")};
        break;
      case Screen::kCountdown: {
        const int digit = v.machine.countdown_digit(v.now);
        said = {v.tr("countdown.title"), digit > 0 ? std::to_string(digit) : ""};
        break;
      }
      case Screen::kReview:
        said = {v.tr("review.title")};
        break;
      case Screen::kThanks:
        said = {p.save_failed ? v.tr("thanks.title_not_saved")
                : p.first_name.text().empty()
                    ? v.tr("thanks.title")
                    : v.tr("thanks.title_named", {{"name", p.first_name.text()}}),
                p.save_failed ? v.tr("thanks.not_saved")
                : p.saved     ? ""
                              : v.tr("thanks.saving")};
        break;
      case Screen::kOutOfService:
        said = {v.tr("oos.title"),
                v.tr(v.s().oos.storage_problem ? "oos.subtitle_ask" : "oos.subtitle")};
        break;
      case Screen::kAdminPin:
        said = {v.tr("pin.title"), v.tr("pin.prompt")};
        break;
      case Screen::kAdmin:
        said = {v.tr("admin.title")};
        break;
      case Screen::kAdminDeleteRef:
        said = {v.tr("delete_ref.title"), v.tr("delete_ref.prompt")};
        break;
    }
  }
  std::vector<std::string> choices;
  bool keyboard = false;
  for (const Focusable& f : items) {
    if (group_of(f.target) == "key") {
      if (!keyboard) choices.push_back(v.tr("speech.keyboard"));
      keyboard = true;
    } else if (group_of(f.target) != "lang") {  // the languages are reached, not listed
      choices.push_back(control_words(v, f));
    }
  }
  if (!choices.empty()) said.push_back(v.tr("speech.choices", {{"list", join(choices, ", ")}}));
  return join(said, " ");
}

std::optional<Utterance> Narrator::update(const View& v, const std::vector<Focusable>& items,
                                          const Focusable* focused) {
  const BoothState& s = v.s();
  const Session& p = s.session;
  const int volume = s.access.volume;
  std::vector<std::string> said;
  const bool volume_changed = volume_ >= 0 && volume != volume_;
  volume_ = volume;
  if (!p.audio) {
    const bool was = audio_;
    audio_ = false;
    context_.clear();
    if (was) return Utterance{p.locale, v.tr("speech.off"), volume};
    if (volume_changed)
      return Utterance{p.locale, v.tr("speech.volume", {{"level", std::to_string(volume)}}),
                       volume};
    return std::nullopt;
  }
  if (!audio_) said.push_back(v.tr("speech.on"));
  audio_ = true;
  if (volume_changed) said.push_back(v.tr("speech.volume", {{"level", std::to_string(volume)}}));

  const std::string context = std::string(to_string(s.screen)) + "|" + panel_of(v) + "|" + p.locale;
  const std::string target = focused ? focused->target : "";
  const bool new_context = context != context_;
  if (new_context) {
    context_ = context;
    said.push_back(screen_words(v, items));
    saved_ = p.save_failed ? 2 : p.saved ? 1 : 0;
    pin_failed_ = s.admin.pin_failed_last;
    digit_ = v.machine.countdown_digit(v.now);  // said with the screen's words
    idle_said_ = 0;
  }
  // State changes on the same screen.
  if (const int digit = v.machine.countdown_digit(v.now); digit != digit_) {
    digit_ = digit;
    if (digit > 0) said.push_back(std::to_string(digit));
  }
  if (const bool flash = v.machine.flashing(v.now); flash != flash_) {
    flash_ = flash;
    if (flash) said.push_back(v.tr("speech.photo_taken"));
  }
  if (const int saved = p.save_failed ? 2
                        : p.saved     ? 1
                                      : 0;
      s.screen == Screen::kThanks && saved != saved_) {
    saved_ = saved;
    if (saved == 1) {
      said.push_back(v.tr("speech.saved"));
      said.push_back(thanks_counter(v));
      said.push_back(v.tr("thanks.reference", {{"ref", pledge_reference(p.saved->pledge_id)}}));
    } else if (saved == 2) {
      said.push_back(v.tr("thanks.title_not_saved") + " " + v.tr("thanks.not_saved"));
    }
  }
  if (s.admin.pin_failed_last != pin_failed_) {
    pin_failed_ = s.admin.pin_failed_last;
    if (pin_failed_)
      said.push_back(v.tr("pin.wrong", {{"left", std::to_string(v.machine.options().pin_max_tries -
                                                                s.pin_lock.wrong)}}));
  }
  if (const Millis left = v.machine.idle_warning_left(v.now); left > 0) {
    // Ten seconds before the end, once more: how long is left.
    const Millis secs = (left + 999) / 1000;
    if (secs <= 10 && idle_said_ != 10) {
      idle_said_ = 10;
      said.push_back(v.tr("speech.seconds_left", {{"seconds", std::to_string(secs)}}));
    }
  }
  // The focused control: after the screen's words, or alone when the focus moved; the
  // field's text again after a key typed into it.
  const std::string field =
      s.screen == Screen::kDetails ? p.first_name.text() + "\n" + p.answer_words.text() : "";
  const std::string words = focused ? control_words(v, *focused) : "";
  if (focused && (new_context || target != focus_ || words != focus_words_)) {
    said.push_back(words);  // a new control, or its state changed (ticked, chosen)
  } else if (focused && field != field_ && group_of(target) == "key") {
    const bool name = p.focus == Session::Focus::kName;
    const std::string text = name ? p.first_name.text() : p.answer_words.text();
    said.push_back(text.empty() ? v.tr("speech.empty") : text);
  }
  focus_ = target;
  focus_words_ = words;
  field_ = field;
  if (said.empty()) return std::nullopt;
  return Utterance{p.locale, join(said, " "), volume, new_context};
}

// --- the engine -------------------------------------------------------------------------

namespace {

int on_samples(short* wav, int n, espeak_EVENT* events) {
  return Speech::samples(events->user_data, wav, n);
}

// espeak-ng is one engine per process (global state): started on first use, with 60 ms of
// sound per callback (the first words are heard after one chunk), and left to the process's
// end (espeak_Terminate waits forever in 1.51 once the engine was started twice).
int engine_rate() {
  static const int rate =
      espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 60, nullptr, espeakINITIALIZE_DONT_EXIT);
  return rate;
}

// espeak-ng's voice for a booth language (its own code where it has one).
const char* voice_for(const std::string& locale) {
  if (locale == "ko") return "ko";
  if (locale == "es") return "es";
  if (locale == "fr") return "fr";
  return "en";
}

}  // namespace

Speech::Speech(Sound& sound, const std::string& log_path) : sound_(sound) {
  if (!log_path.empty()) {
    log_.open(log_path, std::ios::app);
    if (!log_) pb::log::warn("kiosk: speech: cannot write the utterance log " + log_path);
  }
  const int rate = engine_rate();
  if (rate <= 0) {
    problem_ = "speech.problem_engine";
    pb::log::warn("kiosk: speech: espeak-ng did not start; audio mode is silent");
  } else {
    engine_ = true;
    rate_ = rate;
    espeak_SetSynthCallback(&on_samples);
    espeak_SetParameter(espeakRATE, 165, 0);
  }
  if (engine_ && !sound_.active()) {
    problem_ = "speech.problem_device";
    pb::log::warn("kiosk: speech: no audio device; audio mode is logged but not heard");
  }
  worker_ = std::thread([this] { run(); });
}

Speech::~Speech() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    ++latest_;  // aborts what is being synthesised
  }
  wake_.notify_all();
  worker_.join();
}

void Speech::say(const Utterance& u) {
  if (log_) {
    std::string line = u.text;
    std::replace(line.begin(), line.end(), '\n', ' ');
    log_ << u.locale << '\t' << line << std::endl;
  }
  {
    std::lock_guard lock(mu_);
    pending_ = u;
    latest_ = ++next_id_;
  }
  said_at_[next_id_] = {std::chrono::steady_clock::now(), u.new_screen};
  while (said_at_.size() > 64) said_at_.erase(said_at_.begin());
  wake_.notify_one();
}

std::optional<Speech::Heard> Speech::heard() {
  const Sound::FirstSample f = sound_.first_sample();
  if (f.id == 0 || f.id == heard_id_) return std::nullopt;
  heard_id_ = f.id;
  const auto it = said_at_.find(f.id);
  if (it == said_at_.end()) return std::nullopt;
  return Heard{std::chrono::duration<double, std::milli>(f.at - it->second.first).count(),
               it->second.second};
}

int Speech::samples(void* job_ptr, const short* wav, int n) {
  auto* job = static_cast<Job*>(job_ptr);
  Speech& self = *job->self;
  {
    std::lock_guard lock(self.mu_);
    if (self.latest_ != job->id) return 1;  // a newer utterance: stop this one
  }
  if (!wav || n <= 0) return 0;
  // Linear resampling from the engine's rate to the device's, carried across chunks.
  const double step = static_cast<double>(self.rate_) / kSoundRate;
  std::vector<float> out;
  out.reserve(static_cast<std::size_t>(n / step) + 2);
  auto at = [&](long i) { return i < 0 ? job->prev : static_cast<float>(wav[i]) / 32768.0f; };
  while (job->pos <= n - 1) {
    const auto i = static_cast<long>(std::floor(job->pos));
    const auto frac = static_cast<float>(job->pos - static_cast<double>(i));
    out.push_back(job->gain * ((1 - frac) * at(i) + frac * at(std::min<long>(i + 1, n - 1))));
    job->pos += step;
  }
  job->prev = static_cast<float>(wav[n - 1]) / 32768.0f;
  job->pos -= n;
  self.sound_.speak(job->id, out);
  return 0;
}

void Speech::run() {
  pb::lower_own_priority("pb-speech");
  std::unique_lock lock(mu_);
  while (true) {
    wake_.wait(lock, [this] { return stop_ || pending_.has_value(); });
    if (stop_) return;
    const Utterance u = *pending_;
    pending_.reset();
    const std::uint64_t id = latest_;
    lock.unlock();
    if (engine_ && sound_.active() && u.volume > 0) {
      const float level = static_cast<float>(std::clamp(u.volume, 0, kMaxVolume)) / kMaxVolume;
      Job job{this, id, 0.9f * level * level};
      espeak_SetVoiceByName(voice_for(u.locale));
      espeak_Synth(u.text.c_str(), u.text.size() + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8,
                   nullptr, &job);
    }
    lock.lock();
  }
}

}  // namespace pb::kiosk
