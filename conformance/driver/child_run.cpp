// SPDX-License-Identifier: MIT
// child_run.cpp: the child's answer, and the verdict of a child that gave none.
#include "child_run.hpp"

#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <stdexcept>

#include "simnet/library_heap.hpp"
#include "simnet/text.hpp"

namespace ms::conf {

void put(std::string& out, const std::string& key, const std::string& value) {
  out += key + " " + std::to_string(value.size()) + "\n" + value;
}

std::string numbers_text(const std::vector<std::uint64_t>& v) {
  std::string s;
  s.reserve(v.size() * 4);
  char digits[24];
  for (std::uint64_t x : v) {
    if (!s.empty()) s += ' ';
    s.append(digits, std::to_chars(digits, digits + sizeof digits, x).ptr);
  }
  return s;
}

// In place: a run of a library under the chaos policy makes hundreds of thousands of
// choices, and reading each from a copy of the rest of the text took tens of seconds.
std::vector<std::uint64_t> numbers(const std::string& s) {
  std::vector<std::uint64_t> v;
  const char* at = s.data();
  const char* const end = at + s.size();
  while (at < end) {
    std::uint64_t x = 0;
    const auto [next, ec] = std::from_chars(at, end, x);
    if (ec == std::errc::result_out_of_range)
      throw std::out_of_range("number " + std::to_string(v.size() + 1) + " of the list is past 2^64-1");
    if (ec != std::errc())
      throw std::invalid_argument("item " + std::to_string(v.size() + 1) + " of the list is not a number");
    v.push_back(x);
    at = next;
    while (at < end && *at == ' ') ++at;
  }
  return v;
}

std::string encode(const ChildRun& r) {
  std::string out;
  put(out, "skipped", r.skipped);
  put(out, "setup_error", r.setup_error);
  put(out, "harness_error", r.run.harness_error);
  put(out, "trace", r.run.trace.to_jsonl());
  put(out, "stalled", r.run.stalled ? "1" : "0");
  put(out, "hit_time_limit", r.run.hit_time_limit ? "1" : "0");
  put(out, "hit_call_limit", r.run.hit_call_limit ? "1" : "0");
  put(out, "api_calls", std::to_string(r.run.api_calls));
  put(out, "end_time_ns", std::to_string(r.run.end_time_ns));
  put(out, "open_after_cleanup", std::to_string(r.open_after_cleanup));
  put(out, "world_error", r.world_error);
  put(out, "choices", numbers_text(r.choices));
  put(out, "replayed_choices", r.replayed_choices ? "1" : "0");
  for (const TransferResult& t : r.run.transfers) {
    put(out, "transfer", t.id);
    put(out, "easy_id", std::to_string(t.easy_id));
    put(out, "done", t.done ? "1" : "0");
    put(out, "result", std::to_string(t.result));
    put(out, "response_code", std::to_string(t.response_code));
    put(out, "body", t.body);
    put(out, "body_bytes", std::to_string(t.body_bytes));
    put(out, "body_sha256", t.body_sha256);
    put(out, "done_at_ns", std::to_string(t.done_at_ns));
  }
  put(out, "end", "");
  return out;
}

bool next_record(const std::string& in, std::size_t& pos, std::string& key, std::string& value,
                 std::string& error) {
  const auto nl = in.find('\n', pos);
  const auto sp = in.find(' ', pos);
  std::uint64_t len = 0;
  if (nl == std::string::npos || sp == std::string::npos || sp > nl ||
      !sim::read_decimal(std::string_view(in).substr(sp + 1, nl - sp - 1), in.size(), len)) {
    error = "malformed record at byte " + std::to_string(pos);
    return false;
  }
  key = in.substr(pos, sp - pos);
  if (len > in.size() - (nl + 1)) {
    error = "truncated record '" + key + "'";
    return false;
  }
  value = in.substr(nl + 1, len);
  pos = nl + 1 + len;
  return true;
}

bool decode(const std::string& in, ChildRun& r, std::string& error) {
  ChildRun d;
  std::size_t pos = 0;
  bool ended = false;
  auto num = [](const std::string& v) { return v.empty() ? 0LL : std::stoll(v); };
  try {
    std::string key;
    std::string v;
    while (pos < in.size() && !ended) {
      if (!next_record(in, pos, key, v, error)) return false;
      TransferResult* t = d.run.transfers.empty() ? nullptr : &d.run.transfers.back();
      if (key == "skipped") d.skipped = v;
      else if (key == "setup_error") d.setup_error = v;
      else if (key == "harness_error") d.run.harness_error = v;
      else if (key == "trace") {
        if (!Trace::from_jsonl(v, d.run.trace, &error)) return false;
      }
      else if (key == "stalled") d.run.stalled = v == "1";
      else if (key == "hit_time_limit") d.run.hit_time_limit = v == "1";
      else if (key == "hit_call_limit") d.run.hit_call_limit = v == "1";
      else if (key == "api_calls") d.run.api_calls = static_cast<std::uint64_t>(num(v));
      else if (key == "end_time_ns") d.run.end_time_ns = num(v);
      else if (key == "open_after_cleanup") d.open_after_cleanup = static_cast<long>(num(v));
      else if (key == "world_error") d.world_error = v;
      else if (key == "replayed_choices") d.replayed_choices = v == "1";
      else if (key == "choices") d.choices = numbers(v);
      else if (key == "transfer") {
        d.run.transfers.emplace_back();
        d.run.transfers.back().id = v;
      }
      else if (key == "end") ended = true;
      else if (!t) {
        error = "record '" + key + "' before any transfer";
        return false;
      }
      else if (key == "easy_id") t->easy_id = static_cast<int>(num(v));
      else if (key == "done") t->done = v == "1";
      else if (key == "result") t->result = static_cast<int>(num(v));
      else if (key == "response_code") t->response_code = static_cast<long>(num(v));
      else if (key == "body") t->body = v;
      else if (key == "body_bytes") t->body_bytes = static_cast<std::uint64_t>(num(v));
      else if (key == "body_sha256") t->body_sha256 = v;
      else if (key == "done_at_ns") t->done_at_ns = num(v);
      else {
        error = "unknown record '" + key + "'";
        return false;
      }
    }
  } catch (const std::exception& e) {
    error = std::string("malformed number: ") + e.what();
    return false;
  }
  if (!ended) {
    error = "the answer ends early";
    return false;
  }
  r = std::move(d);
  return true;
}


ScenarioRun blank_run(const Scenario& scenario, const RunOptions& options) {
  ScenarioRun out;
  out.name = std::filesystem::path(scenario.file).stem().string();
  out.file = scenario.file;
  out.canary = scenario.canary;
  out.seed = options.seed.value_or(scenario.seed);
  out.expected_clauses = scenario.expect.clauses;
  out.expected_violations = scenario.expect.violations;
  out.outcome = Outcome::error;
  return out;
}

namespace {
const Driver* g_running = nullptr;  // the run LastWords tells of
bool g_in_call = false;
std::size_t g_events_before_call = 0;

// Up to where the last outermost call began: the one in progress (a hang with no call in
// progress keeps no trace: child_answered).
std::string trace_before_the_call() {
  // Host code, whatever the library was doing (a crash's handler interrupts it): this
  // allocates from the program's heap, not from the library's, whose lock it may hold.
  const sim::HostCode host;
  ChildRun r;
  const std::vector<Event>& events = g_running->trace_so_far().events;
  const std::size_t n = std::min(g_events_before_call, events.size());
  r.run.trace.events.assign(events.begin(), events.begin() + static_cast<std::ptrdiff_t>(n));
  return encode(r);
}
}  // namespace

LastWords::LastWords(const Driver& driver) {
  g_running = &driver;
  g_in_call = false;
  g_events_before_call = 0;
  isolate_last_words(&trace_before_the_call);
}

LastWords::~LastWords() {
  isolate_last_words(nullptr);
  g_running = nullptr;
}

void LastWords::call_hook(const char* call) {
  isolate_progress(call);
  if (call != nullptr && !g_in_call && g_running != nullptr)
    g_events_before_call = g_running->trace_so_far().events.size();
  g_in_call = call != nullptr;
}

void end_child_when_flooded(DriverOptions& options) {
  options.on_event_cap = [] { ::_exit(kFloodedStatus); };
}

namespace {

// A child that ended the run without an answer breaks ER-NO-CRASH: the contract promises
// every call a return code. Returns false (no answer) for child_answered.
bool no_answer(ScenarioRun& out, Outcome outcome, const std::string& message,
               const std::string& expected_observed) {
  out.outcome = outcome;
  out.message = message;
  Violation v;
  v.clause = "ER-NO-CRASH";
  v.message = expected_observed;
  out.violations.push_back(v);
  return false;
}

// A child's last words, when it gave them whole: the trace up to the call that crashed or
// never returned, whose event would come next (the violation's place).
void keep_last_words(const RunOutcome& child, ScenarioRun& out) {
  ChildRun told;
  std::string error;
  if (child.payload.empty() || !decode(child.payload, told, error) || told.run.trace.events.empty()) return;
  out.trace = std::move(told.run.trace);
  out.violations.back().event_index = out.trace.events.size();
  out.violations.back().time_ns = out.trace.events.back().time_ns;
}

}  // namespace

bool child_answered(const RunOutcome& child, const TargetSpec& target,
                    std::chrono::milliseconds limit, ScenarioRun& out) {
  switch (child.kind) {
    case RunKind::ok:
      return true;
    case RunKind::crash: {
      out.signal = child.signal;
      const std::string where = child.progress.empty() ? std::string(" outside any API call")
                                                       : " inside " + child.progress;
      no_answer(out, Outcome::crash, target.name() + " crashed with " + child.signal_name + where,
                "expected no crash, observed " + child.signal_name + where);
      if (!child.progress.empty()) keep_last_words(child, out);
      return false;
    }
    case RunKind::hang: {
      const std::string secs = std::to_string((limit.count() + 999) / 1000);
      // A call that had begun well within the limit was not the one that never returned:
      // the calls return and the run goes on (a loop the library keeps busy).
      const bool call_returns = child.progress_ms >= 0 && child.progress_ms * 2 < limit.count();
      std::string what;
      if (child.progress.empty())
        what = "the run (no API call in progress) did not end within " + secs + " s";
      else if (call_returns)
        what = "the run did not end within " + secs + " s, its calls returning (" + child.progress +
               " in progress for " + std::to_string(child.progress_ms) + " ms)";
      else
        what = "no return from " + child.progress + " within " + secs + " s";
      no_answer(out, Outcome::hang, target.name() + ": " + what + ": killed",
                "expected a return code, observed " + what);
      // (Of a run whose calls kept returning its last words would end wherever it was
      // stopped: not kept.)
      if (!call_returns && !child.progress.empty()) keep_last_words(child, out);
      return false;
    }
    case RunKind::error:
      if (child.exit_status == kFloodedStatus) {
        // As a hang: the call makes callbacks (or the run calls) without end.
        const std::string what =
            "more than " + std::to_string(kTraceEventsMax) + " events in one run" +
            (child.progress.empty() ? std::string() : ", the last inside " + child.progress);
        return no_answer(out, Outcome::hang, target.name() + ": " + what + ": stopped",
                         "expected a call to return after a bounded number of callbacks, observed " + what);
      }
      out.message = "the child failed: " + child.error +
                    (child.payload.empty() ? "" : " (" + child.payload + ")");
      return false;
  }
  return false;
}

}  // namespace ms::conf
