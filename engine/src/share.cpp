// SPDX-License-Identifier: MIT
// share.cpp: ms_share_* and MSOPT_SHARE. The share only owns state; using the shared
// connection cache is easy_perform's part (easy_perform.cpp).
#include "share.hpp"

#include <cstdarg>

#include "easy.hpp"
#include "registry.hpp"

namespace {
using ms::registry::live;

MSSHcode set_shared(ms_share& s, long data, bool on) {
  if (s.users > 0) return MSSHE_IN_USE;
  switch (data) {
    case MS_LOCK_DATA_CONNECT:
      s.connect = on;
      return MSSHE_OK;
    case MS_LOCK_DATA_COOKIE:
    case MS_LOCK_DATA_DNS:
    case MS_LOCK_DATA_SSL_SESSION:
    case MS_LOCK_DATA_PSL:
    case MS_LOCK_DATA_HSTS:
      return on ? MSSHE_NOT_BUILT_IN : MSSHE_OK;  // nothing of the kind is kept
    default:
      return MSSHE_BAD_OPTION;
  }
}
}  // namespace

namespace ms {
MSEcode share_attach(ms_easy& easy, ms_share* share) {
  if (share && !live(share)) return MSE_BAD_FUNCTION_ARGUMENT;
  if (easy.share) --easy.share->users;
  easy.share = share;
  if (share) ++share->users;
  return MSE_OK;
}
}  // namespace ms

extern "C" {

ms_share* ms_share_init(void) { return ms::registry::make<ms_share>(ms::registry::allocate_share()); }

MSSHcode ms_share_setopt(ms_share* share, MSSHoption option, ...) {
  if (!live(share)) return MSSHE_INVALID;
  va_list args;
  va_start(args, option);
  MSSHcode rc = MSSHE_OK;
  switch (option) {
    case MSSHOPT_SHARE:
    case MSSHOPT_UNSHARE:
      rc = set_shared(*share, va_arg(args, long), option == MSSHOPT_SHARE);
      break;
    case MSSHOPT_LOCKFUNC: share->lock_fn = va_arg(args, ms_lock_function); break;
    case MSSHOPT_UNLOCKFUNC: share->unlock_fn = va_arg(args, ms_unlock_function); break;
    case MSSHOPT_USERDATA: share->user = va_arg(args, void*); break;
    default: rc = MSSHE_BAD_OPTION; break;
  }
  va_end(args);
  return rc;
}

MSSHcode ms_share_cleanup(ms_share* share) {
  if (!live(share)) return MSSHE_INVALID;
  if (share->users > 0) return MSSHE_IN_USE;
  if (share->multi) ms_multi_cleanup(share->multi);
  ms::registry::destroy(share);
  return MSSHE_OK;
}

const char* ms_share_strerror(MSSHcode code) {
  switch (code) {
    case MSSHE_OK: return "No error";
    case MSSHE_BAD_OPTION: return "Unknown share option or value";
    case MSSHE_IN_USE: return "Share is in use";
    case MSSHE_INVALID: return "Not a share handle";
    case MSSHE_NOMEM: return "Out of memory";
    case MSSHE_NOT_BUILT_IN: return "Nothing of that kind is kept to share";
    default: return "Unknown share error";
  }
}

}  // extern "C"
