#include "transfer.hpp"
#include "http/ascii.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "mutant.hpp"
#include "request_writer.hpp"
#include "tls_transport.hpp"

namespace ms {

using port::Nanos;
using namespace std::chrono_literals;

namespace {

constexpr Nanos kDefaultConnectTimeout = 300s;
constexpr Nanos kHappyEyeballsDelay = 200ms;
constexpr Nanos kExpectContinueWait = 1s;      // libcurl's CURLOPT_EXPECT_100_TIMEOUT_MS default
constexpr std::size_t kUploadChunk = 16 * 1024;  // bytes asked of the read callback at once
constexpr int kReadsPerEvent = 8;       // bounded work per event: others get their turn
constexpr std::size_t kWriteMax = 16 * 1024;  // largest piece handed to the write callback

bool is_redirect(int code) { return code == 301 || code == 302 || code == 303 || code == 307 || code == 308; }

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

Transfer::Transfer(TransferHost& host, ms_easy& easy) : host_(host), easy_(easy) {}

Transfer::~Transfer() = default;

void Transfer::schedule_start() {
  phase_ = Phase::pending;
  start_at_ = host_.now();
  update_deadline();
}

void Transfer::update_deadline() {
  std::optional<Nanos> at;
  auto consider = [&](Nanos t) {
    if (!at || t < *at) at = t;
  };
  switch (phase_) {
    case Phase::done:
      break;
    case Phase::pending:
      consider(start_at_);
      break;
    case Phase::queued:
      if (leave_queue_) consider(host_.now());
      break;
    case Phase::resolving:
    case Phase::connecting:
    case Phase::handshaking:  // the connect timeout covers the TLS handshake, as libcurl's
      consider(connect_deadline_);
      if (phase_ == Phase::connecting && second_family_at_) consider(*second_family_at_);
      break;
    case Phase::sending:
    case Phase::receiving:
      if (low_speed_next_) consider(*low_speed_next_);
      if (expect_wait_) consider(expect_deadline_);
      break;
  }
  if (phase_ != Phase::done && phase_ != Phase::pending) {
    if (total_deadline_) consider(*total_deadline_);
    if (progress_next_) consider(*progress_next_);
    if (wake_ || drain_) consider(host_.now());
  }
  host_.set_deadline(*this, easy_.seq, at);
}

void Transfer::on_timer() {
  const Nanos now = host_.now();
  if (phase_ == Phase::done) return;
  if (phase_ == Phase::pending) {
    if (now >= start_at_) start();
    return;
  }
  if (wake_) {
    wake_ = false;
    pause_changed(false);
    if (phase_ == Phase::done) return;
  }
  if (total_deadline_ && now >= *total_deadline_) {
    char text[96];
    std::snprintf(text, sizeof text, "Operation timed out after %lld milliseconds",
                  static_cast<long long>((now - started_at_) / 1ms));
    finish(MSE_OPERATION_TIMEDOUT, text);
    return;
  }
  if (phase_ == Phase::queued) {
    if (leave_queue_) {
      leave_queue_ = false;
      begin(!easy_.opt.fresh_connect);
    } else {
      update_deadline();
    }
    return;
  }
  if ((phase_ == Phase::resolving || phase_ == Phase::connecting || phase_ == Phase::handshaking) &&
      now >= connect_deadline_) {
    char text[96];
    std::snprintf(text, sizeof text, "Connection timed out after %lld milliseconds",
                  static_cast<long long>((now - started_at_) / 1ms));
    finish(MSE_OPERATION_TIMEDOUT, text);
    return;
  }
  if (phase_ == Phase::connecting && second_family_at_ && now >= *second_family_at_) {
    second_family_at_.reset();
    if (!start_attempt(1) && attempts_.empty()) {
      connect_failed();
      return;
    }
    if (phase_ != Phase::connecting) return;
  }
  if (progress_next_ && now >= *progress_next_) {
    // The progress callback's own cadence: at least once a second, also while nothing
    // moves (resolving, connecting, a silent server), so that it can abort.
    if (!progress()) return;
    update_deadline();
  }
  if (low_speed_next_ && now >= *low_speed_next_) {
    low_speed_check();
    if (phase_ == Phase::done) return;
  }
  if (expect_wait_ && now >= expect_deadline_) {
    end_expect_wait();  // no 100 in time: send the body anyway
    return;
  }
  if (drain_) {
    drain_ = false;
    if (phase_ == Phase::receiving && !paused()) {
      do_recv();
      return;
    }
  }
  update_deadline();
}

void Transfer::low_speed_check() {
  const Nanos now = host_.now();
  const std::int64_t bytes = easy_.info.size_download + easy_.info.size_upload;
  const std::int64_t delta = bytes - low_speed_bytes_;
  const auto window = now - low_speed_prev_;
  low_speed_bytes_ = bytes;
  // bytes per second over the window, compared without floating point
  const bool slow = delta * 1'000'000'000LL < easy_.opt.low_speed_limit * window.count();
  if (slow) {
    if (!low_speed_since_) low_speed_since_ = low_speed_prev_;
    if (now - *low_speed_since_ >= std::chrono::seconds(easy_.opt.low_speed_time)) {
      char text[128];
      std::snprintf(text, sizeof text,
                    "Operation too slow. Less than %ld bytes/sec transferred the last %ld seconds",
                    easy_.opt.low_speed_limit, easy_.opt.low_speed_time);
      finish(MSE_OPERATION_TIMEDOUT, text);
      return;
    }
  } else {
    low_speed_since_.reset();
  }
  low_speed_prev_ = now;
  low_speed_next_ = now + 1s;
}

void Transfer::start() {
  const Nanos now = host_.now();
  started_at_ = now;
  Nanos late{0};
  if (MS_MUTANT(host_.mutant(), timeout_early)) late = 1ms;
  connect_deadline_ = now + (easy_.opt.connect_timeout_ms > 0
                                 ? Nanos(std::chrono::milliseconds(easy_.opt.connect_timeout_ms))
                                 : kDefaultConnectTimeout) + late;
  if (easy_.opt.timeout_ms > 0)
    total_deadline_ = now + std::chrono::milliseconds(easy_.opt.timeout_ms) + late;
  easy_.info.effective_url = easy_.opt.url;
  progress_next_.reset();
  if (progress_wanted()) progress_next_ = now;  // a first call right after the start
  if (easy_.opt.url.empty()) {
    phase_ = Phase::resolving;
    finish(MSE_URL_MALFORMAT, "No URL set");
    return;
  }
  begin(!easy_.opt.fresh_connect);
}

void Transfer::begin(bool allow_reuse) {
  phase_ = Phase::resolving;
  http::UrlError err;
  auto url = http::parse_url(easy_.info.effective_url, &err);
  if (!url) {
    finish(MSE_URL_MALFORMAT, err.reason.empty() ? nullptr : err.reason.c_str());
    return;
  }
  url_ = std::move(*url);
  key_ = url_.scheme + "://" + url_.host + ":" + std::to_string(url_.port);
  easy_.info.primary_port = url_.port;
  if (allow_reuse) {
    if (auto conn = host_.pool_take(key_)) {
      conn_ = std::move(conn);
      conn_->reused = true;
      easy_.info.primary_port = conn_->peer.port;
      begin_request();
      return;
    }
  }
  open_fresh();
}

void Transfer::open_fresh() {
  if (!slot_) slot_ = host_.acquire_slot(key_);
  if (!slot_) {
    phase_ = Phase::queued;
    host_.enqueue(this);
    update_deadline();
    return;
  }
  resolve();
}

void Transfer::leave_queue(ConnLimits::Slot slot) {
  slot_ = std::move(slot);
  leave_queue_ = true;
  update_deadline();
}

void Transfer::resolve() {
  phase_ = Phase::resolving;
  addresses_.clear();
  address_next_ = 0;
  if (resolve_override(easy_.opt.resolve, url_.host, url_.port, addresses_)) {
    port::Resolution r;
    r.status = addresses_.empty() ? port::Resolution::Status::not_found : port::Resolution::Status::ok;
    r.addresses = addresses_;
    on_resolved(r);
    return;
  }
  if (auto a = port::Address::parse_numeric(url_.host, url_.port)) {
    port::Resolution r;
    r.status = port::Resolution::Status::ok;
    r.addresses.push_back(*a);
    on_resolved(r);
    return;
  }
  auto started = host_.resolver().start(url_.host, url_.port);
  if (started.answer) {
    on_resolved(*started.answer);
    return;
  }
  resolve_id_ = started.id;
  resolve_fd_ = started.fd;
  if (resolve_fd_ >= 0) host_.watch(resolve_fd_, this, &easy_, MS_POLL_IN);
  update_deadline();
}

void Transfer::on_resolved(const port::Resolution& answer) {
  if (resolve_fd_ >= 0) {
    host_.drop(resolve_fd_, this);  // REMOVE before the resolver closes it
    host_.resolver().release(resolve_id_);
    resolve_fd_ = -1;
  } else if (resolve_id_ != 0) {
    host_.resolver().release(resolve_id_);
  }
  resolve_id_ = 0;
  if (answer.status != port::Resolution::Status::ok || answer.addresses.empty()) {
    std::string text = "Could not resolve host: " + url_.host;
    finish(MSE_COULDNT_RESOLVE_HOST, text.c_str());
    return;
  }
  if (&answer.addresses != &addresses_) addresses_ = answer.addresses;
  address_next_ = 0;
  start_connecting();
}

void Transfer::start_connecting() {
  phase_ = Phase::connecting;
  for (auto& list : family_addresses_) list.clear();
  family_next_[0] = family_next_[1] = 0;
  second_family_at_.reset();
  for (const auto& a : addresses_)
    family_addresses_[a.family == addresses_.front().family ? 0 : 1].push_back(a);
  if (!start_attempt(0)) {
    if (!start_attempt(1)) connect_failed();
    return;
  }
  if (phase_ != Phase::connecting) return;  // connected at once
  if (!family_addresses_[1].empty()) {
    second_family_at_ = host_.now() + kHappyEyeballsDelay;
    update_deadline();
  }
}

void Transfer::connect_failed() {
  second_family_at_.reset();
  std::string text = "Failed to connect to " + url_.host + " port " + std::to_string(url_.port) +
                     ": " + port::to_string(last_error_);
  finish(MSE_COULDNT_CONNECT, text.c_str());
}

bool Transfer::start_attempt(int f) {
  auto& list = family_addresses_[f];
  while (family_next_[f] < list.size()) {
    const port::Address addr = list[family_next_[f]++];
    int fd = -1;
    if (easy_.opt.opensocket_fn) {
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
      fd = host_.call_app([&] { return easy_.opt.opensocket_fn(easy_.opt.opensocket_data, MSSOCKTYPE_IPCXN, sa); });
      if (fd < 0) {
        last_error_ = port::NetError::other;
        continue;
      }
    } else {
      const auto err = host_.net().open_stream(addr.family, fd);
      if (err != port::NetError::none || fd < 0) {
        last_error_ = err;
        continue;
      }
    }
    const auto err = host_.net().connect(fd, addr);
    if (err == port::NetError::none || err == port::NetError::in_progress) {
      attempts_.push_back(Attempt{fd, addr, f});
      if (err == port::NetError::none) {
        connected(attempts_.size() - 1);
      } else {
        host_.watch(fd, this, &easy_, MS_POLL_OUT);
        update_deadline();
      }
      return true;
    }
    last_error_ = err;
    host_.close_socket(fd, this, easy_.opt.closesocket_fn, easy_.opt.closesocket_data);
  }
  return false;
}

void Transfer::attempt_failed(std::size_t index, port::NetError error) {
  const int fd = attempts_[index].fd;
  const int f = attempts_[index].family;
  attempts_.erase(attempts_.begin() + static_cast<std::ptrdiff_t>(index));
  last_error_ = error;
  host_.close_socket(fd, this, easy_.opt.closesocket_fn, easy_.opt.closesocket_data);
  if (start_attempt(f)) return;  // the next address of the same family
  if (second_family_at_) {
    // The first family is out of addresses: the other one need not wait any longer.
    second_family_at_.reset();
    if (start_attempt(1)) return;
  }
  if (attempts_.empty()) connect_failed();
  else update_deadline();
}

void Transfer::connected(std::size_t index) {
  const Attempt a = attempts_[index];
  second_family_at_.reset();
  // Losers of the race are told REMOVE and closed; the winner becomes the connection.
  for (std::size_t i = 0; i < attempts_.size(); ++i)
    if (i != index) host_.close_socket(attempts_[i].fd, this, easy_.opt.closesocket_fn, easy_.opt.closesocket_data);
  attempts_.clear();
  conn_ = std::make_unique<Connection>();
  conn_->fd = a.fd;
  if (url_.is_tls()) {
    TlsConfig config;
    config.host = url_.host;
    config.verify_peer = easy_.opt.ssl_verify_peer;
    config.verify_host = easy_.opt.ssl_verify_host != 0;
    config.ca_file = easy_.opt.ca_file;
    MSEcode code = MSE_OK;
    std::string text;
    conn_->transport = TlsTransport::create(host_.net(), a.fd, config, code, text);
    if (!conn_->transport) {
      finish(code, text.c_str());
      return;
    }
  } else {
    conn_->transport = std::make_unique<PlainTransport>(host_.net(), a.fd);
  }
  conn_->pool_key = url_.scheme + "://" + url_.host + ":" + std::to_string(url_.port);
  conn_->peer = a.address;
  conn_->id = host_.next_connection_id();
  conn_->close_fn = easy_.opt.closesocket_fn;
  conn_->close_data = easy_.opt.closesocket_data;
  conn_->slot = std::move(slot_);
  ++easy_.info.num_connects;
  easy_.info.primary_port = a.address.port;
  if (easy_.opt.verbose) debug(MSINFOTYPE_TEXT, "Connected to " + url_.host + " (" + a.address.to_string() + ")\n");
  if (url_.is_tls()) {
    phase_ = Phase::handshaking;
    do_handshake();
    return;
  }
  begin_request();
}

void Transfer::debug(ms_infotype type, std::string_view text) {
  const auto& o = easy_.opt;
  if (!o.verbose || text.empty()) return;
  if (!o.debug_fn) {
    // libcurl's default: the record to stderr behind its type's two-character tag; body
    // data is not shown.
    static constexpr const char* kTags[] = {"* ", "< ", "> "};
    if (type > MSINFOTYPE_HEADER_OUT) return;
    std::fwrite(kTags[type], 1, 2, stderr);
    std::fwrite(text.data(), 1, text.size(), stderr);
    return;
  }
  std::string& buf = host_.line_scratch();
  buf.assign(text);
  host_.call_app([&] { return o.debug_fn(&easy_, type, buf.data(), buf.size(), o.debug_data); });
}

void Transfer::do_handshake() {
  auto* tls = static_cast<TlsTransport*>(conn_->transport.get());  // set by connected()
  MSEcode code = MSE_OK;
  std::string text;
  switch (tls->handshake(code, text)) {
    case TlsTransport::Step::done:
      if (easy_.opt.verbose) debug(MSINFOTYPE_TEXT, "TLS handshake done with " + url_.host + "\n");
      begin_request();
      return;
    case TlsTransport::Step::in_progress:
      update_interest();
      update_deadline();
      return;
    case TlsTransport::Step::failed:
      finish(code, text.c_str());
      return;
  }
}

void Transfer::begin_request() {
  phase_ = Phase::sending;
  const auto& o = easy_.opt;
  std::optional<std::string_view> body;
  std::string_view method = "GET";
  if (o.postfields || o.post) {
    method = "POST";
    if (o.postfields) {
      const std::size_t n = o.postfield_size >= 0 ? static_cast<std::size_t>(o.postfield_size) : std::strlen(o.postfields);
      body = std::string_view(o.postfields, n);
    } else {
      body = std::string_view();
    }
  }
  if (o.nobody) {
    method = "HEAD";
    body.reset();
  }
  uploading_ = o.upload && !o.nobody;
  if (uploading_) {
    method = "PUT";
    body.reset();
  }
  if (!o.custom_request.empty()) method = o.custom_request;
  RequestSpec spec;
  spec.method = method;
  spec.url = &url_;
  spec.user_agent = o.user_agent;
  spec.extra_headers = o.http_headers;
  spec.body = body;
  if (uploading_) {
    spec.upload_size = o.infile_size;
    spec.expect_continue = !header_overridden(o.http_headers, "Expect");
  }
  upload_chunked_ = uploading_ && o.infile_size < 0 && !header_overridden(o.http_headers, "Transfer-Encoding");
  upload_left_ = uploading_ ? o.infile_size : -1;
  upload_eof_ = false;
  std::string().swap(upload_buf_);
  upload_off_ = 0;
  expect_wait_ = false;
  resume_upload_ = false;
  request_.clear();
  write_request(spec, request_);
  if (o.verbose) {
    const auto head_end = request_.find("\r\n\r\n");
    debug(MSINFOTYPE_HEADER_OUT, std::string_view(request_).substr(0, head_end == std::string::npos ? request_.size() : head_end + 4));
  }
  body_size_ = body ? body->size() : 0;
  sent_ = 0;
  early_reply_ = false;
  location_.clear();
  follow_this_ = false;
  const Nanos now = host_.now();
  if (o.low_speed_limit > 0 && o.low_speed_time > 0) {
    low_speed_prev_ = now;
    low_speed_bytes_ = easy_.info.size_download + easy_.info.size_upload;
    low_speed_since_.reset();
    low_speed_next_ = now + 1s;
  }
  do_send();
}

bool Transfer::can_retry() const {
  // An upload's bytes came from the read callback and cannot be read again.
  return conn_ && conn_->reused && !retried_ && !parser_.bytes_seen() &&
         !(easy_.opt.upload && easy_.info.size_upload > 0);
}

void Transfer::retry_fresh() {
  retried_ = true;
  host_.close_socket(conn_->fd, this, conn_->close_fn, conn_->close_data);
  conn_.reset();
  open_fresh();
}

void Transfer::do_send() {
  if (request_.empty() && uploading_) {
    send_body();
    return;
  }
  while (sent_ < request_.size()) {
    const auto r = conn_->transport->send(reinterpret_cast<const std::byte*>(request_.data()) + sent_,
                                          request_.size() - sent_);
    if (r.error == port::NetError::would_block || (r.error == port::NetError::none && r.bytes == 0)) {
      update_interest();
      update_deadline();
      return;
    }
    if (r.error != port::NetError::none) {
      if (can_retry()) {
        retry_fresh();
        return;
      }
      std::string text = std::string("Failed sending data to the peer: ") + port::to_string(r.error);
      finish(MSE_SEND_ERROR, text.c_str());
      return;
    }
    sent_ += r.bytes;
  }
  easy_.info.size_upload += static_cast<std::int64_t>(body_size_);
  std::string().swap(request_);  // the request is gone: free its memory
  sent_ = 0;
  parser_.reset(easy_.opt.nobody);
  if (uploading_) {
    if (header_overridden(easy_.opt.http_headers, "Expect")) {
      send_body();
      return;
    }
    // Listen for the 100 (or an early final answer) before the body.
    phase_ = Phase::receiving;
    expect_wait_ = true;
    expect_deadline_ = host_.now() + kExpectContinueWait;
    update_interest();
    update_deadline();
    return;
  }
  phase_ = Phase::receiving;
  update_interest();
  update_deadline();
}

void Transfer::end_expect_wait() {
  expect_wait_ = false;
  resume_upload_ = false;
  phase_ = Phase::sending;
  send_body();
}

bool Transfer::fill_upload() {
  const auto& o = easy_.opt;
  std::string& buf = upload_buf_;
  buf.clear();
  upload_off_ = 0;
  if (upload_eof_) return true;
  std::size_t want = kUploadChunk;
  if (upload_left_ >= 0) want = static_cast<std::size_t>(std::min<std::int64_t>(upload_left_, kUploadChunk));
  if (upload_left_ == 0) {
    upload_eof_ = true;
    return true;
  }
  const std::size_t head = upload_chunked_ ? 10 : 0;  // room for "hhhh\r\n" in front
  buf.resize(head + want + (upload_chunked_ ? 2 : 0));
  char* dst = buf.data() + head;
  std::size_t n = 0;
  if (o.read_fn) {
    n = host_.call_app([&] { return o.read_fn(dst, 1, want, o.read_data); });
  } else {
    n = std::fread(dst, 1, want, o.read_data ? static_cast<std::FILE*>(o.read_data) : stdin);
  }
  if (n == MS_READFUNC_ABORT) {
    finish(MSE_ABORTED_BY_CALLBACK, "operation aborted by callback");
    return false;
  }
  if (n == MS_READFUNC_PAUSE) {
    easy_.pause_bits |= MSPAUSE_SEND;
    buf.clear();
    update_interest();
    update_deadline();
    return false;
  }
  if (n > want) {
    finish(MSE_READ_ERROR, "read function returned funny value");
    return false;
  }
  if (n == 0) {
    upload_eof_ = true;
    if (upload_left_ > 0) {
      finish(MSE_READ_ERROR, "the read callback ended the upload before its size");
      return false;
    }
    buf.assign(upload_chunked_ ? "0\r\n\r\n" : "");
    return true;
  }
  easy_.info.size_upload += static_cast<std::int64_t>(n);
  if (upload_left_ > 0) upload_left_ -= static_cast<std::int64_t>(n);
  if (upload_chunked_) {
    char size_line[12];
    const int len = std::snprintf(size_line, sizeof size_line, "%zx\r\n", n);
    upload_off_ = head - static_cast<std::size_t>(len);
    std::memcpy(buf.data() + upload_off_, size_line, static_cast<std::size_t>(len));
    buf.resize(head + n);
    buf.append("\r\n");
  } else {
    buf.resize(n);
  }
  return true;
}

void Transfer::send_body() {
  phase_ = Phase::sending;
  while (!send_paused()) {
    if (upload_off_ >= upload_buf_.size()) {
      if (upload_eof_) {
        uploading_ = false;
        std::string().swap(upload_buf_);
        upload_off_ = 0;
        phase_ = Phase::receiving;
        update_interest();
        update_deadline();
        return;
      }
      if (!fill_upload()) return;
      continue;
    }
    const auto r = conn_->transport->send(reinterpret_cast<const std::byte*>(upload_buf_.data()) + upload_off_,
                                          upload_buf_.size() - upload_off_);
    if (r.error == port::NetError::would_block || (r.error == port::NetError::none && r.bytes == 0)) break;
    if (r.error != port::NetError::none) {
      std::string text = std::string("Failed sending data to the peer: ") + port::to_string(r.error);
      finish(MSE_SEND_ERROR, text.c_str());
      return;
    }
    upload_off_ += r.bytes;
  }
  update_interest();
  update_deadline();
}

void Transfer::update_interest() {
  if (!conn_) return;
  int want = MS_POLL_NONE;
  // Handshaking: exactly what TLS waits for (a read that needs a write, or the reverse).
  // While sending, IN too: a server may answer (and close) before reading all we send.
  if (phase_ == Phase::sending) want = send_paused() ? MS_POLL_IN : MS_POLL_INOUT;
  if (phase_ == Phase::receiving && !paused() && !complete_pending_) want = MS_POLL_IN;
  want |= conn_->transport->wanted_interest();
  host_.watch(conn_->fd, this, &easy_, want);
}

void Transfer::on_socket_event(int fd, int mask) {
  if (phase_ == Phase::done) return;
  if (fd == resolve_fd_ && phase_ == Phase::resolving) {
    if (auto answer = host_.resolver().poll(resolve_id_)) on_resolved(*answer);
    return;
  }
  if (phase_ == Phase::connecting) {
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
        connected(i);
      }
      return;
    }
    return;
  }
  if (!conn_ || conn_->fd != fd) return;
  if (mask & MS_CSELECT_ERR) {
    const auto err = host_.net().take_error(fd);
    if (err != port::NetError::none) {
      if (can_retry()) {
        retry_fresh();
        return;
      }
      std::string text = std::string("socket error: ") + port::to_string(err);
      finish(phase_ == Phase::handshaking ? MSE_SSL_CONNECT_ERROR
             : phase_ == Phase::sending   ? MSE_SEND_ERROR
                                          : MSE_RECV_ERROR,
             text.c_str());
      return;
    }
  }
  if (phase_ == Phase::handshaking) {
    do_handshake();
    return;
  }
  if ((mask & MS_CSELECT_OUT) && phase_ == Phase::receiving &&
      (conn_->transport->wanted_interest() & MS_POLL_OUT)) {
    // TLS ciphertext of the request that the socket did not take at once.
    const auto r = conn_->transport->flush();
    if (r.error != port::NetError::none) {
      std::string text = std::string("Failed sending data to the peer: ") + port::to_string(r.error);
      finish(MSE_SEND_ERROR, text.c_str());
      return;
    }
    update_interest();
  }
  if (phase_ == Phase::sending) {
    if (mask & MS_CSELECT_OUT) do_send();
    if (phase_ == Phase::sending && (mask & MS_CSELECT_IN) &&
        (host_.net().readiness(fd) & port::kReadable))
      early_response();
    return;
  }
  if (phase_ == Phase::receiving && (mask & MS_CSELECT_IN) && !paused()) do_recv();
}

void Transfer::early_response() {
  // The rest of the request is abandoned, so the connection cannot carry another one.
  std::string().swap(request_);
  sent_ = 0;
  early_reply_ = true;
  uploading_ = false;
  std::string().swap(upload_buf_);
  phase_ = Phase::receiving;
  parser_.reset(easy_.opt.nobody);  // a 100 seen before is complete: nothing is lost
  do_recv();
}

void Transfer::do_recv() {
  for (int i = 0; i < kReadsPerEvent && phase_ == Phase::receiving && !paused() && !complete_pending_; ++i) {
    const auto r = conn_->transport->recv(host_.scratch(), host_.scratch_size());
    if (r.error == port::NetError::would_block) {
      if (i == 0 && MS_MUTANT(host_.mutant(), spurious_fails)) {
        finish(MSE_RECV_ERROR, "nothing to read");
        return;
      }
      break;
    }
    if (r.error != port::NetError::none) {
      if (can_retry()) {
        retry_fresh();
        return;
      }
      std::string text = std::string("Failure when receiving data from the peer: ") + port::to_string(r.error);
      finish(MSE_RECV_ERROR, text.c_str());
      return;
    }
    if (r.bytes == 0) {  // orderly close
      if (can_retry()) {
        retry_fresh();
        return;
      }
      const auto st = parser_.on_eof(*this);
      if (st == http::ParseStatus::complete) {
        on_response_complete(false);
      } else if (st == http::ParseStatus::aborted) {
        finish(sink_error_ != MSE_OK ? sink_error_ : MSE_WRITE_ERROR, sink_text_.empty() ? nullptr : sink_text_.c_str());
      } else {
        finish(parser_.error() != MSE_OK ? parser_.error() : MSE_PARTIAL_FILE,
               parser_.error_text() && *parser_.error_text() ? parser_.error_text() : nullptr);
      }
      return;
    }
    feed(std::string_view(reinterpret_cast<const char*>(host_.scratch()), r.bytes));
    if (resume_upload_ && phase_ == Phase::receiving) {
      end_expect_wait();  // 100 Continue: the body goes now
      return;
    }
  }
  if (phase_ == Phase::done) return;
  if (!progress()) return;
  // Decrypted bytes left inside TLS: no readable event will announce them.
  drain_ = phase_ == Phase::receiving && conn_ && conn_->transport->buffered();
  update_interest();
  update_deadline();
}

void Transfer::feed(std::string_view bytes) {
  std::size_t consumed = 0;
  const auto st = parser_.feed(bytes, *this, &consumed);
  switch (st) {
    case http::ParseStatus::need_more:
      return;
    case http::ParseStatus::complete:
      on_response_complete(consumed == bytes.size());
      return;
    case http::ParseStatus::error:
      finish(parser_.error() != MSE_OK ? parser_.error() : MSE_WEIRD_SERVER_REPLY,
             parser_.error_text() && *parser_.error_text() ? parser_.error_text() : nullptr);
      return;
    case http::ParseStatus::aborted:
      finish(sink_error_ != MSE_OK ? sink_error_ : MSE_WRITE_ERROR, sink_text_.empty() ? nullptr : sink_text_.c_str());
      return;
  }
}

void Transfer::on_response_complete(bool reusable) {
  reusable = reusable && parser_.keep_alive() && !easy_.opt.forbid_reuse && !early_reply_;
  if (!stash_.empty()) {
    complete_pending_ = true;
    reusable_pending_ = reusable;
    update_interest();
    return;
  }
  complete(reusable);
}

void Transfer::complete(bool reusable) {
  complete_pending_ = false;
  if (follow_this_) {
    if (easy_.opt.max_redirs >= 0 && easy_.info.redirect_count >= easy_.opt.max_redirs) {
      char text[64];
      std::snprintf(text, sizeof text, "Maximum (%ld) redirects followed", easy_.opt.max_redirs);
      finish(MSE_TOO_MANY_REDIRECTS, text);
      return;
    }
    ++easy_.info.redirect_count;
    std::string next = easy_.info.redirect_url;
    easy_.info.redirect_url.clear();
    if (conn_) {
      if (reusable) {
        host_.pool_put(std::move(conn_), this);
      } else {
        host_.close_socket(conn_->fd, this, conn_->close_fn, conn_->close_data);
        conn_.reset();
      }
    }
    easy_.info.effective_url = std::move(next);
    retried_ = false;
    begin(true);
    return;
  }
  if (!progress()) return;
  if (conn_ && !reusable) {
    host_.close_socket(conn_->fd, this, conn_->close_fn, conn_->close_data);
    conn_.reset();
  }
  finish(MSE_OK);
}

bool Transfer::on_status(int, int, int code, std::string_view line) {
  easy_.info.response_code = code;
  easy_.info.content_type.clear();
  easy_.info.has_content_type = false;
  location_.clear();
  return header_out(line);
}

bool Transfer::on_header(std::string_view name, std::string_view value, std::string_view raw_line) {
  if (http::ascii_iequals(name, "Location")) location_.assign(value);
  if (http::ascii_iequals(name, "Content-Type")) {
    easy_.info.content_type.assign(value);
    easy_.info.has_content_type = true;
  }
  return header_out(raw_line);
}

bool Transfer::on_headers_end(int code) {
  if (!header_out({})) return false;
  if (code == 100 && expect_wait_) resume_upload_ = true;
  if (code < 200) return true;
  if (easy_.opt.fail_on_error && code >= 400) {
    // MSOPT_FAILONERROR: the error page is not delivered; the transfer fails here.
    sink_error_ = MSE_HTTP_RETURNED_ERROR;
    sink_text_ = "The requested URL returned error: " + std::to_string(code);
    return false;
  }
  if (expect_wait_ || uploading_) {
    // A final answer before the body was sent: the body is abandoned, and the
    // connection with it.
    expect_wait_ = false;
    resume_upload_ = false;
    uploading_ = false;
    early_reply_ = true;
  }
  easy_.info.content_length = parser_.content_length();
  easy_.info.redirect_url.clear();
  follow_this_ = false;
  if (is_redirect(code) && !location_.empty()) {
    if (auto next = http::resolve_reference(url_, location_)) {
      easy_.info.redirect_url = next->to_string();
      follow_this_ = easy_.opt.follow_location;
    }
  }
  return true;
}

bool Transfer::header_out(std::string_view line) {
  if (easy_.opt.verbose) debug(MSINFOTYPE_HEADER_IN, std::string(line) + "\r\n");
  std::string& buf = host_.line_scratch();
  buf.assign(line);
  buf.append("\r\n");
  easy_.info.header_size += static_cast<long>(buf.size());
  const auto& o = easy_.opt;
  // MSOPT_HEADER: the head also goes to the write callback, before the body (deliver
  // keeps it in order while paused).
  if (o.include_header && !deliver(buf)) return false;
  ms_write_callback fn = o.header_fn;
  void* data = o.header_data;
  if (!fn) {
    if (!data) return true;  // headers go nowhere unless asked for
    fn = o.write_fn;
  }
  std::size_t n = 0;
  if (fn) {
    n = host_.call_app([&] { return fn(buf.data(), 1, buf.size(), data); });
  } else {
    n = std::fwrite(buf.data(), 1, buf.size(), static_cast<std::FILE*>(data));
  }
  if (n != buf.size()) {
    sink_error_ = MSE_WRITE_ERROR;
    return false;
  }
  return true;
}

bool Transfer::on_body(std::string_view bytes) {
  easy_.info.size_download += static_cast<std::int64_t>(bytes.size());
  if (follow_this_) return true;  // a followed redirect's body is not the application's
  return deliver(bytes);
}

bool Transfer::deliver(std::string_view bytes) {
  if (paused() || !stash_.empty()) {
    stash_.append(bytes);
    return true;
  }
  while (!bytes.empty()) {
    const auto piece = bytes.substr(0, kWriteMax);
    char* p = const_cast<char*>(piece.data());
    std::size_t n = 0;
    const auto& o = easy_.opt;
    if (o.write_fn) {
      n = host_.call_app([&] { return o.write_fn(p, 1, piece.size(), o.write_data); });
    } else {
      n = std::fwrite(p, 1, piece.size(), o.write_data ? static_cast<std::FILE*>(o.write_data) : stdout);
    }
    if (n == MS_WRITEFUNC_PAUSE) {
      easy_.pause_bits |= MSPAUSE_RECV;
      stash_.append(bytes);  // the refused piece is delivered again on resume
      return true;
    }
    if (n != piece.size()) {
      sink_error_ = MSE_WRITE_ERROR;
      return false;
    }
    bytes.remove_prefix(piece.size());
  }
  return true;
}

bool Transfer::flush_stash() {
  std::string pending;
  pending.swap(stash_);
  if (!deliver(pending)) {
    finish(MSE_WRITE_ERROR, "Failure writing output to destination");
    return false;
  }
  return true;
}

void Transfer::pause_changed(bool inside_callback) {
  if (phase_ == Phase::done) return;
  if (inside_callback) {
    // Whoever runs now adjusts interest on return; a resume is done on the next timer.
    if (!paused()) {
      wake_ = true;
      update_deadline();
    }
    return;
  }
  if (!paused() && !stash_.empty()) {
    if (!flush_stash()) return;
  }
  if (!paused() && complete_pending_ && stash_.empty()) {
    complete(reusable_pending_);
    return;
  }
  if (!send_paused() && phase_ == Phase::sending && uploading_ && request_.empty()) {
    send_body();
    return;
  }
  update_interest();
  update_deadline();
}

void Transfer::pause_set_by_app() {
  pause_changed(false);
  if (phase_ == Phase::done || (paused() && send_paused())) return;
  if (MS_MUTANT(host_.mutant(), no_unpause_timer)) return;
  wake_ = true;  // on_timer clears it and re-checks: one wake-up, never a loop
  update_deadline();
}

bool Transfer::progress_wanted() const {
  const auto& o = easy_.opt;
  return !o.noprogress && (o.xferinfo_fn || o.progress_fn);
}

bool Transfer::progress() {
  const auto& o = easy_.opt;
  if (!progress_wanted()) return true;
  progress_next_ = host_.now() + 1s;
  const std::int64_t dltotal = std::max<std::int64_t>(0, easy_.info.content_length);
  int rc = 0;
  if (o.xferinfo_fn) {
    rc = host_.call_app([&] {
      return o.xferinfo_fn(o.progress_data, dltotal, easy_.info.size_download,
                           static_cast<ms_off_t>(body_size_), easy_.info.size_upload);
    });
  } else {
    rc = host_.call_app([&] {
      return o.progress_fn(o.progress_data, static_cast<double>(dltotal),
                           static_cast<double>(easy_.info.size_download),
                           static_cast<double>(body_size_), static_cast<double>(easy_.info.size_upload));
    });
  }
  if (rc != 0) {
    finish(MSE_ABORTED_BY_CALLBACK, "Callback aborted");
    return false;
  }
  return true;
}

void Transfer::release_all(bool keep_connection) {
  if (phase_ == Phase::queued) host_.dequeue(this);
  leave_queue_ = false;
  slot_.release();
  if (resolve_fd_ >= 0) {
    host_.drop(resolve_fd_, this);
    resolve_fd_ = -1;
  }
  if (resolve_id_ != 0) {
    host_.resolver().release(resolve_id_);
    resolve_id_ = 0;
  }
  for (const auto& a : attempts_) host_.close_socket(a.fd, this, easy_.opt.closesocket_fn, easy_.opt.closesocket_data);
  attempts_.clear();
  if (conn_) {
    if (keep_connection) host_.pool_put(std::move(conn_), this);
    else host_.close_socket(conn_->fd, this, conn_->close_fn, conn_->close_data);
    conn_.reset();
  }
  std::string().swap(stash_);
  std::string().swap(request_);
}

void Transfer::finish(MSEcode result, const char* text) {
  if (phase_ == Phase::done) return;
  const bool had_started = phase_ != Phase::pending;
  // A connection still held here after success is reusable (complete() closed the others).
  release_all(result == MSE_OK && conn_ != nullptr);
  phase_ = Phase::done;
  wake_ = false;
  drain_ = false;
  host_.set_deadline(*this, easy_.seq, std::nullopt);
  if (had_started) easy_.info.total_time_us = (host_.now() - started_at_) / 1us;
  if (result != MSE_OK && easy_.opt.error_buffer) {
    std::snprintf(easy_.opt.error_buffer, MS_ERROR_SIZE, "%s", text ? text : ms_easy_strerror(result));
  }
  host_.transfer_done(&easy_, result);
}

void Transfer::cancel() {
  if (phase_ == Phase::done) return;
  release_all(false);
  phase_ = Phase::done;
  host_.set_deadline(*this, easy_.seq, std::nullopt);
}

}  // namespace ms
