// SPDX-License-Identifier: MIT
/*
 * libevent.c: parallel downloads driven by curl_multi_socket_action from a libevent
 * event_base. Each socket the multi names gets one persistent struct event, kept as the
 * socket's socketp with curl_multi_assign; the multi's timer is one evtimer.
 *
 *   socket callback  -> event_new/event_add with the asked-for EV_READ/EV_WRITE
 *                       (replacing the previous event), event_free on REMOVE
 *   timer callback   -> evtimer_add (-1: evtimer_del)
 *   event fired      -> curl_multi_socket_action, then read the finished transfers
 *
 * This one reports progress through the older CURLOPT_PROGRESSFUNCTION.
 */
#include <event2/event.h>

#include "transfers.h"

struct loop {
  struct run run;
  struct event_base *base;
  struct event *timer;
  struct event *limit;
  int status;
  int timed_out;
};

static void act(struct loop *loop, curl_socket_t s, int mask) {
  CURLMcode mc = curl_multi_socket_action(loop->run.multi, s, mask, &loop->run.running);
  if (mc != CURLM_OK) {
    fprintf(stderr, "curl_multi_socket_action: %s\n", curl_multi_strerror(mc));
    loop->status = 2;
    event_base_loopbreak(loop->base);
    return;
  }
  run_check_messages(&loop->run);
  if (run_done(&loop->run)) event_base_loopbreak(loop->base);
}

static void on_socket_event(evutil_socket_t fd, short kind, void *arg) {
  struct loop *loop = (struct loop *)arg;
  int mask = 0;
  if (kind & EV_READ) mask |= CURL_CSELECT_IN;
  if (kind & EV_WRITE) mask |= CURL_CSELECT_OUT;
  act(loop, fd, mask);
}

static void on_timer_event(evutil_socket_t fd, short kind, void *arg) {
  (void)fd;
  (void)kind;
  act((struct loop *)arg, CURL_SOCKET_TIMEOUT, 0);
}

static void on_limit(evutil_socket_t fd, short kind, void *arg) {
  struct loop *loop = (struct loop *)arg;
  (void)fd;
  (void)kind;
  loop->timed_out = 1;
  event_base_loopbreak(loop->base);
}

static int on_socket(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp) {
  struct loop *loop = (struct loop *)userp;
  struct event *old = (struct event *)socketp;
  struct event *ev;
  short kind = EV_PERSIST;
  (void)easy;
  if (old) event_free(old); /* event_free also deletes it */
  if (what == CURL_POLL_REMOVE) return 0; /* socketp is forgotten by the multi */
  if (what & CURL_POLL_IN) kind |= EV_READ;
  if (what & CURL_POLL_OUT) kind |= EV_WRITE;
  ev = event_new(loop->base, s, kind, on_socket_event, loop);
  if (!ev) return -1;
  if (what != CURL_POLL_NONE) event_add(ev, NULL);
  curl_multi_assign(loop->run.multi, s, ev);
  return 0;
}

static int on_timer(CURLM *multi, long timeout_ms, void *userp) {
  struct loop *loop = (struct loop *)userp;
  struct timeval tv;
  (void)multi;
  if (timeout_ms < 0) {
    evtimer_del(loop->timer);
    return 0;
  }
  tv.tv_sec = timeout_ms / 1000;
  tv.tv_usec = (timeout_ms % 1000) * 1000;
  evtimer_add(loop->timer, &tv); /* re-adding a pending timer moves it */
  return 0;
}

int main(int argc, char **argv) {
  struct options o;
  struct loop loop;
  struct timeval limit;
  int finish;

  if (parse_options(argc, argv, &o) != 0) {
    usage(argv[0]);
    return 2;
  }
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return 2;
  memset(&loop, 0, sizeof loop);
  loop.base = event_base_new();
  loop.run.multi = curl_multi_init();
  if (!loop.base || !loop.run.multi) {
    fprintf(stderr, "set-up failed\n");
    return 2;
  }
  loop.timer = evtimer_new(loop.base, on_timer_event, &loop);
  loop.limit = evtimer_new(loop.base, on_limit, &loop);
  limit.tv_sec = o.limit_seconds;
  limit.tv_usec = 0;
  evtimer_add(loop.limit, &limit);

  curl_multi_setopt(loop.run.multi, CURLMOPT_SOCKETFUNCTION, on_socket);
  curl_multi_setopt(loop.run.multi, CURLMOPT_SOCKETDATA, &loop);
  curl_multi_setopt(loop.run.multi, CURLMOPT_TIMERFUNCTION, on_timer);
  curl_multi_setopt(loop.run.multi, CURLMOPT_TIMERDATA, &loop);

  if (run_start(&loop.run, argc, argv, &o, PROGRESS_LEGACY) == 0) {
    event_base_dispatch(loop.base);
  } else {
    loop.status = 2;
  }
  finish = run_finish(&loop.run, loop.timed_out);
  if (loop.status == 0) loop.status = finish;
  curl_multi_cleanup(loop.run.multi); /* may still tell REMOVE: the base must be alive */
  event_free(loop.timer);
  event_free(loop.limit);
  event_base_free(loop.base);
  curl_global_cleanup();
  return loop.status;
}
