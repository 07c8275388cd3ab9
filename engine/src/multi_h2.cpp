// SPDX-License-Identifier: MIT
// multi_h2.cpp: the multi's keeping of HTTP/2 connections. A connection that speaks
// HTTP/2 leaves its first transfer for h2_live_ (transfers on it hold a plain pointer);
// when its last stream ends, the session hands it back (h2_idle) and it goes to the idle
// pool like an HTTP/1.1 connection (REMOVE told), or is closed when it cannot serve again.
#include "h2_session.hpp"
#include "multi.hpp"
#include "transfer.hpp"

ms::Connection* ms_multi::h2_find(const std::string& key) {
  for (auto& [id, conn] : h2_live_) {
    (void)id;
    if (conn->pool_key == key && conn->h2->can_take()) return conn.get();
  }
  return nullptr;
}

ms::Connection* ms_multi::h2_adopt(std::unique_ptr<ms::Connection> conn) {
  ms::Connection* c = conn.get();
  h2_live_[c->id] = std::move(conn);
  h2_room_ = true;
  return c;
}

void ms_multi::h2_idle(ms::Connection& conn) {
  const auto it = h2_live_.find(conn.id);
  if (it == h2_live_.end()) return;
  std::unique_ptr<ms::Connection> c = std::move(it->second);
  h2_live_.erase(it);
  h2_room_ = true;
  ms::H2Session* session = c->h2.get();
  session->release_pending();
  if (session->reusable()) {
    pool_put(std::move(c), session);
    return;
  }
  close_socket(c->fd, session, c->close_fn, c->close_data);
}

void ms_multi::h2_pending(const std::string& key, bool on) {
  if (on) {
    ++h2_pending_[key];
    return;
  }
  h2_room_ = true;  // a connection to key is confirmed, or gone: its waiters look again
  const auto it = h2_pending_.find(key);
  if (it != h2_pending_.end() && --it->second == 0) h2_pending_.erase(it);
}

void ms_multi::h2_release_waiters() {
  if (!h2_room_) return;
  h2_room_ = false;
  // A queued transfer leaves when a live HTTP/2 connection to its key has room, or when
  // it waits for one (PIPEWAIT) that is no longer coming. Queue order is kept.
  for (ms::Transfer *t = queue_.front(), *next = nullptr; t; t = next) {
    next = queue_.next(t);
    const std::string& key = t->pool_key();
    if (h2_find(key) == nullptr && !(t->pipewaiting() && !h2_pending_to(key))) continue;
    queue_.erase(t);
    t->leave_queue(ms::ConnLimits::Slot());
  }
}

void ms_multi::h2_close_all() {
  // Their transfers were cancelled first, so normally none is left; whatever is, closes.
  for (auto& [id, c] : h2_live_) {
    (void)id;
    close_socket(c->fd, c->h2.get(), c->close_fn, c->close_data);
  }
  h2_live_.clear();
  h2_pending_.clear();
}
