// SPDX-License-Identifier: Apache-2.0
// Spoken guidance (#26): audio mode. The Narrator decides, after each frame is drawn, what is
// new to say (a screen or panel with its title, words and choices; the control the focus
// moved to; countdown digits, "photo taken", "saved", errors) in the participant's
// language. Speech turns it into sound with espeak-ng on its own low-priority thread and
// hands the samples to Sound (one device for beeps and speech), so the UI thread never
// waits for synthesis. Every utterance can be logged (PB_SPEECH_LOG), which is what tests
// check; a booth without an audio device or voice logs and stays silent.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "focus.h"
#include "pb/sound.h"
#include "screens.h"

namespace pb::kiosk {

struct Utterance {
  std::string locale;  // the language to speak it in ("en", "ko", "es", "fr")
  std::string text;
  int volume = 7;           // 0..kMaxVolume
  bool new_screen = false;  // it starts with a screen's (or panel's) words
};

// A screen's words as audio mode reads them on arrival: its title, what it says (the pledge
// itself on PLEDGE), and its choices (the keyboard's keys as one "keyboard").
std::string screen_words(const View& v, const std::vector<Focusable>& items);
// A control's name as spoken: a button's own words, else from the target (a language, a
// quick pick, a key, a field with what is typed in it, the consent box ticked or not).
std::string control_words(const View& v, const Focusable& f);

class Narrator {
 public:
  // After each draw: what is new to say since the frame before (nothing while audio mode is
  // off, but "audio guide off" when it was just turned off, and the volume when it changed).
  std::optional<Utterance> update(const View& v, const std::vector<Focusable>& items,
                                  const Focusable* focused);

 private:
  bool audio_ = false;
  std::string context_;      // screen, panel and language last announced
  std::string focus_;        // target last spoken
  std::string focus_words_;  // and its words (they change when it is ticked or chosen)
  std::string field_;        // the focused field's text last spoken
  int digit_ = 0;
  bool flash_ = false;
  int saved_ = 0;  // 0 saving, 1 saved, 2 not saved
  bool pin_failed_ = false;
  Millis idle_said_ = 0;  // the idle warning's seconds last said
  int volume_ = -1;
};

class Speech {
 public:
  // Starts the engine and its worker; one Speech at a time (the engine is the process's). `sound`
  // plays what it makes (silent when inactive); `log_path` ("" = none) gets one line per utterance:
  // "<locale>\t<text>".
  Speech(Sound& sound, const std::string& log_path);
  ~Speech();
  Speech(const Speech&) = delete;
  Speech& operator=(const Speech&) = delete;

  // Why speech cannot be heard ("" when it can): no voice engine, or no audio device.
  const std::string& problem() const { return problem_; }
  // Replaces whatever is still being said or waiting (UI thread; never waits for synthesis).
  void say(const Utterance& u);
  // The ms from say() to the device taking the first sample of the utterance heard since
  // the last call (UI thread, once a frame), and whether it was a new screen's.
  struct Heard {
    double ms;
    bool new_screen;
  };
  std::optional<Heard> heard();

  // For the engine's callback (speech.cpp): `n` samples of the utterance `job` (a Job);
  // 1 = stop it (a newer one waits).
  static int samples(void* job, const short* wav, int n);

 private:
  void run();

  Sound& sound_;
  std::ofstream log_;
  std::string problem_;
  bool engine_ = false;
  int rate_ = 22050;  // the engine's sample rate
  std::mutex mu_;
  std::condition_variable wake_;
  std::optional<Utterance> pending_;
  std::uint64_t latest_ = 0;  // id of the newest say(); under mu_
  bool stop_ = false;
  // When each recent utterance was asked for, and whether a new screen's (UI thread).
  std::map<std::uint64_t, std::pair<std::chrono::steady_clock::time_point, bool>> said_at_;
  std::uint64_t next_id_ = 0;
  std::uint64_t heard_id_ = 0;
  // The worker's utterance, for the callback.
  struct Job {
    Speech* self;
    std::uint64_t id;
    float gain;
    double pos = 0;  // resampling: where the next output sample falls in the input
    float prev = 0;  // the input's last sample of the chunk before
  };
  std::thread worker_;
};

}  // namespace pb::kiosk
