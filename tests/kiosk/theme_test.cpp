// SPDX-License-Identifier: Apache-2.0
// WCAG 2.x contrast of every text/background pair in the booth's theme table
// (kiosk/src/theme.h): 4.5:1, or 3:1 for large text (>= 24 px bold or >= 32 px at 1280x720).
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "theme.h"

using namespace pb::kiosk;

TEST_CASE("the contrast arithmetic gives the figures WCAG's own examples give", "[kiosk][theme]") {
  constexpr Color black{0, 0, 0, 255}, white{255, 255, 255, 255};
  CHECK(contrast(black, white) == Approx(21.0));
  CHECK(contrast(white, white) == Approx(1.0));
  CHECK(contrast(white, black) == Approx(contrast(black, white)));
  // #777777 on white is the classic just-below-AA grey: 4.48:1.
  CHECK(contrast({0x77, 0x77, 0x77, 255}, white) == Approx(4.48).epsilon(0.005));
  // #767676 is the lightest grey that passes: 4.54:1.
  CHECK(contrast({0x76, 0x76, 0x76, 255}, white) == Approx(4.54).epsilon(0.005));
  // Half-transparent white over black is mid grey.
  const Color mid = over(white.with_alpha(128), black);
  CHECK(mid.r == 128);
  CHECK(mid.a == 255);
}

TEST_CASE("large text is judged at the smallest screen the booth is laid out for",
          "[kiosk][theme]") {
  // 36 design px is 24 px at 1280x720: large when bold only; 48 is 32 px: large either way.
  CHECK(large_text({"", kWhite, {}, 36, true}));
  CHECK_FALSE(large_text({"", kWhite, {}, 35, true}));
  CHECK_FALSE(large_text({"", kWhite, {}, 36, false}));
  CHECK(large_text({"", kWhite, {}, 48, false}));
  CHECK(required_contrast({"", kWhite, {}, 34, false}) == 4.5);
  CHECK(required_contrast({"", kWhite, {}, 42, true}) == 3.0);
}

TEST_CASE("a pair that fails is caught: pale text on the page, white on pink", "[kiosk][theme]") {
  const TextPair lavender{"", {190, 160, 215, 255}, {}, 34, false};
  CHECK(worst_contrast(lavender) < required_contrast(lavender));
  const TextPair white_on_pink{"", kWhite, {kPink}, 42, true};
  CHECK(worst_contrast(white_on_pink) < required_contrast(white_on_pink));
}

// Every theme is checked as the screens use it: made current, then its table read.
struct ThemeScope {
  explicit ThemeScope(Theme t) { set_theme(t); }
  ~ThemeScope() { set_theme(Theme::kStandard); }
};

TEST_CASE("every text and background pair of every theme meets WCAG contrast", "[kiosk][theme]") {
  for (const Theme theme : kThemes) {
    ThemeScope scope(theme);
    REQUIRE(text_pairs().size() > 30);
    for (const TextPair& t : text_pairs()) {
      const double got = worst_contrast(t), need = required_contrast(t);
      char figure[96];
      std::snprintf(figure, sizeof figure, "%.2f:1, needs %.1f:1 (%s)", got, need,
                    large_text(t) ? "large" : "normal");
      INFO(to_string(theme) << ": " << t.where << ": " << figure);
      CHECK(got >= need);
      // PB_CONTRAST_TABLE=1 prints the table docs/ACCESSIBILITY.md shows.
      if (std::getenv("PB_CONTRAST_TABLE"))
        std::printf("| %s | %s | %.0f | %s | %.2f:1 | %.1f:1 |\n", to_string(theme),
                    t.where.c_str(), t.size, t.bold ? "bold" : "regular", got, need);
    }
  }
}

TEST_CASE("the names the screens draw with follow the theme set", "[kiosk][theme]") {
  {
    ThemeScope scope(Theme::kHighContrast);
    CHECK(current_theme() == Theme::kHighContrast);
    CHECK(luminance(kPurpleDeep) < 0.01);  // a black page
    CHECK(contrast(kWhite, page_colours().front()) > 20);
  }
  CHECK(current_theme() == Theme::kStandard);
  CHECK(kMagenta.r == 230);
  CHECK(contrast(kWhite, page_colours().front()) < 20);
}

TEST_CASE("the focus ring stands out from every background it is drawn on", "[kiosk][theme]") {
  // WCAG 1.4.11: a focus indicator needs 3:1 against what is next to it. The bright ring
  // meets it on the page and magenta; on white and pale controls its dark edge does.
  for (const Theme theme : kThemes) {
    ThemeScope scope(theme);
    INFO(to_string(theme));
    for (const Color& page : page_colours()) CHECK(contrast(kFocusRing, page) >= 3.0);
    CHECK(contrast(kFocusRing, kMagenta) >= 3.0);
    CHECK(contrast(kFocusRing, kFocusEdge) >= 3.0);
    for (const Color& light : {kWhite, kSoft, kPink}) CHECK(contrast(kFocusEdge, light) >= 3.0);
  }
}
