// SPDX-License-Identifier: MIT
#include "request_writer.hpp"
#include "http/ascii.hpp"

#include <algorithm>
#include <cstdio>

namespace ms {

namespace {


bool safe_line(std::string_view line) {
  return line.find('\r') == std::string_view::npos && line.find('\n') == std::string_view::npos;
}

// The header name of an application line ("Name: v", "Name:", "Name;"); empty if none.
std::string_view header_name(std::string_view line) {
  const auto end = line.find_first_of(":;");
  if (end == std::string_view::npos || end == 0) return {};
  return line.substr(0, end);
}

// True when the application's list names this header (replacing or removing it).
bool overridden(const ms_slist* list, std::string_view name) {
  for (; list; list = list->next) {
    if (!list->data || !safe_line(list->data)) continue;
    std::string_view line(list->data);
    const auto n = header_name(line);
    if (!n.empty() && line[n.size()] == ':' && http::ascii_iequals(n, name)) return true;
  }
  return false;
}

void add(std::string& out, std::string_view name, std::string_view value) {
  out.append(name).append(": ").append(value).append("\r\n");
}

}  // namespace

bool header_overridden(const ms_slist* list, std::string_view name) { return overridden(list, name); }

void write_request(const RequestSpec& spec, std::string& out) {
  out.append(spec.method).append(" ").append(spec.url->target).append(spec.http10 ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n");
  const ms_slist* extra = spec.extra_headers;
  if (!overridden(extra, "Host")) add(out, "Host", spec.url->host_header());
  if (!spec.user_agent.empty() && !overridden(extra, "User-Agent"))
    add(out, "User-Agent", spec.user_agent);
  if (!overridden(extra, "Accept")) add(out, "Accept", "*/*");
  if (spec.referer && safe_line(*spec.referer) && !overridden(extra, "Referer")) add(out, "Referer", *spec.referer);
  if (spec.body) {
    if (!overridden(extra, "Content-Length")) {
      char n[32];
      std::snprintf(n, sizeof n, "%zu", spec.body->size());
      add(out, "Content-Length", n);
    }
    if (!overridden(extra, "Content-Type")) add(out, "Content-Type", "application/x-www-form-urlencoded");
  }
  if (spec.upload_size) {
    if (*spec.upload_size >= 0) {
      if (!overridden(extra, "Content-Length")) {
        char n[32];
        std::snprintf(n, sizeof n, "%lld", *spec.upload_size);
        add(out, "Content-Length", n);
      }
    } else if (!overridden(extra, "Transfer-Encoding")) {
      add(out, "Transfer-Encoding", "chunked");
    }
  }
  if (spec.expect_continue && !overridden(extra, "Expect")) add(out, "Expect", "100-continue");
  for (; extra; extra = extra->next) {
    if (!extra->data || !safe_line(extra->data)) continue;
    std::string_view line(extra->data);
    const auto name = header_name(line);
    if (name.empty()) continue;
    std::string_view rest = line.substr(name.size() + 1);
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
    if (line[name.size()] == ';') {
      if (rest.empty()) out.append(name).append(":\r\n");  // "Name;" -> empty value
      continue;
    }
    if (rest.empty()) continue;  // "Name:" only removes the built-in
    out.append(line).append("\r\n");
  }
  out.append("\r\n");
  if (spec.body) out.append(*spec.body);
}

std::vector<H2Field> h2_fields(std::string_view head, std::string_view scheme) {
  static constexpr std::string_view kDropped[] = {"host", "connection", "keep-alive", "proxy-connection",
                                                  "transfer-encoding", "upgrade", "expect", "te"};
  std::vector<H2Field> out;
  const auto line_end = head.find("\r\n");
  const std::string_view request_line = head.substr(0, line_end);
  const auto sp1 = request_line.find(' ');
  const auto sp2 = request_line.rfind(' ');
  out.push_back({":method", std::string(request_line.substr(0, sp1))});
  out.push_back({":scheme", std::string(scheme)});
  out.push_back({":authority", {}});
  out.push_back({":path", std::string(request_line.substr(sp1 + 1, sp2 - sp1 - 1))});
  std::size_t at = line_end == std::string_view::npos ? head.size() : line_end + 2;
  while (at < head.size()) {
    const auto end = head.find("\r\n", at);
    const std::string_view line = head.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
    at = end == std::string_view::npos ? head.size() : end + 2;
    if (line.empty()) break;  // the end of the head
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) continue;
    std::string name(line.substr(0, colon));
    for (char& c : name) c = http::ascii_lower(c);
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && http::is_ows(value.front())) value.remove_prefix(1);
    if (name == "host") out[2].value.assign(value);
    if (std::find(std::begin(kDropped), std::end(kDropped), name) != std::end(kDropped)) continue;
    out.push_back({std::move(name), std::string(value)});
  }
  return out;
}

}  // namespace ms
