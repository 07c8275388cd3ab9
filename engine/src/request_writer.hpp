// SPDX-License-Identifier: MIT
// request_writer.hpp: the bytes of one HTTP/1.1 (or 1.0) request.
//
// Built-in headers (Host, User-Agent when set, Accept, Referer when set, Content-Length and Content-Type for
// a body) come first; the application's MSOPT_HTTPHEADER lines follow in their order.
// An application line "Name: value" replaces the built-in of that name, "Name:" removes
// it, "Name;" sends the header with an empty value. Lines holding CR or LF are dropped so
// that a header can never smuggle a second request.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/url.hpp"
#include "multisock/multisock.h"

namespace ms {

struct RequestSpec {
  std::string_view method = "GET";
  const http::Url* url = nullptr;
  std::string_view user_agent;            // empty: no User-Agent header
  const ms_slist* extra_headers = nullptr;
  std::optional<std::string_view> body;   // POST body; sets Content-Length
  // An upload whose body follows the head separately (read callback): its size, or -1
  // for unknown, which sends it chunked.
  std::optional<long long> upload_size;
  bool expect_continue = false;           // adds "Expect: 100-continue"
  std::optional<std::string_view> referer;  // adds "Referer:" (MSOPT_REFERER)
  bool http10 = false;                    // request line says HTTP/1.0
};

// True when the application's MSOPT_HTTPHEADER list replaces or removes header `name`.
bool header_overridden(const ms_slist* list, std::string_view name);

// Appends the request (head and body) to out.
void write_request(const RequestSpec& spec, std::string& out);

// The same request as HTTP/2 fields: the pseudo-headers (:method, :scheme, :authority from
// Host, :path), then the head's other headers with lowercase names, without those HTTP/2
// forbids (connection-specific ones, Transfer-Encoding, Expect). head is what
// write_request() wrote (its body, if any, is ignored).
struct H2Field {
  std::string name;
  std::string value;
};
std::vector<H2Field> h2_fields(std::string_view head, std::string_view scheme);

}  // namespace ms
