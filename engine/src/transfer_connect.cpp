// SPDX-License-Identifier: MIT
// transfer_connect.cpp: a transfer's fresh connection once its socket connected: the
// transport (plain, or TLS with its handshake), and what speaks on it next (HTTP/2 when
// the server chose it by ALPN, or prior knowledge; HTTP/1.1 otherwise).
#include "tls_transport.hpp"
#include "transfer.hpp"

namespace ms {

void Transfer::on_connected(int fd, const port::Address& peer) {
  conn_ = std::make_unique<Connection>();
  conn_->fd = fd;
  if (url_.is_tls()) {
    TlsConfig config;
    config.host = url_.host;
    config.verify_peer = easy_.opt.rare().ssl_verify_peer;
    config.verify_host = easy_.opt.rare().ssl_verify_host != 0;
    config.ca_file = easy_.opt.rare().ca_file;
    config.offer_h2 = h2_offer();
    MSEcode code = MSE_OK;
    std::string text;
    conn_->transport = TlsTransport::create(host_.net(), fd, config, host_.tls_contexts(), code, text);
    if (!conn_->transport) {
      finish(code, text.c_str());
      return;
    }
  } else {
    conn_->transport = std::make_unique<PlainTransport>(host_.net(), fd);
  }
  conn_->pool_key = key_;
  conn_->peer = peer;
  conn_->id = host_.next_connection_id();
  conn_->close_fn = easy_.opt.rare().closesocket_fn;
  conn_->close_data = easy_.opt.rare().closesocket_data;
  conn_->slot = std::move(slot_);
  ++easy_.info.num_connects;
  easy_.info.primary_port = peer.port;
  if (easy_.opt.verbose) delivery().debug(MSINFOTYPE_TEXT, "Connected to " + url_.host + " (" + peer.to_string() + ")\n");
  if (url_.is_tls()) {
    phase_ = Phase::handshaking;
    do_handshake();
    return;
  }
  if (h2_prior()) {
    start_h2();
    return;
  }
  begin_request();
}

void Transfer::do_handshake() {
  auto* tls = static_cast<TlsTransport*>(conn_->transport.get());  // set by on_connected()
  MSEcode code = MSE_OK;
  std::string text;
  switch (tls->handshake(code, text)) {
    case TlsTransport::Step::done:
      if (easy_.opt.certinfo) easy_.info.set_certinfo(tls->peer_chain_info());
      if (easy_.opt.verbose) delivery().debug(MSINFOTYPE_TEXT, "TLS handshake done with " + url_.host + "\n");
      if (tls->alpn_h2()) {
        start_h2();
        return;
      }
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

}  // namespace ms
