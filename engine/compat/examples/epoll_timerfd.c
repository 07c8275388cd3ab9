// SPDX-License-Identifier: MIT
/*
 * epoll_timerfd.c: parallel downloads driven by curl_multi_socket_action from an epoll
 * loop, with the multi's timer kept in a timerfd so that one epoll_wait() covers both
 * sockets and timeouts.
 *
 *   socket callback  -> epoll_ctl ADD / MOD / DEL for the named socket
 *   timer callback   -> timerfd_settime (-1 disarms; 0 becomes 1 ns, since an all-zero
 *                       value would disarm instead of firing at once)
 *   timerfd readable -> curl_multi_socket_action(CURL_SOCKET_TIMEOUT)
 *   socket ready     -> curl_multi_socket_action(fd, CURL_CSELECT_* from the events)
 */
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <stdint.h>

#include "transfers.h"

struct loop {
  struct run run;
  int epoll_fd;
  int timer_fd;
};

/* Non-NULL socketp marks a socket this loop already has in its epoll set. */
static char registered_marker;

static int on_socket(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp) {
  struct loop *loop = (struct loop *)userp;
  struct epoll_event ev;
  (void)easy;
  if (what == CURL_POLL_REMOVE) {
    epoll_ctl(loop->epoll_fd, EPOLL_CTL_DEL, s, NULL);
    return 0; /* the multi forgets socketp itself after REMOVE */
  }
  memset(&ev, 0, sizeof ev);
  ev.data.fd = s;
  if (what & CURL_POLL_IN) ev.events |= EPOLLIN;
  if (what & CURL_POLL_OUT) ev.events |= EPOLLOUT;
  if (socketp) {
    if (epoll_ctl(loop->epoll_fd, EPOLL_CTL_MOD, s, &ev) != 0) perror("epoll_ctl MOD");
  } else {
    if (epoll_ctl(loop->epoll_fd, EPOLL_CTL_ADD, s, &ev) != 0) perror("epoll_ctl ADD");
    curl_multi_assign(loop->run.multi, s, &registered_marker);
  }
  return 0;
}

static int on_timer(CURLM *multi, long timeout_ms, void *userp) {
  struct loop *loop = (struct loop *)userp;
  struct itimerspec its;
  (void)multi;
  memset(&its, 0, sizeof its);
  if (timeout_ms > 0) {
    its.it_value.tv_sec = timeout_ms / 1000;
    its.it_value.tv_nsec = (timeout_ms % 1000) * 1000000;
  } else if (timeout_ms == 0) {
    its.it_value.tv_nsec = 1;
  } /* < 0: all zero, disarmed */
  if (timerfd_settime(loop->timer_fd, 0, &its, NULL) != 0) perror("timerfd_settime");
  return 0;
}

static int act(struct loop *loop, curl_socket_t s, int mask) {
  CURLMcode mc = curl_multi_socket_action(loop->run.multi, s, mask, &loop->run.running);
  if (mc != CURLM_OK) {
    fprintf(stderr, "curl_multi_socket_action: %s\n", curl_multi_strerror(mc));
    return -1;
  }
  run_check_messages(&loop->run);
  return 0;
}

int main(int argc, char **argv) {
  struct options o;
  struct loop loop;
  int status = 2;
  int timed_out = 0;
  struct epoll_event ev;

  if (parse_options(argc, argv, &o) != 0) {
    usage(argv[0]);
    return 2;
  }
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return 2;
  memset(&loop, 0, sizeof loop);
  loop.epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  loop.timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  loop.run.multi = curl_multi_init();
  if (loop.epoll_fd < 0 || loop.timer_fd < 0 || !loop.run.multi) {
    fprintf(stderr, "set-up failed\n");
    return 2;
  }
  memset(&ev, 0, sizeof ev);
  ev.events = EPOLLIN;
  ev.data.fd = loop.timer_fd;
  epoll_ctl(loop.epoll_fd, EPOLL_CTL_ADD, loop.timer_fd, &ev);

  curl_multi_setopt(loop.run.multi, CURLMOPT_SOCKETFUNCTION, on_socket);
  curl_multi_setopt(loop.run.multi, CURLMOPT_SOCKETDATA, &loop);
  curl_multi_setopt(loop.run.multi, CURLMOPT_TIMERFUNCTION, on_timer);
  curl_multi_setopt(loop.run.multi, CURLMOPT_TIMERDATA, &loop);

  /* Adding a handle sets a 0 ms timer: the timerfd fires and starts the work. */
  if (run_start(&loop.run, argc, argv, &o, PROGRESS_XFERINFO) == 0) {
    status = 0;
    while (!run_done(&loop.run)) {
      struct epoll_event events[32];
      long left = run_millis_left(&loop.run);
      int n, i;
      if (left == 0) {
        timed_out = 1;
        break;
      }
      n = epoll_wait(loop.epoll_fd, events, 32, left > 1000 ? 1000 : (int)left);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        perror("epoll_wait");
        status = 2;
        break;
      }
      for (i = 0; i < n && status == 0; ++i) {
        if (events[i].data.fd == loop.timer_fd) {
          uint64_t expirations;
          /* EAGAIN here is harmless: an earlier event of this batch re-armed the timer. */
          if (read(loop.timer_fd, &expirations, sizeof expirations) != sizeof expirations) continue;
          if (act(&loop, CURL_SOCKET_TIMEOUT, 0) != 0) status = 2;
        } else {
          int mask = 0;
          if (events[i].events & EPOLLIN) mask |= CURL_CSELECT_IN;
          if (events[i].events & EPOLLOUT) mask |= CURL_CSELECT_OUT;
          if (events[i].events & (EPOLLERR | EPOLLHUP)) mask |= CURL_CSELECT_ERR;
          if (act(&loop, events[i].data.fd, mask) != 0) status = 2;
        }
      }
      if (status != 0) break;
    }
  }
  {
    int finish = run_finish(&loop.run, timed_out);
    if (status == 0) status = finish;
  }
  curl_multi_cleanup(loop.run.multi);
  close(loop.timer_fd);
  close(loop.epoll_fd);
  curl_global_cleanup();
  return status;
}
