// SPDX-License-Identifier: MIT
/* shim_consumer.c: a libcurl-style program built against the installed shim. Exit 0 when
 * the header is the shim's, curl_version() names the installed version, and an empty
 * multi handle runs one socket_action to completion. */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#ifndef MULTISOCK_COMPAT
#error "<curl/curl.h> is libcurl's, not the multisock shim's"
#endif

static int fail(const char *what) {
  fprintf(stderr, "shim_consumer: %s\n", what);
  return 1;
}

int main(void) {
  const char *version = curl_version();
  const char *expected = "multisock/" MS_EXPECTED_VERSION " ";
  if (version == NULL || strncmp(version, expected, strlen(expected)) != 0) {
    fprintf(stderr, "shim_consumer: curl_version() is \"%s\", expected \"%s...\"\n",
            version ? version : "(null)", expected);
    return 1;
  }
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return fail("curl_global_init failed");
  CURLM *multi = curl_multi_init();
  if (multi == NULL) return fail("curl_multi_init returned NULL");
  int running = -1;
  if (curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running) != CURLM_OK)
    return fail("curl_multi_socket_action on an empty multi failed");
  if (running != 0) return fail("an empty multi reports running transfers");
  int queued = -1;
  if (curl_multi_info_read(multi, &queued) != NULL || queued != 0)
    return fail("an empty multi has a message");
  if (curl_multi_cleanup(multi) != CURLM_OK) return fail("curl_multi_cleanup failed");
  curl_global_cleanup();
  printf("shim_consumer: ok (%s)\n", version);
  return 0;
}
