// SPDX-License-Identifier: MIT
// scenario.cpp: the scenario file parser (format: conformance/SCENARIOS.md; the writer is
// scenario_format.cpp).
//
// How it works: the file is split into lines; a line that starts in column 1 is a header
// line or opens a block (peer, client, expect); indented lines belong to the open block.
// Each line is cut into tokens (bare words, or "quoted strings" with escapes), each token
// remembering its column, so every error points at the token at fault. Cross-references
// (ids, hosts, peers) are checked after the whole file is read, at the line that refers.
#include "conformance/scenario.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <unordered_map>

#include "conformance/clauses.hpp"
#include "conformance/codes.hpp"
#include "multisock/multisock.h"

#include "http/url.hpp"
#include "simnet/peer_script.hpp"
#include "simnet/text.hpp"

namespace ms::conf {
namespace {

using Token = ms::sim::TextToken;

struct Failure {
  int line;
  int column;
  std::string reason;
};

// Thrown only inside this file, caught in parse_scenario: keeps the many checks short.
[[noreturn]] void fail(int line, int column, std::string reason) {
  throw Failure{line, column, std::move(reason)};
}

// One line's tokens: simnet's lexer (text.hpp), the one reader of scenario and peer text.
std::vector<Token> tokenize(const std::string& line, int line_no) {
  std::vector<Token> out;
  ms::sim::TextError err;
  if (!ms::sim::lex_line(line, ms::sim::Tabs::refused, out, err)) fail(line_no, err.column, err.reason);
  return out;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::int64_t parse_uint(const Token& t, int line, std::int64_t max, const char* what) {
  std::uint64_t v = 0;
  if (t.quoted || !all_digits(t.text)) {
    fail(line, t.column, std::string("bad number for ") + what + ": \"" + t.text + "\"");
  }
  if (!ms::sim::read_decimal(t.text, static_cast<std::uint64_t>(max), v))
    fail(line, t.column, std::string(what) + " too large: " + t.text);
  return static_cast<std::int64_t>(v);
}

// "250ms", "2s", "10us", "5ns", or "0" (simnet's read_duration, the one reader).
std::int64_t parse_duration_token(const Token& t, int line, const char* what) {
  const std::string& s = t.text;
  // Ten years of virtual time is plenty; the bound keeps sums far from overflow.
  constexpr std::int64_t kMaxNs = 10LL * 365 * 24 * 3600 * 1000000000;
  ms::sim::Nanos v{0};
  const ms::sim::DurationProblem problem =
      t.quoted ? ms::sim::DurationProblem::not_a_number
               : ms::sim::read_duration(s, ms::sim::Nanos(kMaxNs), v);
  switch (problem) {
    case ms::sim::DurationProblem::none: return v.count();
    case ms::sim::DurationProblem::not_a_number:
      fail(line, t.column, std::string("bad duration for ") + what + ": \"" + s + "\"");
    case ms::sim::DurationProblem::needs_unit:
      fail(line, t.column, std::string("duration for ") + what + " needs a unit (ns, us, ms, s): \"" + s + "\"");
    case ms::sim::DurationProblem::too_large:
      fail(line, t.column, std::string("duration for ") + what + " too large: " + s);
    case ms::sim::DurationProblem::unknown_unit: break;
  }
  const std::size_t digits = s.find_first_not_of("0123456789");
  fail(line, t.column + static_cast<int>(digits), "unknown time unit \"" + s.substr(digits) + "\" (ns, us, ms, s)");
}

double parse_probability(const Token& t, int line) {
  const std::string& s = t.text;
  bool dot = false, digit = false;
  for (char c : s) {
    if (c == '.' && !dot) {
      dot = true;
    } else if (c >= '0' && c <= '9') {
      digit = true;
    } else {
      fail(line, t.column, "bad probability \"" + s + "\" (a decimal in 0..1)");
    }
  }
  if (t.quoted || !digit) fail(line, t.column, "bad probability \"" + s + "\"");
  double v = std::strtod(s.c_str(), nullptr);
  if (v > 1.0) fail(line, t.column, "probability above 1: " + s);
  return v;
}

bool ipv4_loopback(std::string_view a) {
  int parts = 0;
  std::size_t i = 0;
  int first = -1;
  while (i <= a.size()) {
    std::size_t j = a.find('.', i);
    if (j == std::string_view::npos) j = a.size();
    std::string_view p = a.substr(i, j - i);
    std::uint64_t v = 0;
    if (p.size() > 3 || !ms::sim::read_decimal(p, 255, v)) return false;
    if (parts == 0) first = static_cast<int>(v);
    ++parts;
    i = j + 1;
  }
  return parts == 4 && first == 127;
}

bool is_ip_literal(std::string_view a) {
  if (a == "::1" || a.find(':') != std::string_view::npos) return true;
  return !a.empty() && std::all_of(a.begin(), a.end(), [](char c) {
    return c == '.' || (c >= '0' && c <= '9');
  });
}

void require_loopback(const std::string& a, int line, int column) {
  if (a == "::1" || ipv4_loopback(a)) return;
  fail(line, column, "address " + a + " is outside loopback (127.0.0.0/8 or ::1)");
}

// ADDR:PORT, with [::1]:PORT for IPv6.
void split_addr_port(const Token& t, int line, std::string& addr, int& port) {
  const std::string& s = t.text;
  std::size_t colon;
  if (!s.empty() && s[0] == '[') {
    std::size_t close = s.find(']');
    if (close == std::string::npos || close + 1 >= s.size() || s[close + 1] != ':') {
      fail(line, t.column, "expected [ADDR]:PORT, got \"" + s + "\"");
    }
    addr = s.substr(1, close - 1);
    colon = close + 1;
  } else {
    colon = s.rfind(':');
    if (colon == std::string::npos) fail(line, t.column, "expected ADDR:PORT, got \"" + s + "\"");
    addr = s.substr(0, colon);
  }
  std::string p = s.substr(colon + 1);
  const std::optional<std::uint16_t> number = ms::http::parse_port(p);
  if (!number) fail(line, t.column + static_cast<int>(colon) + 1, "bad port \"" + p + "\"");
  port = *number;
  require_loopback(addr, line, t.column);
}

struct Url {
  std::string host;
  int port = 0;
};

// A scenario's URL: http:// or https:// and a host, read by the engine's URL splitter
// (http/url.hpp), so a scenario and the engine agree on where the host and port are.
Url parse_url(const Token& t, int line) {
  const std::string& s = t.text;
  if (s.rfind("http://", 0) != 0 && s.rfind("https://", 0) != 0)
    fail(line, t.column, "URL must start with http:// or https://: \"" + s + "\"");
  const std::optional<ms::http::UrlParts> parts = ms::http::split_url(s);
  if (!parts) fail(line, t.column, "bad URL host in \"" + s + "\"");
  Url u;
  u.host = std::string(parts->host);
  u.port = ms::http::default_port(parts->scheme);
  if (parts->has_port) {
    const std::optional<std::uint16_t> port = ms::http::parse_port(parts->port);
    if (!port) fail(line, t.column, "bad port in URL: \"" + std::string(parts->port) + "\"");
    u.port = *port;
  }
  if (u.host.empty()) fail(line, t.column, "URL without a host: \"" + s + "\"");
  return u;
}

// A whole-line context: tokens plus position helpers.
struct Line {
  int no = 0;
  std::vector<Token> toks;
  const Token& at(std::size_t i, const char* what) const {
    if (i >= toks.size()) {
      int col = toks.empty() ? 1 : toks.back().column + static_cast<int>(toks.back().text.size());
      fail(no, col, std::string("missing ") + what);
    }
    return toks[i];
  }
};

class Parser {
 public:
  Parser(std::string_view text, Scenario& out) : out_(out) {
    std::size_t start = 0;
    while (start <= text.size()) {
      std::size_t nl = text.find('\n', start);
      std::string l(text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start));
      if (!l.empty() && l.back() == '\r') l.pop_back();
      lines_.push_back(std::move(l));
      if (nl == std::string_view::npos) break;
      start = nl + 1;
    }
  }

  void run() {
    for (std::size_t k = 0; k < lines_.size(); ++k) {
      const std::string& raw = lines_[k];
      if (const auto nul = raw.find('\0'); nul != std::string::npos)
        fail(static_cast<int>(k) + 1, static_cast<int>(nul) + 1, "a NUL byte");
      const auto indent = raw.find_first_not_of(" \t");
      if (const auto tab = raw.find('\t'); tab != std::string::npos && tab < indent)
        fail(static_cast<int>(k) + 1, static_cast<int>(tab) + 1, "a tab in the indentation (indent with spaces)");
    }
    std::size_t i = 0;
    // Leading comments describe the scenario.
    while (i < lines_.size() && first_char(lines_[i]) == '#') {
      std::string c = lines_[i].substr(lines_[i].find('#') + 1);
      if (!c.empty() && c[0] == ' ') c.erase(0, 1);
      if (!out_.description.empty()) out_.description += '\n';
      out_.description += c;
      ++i;
    }
    while (i < lines_.size()) {
      const std::string& raw = lines_[i];
      int no = static_cast<int>(i) + 1;
      char c = first_char(raw);
      if (c == '\0' || c == '#') {
        ++i;
        continue;
      }
      if (raw[0] == ' ' || raw[0] == '\t') {
        fail(no, 1, "indented line outside a block (peer, client or expect)");
      }
      Line l{no, tokenize(raw, no)};
      std::size_t block_end = block_after(i);
      const std::string& kw = l.toks[0].text;
      if (kw == "peer") {
        header_peer(l, i + 1, block_end);
        i = block_end;
        continue;
      }
      if (kw == "client" || kw == "expect") {
        if (l.toks.size() > 1) fail(no, l.toks[1].column, "\"" + kw + "\" takes no argument");
        if (!seen_blocks_.insert(kw).second) fail(no, 1, "second \"" + kw + "\" block");
        // A step per line at most: made once, not grown (a step is large; a 2,000-line
        // client block otherwise moves its steps a dozen times into fresh memory).
        if (kw == "client") out_.client.reserve(block_end - i - 1);
        for (std::size_t j = i + 1; j < block_end; ++j) {
          char bc = first_char(lines_[j]);
          if (bc == '\0' || bc == '#') continue;
          Line bl{static_cast<int>(j) + 1, tokenize(lines_[j], static_cast<int>(j) + 1)};
          if (kw == "client") {
            client_line(bl);
          } else {
            expect_line(bl);
          }
        }
        i = block_end;
        continue;
      }
      if (block_end != i + 1) {
        fail(no + 1, 1, "indented line after \"" + kw + "\", which opens no block");
      }
      header_line(l);
      ++i;
    }
    if (!seen_blocks_.count("client"))
      fail(1, 1, "no \"client\" block: a scenario needs steps to run");
    cross_check();
  }

 private:
  static char first_char(const std::string& s) {
    std::size_t p = s.find_first_not_of(' ');
    return p == std::string::npos ? '\0' : s[p];
  }

  // Index one past the block that follows line i (indented, blank or comment lines).
  std::size_t block_after(std::size_t i) const {
    std::size_t last = i;
    for (std::size_t j = i + 1; j < lines_.size(); ++j) {
      const std::string& l = lines_[j];
      char c = first_char(l);
      if (c == '\0' || c == '#') continue;
      if (l[0] != ' ' && l[0] != '\t') break;
      last = j;
    }
    return last + 1;
  }

  void no_more(const Line& l, std::size_t n) {
    if (l.toks.size() > n) {
      fail(l.no, l.toks[n].column, "unexpected \"" + l.toks[n].text + "\"");
    }
  }

  void header_line(const Line& l) {
    const Token& kw = l.toks[0];
    if (kw.text == "seed") {
      if (seed_line_) fail(l.no, kw.column, "second seed line (first at line " + std::to_string(seed_line_) + ")");
      seed_line_ = l.no;
      const Token& v = l.at(1, "seed value");
      if (v.quoted || !all_digits(v.text)) fail(l.no, v.column, "bad seed \"" + v.text + "\"");
      if (!ms::sim::read_decimal(v.text, UINT64_MAX, out_.seed)) fail(l.no, v.column, "seed above 2^64-1");
      no_more(l, 2);
    } else if (kw.text == "policy") {
      PolicySpec p;
      p.name = l.at(1, "policy name").text;
      for (std::size_t k = 2; k < l.toks.size(); ++k) p.args.push_back(l.toks[k].text);
      if (out_.is_mutant_line(p) && p.args.size() != 1)
        fail(l.no, l.toks[1].column, "policy mutant takes one mutant name");
      // A policy's argument (but `mutant NAME`'s) is a probability.
      if (!out_.is_mutant_line(p) && !p.args.empty()) {
        const Token& v = l.toks[2];
        char* end = nullptr;
        const double d = std::strtod(v.text.c_str(), &end);
        // A number must be a probability (1e308 and nan are not); other words are the
        // driver's to judge.
        if (!v.text.empty() && end != nullptr && *end == '\0' && !(d >= 0.0 && d <= 1.0))
          fail(l.no, v.column, "policy " + p.name + ": probability must be a number in [0, 1], not \"" + v.text + "\"");
      }
      p.line = l.no;
      out_.policies.push_back(std::move(p));
    } else if (kw.text == "title") {
      const Token& v = l.at(1, "title text");
      if (v.quoted) {
        out_.title = v.text;
        no_more(l, 2);
      } else {
        std::string raw = lines_[l.no - 1];
        out_.title = raw.substr(static_cast<std::size_t>(v.column) - 1);
        while (!out_.title.empty() && out_.title.back() == ' ') out_.title.pop_back();
      }
    } else if (kw.text == "canary") {
      no_more(l, 1);
      out_.canary = true;
    } else if (kw.text == "choices") {
      choices_line(l);
    } else if (kw.text == "world") {
      world_line(l);
    } else if (kw.text == "dns") {
      dns_line(l);
    } else if (kw.text == "multi") {
      multi_line(l);
    } else {
      fail(l.no, kw.column, "unknown keyword \"" + kw.text + "\"");
    }
  }

  // "choices V V V*N ...": decisions, V*N being N decisions of value V.
  void choices_line(const Line& l) {
    out_.replay_choices = true;
    constexpr std::uint64_t kMaxChoices = 1000000;  // a record longer than any run makes
    for (std::size_t k = 1; k < l.toks.size(); ++k) {
      const Token& t = l.toks[k];
      const std::size_t star = t.text.find('*');
      const std::string value = t.text.substr(0, star);
      const std::string count = star == std::string::npos ? "1" : t.text.substr(star + 1);
      std::uint64_t v = 0;
      std::uint64_t n = 0;
      if (t.quoted || !all_digits(value) || !ms::sim::read_decimal(count, 9'999'999, n))
        fail(l.no, t.column, "bad choice \"" + t.text + "\" (a number, or VALUE*COUNT)");
      if (!ms::sim::read_decimal(value, UINT64_MAX, v)) fail(l.no, t.column, "choice above 2^64-1");
      if (n == 0 || out_.choices.size() + n > kMaxChoices)
        fail(l.no, t.column, n == 0 ? "a choice repeated 0 times"
                                    : "more than 1000000 choices");
      out_.choices.insert(out_.choices.end(), n, v);
    }
  }

  void multi_line(const Line& l) {
    if (l.toks.size() < 3) l.at(l.toks.size() < 2 ? 1 : 2, "multi option and value");
    MultiSpec& m = out_.multi;
    for (std::size_t k = 1; k < l.toks.size(); k += 2) {
      const Token& key = l.toks[k];
      long* dst = key.text == "max_host_connections"     ? &m.max_host_connections
                  : key.text == "max_total_connections"  ? &m.max_total_connections
                  : key.text == "maxconnects"            ? &m.maxconnects
                  : key.text == "pipelining"             ? &m.pipelining
                  : key.text == "max_concurrent_streams" ? &m.max_concurrent_streams
                                                         : nullptr;
      if (dst == nullptr)
        fail(l.no, key.column,
             "unknown multi option \"" + key.text +
                 "\" (max_host_connections, max_total_connections, maxconnects, pipelining, max_concurrent_streams)");
      std::size_t v = k + 1;
      *dst = option_long(l, v, (key.text + " value").c_str());
    }
  }

  void world_line(const Line& l) {
    if (l.toks.size() < 3) l.at(l.toks.size() < 2 ? 1 : 2, "world setting and value");
    WorldSpec& w = out_.world;
    for (std::size_t k = 1; k < l.toks.size(); k += 2) {
      const Token& key = l.toks[k];
      const Token& val = l.at(k + 1, ("value for " + key.text).c_str());
      if (key.text == "latency") {
        w.latency_ns = parse_duration_token(val, l.no, "latency");
      } else if (key.text == "bandwidth") {
        w.bandwidth_bytes_per_second = parse_uint(val, l.no, 1LL << 40, "bandwidth");
      } else if (key.text == "send_buffer") {
        w.send_buffer_bytes = parse_uint(val, l.no, 1LL << 32, "send_buffer");
      } else if (key.text == "extra_latency_max") {
        w.extra_latency_max_ns = parse_duration_token(val, l.no, "extra_latency_max");
      } else if (key.text == "dns_delay") {
        w.dns_default_delay_ns = parse_duration_token(val, l.no, "dns_delay");
      }
#define MS_X(name)                                  \
  else if (key.text == #name) {                     \
    w.name = parse_probability(val, l.no);          \
  }
      MS_WORLD_PROBABILITIES(MS_X)
#undef MS_X
      else {
        fail(l.no, key.column, "unknown world setting \"" + key.text + "\"");
      }
    }
  }

  void dns_line(const Line& l) {
    DnsSpec d;
    d.line = l.no;
    d.name = l.at(1, "host name").text;
    if (is_ip_literal(d.name)) fail(l.no, l.toks[1].column, "dns name is an address: \"" + d.name + "\"");
    for (const DnsSpec& o : out_.dns) {
      if (o.name == d.name) fail(l.no, l.toks[1].column, "duplicate dns name \"" + d.name + "\" (line " + std::to_string(o.line) + ")");
    }
    std::size_t k = 2;
    for (; k < l.toks.size(); ++k) {
      const Token& t = l.toks[k];
      if (t.text == "delay") {
        d.delay_ns = parse_duration_token(l.at(k + 1, "delay value"), l.no, "delay");
        ++k;
      } else if (t.text == "fail") {
        d.fail = true;
      } else if (!is_ip_literal(t.text)) {
        fail(l.no, t.column, "expected an address, \"delay\" or \"fail\", got \"" + t.text + "\"");
      } else {
        require_loopback(t.text, l.no, t.column);
        d.addresses.push_back(t.text);
      }
    }
    if (d.addresses.empty() && !d.fail) fail(l.no, l.toks[1].column, "dns line without an address (or \"fail\")");
    out_.dns.push_back(std::move(d));
  }

  void header_peer(const Line& l, std::size_t first, std::size_t end) {
    PeerSpec p;
    p.line = l.no;
    p.name = l.at(1, "peer name").text;
    for (const PeerSpec& o : out_.peers) {
      if (o.name == p.name) fail(l.no, l.toks[1].column, "duplicate peer \"" + p.name + "\" (line " + std::to_string(o.line) + ")");
    }
    const Token& kw = l.at(2, "\"listen\"");
    if (kw.text != "listen") fail(l.no, kw.column, "expected \"listen\", got \"" + kw.text + "\"");
    split_addr_port(l.at(3, "ADDR:PORT"), l.no, p.address, p.port);
    if (l.toks.size() > 4 && l.toks[4].text == "latency") {
      p.latency_ns = parse_duration_token(l.at(5, "latency value"), l.no, "latency");
      no_more(l, 6);
    } else {
      no_more(l, 4);
    }
    for (const PeerSpec& o : out_.peers) {
      if (o.address == p.address && o.port == p.port) {
        fail(l.no, l.toks[3].column, "peer \"" + o.name + "\" already listens on " + l.toks[3].text);
      }
    }
    if (first >= end) fail(l.no, 1, "peer \"" + p.name + "\" has no script block");
    std::string block;
    for (std::size_t j = first; j < end; ++j) {
      if (j > first) block += '\n';
      block += lines_[j];
    }
    ms::sim::ScriptError se;
    if (!p.set_script(std::move(block), static_cast<int>(first) + 1, se)) {
      fail(se.line, se.column, "peer \"" + p.name + "\": " + se.reason);
    }
    out_.peers.push_back(std::move(p));
  }

  std::int64_t step_time(const Line& l, std::size_t& k) {
    std::int64_t t = 0;
    if (l.toks[0].text == "at") {
      t = parse_duration_token(l.at(1, "time"), l.no, "at");
      k = 2;
    }
    if (t < last_time_) {
      fail(l.no, l.toks[k == 0 ? 0 : 1].column, "time goes backwards (earlier line says " + std::to_string(last_time_ / 1000000) + "ms)");
    }
    last_time_ = t;
    return t;
  }

  void client_line(const Line& l) {
    std::size_t k = 0;
    ClientStep s;
    s.line = l.no;
    s.at_ns = step_time(l, k);
    const Token& verb = l.at(k, "add, remove, end or cleanup");
    if (verb.text == "add") {
      s.kind = StepKind::add;
      parse_add(l, k + 1, s.transfer);
      s.id = s.transfer.id;
    } else if (verb.text == "remove") {
      s.kind = StepKind::remove;
      const Token& id = l.at(k + 1, "transfer id");
      s.id = id.text;
      no_more(l, k + 2);
      if (!ids_.count(s.id)) fail(l.no, id.column, "remove of unknown transfer \"" + s.id + "\" (not added before)");
    } else if (verb.text == "end" || verb.text == "cleanup") {
      if (l.toks[0].text != "at") fail(l.no, verb.column, "\"" + verb.text + "\" needs a time: at TIME " + verb.text);
      s.kind = verb.text == "end" ? StepKind::end : StepKind::cleanup;
      no_more(l, k + 1);
      if (end_line_) fail(l.no, verb.column, "second end or cleanup (first at line " + std::to_string(end_line_) + ")");
      end_line_ = l.no;
    } else {
      fail(l.no, verb.column, "unknown client keyword \"" + verb.text + "\"");
    }
    if (end_line_ && end_line_ != l.no) fail(l.no, l.toks[0].column, "client step after \"end\" or \"cleanup\"");
    out_.client.push_back(std::move(s));
  }

  long option_long(const Line& l, std::size_t k, const char* what) {
    return static_cast<long>(parse_uint(l.at(k, what), l.no, 1LL << 31, what));
  }

  void parse_add(const Line& l, std::size_t k, TransferSpec& x) {
    const Token& id = l.at(k, "transfer id");
    x.id = id.text;
    if (!ids_.emplace(x.id, l.no).second) {
      fail(l.no, id.column, "duplicate transfer id \"" + x.id + "\" (line " + std::to_string(ids_[x.id]) + ")");
    }
    const Token& u = l.at(k + 1, "\"url\"");
    if (u.text != "url") fail(l.no, u.column, "expected \"url\", got \"" + u.text + "\"");
    const Token& url = l.at(k + 2, "URL");
    added_urls_.push_back({parse_url(url, l.no), l.no, url.column});
    x.url = url.text;
    for (k += 3; k < l.toks.size(); ++k) {
      const Token& o = l.toks[k];
      const std::string& n = o.text;
      if (n == "timeout_ms") {
        x.timeout_ms = option_long(l, ++k, "timeout_ms value");
      } else if (n == "connecttimeout_ms") {
        x.connecttimeout_ms = option_long(l, ++k, "connecttimeout_ms value");
      } else if (n == "low_speed") {
        x.low_speed_limit = option_long(l, ++k, "low_speed LIMIT");
        x.low_speed_time = option_long(l, ++k, "low_speed TIME");
      } else if (n == "post") {
        x.has_post = true;
        x.post = l.at(++k, "post data").text;
      } else if (n == "nobody") {
        x.nobody = true;
      } else if (n == "header") {
        const Token& h = l.at(++k, "header text");
        if (h.text.find(':') == std::string::npos) fail(l.no, h.column, "header without a colon: \"" + h.text + "\"");
        x.headers.push_back(h.text);
      } else if (n == "resolve") {
        const Token& r = l.at(++k, "resolve HOST:PORT:ADDR");
        std::size_t c1 = r.text.find(':');
        std::size_t c2 = c1 == std::string::npos ? c1 : r.text.find(':', c1 + 1);
        if (c2 == std::string::npos) fail(l.no, r.column, "expected HOST:PORT:ADDR, got \"" + r.text + "\"");
        ResolveSpec rs;
        rs.host = r.text.substr(0, c1);
        std::string port = r.text.substr(c1 + 1, c2 - c1 - 1);
        rs.address = r.text.substr(c2 + 1);
        if (!rs.address.empty() && rs.address.front() == '[' && rs.address.back() == ']') {
          rs.address = rs.address.substr(1, rs.address.size() - 2);
        }
        const std::optional<std::uint16_t> number = ms::http::parse_port(port);
        if (rs.host.empty() || !number) fail(l.no, r.column, "expected HOST:PORT:ADDR, got \"" + r.text + "\"");
        rs.port = *number;
        require_loopback(rs.address, l.no, r.column + static_cast<int>(c2) + 1);
        x.resolve.push_back(std::move(rs));
      } else if (n == "follow") {
        x.follow = true;
      } else if (n == "maxredirs") {
        x.maxredirs = option_long(l, ++k, "maxredirs value");
      } else if (n == "cainfo") {
        const Token& c = l.at(++k, "cainfo value");
        if (c.text != "test-ca") fail(l.no, c.column, "cainfo must be \"test-ca\" (the scripted peers' CA)");
        x.cainfo = c.text;
      } else if (n == "verifypeer") {
        x.verifypeer = option_long(l, ++k, "verifypeer value");
      } else if (n == "verifyhost") {
        x.verifyhost = option_long(l, ++k, "verifyhost value");
      } else if (n == "upload" || n == "upload-chunked") {
        x.upload_bytes = option_long(l, ++k, "upload size");
        x.upload_chunked = n == "upload-chunked";
      } else if (n == "http_version") {
        const Token& v = l.at(++k, "http_version value");
        const auto* w = std::find_if(std::begin(kHttpVersionWords), std::end(kHttpVersionWords),
                                     [&](const HttpVersionWord& e) { return v.text == e.word; });
        if (w == std::end(kHttpVersionWords))
          fail(l.no, v.column, "http_version must be none, 1.0, 1.1, 2, 2tls or 2-prior-knowledge, not \"" + v.text + "\"");
        x.http_version = w->value;
      } else if (n == "pipewait") {
        x.pipewait = true;
      } else {
        fail(l.no, o.column, "unknown transfer option \"" + n + "\"");
      }
    }
  }

  // `if IMPLEMENTATION RANGE...` from token k ("if") to the end of the line.
  static ExpectCondition condition(const Line& l, std::size_t k) {
    ExpectCondition c;
    const Token& impl = l.at(k + 1, "implementation name after \"if\"");
    const bool name_ok = !impl.quoted && std::all_of(impl.text.begin(), impl.text.end(), [](char ch) {
      return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
             ch == '-' || ch == '_' || ch == '.';
    });
    if (!name_ok || !std::isalpha(static_cast<unsigned char>(impl.text[0])))
      fail(l.no, impl.column, "expected an implementation name after \"if\" (as \"libcurl\" in "
                              "\"if libcurl >=8.0.0\"), got \"" + impl.text + "\"");
    c.implementation = impl.text;
    l.at(k + 2, "version range after the implementation name (\">=8.0.0\", \">=7.88.0 <8.0.0\", \"any\")");
    std::string text, why;
    for (std::size_t j = k + 2; j < l.toks.size(); ++j) {
      VersionRange one;
      if (l.toks[j].quoted || !VersionRange::parse(l.toks[j].text, one, why))
        fail(l.no, l.toks[j].column, l.toks[j].quoted ? "a version range is not quoted" : why);
      text += (text.empty() ? "" : " ") + l.toks[j].text;
    }
    if (!VersionRange::parse(text, c.range, why)) fail(l.no, l.toks[k + 2].column, why);
    return c;
  }

  void expect_line(const Line& l) {
    const Token& kw = l.toks[0];
    ExpectSpec& e = out_.expect;
    if (kw.text == "clause" || kw.text == "violation") {
      l.at(1, "clause id");
      for (std::size_t k = 1; k < l.toks.size(); ++k) {
        const Token& t = l.toks[k];
        if (find_clause(t.text) == nullptr) fail(l.no, t.column, "unknown clause \"" + t.text + "\"");
        (kw.text == "clause" ? e.clauses : e.violations).push_back(t.text);
      }
    } else if (kw.text == "done") {
      e.done.push_back(done_line(l));
    } else if (kw.text == "running") {
      static const char* const kWords[] = {"running", "0", "at", "end"};
      for (std::size_t k = 1; k < 4; ++k) {
        const Token& t = l.at(k, kWords[k]);
        if (t.text != kWords[k]) fail(l.no, t.column, "expected \"running 0 at end\"");
      }
      no_more(l, 4);
      e.running_zero_at_end = true;
    } else {
      fail(l.no, kw.column, "unknown expect keyword \"" + kw.text + "\"");
    }
  }

  // `done ID result CODE[|CODE...] [body ...] [if IMPLEMENTATION RANGE...]`.
  ExpectDone done_line(const Line& l) {
    ExpectDone d;
    d.line = l.no;
    const Token& id = l.at(1, "transfer id");
    d.id = id.text;
    done_refs_.push_back({d.id, l.no, id.column});
    // `if IMPLEMENTATION RANGE...` closes the line, after the result and the body check.
    std::size_t end = l.toks.size();
    const bool has_body = l.toks.size() > 4 && !l.toks[4].quoted && l.toks[4].text != "if";
    for (std::size_t k = has_body ? 6 : 4; k < l.toks.size(); ++k)
      if (!l.toks[k].quoted && l.toks[k].text == "if") {
        end = k;
        break;
      }
    if (end < l.toks.size()) d.condition = condition(l, end);
    check_other_done_lines(l, d, id, end);
    if (d.condition) conditional_done_.push_back({d.id, l.no, l.toks[end].column});
    const Token& r = l.at(2, "\"result\"");
    if (r.text != "result") fail(l.no, r.column, "expected \"result\", got \"" + r.text + "\"");
    result_codes(l.at(3, "result code name"), l.no, d);
    if (end > 4) {
      body_check(l, d);
      if (end > 6) fail(l.no, l.toks[6].column, "unexpected \"" + l.toks[6].text + "\" (a condition starts with \"if\")");
    }
    return d;
  }

  // One done line per transfer without `if`; conditional ones must not overlap.
  void check_other_done_lines(const Line& l, const ExpectDone& d, const Token& id, std::size_t end) {
    for (const ExpectDone& o : out_.expect.done) {
      if (o.id != d.id) continue;
      if (!o.condition && !d.condition)
        fail(l.no, id.column, "second done line for \"" + d.id + "\" without \"if\" (first at line " +
                                  std::to_string(o.line) + ")");
      if (o.condition && d.condition && o.condition->implementation == d.condition->implementation &&
          o.condition->range.overlaps(d.condition->range))
        fail(l.no, l.toks[end + 2].column,
             "range " + d.condition->range.to_string() + " overlaps line " + std::to_string(o.line) +
                 "'s " + o.condition->range.to_string() + " for " + d.id + " on " +
                 d.condition->implementation + ": a version would have two expectations");
    }
  }

  // "OK" or "OK|SEND_ERROR|RECV_ERROR": the first is the expected result, the rest are
  // equally allowed.
  static void result_codes(const Token& code, int line, ExpectDone& d) {
    std::string_view names = code.text;
    bool first = true;
    while (true) {
      const auto bar = names.find('|');
      const std::string name(names.substr(0, bar));
      int value = 0;
      if (!easy_code_from_name(name, value)) fail(line, code.column, "unknown result code \"" + name + "\"");
      if (first)
        d.result = value;
      else
        d.also.push_back(value);
      first = false;
      if (bar == std::string_view::npos) break;
      names.remove_prefix(bar + 1);
    }
  }

  // `body "TEXT"`, `body-bytes N` or `body-sha256 HEX` at token 4.
  void body_check(const Line& l, ExpectDone& d) {
    const Token& b = l.toks[4];
    if (b.text == "body") {
      const Token& v = l.at(5, "body text");
      if (!v.quoted) fail(l.no, v.column, "body text must be quoted");
      d.body_check = BodyCheck::text;
      d.body = v.text;
    } else if (b.text == "body-bytes") {
      d.body_check = BodyCheck::bytes;
      d.body_bytes = static_cast<std::uint64_t>(parse_uint(l.at(5, "byte count"), l.no, 1LL << 50, "body-bytes"));
    } else if (b.text == "body-sha256") {
      const Token& v = l.at(5, "sha256 hex");
      std::string hex = v.text;
      std::transform(hex.begin(), hex.end(), hex.begin(), [](char c) { return c >= 'A' && c <= 'F' ? c + 32 : c; });
      if (hex.size() != 64 || hex.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) {
        fail(l.no, v.column, "body-sha256 needs 64 hex digits");
      }
      d.body_check = BodyCheck::sha256;
      d.body_sha256 = hex;
    } else {
      fail(l.no, b.column, "expected body, body-bytes or body-sha256, got \"" + b.text + "\"");
    }
  }

  // The peer a transfer's first connection reaches, or an error at its URL.
  void cross_check() {
    for (const auto& [id, line, col] : done_refs_) {
      if (!ids_.count(id)) fail(line, col, "done for unknown transfer \"" + id + "\"");
    }
    // Every target meets one expectation: an `if` line only replaces the line without it.
    for (const auto& [id, line, col] : conditional_done_) {
      const bool plain = std::any_of(out_.expect.done.begin(), out_.expect.done.end(),
                                     [&want = id](const ExpectDone& d) { return d.id == want && !d.condition; });
      if (!plain)
        fail(line, col, "done line for \"" + id + "\" with \"if\" but none without: the line without " +
                            "\"if\" is the expectation of every other target");
    }
    std::size_t added = 0;  // added_urls_ holds the add steps' URLs in their order
    for (const ClientStep& s : out_.client) {
      if (s.kind != StepKind::add) continue;
      const TransferSpec& x = s.transfer;
      const AddedUrl& where = added_urls_[added++];  // no structured binding: lambdas below use it
      const Url& u = where.url;
      const int line = where.line, col = where.column;
      std::vector<std::string> addrs;
      bool resolved = false;
      for (const ResolveSpec& r : x.resolve) {
        if (r.host == u.host && r.port == u.port) {
          addrs = {r.address};
          resolved = true;
        }
      }
      if (!resolved && is_ip_literal(u.host)) {
        require_loopback(u.host, line, col);
        addrs = {u.host};
        resolved = true;
      }
      if (!resolved) {
        auto d = std::find_if(out_.dns.begin(), out_.dns.end(), [&](const DnsSpec& e) { return e.name == u.host; });
        if (d == out_.dns.end()) {
          fail(line, col, "unknown host \"" + u.host + "\": no dns line and no resolve option for it");
        }
        if (d->fail) continue;  // the lookup fails: no peer needed
        addrs = d->addresses;
      }
      bool found = std::any_of(addrs.begin(), addrs.end(), [&](const std::string& a) {
        return std::any_of(out_.peers.begin(), out_.peers.end(), [&](const PeerSpec& p) {
          return p.address == a && p.port == u.port;
        });
      });
      if (!found) {
        fail(line, col, "missing peer: nothing listens on " + addrs.front() + ":" + std::to_string(u.port) +
                            " (declare a peer; a script of just \"refuse\" refuses connections)");
      }
    }
  }

  Scenario& out_;
  std::vector<std::string> lines_;
  std::set<std::string> seen_blocks_;
  std::unordered_map<std::string, int> ids_;  // looked up, never walked: its order shows nowhere
  struct AddedUrl {
    Url url;
    int line, column;
  };
  std::vector<AddedUrl> added_urls_;  // each add step's URL as read, with where it was written
  struct Ref {
    std::string id;
    int line, column;
  };
  std::vector<Ref> done_refs_;
  std::vector<Ref> conditional_done_;  // done lines with `if`, at the "if" token
  int seed_line_ = 0;
  int end_line_ = 0;
  std::int64_t last_time_ = 0;
};

}  // namespace

std::string ScenarioError::to_string() const {
  if (line <= 0) return file + ": " + reason;  // about the file, not a place in it
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + reason;
}

bool easy_code_from_name(std::string_view name, int& out) {
  std::string_view n = name;
  if (n.rfind("MSE_", 0) == 0) n.remove_prefix(4);
#define MS_X(cname, value, text)              \
  if (n == std::string_view(#cname).substr(4)) { \
    out = value;                              \
    return true;                              \
  }
  MS_ECODES(MS_X)
#undef MS_X
#define MS_X(cname, value, text, since)          \
  if (n == std::string_view(#cname).substr(4)) { \
    out = value;                                 \
    return true;                                 \
  }
  MS_CONF_LATER_ECODES(MS_X)
#undef MS_X
  return false;
}

bool easy_code_known(int code) {
  switch (code) {
#define MS_X(cname, value, text) case value:
    MS_ECODES(MS_X)
#undef MS_X
#define MS_X(cname, value, text, since) case value:
    MS_CONF_LATER_ECODES(MS_X)
#undef MS_X
      return true;
    default:
      return false;
  }
}

std::string easy_code_short_name(int code) {
  switch (code) {
#define MS_X(cname, value, text) \
  case value: return std::string(#cname).substr(4);
    MS_ECODES(MS_X)
#undef MS_X
#define MS_X(cname, value, text, since) \
  case value: return std::string(#cname).substr(4);
    MS_CONF_LATER_ECODES(MS_X)
#undef MS_X
    default: return std::to_string(code);
  }
}

std::vector<const ExpectDone*> applicable_done(const ExpectSpec& expect, std::string_view id,
                                               const ImplementationVersion& target) {
  const bool known = !target.implementation.empty() && target.version.has_value();
  std::vector<const ExpectDone*> plain, matching;
  for (const ExpectDone& d : expect.done) {
    if (d.id != id) continue;
    if (!d.condition) {
      plain.push_back(&d);
      continue;
    }
    const bool same = target.implementation.empty() || target.implementation == d.condition->implementation;
    const bool within = !target.version || d.condition->range.contains(*target.version);
    if (same && within) matching.push_back(&d);
  }
  // The parser refuses overlapping ranges, so a fully known target matches one line at most.
  if (known && !matching.empty()) return {matching.front()};
  if (known) return plain;
  std::vector<const ExpectDone*> all;
  for (const ExpectDone& d : expect.done)
    if (std::find(plain.begin(), plain.end(), &d) != plain.end() ||
        std::find(matching.begin(), matching.end(), &d) != matching.end())
      all.push_back(&d);
  return all;
}

bool parse_scenario(std::string_view text, std::string_view file_name, Scenario& out,
                    ScenarioError& err) {
  Scenario s;
  s.file = std::string(file_name);
  try {
    Parser p(text, s);
    p.run();
  } catch (const Failure& f) {
    err = ScenarioError{std::string(file_name), f.line, f.column, f.reason};
    return false;
  } catch (const std::exception& e) {  // a library call that throws (bad_alloc and the like)
    err = ScenarioError{std::string(file_name), 0, 0, std::string("internal: ") + e.what()};
    return false;
  }
  out = std::move(s);
  return true;
}

bool read_regular_file(const std::string& path, std::size_t max_bytes, std::string& out,
                       std::string& error) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) {
    error = "cannot open the file";
    return false;
  }
  if (!std::filesystem::is_regular_file(status)) {
    error = std::filesystem::is_directory(status) ? "a directory, not a file" : "not a regular file";
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot open the file";
    return false;
  }
  out.clear();
  char buffer[65536];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    out.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (out.size() > max_bytes) {
      error = "larger than " + std::to_string(max_bytes) + " bytes";
      return false;
    }
  }
  return true;
}

bool load_scenario(const std::string& path, Scenario& out, ScenarioError& err) {
  std::string text, error;
  if (!read_regular_file(path, kScenarioFileMax, text, error)) {
    err = ScenarioError{path, 0, 0, error};
    return false;
  }
  return parse_scenario(text, path, out, err);
}

bool PeerSpec::set_script(std::string text, int first_line, ms::sim::ScriptError& err) {
  script_text = std::move(text);
  script_first_line = first_line;
  script = {};
  if (ms::sim::parse_peer_script(script_text, first_line, script, err)) return true;
  script = {};
  return false;
}

std::string Scenario::mutant() const {
  for (const PolicySpec& p : policies)
    if (is_mutant_line(p) && !p.args.empty()) return p.args[0];
  return {};
}

}  // namespace ms::conf
