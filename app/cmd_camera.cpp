// SPDX-License-Identifier: Apache-2.0
// `pledgebooth snap`: one composed still through the configured camera, for volunteers
// checking framing and for tests.
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "commands.h"
#include "pb/camera.h"
#include "pb/i18n.h"
#include "pb/photo.h"

namespace fs = std::filesystem;

namespace pb::app {
namespace {

struct SnapOptions {
  std::string out_dir;
  std::string name;
  std::string answer;
  std::string blank;  // "" = the booth's own sign line (sign.blank) in its default language
  bool png = false;
  double timeout_s = 10;
};

[[noreturn]] void fail(const std::string& message, int code = 1) {
  std::cerr << "pledgebooth snap: " << message << "\n";
  throw ExitCode{code};
}

void write_bytes(const fs::path& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  f.close();
  if (!f) fail("cannot write " + path.string());
}

void snap(AppContext& ctx, const SnapOptions& opt) {
  const config::Config& cfg = ctx.config();
  auto aspect = photo::parse_aspect(cfg.photo.aspect);
  if (!aspect) fail(aspect.status().message(), 2);
  auto sign = photo::SignFrame::load(cfg.photo.frame);
  if (!sign) fail(sign.status().message());
  auto faces = photo::FaceFinder::load();
  if (!faces)
    std::cerr << "pledgebooth snap: " << faces.status().message() << "; crops are centred\n";
  photo::Composer composer(*sign, *aspect, faces ? *faces : nullptr);

  auto source = camera::make_source(cfg.camera);
  if (!source) fail(source.status().message(), 2);
  camera::Grabber grabber(std::move(*source));
  grabber.start();
  // Let a real camera settle its exposure for a few frames before the shutter.
  const auto deadline = camera::Clock::now() + std::chrono::duration_cast<camera::Clock::duration>(
                                                   std::chrono::duration<double>(opt.timeout_s));
  std::uint64_t seen = 0;
  for (int i = 0; i < 5; ++i) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - camera::Clock::now());
    auto f = grabber.wait_next(seen, std::max(left, std::chrono::milliseconds(0)));
    if (!f) break;
    seen = f->sequence;
  }
  auto still = grabber.still();
  const camera::GrabberStats stats = grabber.stats();
  grabber.stop();
  if (!still) {
    fail("no frame from camera " + stats.source + " within " + std::to_string(opt.timeout_s) +
         " s" + (stats.last_error.empty() ? "" : ": " + stats.last_error));
  }

  // The same sign line as the booth shows, so a framing check looks like a real photo.
  std::string blank = opt.blank;
  if (blank.empty()) {
    auto strings = kiosk::Strings::load(config::assets_dir() + "/i18n");
    if (!strings) fail(strings.status().message(), 2);
    blank = strings->get(cfg.booth.default_locale, "sign.blank");
  }
  auto photo = composer.compose(still->bgr, {opt.name, opt.answer, blank});
  if (!photo) fail(photo.status().message());
  auto jpeg = photo::encode_jpeg(photo->bgr, cfg.photo.jpeg_quality);
  if (!jpeg) fail(jpeg.status().message());

  std::error_code ec;
  fs::create_directories(opt.out_dir, ec);
  if (ec) fail("cannot create " + opt.out_dir + ": " + ec.message());
  char stamp[32];
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
  const fs::path base = fs::path(opt.out_dir) / (std::string("snap-") + stamp);
  write_bytes(base.string() + ".jpg", *jpeg);
  std::cout << "wrote " << base.string() << ".jpg (" << jpeg->size() << " bytes, "
            << photo->bgr.cols << "x" << photo->bgr.rows << ")\n";
  if (opt.png) {
    auto png = photo::encode_png(photo->bgr);
    if (!png) fail(png.status().message());
    write_bytes(base.string() + ".png", *png);
    std::cout << "wrote " << base.string() << ".png\n";
  }
  const auto q = photo::check_quality(photo->bgr, faces ? faces->get() : nullptr);
  std::cout << "camera: " << stats.source << ", frame " << still->sequence;
  if (still->synthetic_counter >= 0)
    std::cout << " (synthetic counter " << still->synthetic_counter << ")";
  std::cout << "\ncrop: " << photo->crop.width << "x" << photo->crop.height << " at "
            << photo->crop.x << "," << photo->crop.y
            << "; face: " << (photo->face ? "found" : "none") << "\n";
  std::printf("quality: brightness %.0f%s, sharpness %.0f%s%s\n", q.mean_luma,
              q.too_dark ? " (too dark)" : "", q.sharpness, q.blurry ? " (blurry)" : "",
              q.no_face ? ", no face found" : "");
}

}  // namespace

void add_camera_commands(CLI::App& app, AppContext& ctx) {
  auto opt = std::make_shared<SnapOptions>();
  CLI::App* cmd = app.add_subcommand("snap", kHelpSnap);
  cmd->add_option("--out", opt->out_dir, "folder for snap-<time>.jpg")->required();
  cmd->add_option("--name", opt->name, "a first name for the sign");
  cmd->add_option("--answer", opt->answer, "an answer line for the sign");
  cmd->add_option("--blank", opt->blank,
                  "the line on the sign when there is no name or answer (default: the booth's, in "
                  "its default language)");
  cmd->add_flag("--png", opt->png, "also write a lossless PNG");
  cmd->add_option("--timeout", opt->timeout_s, "seconds to wait for the camera (default 10)");
  cmd->callback([&ctx, opt] { snap(ctx, *opt); });
}

}  // namespace pb::app
