// SPDX-License-Identifier: MIT
// test_handle.hpp: an easy handle that collects its body and headers, and the DONE results of
// a multi, for tests that drive the engine through its C API (over fake ports or simnet).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "multisock/multisock.h"

namespace ms::test {

inline size_t collect(char* p, size_t size, size_t n, void* userp) {
  static_cast<std::string*>(userp)->append(p, size * n);
  return size * n;
}

struct Handle {
  ms_easy* e = ms_easy_init();
  std::string body;
  std::string headers;
  char error[MS_ERROR_SIZE] = {};
  explicit Handle(const std::string& url) {
    ms_easy_setopt(e, MSOPT_URL, url.c_str());
    ms_easy_setopt(e, MSOPT_WRITEFUNCTION, &collect);
    ms_easy_setopt(e, MSOPT_WRITEDATA, &body);
    ms_easy_setopt(e, MSOPT_HEADERFUNCTION, &collect);
    ms_easy_setopt(e, MSOPT_HEADERDATA, &headers);
    ms_easy_setopt(e, MSOPT_ERRORBUFFER, error);
  }
  ~Handle() { ms_easy_cleanup(e); }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  long info_long(MSINFO i) {
    long v = -1;
    ms_easy_getinfo(e, i, &v);
    return v;
  }
};

// Reads every message: (handle, result) in the order they were read.
inline std::vector<std::pair<ms_easy*, MSEcode>> drain(ms_multi* m) {
  std::vector<std::pair<ms_easy*, MSEcode>> out;
  int left = 0;
  while (MSMsg* msg = ms_multi_info_read(m, &left)) out.emplace_back(msg->easy_handle, msg->data.result);
  return out;
}

// Adds h to app's multi, runs app until nothing moves, and returns the transfer's result:
// exactly one DONE is expected (MSE_LAST when there was none).
template <class App>
MSEcode add_and_run(App& app, Handle& h) {
  EXPECT_EQ(ms_multi_add_handle(app.multi, h.e), MSM_OK);
  app.run();
  const auto msgs = drain(app.multi);
  EXPECT_EQ(msgs.size(), 1u);
  return msgs.empty() ? MSE_LAST : msgs[0].second;
}

}  // namespace ms::test
