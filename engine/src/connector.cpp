// SPDX-License-Identifier: MIT
#include "connector.hpp"

#include <cstring>

#include "easy.hpp"
#include "http/ascii.hpp"

namespace ms {

using port::Nanos;
using namespace std::chrono_literals;

namespace {

constexpr Nanos kHappyEyeballsDelay = 200ms;

// One MSOPT_RESOLVE entry "[+]host:port:addr[,addr...]" for host:port, if any. Entries
// starting with '-' (removals) are ignored.
bool resolve_override(const ms_slist* list, std::string_view host, std::uint16_t port_number,
                      std::vector<port::Address>& out) {
  for (; list; list = list->next) {
    if (!list->data) continue;
    std::string_view e(list->data);
    if (!e.empty() && e.front() == '+') e.remove_prefix(1);
    if (e.empty() || e.front() == '-') continue;
    const auto c1 = e.find(':');
    if (c1 == std::string_view::npos) continue;
    const auto c2 = e.find(':', c1 + 1);
    if (c2 == std::string_view::npos) continue;
    if (!http::ascii_iequals(e.substr(0, c1), host)) continue;
    const auto port_text = e.substr(c1 + 1, c2 - c1 - 1);
    unsigned long p = 0;
    bool digits = !port_text.empty() && port_text.size() <= 5;
    for (char ch : port_text) {
      if (ch < '0' || ch > '9') digits = false;
      else p = p * 10 + static_cast<unsigned long>(ch - '0');
    }
    if (!digits || p != port_number) continue;
    std::string_view rest = e.substr(c2 + 1);
    out.clear();
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      auto item = rest.substr(0, comma);
      while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
      while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
      if (auto a = port::Address::parse_numeric(item, port_number)) out.push_back(*a);
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
    return true;
  }
  return false;
}

}  // namespace

void Connector::start(const std::string& host, std::uint16_t port) {
  refused_ = false;
  host_name_ = host;
  port_ = port;
  addresses_.clear();
  if (resolve_override(easy_.opt.rare().resolve, host_name_, port_, addresses_)) {
    port::Resolution r;
    r.status = addresses_.empty() ? port::Resolution::Status::not_found : port::Resolution::Status::ok;
    r.addresses = addresses_;
    on_resolved(r);
    return;
  }
  if (auto a = port::Address::parse_numeric(host_name_, port_)) {
    port::Resolution r;
    r.status = port::Resolution::Status::ok;
    r.addresses.push_back(*a);
    on_resolved(r);
    return;
  }
  auto started = host_.resolver().start(host_name_, port_);
  if (started.answer) {
    on_resolved(*started.answer);
    return;
  }
  resolve_id_ = started.id;
  resolve_fd_ = started.fd;
  if (resolve_fd_ >= 0) host_.watch(resolve_fd_, &user_, &easy_, MS_POLL_IN);
  owner_.on_deadline_changed();
}

void Connector::on_resolve_event() {
  if (auto answer = host_.resolver().poll(resolve_id_)) on_resolved(*answer);
}

void Connector::on_resolved(const port::Resolution& answer) {
  if (resolve_fd_ >= 0) {
    host_.drop(resolve_fd_, &user_);  // REMOVE before the resolver closes it
    host_.resolver().release(resolve_id_);
    resolve_fd_ = -1;
  } else if (resolve_id_ != 0) {
    host_.resolver().release(resolve_id_);
  }
  resolve_id_ = 0;
  if (answer.status != port::Resolution::Status::ok || answer.addresses.empty()) {
    owner_.on_connect_failed(MSE_COULDNT_RESOLVE_HOST, "Could not resolve host: " + host_name_);
    return;
  }
  if (&answer.addresses != &addresses_) addresses_ = answer.addresses;
  start_connecting();
}

void Connector::start_connecting() {
  owner_.on_connecting();
  for (auto& list : family_addresses_) list.clear();
  family_next_[0] = family_next_[1] = 0;
  second_family_at_.reset();
  for (const auto& a : addresses_)
    family_addresses_[a.family == addresses_.front().family ? 0 : 1].push_back(a);
  const std::size_t wins_before = wins_;
  if (!start_attempt(0)) {
    if (!start_attempt(1)) failed();
    return;
  }
  if (wins_ != wins_before || refused_) return;  // connected at once, or refused
  if (!family_addresses_[1].empty()) {
    second_family_at_ = host_.now() + kHappyEyeballsDelay;
    owner_.on_deadline_changed();
  }
}

void Connector::start_second_family() {
  second_family_at_.reset();
  if (!start_attempt(1) && attempts_.empty()) failed();
}

void Connector::failed() {
  second_family_at_.reset();
  owner_.on_connect_failed(MSE_COULDNT_CONNECT, "Failed to connect to " + host_name_ + " port " +
                                                    std::to_string(port_) + ": " + port::to_string(last_error_));
}

int Connector::open_socket(const port::Address& addr) {
  int fd = -1;
  if (easy_.opt.rare().opensocket_fn) {
    // The application opens the socket; it must hand back a descriptor the Net port
    // knows (over simnet: one it opened through the simulated world).
    alignas(ms_sockaddr) unsigned char storage[sizeof(ms_sockaddr) + 32] = {};
    auto* sa = reinterpret_cast<ms_sockaddr*>(storage);
    sa->family = addr.family == port::Family::v4 ? AF_INET : AF_INET6;
    sa->socktype = SOCK_STREAM;
    sa->protocol = 6;  // TCP
    sa->addrlen = addr.family == port::Family::v4 ? 16u : 28u;
    unsigned char* raw = reinterpret_cast<unsigned char*>(&sa->addr);
    raw[0] = static_cast<unsigned char>(sa->family & 0xff);
    raw[1] = static_cast<unsigned char>((sa->family >> 8) & 0xff);
    raw[2] = static_cast<unsigned char>(addr.port >> 8);
    raw[3] = static_cast<unsigned char>(addr.port & 0xff);
    if (addr.family == port::Family::v4) std::memcpy(raw + 4, addr.bytes.data(), 4);
    else std::memcpy(raw + 8, addr.bytes.data(), 16);
    const ms::RareOptions& o = easy_.opt.rare();
    fd = host_.call_app([&] { return o.opensocket_fn(o.opensocket_data, MSSOCKTYPE_IPCXN, sa); });
    if (fd < 0) last_error_ = port::NetError::other;
    return fd;
  }
  const auto err = host_.net().open_stream(addr.family, fd);
  if (err != port::NetError::none || fd < 0) {
    last_error_ = err;
    return -1;
  }
  return fd;
}

int Connector::sockopt(int fd) {
  const ms::RareOptions& o = easy_.opt.rare();
  if (!o.sockopt_fn) return MS_SOCKOPT_OK;
  return host_.call_app([&] { return o.sockopt_fn(o.sockopt_data, fd, MSSOCKTYPE_IPCXN); });
}

void Connector::close_attempt_socket(int fd) {
  host_.close_socket(fd, &user_, easy_.opt.rare().closesocket_fn, easy_.opt.rare().closesocket_data);
}

void Connector::aborted() {
  refused_ = true;
  second_family_at_.reset();
  owner_.on_connect_failed(MSE_ABORTED_BY_CALLBACK, "The socket option callback refused the socket");
}

bool Connector::start_attempt(int f) {
  auto& list = family_addresses_[f];
  while (family_next_[f] < list.size()) {
    const port::Address addr = list[family_next_[f]++];
    const int fd = open_socket(addr);
    if (fd < 0) continue;
    const int told = sockopt(fd);
    if (told == MS_SOCKOPT_ERROR) {
      close_attempt_socket(fd);
      aborted();
      return true;  // the transfer is over: no other address is tried
    }
    const auto err = told == MS_SOCKOPT_ALREADY_CONNECTED ? port::NetError::none : host_.net().connect(fd, addr);
    if (err == port::NetError::none || err == port::NetError::in_progress) {
      attempts_.push_back(Attempt{fd, addr, f});
      if (err == port::NetError::none) {
        won(attempts_.size() - 1);
      } else {
        host_.watch(fd, &user_, &easy_, MS_POLL_OUT);
        owner_.on_deadline_changed();
      }
      return true;
    }
    last_error_ = err;
    close_attempt_socket(fd);
  }
  return false;
}

void Connector::attempt_failed(std::size_t index, port::NetError error) {
  const int fd = attempts_[index].fd;
  const int f = attempts_[index].family;
  attempts_.erase(attempts_.begin() + static_cast<std::ptrdiff_t>(index));
  last_error_ = error;
  close_attempt_socket(fd);
  if (start_attempt(f)) return;  // the next address of the same family
  if (second_family_at_) {
    // The first family is out of addresses: the other one need not wait any longer.
    second_family_at_.reset();
    if (start_attempt(1)) return;
  }
  if (attempts_.empty()) failed();
  else owner_.on_deadline_changed();
}

void Connector::won(std::size_t index) {
  const Attempt a = attempts_[index];
  ++wins_;
  second_family_at_.reset();
  // Losers of the race are told REMOVE and closed; the winner becomes the connection.
  for (std::size_t i = 0; i < attempts_.size(); ++i)
    if (i != index) close_attempt_socket(attempts_[i].fd);
  attempts_.clear();
  owner_.on_connected(a.fd, a.address);
}

void Connector::on_socket_event(int fd, int mask) {
  for (std::size_t i = 0; i < attempts_.size(); ++i) {
    if (attempts_[i].fd != fd) continue;
    auto& net = host_.net();
    if (mask & MS_CSELECT_ERR) {
      const auto err = net.take_error(fd);
      if (err != port::NetError::none) {
        attempt_failed(i, err);
        return;
      }
    }
    // Trust the port, not the mask: a spurious event on a socket still connecting
    // must not be taken for success.
    const int ready = net.readiness(fd);
    if (!(ready & (port::kWritable | port::kError))) return;
    const auto err = net.take_error(fd);
    if (err != port::NetError::none) {
      attempt_failed(i, err);
    } else if (ready & port::kError) {
      attempt_failed(i, port::NetError::other);
    } else {
      won(i);
    }
    return;
  }
}

void Connector::release() {
  if (resolve_fd_ >= 0) {
    host_.drop(resolve_fd_, &user_);
    resolve_fd_ = -1;
  }
  if (resolve_id_ != 0) {
    host_.resolver().release(resolve_id_);
    resolve_id_ = 0;
  }
  for (const auto& a : attempts_) close_attempt_socket(a.fd);
  attempts_.clear();
}

}  // namespace ms
