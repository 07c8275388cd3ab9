/* SPDX-License-Identifier: MIT */
/*
 * nested_action.c: a program that calls curl_multi_socket_action from inside its timer
 * callback (the timer that curl_multi_add_handle sets), once. The recorder must flag that
 * call in-callback. Usage: ms_record_nested URL; exit 0 when the nested call was made.
 */
#include <curl/curl.h>
#include <stdio.h>

static CURLM *multi;
static int nested_calls;

static int on_timer(CURLM *m, long timeout_ms, void *userp) {
  int running = 0;
  (void)m;
  (void)timeout_ms;
  (void)userp;
  if (nested_calls == 0) {
    CURLMcode rc;
    ++nested_calls;
    rc = curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running);
    printf("nested socket_action: %d\n", (int)rc);
  }
  return 0;
}

int main(int argc, char **argv) {
  CURL *easy;
  if (argc < 2) return 2;
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return 2;
  multi = curl_multi_init();
  curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, on_timer);
  easy = curl_easy_init();
  curl_easy_setopt(easy, CURLOPT_URL, argv[1]);
  curl_multi_add_handle(multi, easy);
  curl_multi_remove_handle(multi, easy);
  curl_easy_cleanup(easy);
  curl_multi_cleanup(multi);
  curl_global_cleanup();
  return nested_calls == 1 ? 0 : 1;
}
