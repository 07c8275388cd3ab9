// SPDX-License-Identifier: MIT
/* engine_consumer.c: a C program built against the installed engine (ms_* API). Exit 0
 * when a transfer with a malformed URL finishes with MSE_URL_MALFORMAT through the whole
 * add / socket_action / info_read cycle, with no socket touched. */
#include <multisock/multisock.h>
#include <stdio.h>
#include <string.h>

static int fail(const char *what) {
  fprintf(stderr, "engine_consumer: %s\n", what);
  return 1;
}

int main(void) {
  if (strcmp(ms_multi_strerror(MSM_BAD_HANDLE), "Invalid multi handle") != 0)
    return fail("ms_multi_strerror gives an unexpected text");
  ms_multi *multi = ms_multi_init();
  if (multi == NULL) return fail("ms_multi_init returned NULL");
  ms_easy *easy = ms_easy_init();
  if (easy == NULL) return fail("ms_easy_init returned NULL");
  if (ms_easy_setopt(easy, MSOPT_URL, "not a url") != MSE_OK) return fail("setting MSOPT_URL failed");
  if (ms_multi_add_handle(multi, easy) != MSM_OK) return fail("ms_multi_add_handle failed");
  int running = -1;
  if (ms_multi_socket_action(multi, MS_SOCKET_TIMEOUT, 0, &running) != MSM_OK)
    return fail("ms_multi_socket_action failed");
  if (running != 0) return fail("the malformed transfer is still running");
  int queued = -1;
  MSMsg *msg = ms_multi_info_read(multi, &queued);
  if (msg == NULL || msg->msg != MSMSG_DONE || msg->easy_handle != easy)
    return fail("no DONE message for the transfer");
  if (msg->data.result != MSE_URL_MALFORMAT) {
    fprintf(stderr, "engine_consumer: result %d (%s), expected MSE_URL_MALFORMAT\n",
            (int)msg->data.result, ms_easy_strerror(msg->data.result));
    return 1;
  }
  if (ms_multi_remove_handle(multi, easy) != MSM_OK) return fail("ms_multi_remove_handle failed");
  ms_easy_cleanup(easy);
  if (ms_multi_cleanup(multi) != MSM_OK) return fail("ms_multi_cleanup failed");
  printf("engine_consumer: ok\n");
  return 0;
}
