// SPDX-License-Identifier: MIT
// multi_connections.cpp: the multi's connections: the idle pool and its bound, the
// connection limits' slots and the queue of transfers waiting for one (process_queue),
// and CONNECT_ONLY connections kept for their handle.
#include <algorithm>

#include "multi.hpp"
#include "transfer.hpp"

std::size_t ms_multi::idle_max() const {
  if (max_connects_ > 0) return static_cast<std::size_t>(max_connects_);
  return 4 * std::max<std::size_t>(1, added_.size());
}

std::unique_ptr<ms::Connection> ms_multi::pool_take(const std::string& key) {
  return pool_.take(key, *ports_.net);
}

void ms_multi::keep_connected(std::unique_ptr<ms::Connection> conn, ms::SocketUser* user, ms_easy* easy) {
  sockets_.drop(conn->fd, user);  // the application watches it now: REMOVE
  release_connected(easy);
  easy->connected_in = this;
  connected_[easy] = std::move(conn);
}

ms::Connection* ms_multi::connected(const ms_easy* easy) {
  const auto it = connected_.find(easy);
  return it == connected_.end() ? nullptr : it->second.get();
}

ms_socket_t ms_multi::connected_fd(const ms_easy* easy) {
  const ms::Connection* c = connected(easy);
  return c ? c->fd : MS_SOCKET_BAD;
}

void ms_multi::release_connected(ms_easy* easy) {
  const auto it = connected_.find(easy);
  if (it == connected_.end()) return;
  close_raw(it->second->fd, it->second->close_fn, it->second->close_data);
  connected_.erase(it);
  easy->connected_in = nullptr;
}

void ms_multi::pool_put(std::unique_ptr<ms::Connection> conn, ms::SocketUser* user) {
  sockets_.drop(conn->fd, user);  // idle connections are not watched: REMOVE now
  pool_.put(std::move(conn), idle_max());
}

ms::ConnLimits::Slot ms_multi::acquire_slot(const std::string& key) { return pool_.acquire_slot(key); }

void ms_multi::close_idle(ms::Connection& conn) { close_raw(conn.fd, conn.close_fn, conn.close_data); }

void ms_multi::enqueue(ms::Transfer* t) {
  if (queue_.contains(t)) return;  // already waiting: it keeps its place
  queue_.push_back(t);
}

void ms_multi::dequeue(ms::Transfer* t) { queue_.erase(t); }

void ms_multi::process_queue() {
  h2_release_waiters();
  const bool freed = pool_.limits().take_freed();
  const bool grew = pool_.take_grew();
  if (queue_.empty() || (!freed && !grew)) return;
  // As many queued transfers of a key leave for its idle connections as there are idle
  // connections, first come first served; the others of that key stay queued. (Letting all
  // of them go, they would find the pool empty and queue again: a pass over the whole queue
  // per freed connection, quadratic in the queue's length.)
  struct Idle {
    std::size_t left = 0;
    bool any = false;
  };
  std::map<std::string, Idle> idle;
  std::size_t unclaimed = pool_.idle_total();
  for (ms::Transfer *t = queue_.front(), *next = nullptr; t; t = next) {
    next = queue_.next(t);
    // Every idle connection is spoken for and no slot is left: nobody further down can go
    // (a pass over the rest of the queue would find that out one transfer at a time).
    if (unclaimed == 0 && pool_.limits().total_full()) break;
    if (t->pipewaiting()) continue;  // waits for a connection that may multiplex, not for a slot
    const std::string& key = t->pool_key();
    auto [entry, fresh] = idle.try_emplace(key);
    if (fresh) {
      entry->second.left = pool_.idle_count(key);
      entry->second.any = entry->second.left > 0;
    }
    const bool pooled = entry->second.left > 0;
    if (pooled) {
      --entry->second.left;
      --unclaimed;
    } else if (entry->second.any) {
      continue;  // those ahead of it took the idle connections of its key
    }
    ms::ConnLimits::Slot slot;
    if (!pooled) {
      slot = pool_.acquire_slot(key);
      if (!slot) continue;
    }
    queue_.erase(t);
    t->leave_queue(std::move(slot));
  }
  pool_.limits().take_freed();  // what this pass closed to make room is already accounted for
}
