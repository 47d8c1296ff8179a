// SPDX-License-Identifier: Apache-2.0
// The booth's sounds: countdown beeps and a shutter, generated in code (no sound files) and
// played through SDL audio. A booth without an audio device, or with [booth] sound = false,
// is silent and otherwise works the same. UI thread only; SDL mixes on its own thread.
#pragma once

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
  // Opens the default output when `enabled`; when there is none, stays silent.
  explicit Sound(bool enabled);
  ~Sound();
  Sound(const Sound&) = delete;
  Sound& operator=(const Sound&) = delete;

  bool active() const { return device_ != 0; }
  void countdown_beep(bool last);  // a higher beep for the last second
  void shutter();

 private:
  void play(const std::vector<float>& samples);

  std::uint32_t device_ = 0;  // SDL_AudioDeviceID; 0 = silent
  bool subsystem_ = false;
  std::vector<float> beep_, beep_last_, shutter_;
};

}  // namespace pb::kiosk
