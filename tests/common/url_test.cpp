// SPDX-License-Identifier: Apache-2.0
// pb/url.h: the one reader of URL hosts, and the plain-http rule every caller applies.
#include <catch2/catch.hpp>

#include "pb/url.h"

using namespace pb;

TEST_CASE("the host of a URL leaves out the user and password and the path", "[common][url]") {
  CHECK(url::host_port("https://s3.example.org:9000/bucket?x#y") == "s3.example.org:9000");
  CHECK(url::host_port("https://user:secret@dav.example.org/remote.php") == "dav.example.org");
  CHECK(url::host_port("https://a@b@c.example.org/") == "c.example.org");
  CHECK(url::host_port("https://c.example.org?q=a@b") == "c.example.org");
  CHECK(url::has_userinfo("https://user:pw@x.org/"));
  CHECK_FALSE(url::has_userinfo("https://x.org/path@with-at"));
  CHECK_FALSE(url::has_userinfo("https://x.org?mail=a@b.org"));
}

TEST_CASE("a URL's endpoint has the scheme's port unless one is written", "[common][url]") {
  auto e = url::endpoint("https://s3.example.org/b");
  REQUIRE(e);
  CHECK(e->host == "s3.example.org");
  CHECK(*e->port == "443");
  e = url::endpoint("http://user:pw@127.0.0.1:9000/dav");
  REQUIRE(e);
  CHECK(e->host == "127.0.0.1");
  CHECK(*e->port == "9000");
  e = url::endpoint("http://[::1]:8080/");
  REQUIRE(e);
  CHECK(e->host == "::1");
  CHECK(e->bracketed);
  CHECK(*e->port == "8080");
  CHECK(*url::endpoint("http://[fe80::1]/")->port == "80");
  CHECK_FALSE(url::endpoint("s3.example.org/b"));
  CHECK_FALSE(url::endpoint("https:///path"));
  CHECK_FALSE(url::endpoint("https://host:/"));
  CHECK_FALSE(url::endpoint("https://[::1/"));
  CHECK_FALSE(url::endpoint("https://[::1]x/"));
}

TEST_CASE("plain http is refused to another host unless allowed", "[common][url]") {
  CHECK_FALSE(url::plain_http_refused("https://s3.example.org/", false));
  CHECK_FALSE(url::plain_http_refused("http://127.0.0.1:9000/b", false));
  CHECK_FALSE(url::plain_http_refused("http://localhost/b", false));
  CHECK_FALSE(url::plain_http_refused("http://[::1]/b", false));
  CHECK(url::plain_http_refused("http://s3.example.org/b", false));
  CHECK_FALSE(url::plain_http_refused("http://s3.example.org/b", true));
  CHECK(url::plain_http_refused("http://127.0.0.1.evil.org/", false));
  CHECK(url::plain_http_refused("http://127.0.0.1@evil.org/", false));
  CHECK(url::plain_http_refused("http://[localhost]/", false));
  CHECK(url::plain_http_refused("http://[::2]/", false));
  // A '?' or '#' ends the host, as curl reads it: the request goes to 127.0.0.1.
  CHECK(url::is_loopback_http("http://127.0.0.1?x=1"));
  CHECK_FALSE(url::is_loopback_http("http://evil.org?@127.0.0.1/"));
  // Not http at all: the rule does not apply (the caller refuses other schemes itself).
  CHECK_FALSE(url::plain_http_refused("ftp://evil.org/", false));
}
