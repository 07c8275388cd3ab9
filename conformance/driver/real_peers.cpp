// SPDX-License-Identifier: MIT
// real_peers.cpp: see real_peers.hpp.
#include "real_peers.hpp"

#include <cctype>
#include <cstdint>
#include <vector>

#include "http/url.hpp"

namespace ms::conf {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

namespace {

// ---- URL mapping -------------------------------------------------------------------------

// A scenario URL taken apart to be put back together with a real port, split by the
// engine's URL splitter (http/url.hpp): userinfo, path, query and fragment stay as written.
struct Url {
  std::string scheme;    // lower case
  std::string userinfo;  // with its '@', or empty
  std::string host;      // without brackets
  bool bracketed = false;
  int port = 0;
  std::string rest;      // path, query, fragment: everything from the first '/', '?' or '#'
};

bool parse_url(const std::string& text, Url& out) {
  const std::optional<http::UrlParts> parts = http::split_url(text);
  if (!parts || parts->host.empty()) return false;
  Url u;
  u.scheme = lower(std::string(parts->scheme));
  if (parts->has_userinfo) u.userinfo = std::string(parts->userinfo) + "@";
  u.host = std::string(parts->host);
  u.bracketed = parts->bracketed;
  u.rest = std::string(parts->rest);
  if (!parts->port.empty()) {
    const std::optional<std::uint16_t> port = http::parse_port(parts->port);
    if (!port) return false;
    u.port = *port;
  } else {
    u.port = http::default_port(u.scheme);
    if (u.port == 0) return false;
  }
  out = u;
  return true;
}

std::string host_text(const port::Address& a) {  // "127.0.0.7" or "[::1]"
  std::string s = a.to_string();
  return s.substr(0, s.rfind(':'));
}

// A name whose first label is longer than 63 bytes: getaddrinfo fails before building a
// DNS query, so nothing is sent anywhere.
std::string unresolvable_name(const std::string& host) {
  std::string label = "no-lookup-";
  for (char c : lower(host)) label += std::isalnum(static_cast<unsigned char>(c)) ? c : '-';
  if (label.size() < 64) label.append(64 - label.size(), 'x');
  return label + ".invalid";
}

// The scenario's address for a host name at a port, as simnet would resolve it.
std::optional<std::string> scenario_address(const Scenario& sc, const TransferSpec& t,
                                            const std::string& host, int port) {
  const std::string name = lower(host);
  for (const ResolveSpec& r : t.resolve) {
    if (lower(r.host) != name || r.port != port) continue;
    const std::string first = r.address.substr(0, r.address.find(','));
    if (!first.empty()) return first;
  }
  for (const DnsSpec& d : sc.dns) {
    if (lower(d.name) != name) continue;
    if (d.fail || d.addresses.empty()) return std::nullopt;
    return d.addresses.front();
  }
  return std::nullopt;
}

}  // namespace

bool PeerMap::start(const Scenario& sc, std::string& error) {
  for (const PeerSpec& p : sc.peers) {
    if (p.script.commands.empty()) {
      error = sc.file + ":" + std::to_string(p.line) + ": peer " + p.name + " has no parsed script";
      return false;
    }
    auto at = port::Address::parse_numeric(p.address, static_cast<std::uint16_t>(p.port));
    if (!at || !at->is_loopback()) {
      error = sc.file + ":" + std::to_string(p.line) + ": peer " + p.name +
              ": not a loopback address: " + p.address;
      return false;
    }
    auto real = listen(p.name, p.script, *at, error);
    if (!real) {
      error = sc.file + ":" + std::to_string(p.line) + ": peer " + p.name + ": " + error;
      return false;
    }
    real_[*at] = *real;
  }
  return true;
}

std::optional<port::Address> PeerMap::real_for(const port::Address& scenario_addr) {
  if (auto it = real_.find(scenario_addr); it != real_.end()) return it->second;
  if (!scenario_addr.is_loopback()) return std::nullopt;
  sim::PeerScript refuse;
  refuse.commands.push_back(sim::PeerCommand{.op = sim::PeerOp::refuse});
  std::string error;
  auto real = listen("no-peer", refuse, scenario_addr, error);
  if (!real) return std::nullopt;
  real_[scenario_addr] = *real;
  return real;
}

std::optional<port::Address> PeerMap::listen(const std::string& name, const sim::PeerScript& script,
                                             const port::Address& at, std::string& error) {
  auto real = host_.listen(name, script, error, host_text(at));
  if (!real && at.family == port::Family::v4) real = host_.listen(name, script, error);
  return real;
}

bool map_transfer(const Scenario& sc, PeerMap& peers, TransferSpec& t, std::string& error) {
  Url u;
  if (!parse_url(t.url, u)) return true;  // the target will refuse it, as over simnet
  std::optional<port::Address> at = port::Address::parse_numeric(u.host, static_cast<std::uint16_t>(u.port));
  const bool numeric = at.has_value();
  if (!numeric) {
    if (auto a = scenario_address(sc, t, u.host, u.port))
      at = port::Address::parse_numeric(*a, static_cast<std::uint16_t>(u.port));
  }
  // Entries for this host are replaced; the others stay (they name loopback addresses).
  std::vector<ResolveSpec> resolve;
  for (const ResolveSpec& r : t.resolve)
    if (lower(r.host) != lower(u.host)) resolve.push_back(r);
  if (!at) {
    u.host = unresolvable_name(u.host);
    u.bracketed = false;
  } else {
    auto real = peers.real_for(*at);
    if (!real) {
      error = "transfer " + t.id + ": " + at->to_string() + " is not a loopback address";
      return false;
    }
    u.port = real->port;
    if (numeric) {
      u.host = host_text(*real);
      u.bracketed = false;  // host_text brackets IPv6 itself
    } else {
      ResolveSpec r;
      r.host = u.host;
      r.port = real->port;
      r.address = host_text(*real);
      resolve.push_back(r);
    }
  }
  t.resolve = resolve;
  const std::string host = u.bracketed ? "[" + u.host + "]" : u.host;
  t.url = u.scheme + "://" + u.userinfo + host + ":" + std::to_string(u.port) + u.rest;
  return true;
}


}  // namespace ms::conf
