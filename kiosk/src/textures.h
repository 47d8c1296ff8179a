// SPDX-License-Identifier: Apache-2.0
// The textures the booth makes from the back office's results: the composed REVIEW photo
// and the THANKS QR code. Both are static; null when SDL cannot make them.
#pragma once

#include <SDL.h>

#include <string>

#include "back_office.h"
#include "painter.h"

namespace pb::kiosk {

// The composed photo (ARGB8888) as a texture.
TexturePtr review_texture(SDL_Renderer* renderer, const ReviewImage& image);
// The QR code of url, one texel per module (scaled without smoothing); null when the url
// is empty or cannot be encoded.
TexturePtr qr_texture(SDL_Renderer* renderer, const std::string& url);

}  // namespace pb::kiosk
