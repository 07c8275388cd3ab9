// SPDX-License-Identifier: MIT
// easy.cpp: the options of an easy handle (what ms_easy_setopt sets) and its results (what
// ms_easy_getinfo reads). The C entry points themselves are in api.cpp.
#include "easy.hpp"
#include "multi.hpp"

#include <algorithm>
#include <cstdarg>
#include <cstdlib>
#include <cstring>
#include <new>

namespace {

// A string option: a copy of s at its own size (assigning into an empty std::string would
// round the capacity up to twice the inline size: 31 bytes for a 19-byte URL), or empty
// for NULL.
void copy_option(std::string& dst, const char* s) {
  if (s) dst = std::string(s);
  else dst.clear();
}

// Timeouts are kept in milliseconds up to 2^31-1 (about 24.8 days): a larger value is taken
// as that, so that "now + timeout" can never overflow the clock's nanoseconds.
constexpr long kTimeoutCapMs = 0x7fffffffL;

// Versions this engine speaks: 1.0, 1.1, HTTP/2 (by ALPN, or prior knowledge); HTTP/3
// is not built in.
MSEcode set_http_version(ms_easy::Options& o, long v) {
  switch (v) {
    case MS_HTTP_VERSION_NONE:
    case MS_HTTP_VERSION_1_0:
    case MS_HTTP_VERSION_1_1:
    case MS_HTTP_VERSION_2_0:
    case MS_HTTP_VERSION_2TLS:
    case MS_HTTP_VERSION_2_PRIOR_KNOWLEDGE:
      o.http_version = v;
      return MSE_OK;
    default:
      return v < 0 ? MSE_BAD_FUNCTION_ARGUMENT : MSE_UNSUPPORTED_PROTOCOL;
  }
}

MSEcode set_long(ms_easy::Options& o, MSoption option, long v) {
  switch (option) {
    case MSOPT_TIMEOUT:
      if (v < 0) return MSE_BAD_FUNCTION_ARGUMENT;
      o.timeout_ms = v > kTimeoutCapMs / 1000 ? kTimeoutCapMs : v * 1000;
      return MSE_OK;
    case MSOPT_TIMEOUT_MS:
      if (v < 0) return MSE_BAD_FUNCTION_ARGUMENT;
      o.timeout_ms = std::min(v, kTimeoutCapMs);
      return MSE_OK;
    case MSOPT_CONNECTTIMEOUT:
      if (v < 0) return MSE_BAD_FUNCTION_ARGUMENT;
      o.connect_timeout_ms = v > kTimeoutCapMs / 1000 ? kTimeoutCapMs : v * 1000;
      return MSE_OK;
    case MSOPT_CONNECTTIMEOUT_MS:
      if (v < 0) return MSE_BAD_FUNCTION_ARGUMENT;
      o.connect_timeout_ms = std::min(v, kTimeoutCapMs);
      return MSE_OK;
    case MSOPT_LOW_SPEED_LIMIT:
      if (v < 0) return MSE_BAD_FUNCTION_ARGUMENT;
      o.set_rare().low_speed_limit = v;
      return MSE_OK;
    case MSOPT_LOW_SPEED_TIME:
      if (v < 0) return MSE_BAD_FUNCTION_ARGUMENT;
      o.set_rare().low_speed_time = v;
      return MSE_OK;
    case MSOPT_MAXREDIRS:
      if (v < -1) return MSE_BAD_FUNCTION_ARGUMENT;
      o.max_redirs = v;
      return MSE_OK;
    case MSOPT_POSTFIELDSIZE:
      if (v < -1) return MSE_BAD_FUNCTION_ARGUMENT;
      o.postfield_size = v;
      return MSE_OK;
    case MSOPT_VERBOSE: o.verbose = v != 0; return MSE_OK;
    case MSOPT_FAILONERROR: o.fail_on_error = v != 0; return MSE_OK;
    case MSOPT_HEADER: o.include_header = v != 0; return MSE_OK;
    case MSOPT_NOPROGRESS: o.noprogress = v != 0; return MSE_OK;
    case MSOPT_NOBODY: o.nobody = v != 0; return MSE_OK;
    case MSOPT_POST: o.post = v != 0; return MSE_OK;
    case MSOPT_HTTPGET:
      if (v) {
        o.post = false;
        o.nobody = false;
        o.postfields = nullptr;
      }
      return MSE_OK;
    case MSOPT_FOLLOWLOCATION: o.follow_location = v != 0; return MSE_OK;
    case MSOPT_FRESH_CONNECT: o.fresh_connect = v != 0; return MSE_OK;
    case MSOPT_FORBID_REUSE: o.forbid_reuse = v != 0; return MSE_OK;
    case MSOPT_UPLOAD:
      o.upload = v != 0;
      return MSE_OK;
    case MSOPT_SSL_VERIFYPEER: o.set_rare().ssl_verify_peer = v != 0; return MSE_OK;
    case MSOPT_SSL_VERIFYHOST:
      if (v < 0 || v > 2) return MSE_BAD_FUNCTION_ARGUMENT;
      o.set_rare().ssl_verify_host = v;
      return MSE_OK;
    case MSOPT_NOSIGNAL:
      return MSE_OK;  // accepted; signals are never used
    case MSOPT_HTTP_VERSION:
      return set_http_version(o, v);
    case MSOPT_CERTINFO: o.certinfo = v != 0; return MSE_OK;
    case MSOPT_CONNECT_ONLY:
      // 2 asks for a WebSocket upgrade, which this engine does not speak.
      if (v < 0 || v > 1) return MSE_BAD_FUNCTION_ARGUMENT;
      o.connect_only = v == 1;
      return MSE_OK;
    case MSOPT_PIPEWAIT:
      // "Wait for a connection that may multiplex": no connection of this engine can, so
      // a transfer never has a reason to wait; the value is kept and changes nothing.
      o.pipewait = v != 0;
      return MSE_OK;
    default:
      return MSE_UNKNOWN_OPTION;
  }
}

MSEcode set_pointer(ms_easy::Options& o, MSoption option, va_list args) {
  switch (option) {
    case MSOPT_URL: copy_option(o.url, va_arg(args, const char*)); return MSE_OK;
    case MSOPT_USERAGENT: copy_option(o.set_rare().user_agent, va_arg(args, const char*)); return MSE_OK;
    case MSOPT_CUSTOMREQUEST:
      copy_option(o.set_rare().custom_request, va_arg(args, const char*));
      return MSE_OK;
    case MSOPT_REFERER: {
      const char* s = va_arg(args, const char*);
      o.set_rare().has_referer = s != nullptr;
      copy_option(o.set_rare().referer, s);
      return MSE_OK;
    }
    case MSOPT_CAINFO: {
      const char* path = va_arg(args, const char*);
      copy_option(o.set_rare().ca_file, path);
      return MSE_OK;
    }
    case MSOPT_WRITEDATA: o.write_data = va_arg(args, void*); return MSE_OK;
    case MSOPT_READDATA: o.set_rare().read_data = va_arg(args, void*); return MSE_OK;
    case MSOPT_HEADERDATA: o.header_data = va_arg(args, void*); return MSE_OK;
    case MSOPT_ERRORBUFFER: o.error_buffer = va_arg(args, char*); return MSE_OK;
    case MSOPT_POSTFIELDS:
      o.postfields = va_arg(args, const char*);
      if (o.postfields) o.post = true;
      return MSE_OK;
    case MSOPT_CURLU: o.set_rare().curlu = va_arg(args, const ms_url*); return MSE_OK;
    case MSOPT_HTTPHEADER: o.http_headers = va_arg(args, const ms_slist*); return MSE_OK;
    case MSOPT_RESOLVE: o.set_rare().resolve = va_arg(args, const ms_slist*); return MSE_OK;
    case MSOPT_PROGRESSDATA: o.set_rare().progress_data = va_arg(args, void*); return MSE_OK;
    case MSOPT_PRIVATE: o.private_data = va_arg(args, void*); return MSE_OK;
    case MSOPT_OPENSOCKETDATA: o.set_rare().opensocket_data = va_arg(args, void*); return MSE_OK;
    case MSOPT_CLOSESOCKETDATA: o.set_rare().closesocket_data = va_arg(args, void*); return MSE_OK;
    case MSOPT_SOCKOPTDATA: o.set_rare().sockopt_data = va_arg(args, void*); return MSE_OK;
    case MSOPT_SOCKOPTFUNCTION: o.set_rare().sockopt_fn = va_arg(args, ms_sockopt_callback); return MSE_OK;
    case MSOPT_DEBUGDATA: o.set_rare().debug_data = va_arg(args, void*); return MSE_OK;
    case MSOPT_WRITEFUNCTION: o.write_fn = va_arg(args, ms_write_callback); return MSE_OK;
    case MSOPT_HEADERFUNCTION: o.header_fn = va_arg(args, ms_write_callback); return MSE_OK;
    case MSOPT_READFUNCTION: o.set_rare().read_fn = va_arg(args, ms_read_callback); return MSE_OK;
    case MSOPT_PROGRESSFUNCTION: o.set_rare().progress_fn = va_arg(args, ms_progress_callback); return MSE_OK;
    case MSOPT_XFERINFOFUNCTION: o.set_rare().xferinfo_fn = va_arg(args, ms_xferinfo_callback); return MSE_OK;
    case MSOPT_OPENSOCKETFUNCTION:
      o.set_rare().opensocket_fn = va_arg(args, ms_opensocket_callback);
      return MSE_OK;
    case MSOPT_CLOSESOCKETFUNCTION:
      o.set_rare().closesocket_fn = va_arg(args, ms_closesocket_callback);
      return MSE_OK;
    case MSOPT_DEBUGFUNCTION: o.set_rare().debug_fn = va_arg(args, ms_debug_callback); return MSE_OK;
    default:
      return MSE_UNKNOWN_OPTION;
  }
}

}  // namespace

namespace ms {

MSEcode easy_setopt(ms_easy::Options& opt, MSoption option, va_list args) {
  const int o = static_cast<int>(option);
  MSEcode rc = MSE_UNKNOWN_OPTION;
  if (o >= MSOPTTYPE_OFF_T) {
    const ms_off_t v = va_arg(args, ms_off_t);
    if (option == MSOPT_POSTFIELDSIZE_LARGE) {
      rc = v < -1 ? MSE_BAD_FUNCTION_ARGUMENT : MSE_OK;
      if (rc == MSE_OK) opt.postfield_size = v;
    } else if (option == MSOPT_INFILESIZE_LARGE) {
      rc = v < -1 ? MSE_BAD_FUNCTION_ARGUMENT : MSE_OK;
      if (rc == MSE_OK) opt.infile_size = v;
    }
  } else if (o >= MSOPTTYPE_OBJECTPOINT) {
    rc = set_pointer(opt, option, args);
  } else {
    rc = set_long(opt, option, va_arg(args, long));
  }
  return rc;
}

}  // namespace ms

void ms_easy::Info::clear_certinfo() {
  for (ms_slist* l : certinfo_lists) ms_slist_free_all(l);
  certinfo_lists.clear();
  certinfo_out = ms_certinfo{0, nullptr};
}

void ms_easy::Info::set_certinfo(const std::vector<std::vector<std::string>>& chain) {
  clear_certinfo();
  for (const auto& cert : chain) {
    ms_slist* list = nullptr;
    for (const auto& line : cert) {
      ms_slist* longer = ms_slist_append(list, line.c_str());
      if (!longer) break;  // out of memory: the list stays shorter
      list = longer;
    }
    certinfo_lists.push_back(list);
  }
  certinfo_out.num_of_certs = static_cast<int>(certinfo_lists.size());
  certinfo_out.certinfo = certinfo_lists.empty() ? nullptr : certinfo_lists.data();
}

namespace ms {

MSEcode easy_getinfo(const ms_easy& easy, MSINFO info, void* out) {
  const auto& i = easy.info;
  switch (info) {
    case MSINFO_EFFECTIVE_URL:
      *static_cast<const char**>(out) = i.effective_url.empty() ? easy.opt.url.c_str() : i.effective_url.c_str();
      return MSE_OK;
    case MSINFO_REDIRECT_URL:
      *static_cast<const char**>(out) = i.redirect_url.empty() ? nullptr : i.redirect_url.c_str();
      return MSE_OK;
    case MSINFO_CONTENT_TYPE:
      *static_cast<const char**>(out) = i.has_content_type ? i.content_type.c_str() : nullptr;
      return MSE_OK;
    case MSINFO_PRIVATE:
      *static_cast<void**>(out) = easy.opt.private_data;
      return MSE_OK;
    case MSINFO_CERTINFO:
      *static_cast<const ms_certinfo**>(out) = &i.certinfo_out;
      return MSE_OK;
    case MSINFO_ACTIVESOCKET:
      *static_cast<ms_socket_t*>(out) = easy.connected_in ? easy.connected_in->connected_fd(&easy) : MS_SOCKET_BAD;
      return MSE_OK;
    case MSINFO_REFERER:
      *static_cast<const char**>(out) = easy.opt.rare().has_referer ? easy.opt.rare().referer.c_str() : nullptr;
      return MSE_OK;
    case MSINFO_RESPONSE_CODE: *static_cast<long*>(out) = i.response_code; return MSE_OK;
    case MSINFO_HEADER_SIZE: *static_cast<long*>(out) = i.header_size; return MSE_OK;
    case MSINFO_REDIRECT_COUNT: *static_cast<long*>(out) = i.redirect_count; return MSE_OK;
    case MSINFO_NUM_CONNECTS: *static_cast<long*>(out) = i.num_connects; return MSE_OK;
    case MSINFO_PRIMARY_PORT: *static_cast<long*>(out) = i.primary_port; return MSE_OK;
    case MSINFO_HTTP_VERSION: *static_cast<long*>(out) = i.http_version; return MSE_OK;
    case MSINFO_TOTAL_TIME:
      *static_cast<double*>(out) = static_cast<double>(i.total_time_us) / 1e6;
      return MSE_OK;
    case MSINFO_SIZE_UPLOAD_T: *static_cast<ms_off_t*>(out) = i.size_upload; return MSE_OK;
    case MSINFO_SIZE_DOWNLOAD_T: *static_cast<ms_off_t*>(out) = i.size_download; return MSE_OK;
    case MSINFO_CONTENT_LENGTH_DOWNLOAD_T: *static_cast<ms_off_t*>(out) = i.content_length; return MSE_OK;
    case MSINFO_TOTAL_TIME_T: *static_cast<ms_off_t*>(out) = i.total_time_us; return MSE_OK;
  }
  return MSE_UNKNOWN_OPTION;
}

}  // namespace ms
