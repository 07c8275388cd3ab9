// SPDX-License-Identifier: MIT
/* classic.c: downloads with libcurl's classic loops, for comparing libraries.
 *
 *   compat-classic-<flavour> [-m poll|wait|select|easy] [-F] [-c CAFILE] [-t SECONDS] -o DIR URL...
 *
 * poll (default): every URL on one multi, curl_multi_perform + curl_multi_poll; wait: the
 * same with curl_multi_wait; select: curl_multi_fdset + select() + curl_multi_timeout;
 * easy: curl_easy_perform of each URL in turn on one reused handle. -F sets
 * CURLOPT_FAILONERROR, -c CURLOPT_CAINFO; MS_CLASSIC_VERBOSE in the environment sets
 * CURLOPT_VERBOSE. Body i goes to DIR/i.body. stdout gets one line per URL, in the
 * order given: "i result=R status=S bytes=N", so two libraries' outputs compare as text.
 * Before the transfers, a curl_multi_wakeup must end a curl_multi_poll of 60 s at once
 * ("wakeup ok"). Exit 0 when every transfer ended with CURLE_OK. */
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

#define MAX_URLS 256

struct job {
  const char *url;
  FILE *out;
  CURL *easy;
  CURLcode result;
  long status;
  curl_off_t bytes;
  int done;
};

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *ca_file = NULL;

static void setup(CURL *easy, struct job *j, int fail_on_error, long timeout_s) {
  curl_easy_setopt(easy, CURLOPT_URL, j->url);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, j->out); /* no WRITEFUNCTION: fwrite to the FILE* */
  curl_easy_setopt(easy, CURLOPT_PRIVATE, j);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT, timeout_s);
  if (fail_on_error) curl_easy_setopt(easy, CURLOPT_FAILONERROR, 1L);
  if (ca_file) curl_easy_setopt(easy, CURLOPT_CAINFO, ca_file);
  if (getenv("MS_CLASSIC_VERBOSE")) curl_easy_setopt(easy, CURLOPT_VERBOSE, 1L);
}

static void record(struct job *j, CURL *easy, CURLcode result) {
  j->result = result;
  j->done = 1;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &j->status);
  curl_easy_getinfo(easy, CURLINFO_SIZE_DOWNLOAD_T, &j->bytes);
}

static void read_messages(CURLM *multi) {
  CURLMsg *msg;
  int left;
  while ((msg = curl_multi_info_read(multi, &left))) {
    if (msg->msg != CURLMSG_DONE) continue;
    struct job *j = NULL;
    curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&j);
    if (j) record(j, msg->easy_handle, msg->data.result);
  }
}

/* A wakeup issued before the poll makes that poll return at once. */
static int check_wakeup(CURLM *multi) {
  const double t0 = now_s();
  if (curl_multi_wakeup(multi) != CURLM_OK) return 0;
  int numfds = -1;
  if (curl_multi_poll(multi, NULL, 0, 60000, &numfds) != CURLM_OK) return 0;
  return now_s() - t0 < 30.0 && numfds == 0;
}

static int run_multi(struct job *jobs, int n, const char *mode, int fail_on_error, long timeout_s) {
  CURLM *multi = curl_multi_init();
  if (!multi) return 1;
  printf("wakeup %s\n", check_wakeup(multi) ? "ok" : "FAILED");
  for (int i = 0; i < n; ++i) {
    jobs[i].easy = curl_easy_init();
    setup(jobs[i].easy, &jobs[i], fail_on_error, timeout_s);
    curl_multi_add_handle(multi, jobs[i].easy);
  }
  int running = 1;
  const double give_up = now_s() + (double)timeout_s + 30.0;
  while (running && now_s() < give_up) {
    CURLMcode mc = curl_multi_perform(multi, &running);
    if (mc != CURLM_OK) {
      fprintf(stderr, "curl_multi_perform: %s\n", curl_multi_strerror(mc));
      break;
    }
    read_messages(multi);
    if (!running) break;
    if (strcmp(mode, "wait") == 0) {
      mc = curl_multi_wait(multi, NULL, 0, 1000, NULL);
    } else if (strcmp(mode, "select") == 0) {
      fd_set r, w, x;
      int max_fd = -1;
      long wait_ms = -1;
      FD_ZERO(&r);
      FD_ZERO(&w);
      FD_ZERO(&x);
      mc = curl_multi_fdset(multi, &r, &w, &x, &max_fd);
      if (mc == CURLM_OK) curl_multi_timeout(multi, &wait_ms);
      if (wait_ms < 0 || wait_ms > 1000) wait_ms = 1000;
      struct timeval tv = {wait_ms / 1000, (wait_ms % 1000) * 1000};
      if (mc == CURLM_OK) {
        if (max_fd < 0) {
          /* libcurl's advice: nothing to wait on yet, sleep a little */
          usleep(wait_ms < 100 ? (useconds_t)wait_ms * 1000 : 100000);
        } else if (select(max_fd + 1, &r, &w, &x, &tv) < 0 && errno != EINTR) {
          perror("select");
          break;
        }
      }
    } else {
      mc = curl_multi_poll(multi, NULL, 0, 1000, NULL);
    }
    if (mc != CURLM_OK) {
      fprintf(stderr, "wait: %s\n", curl_multi_strerror(mc));
      break;
    }
  }
  for (int i = 0; i < n; ++i) {
    curl_multi_remove_handle(multi, jobs[i].easy);
    curl_easy_cleanup(jobs[i].easy);
  }
  curl_multi_cleanup(multi);
  return 0;
}

static int run_easy(struct job *jobs, int n, int fail_on_error, long timeout_s) {
  CURL *easy = curl_easy_init();
  if (!easy) return 1;
  for (int i = 0; i < n; ++i) {
    setup(easy, &jobs[i], fail_on_error, timeout_s);
    record(&jobs[i], easy, curl_easy_perform(easy));
  }
  curl_easy_cleanup(easy);
  return 0;
}

int main(int argc, char **argv) {
  const char *mode = "poll";
  const char *dir = NULL;
  int fail_on_error = 0;
  long timeout_s = 60;
  int opt;
  while ((opt = getopt(argc, argv, "m:Fc:o:t:")) != -1) {
    switch (opt) {
      case 'm': mode = optarg; break;
      case 'F': fail_on_error = 1; break;
      case 'c': ca_file = optarg; break;
      case 'o': dir = optarg; break;
      case 't': timeout_s = strtol(optarg, NULL, 10); break;
      default: return 2;
    }
  }
  const int n = argc - optind;
  if (!dir || n <= 0 || n > MAX_URLS || timeout_s <= 0 ||
      (strcmp(mode, "poll") && strcmp(mode, "wait") && strcmp(mode, "select") && strcmp(mode, "easy"))) {
    fprintf(stderr, "usage: %s [-m poll|wait|select|easy] [-F] [-c CAFILE] [-t SECONDS] -o DIR URL...\n", argv[0]);
    return 2;
  }
  static struct job jobs[MAX_URLS];
  for (int i = 0; i < n; ++i) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%d.body", dir, i);
    jobs[i].url = argv[optind + i];
    jobs[i].out = fopen(path, "wb");
    if (!jobs[i].out) {
      perror(path);
      return 3;
    }
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  const int rc = strcmp(mode, "easy") == 0 ? run_easy(jobs, n, fail_on_error, timeout_s)
                                           : run_multi(jobs, n, mode, fail_on_error, timeout_s);
  curl_global_cleanup();
  int all_ok = rc == 0;
  for (int i = 0; i < n; ++i) {
    fclose(jobs[i].out);
    if (!jobs[i].done) jobs[i].result = (CURLcode)-1;
    printf("%d result=%d status=%ld bytes=%lld\n", i, (int)jobs[i].result, jobs[i].status,
           (long long)jobs[i].bytes);
    if (jobs[i].result != CURLE_OK) all_ok = 0;
  }
  return all_ok ? 0 : 1;
}
