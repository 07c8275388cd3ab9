// SPDX-License-Identifier: MIT
// headers.cpp: the header store behind ms_easy_header / ms_easy_nextheader, and those two
// entry points. Lines are kept in arrival order; `amount` and `index` are counted over the
// lines of the same name (any case), origin and request at the time of the call, so a
// call made from inside a callback sees the headers received so far.
#include "headers.hpp"

#include "easy.hpp"
#include "http/ascii.hpp"
#include "registry.hpp"

namespace ms {

namespace {
std::string_view trimmed(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t' || v.back() == '\r' || v.back() == '\n'))
    v.remove_suffix(1);
  return v;
}
}  // namespace

void HeaderStore::add(std::string_view name, std::string_view value, unsigned origin, int request) {
  lines_.push_back(Line{std::string(name), std::string(trimmed(value)), origin, request});
}

int HeaderStore::request_of(int request) const {
  if (lines_.empty()) return -1;
  const int last = lines_.back().request;
  if (request < 0) return last;
  return request <= last ? request : -1;
}

ms_header* HeaderStore::hand_out(std::size_t at, unsigned origin) {
  const Line& l = lines_[at];
  std::size_t amount = 0, index = 0;
  for (std::size_t i = 0; i < lines_.size(); ++i) {
    if (!matches(lines_[i], origin, l.request) || !http::ascii_iequals(lines_[i].name, l.name)) continue;
    if (i < at) ++index;
    ++amount;
  }
  out_.name = const_cast<char*>(l.name.c_str());
  out_.value = const_cast<char*>(l.value.c_str());
  out_.amount = amount;
  out_.index = index;
  out_.origin = l.origin;
  out_.anchor = reinterpret_cast<void*>(at + 1);  // position + 1, never NULL
  return &out_;
}

MSHcode HeaderStore::find(std::string_view name, std::size_t index, unsigned origin, int request,
                          ms_header** out) {
  if (lines_.empty()) return MSHE_NOHEADERS;
  const int r = request_of(request);
  if (r < 0) return MSHE_NOREQUEST;
  std::size_t seen = 0;
  bool any = false;
  for (std::size_t i = 0; i < lines_.size(); ++i) {
    if (!matches(lines_[i], origin, r) || !http::ascii_iequals(lines_[i].name, name)) continue;
    any = true;
    if (seen++ == index) {
      *out = hand_out(i, origin);
      return MSHE_OK;
    }
  }
  return any ? MSHE_BADINDEX : MSHE_MISSING;
}

ms_header* HeaderStore::next(unsigned origin, int request, const ms_header* prev) {
  const int r = request_of(request);
  if (r < 0) return nullptr;
  std::size_t from = 0;
  if (prev) {
    // Only a struct this store handed out carries a position it can trust.
    if (prev != &out_) return nullptr;
    from = reinterpret_cast<std::size_t>(prev->anchor);
    if (from == 0 || from > lines_.size()) return nullptr;
  }
  for (std::size_t i = from; i < lines_.size(); ++i)
    if (matches(lines_[i], origin, r)) return hand_out(i, origin);
  return nullptr;
}

}  // namespace ms

namespace {
constexpr unsigned kOrigins = MSH_HEADER | MSH_TRAILER | MSH_CONNECT | MSH_1XX | MSH_PSEUDO;
}

extern "C" {

MSHcode ms_easy_header(ms_easy* easy, const char* name, size_t index, unsigned int origin, int request,
                       struct ms_header** hout) {
  if (!ms::registry::live(easy) || !name || !hout || origin == 0 || (origin & ~kOrigins) || request < -1)
    return MSHE_BAD_ARGUMENT;
  if (!easy->headers) return MSHE_NOHEADERS;
  return easy->headers->find(name, index, origin, request, hout);
}

struct ms_header* ms_easy_nextheader(ms_easy* easy, unsigned int origin, int request, struct ms_header* prev) {
  if (!ms::registry::live(easy) || origin == 0 || (origin & ~kOrigins) || request < -1) return nullptr;
  if (!easy->headers) return nullptr;
  return easy->headers->next(origin, request, prev);
}

}  // extern "C"
