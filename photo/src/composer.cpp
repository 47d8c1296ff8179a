// SPDX-License-Identifier: Apache-2.0
// Composing the photo and the live preview: crop, scale, sign overlay, mirrored ARGB.
#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <optional>

#include <opencv2/imgproc.hpp>

#include "pb/worker.h"
#include "sign_impl.h"

namespace pb::photo {

Result<Aspect> parse_aspect(std::string_view text) {
  if (text == "4:5") return Aspect::k4x5;
  if (text == "1:1") return Aspect::k1x1;
  if (text == "9:16") return Aspect::k9x16;
  return Status::error(Status::Code::kInvalid,
                       "photo aspect \"" + std::string(text) + "\": expected 4:5, 1:1 or 9:16");
}

cv::Size output_size(Aspect aspect) {
  switch (aspect) {
    case Aspect::k4x5:
      return {1080, 1350};
    case Aspect::k1x1:
      return {1080, 1080};
    case Aspect::k9x16:
      return {1080, 1920};
  }
  return {1080, 1350};
}

cv::Size preview_size(Aspect aspect, cv::Size area) {
  const cv::Size o = output_size(aspect);
  if (area.width <= 0 || area.height <= 0) return {0, 0};
  if (static_cast<long long>(area.width) * o.height > static_cast<long long>(area.height) * o.width)
    return {static_cast<int>(static_cast<long long>(area.height) * o.width / o.height),
            area.height};
  return {area.width, static_cast<int>(static_cast<long long>(area.width) * o.height / o.width)};
}

namespace {

bool same_text(const SignText& a, const SignText& b) {
  return a.name == b.name && a.answer == b.answer && a.blank == b.blank;
}
bool is_empty(const SignText& t) {
  return t.name.empty() && t.answer.empty() && t.blank.empty();
}
// A sign with nobody's words on it (the blank line at most): what every participant starts
// from, so its overlays stay cached.
bool is_plain(const SignText& t) {
  return t.name.empty() && t.answer.empty();
}

// Scales src into dst's size; area averaging when shrinking, bilinear when growing.
void scale_into(const cv::Mat& src, cv::Mat& dst, cv::Size size) {
  if (src.size() == size) {
    src.copyTo(dst);
    return;
  }
  const bool shrink = src.cols > size.width;
  cv::resize(src, dst, size, 0, 0, shrink ? cv::INTER_AREA : cv::INTER_LINEAR);
}

}  // namespace

// Thread safety. Composer's methods are const and may be called from any thread at once
// (the UI thread previews, the back office composes). Impl keeps to three rules:
// - what the constructor sets (sign, faces, aspect, out, placed_out, plain_out) is never
//   written again, so any thread reads it without a lock;
// - everything else below `mu` (the overlay caches, what the preview shows, the drawer's
//   request) is read and written only under `mu`;
// - drawing an overlay (tens to hundreds of ms) happens outside `mu`, on copies, and its
//   result enters the cache under `mu` (a second drawer of the same text keeps the first).
// The drawer thread (a pb::Worker on `mu`) starts with the Composer and is joined by its
// destructor.
struct Composer::Impl {
  Impl(std::shared_ptr<const SignFrame> sign_frame, Aspect a,
       std::shared_ptr<const FaceFinder> face_finder)
      : sign(std::move(sign_frame)),
        faces(std::move(face_finder)),
        aspect(a),
        out(output_size(a)),
        placed_out(place_sign(sign->impl(), out)),
        plain_out(SparseOverlay::build(placed_out.rgba)) {
    drawer.start("pb-drawer", [this] { drawer_loop(); });
  }

  ~Impl() { drawer.stop(); }

  // Set once, read by every thread.
  const std::shared_ptr<const SignFrame> sign;
  const std::shared_ptr<const FaceFinder> faces;
  const Aspect aspect;
  const cv::Size out;
  const PlacedSign placed_out;    // the sign at output size, no text
  const SparseOverlay plain_out;  // its overlay, for photos without text

  struct Cached {
    cv::Size size;
    SignText text;
    std::shared_ptr<const SparseOverlay> overlay;
    cv::Point at;
  };
  static constexpr std::size_t kCached = 4;  // overlays with words, newest first
  static constexpr std::size_t kPlain = 4;   // plain signs (one per size and language)

  std::mutex mu;  // guards everything below it
  std::deque<Cached> cache;
  std::deque<Cached> plain;
  std::optional<Cached> shown;    // what preview_latest() last put on screen
  std::condition_variable drawn;  // the drawer finished one
  std::optional<Cached> wanted;   // size and text only
  std::optional<Cached> drawing;  // size and text only
  Worker drawer{mu};              // draws the overlay preview_latest() asked for last; last member:
                                  // it starts once everything above is constructed, stops first

  // Under mu.
  const Cached* find(cv::Size size, const SignText& text) const {
    for (const auto* list : {&plain, &cache})
      for (const auto& c : *list)
        if (c.size == size && same_text(c.text, text)) return &c;
    return nullptr;
  }

  // Draws the overlay for (size, text) and caches it. Costs tens to hundreds of ms (text).
  // Not under mu: it reads only what the constructor set, and takes mu to cache.
  Cached draw(cv::Size size, const SignText& text) {
    PlacedSign p = size == out
                       ? PlacedSign{placed_out.rgba.clone(), placed_out.at, placed_out.scale}
                       : place_sign(sign->impl(), size);
    draw_sign_text(sign->impl(), text, p);
    Cached c{size, text, std::make_shared<const SparseOverlay>(SparseOverlay::build(p.rgba)), p.at};
    std::lock_guard lock(mu);
    if (const Cached* had = find(size, text)) return *had;  // drawn meanwhile by another thread
    auto& list = is_plain(text) ? plain : cache;
    list.push_front(c);
    if (list.size() > (is_plain(text) ? kPlain : kCached)) list.pop_back();
    return c;
  }

  // The overlay for (size, text), from the cache or freshly made.
  std::pair<std::shared_ptr<const SparseOverlay>, cv::Point> overlay_for(cv::Size size,
                                                                         const SignText& text) {
    {
      std::lock_guard lock(mu);
      if (const Cached* c = find(size, text)) return {c->overlay, c->at};
    }
    const Cached c = draw(size, text);
    return {c.overlay, c.at};
  }

  // The overlay for (size, text): cached, or the one the drawer is drawing right now, or
  // drawn here.
  Cached draw_or_wait(cv::Size size, const SignText& text) {
    {
      std::unique_lock lock(mu);
      drawn.wait(lock, [&] {
        return find(size, text) || !drawing || drawing->size != size ||
               !same_text(drawing->text, text);
      });
      if (const Cached* c = find(size, text)) return *c;
    }
    return draw(size, text);
  }

  // Under mu: asks the drawer for (size, text), replacing what it was asked for before.
  void request(cv::Size size, const SignText& text) {
    if (drawing && drawing->size == size && same_text(drawing->text, text)) return;
    wanted = Cached{size, text, nullptr, {}};
    drawer.wake();
  }

  void drawer_loop() {
    std::unique_lock lock(mu);
    for (;;) {
      if (!drawer.wait(lock, [this] { return wanted.has_value(); })) return;
      drawing = std::move(wanted);
      wanted.reset();
      if (!find(drawing->size, drawing->text)) {
        lock.unlock();
        draw(drawing->size, drawing->text);
        lock.lock();
      }
      drawing.reset();
      drawn.notify_all();
    }
  }
};

namespace {

// The mirrored camera image (or black) as ARGB8888 into dst, cropped to size's aspect
// around `face`.
void draw_camera(const cv::Mat& camera_bgr, std::uint8_t* dst, int pitch, cv::Size size,
                 const std::optional<cv::Rect>& face) {
  if (camera_bgr.empty() || camera_bgr.type() != CV_8UC3) {
    // No picture: opaque black behind the sign.
    cv::Mat(size, CV_8UC4, dst, static_cast<std::size_t>(pitch)).setTo(cv::Scalar(0, 0, 0, 255));
    return;
  }
  const cv::Rect crop = crop_rect(camera_bgr.size(), size, face);
  cv::Mat src = camera_bgr(crop);
  thread_local cv::Mat scaled;  // reused across frames on the calling (UI) thread
  if (src.size() != size) {
    scale_into(src, scaled, size);
    src = scaled;
  }
  // Convert, then mirror in place: both are OpenCV's SIMD paths (4x faster than one
  // scalar pass doing both).
  cv::Mat out(size, CV_8UC4, dst, static_cast<std::size_t>(pitch));
  cv::cvtColor(src, out, cv::COLOR_BGR2BGRA);
  cv::flip(out, out, 1);
}

}  // namespace

Composer::Composer(std::shared_ptr<const SignFrame> sign, Aspect aspect,
                   std::shared_ptr<const FaceFinder> faces)
    : impl_(std::make_unique<Impl>(std::move(sign), aspect, std::move(faces))) {}

Composer::~Composer() = default;

Aspect Composer::aspect() const {
  return impl_->aspect;
}

Result<Photo> Composer::compose(const cv::Mat& camera_bgr, const SignText& text,
                                const std::optional<cv::Rect>& face_hint) const {
  if (camera_bgr.empty() || camera_bgr.type() != CV_8UC3)
    return Status::error(Status::Code::kInvalid, "compose needs a non-empty 8-bit BGR image");
  Photo photo;
  if (impl_->faces) {
    if (face_hint) photo.face = impl_->faces->near(camera_bgr, *face_hint);
    photo.face_from_hint = photo.face.has_value();
    if (!photo.face) photo.face = impl_->faces->largest_face(camera_bgr);
  }
  photo.crop = crop_rect(camera_bgr.size(), impl_->out, photo.face);
  scale_into(camera_bgr(photo.crop), photo.bgr, impl_->out);
  if (is_empty(text)) {
    impl_->plain_out.apply_bgr(photo.bgr, impl_->placed_out.at);
  } else {
    // Cached by text: a retake with the same name reuses the sign it drew last time.
    const auto [overlay, at] = impl_->overlay_for(impl_->out, text);
    overlay->apply_bgr(photo.bgr, at);
  }
  return photo;
}

void Composer::preview(const cv::Mat& camera_bgr, const SignText& text, std::uint8_t* dst,
                       int pitch, cv::Size size, const std::optional<cv::Rect>& face) const {
  if (!dst || size.width <= 0 || size.height <= 0 || pitch < size.width * 4) return;
  draw_camera(camera_bgr, dst, pitch, size, face);
  const auto [overlay, at] = impl_->overlay_for(size, text);
  overlay->apply_bgra(dst, pitch, size, at);
}

bool Composer::preview_latest(const cv::Mat& camera_bgr, const SignText& text, std::uint8_t* dst,
                              int pitch, cv::Size size, const std::optional<cv::Rect>& face) const {
  if (!dst || size.width <= 0 || size.height <= 0 || pitch < size.width * 4) return false;
  Impl::Cached use;
  {
    std::lock_guard lock(impl_->mu);
    if (const Impl::Cached* c = impl_->find(size, text)) {
      use = *c;
    } else if (!is_plain(text) && impl_->shown && impl_->shown->size == size) {
      impl_->request(size, text);
      use = *impl_->shown;
    }
  }
  if (!use.overlay) use = impl_->draw_or_wait(size, text);  // nothing may stand in for it
  draw_camera(camera_bgr, dst, pitch, size, face);
  use.overlay->apply_bgra(dst, pitch, size, use.at);
  std::lock_guard lock(impl_->mu);
  impl_->shown = use;
  return same_text(use.text, text);
}

bool Composer::preview_ready(cv::Size size, const SignText& text) const {
  std::lock_guard lock(impl_->mu);
  return impl_->find(size, text) != nullptr;
}

void Composer::prepare(cv::Size size, const SignText& text) const {
  if (size.width <= 0 || size.height <= 0) return;
  std::lock_guard lock(impl_->mu);
  if (!impl_->find(size, text)) impl_->request(size, text);
}

void copy_to_argb(const cv::Mat& bgr, std::uint8_t* dst, int pitch) {
  if (bgr.empty() || bgr.type() != CV_8UC3 || !dst || pitch < bgr.cols * 4) return;
  cv::Mat out(bgr.size(), CV_8UC4, dst, static_cast<std::size_t>(pitch));
  cv::cvtColor(bgr, out, cv::COLOR_BGR2BGRA);
}

}  // namespace pb::photo
