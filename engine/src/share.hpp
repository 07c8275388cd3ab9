// SPDX-License-Identifier: MIT
// share.hpp: the share handle (ms_share_*): a connection cache that several easy handles
// use through ms_easy_perform (see multisock.h). easy_perform and the easy API use these.
#pragma once

#include "multisock/multisock.h"

struct ms_share {  // lives in the registry's arena (registry.hpp)
  bool connect = false;  // MS_LOCK_DATA_CONNECT is shared
  ms_lock_function lock_fn = nullptr;
  ms_unlock_function unlock_fn = nullptr;
  void* user = nullptr;
  long users = 0;              // easy handles naming the share
  ms_multi* multi = nullptr;   // the shared connection cache's multi, made by the first perform
};

namespace ms {
// MSOPT_SHARE: the handle leaves its old share (if any) and joins `share` (NULL: none).
// MSE_BAD_FUNCTION_ARGUMENT for something that is not a live share.
MSEcode share_attach(ms_easy& easy, ms_share* share);
}  // namespace ms
