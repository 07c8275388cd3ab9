// SPDX-License-Identifier: MIT
// test_pki.hpp: the certificates scripted TLS peers present, made in memory at run time.
//
// One test CA signs server certificates for any name the scripts ask for. Keys are
// Ed25519 derived from fixed seeds and validity dates are fixed, so every certificate is
// the same bytes on every run: Ed25519 signatures are deterministic, which keeps the
// sizes of TLS handshakes (and so the byte counts in traces) identical run to run.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

struct ssl_ctx_st;  // OpenSSL's SSL_CTX
struct ssl_st;      // OpenSSL's SSL

namespace ms::sim {

enum class CertKind : std::uint8_t {
  good,         // signed by the test CA, valid 2020-01-01 .. 2099-12-31
  expired,      // signed by the test CA, valid 2000-01-01 .. 2001-01-01
  self_signed,  // signed by its own key, valid like `good`
};

// "good", "expired", "self-signed"; false for anything else.
bool parse_cert_kind(std::string_view text, CertKind& out);
const char* to_string(CertKind kind);

// The test CA's certificate in PEM (what a client's MSOPT_CAINFO file holds).
const std::string& test_ca_pem();

// Writes test_ca_pem() to path (atomically: a temporary file renamed). False on failure.
bool write_test_ca_file(const std::string& path);

// A server context (TLS 1.2+, ALPN http/1.1, no session tickets) presenting a
// certificate for name (a DNS name, or an IP address as text) of the given kind. Cached
// for the process's lifetime; safe to call from several threads. nullptr if OpenSSL fails.
ssl_ctx_st* test_server_context(const std::string& name, CertKind kind);

// Makes ssl (a session of a test_server_context) select ALPN "h2" instead of "http/1.1":
// when the client offers h2 it is chosen, otherwise no protocol is (`h2` peers).
void test_server_select_h2(ssl_st* ssl);

}  // namespace ms::sim
