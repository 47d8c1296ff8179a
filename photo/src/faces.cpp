// SPDX-License-Identifier: Apache-2.0
// Faces (OpenCV Haar cascade) and the quality hints shown in REVIEW.
#include <algorithm>
#include <mutex>

#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

#include "pb/photo.h"

namespace pb::photo {
namespace {

// A grey copy at most max_width wide, and the factor back to the original's pixels.
double grey_small(const cv::Mat& bgr, int max_width, cv::Mat& grey) {
  cv::Mat g;
  cv::cvtColor(bgr, g, cv::COLOR_BGR2GRAY);
  if (g.cols <= max_width) {
    grey = g;
    return 1.0;
  }
  const double f = static_cast<double>(max_width) / g.cols;
  cv::resize(g, grey, {}, f, f, cv::INTER_AREA);
  return 1.0 / f;
}

}  // namespace

struct FaceFinder::Impl {
  std::mutex mu;  // CascadeClassifier::detectMultiScale is not documented as thread-safe
  cv::CascadeClassifier cascade;
};

FaceFinder::FaceFinder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FaceFinder::~FaceFinder() = default;

Result<std::shared_ptr<const FaceFinder>> FaceFinder::load(const std::string& cascade_path) {
  auto impl = std::make_unique<Impl>();
  bool ok = false;
  try {
    ok = impl->cascade.load(cascade_path);
  } catch (const cv::Exception&) {
    ok = false;
  }
  if (!ok || impl->cascade.empty())
    return Status::error(Status::Code::kNotFound, "cannot load face cascade " + cascade_path +
                                                      " (Debian package opencv-data)");
  return std::shared_ptr<const FaceFinder>(new FaceFinder(std::move(impl)));
}

std::optional<cv::Rect> FaceFinder::largest_face(const cv::Mat& bgr) const {
  if (bgr.empty() || bgr.type() != CV_8UC3) return std::nullopt;
  cv::Mat grey;
  const double back = grey_small(bgr, 480, grey);
  cv::equalizeHist(grey, grey);
  std::vector<cv::Rect> found;
  // Faces of at least 1/9 of the shorter side (80 px of a 720p frame): someone posing at the
  // booth is closer than that, and the smallest windows cost the most to scan.
  const int min_side = std::max(20, std::min(grey.cols, grey.rows) / 9);
  {
    std::lock_guard lock(impl_->mu);
    impl_->cascade.detectMultiScale(grey, found, 1.1, 5, 0, {min_side, min_side});
  }
  if (found.empty()) return std::nullopt;
  const cv::Rect best =
      *std::max_element(found.begin(), found.end(),
                        [](const cv::Rect& a, const cv::Rect& b) { return a.area() < b.area(); });
  cv::Rect r(static_cast<int>(best.x * back), static_cast<int>(best.y * back),
             static_cast<int>(best.width * back), static_cast<int>(best.height * back));
  return r & cv::Rect({}, bgr.size());
}

std::optional<cv::Rect> FaceFinder::near(const cv::Mat& bgr, const cv::Rect& hint) const {
  if (bgr.empty() || bgr.type() != CV_8UC3 || hint.width <= 0 || hint.height <= 0)
    return std::nullopt;
  // Half a face on every side: room for a lean or a step between the preview frame the
  // hint came from (a fraction of a second ago) and this one. The search costs the number of
  // windows scanned, so the window is kept small: the hinted face at ~48 px (the cascade's
  // window is 24 px), sizes from 3/4 to 4/3 of it.
  const int side = std::max(hint.width, hint.height);
  const int pad = side / 2;
  const cv::Rect roi =
      cv::Rect(hint.x - pad, hint.y - pad, hint.width + 2 * pad, hint.height + 2 * pad) &
      cv::Rect({}, bgr.size());
  const double f = std::min(1.0, 48.0 / side);
  // No room for the cascade's 24 px window once scaled (also when a hint far larger than
  // the frame leaves a strip that would scale to nothing, which cv::resize refuses).
  if (roi.width * f < 24 || roi.height * f < 24) return std::nullopt;
  cv::Mat grey;
  cv::cvtColor(bgr(roi), grey, cv::COLOR_BGR2GRAY);
  if (f < 1.0) cv::resize(grey, grey, {}, f, f, cv::INTER_AREA);
  cv::equalizeHist(grey, grey);
  const int scaled = static_cast<int>(side * f);
  const int lo = std::max(24, scaled * 3 / 4);
  const int hi = std::max(lo + 1, std::min({scaled * 4 / 3, grey.cols, grey.rows}));
  std::vector<cv::Rect> found;
  {
    std::lock_guard lock(impl_->mu);
    impl_->cascade.detectMultiScale(grey, found, 1.1, 5, 0, {lo, lo}, {hi, hi});
  }
  if (found.empty()) return std::nullopt;
  const cv::Rect best =
      *std::max_element(found.begin(), found.end(),
                        [](const cv::Rect& a, const cv::Rect& b) { return a.area() < b.area(); });
  const double back = 1.0 / f;
  cv::Rect r(roi.x + static_cast<int>(best.x * back), roi.y + static_cast<int>(best.y * back),
             static_cast<int>(best.width * back), static_cast<int>(best.height * back));
  return r & cv::Rect({}, bgr.size());
}

QualityHints check_quality(const cv::Mat& bgr, const FaceFinder* faces) {
  QualityHints q;
  if (bgr.empty() || bgr.type() != CV_8UC3) {
    q.too_dark = q.blurry = true;
    q.no_face = faces != nullptr;
    return q;
  }
  cv::Mat grey;
  grey_small(bgr, 480, grey);
  q.mean_luma = cv::mean(grey)[0];
  cv::Mat lap;
  cv::Laplacian(grey, lap, CV_16S);
  cv::Scalar mu, sigma;
  cv::meanStdDev(lap, mu, sigma);
  q.sharpness = sigma[0] * sigma[0];
  q.too_dark = q.mean_luma < kDarkLuma;
  q.blurry = q.sharpness < kBlurVariance;
  if (faces) q.no_face = !faces->largest_face(bgr).has_value();
  return q;
}

}  // namespace pb::photo
