// SPDX-License-Identifier: Apache-2.0
// The pledge photo: the #HeForShe sign frame, face-centred crop, the sign with name and
// answer drawn on it, the mirrored live preview, and JPEG/PNG/thumbnail encoding.
// photo/ opens no window and touches no network; the only disk reads are SignFrame::load
// (PNG + layout + font) and FaceFinder::load (cascade). Everything else works in memory.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <opencv2/core/mat.hpp>
#include <opencv2/core/types.hpp>

#include "pb/status.h"

namespace pb::photo {

inline constexpr const char* kDefaultFont = "/usr/share/fonts/truetype/nanum/NanumGothicBold.ttf";
inline constexpr const char* kDefaultCascade =
    "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml";

// The output shape of the composed photo.
enum class Aspect { k4x5, k1x1, k9x16 };
// "4:5" | "1:1" | "9:16" (PhotoConfig::aspect); kInvalid otherwise.
Result<Aspect> parse_aspect(std::string_view text);
// 1080x1350, 1080x1080 or 1080x1920.
cv::Size output_size(Aspect aspect);
// The largest size of this aspect that fits inside `area` (for sizing the preview texture).
cv::Size preview_size(Aspect aspect, cv::Size area);

// What goes on the sign, UTF-8 (Latin and Hangul render; other scripts may show boxes).
// Any field may be empty. Text shrinks to fit its box and is cut with "…" at the minimum
// size, so it never leaves the sign.
struct SignText {
  std::string name;    // the participant's first name, drawn large
  std::string answer;  // "for my daughter" / own words, up to two lines
  std::string blank;   // drawn in the name's style when name and answer are both empty
                       // (the kiosk passes its localised line; may be empty)
};

// The sign: a PNG with alpha (assets/frames/heforshe.png) plus its layout file beside it
// (same name, ".layout" instead of ".png": where the sign sits on the photo and where
// the name and answer go), and the font for the text. Immutable after load; share it.
class SignFrame {
 public:
  // Reads the three files. kNotFound / kInvalid with the path and what is wrong.
  static Result<std::shared_ptr<const SignFrame>> load(const std::string& png_path,
                                                       const std::string& font_path = kDefaultFont);
  ~SignFrame();
  const cv::Mat& rgba() const;  // CV_8UC4, the sign as drawn (R,G,B,A order)

  struct Impl;  // defined inside photo/ only
  const Impl& impl() const { return *impl_; }

 private:
  explicit SignFrame(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The largest frontal face in an image (OpenCV Haar cascade). Thread-safe (serialised).
class FaceFinder {
 public:
  // kNotFound when the cascade file is missing or unreadable.
  static Result<std::shared_ptr<const FaceFinder>> load(
      const std::string& cascade_path = kDefaultCascade);
  ~FaceFinder();
  // In the image's pixel coordinates; nullopt when no face. Takes 5-25 ms for a 1080p frame
  // (works on a 480 px wide copy; textured scenes cost the most): fine on a worker thread a
  // few times a second, not for every preview frame.
  std::optional<cv::Rect> largest_face(const cv::Mat& bgr) const;
  // The face near `hint` (a face found moments ago, e.g. on a preview frame): searches only
  // within half a face of it, for faces 3/4 to 4/3 its size, on a copy where it is ~48 px
  // wide: about 1 ms, against 5-25 ms for largest_face on a 1080p frame. nullopt when the
  // person has moved away or turned.
  std::optional<cv::Rect> near(const cv::Mat& bgr, const cv::Rect& hint) const;

  struct Impl;

 private:
  explicit FaceFinder(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// A composed photo.
struct Photo {
  cv::Mat bgr;                   // CV_8UC3 at output_size(aspect)
  cv::Rect crop;                 // the part of the camera frame used (camera pixels)
  std::optional<cv::Rect> face;  // the face the crop was centred on (camera pixels)
  bool face_from_hint = false;   // found near compose()'s face_hint, not by a whole-frame search
};

// Camera frame + sign text → photo, and the live preview. Construct once per aspect
// (precomputes the sign's sparse alpha at output size); every method is const and
// thread-safe, so the UI thread may preview while the saver thread composes: what the
// constructor computes is never written again, the overlay caches are behind one mutex, and
// text is drawn outside it (the sign's font and the FaceFinder serialise themselves). The
// composer owns one thread, the drawer of preview_latest()'s overlays: it starts in the
// constructor and the destructor joins it.
class Composer {
 public:
  // sign must not be null; faces may be null: crops are then centred.
  Composer(std::shared_ptr<const SignFrame> sign, Aspect aspect,
           std::shared_ptr<const FaceFinder> faces);
  ~Composer();
  Composer(const Composer&) = delete;
  Composer& operator=(const Composer&) = delete;

  Aspect aspect() const;
  // Crops camera_bgr (CV_8UC3, any size) to the output aspect centred on the largest face
  // (else centred), scales to output_size(), overlays the sign and draws the text.
  // Not mirrored (the photo shows the scene as others see it). kInvalid for an empty or
  // non-BGR image. face_hint: where a face was on a frame just before this one (the booth
  // tracks it during the countdown); the face is then looked for only near it
  // (FaceFinder::near), and in the whole frame when it is not there any more.
  Result<Photo> compose(const cv::Mat& camera_bgr, const SignText& text,
                        const std::optional<cv::Rect>& face_hint = std::nullopt) const;
  // The live preview: the same sign and text over a crop of camera_bgr to the
  // aspect of `size`, scaled to `size`, mirrored (the camera image, not the sign), written
  // as SDL_PIXELFORMAT_ARGB8888 (bytes B,G,R,A in memory, A = 255) to dst, row stride
  // `pitch` bytes — what SDL_LockTexture gives for a streaming texture. The caller owns dst
  // (at least pitch * size.height bytes). The overlay for a (size, text) pair is cached, so
  // typing a name costs one text render per change. No face detection here: `face` (camera
  // pixels; from the booth's face tracker) centres the crop as compose() will, so the
  // preview frames what the photo will hold; nullopt gives a centred crop. An empty
  // camera_bgr gives opaque black behind the sign.
  void preview(const cv::Mat& camera_bgr, const SignText& text, std::uint8_t* dst, int pitch,
               cv::Size size, const std::optional<cv::Rect>& face = std::nullopt) const;
  // preview() for the booth's UI thread, which must not wait for a new text to be drawn
  // (tens to hundreds of ms per typed letter on a CPU). When the overlay for `text` at
  // `size` is cached it is used; otherwise the composer's own thread draws it, and this
  // frame shows the overlay the last preview_latest() call at `size` showed (the text
  // before the last key). Returns whether the frame shows `text`; preview_ready() says
  // when a call will. A sign without name and answer (`blank` at most) is never stood in
  // for: it is drawn at once when not cached (and stays cached), so nobody's words are
  // shown for another participant's plain sign.
  bool preview_latest(const cv::Mat& camera_bgr, const SignText& text, std::uint8_t* dst, int pitch,
                      cv::Size size, const std::optional<cv::Rect>& face = std::nullopt) const;
  // Whether the overlay for (size, text) is drawn (a preview of it will not wait).
  bool preview_ready(cv::Size size, const SignText& text) const;
  // Has the composer's thread draw the overlay for (size, text) unless it is cached: e.g.
  // the plain sign at the preview's size while the booth starts. Returns at once.
  void prepare(cv::Size size, const SignText& text) const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// Copies a CV_8UC3 BGR image into an ARGB8888 buffer (as preview() writes), unmirrored.
// For showing a composed photo in REVIEW. dst holds at least pitch * bgr.rows bytes and
// pitch >= 4 * bgr.cols (otherwise nothing is written).
void copy_to_argb(const cv::Mat& bgr, std::uint8_t* dst, int pitch);

// JPEG (libjpeg-turbo, 4:2:0) of a CV_8UC3 BGR image; quality 1..100. kInvalid / kInternal.
Result<std::vector<std::uint8_t>> encode_jpeg(const cv::Mat& bgr, int quality);
// PNG (stb_image_write) of a CV_8UC3 BGR image.
Result<std::vector<std::uint8_t>> encode_png(const cv::Mat& bgr);
// A downscaled copy whose longer side is max_side (area interpolation); unchanged if smaller.
cv::Mat thumbnail(const cv::Mat& bgr, int max_side);

// Hints for the REVIEW screen; values, never errors.
struct QualityHints {
  double mean_luma = 0;   // 0..255 over the image
  double sharpness = 0;   // variance of the Laplacian on a ~480 px wide grey copy
  bool too_dark = false;  // mean_luma < kDarkLuma
  bool blurry = false;    // sharpness < kBlurVariance
  bool no_face = false;   // faces given and none found
};
inline constexpr double kDarkLuma = 50.0;
inline constexpr double kBlurVariance = 40.0;
// faces may be null (then no_face stays false).
QualityHints check_quality(const cv::Mat& bgr, const FaceFinder* faces);

}  // namespace pb::photo
