// SPDX-License-Identifier: Apache-2.0
// The photo path's cost per call: the mirrored ARGB preview at 720p and 1080p, compose +
// encode at 1080x1350, and libjpeg-turbo against stb_image_write (and OpenCV's imencode).
// Run: build/bench/photo/photo_bench --benchmark_repetitions=7
// --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "encode_stb.h"
#include "pb/camera.h"
#include "pb/photo.h"
#include "sign_impl.h"

namespace {

using pb::photo::Aspect;

std::shared_ptr<const pb::photo::SignFrame> sign() {
  static auto s =
      pb::photo::SignFrame::load(std::string(PB_SOURCE_DIR) + "/assets/frames/heforshe.png");
  if (!s) throw std::runtime_error(s.status().message());
  return *s;
}

std::shared_ptr<const pb::photo::FaceFinder> faces() {
  static auto f = pb::photo::FaceFinder::load();
  if (!f) throw std::runtime_error(f.status().message());
  return *f;
}

cv::Mat camera(int w, int h) {
  return pb::camera::SyntheticSource(w, h, 30).render(42);
}

const pb::photo::SignText kText{"Daniel", "for my daughter", ""};

// Camera frame (w x h) → preview texture of the 4:5 photo filling the screen height.
void BM_Preview(benchmark::State& state) {
  const int cam_w = static_cast<int>(state.range(0)), cam_h = static_cast<int>(state.range(1));
  const int screen_h = static_cast<int>(state.range(2));
  pb::photo::Composer c(sign(), Aspect::k4x5, nullptr);
  const cv::Mat cam = camera(cam_w, cam_h);
  const cv::Size size = pb::photo::preview_size(Aspect::k4x5, {screen_h * 16 / 9, screen_h});
  const int pitch = size.width * 4;
  std::vector<std::uint8_t> texture(static_cast<std::size_t>(pitch) * size.height);
  for (auto _ : state) {
    c.preview(cam, kText, texture.data(), pitch, size);
    benchmark::DoNotOptimize(texture.data());
    benchmark::ClobberMemory();
  }
  state.SetLabel(std::to_string(cam_w) + "x" + std::to_string(cam_h) + " -> " +
                 std::to_string(size.width) + "x" + std::to_string(size.height));
}
BENCHMARK(BM_Preview)
    ->Args({1280, 720, 720})
    ->Args({1920, 1080, 1080})
    ->Args({1280, 720, 1080})
    ->Unit(benchmark::kMillisecond);

// Compose only (crop, scale, sign with text), without and with face detection.
void BM_Compose(benchmark::State& state) {
  const bool with_faces = state.range(2) != 0;
  pb::photo::Composer c(sign(), Aspect::k4x5, with_faces ? faces() : nullptr);
  const cv::Mat cam = camera(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  for (auto _ : state) benchmark::DoNotOptimize(c.compose(cam, kText));
  state.SetLabel(with_faces ? "with face detection" : "centred crop");
}
BENCHMARK(BM_Compose)
    ->Args({1280, 720, 0})
    ->Args({1920, 1080, 0})
    ->Args({1920, 1080, 1})
    ->Unit(benchmark::kMillisecond);

// What the saver thread does per photo: compose at 1080x1350 + JPEG (libjpeg-turbo, q90).
void BM_ComposeEncode(benchmark::State& state) {
  const bool with_faces = state.range(2) != 0;
  pb::photo::Composer c(sign(), Aspect::k4x5, with_faces ? faces() : nullptr);
  const cv::Mat cam = camera(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  std::size_t bytes = 0;
  for (auto _ : state) {
    auto p = c.compose(cam, kText);
    auto jpeg = pb::photo::encode_jpeg(p->bgr, 90);
    bytes = jpeg->size();
    benchmark::DoNotOptimize(jpeg);
  }
  state.counters["jpeg_kB"] = static_cast<double>(bytes) / 1024;
  state.SetLabel(with_faces ? "with face detection" : "centred crop");
}
// The same with a new name every time: the sign's text is drawn afresh (no cache hit), as for
// each new participant. BM_ComposeEncode above repeats one name, as a retake does.
void BM_ComposeEncodeNewName(benchmark::State& state) {
  pb::photo::Composer c(sign(), Aspect::k4x5, nullptr);
  const cv::Mat cam = camera(1920, 1080);
  int n = 0;
  for (auto _ : state) {
    auto p = c.compose(cam, {"Daniel " + std::to_string(n++ % 1000), "for my daughter", ""});
    benchmark::DoNotOptimize(pb::photo::encode_jpeg(p->bgr, 90));
  }
}
BENCHMARK(BM_ComposeEncodeNewName)->Unit(benchmark::kMillisecond);

BENCHMARK(BM_ComposeEncode)
    ->Args({1280, 720, 0})
    ->Args({1920, 1080, 0})
    ->Args({1920, 1080, 1})
    ->Unit(benchmark::kMillisecond);

// A 1920x1080 camera frame with a real face: skimage's astronaut photo (Debian
// python3-skimage, read in place) scaled to the frame height, left of centre.
cv::Mat face_camera(int shift_x) {
  cv::Mat img = cv::imread("/usr/lib/python3/dist-packages/skimage/data/astronaut.png");
  if (img.empty()) throw std::runtime_error("python3-skimage's astronaut.png is missing");
  cv::resize(img, img, {1080, 1080}, 0, 0, cv::INTER_LINEAR);
  cv::Mat cam(1080, 1920, CV_8UC3, cv::Scalar(170, 180, 190));
  img.copyTo(cam(cv::Rect(300 + shift_x, 0, 1080, 1080)));
  return cam;
}

// The booth's path at the shutter: compose + JPEG of a frame with a face, the face either
// searched in the whole frame (0) or refound near where the countdown's face tracker saw it
// on a preview frame 24 px away (1), as the kiosk does.
void BM_ComposeEncodeFace(benchmark::State& state) {
  const bool hinted = state.range(0) != 0;
  pb::photo::Composer c(sign(), Aspect::k4x5, faces());
  const cv::Mat cam = face_camera(0);
  const auto hint = faces()->largest_face(face_camera(-24));
  if (!hint) {
    state.SkipWithError("no face in the test frame");
    return;
  }
  bool found = true;
  for (auto _ : state) {
    auto p = c.compose(cam, kText, hinted ? hint : std::nullopt);
    found = found && p->face.has_value();
    benchmark::DoNotOptimize(pb::photo::encode_jpeg(p->bgr, 90));
  }
  if (!found) state.SkipWithError("the face was not found");
  state.SetLabel(hinted ? "face refound near the tracker's hint" : "whole-frame face search");
}
BENCHMARK(BM_ComposeEncodeFace)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// The two face searches alone on that frame.
void BM_FaceSearch(benchmark::State& state) {
  const bool hinted = state.range(0) != 0;
  const cv::Mat cam = face_camera(0);
  const auto hint = faces()->largest_face(face_camera(-24));
  if (!hint) {
    state.SkipWithError("no face in the test frame");
    return;
  }
  for (auto _ : state)
    benchmark::DoNotOptimize(hinted ? faces()->near(cam, *hint) : faces()->largest_face(cam));
  state.SetLabel(hinted ? "near(hint)" : "largest_face");
}
BENCHMARK(BM_FaceSearch)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// Encoders side by side on the same composed 1080x1350 photo.
const cv::Mat& composed() {
  static const cv::Mat img = [] {
    pb::photo::Composer c(sign(), Aspect::k4x5, nullptr);
    return c.compose(camera(1920, 1080), kText)->bgr;
  }();
  return img;
}

template <typename Encode>
void run_encoder(benchmark::State& state, Encode encode) {
  std::size_t bytes = 0;
  for (auto _ : state) {
    auto out = encode(composed());
    bytes = out.size();
    benchmark::DoNotOptimize(out);
  }
  state.counters["kB"] = static_cast<double>(bytes) / 1024;
}

void BM_Jpeg_LibjpegTurbo(benchmark::State& state) {
  run_encoder(state, [](const cv::Mat& m) { return *pb::photo::encode_jpeg(m, 90); });
}
void BM_Jpeg_Stb(benchmark::State& state) {
  run_encoder(state, [](const cv::Mat& m) { return *pb::photo::encode_jpeg_stb(m, 90); });
}
void BM_Jpeg_OpenCvImencode(benchmark::State& state) {
  run_encoder(state, [](const cv::Mat& m) {
    std::vector<std::uint8_t> out;
    cv::imencode(".jpg", m, out, {cv::IMWRITE_JPEG_QUALITY, 90});
    return out;
  });
}
void BM_Png_Stb(benchmark::State& state) {
  run_encoder(state, [](const cv::Mat& m) { return *pb::photo::encode_png(m); });
}
void BM_Png_OpenCvImencode(benchmark::State& state) {
  run_encoder(state, [](const cv::Mat& m) {
    std::vector<std::uint8_t> out;
    cv::imencode(".png", m, out);
    return out;
  });
}
BENCHMARK(BM_Jpeg_LibjpegTurbo)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Jpeg_Stb)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Jpeg_OpenCvImencode)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Png_Stb)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Png_OpenCvImencode)->Unit(benchmark::kMillisecond);

// The parts of compose: scaling the crop, and the sign with this participant's text.
void BM_Part_ScaleCrop(benchmark::State& state) {
  const cv::Mat cam = camera(1920, 1080);
  const cv::Rect crop = pb::photo::crop_rect(cam.size(), {1080, 1350}, std::nullopt);
  cv::Mat out;
  for (auto _ : state) {
    cv::resize(cam(crop), out, {1080, 1350}, 0, 0, cv::INTER_LINEAR);
    benchmark::DoNotOptimize(out.data);
  }
}
BENCHMARK(BM_Part_ScaleCrop)->Unit(benchmark::kMillisecond);

void BM_Part_SignText(benchmark::State& state) {
  const auto placed = pb::photo::place_sign(sign()->impl(), {1080, 1350});
  for (auto _ : state) {
    pb::photo::PlacedSign p{placed.rgba.clone(), placed.at, placed.scale};
    pb::photo::draw_sign_text(sign()->impl(), kText, p);
    benchmark::DoNotOptimize(pb::photo::SparseOverlay::build(p.rgba));
  }
}
BENCHMARK(BM_Part_SignText)->Unit(benchmark::kMillisecond);

void BM_Part_ApplyOverlay(benchmark::State& state) {
  const auto placed = pb::photo::place_sign(sign()->impl(), {1080, 1350});
  const auto overlay = pb::photo::SparseOverlay::build(placed.rgba);
  cv::Mat img(1350, 1080, CV_8UC3, cv::Scalar(90, 120, 150));
  for (auto _ : state) {
    overlay.apply_bgr(img, placed.at);
    benchmark::DoNotOptimize(img.data);
  }
  state.counters["touched_px"] = static_cast<double>(overlay.touched_pixels());
}
BENCHMARK(BM_Part_ApplyOverlay)->Unit(benchmark::kMillisecond);

void BM_Thumbnail(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(pb::photo::thumbnail(composed(), 320));
}
BENCHMARK(BM_Thumbnail)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
