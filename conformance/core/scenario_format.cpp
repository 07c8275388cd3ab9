// SPDX-License-Identifier: MIT
// scenario_format.cpp: the scenario writer, format_scenario(): what parse_scenario() reads
// back to an equal Scenario (format: conformance/SCENARIOS.md). Strings are written with
// simnet's quote_text(), the inverse of the one lexer (simnet/text.hpp).
#include <sstream>
#include <string>

#include "conformance/scenario.hpp"
#include "simnet/text.hpp"

namespace ms::conf {
namespace {

std::string quote(const std::string& s) { return ms::sim::quote_text(s); }
std::string word(const std::string& s) { return ms::sim::word_or_quoted(s); }

std::string duration(std::int64_t ns) {
  if (ns == 0) return "0";
  if (ns % 1000000000 == 0) return std::to_string(ns / 1000000000) + "s";
  if (ns % 1000000 == 0) return std::to_string(ns / 1000000) + "ms";
  if (ns % 1000 == 0) return std::to_string(ns / 1000) + "us";
  return std::to_string(ns) + "ns";
}

std::string prob(double v) {
  std::ostringstream o;
  o.precision(17);
  o << v;
  return o.str();
}

std::string host_port(const std::string& a, int port) {
  return (a.find(':') != std::string::npos ? "[" + a + "]" : a) + ":" + std::to_string(port);
}


// The `choices` lines: runs of equal values as VALUE*COUNT, 16 items a line.
void format_choices(const Scenario& s, std::string& o) {
  std::string line = "choices";
  int items = 0;
  for (std::size_t i = 0; i < s.choices.size();) {
    std::size_t j = i;
    while (j < s.choices.size() && s.choices[j] == s.choices[i]) ++j;
    line += " " + std::to_string(s.choices[i]);
    if (j - i > 1) line += "*" + std::to_string(j - i);
    i = j;
    if (++items == 16 && i < s.choices.size()) {
      o += line + "\n";
      line = "choices";
      items = 0;
    }
  }
  o += line + "\n";
}

void format_world(const Scenario& s, std::string& o) {
  const WorldSpec& w = s.world;
  std::string ws;
  if (w.latency_ns >= 0) ws += " latency " + duration(w.latency_ns);
  if (w.bandwidth_bytes_per_second >= 0) ws += " bandwidth " + std::to_string(w.bandwidth_bytes_per_second);
  if (w.send_buffer_bytes >= 0) ws += " send_buffer " + std::to_string(w.send_buffer_bytes);
  if (w.extra_latency_max_ns >= 0) ws += " extra_latency_max " + duration(w.extra_latency_max_ns);
  if (w.dns_default_delay_ns >= 0) ws += " dns_delay " + duration(w.dns_default_delay_ns);
#define MS_X(name) \
  if (w.name != 0) ws += " " #name " " + prob(w.name);
  MS_WORLD_PROBABILITIES(MS_X)
#undef MS_X
  if (!ws.empty()) o += "world" + ws + "\n";
}

void format_multi(const Scenario& s, std::string& o) {
  const MultiSpec& m = s.multi;
  std::string ms;
  if (m.max_host_connections >= 0) ms += " max_host_connections " + std::to_string(m.max_host_connections);
  if (m.max_total_connections >= 0) ms += " max_total_connections " + std::to_string(m.max_total_connections);
  if (m.maxconnects >= 0) ms += " maxconnects " + std::to_string(m.maxconnects);
  if (m.pipelining >= 0) ms += " pipelining " + std::to_string(m.pipelining);
  if (m.max_concurrent_streams >= 0) ms += " max_concurrent_streams " + std::to_string(m.max_concurrent_streams);
  if (!ms.empty()) o += "multi" + ms + "\n";
}

void format_dns_and_peers(const Scenario& s, std::string& o) {
  for (const DnsSpec& d : s.dns) {
    o += "dns " + d.name;
    for (const std::string& a : d.addresses) o += " " + a;
    if (d.delay_ns >= 0) o += " delay " + duration(d.delay_ns);
    if (d.fail) o += " fail";
    o += "\n";
  }
  for (const PeerSpec& p : s.peers) {
    o += "\npeer " + p.name + " listen " + host_port(p.address, p.port);
    if (p.latency_ns >= 0) o += " latency " + duration(p.latency_ns);
    o += "\n";
    std::istringstream in(p.script_text);
    std::string l;
    while (std::getline(in, l)) {
      // Keep the script as written; make sure every line stays inside the block.
      if (!l.empty() && l[0] != ' ') l = "  " + l;
      o += l + "\n";
    }
  }
}

void format_transfer(const TransferSpec& x, std::string& o) {
  o += "add " + word(x.id) + " url " + word(x.url);
  if (x.timeout_ms >= 0) o += " timeout_ms " + std::to_string(x.timeout_ms);
  if (x.connecttimeout_ms >= 0) o += " connecttimeout_ms " + std::to_string(x.connecttimeout_ms);
  if (x.low_speed_limit >= 0) {
    o += " low_speed " + std::to_string(x.low_speed_limit) + " " + std::to_string(x.low_speed_time);
  }
  if (x.has_post) o += " post " + quote(x.post);
  if (x.nobody) o += " nobody";
  for (const std::string& h : x.headers) o += " header " + quote(h);
  for (const ResolveSpec& r : x.resolve) {
    o += " resolve " + r.host + ":" + std::to_string(r.port) + ":" +
         (r.address.find(':') != std::string::npos ? "[" + r.address + "]" : r.address);
  }
  if (x.follow) o += " follow";
  if (x.maxredirs >= 0) o += " maxredirs " + std::to_string(x.maxredirs);
  if (!x.cainfo.empty()) o += " cainfo " + word(x.cainfo);
  if (x.verifypeer >= 0) o += " verifypeer " + std::to_string(x.verifypeer);
  if (x.verifyhost >= 0) o += " verifyhost " + std::to_string(x.verifyhost);
  if (x.upload_bytes >= 0)
    o += (x.upload_chunked ? " upload-chunked " : " upload ") + std::to_string(x.upload_bytes);
  for (const HttpVersionWord& w : kHttpVersionWords)
    if (x.http_version == w.value) o += std::string(" http_version ") + w.word;
  if (x.pipewait) o += " pipewait";
}

// The client block: always written (a scenario without one is refused).
void format_client(const Scenario& s, std::string& o) {
  o += "\nclient\n";
  for (const ClientStep& c : s.client) {
    o += "  ";
    if (c.kind == StepKind::end || c.kind == StepKind::cleanup || c.at_ns != 0)
      o += "at " + duration(c.at_ns) + " ";
    if (c.kind == StepKind::end || c.kind == StepKind::cleanup) {
      o += c.kind == StepKind::end ? "end\n" : "cleanup\n";
      continue;
    }
    if (c.kind == StepKind::remove) {
      o += "remove " + word(c.id) + "\n";
      continue;
    }
    format_transfer(c.transfer, o);
    o += "\n";
  }
}

void format_expect(const Scenario& s, std::string& o) {
  const ExpectSpec& e = s.expect;
  if (!e.clauses.empty() || !e.done.empty() || e.running_zero_at_end || !e.violations.empty()) {
    o += "\nexpect\n";
    if (!e.clauses.empty()) {
      o += "  clause";
      for (const std::string& c : e.clauses) o += " " + c;
      o += "\n";
    }
    for (const ExpectDone& d : e.done) {
      o += "  done " + word(d.id) + " result " + easy_code_short_name(d.result);
      for (int alt : d.also) o += "|" + easy_code_short_name(alt);
      switch (d.body_check) {
        case BodyCheck::none: break;
        case BodyCheck::text: o += " body " + quote(d.body); break;
        case BodyCheck::bytes: o += " body-bytes " + std::to_string(d.body_bytes); break;
        case BodyCheck::sha256: o += " body-sha256 " + d.body_sha256; break;
      }
      if (d.condition) o += " if " + d.condition->implementation + " " + d.condition->range.to_string();
      o += "\n";
    }
    if (e.running_zero_at_end) o += "  running 0 at end\n";
    if (!e.violations.empty()) {
      o += "  violation";
      for (const std::string& c : e.violations) o += " " + c;
      o += "\n";
    }
  }
}

}  // namespace

std::string format_scenario(const Scenario& s) {
  std::string o;
  if (!s.description.empty()) {
    std::istringstream in(s.description);
    std::string l;
    while (std::getline(in, l)) o += l.empty() ? "#\n" : "# " + l + "\n";
  }
  if (!s.title.empty()) o += "title " + quote(s.title) + "\n";
  o += "seed " + std::to_string(s.seed) + "\n";
  if (s.canary) o += "canary\n";
  if (s.replay_choices) format_choices(s, o);
  for (const PolicySpec& p : s.policies) {
    o += "policy " + word(p.name);
    for (const std::string& a : p.args) o += " " + word(a);
    o += "\n";
  }
  format_world(s, o);
  format_multi(s, o);
  format_dns_and_peers(s, o);
  format_client(s, o);
  format_expect(s, o);
  return o;
}

}  // namespace ms::conf
