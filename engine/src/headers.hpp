// SPDX-License-Identifier: MIT
// headers.hpp: the response headers an easy handle keeps for ms_easy_header and
// ms_easy_nextheader (the transfer records them; the API reads them).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "multisock/multisock.h"

namespace ms {

class HeaderStore {
 public:
  // A new transfer of the handle: what the previous one received is forgotten.
  void clear() { lines_.clear(); }
  void add(std::string_view name, std::string_view value, unsigned origin, int request);

  MSHcode find(std::string_view name, std::size_t index, unsigned origin, int request, ms_header** out);
  ms_header* next(unsigned origin, int request, const ms_header* prev);

 private:
  struct Line {
    std::string name;
    std::string value;
    unsigned origin;
    int request;
  };
  // The request `request` names (-1: the last); -1 when there is no such request.
  int request_of(int request) const;
  bool matches(const Line& l, unsigned origin, int request) const {
    return (l.origin & origin) && l.request == request;
  }
  ms_header* hand_out(std::size_t at, unsigned origin);

  std::vector<Line> lines_;
  ms_header out_{};
};

}  // namespace ms
