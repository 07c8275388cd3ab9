// SPDX-License-Identifier: MIT
// easy_perform.cpp: ms_easy_perform's blocking transfer, as the classic loop on a multi
// private to the handle: add, then perform and poll until the transfer is done, read its
// result, remove. The private multi stays with the handle, so a second perform of the same
// handle can reuse the connection of the first (as libcurl keeps its connection cache in
// the handle's private multi). A handle whose share shares the connection cache runs on
// the share's multi instead, between the share's lock and unlock calls. Callbacks run
// from inside perform, so the recursion guard of that multi applies to them as to any other.
#include "easy.hpp"
#include "multi.hpp"
#include "multisock/engine.hpp"
#include "registry.hpp"
#include "share.hpp"

namespace ms {

namespace {
// How long one poll waits at most: the loop also ends when a poll is woken or a timer is due.
constexpr int kPollMaxMs = 1000;
}  // namespace

// The perform loop on `owned` (made on first use), the handle added and removed again.
MSEcode perform_on(ms_easy* easy, ms_multi*& owned, const port::Ports& ports);

MSEcode easy_perform(ms_easy* easy, const port::Ports& ports) {
  if (!registry::live(easy)) return MSE_BAD_FUNCTION_ARGUMENT;
  if (easy->opt.error_buffer) easy->opt.error_buffer[0] = '\0';
  // A handle in a multi (another's, or its own during its own transfer) is not free.
  if (easy->multi) return MSE_FAILED_INIT;
  if (!ports.waiter) return MSE_FAILED_INIT;
  ms_share* share = easy->share && easy->share->connect ? easy->share : nullptr;
  // The multi whose connections this perform uses: the share's, or the handle's own.
  ms_multi*& owned = share ? share->multi : easy->own_multi;
  if (share && share->lock_fn) share->lock_fn(easy, MS_LOCK_DATA_CONNECT, MS_LOCK_ACCESS_SINGLE, share->user);
  const MSEcode result = perform_on(easy, owned, ports);
  if (share && share->unlock_fn) share->unlock_fn(easy, MS_LOCK_DATA_CONNECT, share->user);
  return result;
}

MSEcode perform_on(ms_easy* easy, ms_multi*& owned, const port::Ports& ports) {
  if (!owned) {
    owned = multi_init(ports);
    if (!owned) return MSE_OUT_OF_MEMORY;
  }
  ms_multi* m = owned;
  if (m->in_callback()) return MSE_RECURSIVE_API_CALL;
  if (ms_multi_add_handle(m, easy) != MSM_OK) return MSE_FAILED_INIT;
  MSMcode rc = MSM_OK;
  for (;;) {
    int running = 0;
    rc = ms_multi_perform(m, &running);
    if (rc != MSM_OK || running == 0) break;
    rc = ms_multi_poll(m, nullptr, 0, kPollMaxMs, nullptr);
    if (rc != MSM_OK) break;
  }
  MSEcode result = MSE_OK;
  if (rc != MSM_OK) {
    result = rc == MSM_OUT_OF_MEMORY ? MSE_OUT_OF_MEMORY : MSE_BAD_FUNCTION_ARGUMENT;
  } else {
    int left = 0;
    const MSMsg* msg = ms_multi_info_read(m, &left);
    result = (msg && msg->msg == MSMSG_DONE && msg->easy_handle == easy) ? msg->data.result : MSE_FAILED_INIT;
  }
  ms_multi_remove_handle(m, easy);
  return result;
}

}  // namespace ms
