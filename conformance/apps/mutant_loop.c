// SPDX-License-Identifier: MIT
/*
 * mutant_loop.c: a program written for libcurl's multi-socket API (epoll + timerfd), to be
 * graded by the application-side clauses (AP-*) on the recorded trace of its run. One
 * source, one executable per variant: built plainly it is `app-loop`, a loop that keeps
 * every rule; built with -DAPP_MUTANT=<name> it is `app-mutant-<name>`, which breaks
 * exactly one rule (the names come from app_mutants.h, generated from CMake's list
 * MS_APP_MUTANTS; an unknown name does not compile).
 *
 * How the unbroken loop works:
 *   socket callback   -> epoll_ctl ADD / MOD for IN, OUT or both; DEL on CURL_POLL_REMOVE
 *   timer callback    -> timerfd_settime: ms > 0 arms it, 0 arms it for 1 ns (an all-zero
 *                        value would disarm it), -1 disarms it
 *   one epoll_wait    -> the timerfd: socket_action(CURL_SOCKET_TIMEOUT); a socket: a
 *                        socket_action with the CSELECT bits epoll reported for it
 *   after each action -> curl_multi_info_read until empty; each DONE handle is removed,
 *                        then freed (transfers.h keeps the bookkeeping)
 *
 * Usage: PROGRAM [-v] [-T] [-o DIR] [-t SECONDS] URL...  Bodies go to DIR (default ".")
 * under their last path segment; -t (default 120) is each transfer's CURLOPT_TIMEOUT, and
 * the program gives up 5 s after it (exit 3); with -T no transfer has a timeout and the
 * program gives up after -t seconds. Exit 0 when every transfer succeeded. Some
 * variants never finish (timer_ignored waits for a timer it never armed): whoever runs
 * them ends them with a signal.
 */
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <stdint.h>

#include "app_mutants.h"
#include "transfers.h"

enum mutant {
  MUTANT_none,
#define APP_MUTANT_ENUM(name) MUTANT_##name,
  APP_MUTANTS(APP_MUTANT_ENUM)
#undef APP_MUTANT_ENUM
};
#ifndef APP_MUTANT
#define APP_MUTANT none
#endif
#define APP_MUTANT_ID_(name) MUTANT_##name
#define APP_MUTANT_ID(name) APP_MUTANT_ID_(name)
/* Every branch below is compiled in every variant; the constant picks one. */
static const enum mutant mutant = APP_MUTANT_ID(APP_MUTANT);

struct loop {
  struct run run;
  int epoll_fd;
  int timer_fd;
  int acted;           /* some socket_action has run */
  long ready_reports;  /* readiness reports seen (ignore_ready skips every other one) */
};

/* Non-NULL socketp marks a socket this loop already has in its epoll set. */
static char registered_marker;

static uint32_t watched_events(int what) {
  uint32_t events = 0;
  if (mutant == MUTANT_watch_both) return EPOLLIN | EPOLLOUT;
  if (what & CURL_POLL_IN) events |= EPOLLIN;
  if ((what & CURL_POLL_OUT) && mutant != MUTANT_watch_in_only) events |= EPOLLOUT;
  if (mutant == MUTANT_watch_in_only) events |= EPOLLIN; /* something to wait on */
  return events;
}

static int on_socket(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp) {
  struct loop *loop = (struct loop *)userp;
  struct epoll_event ev;
  (void)easy;
  if (what == CURL_POLL_REMOVE) {
    if (mutant != MUTANT_no_unwatch) epoll_ctl(loop->epoll_fd, EPOLL_CTL_DEL, s, NULL);
    return 0; /* the multi forgets socketp itself after REMOVE */
  }
  memset(&ev, 0, sizeof ev);
  ev.data.fd = s;
  ev.events = watched_events(what);
  if (!socketp) {
    if (epoll_ctl(loop->epoll_fd, EPOLL_CTL_ADD, s, &ev) == 0) {
      curl_multi_assign(loop->run.multi, s, &registered_marker);
      return 0;
    }
    /* EEXIST: a socket no_unwatch left in the set after its REMOVE */
    if (errno != EEXIST) {
      perror("epoll_ctl ADD");
      return 0;
    }
    curl_multi_assign(loop->run.multi, s, &registered_marker);
  }
  if (epoll_ctl(loop->epoll_fd, EPOLL_CTL_MOD, s, &ev) != 0) perror("epoll_ctl MOD");
  return 0;
}

/* The delay the timerfd is armed with for the library's timeout_ms (>= 0). */
static long armed_ms(long timeout_ms) {
  if (mutant == MUTANT_timer_late) return timeout_ms + 1000;
  if (mutant == MUTANT_timer_early) return timeout_ms / 2;
  return timeout_ms;
}

static int on_timer(CURLM *multi, long timeout_ms, void *userp) {
  struct loop *loop = (struct loop *)userp;
  struct itimerspec its;
  if (mutant == MUTANT_timer_ignored) return 0;
  if (timeout_ms < 0 && mutant == MUTANT_timer_not_deleted) return 0;
  if (timeout_ms == 0 && mutant == MUTANT_reentry) {
    int running = 0;
    /* libcurl refuses it (CURLM_RECURSIVE_API_CALL); the call itself is the fault */
    CURLMcode mc = curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running);
    if (mc != CURLM_OK)
      fprintf(stderr, "socket_action from the timer callback: %s\n", curl_multi_strerror(mc));
  }
  memset(&its, 0, sizeof its);
  if (timeout_ms >= 0) {
    long ms = armed_ms(timeout_ms);
    its.it_value.tv_sec = ms / 1000;
    its.it_value.tv_nsec = (ms % 1000) * 1000000;
    if (ms == 0) its.it_value.tv_nsec = 1;
  } /* < 0: all zero, disarmed */
  if (timerfd_settime(loop->timer_fd, 0, &its, NULL) != 0) perror("timerfd_settime");
  return 0;
}

/* Every DONE message: reported and its handle freed, without curl_multi_remove_handle. */
static void check_messages_without_remove(struct run *r) {
  CURLMsg *msg;
  int left;
  while ((msg = curl_multi_info_read(r->multi, &left)) != NULL) {
    struct transfer *t = run_report_done(r, msg);
    if (!t) continue;
    curl_easy_cleanup(t->easy);
    t->easy = NULL;
  }
}

static int act(struct loop *loop, curl_socket_t s, int mask) {
  CURLMcode mc = curl_multi_socket_action(loop->run.multi, s, mask, &loop->run.running);
  loop->acted = 1;
  if (mc != CURLM_OK) {
    fprintf(stderr, "curl_multi_socket_action: %s\n", curl_multi_strerror(mc));
    return -1;
  }
  if (mutant == MUTANT_no_info_read) return 0;
  if (mutant == MUTANT_cleanup_without_remove)
    check_messages_without_remove(&loop->run);
  else
    run_check_messages(&loop->run);
  return 0;
}

/* no_info_read: once nothing runs, each transfer is judged by its HTTP status alone. */
static void judge_without_messages(struct run *r) {
  int i;
  for (i = 0; i < r->count; ++i) {
    struct transfer *t = &r->transfers[i];
    long status = 0;
    if (!t->easy || !t->out) continue;
    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
    fclose(t->out);
    t->out = NULL;
    if (status > 0 && status < 400) {
      printf("ok %s -> %s (HTTP %ld)\n", t->url, t->path, status);
    } else {
      fprintf(stderr, "FAILED %s: HTTP status %ld\n", t->url, status);
      unlink(t->path);
      r->failed++;
    }
    r->finished++;
  }
}

static int finished(const struct loop *loop) {
  if (mutant == MUTANT_no_info_read) return loop->acted && loop->run.running == 0;
  return run_done(&loop->run);
}

/* The CSELECT mask for what epoll reported. */
static int ready_mask(uint32_t events) {
  int in = (events & EPOLLIN) != 0;
  int out = (events & EPOLLOUT) != 0;
  int mask = 0;
  if (mutant == MUTANT_mask_swapped) {
    int swap = in;
    in = out;
    out = swap;
  }
  if (in) mask |= CURL_CSELECT_IN;
  if (out) mask |= CURL_CSELECT_OUT;
  if (events & (EPOLLERR | EPOLLHUP)) mask |= CURL_CSELECT_ERR;
  return mask;
}

/* One event of a wait's batch. -1 stops the loop. */
static int dispatch(struct loop *loop, const struct epoll_event *event) {
  if (event->data.fd == loop->timer_fd) {
    uint64_t expirations;
    /* EAGAIN: an earlier event of this batch re-armed or disarmed the timer */
    if (read(loop->timer_fd, &expirations, sizeof expirations) != sizeof expirations) return 0;
    return act(loop, CURL_SOCKET_TIMEOUT, 0);
  }
  loop->ready_reports++;
  if (mutant == MUTANT_ignore_ready && loop->ready_reports % 2 == 0) return 0;
  return act(loop, event->data.fd, ready_mask(event->events));
}

/* Waits and dispatches until every transfer is done. 0, 2 (error) or 3 (time limit). */
/* A long-running program goes on waiting for work after its transfers: one more wait of
 * 100 ms, so that whatever it left armed or watched is there when it waits. */
static void linger(struct loop *loop) {
  struct epoll_event events[32];
  int n, i;
  n = epoll_wait(loop->epoll_fd, events, 32, 100);
  for (i = 0; i < n; ++i) dispatch(loop, &events[i]);
}

static int run_loop(struct loop *loop) {
  while (!finished(loop)) {
    struct epoll_event events[32];
    long left = run_millis_left(&loop->run);
    int n, i;
    if (left == 0) return 3;
    n = epoll_wait(loop->epoll_fd, events, 32, (int)left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      perror("epoll_wait");
      return 2;
    }
    for (i = 0; i < n; ++i)
      if (dispatch(loop, &events[i]) != 0) return 2;
  }
  linger(loop);
  return 0;
}

static int set_up(struct loop *loop) {
  struct epoll_event ev;
  memset(loop, 0, sizeof *loop);
  loop->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  loop->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  loop->run.multi = curl_multi_init();
  if (loop->epoll_fd < 0 || loop->timer_fd < 0 || !loop->run.multi) return -1;
  memset(&ev, 0, sizeof ev);
  ev.events = EPOLLIN;
  ev.data.fd = loop->timer_fd;
  if (epoll_ctl(loop->epoll_fd, EPOLL_CTL_ADD, loop->timer_fd, &ev) != 0) return -1;
  curl_multi_setopt(loop->run.multi, CURLMOPT_SOCKETFUNCTION, on_socket);
  curl_multi_setopt(loop->run.multi, CURLMOPT_SOCKETDATA, loop);
  curl_multi_setopt(loop->run.multi, CURLMOPT_TIMERFUNCTION, on_timer);
  curl_multi_setopt(loop->run.multi, CURLMOPT_TIMERDATA, loop);
  return 0;
}

/* Each transfer's CURLOPT_TIMEOUT; the whole run stops 5 s later. */
static int set_transfer_timeouts(struct run *r, long seconds) {
  int i;
  for (i = 0; i < r->count; ++i)
    if (curl_easy_setopt(r->transfers[i].easy, CURLOPT_TIMEOUT, seconds) != CURLE_OK) return -1;
  r->deadline.tv_sec += 5;
  return 0;
}

/* -T (this program's own word, taken out before the shared options): no CURLOPT_TIMEOUT,
 * so that while a transfer waits for a slow server the library has no timer and deletes it
 * (-1) with the program still running. */
static int take_no_timeout_flag(int *argc, char **argv) {
  int i, found = 0, out = 1;
  for (i = 1; i < *argc; ++i) {
    if (strcmp(argv[i], "-T") == 0) found = 1;
    else argv[out++] = argv[i];
  }
  *argc = out;
  argv[out] = NULL;
  return found;
}

int main(int argc, char **argv) {
  struct options o;
  struct loop loop;
  int status = 2;
  int finish;
  const int no_timeout = take_no_timeout_flag(&argc, argv);

  if (parse_options(argc, argv, &o) != 0) {
    usage(argv[0]);
    return 2;
  }
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return 2;
  if (set_up(&loop) != 0) {
    fprintf(stderr, "set-up failed\n");
    return 2;
  }
  /* Adding a handle sets a 0 ms timer: the timerfd fires and starts the work. The
   * timeouts are set before the first socket_action, when no transfer has started. */
  if (run_start(&loop.run, argc, argv, &o, PROGRESS_XFERINFO) == 0 &&
      (no_timeout || set_transfer_timeouts(&loop.run, o.limit_seconds) == 0))
    status = run_loop(&loop);
  if (mutant == MUTANT_no_info_read && status == 0) judge_without_messages(&loop.run);
  finish = run_finish(&loop.run, status == 3);
  if (status == 0) status = finish;
  curl_multi_cleanup(loop.run.multi);
  close(loop.timer_fd);
  close(loop.epoll_fd);
  curl_global_cleanup();
  return status;
}
