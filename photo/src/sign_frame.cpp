// SPDX-License-Identifier: Apache-2.0
// Loading the sign frame (PNG + layout + font), placing it and writing its text.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <toml++/toml.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "sign_impl.h"

namespace pb::photo {
namespace {

Status invalid(const std::string& m) {
  return Status::error(Status::Code::kInvalid, m);
}

Result<TextSlot> parse_slot(const toml::table& root, const char* key, const std::string& name,
                            cv::Size sign) {
  const toml::table* t = root[key].as_table();
  if (!t) return invalid(name + ": missing [" + key + "]");
  TextSlot s;
  const toml::array* box = (*t)["box"].as_array();
  if (!box || box->size() != 4) return invalid(name + ": " + key + ".box: expected [x, y, w, h]");
  int v[4];
  for (int i = 0; i < 4; ++i) {
    auto n = (*box)[static_cast<std::size_t>(i)].value<int>();
    if (!n) return invalid(name + ": " + key + ".box: expected integers");
    v[i] = *n;
  }
  s.box = {v[0], v[1], v[2], v[3]};
  if (s.box.width <= 0 || s.box.height <= 0 || (s.box & cv::Rect({}, sign)) != s.box)
    return invalid(name + ": " + key + ".box lies outside the sign");
  const std::string colour = (*t)["colour"].value_or(std::string("#000000"));
  unsigned rgb = 0;
  if (colour.size() != 7 || colour[0] != '#' || std::sscanf(colour.c_str() + 1, "%6x", &rgb) != 1)
    return invalid(name + ": " + key + ".colour: expected \"#RRGGBB\"");
  s.rgb = cv::Vec3b(static_cast<uchar>(rgb >> 16), static_cast<uchar>(rgb >> 8),
                    static_cast<uchar>(rgb));
  s.max_px = (*t)["max_px"].value_or(48);
  s.min_px = (*t)["min_px"].value_or(20);
  s.lines = (*t)["lines"].value_or(1);
  if (s.min_px < 6 || s.max_px < s.min_px || s.lines < 1 || s.lines > 4)
    return invalid(name + ": " + key + ": need 6 <= min_px <= max_px and 1 <= lines <= 4");
  return s;
}

}  // namespace

Result<SignLayout> parse_layout(const std::string& toml_text, const std::string& name,
                                cv::Size sign) {
  toml::table root;
  try {
    root = toml::parse(toml_text, name);
  } catch (const toml::parse_error& e) {
    std::ostringstream m;
    m << name << ":" << e.source().begin.line << ": " << e.description();
    return invalid(m.str());
  }
  SignLayout l;
  l.width_fraction = root["placement"]["width"].value_or(0.84);
  l.bottom_margin = root["placement"]["bottom_margin"].value_or(0.035);
  if (l.width_fraction <= 0.1 || l.width_fraction > 1.0 || l.bottom_margin < 0 ||
      l.bottom_margin > 0.5)
    return invalid(name + ": placement: width in (0.1, 1], bottom_margin in [0, 0.5]");
  auto n = parse_slot(root, "name", name, sign);
  if (!n) return n.status();
  auto a = parse_slot(root, "answer", name, sign);
  if (!a) return a.status();
  l.name = *n;
  l.answer = *a;
  return l;
}

SignFrame::SignFrame(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SignFrame::~SignFrame() = default;
const cv::Mat& SignFrame::rgba() const {
  return impl_->rgba;
}

Result<std::shared_ptr<const SignFrame>> SignFrame::load(const std::string& png_path,
                                                         const std::string& font_path) {
  cv::Mat bgra;
  try {
    bgra = cv::imread(png_path, cv::IMREAD_UNCHANGED);
  } catch (const cv::Exception& e) {
    return invalid("cannot read sign frame " + png_path + ": " + e.what());
  }
  if (bgra.empty())
    return Status::error(Status::Code::kNotFound, "cannot read sign frame " + png_path);
  if (bgra.type() != CV_8UC4) return invalid("sign frame " + png_path + " needs 8-bit RGBA");
  auto impl = std::make_unique<Impl>();
  cv::cvtColor(bgra, impl->rgba, cv::COLOR_BGRA2RGBA);

  const std::string layout_path =
      std::filesystem::path(png_path).replace_extension(".layout").string();
  std::ifstream in(layout_path);
  if (!in) return Status::error(Status::Code::kNotFound, "cannot read sign layout " + layout_path);
  std::stringstream text;
  text << in.rdbuf();
  auto layout = parse_layout(text.str(), layout_path, impl->rgba.size());
  if (!layout) return layout.status();
  impl->layout = *layout;

  auto font = Font::open(font_path);
  if (!font) return font.status();
  impl->font = std::move(*font);
  return std::shared_ptr<const SignFrame>(new SignFrame(std::move(impl)));
}

cv::Rect crop_rect(cv::Size src, cv::Size out, const std::optional<cv::Rect>& face) {
  int w = src.width, h = src.height;
  // Compare src.w/src.h with out.w/out.h without rounding.
  if (static_cast<long long>(src.width) * out.height >
      static_cast<long long>(src.height) * out.width)
    w = static_cast<int>(static_cast<long long>(src.height) * out.width / out.height);
  else
    h = static_cast<int>(static_cast<long long>(src.width) * out.height / out.width);
  w = std::max(1, w), h = std::max(1, h);
  int cx = src.width / 2, top = (src.height - h) / 2;
  if (face) {
    cx = face->x + face->width / 2;
    top = face->y + face->height / 2 - h * 2 / 5;
  }
  const int left = std::clamp(cx - w / 2, 0, src.width - w);
  top = std::clamp(top, 0, src.height - h);
  return {left, top, w, h};
}

PlacedSign place_sign(const SignFrame::Impl& sign, cv::Size target) {
  PlacedSign p;
  const int w = std::max(1, static_cast<int>(target.width * sign.layout.width_fraction + 0.5));
  p.scale = static_cast<double>(w) / sign.rgba.cols;
  const int h = std::max(1, static_cast<int>(sign.rgba.rows * p.scale + 0.5));
  // Resample premultiplied so transparent pixels do not bleed dark fringes into the edge.
  cv::Mat pm;
  sign.rgba.convertTo(pm, CV_32FC4);
  std::vector<cv::Mat> ch;
  cv::split(pm, ch);
  for (int k = 0; k < 3; ++k) ch[k] = ch[k].mul(ch[3], 1.0 / 255);
  cv::merge(ch, pm);
  cv::Mat scaled;
  cv::resize(pm, scaled, {w, h}, 0, 0, p.scale < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
  cv::split(scaled, ch);
  cv::Mat inv;
  cv::divide(255.0, cv::max(ch[3], 1e-3f), inv, 1, CV_32F);
  for (int k = 0; k < 3; ++k) ch[k] = ch[k].mul(inv);
  cv::merge(ch, scaled);
  scaled.convertTo(p.rgba, CV_8UC4);
  // Pixels whose alpha rounds to 0 carry no colour.
  p.at = {(target.width - w) / 2,
          target.height - h - static_cast<int>(target.height * sign.layout.bottom_margin + 0.5)};
  return p;
}

void draw_sign_text(const SignFrame::Impl& sign, const SignText& text, PlacedSign& placed) {
  const SignLayout& l = sign.layout;
  auto scaled = [&](cv::Rect r) {
    return cv::Rect(
        static_cast<int>(r.x * placed.scale + 0.5), static_cast<int>(r.y * placed.scale + 0.5),
        static_cast<int>(r.width * placed.scale), static_cast<int>(r.height * placed.scale));
  };
  auto px = [&](int v) { return std::max(4, static_cast<int>(v * placed.scale + 0.5)); };
  // Draws utf8 in box with the slot's style, never larger than cap_px; returns the size used.
  auto draw = [&](const std::string& utf8, const TextSlot& slot, cv::Rect box, int lines,
                  int cap_px) {
    const auto u = decode_utf8(utf8);
    const cv::Rect b = scaled(box);
    const int max_px = std::min(px(slot.max_px), cap_px);
    const FittedText f =
        fit_text(*sign.font, u, b.size(), max_px, std::min(px(slot.min_px), max_px), lines);
    draw_text(*sign.font, f, b, slot.rgb, placed.rgba);
    return f.px;
  };
  constexpr int kNoCap = 1 << 20;
  const cv::Rect both = l.name.box | l.answer.box;
  const bool has_name = !text.name.empty(), has_answer = !text.answer.empty();
  if (has_name && has_answer) {
    // The name stays the most prominent line: a long name that had to shrink caps the answer.
    const int name_px = draw(text.name, l.name, l.name.box, l.name.lines, kNoCap);
    draw(text.answer, l.answer, l.answer.box, l.answer.lines, name_px > 0 ? name_px : kNoCap);
  } else if (has_name) {
    draw(text.name, l.name, both, l.name.lines, kNoCap);
  } else if (has_answer) {
    draw(text.answer, l.answer, both, l.answer.lines + 1, kNoCap);
  } else if (!text.blank.empty()) {
    draw(text.blank, l.name, both, 1, kNoCap);  // a statement, in the name's colour
  }
}

}  // namespace pb::photo
