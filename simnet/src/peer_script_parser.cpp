// SPDX-License-Identifier: MIT
// peer_script_parser.cpp: the peer script parser (format in simnet/PEER_SCRIPTS.md).
#include "simnet/peer_script.hpp"

#include <utility>

#include "peer_h2.hpp"
#include "simnet/test_pki.hpp"

namespace ms::sim {

const char* to_string(PeerOp op) {
  switch (op) {
#define MS_X(name, text) \
  case PeerOp::name:     \
    return text;
    MS_PEER_OPS(MS_X)
#undef MS_X
  }
  return "?";
}

bool PeerScript::refuses() const {
  return !commands.empty() && commands.front().op == PeerOp::refuse;
}

std::string ScriptError::to_string() const {
  return std::to_string(line) + ":" + std::to_string(column) + ": " + reason;
}

namespace {

constexpr std::uint64_t kSizeMax = 1ULL << 30;  // 1 GiB: more is a typo, not a test

// One line's tokens (lex_line of text.hpp) being read left to right.
struct Words {
  const std::vector<TextToken>& toks;
  int end_column;  // where a missing word is reported: just past the line
  std::size_t next = 0;

  bool at_end() const { return next >= toks.size(); }
  int column() const { return at_end() ? end_column : toks[next].column; }
  // The next token as a keyword; a quoted token comes back in its quotes, so it never
  // matches one.
  std::string word() {
    if (at_end()) return {};
    const TextToken& t = toks[next++];
    return t.quoted ? quote_text(t.text) : t.text;
  }
  const TextToken* quoted() {
    if (at_end() || !toks[next].quoted) return nullptr;
    return &toks[next++];
  }
};

class Parser {
 public:
  Parser(int line_number, ScriptError& err) : line_number_(line_number), err_(err) {}

  bool fail(int column, std::string reason) {
    err_.line = line_number_;
    err_.column = column;
    err_.reason = std::move(reason);
    return false;
  }

  bool parse_line(Words& in, PeerCommand& cmd) {
    const int word_column = in.column();
    const std::string w = in.word();
    cmd.line = line_number_;
    if (w == "accept") {
      cmd.op = PeerOp::accept;
    } else if (w == "expect") {
      const int col = in.column();
      const std::string what = in.word();
      if (what == "requests") {
        cmd.op = PeerOp::expect_requests;
        if (!parse_count(in, cmd.count, "request count", 1)) return false;
        return end_of_line(in, "expect requests");
      }
      if (what != "request")
        return fail(col, what.empty() ? "expected 'request' after 'expect'"
                                      : "expected 'request' after 'expect', got '" +
                                            std::string(what) + "'");
      cmd.op = PeerOp::expect_request;
      if (!in.at_end()) {
        const int col2 = in.column();
        if (in.word() != "no-continue")
          return fail(col2, "unexpected text after 'expect request' (only 'no-continue')");
        cmd.no_continue = true;
      }
    } else if (w == "send") {
      if (const TextToken* text = in.quoted()) {
        cmd.op = PeerOp::send;
        cmd.bytes = text->text;
      } else {
        const int col = in.column();
        if (in.word() != "body")
          return fail(col, "expected a quoted string or 'body N' after 'send'");
        cmd.op = PeerOp::send_body;
        if (!parse_size(in, cmd.body_bytes, "body size")) return false;
      }
      if (!parse_pieces(in, cmd)) return false;
    } else if (w == "send-file") {
      cmd.op = PeerOp::send_body;
      if (!parse_size(in, cmd.body_bytes, "file size")) return false;
      if (!parse_pieces(in, cmd)) return false;
    } else if (w == "wait") {
      cmd.op = PeerOp::wait;
      if (!parse_duration_at(in, cmd.duration)) return false;
    } else if (w == "close") {
      cmd.op = PeerOp::close;
    } else if (w == "shutdown") {
      cmd.op = PeerOp::shutdown;
    } else if (w == "reset") {
      cmd.op = PeerOp::reset;
    } else if (w == "hang") {
      cmd.op = PeerOp::hang;
    } else if (w == "repeat" || w == "keep-alive") {
      cmd.op = PeerOp::repeat;
    } else if (w == "refuse") {
      cmd.op = PeerOp::refuse;
    } else if (w == "tls") {
      cmd.op = PeerOp::tls;
      const int name_column = in.column();
      const std::string name = in.word();
      if (name.empty() || name.front() == '"')
        return fail(name_column, "expected the certificate's host name after 'tls'");
      cmd.tls_name.assign(name);
      CertKind kind = CertKind::good;
      if (!in.at_end()) {
        const int kind_column = in.column();
        const std::string k = in.word();
        if (!parse_cert_kind(k, kind))
          return fail(kind_column, "unknown certificate kind '" + std::string(k) +
                                       "' (good, expired, self-signed)");
      }
      cmd.tls_kind = static_cast<std::uint8_t>(kind);
    } else if (!parse_h2_line(w, in, cmd)) {
      return !err_.reason.empty() ? false
                                  : fail(word_column, "unknown command '" + std::string(w) + "'");
    }
    return end_of_line(in, w);
  }

 private:
  bool parse_size(Words& in, std::uint64_t& out, const char* what) {
    const int col = in.column();
    const std::string word = in.word();
    std::string_view w = word;
    if (w.empty()) return fail(col, std::string("missing ") + what);
    std::uint64_t unit = 1;
    if (w.back() == 'k' || w.back() == 'K') {
      unit = 1024;
      w.remove_suffix(1);
    } else if (w.back() == 'M') {
      unit = 1024 * 1024;
      w.remove_suffix(1);
    }
    std::uint64_t n = 0;
    if (!read_decimal(w, kSizeMax, n) || n * unit > kSizeMax)
      return fail(col, std::string("bad ") + what +
                           " (a decimal number of bytes, optional k or M, at most 1M k)");
    out = n * unit;
    return true;
  }

  bool end_of_line(Words& in, const std::string& w) {
    if (!in.at_end())
      return fail(in.column(), "unexpected text after '" + std::string(w) + "'");
    return true;
  }

  // A decimal number in [min, max].
  bool parse_count(Words& in, std::uint64_t& out, const char* what, std::uint64_t min,
                   std::uint64_t max = 1000000) {
    const int col = in.column();
    const std::string w = in.word();
    if (w.empty()) return fail(col, std::string("missing ") + what);
    if (!read_decimal(w, max, out) || out < min)
      return fail(col, std::string("bad ") + what + " '" + w + "' (a decimal number from " +
                           std::to_string(min) + " to " + std::to_string(max) + ")");
    return true;
  }

  bool parse_request_number(Words& in, PeerCommand& cmd) {
    std::uint64_t r = 0;
    if (!parse_count(in, r, "request number", 1)) return false;
    cmd.request = static_cast<std::uint32_t>(r);
    return true;
  }

  bool parse_h2_code(Words& in, PeerCommand& cmd) {
    const int col = in.column();
    const std::string w = in.word();
    if (!parse_h2_error_code(w, cmd.h2_code))
      return fail(col, "bad HTTP/2 error code '" + w + "' (a number or a name: CANCEL, NO_ERROR...)");
    return true;
  }

  // `keyword N` pairs in any order (h2's max-streams and window).
  bool parse_h2_settings(Words& in, PeerCommand& cmd) {
    while (!in.at_end()) {
      const int col = in.column();
      const std::string key = in.word();
      std::uint64_t v = 0;
      if (key == "max-streams") {
        if (!parse_count(in, v, "max-streams", 0, 0xffffffffULL)) return false;
        cmd.h2_max_streams = static_cast<std::int64_t>(v);
      } else if (key == "window") {
        if (!parse_count(in, v, "window", 0, 0x7fffffffULL)) return false;
        cmd.h2_window = static_cast<std::int64_t>(v);
      } else {
        return fail(col, "unexpected text after 'h2' (only 'max-streams N', 'window N')");
      }
    }
    return true;
  }

  // The HTTP/2 commands (PEER_SCRIPTS.md, "HTTP/2"). False with err_ empty: not one of them.
  bool parse_h2_line(const std::string& w, Words& in, PeerCommand& cmd) {
    if (w == "h2") {
      cmd.op = PeerOp::h2;
      return parse_h2_settings(in, cmd);
    }
    if (w == "respond" || w == "reply") {
      cmd.op = w == "respond" ? PeerOp::respond : PeerOp::reply;
      if (!parse_request_number(in, cmd)) return false;
      std::uint64_t status = 0;
      if (!parse_count(in, status, "status", 100, 999)) return false;
      cmd.status = static_cast<std::uint16_t>(status);
      if (cmd.op == PeerOp::respond && in.at_end()) return true;
      const int col = in.column();
      const char* key = cmd.op == PeerOp::respond ? "length" : "body";
      if (in.word() != key) return fail(col, std::string("expected '") + key + " N'");
      cmd.has_length = true;
      return parse_size(in, cmd.body_bytes, key);
    }
    if (w == "data" || w == "flood") {
      cmd.op = w == "data" ? PeerOp::data : PeerOp::flood;
      if (!parse_request_number(in, cmd) || !parse_size(in, cmd.body_bytes, "size")) return false;
      return cmd.op == PeerOp::flood || parse_pieces(in, cmd);
    }
    if (w == "end" || w == "rst") {
      cmd.op = w == "end" ? PeerOp::end : PeerOp::rst;
      if (!parse_request_number(in, cmd)) return false;
      if (cmd.op == PeerOp::rst) cmd.h2_code = kH2Cancel;
      return cmd.op == PeerOp::end || in.at_end() || parse_h2_code(in, cmd);
    }
    if (w == "goaway") {
      cmd.op = PeerOp::goaway;
      cmd.h2_code = kH2NoError;
      const bool last_next = !in.at_end() && !in.toks[in.next].quoted && in.toks[in.next].text == "last";
      if (!in.at_end() && !last_next && !parse_h2_code(in, cmd)) return false;
      if (in.at_end()) return true;
      const int col = in.column();
      if (in.word() != "last") return fail(col, "expected 'last N' after the error code");
      return parse_request_number(in, cmd);
    }
    if (w == "ping") {
      cmd.op = PeerOp::ping;
      return true;
    }
    if (w == "serve") {
      cmd.op = PeerOp::serve;
      const int col = in.column();
      if (in.word() != "body") return fail(col, "expected 'body N' after 'serve'");
      return parse_size(in, cmd.body_bytes, "body size");
    }
    return false;
  }

  bool parse_duration_at(Words& in, Nanos& out) {
    const int col = in.column();
    const std::string w = in.word();
    if (w.empty()) return fail(col, "missing duration");
    if (!parse_duration(w, out))
      return fail(col, "bad duration '" + std::string(w) + "' (use e.g. 10ms, 2s, 500us, 0)");
    return true;
  }

  // Optional "in pieces of N every D".
  bool parse_pieces(Words& in, PeerCommand& cmd) {
    if (in.at_end()) return true;
    const int col = in.column();
    if (in.word() != "in") return fail(col, "unexpected text after send (expected 'in pieces of N every D')");
    const int col2 = in.column();
    if (in.word() != "pieces") return fail(col2, "expected 'pieces of N every D'");
    const int col3 = in.column();
    if (in.word() != "of") return fail(col3, "expected 'of N every D'");
    const int size_column = in.column();
    if (!parse_size(in, cmd.piece_bytes, "piece size")) return false;
    if (cmd.piece_bytes == 0) return fail(size_column, "piece size must be at least 1");
    const int col4 = in.column();
    if (in.word() != "every") return fail(col4, "expected 'every D' after the piece size");
    return parse_duration_at(in, cmd.piece_every);
  }

  int line_number_;
  ScriptError& err_;
};

bool h2_only(PeerOp op) {
  switch (op) {
    case PeerOp::expect_requests:
    case PeerOp::respond:
    case PeerOp::data:
    case PeerOp::end:
    case PeerOp::reply:
    case PeerOp::rst:
    case PeerOp::goaway:
    case PeerOp::ping:
    case PeerOp::flood:
    case PeerOp::serve:
      return true;
    default:
      return false;
  }
}

// After `h2` the connection carries frames: HTTP/1 commands and raw bytes have no place.
bool allowed_in_h2(PeerOp op) {
  return op != PeerOp::expect_request && op != PeerOp::send && op != PeerOp::send_body &&
         op != PeerOp::repeat && op != PeerOp::refuse;
}

// A script that can reach `repeat` without ever waiting for input would spin forever.
bool check_script(const PeerScript& script, ScriptError& err, int first_line) {
  auto fail = [&](const PeerCommand& at, std::string reason) {
    err.line = at.line;
    err.column = 1;
    err.reason = std::move(reason);
    return false;
  };
  if (script.commands.empty()) {
    err.line = first_line;
    err.column = 1;
    err.reason = "empty peer script";
    return false;
  }
  bool expects = false;
  bool h2 = false;
  for (std::size_t i = 0; i < script.commands.size(); ++i) {
    const PeerCommand& c = script.commands[i];
    if (c.op == PeerOp::refuse && script.commands.size() != 1)
      return fail(c, "'refuse' must be the only command of its script");
    if (c.op == PeerOp::expect_request) expects = true;
    if (c.op == PeerOp::tls && (i == 0 || script.commands[i - 1].op != PeerOp::accept))
      return fail(c, "'tls' must come right after 'accept'");
    if (c.op == PeerOp::h2) {
      const bool after_accept = i > 0 && script.commands[i - 1].op == PeerOp::accept;
      const bool after_tls = i > 1 && script.commands[i - 1].op == PeerOp::tls;
      if (!after_accept && !after_tls)
        return fail(c, "'h2' must come right after 'accept' or 'tls'");
      h2 = true;
    }
    if (h2 && !allowed_in_h2(c.op))
      return fail(c, std::string("'") + to_string(c.op) + "' is not allowed in h2 mode");
    if (!h2 && h2_only(c.op))
      return fail(c, std::string("'") + to_string(c.op) + "' needs 'h2' before it");
    if (c.op == PeerOp::repeat && !expects)
      return fail(c, "'repeat' needs an 'expect request' before it");
    const bool terminal = c.op == PeerOp::close || c.op == PeerOp::reset ||
                          c.op == PeerOp::hang || c.op == PeerOp::repeat;
    if (terminal && i + 1 < script.commands.size())
      return fail(script.commands[i + 1],
                  std::string("unreachable: comes after '") + to_string(c.op) + "'");
  }
  return true;
}

}  // namespace

bool parse_h2_error_code(std::string_view text, std::uint32_t& out) {
#define MS_X(name, code)       \
  if (text == #name) {         \
    out = code;                \
    return true;               \
  }
  MS_H2_ERROR_CODES(MS_X)
#undef MS_X
  std::uint64_t n = 0;
  if (!read_decimal(text, 0xffffffffULL, n)) return false;
  out = static_cast<std::uint32_t>(n);
  return true;
}

bool parse_duration(std::string_view text, Nanos& out) {
  constexpr std::int64_t kMaxNs = 100LL * 24 * 3600 * 1000 * 1000 * 1000;  // 100 days
  return read_duration(text, Nanos(kMaxNs), out) == DurationProblem::none;
}

bool parse_peer_script(std::string_view text, int first_line, PeerScript& out,
                       ScriptError& err) {
  out.commands.clear();
  int line_number = first_line;
  std::size_t start = 0;
  std::vector<TextToken> toks;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    TextError lexed;
    if (!lex_line(line, Tabs::blank, toks, lexed)) {
      err = ScriptError{line_number, lexed.column, lexed.reason};
      return false;
    }
    if (!toks.empty()) {
      PeerCommand cmd;
      Parser parser(line_number, err);
      Words words{toks, static_cast<int>(line.size()) + 1};
      if (!parser.parse_line(words, cmd)) return false;
      out.commands.push_back(std::move(cmd));
    }
    if (end == text.size()) break;
    start = end + 1;
    ++line_number;
  }
  return check_script(out, err, first_line);
}

}  // namespace ms::sim
