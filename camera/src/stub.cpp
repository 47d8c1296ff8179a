// Placeholder bodies so the public header links while the real sources land.
#include "pb/camera.h"

namespace pb::camera {
SyntheticSource::SyntheticSource(int width, int height, int fps)
    : width_(width), height_(height), fps_(fps) {}
Status SyntheticSource::open() {
  return Status::error(Status::Code::kUnavailable, "not yet");
}
Status SyntheticSource::read(Frame&) {
  return Status::error(Status::Code::kUnavailable, "not yet");
}
void SyntheticSource::close() {}
std::string SyntheticSource::describe() const {
  return "synthetic";
}
std::int64_t SyntheticSource::counter_at(Clock::time_point) const {
  return 0;
}
cv::Mat SyntheticSource::render(std::int64_t) const {
  return {};
}
Result<std::unique_ptr<CameraSource>> make_source(const config::CameraConfig&) {
  return Status::error(Status::Code::kUnavailable, "not yet");
}
struct Grabber::State {};
Grabber::Grabber(std::unique_ptr<CameraSource>, GrabberOptions) {}
Grabber::~Grabber() = default;
void Grabber::start() {}
void Grabber::stop() {}
std::shared_ptr<const Frame> Grabber::latest() const {
  return nullptr;
}
std::shared_ptr<const Frame> Grabber::still(Clock::time_point) const {
  return nullptr;
}
std::shared_ptr<const Frame> Grabber::wait_next(std::uint64_t, std::chrono::milliseconds) const {
  return nullptr;
}
GrabberStats Grabber::stats() const {
  return {};
}
}  // namespace pb::camera
