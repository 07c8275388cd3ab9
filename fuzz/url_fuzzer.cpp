// SPDX-License-Identifier: MIT
// url_fuzzer: parse_url() and resolve_reference() on arbitrary bytes.
//
// Input: byte 0 even -> the rest is one URL; odd -> the rest is "base\nreference".
// Invariants for every accepted URL: scheme http/https, non-empty host, port > 0, target
// starting with '/' and free of '#', space and control bytes; to_string() parses back to
// the same Url; resolving "" or the URL's own text against it gives it back.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http/url.hpp"

namespace {

#define FUZZ_CHECK(cond) \
  do {                   \
    if (!(cond)) std::abort(); \
  } while (0)

void check_url(const ms::http::Url& url) {
  FUZZ_CHECK(url.scheme == "http" || url.scheme == "https");
  FUZZ_CHECK(!url.host.empty());
  FUZZ_CHECK(url.port != 0);
  FUZZ_CHECK(!url.target.empty() && url.target[0] == '/');
  for (char ch : url.target) {
    auto c = static_cast<unsigned char>(ch);
    FUZZ_CHECK(c > 0x20 && c < 0x7f && c != '#');
  }
  std::string text = url.to_string();
  std::optional<ms::http::Url> again = ms::http::parse_url(text);
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(*again == url);
  FUZZ_CHECK(again->to_string() == text);
  std::optional<ms::http::Url> same = ms::http::resolve_reference(url, "");
  FUZZ_CHECK(same.has_value() && *same == url);
  std::optional<ms::http::Url> self = ms::http::resolve_reference(url, text);
  FUZZ_CHECK(self.has_value() && *self == url);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  ms::http::UrlError error;
  if ((data[0] & 1) == 0) {
    std::optional<ms::http::Url> url = ms::http::parse_url(input, &error);
    if (url) check_url(*url);
    else FUZZ_CHECK(!error.reason.empty());
    return 0;
  }
  std::size_t nl = input.find('\n');
  if (nl == std::string_view::npos) return 0;
  std::optional<ms::http::Url> base = ms::http::parse_url(input.substr(0, nl));
  if (!base) return 0;
  check_url(*base);
  std::optional<ms::http::Url> resolved =
      ms::http::resolve_reference(*base, input.substr(nl + 1), &error);
  if (resolved) check_url(*resolved);
  else FUZZ_CHECK(!error.reason.empty());
  return 0;
}
