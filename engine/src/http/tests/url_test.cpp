// SPDX-License-Identifier: MIT
// URL parser and reference resolution: labelled tables, each input in an exact-size
// heap copy. Every accepted URL must also survive to_string() -> parse_url() unchanged.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "http/url.hpp"

namespace ms::http {
namespace {

struct UrlCase {
  const char* label;
  std::string input;
  // Expected canonical form "scheme|host|port|target|v6" or "!reason".
  std::string want;
};

std::string describe(const std::optional<Url>& url, const UrlError& error) {
  if (!url) return "!" + error.reason;
  return url->scheme + "|" + url->host + "|" + std::to_string(url->port) + "|" + url->target +
         "|" + (url->ipv6_literal ? "v6" : "-");
}

std::optional<Url> parse_copy(const std::string& text, UrlError* error) {
  std::unique_ptr<char[]> copy(new char[text.size()]);
  std::copy_n(text.data(), text.size(), copy.get());
  return parse_url(std::string_view(copy.get(), text.size()), error);
}

TEST(Url_Parse, Table) {
  const std::vector<UrlCase> cases = {
      {"plain", "http://example.com/a/b?c=d", "http|example.com|80|/a/b?c=d|-"},
      {"https_default_port", "https://example.com", "https|example.com|443|/|-"},
      {"empty_path_with_query", "http://h?q=1", "http|h|80|/?q=1|-"},
      {"lower_case_scheme_host", "HTTP://ExAmPle.COM/Path", "http|example.com|80|/Path|-"},
      {"explicit_port", "http://h:8080/", "http|h|8080|/|-"},
      {"port_max", "http://h:65535/", "http|h|65535|/|-"},
      {"port_min", "http://h:1/", "http|h|1|/|-"},
      {"port_empty_is_default", "https://h:/x", "https|h|443|/x|-"},
      {"port_leading_zeros", "http://h:00080/", "http|h|80|/|-"},
      {"port_zero", "http://h:0/", "!bad port"},
      {"port_too_big", "http://h:65536/", "!bad port"},
      {"port_too_many_digits", "http://h:000001/", "!bad port"},
      {"port_not_numeric", "http://h:8o/", "!bad port"},
      {"ipv4", "http://127.0.0.2:81/x", "http|127.0.0.2|81|/x|-"},
      {"ipv6", "http://[::1]/", "http|::1|80|/|v6"},
      {"ipv6_port_upper", "https://[FE80::A:b]:8443/p", "https|fe80::a:b|8443|/p|v6"},
      {"ipv6_full", "http://[1:2:3:4:5:6:7:8]/", "http|1:2:3:4:5:6:7:8|80|/|v6"},
      {"ipv6_v4_tail", "http://[::ffff:10.0.0.1]/", "http|::ffff:10.0.0.1|80|/|v6"},
      {"ipv6_unclosed", "http://[::1/", "!bad IPv6 literal"},
      {"ipv6_two_gaps", "http://[1::2::3]/", "!bad IPv6 literal"},
      {"ipv6_too_many_groups", "http://[1:2:3:4:5:6:7:8:9]/", "!bad IPv6 literal"},
      {"ipv6_gap_plus_eight", "http://[1:2:3:4::5:6:7:8]/", "!bad IPv6 literal"},
      {"ipv6_zone_refused", "http://[fe80::1%25eth0]/", "!bad IPv6 literal"},
      {"ipv6_junk_after", "http://[::1]x/", "!bad IPv6 literal"},
      {"ipv6_bad_v4_tail", "http://[::1.2.3.256]/", "!bad IPv6 literal"},
      {"ipv6_empty", "http://[]/", "!bad IPv6 literal"},
      {"fragment_dropped", "http://h/p?q#frag ment", "http|h|80|/p?q|-"},
      {"dot_segments", "http://h/a/./b/../c/..//d", "http|h|80|/a//d|-"},
      {"dot_segments_above_root", "http://h/../../x", "http|h|80|/x|-"},
      {"dot_segments_not_in_query", "http://h/a/..?b/../c", "http|h|80|/?b/../c|-"},
      {"userinfo_refused", "http://user:pw@h/", "!userinfo is not supported"},
      {"at_in_path_ok", "http://h/a@b", "http|h|80|/a@b|-"},
      {"space_refused", "http://h/a b", "!invalid character in URL"},
      {"tab_refused", "http://h/\t", "!invalid character in URL"},
      {"control_refused", "http://h/\x01", "!invalid character in URL"},
      {"del_refused", "http://h/\x7f", "!invalid character in URL"},
      {"non_ascii_refused", "http://h/\xc3\xa9", "!invalid character in URL"},
      {"ftp_refused", "ftp://h/", "!unsupported scheme"},
      {"file_refused", "file:///etc/passwd", "!unsupported scheme"},
      {"no_scheme", "example.com/x", "!missing scheme"},
      {"relative", "/x", "!missing scheme"},
      {"empty", "", "!missing scheme"},
      {"no_slashes", "http:h/x", "!not an absolute URL"},
      {"empty_host", "http:///x", "!empty host"},
      {"empty_host_port", "http://:80/", "!bad host name"},
      {"bad_host_char", "http://ex%41mple/", "!bad host name"},
      {"host_too_long", "http://" + std::string(256, 'a') + "/", "!bad host name"},
      {"host_max", "http://" + std::string(255, 'a') + "/", "http|" + std::string(255, 'a') + "|80|/|-"},
  };
  for (const UrlCase& c : cases) {
    SCOPED_TRACE(c.label);
    UrlError error;
    std::optional<Url> url = parse_copy(c.input, &error);
    EXPECT_EQ(describe(url, error), c.want);
    if (url) {
      UrlError again_error;
      std::optional<Url> again = parse_copy(url->to_string(), &again_error);
      ASSERT_TRUE(again.has_value()) << url->to_string() << ": " << again_error.reason;
      EXPECT_EQ(*again, *url) << url->to_string();
    }
  }
}

// The splitter names the pieces as written; parse_url() is the one that checks them.
TEST(Url_Split, Table) {
  struct Case {
    const char* input;
    const char* want;  // "scheme|userinfo|host|port|rest" with [] around a bracketed host, or "!"
  };
  const Case cases[] = {
      {"http://h", "http||h||"},
      {"HTTPS://User:pw@Host.Example:8443/a?b#c", "HTTPS|User:pw@|Host.Example|:8443|/a?b#c"},
      {"http://[::1]:81/x", "http||[::1]|:81|/x"},
      {"http://[::1]/x", "http||[::1]||/x"},
      {"http://h:/p", "http||h|:|/p"},
      {"http://h:99999", "http||h|:99999|"},  // shape only: parse_port refuses it
      {"ftp://a@b@c/", "ftp|a@b@|c||/"},       // the last '@' ends the userinfo
      {"http://h#frag", "http||h||#frag"},
      {"http://", "http||||"},
      {"http://[::1", "!"},
      {"http://[::1]x/", "!"},
      {"http:/h", "!"},
      {"//h/p", "!"},
      {"", "!"},
  };
  for (const Case& c : cases) {
    const std::optional<UrlParts> u = split_url(c.input);
    std::string got = "!";
    if (u) {
      const std::string host = u->bracketed ? "[" + std::string(u->host) + "]" : std::string(u->host);
      got = std::string(u->scheme) + "|" + (u->has_userinfo ? std::string(u->userinfo) + "@" : "") +
            "|" + host + "|" + (u->has_port ? ":" + std::string(u->port) : "") + "|" +
            std::string(u->rest);
    }
    EXPECT_EQ(got, c.want) << c.input;
  }
}

TEST(Url_Port, DigitsOneTo65535Only) {
  EXPECT_EQ(parse_port("1"), 1);
  EXPECT_EQ(parse_port("65535"), 65535);
  EXPECT_EQ(parse_port("00080"), 80);
  EXPECT_FALSE(parse_port("0"));
  EXPECT_FALSE(parse_port("65536"));
  EXPECT_FALSE(parse_port("123456"));
  EXPECT_FALSE(parse_port(""));
  EXPECT_FALSE(parse_port("8a"));
  EXPECT_FALSE(parse_port("-1"));
  EXPECT_EQ(default_port("http"), 80);
  EXPECT_EQ(default_port("https"), 443);
  EXPECT_EQ(default_port("ftp"), 0);
}

TEST(Url_HostHeader, BracketsAndNonDefaultPortOnly) {
  EXPECT_EQ(parse_url("http://h:80/")->host_header(), "h");
  EXPECT_EQ(parse_url("https://h:80/")->host_header(), "h:80");
  EXPECT_EQ(parse_url("http://[::1]:8080/")->host_header(), "[::1]:8080");
  EXPECT_EQ(parse_url("https://[::1]/")->host_header(), "[::1]");
  EXPECT_EQ(parse_url("HTTPS://H:443")->to_string(), "https://h/");
  EXPECT_TRUE(parse_url("https://h/")->is_tls());
  EXPECT_FALSE(parse_url("http://h/")->is_tls());
}

TEST(Url_PoolKey, SchemeHostAndAlwaysThePort) {
  EXPECT_EQ(parse_url("http://h/")->pool_key(), "http://h:80");
  EXPECT_EQ(parse_url("HTTPS://Example.COM/x?y")->pool_key(), "https://example.com:443");
  EXPECT_EQ(parse_url("http://127.0.0.1:65535/")->pool_key(), "http://127.0.0.1:65535");
  EXPECT_EQ(parse_url("https://[::1]:8443/")->pool_key(), "https://::1:8443");
  EXPECT_EQ(parse_url("http://h:1/")->pool_key(), "http://h:1");
  const std::string longest = "http://" + std::string(200, 'a') + ".example:12345";
  EXPECT_EQ(parse_url(longest + "/")->pool_key(), longest);
}

TEST(Url_Resolve, Table) {
  const Url base = *parse_url("http://a.test:8080/b/c/d;p?q");
  struct Ref {
    const char* reference;
    const char* want;  // absolute result, or "!reason"
  };
  // RFC 3986 section 5.4 examples (those in our http/https subset).
  const std::vector<Ref> refs = {
      {"g", "http://a.test:8080/b/c/g"},
      {"./g", "http://a.test:8080/b/c/g"},
      {"g/", "http://a.test:8080/b/c/g/"},
      {"/g", "http://a.test:8080/g"},
      {"//g", "http://g/"},
      {"//g:81/x", "http://g:81/x"},
      {"?y", "http://a.test:8080/b/c/d;p?y"},
      {"g?y", "http://a.test:8080/b/c/g?y"},
      {"#s", "http://a.test:8080/b/c/d;p?q"},
      {"g#s", "http://a.test:8080/b/c/g"},
      {";x", "http://a.test:8080/b/c/;x"},
      {"", "http://a.test:8080/b/c/d;p?q"},
      {".", "http://a.test:8080/b/c/"},
      {"./", "http://a.test:8080/b/c/"},
      {"..", "http://a.test:8080/b/"},
      {"../g", "http://a.test:8080/b/g"},
      {"../..", "http://a.test:8080/"},
      {"../../g", "http://a.test:8080/g"},
      {"../../../g", "http://a.test:8080/g"},
      {"/./g", "http://a.test:8080/g"},
      {"/../g", "http://a.test:8080/g"},
      {"g.", "http://a.test:8080/b/c/g."},
      {"..g", "http://a.test:8080/b/c/..g"},
      {"./g/.", "http://a.test:8080/b/c/g/"},
      {"g;x=1/../y", "http://a.test:8080/b/c/y"},
      {"g?y/./x", "http://a.test:8080/b/c/g?y/./x"},
      {"https://other.test/z", "https://other.test/z"},
      {"HTTP://Other.Test", "http://other.test/"},
      {"ftp://x/", "!unsupported scheme"},
      {"mailto:x@y", "!unsupported scheme"},
      {"http:g", "!not an absolute URL"},
      {"a b", "!invalid character in URL"},
      {"//user@h/", "!userinfo is not supported"},
      {"//[::1]:9/", "http://[::1]:9/"},
  };
  for (const Ref& r : refs) {
    SCOPED_TRACE(r.reference);
    std::string text = r.reference;
    std::unique_ptr<char[]> copy(new char[text.size()]);
    std::copy_n(text.data(), text.size(), copy.get());
    UrlError error;
    std::optional<Url> got = resolve_reference(base, std::string_view(copy.get(), text.size()), &error);
    EXPECT_EQ(got ? got->to_string() : "!" + error.reason, r.want);
  }
  // A base with an IPv6 host and a non-default port keeps both.
  Url v6 = *parse_url("https://[::1]:444/dir/x");
  EXPECT_EQ(resolve_reference(v6, "y")->to_string(), "https://[::1]:444/dir/y");
}

}  // namespace
}  // namespace ms::http
