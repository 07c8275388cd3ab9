// easy.cpp: easy handles: init/cleanup, setopt, getinfo, pause, string lists.
#include "easy.hpp"

#include <algorithm>
#include <cstdarg>
#include <cstdlib>
#include <cstring>
#include <new>

#include "multi.hpp"
#include "registry.hpp"
#include "transfer.hpp"

ms_easy::ms_easy() = default;
ms_easy::~ms_easy() { magic = 0; }

namespace {

// Timeouts are kept in milliseconds up to 2^31-1 (about 24.8 days): a larger value is taken
// as that, so that "now + timeout" can never overflow the clock's nanoseconds.
constexpr long kTimeoutCapMs = 0x7fffffffL;

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
      o.low_speed_limit = v;
      return MSE_OK;
    case MSOPT_LOW_SPEED_TIME:
      if (v < 0) return MSE_BAD_FUNCTION_ARGUMENT;
      o.low_speed_time = v;
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
    case MSOPT_SSL_VERIFYPEER: o.ssl_verify_peer = v != 0; return MSE_OK;
    case MSOPT_SSL_VERIFYHOST:
      if (v < 0 || v > 2) return MSE_BAD_FUNCTION_ARGUMENT;
      o.ssl_verify_host = v;
      return MSE_OK;
    case MSOPT_NOSIGNAL:
      return MSE_OK;  // accepted; signals are never used
    default:
      return MSE_UNKNOWN_OPTION;
  }
}

MSEcode set_pointer(ms_easy::Options& o, MSoption option, va_list args) {
  switch (option) {
    case MSOPT_URL:
    case MSOPT_USERAGENT:
    case MSOPT_CUSTOMREQUEST: {
      const char* s = va_arg(args, const char*);
      std::string& dst = option == MSOPT_URL ? o.url : option == MSOPT_USERAGENT ? o.user_agent : o.custom_request;
      if (s) dst = s;
      else dst.clear();
      return MSE_OK;
    }
    case MSOPT_CAINFO: {
      const char* path = va_arg(args, const char*);
      if (path) o.ca_file = path;
      else o.ca_file.clear();
      return MSE_OK;
    }
    case MSOPT_WRITEDATA: o.write_data = va_arg(args, void*); return MSE_OK;
    case MSOPT_READDATA: o.read_data = va_arg(args, void*); return MSE_OK;
    case MSOPT_HEADERDATA: o.header_data = va_arg(args, void*); return MSE_OK;
    case MSOPT_ERRORBUFFER: o.error_buffer = va_arg(args, char*); return MSE_OK;
    case MSOPT_POSTFIELDS:
      o.postfields = va_arg(args, const char*);
      if (o.postfields) o.post = true;
      return MSE_OK;
    case MSOPT_HTTPHEADER: o.http_headers = va_arg(args, const ms_slist*); return MSE_OK;
    case MSOPT_RESOLVE: o.resolve = va_arg(args, const ms_slist*); return MSE_OK;
    case MSOPT_PROGRESSDATA: o.progress_data = va_arg(args, void*); return MSE_OK;
    case MSOPT_PRIVATE: o.private_data = va_arg(args, void*); return MSE_OK;
    case MSOPT_OPENSOCKETDATA: o.opensocket_data = va_arg(args, void*); return MSE_OK;
    case MSOPT_CLOSESOCKETDATA: o.closesocket_data = va_arg(args, void*); return MSE_OK;
    case MSOPT_DEBUGDATA: o.debug_data = va_arg(args, void*); return MSE_OK;
    case MSOPT_WRITEFUNCTION: o.write_fn = va_arg(args, ms_write_callback); return MSE_OK;
    case MSOPT_HEADERFUNCTION: o.header_fn = va_arg(args, ms_write_callback); return MSE_OK;
    case MSOPT_READFUNCTION: o.read_fn = va_arg(args, ms_read_callback); return MSE_OK;
    case MSOPT_PROGRESSFUNCTION: o.progress_fn = va_arg(args, ms_progress_callback); return MSE_OK;
    case MSOPT_XFERINFOFUNCTION: o.xferinfo_fn = va_arg(args, ms_xferinfo_callback); return MSE_OK;
    case MSOPT_OPENSOCKETFUNCTION: o.opensocket_fn = va_arg(args, ms_opensocket_callback); return MSE_OK;
    case MSOPT_CLOSESOCKETFUNCTION: o.closesocket_fn = va_arg(args, ms_closesocket_callback); return MSE_OK;
    case MSOPT_DEBUGFUNCTION: o.debug_fn = va_arg(args, ms_debug_callback); return MSE_OK;
    default:
      return MSE_UNKNOWN_OPTION;
  }
}

}  // namespace

extern "C" {

ms_easy* ms_easy_init(void) {
  auto* e = new (std::nothrow) ms_easy();
  if (e) ms::registry::add(e);
  return e;
}

void ms_easy_cleanup(ms_easy* easy) {
  if (!ms::registry::live(easy)) return;
  if (easy->multi) {
    // Freeing a handle from inside one of its multi's callbacks would pull the ground
    // from under the running call: refused (the handle stays valid).
    if (easy->multi->in_callback()) return;
    ms_multi_remove_handle(easy->multi, easy);
  }
  if (easy->own_multi) ms_multi_cleanup(easy->own_multi);
  ms::registry::remove(easy);
  delete easy;
}

MSEcode ms_easy_setopt(ms_easy* easy, MSoption option, ...) {
  if (!ms::registry::live(easy)) return MSE_BAD_FUNCTION_ARGUMENT;
  const int o = static_cast<int>(option);
  va_list args;
  va_start(args, option);
  MSEcode rc = MSE_UNKNOWN_OPTION;
  if (o >= MSOPTTYPE_OFF_T) {
    const ms_off_t v = va_arg(args, ms_off_t);
    if (option == MSOPT_POSTFIELDSIZE_LARGE) {
      rc = v < -1 ? MSE_BAD_FUNCTION_ARGUMENT : MSE_OK;
      if (rc == MSE_OK) easy->opt.postfield_size = v;
    } else if (option == MSOPT_INFILESIZE_LARGE) {
      rc = v < -1 ? MSE_BAD_FUNCTION_ARGUMENT : MSE_OK;
      if (rc == MSE_OK) easy->opt.infile_size = v;
    }
  } else if (o >= MSOPTTYPE_OBJECTPOINT) {
    rc = set_pointer(easy->opt, option, args);
  } else {
    rc = set_long(easy->opt, option, va_arg(args, long));
  }
  va_end(args);
  return rc;
}

MSEcode ms_easy_getinfo(ms_easy* easy, MSINFO info, ...) {
  if (!ms::registry::live(easy)) return MSE_BAD_FUNCTION_ARGUMENT;
  va_list args;
  va_start(args, info);
  void* out = va_arg(args, void*);
  va_end(args);
  if (!out) return MSE_BAD_FUNCTION_ARGUMENT;
  const auto& i = easy->info;
  switch (info) {
    case MSINFO_EFFECTIVE_URL:
      *static_cast<const char**>(out) = i.effective_url.empty() ? easy->opt.url.c_str() : i.effective_url.c_str();
      return MSE_OK;
    case MSINFO_REDIRECT_URL:
      *static_cast<const char**>(out) = i.redirect_url.empty() ? nullptr : i.redirect_url.c_str();
      return MSE_OK;
    case MSINFO_CONTENT_TYPE:
      *static_cast<const char**>(out) = i.has_content_type ? i.content_type.c_str() : nullptr;
      return MSE_OK;
    case MSINFO_PRIVATE:
      *static_cast<void**>(out) = easy->opt.private_data;
      return MSE_OK;
    case MSINFO_RESPONSE_CODE: *static_cast<long*>(out) = i.response_code; return MSE_OK;
    case MSINFO_HEADER_SIZE: *static_cast<long*>(out) = i.header_size; return MSE_OK;
    case MSINFO_REDIRECT_COUNT: *static_cast<long*>(out) = i.redirect_count; return MSE_OK;
    case MSINFO_NUM_CONNECTS: *static_cast<long*>(out) = i.num_connects; return MSE_OK;
    case MSINFO_PRIMARY_PORT: *static_cast<long*>(out) = i.primary_port; return MSE_OK;
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

MSEcode ms_easy_pause(ms_easy* easy, int bitmask) {
  if (!ms::registry::live(easy)) return MSE_BAD_FUNCTION_ARGUMENT;
  if (bitmask & ~MSPAUSE_ALL) return MSE_BAD_FUNCTION_ARGUMENT;
  const int before = easy->pause_bits;
  easy->pause_bits = bitmask;
  if (before != bitmask && easy->multi) easy->multi->pause_changed(easy);
  return MSE_OK;
}

ms_slist* ms_slist_append(ms_slist* list, const char* string) {
  if (!string) return nullptr;
  const std::size_t n = std::strlen(string);
  char* copy = static_cast<char*>(std::malloc(n + 1));
  if (!copy) return nullptr;
  std::memcpy(copy, string, n + 1);
  auto* item = static_cast<ms_slist*>(std::malloc(sizeof(ms_slist)));
  if (!item) {
    std::free(copy);
    return nullptr;
  }
  item->data = copy;
  item->next = nullptr;
  if (!list) return item;
  ms_slist* last = list;
  while (last->next) last = last->next;
  last->next = item;
  return list;
}

void ms_slist_free_all(ms_slist* list) {
  while (list) {
    ms_slist* next = list->next;
    std::free(list->data);
    std::free(list);
    list = next;
  }
}

}  // extern "C"
