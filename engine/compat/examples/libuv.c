// SPDX-License-Identifier: MIT
/*
 * libuv.c: parallel downloads driven by curl_multi_socket_action from a libuv loop.
 * Each socket the multi names gets a uv_poll_t, kept as the socket's socketp with
 * curl_multi_assign; the multi's timer is one uv_timer_t.
 *
 *   socket callback  -> uv_poll_start with the asked-for UV_READABLE/UV_WRITABLE
 *                       (uv_poll_stop for NONE), uv_close on REMOVE
 *   timer callback   -> uv_timer_start (-1: uv_timer_stop); a 0 ms timer runs on the
 *                       next loop iteration, never from inside the callback
 *   poll or timer    -> curl_multi_socket_action, then read the finished transfers
 */
#include <uv.h>

#include "transfers.h"

struct loop {
  struct run run;
  uv_loop_t *uv;
  uv_timer_t timer;
  uv_timer_t limit;
  int status;
  int timed_out;
};

struct socket_context {
  uv_poll_t poll;
  struct loop *loop;
  curl_socket_t fd;
};

static void stop_everything(struct loop *loop) {
  uv_timer_stop(&loop->timer);
  uv_timer_stop(&loop->limit);
  uv_stop(loop->uv);
}

static void act(struct loop *loop, curl_socket_t s, int mask) {
  CURLMcode mc = curl_multi_socket_action(loop->run.multi, s, mask, &loop->run.running);
  if (mc != CURLM_OK) {
    fprintf(stderr, "curl_multi_socket_action: %s\n", curl_multi_strerror(mc));
    loop->status = 2;
    stop_everything(loop);
    return;
  }
  run_check_messages(&loop->run);
  if (run_done(&loop->run)) stop_everything(loop);
}

static void on_poll(uv_poll_t *handle, int status, int events) {
  struct socket_context *ctx = (struct socket_context *)handle->data;
  int mask = 0;
  if (status < 0) mask = CURL_CSELECT_ERR;
  if (events & UV_READABLE) mask |= CURL_CSELECT_IN;
  if (events & UV_WRITABLE) mask |= CURL_CSELECT_OUT;
  act(ctx->loop, ctx->fd, mask);
}

static void on_timeout(uv_timer_t *timer) { act((struct loop *)timer->data, CURL_SOCKET_TIMEOUT, 0); }

static void on_limit(uv_timer_t *timer) {
  struct loop *loop = (struct loop *)timer->data;
  loop->timed_out = 1;
  stop_everything(loop);
}

static void free_context(uv_handle_t *handle) { free(handle->data); }

static int on_socket(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp) {
  struct loop *loop = (struct loop *)userp;
  struct socket_context *ctx = (struct socket_context *)socketp;
  int events = 0;
  (void)easy;
  if (what == CURL_POLL_REMOVE) {
    if (ctx) {
      uv_poll_stop(&ctx->poll);
      uv_close((uv_handle_t *)&ctx->poll, free_context); /* frees ctx later */
    }
    return 0;
  }
  if (!ctx) {
    ctx = (struct socket_context *)calloc(1, sizeof *ctx);
    if (!ctx) return -1;
    ctx->loop = loop;
    ctx->fd = s;
    if (uv_poll_init_socket(loop->uv, &ctx->poll, s) != 0) {
      free(ctx);
      return -1;
    }
    ctx->poll.data = ctx;
    curl_multi_assign(loop->run.multi, s, ctx);
  }
  if (what & CURL_POLL_IN) events |= UV_READABLE;
  if (what & CURL_POLL_OUT) events |= UV_WRITABLE;
  if (events)
    uv_poll_start(&ctx->poll, events, on_poll);
  else
    uv_poll_stop(&ctx->poll);
  return 0;
}

static int on_timer(CURLM *multi, long timeout_ms, void *userp) {
  struct loop *loop = (struct loop *)userp;
  (void)multi;
  if (timeout_ms < 0)
    uv_timer_stop(&loop->timer);
  else
    uv_timer_start(&loop->timer, on_timeout, (uint64_t)timeout_ms, 0);
  return 0;
}

static void close_walk(uv_handle_t *handle, void *arg) {
  (void)arg;
  if (!uv_is_closing(handle)) uv_close(handle, handle->type == UV_POLL ? free_context : NULL);
}

int main(int argc, char **argv) {
  struct options o;
  struct loop loop;
  int finish;

  if (parse_options(argc, argv, &o) != 0) {
    usage(argv[0]);
    return 2;
  }
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return 2;
  memset(&loop, 0, sizeof loop);
  loop.uv = uv_default_loop();
  loop.run.multi = curl_multi_init();
  if (!loop.uv || !loop.run.multi) {
    fprintf(stderr, "set-up failed\n");
    return 2;
  }
  uv_timer_init(loop.uv, &loop.timer);
  loop.timer.data = &loop;
  uv_timer_init(loop.uv, &loop.limit);
  loop.limit.data = &loop;
  uv_timer_start(&loop.limit, on_limit, (uint64_t)o.limit_seconds * 1000, 0);

  curl_multi_setopt(loop.run.multi, CURLMOPT_SOCKETFUNCTION, on_socket);
  curl_multi_setopt(loop.run.multi, CURLMOPT_SOCKETDATA, &loop);
  curl_multi_setopt(loop.run.multi, CURLMOPT_TIMERFUNCTION, on_timer);
  curl_multi_setopt(loop.run.multi, CURLMOPT_TIMERDATA, &loop);

  if (run_start(&loop.run, argc, argv, &o, PROGRESS_XFERINFO) == 0) {
    uv_run(loop.uv, UV_RUN_DEFAULT);
  } else {
    loop.status = 2;
  }
  finish = run_finish(&loop.run, loop.timed_out);
  if (loop.status == 0) loop.status = finish;
  curl_multi_cleanup(loop.run.multi); /* may still tell REMOVE: the loop must be alive */
  /* Close what is left (timers, polls of an early stop) and let the closes complete. */
  uv_walk(loop.uv, close_walk, NULL);
  uv_run(loop.uv, UV_RUN_DEFAULT);
  uv_loop_close(loop.uv);
  curl_global_cleanup();
  return loop.status;
}
