// SPDX-License-Identifier: MIT
/*
 * transfers.h: what the three event-loop examples share, so that each example file
 * shows only its event loop: command line, one transfer per URL written to a file with
 * libcurl's default writer (CURLOPT_WRITEDATA = FILE*), the options event-loop programs
 * usually set, and the report of each finished transfer read from curl_multi_info_read.
 *
 * Usage of every example:  PROGRAM [-v] [-o DIR] [-t SECONDS] URL...
 * Each URL is saved as DIR/<last path segment> ("index.html" when empty). One line per
 * transfer on stdout ("ok ...") or stderr ("FAILED ..."); exit 0 only if every transfer
 * ended with CURLE_OK and an HTTP status below 400; 1 if any failed; 2 on bad usage or
 * set-up; 3 when the time limit (-t, default 120 s) ran out.
 *
 * Plain C, compiled once against libcurl's own header and once against the multisock
 * compatibility header: it must stay within what both provide.
 */
#ifndef MULTISOCK_EXAMPLES_TRANSFERS_H
#define MULTISOCK_EXAMPLES_TRANSFERS_H

/* One example uses the older CURLOPT_PROGRESSFUNCTION on purpose (programs still do). */
#define CURL_DISABLE_DEPRECATION
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum progress_style { PROGRESS_XFERINFO, PROGRESS_LEGACY };

struct options {
  const char *outdir;
  int verbose;
  long limit_seconds;
  const char *ca_file; /* -c: CURLOPT_CAINFO */
  int pipewait;        /* -w: CURLOPT_PIPEWAIT */
  int first_url;       /* index in argv */
};

struct transfer {
  CURL *easy;
  const char *url;
  char path[4096];
  FILE *out;
  char error[CURL_ERROR_SIZE];
  long progress_calls;
};

/* The whole run: every example keeps one. */
struct run {
  CURLM *multi;
  struct transfer *transfers;
  int count;
  int finished;
  int failed;
  int running;
  struct timespec deadline;
};

static inline int parse_options(int argc, char **argv, struct options *o) {
  int c;
  o->outdir = ".";
  o->verbose = 0;
  o->limit_seconds = 120;
  o->ca_file = NULL;
  o->pipewait = 0;
  while ((c = getopt(argc, argv, "vo:t:c:w")) != -1) {
    switch (c) {
      case 'v': o->verbose = 1; break;
      case 'o': o->outdir = optarg; break;
      case 't': o->limit_seconds = strtol(optarg, NULL, 10); break;
      case 'c': o->ca_file = optarg; break;
      case 'w': o->pipewait = 1; break;
      default: return -1;
    }
  }
  o->first_url = optind;
  if (optind >= argc || o->limit_seconds <= 0) return -1;
  return 0;
}

static inline void usage(const char *program) {
  fprintf(stderr, "usage: %s [-v] [-o DIR] [-t SECONDS] [-c CAFILE] [-w] URL...\n", program);
}

/* The last path segment of the URL, without query or fragment. */
static inline void output_name(const char *url, char *name, size_t size) {
  const char *start = strstr(url, "://");
  const char *end;
  const char *slash;
  size_t length;
  start = start ? start + 3 : url;
  end = start + strcspn(start, "?#");
  slash = NULL;
  for (const char *p = start; p < end; ++p)
    if (*p == '/') slash = p;
  if (!slash || slash + 1 == end) {
    snprintf(name, size, "index.html");
    return;
  }
  length = (size_t)(end - slash - 1);
  if (length >= size) length = size - 1;
  memcpy(name, slash + 1, length);
  name[length] = '\0';
}

static inline int on_xferinfo(void *clientp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow) {
  struct transfer *t = (struct transfer *)clientp;
  (void)dltotal; (void)dlnow; (void)ultotal; (void)ulnow;
  t->progress_calls++;
  return 0; /* go on */
}

static inline int on_progress(void *clientp, double dltotal, double dlnow, double ultotal, double ulnow) {
  struct transfer *t = (struct transfer *)clientp;
  (void)dltotal; (void)dlnow; (void)ultotal; (void)ulnow;
  t->progress_calls++;
  return 0;
}

/* setopt with a report naming the option: an option the library refuses ends the run. */
#define SET(t, option, value)                                                            \
  do {                                                                                   \
    CURLcode set_code_ = curl_easy_setopt((t)->easy, option, value);                     \
    if (set_code_ != CURLE_OK) {                                                         \
      fprintf(stderr, "setopt %s failed for %s: %s (curl error %d)\n", #option, (t)->url, \
              curl_easy_strerror(set_code_), (int)set_code_);                            \
      return -1;                                                                         \
    }                                                                                    \
  } while (0)

static inline int transfer_setup(struct transfer *t, const char *url, const struct options *o,
                          enum progress_style style) {
  char name[1024];
  memset(t, 0, sizeof *t);
  t->url = url;
  output_name(url, name, sizeof name);
  snprintf(t->path, sizeof t->path, "%s/%s", o->outdir, name);
  t->out = fopen(t->path, "wb");
  if (!t->out) {
    fprintf(stderr, "cannot open %s: %s\n", t->path, strerror(errno));
    return -1;
  }
  t->easy = curl_easy_init();
  if (!t->easy) {
    fprintf(stderr, "curl_easy_init failed\n");
    return -1;
  }
  SET(t, CURLOPT_URL, url);
  SET(t, CURLOPT_WRITEDATA, t->out); /* no WRITEFUNCTION: the default writer fwrite()s */
  SET(t, CURLOPT_PRIVATE, t);
  SET(t, CURLOPT_ERRORBUFFER, t->error);
  SET(t, CURLOPT_VERBOSE, (long)o->verbose);
  SET(t, CURLOPT_NOSIGNAL, 1L);
  SET(t, CURLOPT_NOPROGRESS, 0L);
  if (style == PROGRESS_XFERINFO) {
    SET(t, CURLOPT_XFERINFOFUNCTION, on_xferinfo);
    SET(t, CURLOPT_XFERINFODATA, t);
  } else {
    SET(t, CURLOPT_PROGRESSFUNCTION, on_progress);
    SET(t, CURLOPT_PROGRESSDATA, t);
  }
  SET(t, CURLOPT_LOW_SPEED_LIMIT, 1L); /* abort below 1 byte/s ... */
  SET(t, CURLOPT_LOW_SPEED_TIME, 30L); /* ... for 30 s */
  SET(t, CURLOPT_CONNECTTIMEOUT, 10L);
  SET(t, CURLOPT_FOLLOWLOCATION, 1L);
  if (o->ca_file) SET(t, CURLOPT_CAINFO, o->ca_file);
  if (o->pipewait) SET(t, CURLOPT_PIPEWAIT, 1L); /* share one HTTP/2 connection */
  return 0;
}
#undef SET

/* Sets up every transfer and adds it to the multi. 0 on success. */
static inline int run_start(struct run *r, int argc, char **argv, const struct options *o,
                     enum progress_style style) {
  int i;
  struct timespec now;
  r->count = argc - o->first_url;
  r->finished = 0;
  r->failed = 0;
  r->running = 0;
  r->transfers = (struct transfer *)calloc((size_t)r->count, sizeof(struct transfer));
  if (!r->transfers) return -1;
  clock_gettime(CLOCK_MONOTONIC, &now);
  r->deadline = now;
  r->deadline.tv_sec += o->limit_seconds;
  for (i = 0; i < r->count; ++i) {
    CURLMcode mc;
    if (transfer_setup(&r->transfers[i], argv[o->first_url + i], o, style) != 0) return -1;
    mc = curl_multi_add_handle(r->multi, r->transfers[i].easy);
    if (mc != CURLM_OK) {
      fprintf(stderr, "curl_multi_add_handle: %s\n", curl_multi_strerror(mc));
      return -1;
    }
  }
  return 0;
}

static inline int run_done(const struct run *r) { return r->finished == r->count; }

/* Milliseconds left before the time limit; 0 when it has passed. */
static inline long run_millis_left(const struct run *r) {
  struct timespec now;
  long left;
  clock_gettime(CLOCK_MONOTONIC, &now);
  left = (long)(r->deadline.tv_sec - now.tv_sec) * 1000 + (r->deadline.tv_nsec - now.tv_nsec) / 1000000;
  return left > 0 ? left : 0;
}

/* Reports the transfer of one DONE message and closes its file; the caller removes and
 * frees its handle. NULL for a message of another kind or an unknown handle. */
static inline struct transfer *run_report_done(struct run *r, const CURLMsg *msg) {
  struct transfer *t = NULL;
  CURLcode result;
  long status = 0;
  curl_off_t bytes = 0;
  if (msg->msg != CURLMSG_DONE) return NULL;
  result = msg->data.result;
  curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
  if (!t) {
    fprintf(stderr, "DONE message for an unknown handle\n");
    return NULL;
  }
  curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_getinfo(t->easy, CURLINFO_SIZE_DOWNLOAD_T, &bytes);
  if (fclose(t->out) != 0 && result == CURLE_OK) result = CURLE_WRITE_ERROR;
  t->out = NULL;
  if (result == CURLE_OK && status < 400) {
    printf("ok %s -> %s (HTTP %ld, %" CURL_FORMAT_CURL_OFF_T " bytes)\n", t->url, t->path,
           status, bytes);
  } else {
    if (result == CURLE_OK)
      fprintf(stderr, "FAILED %s: HTTP status %ld\n", t->url, status);
    else
      fprintf(stderr, "FAILED %s: %s (curl error %d)%s%s\n", t->url, curl_easy_strerror(result),
              (int)result, t->error[0] ? ": " : "", t->error);
    unlink(t->path); /* leave no partial file that looks like a result */
    r->failed++;
  }
  r->finished++;
  return t;
}

/* Reads every DONE message: reports the transfer, closes its file, frees its handle. */
static inline void run_check_messages(struct run *r) {
  CURLMsg *msg;
  int left;
  while ((msg = curl_multi_info_read(r->multi, &left)) != NULL) {
    struct transfer *t = run_report_done(r, msg);
    if (!t) continue;
    curl_multi_remove_handle(r->multi, t->easy);
    curl_easy_cleanup(t->easy);
    t->easy = NULL;
  }
}

/* Frees what is left (after an early stop) and gives the exit status. */
static inline int run_finish(struct run *r, int timed_out) {
  int i;
  for (i = 0; r->transfers && i < r->count; ++i) {
    struct transfer *t = &r->transfers[i];
    if (t->easy) {
      curl_multi_remove_handle(r->multi, t->easy);
      curl_easy_cleanup(t->easy);
    }
    if (t->out) {
      fclose(t->out);
      unlink(t->path);
    }
  }
  free(r->transfers);
  r->transfers = NULL;
  if (timed_out) {
    fprintf(stderr, "gave up: %d of %d transfers unfinished at the time limit\n",
            r->count - r->finished, r->count);
    return 3;
  }
  printf("%d ok, %d failed\n", r->count - r->failed, r->failed);
  return r->failed == 0 && r->finished == r->count ? 0 : 1;
}

#endif /* MULTISOCK_EXAMPLES_TRANSFERS_H */
