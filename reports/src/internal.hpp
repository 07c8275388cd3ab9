// SPDX-License-Identifier: MIT
// internal.hpp: helpers shared by the writers (not part of the library's interface).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reports/reports.hpp"

namespace ms::reports::detail {

// Escapes for XML/HTML text and attribute values alike (& < > " '); invalid UTF-8 and
// characters XML 1.0 forbids become visible \xNN escapes, so the output is always valid.
std::string escape_markup(std::string_view s);


// Index of a group in kGroups, or the number of groups for any other group.
int group_rank(std::string_view group);

// A trace event object with the defaults of trace.hpp filled in for omitted keys.
struct Event {
  std::string kind;
  std::int64_t time_ns = 0;
  std::string easy;  // "" = none
  int fd = -1;
  int mask = 0;
  int action = 0;
  std::string socketp;  // "" = NULL
  int result = 0;
  int running = -1;
  long long value = 0;
  int code = 0;
  std::string text;
};
Event read_event(const json& j);

// One-line human description of an event ("socket_cb fd=5 IN e1").
std::string describe(const Event& e);
std::string mask_name(int mask);
std::string action_name(int action);
bool is_api_call(std::string_view kind);

// "1.500 s", "12 ms", "340 us" for a nanosecond count.
std::string format_ns(std::int64_t ns);

// The writers' text of reports already checked (require_valid): each public writer checks
// its input first, and write_report_files checks once for the three.
std::string json_text_checked(const json& report);
std::string junit_text_checked(const std::vector<const json*>& reports);
std::string html_text_checked(std::vector<json>&& reports);  // sorts them in place

// The report in canonical order (canonicalize): the report itself when it already is, as
// one the CLI built is, else a sorted copy made in `copy`.
const json& canonical(const json& report, std::optional<json>& copy);

// A string member or a default, never throwing.
std::string str_or(const json& j, const char* key, std::string fallback = "");
long long int_or(const json& j, const char* key, long long fallback = 0);
// A seed (an integer in [0, 2^64-1]) or the fallback.
std::uint64_t seed_or(const json& j, const char* key, std::uint64_t fallback = 0);
// A report's seeds as people read them: runs of consecutive seeds as ranges, in order
// ("1-1000000", "7, 9-12"), so a sweep of a million seeds is one short line.
std::string seeds_text(const json& seeds);

// The column label of each report's target, made unique when names repeat.
std::vector<std::string> target_labels(const std::vector<json>& reports);

}  // namespace ms::reports::detail
