// SPDX-License-Identifier: Apache-2.0
// REVIEW photo and THANKS QR textures.
#include "textures.h"

#include <vector>

#include "pb/qr_code.h"

namespace pb::kiosk {

TexturePtr review_texture(SDL_Renderer* renderer, const ReviewImage& image) {
  TexturePtr tex(SDL_CreateTexture(renderer, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_STATIC,
                                   image.width, image.height));
  if (tex) SDL_UpdateTexture(tex.get(), nullptr, image.argb.data(), image.width * 4);
  return tex;
}

TexturePtr qr_texture(SDL_Renderer* renderer, const std::string& url) {
  const QrCode code = make_qr(url);
  if (code.empty()) return nullptr;
  std::vector<Uint32> px(code.dark.size());
  for (std::size_t i = 0; i < px.size(); ++i) px[i] = code.dark[i] ? 0xFF2A0842u : 0xFFFFFFFFu;
  TexturePtr tex(SDL_CreateTexture(renderer, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_STATIC,
                                   code.size, code.size));
  if (tex) {
    SDL_UpdateTexture(tex.get(), nullptr, px.data(), code.size * 4);
    SDL_SetTextureScaleMode(tex.get(), SDL_ScaleModeNearest);
  }
  return tex;
}

}  // namespace pb::kiosk
