// SPDX-License-Identifier: MIT
// driver_misuse.cpp: the policies that misuse the API on purpose: calls with a wrong handle or
// a null multi, handles a nested add wrongly accepted, transfers removed and re-added.
#include "driver_impl.hpp"

namespace ms::conf {

void Driver::Impl::misuse() {
  note("misuse");
  Event e;
  switch (rng.below(5)) {
    case 0: {  // assign on a descriptor that is not registered
      const int fd = 3 + static_cast<int>(rng.below(64));
      if (regs.find(fd)) return;
      e.kind = EventKind::assign;
      e.fd = fd;
      in_call = true;
      e.result = traced("multi_assign", "", [&] { return api.multi_assign(multi, fd, nullptr); });
      in_call = false;
      break;
    }
    case 1:  // add NULL
      e.kind = EventKind::add_handle;
      in_call = true;
      e.result = traced("multi_add_handle", "(multi, NULL)", [&] { return api.multi_add_handle(multi, nullptr); });
      in_call = false;
      break;
    case 2: {  // add a handle that is already added
      std::vector<Transfer*> live;
      for (auto& t : transfers)
        if (t->added && !t->removed) live.push_back(t.get());
      if (live.empty()) return;
      Transfer* t = live[rng.below(live.size())];
      e.kind = EventKind::add_handle;
      e.easy = t->easy_id;
      in_call = true;
      e.result = traced("multi_add_handle", "", [&] { return api.multi_add_handle(multi, t->easy); });
      in_call = false;
      break;
    }
    case 3: {  // a call on a NULL multi handle
      long ms = -2;
      e.kind = EventKind::timeout_query;
      e.flags = EventFlag::bad_multi;
      in_call = true;
      e.result = traced("multi_timeout", "(NULL, ...)", [&] { return api.multi_timeout(nullptr, &ms); });
      in_call = false;
      e.value = ms;
      break;
    }
    default: {  // remove a handle that was never added
      int id = 0;
      void* spare = new_easy(id);
      if (!spare) return;
      e.kind = EventKind::remove_handle;
      e.easy = id;
      in_call = true;
      e.result = traced("multi_remove_handle", "", [&] { return api.multi_remove_handle(multi, spare); });
      traced("easy_cleanup", "", [&] { api.easy_cleanup(spare); });
      in_call = false;
      easy_ids.erase(spare);
      break;
    }
  }
  ++out.api_calls;
  record(e);
}

void Driver::Impl::null_multi_call() {
  Event e;
  e.flags = EventFlag::bad_multi;
  int r = -1;
  // The socket calls come last: where one crashes, the calls before it were graded.
  static constexpr int kOrder[8] = {7, 4, 5, 6, 3, 2, 0, 1};
  const int which = kOrder[null_next];
  null_next = (null_next + 1) % 8;
  Transfer* live = nullptr;
  for (auto& t : transfers)
    if (t->easy && t->added && !t->removed) {
      live = t.get();
      break;
    }
  const int fd = regs.empty() ? MS_SOCKET_TIMEOUT : regs.nth(0);
  in_call = true;
  switch (which) {
    case 0:
      e.kind = EventKind::socket_action;
      e.fd = MS_SOCKET_TIMEOUT;
      e.result = traced("multi_socket_action", "(NULL, CURL_SOCKET_TIMEOUT, 0, ...)",
                        [&] { return api.multi_socket_action(nullptr, MS_SOCKET_TIMEOUT, 0, &r); });
      break;
    case 1:
      e.kind = EventKind::socket_action;
      e.fd = fd;
      e.mask = MS_CSELECT_IN;
      e.result = traced("multi_socket_action", "(NULL, fd, CSELECT_IN, ...)",
                        [&] { return api.multi_socket_action(nullptr, fd, MS_CSELECT_IN, &r); });
      break;
    case 2:
      if (!api.multi_socket) break;
      e.kind = EventKind::socket_legacy;
      e.fd = fd;
      e.result = traced("multi_socket", "(NULL, ...)", [&] { return api.multi_socket(nullptr, fd, &r); });
      break;
    case 3:
      if (!api.multi_socket_all) break;
      e.kind = EventKind::socket_all;
      e.result = traced("multi_socket_all", "(NULL, ...)", [&] { return api.multi_socket_all(nullptr, &r); });
      break;
    case 4:
      e.kind = EventKind::assign;
      e.fd = fd;
      e.result = traced("multi_assign", "(NULL, ...)", [&] { return api.multi_assign(nullptr, fd, nullptr); });
      break;
    case 5: {
      int id = 0;
      void* spare = new_easy(id);
      if (!spare) break;
      e.kind = EventKind::add_handle;
      e.easy = id;
      e.result = traced("multi_add_handle", "(NULL, ...)", [&] { return api.multi_add_handle(nullptr, spare); });
      traced("easy_cleanup", "", [&] { api.easy_cleanup(spare); });
      easy_ids.erase(spare);
      break;
    }
    case 6:
      if (!live) break;
      e.kind = EventKind::remove_handle;
      e.easy = live->easy_id;
      e.result = traced("multi_remove_handle", "(NULL, ...)",
                        [&] { return api.multi_remove_handle(nullptr, live->easy); });
      break;
    default: {
      int left = -1;
      e.kind = EventKind::info_read;
      MSMsg* m = traced("multi_info_read", "(NULL, ...)", [&] { return api.multi_info_read(nullptr, &left); });
      e.value = left;
      e.easy = m ? -1 : 0;  // a message from no multi: never read through
      break;
    }
  }
  in_call = false;
  if (e.kind == EventKind::note) return;  // the target lacks that call
  e.running = r;
  ++out.api_calls;
  record(e);
}

void Driver::Impl::drop_spares() {
  for (void* spare : spares) {
    const int id = easy_id(spare);
    ++out.api_calls;
    in_call = true;
    Event e;
    e.kind = EventKind::remove_handle;
    e.easy = id;
    e.result = traced("multi_remove_handle", "", [&] { return api.multi_remove_handle(multi, spare); });
    record(e);
    enter("easy_cleanup");
    traced("easy_cleanup", "", [&] { api.easy_cleanup(spare); });
    leave();
    in_call = false;
    easy_ids.erase(spare);
  }
  spares.clear();
}

void Driver::Impl::remove_random() {
  std::vector<Transfer*> live;
  for (auto& t : transfers)
    if (t->added && !t->removed && !t->result.done && !t->churned) live.push_back(t.get());
  if (live.empty()) return;
  Transfer* t = live[rng.below(live.size())];
  t->churned = true;  // once each, so that every transfer can still finish
  note("remove-random " + t->spec->id);
  remove_transfer(*t);
  readd.emplace_back(env.now() + std::chrono::milliseconds(1 + rng.below(500)), t);
}

}  // namespace ms::conf
