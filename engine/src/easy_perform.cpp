// SPDX-License-Identifier: MIT
// easy_perform.cpp: ms_easy_perform's blocking transfer, as the classic loop on a multi
// private to the handle: add, then perform and poll until the transfer is done, read its
// result, remove. The private multi stays with the handle, so a second perform of the same
// handle can reuse the connection of the first (as libcurl keeps its connection cache in
// the handle's private multi). Callbacks run from inside perform, so the recursion guard
// of that multi applies to them as to any other.
#include "easy.hpp"
#include "multi.hpp"
#include "multisock/engine.hpp"
#include "registry.hpp"

namespace ms {

namespace {
// How long one poll waits at most: the loop also ends when a poll is woken or a timer is due.
constexpr int kPollMaxMs = 1000;
}  // namespace

MSEcode easy_perform(ms_easy* easy, const port::Ports& ports) {
  if (!registry::live(easy)) return MSE_BAD_FUNCTION_ARGUMENT;
  if (easy->opt.error_buffer) easy->opt.error_buffer[0] = '\0';
  // A handle in a multi (another's, or its own during its own transfer) is not free.
  if (easy->multi) return MSE_FAILED_INIT;
  if (!ports.waiter) return MSE_FAILED_INIT;
  if (!easy->own_multi) {
    easy->own_multi = multi_init(ports);
    if (!easy->own_multi) return MSE_OUT_OF_MEMORY;
  }
  ms_multi* m = easy->own_multi;
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
