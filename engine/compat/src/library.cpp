// SPDX-License-Identifier: MIT
// library.cpp: what libmultisock-curl.so says about itself and the process-wide helpers
// of libcurl's API that involve no handle: curl_version_info, curl_global_sslset, the
// curl_m*printf family and curl_free.
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <strings.h>

#include <nghttp2/nghttp2.h>
#include <openssl/crypto.h>

#include "curl/curl.h"
#include "curl/mprintf.h"

namespace {

// What the engine really has: TLS through OpenSSL, IPv6 (Happy Eyeballs), 64-bit sizes,
// a resolver that does not block the loop, and no process-wide state to race on. HTTP/2,
// HTTP/3, compression, proxies and the auth schemes are not built in, so their bits stay 0.
constexpr int kFeatures = CURL_VERSION_IPV6 | CURL_VERSION_SSL | CURL_VERSION_ASYNCHDNS |
                          CURL_VERSION_LARGEFILE | CURL_VERSION_THREADSAFE | CURL_VERSION_HTTP2;
const char* const kFeatureNames[] = {"AsynchDNS", "HTTP2", "IPv6", "Largefile", "SSL", "threadsafe", nullptr};
const char* const kProtocols[] = {"http", "https", nullptr};

#if defined(__x86_64__)
const char kHost[] = "x86_64-pc-linux-gnu";
#elif defined(__aarch64__)
const char kHost[] = "aarch64-unknown-linux-gnu";
#else
const char kHost[] = "unknown-linux-gnu";
#endif

// "OpenSSL/3.0.11": the run-time library's version, as libcurl names it.
const char* ssl_version_text() {
  static char text[48];
  if (text[0] == '\0') {
    const unsigned long v = OpenSSL_version_num();  // 0xMNN00PP0L
    std::snprintf(text, sizeof text, "OpenSSL/%lu.%lu.%lu", (v >> 28) & 0xf, (v >> 20) & 0xff,
                  (v >> 4) & 0xff);
  }
  return text;
}

const curl_ssl_backend kOpenssl = {CURLSSLBACKEND_OPENSSL, "openssl"};
const curl_ssl_backend* const kBackends[] = {&kOpenssl, nullptr};

}  // namespace

extern "C" {

curl_version_info_data* curl_version_info(CURLversion /*age*/) {
  // One static answer: the fields never change while the library is loaded.
  static curl_version_info_data data = [] {
    curl_version_info_data d{};
    d.age = CURLVERSION_NOW;
    d.version = LIBCURL_VERSION;
    d.version_num = LIBCURL_VERSION_NUM;
    d.host = kHost;
    d.features = kFeatures;
    d.ssl_version = ssl_version_text();
    d.protocols = kProtocols;
    d.feature_names = kFeatureNames;
    const nghttp2_info* h2 = nghttp2_version(0);  // the run-time library, as libcurl reports it
    d.nghttp2_version = h2->version_str;
    d.nghttp2_ver_num = static_cast<unsigned>(h2->version_num);
    return d;
  }();
  return &data;
}

CURLsslset curl_global_sslset(curl_sslbackend id, const char* name, const curl_ssl_backend*** avail) {
  // One backend, chosen at build time: asking for it succeeds, asking for any other
  // backend fails and lists what there is.
  if (avail) *avail = const_cast<const curl_ssl_backend**>(kBackends);
  const bool by_name = name != nullptr && strcasecmp(name, kOpenssl.name) == 0;
  const bool by_id = name == nullptr && id == kOpenssl.id;
  return by_name || by_id ? CURLSSLSET_OK : CURLSSLSET_UNKNOWN_BACKEND;
}

void curl_free(void* p) { std::free(p); }

int curl_mvsnprintf(char* buffer, size_t maxlength, const char* format, va_list args) {
  if (!buffer || !format || maxlength == 0) return -1;
  const int n = std::vsnprintf(buffer, maxlength, format, args);
  // libcurl's answer is the length written, not the length wanted.
  if (n < 0) return -1;
  return static_cast<size_t>(n) >= maxlength ? static_cast<int>(maxlength - 1) : n;
}

int curl_msnprintf(char* buffer, size_t maxlength, const char* format, ...) {
  va_list args;
  va_start(args, format);
  const int n = curl_mvsnprintf(buffer, maxlength, format, args);
  va_end(args);
  return n;
}

char* curl_mvaprintf(const char* format, va_list args) {
  if (!format) return nullptr;
  va_list again;
  va_copy(again, args);
  const int n = std::vsnprintf(nullptr, 0, format, args);
  char* out = n < 0 ? nullptr : static_cast<char*>(std::malloc(static_cast<size_t>(n) + 1));
  if (out) std::vsnprintf(out, static_cast<size_t>(n) + 1, format, again);
  va_end(again);
  return out;
}

char* curl_maprintf(const char* format, ...) {
  va_list args;
  va_start(args, format);
  char* out = curl_mvaprintf(format, args);
  va_end(args);
  return out;
}

int curl_mvsprintf(char* buffer, const char* format, va_list args) {
  if (!buffer || !format) return -1;
  return std::vsprintf(buffer, format, args);
}

int curl_msprintf(char* buffer, const char* format, ...) {
  va_list args;
  va_start(args, format);
  const int n = curl_mvsprintf(buffer, format, args);
  va_end(args);
  return n;
}

int curl_mvfprintf(FILE* fd, const char* format, va_list args) {
  if (!fd || !format) return -1;
  return std::vfprintf(fd, format, args);
}

int curl_mfprintf(FILE* fd, const char* format, ...) {
  va_list args;
  va_start(args, format);
  const int n = curl_mvfprintf(fd, format, args);
  va_end(args);
  return n;
}

int curl_mvprintf(const char* format, va_list args) { return curl_mvfprintf(stdout, format, args); }

int curl_mprintf(const char* format, ...) {
  va_list args;
  va_start(args, format);
  const int n = curl_mvfprintf(stdout, format, args);
  va_end(args);
  return n;
}

}  // extern "C"
