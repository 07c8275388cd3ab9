// SPDX-License-Identifier: MIT
// multi.hpp: the multi handle (see the "how it works" note at the top of multi.cpp).
#pragma once

#include <cstdarg>
#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "conn_limits.hpp"
#include "connection.hpp"
#include "connection_pool.hpp"
#include "easy.hpp"
#include "linked_list.hpp"
#include "multisock/engine.hpp"
#include "multisock/multisock.h"
#include "multisock/port.h"
#include "socket_table.hpp"
#include "timer_queue.hpp"
#include "tls_contexts.hpp"
#include "transfer_host.hpp"

namespace ms {
class Transfer;
}

struct ms_multi final : ms::SocketNotifier, ms::TransferHost, ms::ConnectionPool::Closer {
  ms_multi(const ms::port::Ports& ports, ms::Mutant mutant);
  ~ms_multi() override;
  ms_multi(const ms_multi&) = delete;
  ms_multi& operator=(const ms_multi&) = delete;

  // ---- API (handles already validated by api.cpp) ----
  MSMcode add_handle(ms_easy* easy);
  MSMcode remove_handle(ms_easy* easy);
  MSMcode setopt(MSMoption option, va_list args);
  MSMcode socket_action(int fd, int mask, int* running);
  MSMcode socket_all(int* running);
  // The classic loop (multi_classic.cpp).
  MSMcode perform(int* running);
  MSMcode wait(ms_waitfd* extra, unsigned extra_count, int timeout_ms, int* numfds, bool poll);
  MSMcode wakeup();  // any thread
  MSMcode fdset(fd_set* read_set, fd_set* write_set, int* max_fd);
  MSMcode assign(int fd, void* socketp);
  MSMcode timeout(long* milliseconds);
  MSMsg* info_read(int* msgs_in_queue);
  MSMcode cleanup();  // detaches every handle; the caller deletes the multi
  void pause_changed(ms_easy* easy);
  // Whether an application callback of this multi is running (recursion guard):
  // in_callback(), from TransferHost.
  bool refuses_recursion() const;

  // ---- TransferHost (what a transfer may ask of its multi) ----
  ms::port::Nanos now() const override { return now_; }
  ms::port::Net& net() override { return *ports_.net; }
  ms::port::Resolver& resolver() override { return *ports_.resolver; }
  ms::Mutant mutant() const override { return mutant_; }
  void watch(int fd, ms::SocketUser* user, ms_easy* easy, int want) override { sockets_.watch(fd, user, easy, want); }
  void drop(int fd, ms::SocketUser* user) override { sockets_.drop(fd, user); }
  void close_socket(int fd, ms::SocketUser* user, ms_closesocket_callback fn, void* data) override;
  void set_deadline(ms_easy& easy, std::optional<ms::port::Nanos> at) override;
  void transfer_done(ms_easy* easy, MSEcode result) override;
  std::unique_ptr<ms::Connection> pool_take(const std::string& key) override;
  void pool_put(std::unique_ptr<ms::Connection> conn, ms::SocketUser* user) override;
  void keep_connected(std::unique_ptr<ms::Connection> conn, ms::SocketUser* user, ms_easy* easy) override;
  // The CONNECT_ONLY connection this multi holds for easy (nullptr: none), its descriptor
  // (MS_SOCKET_BAD: none), and closing it (ms_easy_cleanup, the handle's next transfer).
  ms::Connection* connected(const ms_easy* easy);
  ms_socket_t connected_fd(const ms_easy* easy);
  void release_connected(ms_easy* easy);
  std::uint64_t next_connection_id() override { return ++connection_ids_; }
  // HTTP/2 connections in use (multi_h2.cpp).
  bool h2_multiplex() const override { return (pipelining_ & MSPIPE_MULTIPLEX) != 0; }
  long h2_max_streams() const override { return max_concurrent_streams_; }
  ms::Connection* h2_find(const std::string& key) override;
  ms::Connection* h2_adopt(std::unique_ptr<ms::Connection> conn) override;
  void h2_idle(ms::Connection& conn) override;
  void h2_pending(const std::string& key, bool on) override;
  bool h2_pending_to(const std::string& key) const override { return h2_pending_.count(key) != 0; }
  // MAX_HOST/MAX_TOTAL_CONNECTIONS: a slot for a new connection to key, closing idle
  // connections if that makes room; empty when the limits say wait.
  ms::ConnLimits::Slot acquire_slot(const std::string& key) override;
  // Transfers waiting for a slot, first come first served (they count as running).
  void enqueue(ms::Transfer* t) override;
  void dequeue(ms::Transfer* t) override;
  std::byte* scratch() override { return scratch_.get(); }
  std::size_t scratch_size() const override { return kScratchBytes; }
  std::string& line_scratch() override { return line_; }
  ms::TlsContexts& tls_contexts() override { return tls_contexts_; }
  const ms::port::Ports& ports() const { return ports_; }

  // SocketNotifier
  void tell_socket(ms_easy* easy, int fd, int action, void* socketp) override;
  // ConnectionPool::Closer
  void close_idle(ms::Connection& conn) override;

 private:
  void enter() { now_ = ports_.clock->now(); }
  void dispatch(int fd, int mask);
  void run_timers();
  void update_timer(bool force);
  MSMcode finish_call(bool force_timer);
  void abort_all();
  // The transfer of an added handle, made now if it has not started (see add_handle).
  ms::Transfer& transfer_of(ms_easy* easy);
  void process_queue();  // hands freed slots (and pooled connections) to waiting transfers
  void close_raw(int fd, ms_closesocket_callback fn, void* data);
  long ms_until(ms::port::Nanos at) const;
  std::size_t idle_max() const;
  // OR of what the users of a descriptor wait for (MS_POLL_IN / OUT bits).
  static int interest(const ms::SocketTable::Entry& entry);

  ms::port::Ports ports_;
  ms::Mutant mutant_;
  std::map<const ms_easy*, std::unique_ptr<ms::Connection>> connected_;  // CONNECT_ONLY
  ms::port::Nanos now_{};

  ms_socket_callback socket_fn_ = nullptr;
  // MSMOPT_PIPELINING (libcurl's default: multiplex) and MSMOPT_PUSHFUNCTION/DATA: kept
  // for the application; HTTP/1.1 never multiplexes nor carries a push (multisock.h).
  long pipelining_ = MSPIPE_MULTIPLEX;
  long max_concurrent_streams_ = 100;  // MSMOPT_MAX_CONCURRENT_STREAMS (libcurl's default)
  // HTTP/2 connections with streams in use, by connection id (creation order), each with
  // its session; idle ones are in pool_ like any other. h2_room_: a stream ended or a
  // session started, so queued transfers may find room on one (process_queue).
  std::map<std::uint64_t, std::unique_ptr<ms::Connection>> h2_live_;
  bool h2_room_ = false;
  std::map<std::string, int> h2_pending_;  // key -> connections being made that may speak HTTP/2
  void h2_release_waiters();               // process_queue's part for HTTP/2 (multi_h2.cpp)
  void h2_close_all();                     // cleanup's part for HTTP/2
  ms_push_callback push_fn_ = nullptr;
  void* push_data_ = nullptr;
  void* socket_data_ = nullptr;
  ms_multi_timer_callback timer_fn_ = nullptr;
  void* timer_data_ = nullptr;
  long max_connects_ = 0;  // 0: 4 x added handles
  long max_host_connections_ = 0;
  long max_total_connections_ = 0;

  ms::SocketTable sockets_;
  // One deadline per added handle: its transfer's earliest, or its start while it has none.
  ms::TimerQueue<ms_easy> timers_;
  std::optional<ms::port::Nanos> timer_told_;  // deadline of the last timer callback; none: -1
  // When the application's timer expires after the last callback: its time plus the value
  // told, in whole milliseconds (what the application holds).
  ms::port::Nanos timer_expires_{};
  // Whether the timer callback now set was told timer_told_: a callback set (or given new
  // data) since holds no timer, nor does one told -1.
  bool timer_held_ = false;
  std::vector<ms_easy*> due_;                  // reused by run_timers
  // Handles whose transfer finished during this API call: at its end (outside every
  // callback, with no transfer's code on the stack) the transfer goes, so a finished
  // handle left added holds its results (ms_easy::info) and not the exchange's state.
  std::vector<ms_easy*> finished_;
  void free_finished_transfers();
  void forget_finished(ms_easy* easy);

  // The added handles in order of addition (so by sequence number).
  struct AddedField {
    template <class T>
    static ms::Links<T>& of(T& easy) { return easy.added; }
  };
  ms::LinkedList<ms_easy, AddedField> added_;
  std::uint64_t next_seq_ = 0;
  int running_ = 0;
  std::list<MSMsg> messages_;
  MSMsg last_msg_{};
  std::uint64_t done_count_ = 0;

  // Transfers waiting for a connection slot, first come first served.
  struct QueueField {
    template <class T>
    static ms::Links<T>& of(T& transfer) { return transfer.queue_links; }
  };
  ms::LinkedList<ms::Transfer, QueueField> queue_;
  ms::ConnectionPool pool_;  // idle connections and the connection limits
  std::uint64_t connection_ids_ = 0;

  bool aborted_ = false;   // a callback returned -1 during this call
  bool aborting_ = false;  // ending everything after an abort: further -1 are moot

  // ms_multi_wakeup's descriptor, opened by the first poll or wakeup; the mutex makes
  // that opening and the signal safe against a wakeup from another thread.
  std::mutex wakeup_mutex_;
  int wakeup_fd_ = -1;
  std::vector<ms::port::WaitFd> wait_fds_;  // reused by wait()

  ms::TlsContexts tls_contexts_;  // a context per trust setting; each connection holds a reference
  // One receive call per 64 KiB: a bulk download spends its time in the kernel, per call.
  static constexpr std::size_t kScratchBytes = 64 * 1024;
  std::unique_ptr<std::byte[]> scratch_;
  std::string line_;
};
