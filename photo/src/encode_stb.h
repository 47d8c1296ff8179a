// SPDX-License-Identifier: Apache-2.0
// The stb_image_write JPEG encoder (internal), kept only to compare with libjpeg-turbo.
#pragma once

#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>

#include "pb/status.h"

namespace pb::photo {

// JPEG of a CV_8UC3 BGR image through stb_image_write (4:2:0 at quality < 90, else 4:4:4).
Result<std::vector<std::uint8_t>> encode_jpeg_stb(const cv::Mat& bgr, int quality);

}  // namespace pb::photo
