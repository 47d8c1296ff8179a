// SPDX-License-Identifier: Apache-2.0
// The booth's sounds: countdown beeps and a shutter, generated in code (no sound files), and
// the spoken guidance of audio mode (speech.h), mixed and played through one SDL audio
// device. A booth without an audio device is silent and otherwise works the same; with
// [booth] sound = false the beeps are silent and speech still plays. The beeps are the UI
// thread's; speech arrives from the speech worker; SDL mixes both on its own thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <vector>

namespace pb::kiosk {

inline constexpr int kSoundRate = 48000;  // samples per second, mono float

// A sine tone of `hz` for `ms`, with short fades so it starts and stops without a click.
std::vector<float> make_tone(double hz, int ms, float volume, int rate = kSoundRate);
// A shutter: a click and a short burst of noise that dies away (deterministic).
std::vector<float> make_shutter(int rate = kSoundRate);

class Sound {
 public:
  // Opens the default output; when there is none, stays silent. `effects`: the beeps.
  explicit Sound(bool effects);
  ~Sound();
  Sound(const Sound&) = delete;
  Sound& operator=(const Sound&) = delete;

  bool active() const { return device_ != 0; }
  bool effects() const { return effects_; }  // the beeps play ([booth] sound)
  void countdown_beep(bool last);            // a higher beep for the last second
  void shutter();

  // Speech (any thread). A new utterance `id` replaces what is left of the one before;
  // more samples of the same id are appended as the synthesiser makes them.
  void speak(std::uint64_t id, const std::vector<float>& samples);
  // The utterance whose first sample the device took last, and when (steady clock).
  struct FirstSample {
    std::uint64_t id = 0;
    std::chrono::steady_clock::time_point at;
  };
  FirstSample first_sample() const;

 private:
  void play(const std::vector<float>& samples);
  static void mix(void* self, std::uint8_t* stream, int len);  // SDL's audio thread

  std::uint32_t device_ = 0;  // SDL_AudioDeviceID; 0 = silent
  bool subsystem_ = false;
  bool effects_ = true;
  std::vector<float> beep_, beep_last_, shutter_;
  // Under the device's lock (SDL_LockAudioDevice): what plays now.
  std::vector<float> effect_;
  std::size_t effect_at_ = 0;
  std::vector<float> speech_;
  std::size_t speech_at_ = 0;
  std::uint64_t speech_id_ = 0;
  std::uint64_t first_id_ = 0;
  std::chrono::steady_clock::time_point first_at_;
};

}  // namespace pb::kiosk
