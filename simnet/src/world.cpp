// SPDX-License-Identifier: MIT
// world.cpp: the simulated universe.
//
// How it works:
//  - Time is an integer nanosecond counter that only advance_to() moves. Everything that
//    happens later is an Event in one binary heap ordered by (time, insertion sequence):
//    connect completions, segment arrivals, peer wake-ups, DNS answers, injected errors.
//    Events name their object by (slot index, generation), so an event for a socket or a
//    connection that was closed in the meantime finds a newer generation and does nothing.
//  - Descriptors: one table, lowest free number first (a min-heap of free numbers), 0-2
//    taken by "stdio". Client sockets and pending DNS lookups share the table, as the
//    engine expects of a kernel.
//  - A connection is two Streams (client->peer "up", peer->client "down"). A stream's ring
//    buffer holds every byte sent and not yet read by the far end, so its capacity (the
//    link's send buffer) is what makes a sender block when the reader does not read.
//    Each send becomes a Segment with an arrival time: after the previous segment has
//    left (bandwidth serialises them), plus latency, never before the previous arrival
//    (TCP keeps order). FIN and RST travel as empty segments in the same order.
//  - The peer side is a PeerRunner (peer_script.cpp). Arrived bytes wait in the up
//    stream until the script asks for a request, then the peer takes all of them; it
//    writes through the same stream machinery. When the client reads and
//    frees space, the peer is woken by an event at the current time, never re-entered
//    from inside the engine's recv().
//  - Faults are drawn from the world's one PRNG: per connect (refuse, drop, reset or
//    half close after k bytes, a pending socket error at a later time), per call (short
//    read/write) or per segment (extra latency). Probability 0 draws nothing.
//  - Readiness is computed from state on demand; every state change that could alter it
//    marks the descriptor dirty once, and drain_ready_changes() hands the list out.
#include "simnet/world.hpp"

#include <algorithm>
#include <cstring>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>

namespace ms::sim {

using port::Family;
using port::IoResult;
using port::kError;
using port::kReadable;
using port::kWritable;
using port::Nanos;

const char* to_string(FaultKind k) {
  switch (k) {
#define MS_X(name) \
  case FaultKind::name: \
    return #name;
    MS_FAULT_KINDS(MS_X)
#undef MS_X
  }
  return "?";
}

namespace {

// Byte ring of a fixed capacity: the bytes of one direction not yet read by the far end.
// Its memory is what it holds: storage grows (doubling, never zero-filled) up to the
// capacity and is given back whenever the ring empties, so ten thousand idle connections
// cost nothing and the world's memory follows the bytes in flight; only the capacity is
// ever visible to the simulation.
class ByteRing {
 public:
  void reset(std::size_t capacity) {
    capacity_ = capacity;
    release();
  }
  std::size_t size() const { return size_; }
  std::size_t space() const { return capacity_ - size_; }
  void push(const std::byte* data, std::size_t n) {
    if (n == 0) return;
    make_room(size_ + n);
    std::size_t tail = (head_ + size_) % allocated_;
    const std::size_t first = std::min(n, allocated_ - tail);
    std::memcpy(buf_.get() + tail, data, first);
    if (n > first) std::memcpy(buf_.get(), data + first, n - first);
    size_ += n;
  }
  // Removes n bytes from the front, copying them to out unless out is null.
  void pop(std::byte* out, std::size_t n) {
    if (n == 0) return;
    if (out != nullptr) peek(out, n);
    head_ = (head_ + n) % allocated_;
    size_ -= n;
    if (size_ == 0) release();
  }
  void clear() { release(); }
  // Copies n bytes from the front without removing them.
  void peek(std::byte* out, std::size_t n) const {
    if (n == 0) return;
    const std::size_t first = std::min(n, allocated_ - head_);
    std::memcpy(out, buf_.get() + head_, first);
    if (n > first) std::memcpy(out + first, buf_.get(), n - first);
  }

 private:
  void release() {
    buf_.reset();
    allocated_ = head_ = size_ = 0;
  }
  // Grows the storage (doubling, at most to the capacity) so `need` bytes fit.
  void make_room(std::size_t need) {
    if (need <= allocated_) return;
    const std::size_t grown = std::min(std::max({need, allocated_ * 2, std::size_t{256}}),
                                       std::max(need, capacity_));
    std::unique_ptr<std::byte[]> next(new std::byte[grown]);  // default-initialised: no fill
    if (size_ > 0) peek(next.get(), size_);
    buf_ = std::move(next);
    allocated_ = grown;
    head_ = 0;
  }
  std::unique_ptr<std::byte[]> buf_;
  std::size_t allocated_ = 0;
  std::size_t capacity_ = 0;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

// Growable FIFO on a vector: no allocation once it has reached its working size.
template <class T>
class Fifo {
 public:
  bool empty() const { return count_ == 0; }
  T& front() { return buf_[head_]; }
  void push(const T& v) {
    if (count_ == buf_.size()) grow();
    buf_[(head_ + count_) % buf_.size()] = v;
    ++count_;
  }
  void pop() {
    head_ = (head_ + 1) % buf_.size();
    --count_;
  }
  void clear() { head_ = count_ = 0; }

 private:
  void grow() {
    std::vector<T> next(std::max<std::size_t>(8, buf_.size() * 2));
    for (std::size_t i = 0; i < count_; ++i) next[i] = buf_[(head_ + i) % buf_.size()];
    buf_.swap(next);
    head_ = 0;
  }
  std::vector<T> buf_;
  std::size_t head_ = 0;
  std::size_t count_ = 0;
};

enum class SegKind : std::uint8_t { data, fin, rst };

struct Segment {
  Nanos arrival{0};
  std::size_t bytes = 0;
  SegKind kind = SegKind::data;
};

struct Stream {
  ByteRing ring;            // sent and not yet read by the receiver
  std::size_t delivered = 0;  // prefix of ring that has arrived (down stream only)
  Fifo<Segment> flight;
  Nanos tx_free_at{0};
  Nanos last_arrival{0};
  bool closed_for_send = false;  // FIN or RST queued
  bool fin_arrived = false;
  bool rst_arrived = false;
  std::uint64_t sent_total = 0;
  std::uint64_t arrived_total = 0;  // bytes of sent_total that have arrived
  std::uint64_t cut_after = UINT64_MAX;  // fault: FIN/RST after this many bytes
  SegKind cut_kind = SegKind::data;

  void reset(std::size_t capacity) {
    ring.reset(capacity);
    delivered = 0;
    flight.clear();
    tx_free_at = last_arrival = Nanos{0};
    closed_for_send = fin_arrived = rst_arrived = false;
    sent_total = arrived_total = 0;
    cut_after = UINT64_MAX;
    cut_kind = SegKind::data;
  }
};

enum class SlotKind : std::uint8_t { free, stdio, stream, lookup, channel, counter, datagram };
enum class SockState : std::uint8_t { fresh, connecting, established, failed };

struct Slot {
  SlotKind kind = SlotKind::free;
  std::uint32_t gen = 0;
  Family family = Family::v4;
  SockState state = SockState::fresh;
  std::uint32_t conn = UINT32_MAX;
  NetError pending = NetError::none;  // take_error()
  NetError failure = NetError::none;  // what recv/send say once failed
  bool dirty = false;
  bool waited = false;  // a wait watched it since drain_waited_on
  std::uint64_t lookup = 0;
  int peer = -1;               // channel: the other end, -1 once it is closed
  std::uint64_t counter = 0;   // counter: its value
};

enum class EvKind : std::uint8_t { connect_ok, connect_refused, deliver, peer_wake, dns_answer, socket_error, callback };

struct Event {
  Nanos time{0};
  std::uint64_t seq = 0;
  std::uint64_t id = 0;
  std::uint32_t gen = 0;
  EvKind kind = EvKind::deliver;
  std::uint8_t dir = 0;  // deliver: 0 up (to peer), 1 down (to client)
};

struct EventLater {
  bool operator()(const Event& a, const Event& b) const {
    if (a.time != b.time) return a.time > b.time;
    return a.seq > b.seq;
  }
};

struct Listener {
  std::string name;
  Address address;
  PeerScript script;
  PeerStats stats;
};

struct Lookup {
  int fd = -1;
  bool answered = false;
  port::Resolution resolution;
};

struct DnsEntry {
  std::vector<Address> addresses;
  Nanos delay{0};
  bool fail = false;
};

}  // namespace

struct Connection;

struct World::Impl {
  explicit Impl(World& world) : w(world) {}
  Nanos now() const { return w.now_; }

  World& w;
  std::vector<Slot> slots;
  std::vector<int> free_fds;  // min-heap
  std::vector<int> dirty;
  std::vector<Event> events;  // binary heap
  std::uint64_t seq = 0;
  std::vector<std::unique_ptr<Connection>> conns;
  std::vector<std::uint32_t> free_conns;
  std::vector<std::unique_ptr<Listener>> listeners;
  std::map<Address, std::size_t> listener_at;
  std::map<Address, LinkOptions> links;
  std::map<std::string, DnsEntry, std::less<>> dns;
  std::map<std::uint64_t, Lookup> lookups;
  std::uint64_t next_lookup = 1;
  std::vector<std::byte> scratch;
  std::map<int, std::string> channel_inbox;  // channel end -> bytes written to it, unread
  std::map<std::uint64_t, std::function<void()>> callbacks;  // World::at
  std::uint64_t next_callback = 0;

  void schedule(Nanos t, EvKind kind, std::uint64_t id, std::uint32_t gen, std::uint8_t dir = 0) {
    events.push_back(Event{t, seq++, id, gen, kind, dir});
    std::push_heap(events.begin(), events.end(), EventLater{});
  }
  void mark(int fd) {
    if (fd < 0 || static_cast<std::size_t>(fd) >= slots.size()) return;
    Slot& s = slots[static_cast<std::size_t>(fd)];
    if (s.dirty) return;
    s.dirty = true;
    dirty.push_back(fd);
  }
  Slot* slot(int fd) {
    if (fd < 0 || static_cast<std::size_t>(fd) >= slots.size()) return nullptr;
    Slot& s = slots[static_cast<std::size_t>(fd)];
    return s.kind == SlotKind::free || s.kind == SlotKind::stdio ? nullptr : &s;
  }
  int alloc_fd(SlotKind kind) {
    int fd;
    if (w.descriptors_ != nullptr) {
      fd = w.descriptors_->acquire();
      if (fd < 0) return -1;
      if (static_cast<std::size_t>(fd) >= slots.size()) slots.resize(static_cast<std::size_t>(fd) + 1);
    } else if (!free_fds.empty()) {
      std::pop_heap(free_fds.begin(), free_fds.end(), std::greater<int>{});
      fd = free_fds.back();
      free_fds.pop_back();
    } else {
      fd = static_cast<int>(slots.size());
      slots.emplace_back();
    }
    Slot& s = slots[static_cast<std::size_t>(fd)];
    const std::uint32_t gen = s.gen;
    const bool was_dirty = s.dirty;
    s = Slot{};
    s.gen = gen;
    s.dirty = was_dirty;  // still listed in `dirty`: keep the flag in step
    s.kind = kind;
    ++w.open_count_;
    if (w.observer_) w.observer_->on_open(w.now_, fd);
    return fd;
  }
  void free_fd(int fd) {
    Slot& s = slots[static_cast<std::size_t>(fd)];
    s.kind = SlotKind::free;
    ++s.gen;
    if (w.descriptors_ != nullptr) {
      w.descriptors_->release(fd);
    } else {
      free_fds.push_back(fd);
      std::push_heap(free_fds.begin(), free_fds.end(), std::greater<int>{});
    }
    --w.open_count_;
    if (w.observer_) w.observer_->on_close(w.now_, fd);
  }
  const LinkOptions& link_for(const Address& a) const {
    auto it = links.find(a);
    return it == links.end() ? w.options_.link : it->second;
  }
  void fault(int fd, FaultKind k) {
    if (w.observer_) w.observer_->on_fault(w.now_, fd, k);
  }
  void stream_opened(int fd, std::uint32_t stream_id, const std::string& path) {
    if (w.observer_) w.observer_->on_stream(w.now_, fd, stream_id, path);
  }
  void stream_ended(int fd, std::uint32_t stream_id) {
    if (w.observer_) w.observer_->on_stream_end(w.now_, fd, stream_id);
  }

  Connection* conn_at(std::uint64_t index, std::uint32_t gen);
  std::uint32_t new_conn();
  void free_conn(std::uint32_t index);
  void stream_push(Connection& c, int dir, const std::byte* data, std::size_t n, SegKind kind);
  void run_peer(Connection& c);
  void dispatch(const Event& ev);
};

// One accepted connection: the client socket's far end, driven by a peer script.
struct Connection final : PeerTransport {
  World::Impl* impl = nullptr;
  std::uint32_t index = 0;
  std::uint32_t gen = 0;
  bool live = false;
  bool established = false;
  bool eof_told = false;
  bool peer_blocked = false;  // the peer's last write found the buffer full
  int client_fd = -1;
  std::size_t listener = 0;
  LinkOptions link;
  FaultOptions faults;
  Stream up;    // client -> peer
  Stream down;  // peer -> client
  PeerRunner runner;

  // HTTP/2 streams the peer opened and the client may still be owed bytes of. A stream ends
  // for the client when what ends it arrives: the frame that closed it (the down stream's
  // byte `at`), or the FIN or RST that ended the connection (at_end).
  struct OpenStream {
    std::uint32_t id = 0;
    std::uint64_t at = UINT64_MAX;
    bool at_end = false;
  };
  std::vector<OpenStream> open_streams;

  void end_stream(std::size_t i) {
    const std::uint32_t id = open_streams[i].id;
    open_streams.erase(open_streams.begin() + static_cast<std::ptrdiff_t>(i));
    impl->stream_ended(client_fd, id);
  }
  // Ends the streams whose last bytes have arrived (all, once the connection's end has).
  void streams_arrived(bool end_arrived) {
    for (std::size_t i = 0; i < open_streams.size();) {
      const OpenStream& st = open_streams[i];
      if (st.at <= down.arrived_total || (end_arrived && st.at_end)) end_stream(i);
      else ++i;
    }
  }
  // The peer ended the connection (FIN, RST, or a cut): its streams end when that arrives.
  void streams_end_with_connection() {
    for (OpenStream& st : open_streams) st.at_end = true;
  }
  // The client's side is gone (closed, or its socket broke): every stream ends now.
  void streams_over() {
    while (!open_streams.empty()) end_stream(0);
  }

  Nanos peer_now() override { return impl->now(); }
  std::size_t peer_write(const std::byte* data, std::size_t size) override {
    if (down.closed_for_send) return size;  // after shutdown/close the bytes vanish
    std::size_t n = std::min(size, down.ring.space());
    if (down.sent_total + n > down.cut_after) n = static_cast<std::size_t>(down.cut_after - down.sent_total);
    if (n > 0) impl->stream_push(*this, 1, data, n, SegKind::data);
    if (down.sent_total >= down.cut_after) {
      impl->fault(client_fd, down.cut_kind == SegKind::rst ? FaultKind::reset : FaultKind::half_close);
      impl->stream_push(*this, 1, nullptr, 0, down.cut_kind);
      down.closed_for_send = true;
      streams_end_with_connection();
      return size;  // the rest is lost with the connection
    }
    if (n < size) peer_blocked = true;
    return n;
  }
  void peer_shutdown() override {
    if (down.closed_for_send) return;
    impl->stream_push(*this, 1, nullptr, 0, SegKind::fin);
    down.closed_for_send = true;
    streams_end_with_connection();
  }
  void peer_close() override { peer_shutdown(); }
  void peer_reset() override {
    impl->stream_push(*this, 1, nullptr, 0, SegKind::rst);
    down.closed_for_send = true;
    streams_end_with_connection();
  }
  void peer_wake_at(Nanos t) override { impl->schedule(t, EvKind::peer_wake, index, gen); }
  void peer_stream_opened(std::uint32_t stream_id, const std::string& path) override {
    if (down.closed_for_send) return;  // too late: the connection has ended
    open_streams.push_back(OpenStream{stream_id});
    impl->stream_opened(client_fd, stream_id, path);
  }
  void peer_stream_ended(std::uint32_t stream_id, std::size_t still_buffered) override {
    for (OpenStream& st : open_streams) {
      if (st.id != stream_id || st.at != UINT64_MAX) continue;
      st.at = down.sent_total + still_buffered;
      streams_arrived(false);
      return;
    }
  }
};

Connection* World::Impl::conn_at(std::uint64_t index, std::uint32_t gen) {
  if (index >= conns.size()) return nullptr;
  Connection* c = conns[index].get();
  return c->live && c->gen == gen ? c : nullptr;
}

std::uint32_t World::Impl::new_conn() {
  std::uint32_t index;
  if (!free_conns.empty()) {
    index = free_conns.back();
    free_conns.pop_back();
  } else {
    index = static_cast<std::uint32_t>(conns.size());
    conns.push_back(std::make_unique<Connection>());
    conns.back()->impl = this;
    conns.back()->index = index;
  }
  Connection& c = *conns[index];
  c.live = true;
  c.established = false;
  c.eof_told = false;
  c.peer_blocked = false;
  return index;
}

void World::Impl::free_conn(std::uint32_t index) {
  Connection& c = *conns[index];
  c.streams_over();  // before the client descriptor's close is told
  c.live = false;
  ++c.gen;
  c.runner.start(nullptr, nullptr);
  c.up.ring.clear();  // a closed connection holds no bytes
  c.down.ring.clear();
  free_conns.push_back(index);
}

void World::Impl::stream_push(Connection& c, int dir, const std::byte* data, std::size_t n,
                              SegKind kind) {
  Stream& s = dir == 0 ? c.up : c.down;
  Nanos start = std::max(w.now_, s.tx_free_at);
  Nanos tx{0};
  if (n > 0) {
    s.ring.push(data, n);
    s.sent_total += n;
    if (c.link.bandwidth_bytes_per_second != 0)
      tx = Nanos(static_cast<std::int64_t>(static_cast<unsigned __int128>(n) * 1000000000u /
                                           c.link.bandwidth_bytes_per_second));
  }
  s.tx_free_at = start + tx;
  Nanos arrival = start + tx + c.link.latency;
  if (c.faults.extra_latency_probability > 0 && w.rng_.chance(c.faults.extra_latency_probability)) {
    arrival += Nanos(static_cast<std::int64_t>(
        w.rng_.between(1, static_cast<std::uint64_t>(std::max<std::int64_t>(1, c.faults.extra_latency_max.count())))));
    fault(c.client_fd, FaultKind::extra_latency);
  }
  arrival = std::max(arrival, s.last_arrival);
  s.last_arrival = arrival;
  s.flight.push(Segment{arrival, n, kind});
  schedule(arrival, EvKind::deliver, c.index, c.gen, static_cast<std::uint8_t>(dir));
}

// Hands the peer what has arrived (if it reads now), runs its script, and repeats while
// running it made the peer ready to read bytes that are already there.
void World::Impl::run_peer(Connection& c) {
  for (;;) {
    if (c.up.delivered > 0 && c.runner.input_mode() != PeerRunner::InputMode::hold) {
      const std::size_t n = c.up.delivered;
      scratch.resize(std::max(scratch.size(), n));
      c.up.ring.pop(scratch.data(), n);
      c.up.delivered = 0;
      c.runner.on_input(scratch.data(), n);
      mark(c.client_fd);  // space freed: the client may write again
    }
    if (c.up.delivered == 0 && c.up.fin_arrived && !c.eof_told) {
      c.eof_told = true;
      c.runner.on_input_eof();
    }
    const std::uint64_t before = c.runner.requests_served();
    c.runner.run();
    listeners[c.listener]->stats.requests_served += c.runner.requests_served() - before;
    if (c.up.delivered == 0 || c.runner.input_mode() == PeerRunner::InputMode::hold) return;
  }
}

void World::Impl::dispatch(const Event& ev) {
  switch (ev.kind) {
    case EvKind::connect_ok: {
      Connection* c = conn_at(ev.id, ev.gen);
      if (c == nullptr) return;
      Slot& s = slots[static_cast<std::size_t>(c->client_fd)];
      s.state = SockState::established;
      c->established = true;
      Listener& l = *listeners[c->listener];
      ++l.stats.connections_accepted;
      mark(c->client_fd);
      c->runner.start(&l.script, c);
      run_peer(*c);
      return;
    }
    case EvKind::connect_refused: {
      Slot* s = slot(static_cast<int>(ev.id));
      if (s == nullptr || s->gen != ev.gen || s->state != SockState::connecting) return;
      s->state = SockState::failed;
      s->pending = s->failure = NetError::refused;
      mark(static_cast<int>(ev.id));
      return;
    }
    case EvKind::socket_error: {
      Connection* c = conn_at(ev.id, ev.gen);
      if (c == nullptr) return;
      Slot& s = slots[static_cast<std::size_t>(c->client_fd)];
      if (s.state != SockState::established) return;
      static constexpr NetError kErrors[] = {NetError::timed_out, NetError::unreachable,
                                             NetError::reset};
      const NetError e = kErrors[w.rng_.below(3)];
      s.state = SockState::failed;
      s.pending = s.failure = e;
      fault(c->client_fd, FaultKind::socket_error);
      c->streams_over();  // the connection is broken for the client
      mark(c->client_fd);
      return;
    }
    case EvKind::deliver: {
      Connection* c = conn_at(ev.id, ev.gen);
      if (c == nullptr) return;
      Stream& s = ev.dir == 0 ? c->up : c->down;
      const Segment seg = s.flight.front();
      s.flight.pop();
      if (ev.dir == 0) {
        if (seg.kind == SegKind::data) s.delivered += seg.bytes;
        else s.fin_arrived = true;
        run_peer(*c);
        return;
      }
      switch (seg.kind) {
        case SegKind::data:
          if (s.rst_arrived) return;
          s.delivered += seg.bytes;
          s.arrived_total += seg.bytes;
          if (w.observer_) w.observer_->on_deliver(w.now_, c->client_fd, seg.bytes);
          if (!c->open_streams.empty()) c->streams_arrived(false);
          break;
        case SegKind::fin:
          s.fin_arrived = true;
          if (!c->open_streams.empty()) c->streams_arrived(true);
          break;
        case SegKind::rst:
          s.rst_arrived = true;
          s.ring.clear();  // a reset discards what the client had not read
          s.delivered = 0;
          slots[static_cast<std::size_t>(c->client_fd)].pending = NetError::reset;
          if (!c->open_streams.empty()) c->streams_arrived(true);
          break;
      }
      mark(c->client_fd);
      return;
    }
    case EvKind::peer_wake: {
      Connection* c = conn_at(ev.id, ev.gen);
      if (c != nullptr && c->established) run_peer(*c);
      return;
    }
    case EvKind::dns_answer: {
      auto it = lookups.find(ev.id);
      if (it == lookups.end()) return;
      it->second.answered = true;
      mark(it->second.fd);
      return;
    }
    case EvKind::callback: {
      auto it = callbacks.find(ev.id);
      if (it == callbacks.end()) return;
      std::function<void()> fn = std::move(it->second);
      callbacks.erase(it);
      fn();
      return;
    }
  }
}

// ---- World ---------------------------------------------------------------------------

World::World(const WorldOptions& options)
    : options_(options), rng_(options.seed), impl_(std::make_unique<Impl>(*this)) {
  impl_->slots.resize(3);
  for (auto& s : impl_->slots) s.kind = SlotKind::stdio;
  impl_->events.reserve(256);
  impl_->dirty.reserve(64);
}

World::~World() = default;

std::optional<Nanos> World::next_event_time() const {
  if (impl_->events.empty()) return std::nullopt;
  return impl_->events.front().time;
}

void World::advance_to(Nanos t) {
  if (t < now_) throw std::logic_error("World::advance_to: time cannot go backwards");
  auto& events = impl_->events;
  while (!events.empty() && events.front().time <= t) {
    std::pop_heap(events.begin(), events.end(), EventLater{});
    const Event ev = events.back();
    events.pop_back();
    now_ = ev.time;
    ++events_run_;
    impl_->dispatch(ev);
  }
  now_ = t;
}

std::uint64_t World::run_until_idle(Nanos limit) {
  const std::uint64_t before = events_run_;
  while (auto t = next_event_time()) {
    if (*t > limit) break;
    advance_to(*t);
  }
  return events_run_ - before;
}

void World::drain_ready_changes(std::vector<int>& out) {
  out.clear();
  for (int fd : impl_->dirty) {
    impl_->slots[static_cast<std::size_t>(fd)].dirty = false;
    out.push_back(fd);
  }
  impl_->dirty.clear();
}

// A flag on the slot, no list: noting allocates nothing, so a library's heap (and the
// order of its tables keyed by address) is the same as without it.
void World::note_waited_on(int fd) {
  if (Slot* s = impl_->slot(fd); s != nullptr && s->kind == SlotKind::stream) s->waited = true;
}

void World::drain_waited_on(std::vector<int>& out) {
  out.clear();
  for (std::size_t fd = 0; fd < impl_->slots.size(); ++fd) {
    Slot& s = impl_->slots[fd];
    if (!s.waited) continue;
    s.waited = false;
    if (s.kind == SlotKind::stream) out.push_back(static_cast<int>(fd));
  }
}

void World::set_link(const Address& server, const LinkOptions& link) {
  impl_->links[server] = link;
}

void World::dns_add(std::string_view name, std::vector<Address> addresses, Nanos delay,
                    bool fail) {
  std::string key(name);
  for (char& ch : key) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  impl_->dns[key] = DnsEntry{std::move(addresses), delay, fail};
}

bool World::listen(std::string_view name, const Address& at, PeerScript script,
                   std::string& error) {
  if (!at.is_loopback()) {
    error = "peer '" + std::string(name) + "' may only listen on a loopback address (127.0.0.0/8 or ::1), not " +
            at.to_string();
    return false;
  }
  if (at.port == 0) {
    error = "peer '" + std::string(name) + "' needs a port other than 0";
    return false;
  }
  if (impl_->listener_at.count(at) != 0) {
    error = "address " + at.to_string() + " already has a peer";
    return false;
  }
  auto l = std::make_unique<Listener>();
  l->name = std::string(name);
  l->address = at;
  l->script = std::move(script);
  impl_->listener_at[at] = impl_->listeners.size();
  impl_->listeners.push_back(std::move(l));
  return true;
}

bool World::inject_socket_error(int fd, NetError error) {
  Slot* s = impl_->slot(fd);
  if (s == nullptr || s->kind != SlotKind::stream || error == NetError::none) return false;
  s->state = SockState::failed;
  s->pending = s->failure = error;
  impl_->fault(fd, FaultKind::socket_error);
  impl_->mark(fd);
  return true;
}

PeerStats World::peer_stats(std::string_view name) const {
  PeerStats total;
  for (const auto& l : impl_->listeners)
    if (l->name == name) {
      total.connections_accepted += l->stats.connections_accepted;
      total.requests_served += l->stats.requests_served;
    }
  return total;
}

NetError World::open_stream(Family family, int& fd_out) {
  fd_out = impl_->alloc_fd(SlotKind::stream);
  if (fd_out < 0) return NetError::no_descriptors;
  impl_->slots[static_cast<std::size_t>(fd_out)].family = family;
  return NetError::none;
}

NetError World::open_channel(int& a_out, int& b_out) {
  const int a = impl_->alloc_fd(SlotKind::channel);
  if (a < 0) return NetError::no_descriptors;
  const int b = impl_->alloc_fd(SlotKind::channel);
  if (b < 0) {
    impl_->free_fd(a);
    return NetError::no_descriptors;
  }
  impl_->slots[static_cast<std::size_t>(a)].peer = b;
  impl_->slots[static_cast<std::size_t>(b)].peer = a;
  impl_->mark(a);
  impl_->mark(b);
  a_out = a;
  b_out = b;
  return NetError::none;
}

NetError World::open_counter(std::uint64_t initial, int& fd_out) {
  fd_out = impl_->alloc_fd(SlotKind::counter);
  if (fd_out < 0) return NetError::no_descriptors;
  impl_->slots[static_cast<std::size_t>(fd_out)].counter = initial;
  impl_->mark(fd_out);
  return NetError::none;
}

NetError World::open_datagram(Family family, int& fd_out) {
  fd_out = impl_->alloc_fd(SlotKind::datagram);
  if (fd_out < 0) return NetError::no_descriptors;
  impl_->slots[static_cast<std::size_t>(fd_out)].family = family;
  return NetError::none;
}

DescriptorKind World::kind(int fd) const {
  if (fd < 0 || static_cast<std::size_t>(fd) >= impl_->slots.size()) return DescriptorKind::none;
  switch (impl_->slots[static_cast<std::size_t>(fd)].kind) {
    case SlotKind::free:
    case SlotKind::stdio: return DescriptorKind::none;
    case SlotKind::stream: return DescriptorKind::stream;
    case SlotKind::lookup: return DescriptorKind::lookup;
    case SlotKind::channel: return DescriptorKind::channel;
    case SlotKind::counter: return DescriptorKind::counter;
    case SlotKind::datagram: return DescriptorKind::datagram;
  }
  return DescriptorKind::none;
}

Family World::family(int fd) const {
  if (kind(fd) == DescriptorKind::none) return Family::v4;
  return impl_->slots[static_cast<std::size_t>(fd)].family;
}

bool World::has_ready_changes() const { return !impl_->dirty.empty(); }

void World::at(Nanos t, std::function<void()> fn) {
  const std::uint64_t id = impl_->next_callback++;
  impl_->callbacks.emplace(id, std::move(fn));
  impl_->schedule(std::max(t, now_), EvKind::callback, id, 0);
}

World::DnsAnswer World::dns_answer(std::string_view host, std::uint16_t port) const {
  DnsAnswer answer;
  if (auto numeric = Address::parse_numeric(host, port)) {
    answer.resolution.status = port::Resolution::Status::ok;
    answer.resolution.addresses.push_back(*numeric);
    return answer;
  }
  std::string key(host);
  for (char& ch : key) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  answer.delay = options_.dns_default_delay;
  answer.resolution.status = port::Resolution::Status::not_found;
  auto it = impl_->dns.find(key);
  if (it == impl_->dns.end()) return answer;
  answer.delay = it->second.delay;
  if (it->second.fail) {
    answer.resolution.status = port::Resolution::Status::failed;
    return answer;
  }
  answer.resolution.status = port::Resolution::Status::ok;
  for (Address a : it->second.addresses) {
    a.port = port;
    answer.resolution.addresses.push_back(a);
  }
  return answer;
}

NetError World::connect(int fd, const Address& to) {
  Slot* s = impl_->slot(fd);
  if (s == nullptr || s->kind != SlotKind::stream) return NetError::bad_descriptor;
  if (s->state != SockState::fresh) return NetError::other;  // EALREADY / EISCONN
  if (to.family != s->family) return NetError::address_family;
  if (observer_) observer_->on_connect(now_, fd, to);
  const LinkOptions& link = impl_->link_for(to);
  const FaultOptions& faults = link.faults ? *link.faults : options_.faults;
  s->state = SockState::connecting;
  auto it = impl_->listener_at.find(to);
  const bool accepting = it != impl_->listener_at.end() &&
                         !impl_->listeners[it->second]->script.refuses();
  if (accepting && rng_.chance(faults.connect_drop_probability)) {
    impl_->fault(fd, FaultKind::connect_dropped);
    return NetError::in_progress;  // never completes
  }
  bool refuse = !accepting;
  if (accepting && rng_.chance(faults.connect_refuse_probability)) {
    impl_->fault(fd, FaultKind::connect_refused);
    refuse = true;
  }
  if (refuse) {
    impl_->schedule(now_ + link.latency, EvKind::connect_refused, static_cast<std::uint64_t>(fd), s->gen);
    return NetError::in_progress;
  }
  const std::uint32_t index = impl_->new_conn();
  Connection& c = *impl_->conns[index];
  s = impl_->slot(fd);
  s->conn = index;
  c.client_fd = fd;
  c.listener = it->second;
  c.link = link;
  c.faults = faults;
  c.up.reset(link.send_buffer_bytes);
  c.down.reset(link.send_buffer_bytes);
  const std::uint64_t k_max = std::max<std::uint64_t>(1, faults.mid_stream_bytes_max);
  if (rng_.chance(faults.reset_probability)) {
    c.down.cut_after = rng_.between(1, k_max);
    c.down.cut_kind = SegKind::rst;
  } else if (rng_.chance(faults.half_close_early_probability)) {
    c.down.cut_after = rng_.between(1, k_max);
    c.down.cut_kind = SegKind::fin;
  }
  const Nanos established_at = now_ + link.latency;
  impl_->schedule(established_at, EvKind::connect_ok, index, c.gen);
  if (rng_.chance(faults.socket_error_probability)) {
    const auto spread = static_cast<std::uint64_t>(std::max<std::int64_t>(1, link.latency.count() * 4));
    impl_->schedule(established_at + Nanos(static_cast<std::int64_t>(rng_.between(1, spread))),
                    EvKind::socket_error, index, c.gen);
  }
  return NetError::in_progress;
}

port::IoResult World::send(int fd, const std::byte* data, std::size_t size) {
  Slot* s = impl_->slot(fd);
  if (s != nullptr && s->kind == SlotKind::channel) {
    if (s->peer < 0) return {0, NetError::broken_pipe};
    if (size > 0) {
      impl_->channel_inbox[s->peer].append(reinterpret_cast<const char*>(data), size);
      impl_->mark(s->peer);
    }
    return {size, NetError::none};
  }
  if (s != nullptr && s->kind == SlotKind::counter) {
    if (size < sizeof(std::uint64_t)) return {0, NetError::other};  // EINVAL
    std::uint64_t add = 0;
    std::memcpy(&add, data, sizeof add);
    if (add == UINT64_MAX) return {0, NetError::other};
    if (UINT64_MAX - 1 - s->counter < add) return {0, NetError::would_block};
    s->counter += add;
    impl_->mark(fd);
    return {sizeof add, NetError::none};
  }
  if (s == nullptr || s->kind != SlotKind::stream) return {0, NetError::bad_descriptor};
  switch (s->state) {
    case SockState::fresh: return {0, NetError::other};  // ENOTCONN
    case SockState::connecting: return {0, NetError::would_block};
    case SockState::failed: return {0, s->failure};
    case SockState::established: break;
  }
  Connection& c = *impl_->conns[s->conn];
  if (c.down.rst_arrived) return {0, NetError::reset};
  std::size_t n = std::min(size, c.up.ring.space());
  if (n == 0) return {0, size == 0 ? NetError::none : NetError::would_block};
  if (c.faults.short_write_probability > 0 && rng_.chance(c.faults.short_write_probability)) {
    n = std::min<std::size_t>(n, rng_.between(1, std::max<std::size_t>(1, c.faults.short_io_bytes_max)));
    impl_->fault(fd, FaultKind::short_write);
  }
  impl_->stream_push(c, 0, data, n, SegKind::data);
  return {n, NetError::none};
}

port::IoResult World::recv(int fd, std::byte* data, std::size_t size) {
  Slot* s = impl_->slot(fd);
  if (s != nullptr && (s->kind == SlotKind::channel || s->kind == SlotKind::counter)) {
    const port::IoResult r = peek(fd, data, size);
    if (r.bytes == 0) return r;
    if (s->kind == SlotKind::counter) {
      s->counter = 0;
    } else {
      std::string& inbox = impl_->channel_inbox[fd];
      inbox.erase(0, r.bytes);
      if (s->peer >= 0) impl_->mark(s->peer);  // room again for the writer
    }
    impl_->mark(fd);
    return r;
  }
  if (s == nullptr || s->kind != SlotKind::stream) return {0, NetError::bad_descriptor};
  switch (s->state) {
    case SockState::fresh: return {0, NetError::other};  // ENOTCONN
    case SockState::connecting: return {0, NetError::would_block};
    case SockState::failed: return {0, s->failure};
    case SockState::established: break;
  }
  Connection& c = *impl_->conns[s->conn];
  if (c.down.rst_arrived) return {0, NetError::reset};
  if (c.down.delivered == 0) {
    if (c.down.fin_arrived) return {0, NetError::none};
    return {0, NetError::would_block};
  }
  std::size_t n = std::min(size, c.down.delivered);
  if (n > 0 && c.faults.short_read_probability > 0 && rng_.chance(c.faults.short_read_probability)) {
    n = std::min<std::size_t>(n, rng_.between(1, std::max<std::size_t>(1, c.faults.short_io_bytes_max)));
    impl_->fault(fd, FaultKind::short_read);
  }
  c.down.ring.pop(data, n);
  c.down.delivered -= n;
  if (n > 0 && c.peer_blocked) {  // wake the peer as an event: never re-enter it from here
    c.peer_blocked = false;
    impl_->schedule(now_, EvKind::peer_wake, c.index, c.gen);
  }
  return {n, NetError::none};
}

port::IoResult World::peek(int fd, std::byte* data, std::size_t size) {
  Slot* s = impl_->slot(fd);
  if (s == nullptr) return {0, NetError::bad_descriptor};
  if (s->kind == SlotKind::counter) {
    if (size < sizeof(std::uint64_t)) return {0, NetError::other};  // EINVAL
    if (s->counter == 0) return {0, NetError::would_block};
    std::memcpy(data, &s->counter, sizeof s->counter);
    return {sizeof s->counter, NetError::none};
  }
  if (s->kind == SlotKind::channel) {
    auto it = impl_->channel_inbox.find(fd);
    const std::size_t have = it == impl_->channel_inbox.end() ? 0 : it->second.size();
    if (have == 0) return {0, s->peer < 0 ? NetError::none : NetError::would_block};
    const std::size_t n = std::min(size, have);
    std::memcpy(data, it->second.data(), n);
    return {n, NetError::none};
  }
  if (s->kind != SlotKind::stream) return {0, NetError::bad_descriptor};
  switch (s->state) {
    case SockState::fresh: return {0, NetError::other};
    case SockState::connecting: return {0, NetError::would_block};
    case SockState::failed: return {0, s->failure};
    case SockState::established: break;
  }
  Connection& c = *impl_->conns[s->conn];
  if (c.down.rst_arrived) return {0, NetError::reset};
  if (c.down.delivered == 0) return {0, c.down.fin_arrived ? NetError::none : NetError::would_block};
  const std::size_t n = std::min(size, c.down.delivered);
  c.down.ring.peek(data, n);
  return {n, NetError::none};
}

void World::close(int fd) {
  Slot* s = impl_->slot(fd);
  if (s == nullptr) return;
  if (s->kind == SlotKind::channel) {
    if (s->peer >= 0) {
      impl_->slots[static_cast<std::size_t>(s->peer)].peer = -1;
      impl_->mark(s->peer);  // the far end reads end-of-file, writes fail
    }
    impl_->channel_inbox.erase(fd);
  }
  if (s->kind == SlotKind::lookup) {
    impl_->lookups.erase(s->lookup);
  } else if (s->conn != UINT32_MAX) {
    impl_->free_conn(s->conn);
  }
  impl_->free_fd(fd);
}

NetError World::take_error(int fd) {
  Slot* s = impl_->slot(fd);
  if (s == nullptr) return NetError::bad_descriptor;
  const NetError e = s->pending;
  s->pending = NetError::none;
  return e;
}

int World::readiness(int fd) {
  Slot* s = impl_->slot(fd);
  if (s == nullptr) return kError;
  switch (s->kind) {
    case SlotKind::channel: {
      auto it = impl_->channel_inbox.find(fd);
      const bool unread = it != impl_->channel_inbox.end() && !it->second.empty();
      if (s->peer < 0) return kReadable | kWritable | kError;  // EOF; writes fail (EPIPE)
      return (unread ? kReadable : 0) | kWritable;
    }
    case SlotKind::counter:
      return (s->counter > 0 ? kReadable : 0) | kWritable;
    case SlotKind::datagram:
      return kWritable;
    default:
      break;
  }
  if (s->kind == SlotKind::lookup) {
    auto it = impl_->lookups.find(s->lookup);
    return it != impl_->lookups.end() && it->second.answered ? kReadable : 0;
  }
  switch (s->state) {
    case SockState::fresh: return kWritable;
    case SockState::connecting: return 0;
    case SockState::failed: return kReadable | kWritable | kError;
    case SockState::established: break;
  }
  const Connection& c = *impl_->conns[s->conn];
  if (c.down.rst_arrived) return kReadable | kWritable | kError;
  int mask = 0;
  if (c.down.delivered > 0 || c.down.fin_arrived) mask |= kReadable;
  if (c.up.ring.space() > 0) mask |= kWritable;
  if (s->pending != NetError::none) mask |= kError;
  return mask;
}

int World::wait(port::WaitFd* fds, std::size_t count, Nanos timeout) {
  const Nanos until = timeout > Nanos::max() - now_ ? Nanos::max() : now_ + std::max(timeout, Nanos{0});
  for (std::size_t i = 0; i < count; ++i)
    if (fds[i].want != 0) note_waited_on(fds[i].fd);
  for (;;) {
    int ready_count = 0;
    for (std::size_t i = 0; i < count; ++i) {
      const int r = readiness(fds[i].fd);
      fds[i].ready = (r & fds[i].want) | (r & kError);
      if (fds[i].ready != 0) ++ready_count;
    }
    if (ready_count > 0 || now_ >= until) return ready_count;
    const auto next = next_event_time();
    if (!next || *next > until) {
      // Nothing happens before the timeout: the whole wait passes at once.
      advance_to(until);
    } else {
      advance_to(std::max(*next, now_));
    }
  }
}

NetError World::open_wakeup(int& fd_out) { return open_counter(0, fd_out); }

bool World::wake(int fd) {
  const std::uint64_t one = 1;
  const auto r = send(fd, reinterpret_cast<const std::byte*>(&one), sizeof one);
  return r.error == NetError::none || r.error == NetError::would_block;  // already signalled
}

void World::drain_wakeup(int fd) {
  std::uint64_t value = 0;
  (void)recv(fd, reinterpret_cast<std::byte*>(&value), sizeof value);
}

void World::close_wakeup(int fd) { close(fd); }

port::Resolver::Started World::start(std::string_view host, std::uint16_t port) {
  Started started;
  DnsAnswer answer = dns_answer(host, port);
  if (Address::parse_numeric(host, port)) {
    started.answer = std::move(answer.resolution);
    return started;
  }
  Lookup lookup;
  lookup.resolution = std::move(answer.resolution);
  lookup.fd = impl_->alloc_fd(SlotKind::lookup);
  if (lookup.fd < 0) {
    started.answer = port::Resolution{};  // failed: no descriptor to signal with
    return started;
  }
  const std::uint64_t id = impl_->next_lookup++;
  impl_->slots[static_cast<std::size_t>(lookup.fd)].lookup = id;
  started.id = id;
  started.fd = lookup.fd;
  impl_->lookups.emplace(id, std::move(lookup));
  impl_->schedule(now_ + answer.delay, EvKind::dns_answer, id, 0);
  return started;
}

std::optional<port::Resolution> World::poll(std::uint64_t id) {
  auto it = impl_->lookups.find(id);
  if (it == impl_->lookups.end() || !it->second.answered) return std::nullopt;
  return it->second.resolution;
}

void World::release(std::uint64_t id) {
  auto it = impl_->lookups.find(id);
  if (it == impl_->lookups.end()) return;
  const int fd = it->second.fd;
  impl_->lookups.erase(it);
  impl_->free_fd(fd);
}

}  // namespace ms::sim
