// SPDX-License-Identifier: Apache-2.0
// Sound: tones made here, queued to SDL's default output device.
#include "pb/sound.h"
#include "pb/log.h"

#include <SDL.h>

#include <algorithm>
#include <cmath>
#include <iostream>

namespace pb::kiosk {

std::vector<float> make_tone(double hz, int ms, float volume, int rate) {
  const auto n = static_cast<std::size_t>(std::max(0, ms) * static_cast<long>(rate) / 1000);
  std::vector<float> out(n);
  const std::size_t fade = std::min<std::size_t>(n / 2, static_cast<std::size_t>(rate / 200));
  const double step = 2.0 * M_PI * hz / rate;
  for (std::size_t i = 0; i < n; ++i) {
    double gain = volume;
    if (i < fade) gain *= static_cast<double>(i) / static_cast<double>(fade);
    if (n - 1 - i < fade) gain *= static_cast<double>(n - 1 - i) / static_cast<double>(fade);
    out[i] = static_cast<float>(gain * std::sin(step * static_cast<double>(i)));
  }
  return out;
}

std::vector<float> make_shutter(int rate) {
  const auto n = static_cast<std::size_t>(rate / 8);  // 125 ms
  std::vector<float> out(n);
  std::uint32_t noise = 0x9E3779B9u;  // xorshift: the same shutter every time
  for (std::size_t i = 0; i < n; ++i) {
    noise ^= noise << 13;
    noise ^= noise >> 17;
    noise ^= noise << 5;
    const double white = static_cast<double>(noise) / 2147483648.0 - 1.0;
    const double t = static_cast<double>(i) / rate;
    // Two clicks (the mirror up and down) over noise that dies away.
    const double env = 0.55 * std::exp(-t * 45.0) + 0.35 * std::exp(-std::abs(t - 0.06) * 140.0);
    out[i] = static_cast<float>(std::clamp(white * env, -1.0, 1.0));
  }
  return out;
}

Sound::Sound(bool effects) : effects_(effects) {
  if (SDL_InitSubSystem(SDL_INIT_AUDIO) != 0) {
    pb::log::warn(pb::log::cat("kiosk: no sound: ", SDL_GetError()));
    return;
  }
  subsystem_ = true;
  SDL_AudioSpec want{}, have{};
  want.freq = kSoundRate;
  want.format = AUDIO_F32SYS;
  want.channels = 1;
  want.samples = 1024;  // ~21 ms: what a new sound waits at most before it is heard
  want.callback = &Sound::mix;
  want.userdata = this;
  device_ = SDL_OpenAudioDevice(nullptr, 0, &want, &have, 0);
  if (device_ == 0) {
    pb::log::warn(pb::log::cat("kiosk: no sound: ", SDL_GetError()));
    return;
  }
  beep_ = make_tone(880, 140, 0.45f);
  beep_last_ = make_tone(1320, 220, 0.5f);
  shutter_ = make_shutter();
  SDL_PauseAudioDevice(device_, 0);
}

Sound::~Sound() {
  if (device_ != 0) SDL_CloseAudioDevice(device_);
  if (subsystem_) SDL_QuitSubSystem(SDL_INIT_AUDIO);
}

void Sound::mix(void* self, std::uint8_t* stream, int len) {
  auto& s = *static_cast<Sound*>(self);
  auto* out = reinterpret_cast<float*>(stream);
  const auto n = static_cast<std::size_t>(len) / sizeof(float);
  if (s.speech_at_ < s.speech_.size() && s.first_id_ != s.speech_id_) {
    s.first_id_ = s.speech_id_;  // this utterance is heard from now
    s.first_at_ = std::chrono::steady_clock::now();
  }
  for (std::size_t i = 0; i < n; ++i) {
    float v = 0;
    if (s.effect_at_ < s.effect_.size()) v += s.effect_[s.effect_at_++];
    if (s.speech_at_ < s.speech_.size()) v += s.speech_[s.speech_at_++];
    out[i] = std::clamp(v, -1.0f, 1.0f);
  }
}

void Sound::play(const std::vector<float>& samples) {
  if (device_ == 0 || samples.empty() || !effects_) return;
  // A new sound replaces what is still playing: sounds never pile up behind the screen.
  SDL_LockAudioDevice(device_);
  effect_ = samples;
  effect_at_ = 0;
  SDL_UnlockAudioDevice(device_);
}

void Sound::speak(std::uint64_t id, const std::vector<float>& samples) {
  if (device_ == 0) return;
  SDL_LockAudioDevice(device_);
  if (id != speech_id_) {
    speech_.clear();
    speech_at_ = 0;
    speech_id_ = id;
  } else if (speech_at_ > 0 && speech_at_ == speech_.size()) {
    speech_.clear();  // all played: keep the buffer from growing through a long utterance
    speech_at_ = 0;
  }
  speech_.insert(speech_.end(), samples.begin(), samples.end());
  SDL_UnlockAudioDevice(device_);
}

Sound::FirstSample Sound::first_sample() const {
  if (device_ == 0) return {};
  SDL_LockAudioDevice(device_);
  FirstSample f{first_id_, first_at_};
  SDL_UnlockAudioDevice(device_);
  return f;
}

void Sound::countdown_beep(bool last) {
  play(last ? beep_last_ : beep_);
}

void Sound::shutter() {
  play(shutter_);
}

}  // namespace pb::kiosk
