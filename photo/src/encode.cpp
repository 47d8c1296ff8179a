// SPDX-License-Identifier: Apache-2.0
// Encoding: JPEG through libjpeg-turbo's TurboJPEG API, PNG through stb_image_write.
#include <turbojpeg.h>

#include <opencv2/imgproc.hpp>

#include "encode_stb.h"
#include "pb/photo.h"

#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wunused-function"
#endif
#include <stb/stb_image_write.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

namespace pb::photo {
namespace {

Status not_bgr() {
  return Status::error(Status::Code::kInvalid, "encode needs a non-empty 8-bit BGR image");
}

void append(void* context, void* data, int size) {
  auto* out = static_cast<std::vector<std::uint8_t>*>(context);
  const auto* p = static_cast<const std::uint8_t*>(data);
  out->insert(out->end(), p, p + size);
}

// One TurboJPEG compressor per thread, created on first use and freed at thread exit.
struct Compressor {
  tjhandle handle = tjInitCompress();
  ~Compressor() {
    if (handle) tjDestroy(handle);
  }
};

}  // namespace

Result<std::vector<std::uint8_t>> encode_jpeg(const cv::Mat& bgr, int quality) {
  if (bgr.empty() || bgr.type() != CV_8UC3) return not_bgr();
  thread_local Compressor c;
  if (!c.handle) return Status::error(Status::Code::kInternal, "libjpeg-turbo would not start");
  unsigned char* buf = nullptr;
  unsigned long size = 0;
  const int rc =
      tjCompress2(c.handle, bgr.data, bgr.cols, static_cast<int>(bgr.step), bgr.rows, TJPF_BGR,
                  &buf, &size, TJSAMP_420, std::clamp(quality, 1, 100), TJFLAG_FASTDCT);
  if (rc != 0) {
    if (buf) tjFree(buf);
    return Status::error(Status::Code::kInternal,
                         std::string("JPEG encoding failed: ") + tjGetErrorStr2(c.handle));
  }
  std::vector<std::uint8_t> out(buf, buf + size);
  tjFree(buf);
  return out;
}

Result<std::vector<std::uint8_t>> encode_png(const cv::Mat& bgr) {
  if (bgr.empty() || bgr.type() != CV_8UC3) return not_bgr();
  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  std::vector<std::uint8_t> out;
  if (!stbi_write_png_to_func(append, &out, rgb.cols, rgb.rows, 3, rgb.data,
                              static_cast<int>(rgb.step)))
    return Status::error(Status::Code::kInternal, "PNG encoding failed");
  return out;
}

Result<std::vector<std::uint8_t>> encode_jpeg_stb(const cv::Mat& bgr, int quality) {
  if (bgr.empty() || bgr.type() != CV_8UC3) return not_bgr();
  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);  // stb wants tightly packed RGB
  std::vector<std::uint8_t> out;
  if (!stbi_write_jpg_to_func(append, &out, rgb.cols, rgb.rows, 3, rgb.data,
                              std::clamp(quality, 1, 100)))
    return Status::error(Status::Code::kInternal, "JPEG encoding failed");
  return out;
}

cv::Mat thumbnail(const cv::Mat& bgr, int max_side) {
  if (bgr.empty() || max_side <= 0 || std::max(bgr.cols, bgr.rows) <= max_side) return bgr.clone();
  const double f = static_cast<double>(max_side) / std::max(bgr.cols, bgr.rows);
  cv::Mat out;
  cv::resize(bgr, out,
             {std::max(1, static_cast<int>(bgr.cols * f + 0.5)),
              std::max(1, static_cast<int>(bgr.rows * f + 0.5))},
             0, 0, cv::INTER_AREA);
  return out;
}

}  // namespace pb::photo
