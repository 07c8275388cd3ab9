// SPDX-License-Identifier: MIT
// report_reader_fuzzer: any bytes given to the report reader give a report or a clear
// error, never a crash; and whatever is read goes through every writer of ms_reports.
//
// Here's how it works. The input is one report's text, or two separated by the byte 0x1E
// (no JSON text holds it raw, so a real report is never split). Each text goes through
// parse_report() (what `multisock report` reads files with). It must either throw
// ReportError with a one-line first line that starts with the text's name, or return a
// report that validate() accepts. A report read is then:
//   - written back (canonical JSON) and read again: the same report, the same bytes;
//   - made into JUnit XML, HTML and the Markdown matrix, and diffed with itself (no
//     change, not regressed);
//   - merged alone: a valid report that round-trips too.
// Two reports read are diffed, merged (a valid report or a ReportError: they may be of
// different runs), and written together as HTML, JUnit and matrix. Text outputs (diff,
// matrix) hold no control character but the newline; XML and HTML none that XML 1.0
// forbids. Any other exception escapes and is a crash.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "reports/reports.hpp"

namespace {

namespace rep = ms::reports;
using rep::json;

#define FUZZ_CHECK(cond)                                               \
  do {                                                                 \
    if (!(cond)) {                                                     \
      std::fprintf(stderr, "report_reader_fuzzer: %s failed\n", #cond); \
      std::abort();                                                    \
    }                                                                  \
  } while (0)

// No C0 control character (nor DEL in text for a terminal) but the ones allowed.
bool controls_only(std::string_view text, std::string_view allowed, bool del_allowed = false) {
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c < 0x20 || (c == 0x7F && !del_allowed)) && allowed.find(ch) == std::string_view::npos) return false;
  }
  return true;
}

// A report or nothing; a ReportError names the text on its first line.
bool read(std::string_view text, const char* name, json& out) {
  try {
    out = rep::parse_report(text, name);
  } catch (const rep::ReportError& e) {
    const std::string_view msg = e.what();
    const std::string_view first = msg.substr(0, msg.find('\n'));
    FUZZ_CHECK(first.rfind(name, 0) == 0 && first.size() > std::string_view(name).size());
    FUZZ_CHECK(controls_only(first, ""));
    return false;
  }
  FUZZ_CHECK(rep::validate(out).empty());
  return true;
}

// Written as canonical JSON and read back: the same report, and the same bytes again.
void round_trip(const json& report) {
  json canonical = report;
  rep::canonicalize(canonical);
  const std::string text = rep::to_json_text(canonical);
  json again;
  if (!read(text, "written.json", again)) {
    std::fprintf(stderr, "a written report does not read back:\n%s\n", text.substr(0, 4000).c_str());
    std::abort();
  }
  FUZZ_CHECK(again == canonical);
  FUZZ_CHECK(rep::to_json_text(again) == text);
}

void outputs(const std::vector<json>& reports) {
  const std::string xml = rep::to_junit(reports);
  // XML 1.0 has DEL but forbids the other C0 characters.
  FUZZ_CHECK(controls_only(xml, "\t\n\r", true));
  const std::string html = rep::to_html(reports);
  FUZZ_CHECK(controls_only(html, "\t\n\r", true));
  FUZZ_CHECK(controls_only(rep::matrix_markdown(reports), "\n"));
}

void one(const json& r) {
  round_trip(r);
  outputs({r});
  const rep::Diff same = rep::diff(r, r);
  FUZZ_CHECK(!same.regressed && same.changed.empty() && same.new_violations.empty() &&
             same.fixed_violations.empty() && same.scenarios_changed.empty());
  FUZZ_CHECK(controls_only(same.to_text(), "\n"));
  const json merged = rep::merge({r});
  FUZZ_CHECK(rep::validate(merged).empty());
  round_trip(merged);
}

void two(const json& a, const json& b) {
  const rep::Diff d = rep::diff(a, b);
  FUZZ_CHECK(controls_only(d.to_text(), "\n"));
  (void)d.to_json().dump(-1, ' ', false, json::error_handler_t::replace);
  outputs({a, b});
  json merged;
  try {
    merged = rep::merge({a, b}, {"a.json", "b.json"});
  } catch (const rep::ReportError& e) {
    FUZZ_CHECK(std::string_view(e.what()).rfind("merge: ", 0) == 0);
    return;
  }
  FUZZ_CHECK(rep::validate(merged).empty());
  round_trip(merged);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t cut = input.find('\x1e');
  json a, b;
  const bool have_a = read(input.substr(0, cut), "a.json", a);
  if (have_a) one(a);
  if (cut == std::string_view::npos) return 0;
  const bool have_b = read(input.substr(cut + 1), "b.json", b);
  if (have_b) one(b);
  if (have_a && have_b) two(a, b);
  return 0;
}
