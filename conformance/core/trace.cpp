// SPDX-License-Identifier: MIT
// trace.cpp: JSON-lines form of a trace, and its hash.
//
// The format is a deliberately small subset of JSON, written and read here by hand so that
// the round trip is exact and every error names its line and column: one flat object per
// line, keys in the fixed order below, values are integers or strings, fields at their
// default value are left out (kind and t are always written). Strings escape '"', '\' and
// every byte outside 0x20..0x7e as \u00XX, so any byte string survives unchanged.
#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <limits>
#include <string_view>

#include "conformance/sha256.hpp"
#include "conformance/trace.hpp"
#include "reports/words.hpp"

namespace ms::conf {
namespace {

const char* const kKindNames[] = {
#define MS_X(name) #name,
    MS_EVENT_KINDS(MS_X)
#undef MS_X
};
constexpr int kKindCount = sizeof(kKindNames) / sizeof(kKindNames[0]);
// Their lengths, for the line writer (no strlen per event).
constexpr std::size_t kKindSizes[] = {
#define MS_X(name) sizeof #name - 1,
    MS_EVENT_KINDS(MS_X)
#undef MS_X
};

void put_string(std::string& out, std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  out += '"';
  std::size_t plain = 0;  // start of the run of bytes written as they are
  for (std::size_t k = 0; k < s.size(); ++k) {
    const auto c = static_cast<unsigned char>(s[k]);
    if (c != '"' && c != '\\' && c >= 0x20 && c <= 0x7e) continue;
    out.append(s.substr(plain, k - plain));
    plain = k + 1;
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  out.append(s.substr(plain));
  out += '"';
}

// Field order is the file format: never reorder, only append.
enum Field { F_KIND, F_T, F_EASY, F_FD, F_MASK, F_ACTION, F_SOCKETP, F_RESULT, F_RUNNING,
             F_VALUE, F_CODE, F_TEXT, F_COUNT };
// The key names live in reports/words.hpp, where the report readers find them too.
const char* const* const kFieldNames = ms::reports::kEventKeys;
static_assert(std::size(ms::reports::kEventKeys) == F_COUNT);

class LineParser {
 public:
  LineParser(const std::string& line, int line_no, std::string* error)
      : s_(line), line_(line_no), error_(error) {}

  bool parse(Event& ev) {
    bool seen[F_COUNT] = {};
    int last = -1;
    skip_ws();
    if (!expect('{')) return false;
    skip_ws();
    if (peek() == '}') return fail("empty object: \"kind\" is required");
    for (;;) {
      skip_ws();
      std::string key;
      std::size_t key_col = pos_;
      if (!read_string(key)) return false;
      int f = -1;
      for (int i = 0; i < F_COUNT; ++i) {
        if (key == kFieldNames[i]) f = i;
      }
      if (f < 0) return fail_at(key_col, "unknown key \"" + key + "\"");
      if (seen[f]) return fail_at(key_col, "duplicate key \"" + key + "\"");
      if (f < last) return fail_at(key_col, "key \"" + key + "\" out of the fixed order");
      seen[f] = true;
      last = f;
      skip_ws();
      if (!expect(':')) return false;
      skip_ws();
      if (!read_value(static_cast<Field>(f), ev)) return false;
      skip_ws();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (!expect('}')) return false;
      break;
    }
    skip_ws();
    if (pos_ != s_.size()) return fail("text after the closing brace");
    if (!seen[F_KIND]) return fail("missing \"kind\"");
    return true;
  }

 private:
  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  void skip_ws() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\r')) ++pos_;
  }
  bool fail(const std::string& why) { return fail_at(pos_, why); }
  bool fail_at(std::size_t col, const std::string& why) {
    if (error_ != nullptr) {
      *error_ = "line " + std::to_string(line_) + ", column " + std::to_string(col + 1) +
                ": " + why;
    }
    return false;
  }
  bool expect(char c) {
    if (peek() != c) {
      return fail(std::string("expected '") + c + "'" +
                  (pos_ < s_.size() ? "" : " before the end of the line"));
    }
    ++pos_;
    return true;
  }
  static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }
  bool read_string(std::string& out) {
    if (!expect('"')) return false;
    for (;;) {
      if (pos_ >= s_.size()) return fail("unterminated string");
      char c = s_[pos_++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) return fail("raw control byte in a string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= s_.size()) return fail("unterminated escape");
      char e = s_[pos_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          if (pos_ + 4 > s_.size()) return fail("short \\u escape");
          int v = 0;
          for (int i = 0; i < 4; ++i) {
            int h = hexval(s_[pos_ + i]);
            if (h < 0) return fail("bad hex digit in \\u escape");
            v = v * 16 + h;
          }
          if (v > 0xff) return fail("\\u escape above \\u00ff (texts are byte strings)");
          pos_ += 4;
          out += static_cast<char>(v);
          break;
        }
        default: return fail(std::string("unknown escape \\") + e);
      }
    }
  }
  bool read_int(long long lo, long long hi, long long& v) {
    std::size_t start = pos_;
    if (peek() == '"') return fail("expected a number, got a string");
    const char* b = s_.data() + pos_;
    const char* e = s_.data() + s_.size();
    auto [p, ec] = std::from_chars(b, e, v);
    if (ec == std::errc::result_out_of_range) return fail_at(start, "number out of range");
    if (ec != std::errc() || p == b) return fail_at(start, "expected an integer");
    if (*b == '0' && p - b > 1) return fail_at(start, "leading zero");
    if (*b == '-' && p - b > 2 && b[1] == '0') return fail_at(start, "leading zero");
    if (p < e && (*p == '.' || *p == 'e' || *p == 'E')) return fail_at(start, "expected an integer");
    pos_ += static_cast<std::size_t>(p - b);
    if (v < lo || v > hi) return fail_at(start, "number out of range");
    return true;
  }
  bool read_value(Field f, Event& ev) {
    constexpr long long kIntMin = std::numeric_limits<int>::min();
    constexpr long long kIntMax = std::numeric_limits<int>::max();
    long long v = 0;
    std::size_t col = pos_;
    switch (f) {
      case F_KIND: {
        std::string k;
        if (!read_string(k)) return false;
        if (!event_kind_from_string(k, ev.kind)) return fail_at(col, "unknown kind \"" + k + "\"");
        return true;
      }
      case F_TEXT: return read_string(ev.text);
      case F_T:
        if (!read_int(std::numeric_limits<std::int64_t>::min(),
                      std::numeric_limits<std::int64_t>::max(), v))
          return false;
        ev.time_ns = v;
        return true;
      case F_VALUE:
        if (!read_int(std::numeric_limits<long>::min(), std::numeric_limits<long>::max(), v))
          return false;
        ev.value = static_cast<long>(v);
        return true;
      default: break;
    }
    if (!read_int(kIntMin, kIntMax, v)) return false;
    int iv = static_cast<int>(v);
    switch (f) {
      case F_EASY: ev.easy = iv; break;
      case F_FD: ev.fd = iv; break;
      case F_MASK: ev.mask = iv; break;
      case F_ACTION: ev.action = iv; break;
      case F_SOCKETP: ev.socketp = iv; break;
      case F_RESULT: ev.result = iv; break;
      case F_RUNNING: ev.running = iv; break;
      case F_CODE: ev.code = iv; break;
      default: break;
    }
    return true;
  }

  const std::string& s_;
  std::size_t pos_ = 0;
  int line_;
  std::string* error_;
};

}  // namespace

const char* to_string(EventKind k) {
  int i = static_cast<int>(k);
  return i >= 0 && i < kKindCount ? kKindNames[i] : "?";
}

bool event_kind_from_string(const std::string& s, EventKind& out) {
  for (int i = 0; i < kKindCount; ++i) {
    if (s == kKindNames[i]) {
      out = static_cast<EventKind>(i);
      return true;
    }
  }
  return false;
}

namespace {

struct FlagWord {
  EventFlag flag;
  std::string_view word;
};
constexpr FlagWord kFlagWords[] = {
#define MS_X(name, bit, word) {EventFlag::name, word},
    MS_EVENT_FLAGS(MS_X)
#undef MS_X
};

// Takes the leading flag words of a text read from the JSON form (in the table's order,
// each at most once) into flags, so that writing the event back gives the same text.
void take_flags(Event& e) {
  std::size_t at = 0;
  std::size_t next_flag = 0;
  while (at < e.text.size()) {
    const std::size_t end = std::min(e.text.find(' ', at), e.text.size());
    const std::string_view w(e.text.data() + at, end - at);
    std::size_t k = next_flag;
    while (k < std::size(kFlagWords) && kFlagWords[k].word != w) ++k;
    if (k == std::size(kFlagWords)) break;
    e.flags |= kFlagWords[k].flag;
    next_flag = k + 1;
    at = end == e.text.size() ? end : end + 1;
    if (end == e.text.size()) break;
  }
  e.text.erase(0, at);
}

}  // namespace

std::string Event::flagged_text() const {
  if (flags == 0) return text;
  std::string out;
  for (const FlagWord& f : kFlagWords) {
    if (!has(f.flag)) continue;
    if (!out.empty()) out += ' ';
    out += f.word;
  }
  if (!text.empty()) out += ' ' + text;
  return out;
}

namespace {

// `,"key":` of each field, made once from the key names: a line's fixed part is then
// copied and printed into one stack buffer and appended to the text once, instead of a
// few appends per field (this line writer is what hashing a trace costs).
struct KeyPrefix {
  char text[16];
  std::size_t size;
};

const KeyPrefix* key_prefixes() {
  static const auto table = [] {
    std::array<KeyPrefix, F_COUNT> t{};
    for (int f = 0; f < F_COUNT; ++f) {
      const std::string s = std::string(",\"") + kFieldNames[f] + "\":";
      if (s.size() > sizeof t[f].text) std::abort();  // a key name longer than 12 bytes
      std::memcpy(t[f].text, s.data(), s.size());
      t[f].size = s.size();
    }
    return t;
  }();
  return table.data();
}

// One event as its line of the JSON form, appended to out.
void put_event(std::string& out, const Event& e) {
  static const Event d;  // defaults
  static const KeyPrefix* const keys = key_prefixes();
  // "{"kind":"<name>"" and ten integers of at most 20 characters with their keys.
  char line[32 + 10 * (16 + 24)];
  char* p = line;
  auto put_int_field = [&](Field f, auto v) {
    std::memcpy(p, keys[f].text, keys[f].size);
    p += keys[f].size;
    p = std::to_chars(p, line + sizeof line, v).ptr;
  };
  // Kind names are identifiers (MS_EVENT_KINDS): nothing in them needs an escape.
  const int kind_index = static_cast<int>(e.kind);
  const bool kind_known = kind_index >= 0 && kind_index < kKindCount;
  const char* kind = kind_known ? kKindNames[kind_index] : "?";
  const std::size_t kind_size = kind_known ? kKindSizes[kind_index] : 1;
  static constexpr char kKindKey[] = "{\"kind\":\"";
  std::memcpy(p, kKindKey, sizeof kKindKey - 1);
  p += sizeof kKindKey - 1;
  std::memcpy(p, kind, kind_size);
  p += kind_size;
  *p++ = '"';
  put_int_field(F_T, e.time_ns);
  if (e.easy != d.easy) put_int_field(F_EASY, e.easy);
  if (e.fd != d.fd) put_int_field(F_FD, e.fd);
  if (e.mask != d.mask) put_int_field(F_MASK, e.mask);
  if (e.action != d.action) put_int_field(F_ACTION, e.action);
  if (e.socketp != d.socketp) put_int_field(F_SOCKETP, e.socketp);
  if (e.result != d.result) put_int_field(F_RESULT, e.result);
  if (e.running != d.running) put_int_field(F_RUNNING, e.running);
  if (e.value != d.value) put_int_field(F_VALUE, e.value);
  if (e.code != d.code) put_int_field(F_CODE, e.code);
  out.append(line, static_cast<std::size_t>(p - line));
  if (e.flags != 0) {
    out += ",\"text\":";  // kFieldNames[F_TEXT]
    put_string(out, e.flagged_text());
  } else if (!e.text.empty()) {
    out += ",\"text\":";
    put_string(out, e.text);
  }
  out += "}\n";
}

}  // namespace

void append_jsonl(std::string& out, const Event& e) { put_event(out, e); }

std::string Trace::to_jsonl() const {
  std::string out;
  out.reserve(events.size() * 64);  // lines average 50-60 bytes: one allocation, no regrowth
  for (const Event& e : events) put_event(out, e);
  return out;
}

bool Trace::from_jsonl(const std::string& text, Trace& out, std::string* error) {
  Trace t;
  std::size_t start = 0;
  int line_no = 0;
  while (start < text.size()) {
    ++line_no;
    std::size_t nl = text.find('\n', start);
    std::size_t end = nl == std::string::npos ? text.size() : nl;
    std::string line = text.substr(start, end - start);
    start = nl == std::string::npos ? text.size() : nl + 1;
    if (line.find_first_not_of(" \t\r") == std::string::npos) {
      if (error != nullptr) *error = "line " + std::to_string(line_no) + ": empty line";
      return false;
    }
    Event ev;
    LineParser p(line, line_no, error);
    if (!p.parse(ev)) return false;
    if (ev.kind != EventKind::note) take_flags(ev);  // a note's text is all free
    t.events.push_back(std::move(ev));
  }
  out = std::move(t);
  return true;
}

struct TraceDigest::State {
  explicit State(Trace::LineVisitor lines) : each_line(std::move(lines)) { block.reserve(kBlock); }
  // Lines are gathered into blocks of about 64 KiB, each hashed at once.
  static constexpr std::size_t kBlock = std::size_t{1} << 16;
  Trace::LineVisitor each_line;
  Sha256 digest;
  std::string block;
  std::size_t index = 0;
};

TraceDigest::TraceDigest(Trace::LineVisitor each_line) : state_(std::make_unique<State>(std::move(each_line))) {}

TraceDigest::~TraceDigest() = default;

void TraceDigest::add(const Event& e) {
  State& s = *state_;
  const std::size_t line_start = s.block.size();
  put_event(s.block, e);
  if (s.each_line) s.each_line(s.index, std::string_view(s.block).substr(line_start));
  ++s.index;
  if (s.block.size() >= State::kBlock - 512) {
    s.digest.update(s.block);
    s.block.clear();
  }
}

std::string TraceDigest::finish() {
  State& s = *state_;
  if (!s.block.empty()) s.digest.update(s.block);
  s.block.clear();
  return s.digest.finish_hex();
}

std::string Trace::hash(const LineVisitor& each_line) const {
  TraceDigest digest(each_line);
  for (const Event& e : events) digest.add(e);
  return digest.finish();
}

}  // namespace ms::conf
