// SPDX-License-Identifier: Apache-2.0
// A sparse alpha overlay (internal): the sign's pixels with alpha > 0 as runs per row, so
// blending touches only those; opaque runs are copied, the rest blended with integer math.
#pragma once

#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>

namespace pb::photo {

class SparseOverlay {
 public:
  SparseOverlay() = default;
  // From a straight-alpha RGBA image (CV_8UC4, R,G,B,A).
  static SparseOverlay build(const cv::Mat& rgba);

  cv::Size size() const { return size_; }
  std::size_t touched_pixels() const { return colour_.size() / 3; }

  // Blends onto a CV_8UC3 BGR image with the overlay's top-left at `at`; parts outside dst
  // are skipped. out = round((c·a + d·(255−a)) / 255).
  void apply_bgr(cv::Mat& dst, cv::Point at) const;
  // The same onto 4-byte B,G,R,A pixels (SDL ARGB8888 in memory); A is left alone.
  void apply_bgra(std::uint8_t* dst, int pitch, cv::Size dst_size, cv::Point at) const;

 private:
  struct Run {
    int y, x, len;
    std::uint32_t offset;  // index of its first pixel in colour_/alpha_
    bool opaque;
  };
  template <int kChannels>
  void apply(std::uint8_t* dst, std::size_t pitch, cv::Size dst_size, cv::Point at) const;

  cv::Size size_;
  std::vector<Run> runs_;
  std::vector<std::uint8_t> colour_;  // B,G,R per touched pixel (the order both targets use)
  std::vector<std::uint8_t> alpha_;   // per touched pixel
};

// round(x / 255) for x in [0, 255·255] without a division.
inline int div255(int x) {
  return ((x + 128) * 257) >> 16;
}

}  // namespace pb::photo
