// SPDX-License-Identifier: Apache-2.0
// Building and applying the sparse sign overlay.
#include "overlay.h"

#include <algorithm>
#include <cstring>

namespace pb::photo {

SparseOverlay SparseOverlay::build(const cv::Mat& rgba) {
  CV_Assert(rgba.type() == CV_8UC4);
  SparseOverlay o;
  o.size_ = rgba.size();
  const std::size_t visible = static_cast<std::size_t>(rgba.total());  // an upper bound
  o.colour_.reserve(visible * 3);
  o.alpha_.reserve(visible);
  for (int y = 0; y < rgba.rows; ++y) {
    const auto* p = rgba.ptr<cv::Vec4b>(y);
    int x = 0;
    while (x < rgba.cols) {
      if (p[x][3] == 0) {
        ++x;
        continue;
      }
      // A run of pixels of one kind: all opaque, or all partly transparent.
      const bool opaque = p[x][3] == 255;
      const int start = x;
      while (x < rgba.cols && p[x][3] != 0 && (p[x][3] == 255) == opaque) ++x;
      Run r{y, start, x - start, static_cast<std::uint32_t>(o.alpha_.size()), opaque};
      for (int i = start; i < x; ++i) {
        o.colour_.insert(o.colour_.end(), {p[i][2], p[i][1], p[i][0]});
        o.alpha_.push_back(p[i][3]);
      }
      o.runs_.push_back(r);
    }
  }
  o.colour_.shrink_to_fit();
  o.alpha_.shrink_to_fit();
  return o;
}

template <int kChannels>
void SparseOverlay::apply(std::uint8_t* dst, std::size_t pitch, cv::Size dst_size,
                          cv::Point at) const {
  for (const Run& r : runs_) {
    const int y = at.y + r.y;
    if (y < 0 || y >= dst_size.height) continue;
    int x0 = at.x + r.x, skip = 0;
    if (x0 < 0) skip = -x0, x0 = 0;
    const int len = std::min(r.len - skip, dst_size.width - x0);
    if (len <= 0) continue;
    std::uint8_t* d = dst + y * pitch + static_cast<std::size_t>(x0) * kChannels;
    const std::uint8_t* c = colour_.data() + (r.offset + skip) * 3;
    if (r.opaque) {
      if constexpr (kChannels == 3) {
        std::memcpy(d, c, static_cast<std::size_t>(len) * 3);
      } else {
        for (int i = 0; i < len; ++i, d += 4, c += 3) d[0] = c[0], d[1] = c[1], d[2] = c[2];
      }
      continue;
    }
    const std::uint8_t* a = alpha_.data() + r.offset + skip;
    for (int i = 0; i < len; ++i, d += kChannels, c += 3) {
      const int al = a[i], inv = 255 - al;
      d[0] = static_cast<std::uint8_t>(div255(c[0] * al + d[0] * inv));
      d[1] = static_cast<std::uint8_t>(div255(c[1] * al + d[1] * inv));
      d[2] = static_cast<std::uint8_t>(div255(c[2] * al + d[2] * inv));
    }
  }
}

void SparseOverlay::apply_bgr(cv::Mat& dst, cv::Point at) const {
  CV_Assert(dst.type() == CV_8UC3);
  apply<3>(dst.data, dst.step, dst.size(), at);
}

void SparseOverlay::apply_bgra(std::uint8_t* dst, int pitch, cv::Size dst_size,
                               cv::Point at) const {
  apply<4>(dst, static_cast<std::size_t>(pitch), dst_size, at);
}

}  // namespace pb::photo
