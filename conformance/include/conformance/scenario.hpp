// scenario.hpp: one scenario file = what the peers do, what the client does, what must
// be observed. The format is documented in conformance/SCENARIOS.md.
//
// Peer scripts are kept as the raw text of their block (with the original indentation and
// line numbers), so ms::sim::parse_peer_script(script_text, script_first_line, ...) reports
// positions in the scenario file. parse_scenario() already runs that parser on every block
// when simnet is built, so a parsed scenario's scripts are known to be valid.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ms::conf {

struct ScenarioError {
  std::string file;
  int line = 0;    // 1-based
  int column = 0;  // 1-based
  std::string reason;
  std::string to_string() const;  // "file:line:column: reason"
};

struct PolicySpec {
  std::string name;               // driver policy, e.g. "faithful", "spurious-in"
  std::vector<std::string> args;  // its arguments as written, e.g. {"0.3"}
  int line = 0;
};

// simnet fault probabilities, by the FaultOptions names without "_probability".
#define MS_WORLD_PROBABILITIES(X) \
  X(connect_refuse)               \
  X(connect_drop)                 \
  X(reset)                        \
  X(half_close_early)             \
  X(socket_error)                 \
  X(short_read)                   \
  X(short_write)                  \
  X(extra_latency)

// -1 means "simnet's default" for every integer field.
struct WorldSpec {
  std::int64_t latency_ns = -1;               // one way, per link
  std::int64_t bandwidth_bytes_per_second = -1;
  std::int64_t send_buffer_bytes = -1;
  std::int64_t extra_latency_max_ns = -1;
  std::int64_t dns_default_delay_ns = -1;
#define MS_X(name) double name = 0;
  MS_WORLD_PROBABILITIES(MS_X)
#undef MS_X
  bool operator==(const WorldSpec&) const = default;
};

struct DnsSpec {
  std::string name;
  std::vector<std::string> addresses;  // loopback only
  std::int64_t delay_ns = -1;          // -1: the world's default
  bool fail = false;                   // the lookup fails
  int line = 0;
  bool operator==(const DnsSpec&) const = default;
};

struct PeerSpec {
  std::string name;
  std::string address;  // loopback: 127.x.y.z or ::1
  int port = 0;
  std::string script_text;    // the block's lines as written, '\n'-separated
  int script_first_line = 0;  // line number of the block's first line in the file
  int line = 0;
  bool operator==(const PeerSpec&) const = default;
};

struct ResolveSpec {  // MSOPT_RESOLVE "host:port:address"
  std::string host;
  int port = 0;
  std::string address;
  bool operator==(const ResolveSpec&) const = default;
};

struct TransferSpec {
  std::string id;  // the scenario's name for the easy handle
  std::string url;
  long timeout_ms = -1;         // -1: not set
  long connecttimeout_ms = -1;
  long low_speed_limit = -1;    // bytes per second
  long low_speed_time = -1;     // seconds
  bool has_post = false;
  std::string post;             // MSOPT_POSTFIELDS when has_post
  bool nobody = false;
  std::vector<std::string> headers;
  std::vector<ResolveSpec> resolve;
  bool follow = false;
  long maxredirs = -1;
  bool operator==(const TransferSpec&) const = default;
};

enum class StepKind : std::uint8_t { add, remove, end };

struct ClientStep {
  StepKind kind = StepKind::add;
  std::int64_t at_ns = 0;  // virtual time from the start of the run
  TransferSpec transfer;   // add
  std::string id;          // remove (and add: transfer.id)
  int line = 0;
  bool operator==(const ClientStep&) const = default;
};

enum class BodyCheck : std::uint8_t { none, text, bytes, sha256 };

struct ExpectDone {
  std::string id;
  int result = 0;  // MSEcode value
  BodyCheck body_check = BodyCheck::none;
  std::string body;              // text: the exact body
  std::uint64_t body_bytes = 0;  // bytes: the body's length
  std::string body_sha256;       // sha256: lower-case hex
  int line = 0;
  bool operator==(const ExpectDone&) const = default;
};

struct ExpectSpec {
  std::vector<std::string> clauses;     // must be exercised and pass
  std::vector<ExpectDone> done;
  bool running_zero_at_end = false;
  std::vector<std::string> violations;  // clauses that must be violated (canaries, mutants)
  bool operator==(const ExpectSpec&) const = default;
};

struct Scenario {
  std::string file;         // as given to the parser (for messages)
  std::string description;  // leading comment lines, without "# "
  std::string title;
  std::uint64_t seed = 1;
  std::vector<PolicySpec> policies;
  bool canary = false;  // this scenario must fail: proves the harness can fail
  WorldSpec world;
  std::vector<DnsSpec> dns;
  std::vector<PeerSpec> peers;
  std::vector<ClientStep> client;  // in file order; times never decrease
  ExpectSpec expect;
};

bool parse_scenario(std::string_view text, std::string_view file_name, Scenario& out,
                    ScenarioError& err);
bool load_scenario(const std::string& path, Scenario& out, ScenarioError& err);
// Canonical text of a scenario; parse_scenario(format_scenario(s)) gives s back (line
// numbers aside). The shrinker writes its minimal scenarios with it.
std::string format_scenario(const Scenario& s);
// Whether parse_scenario checks peer blocks with simnet's parser (simnet was built).
bool peer_script_parser_available();

// MSEcode by name, with or without the prefix: "OK" or "MSE_OK", "OPERATION_TIMEDOUT" or
// "MSE_OPERATION_TIMEDOUT"; false when unknown.
bool easy_code_from_name(std::string_view name, int& out);
std::string easy_code_short_name(int code);  // "OK", "OPERATION_TIMEDOUT", or the number

}  // namespace ms::conf
