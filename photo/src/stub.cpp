// Placeholder bodies so the public header links while the real sources land.
#include "pb/photo.h"

namespace pb::photo {
Result<Aspect> parse_aspect(std::string_view) {
  return Aspect::k4x5;
}
cv::Size output_size(Aspect) {
  return {1080, 1350};
}
cv::Size preview_size(Aspect, cv::Size area) {
  return area;
}
struct SignFrame::Impl {
  cv::Mat rgba;
};
SignFrame::SignFrame(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SignFrame::~SignFrame() = default;
const cv::Mat& SignFrame::rgba() const {
  return impl_->rgba;
}
Result<std::shared_ptr<const SignFrame>> SignFrame::load(const std::string&, const std::string&) {
  return Status::error(Status::Code::kNotFound, "not yet");
}
struct FaceFinder::Impl {};
FaceFinder::FaceFinder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FaceFinder::~FaceFinder() = default;
Result<std::shared_ptr<const FaceFinder>> FaceFinder::load(const std::string&) {
  return Status::error(Status::Code::kNotFound, "not yet");
}
std::optional<cv::Rect> FaceFinder::largest_face(const cv::Mat&) const {
  return std::nullopt;
}
struct Composer::Impl {
  Aspect aspect;
};
Composer::Composer(std::shared_ptr<const SignFrame>, Aspect aspect,
                   std::shared_ptr<const FaceFinder>)
    : impl_(std::make_unique<Impl>(Impl{aspect})) {}
Composer::~Composer() = default;
Aspect Composer::aspect() const {
  return impl_->aspect;
}
Result<Photo> Composer::compose(const cv::Mat&, const SignText&) const {
  return Status::error(Status::Code::kInternal, "not yet");
}
void Composer::preview(const cv::Mat&, const SignText&, std::uint8_t*, int, cv::Size) const {}
void copy_to_argb(const cv::Mat&, std::uint8_t*, int) {}
Result<std::vector<std::uint8_t>> encode_jpeg(const cv::Mat&, int) {
  return Status::error(Status::Code::kInternal, "not yet");
}
Result<std::vector<std::uint8_t>> encode_png(const cv::Mat&) {
  return Status::error(Status::Code::kInternal, "not yet");
}
cv::Mat thumbnail(const cv::Mat& bgr, int) {
  return bgr;
}
QualityHints check_quality(const cv::Mat&, const FaceFinder*) {
  return {};
}
}  // namespace pb::photo
