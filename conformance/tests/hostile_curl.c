// SPDX-License-Identifier: MIT
/* hostile_curl.c: a curl-style library (prefix `hostile_`) that misbehaves on request, for
 * the hostile-library tests (pytest/test_hostile_library.py). Every entry point forwards to
 * the system libcurl, except the one named by MS_HOSTILE=ENTRY:ACTION, which misbehaves the
 * first time it is called in a process:
 *
 *   ENTRY   load (a constructor, at dlopen), global_init, version, multi_init, easy_init,
 *           multi_setopt, easy_setopt, add_handle, remove_handle, socket_action, info_read,
 *           timeout, assign, multi_cleanup, easy_cleanup
 *   ACTION  segv, abort, hang (blocks in real time), spin (a loop without calls), forever
 *           (poll with no end: in the simulated world, for ever in virtual time), memory
 *           (allocates and touches memory until an allocation fails), fork (starts a process
 *           that sleeps, holding every descriptor; its pid goes to MS_HOSTILE_PIDFILE), escape
 *           (a daemon: starts a process that calls setsid and leaves a sleeping orphan; the
 *           orphan's pid goes to MS_HOSTILE_PIDFILE), print
 *           (writes to standard output), code (returns 987654 instead of a result code),
 *           unix (opens an AF_UNIX socket), thread (starts a thread that spins), clock (waits
 *           2 s of clock time), flood (socket_action: calls the socket callback 3,000,000
 *           times; info_read: never returns NULL), garbage (info_read: a DONE message whose
 *           result is 12345)
 */
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef void CURL;
typedef void CURLM;
typedef int (*socket_fn)(CURL*, int, int, void*, void*);

static volatile long sink;

static void* spin_thread(void* arg) {
  (void)arg;
  for (;;) sink++;
  return NULL;
}

/* The action asked of this entry, or NULL; each entry misbehaves once per process. */
static const char* action_for(const char* entry) {
  static char used[64][32];
  static int used_count;
  const char* spec = getenv("MS_HOSTILE");
  size_t n = strlen(entry);
  if (spec == NULL || strncmp(spec, entry, n) != 0 || spec[n] != ':') return NULL;
  for (int i = 0; i < used_count; ++i)
    if (strcmp(used[i], entry) == 0) return NULL;
  if (used_count < 64) snprintf(used[used_count++], sizeof used[0], "%s", entry);
  return spec + n + 1;
}

/* The actions every entry can take; 1 when the entry must return `code` instead. */
static int misbehave(const char* action) {
  if (action == NULL) return 0;
  if (!strcmp(action, "segv")) {
    volatile int* nowhere = NULL;
    *nowhere = 1;
  } else if (!strcmp(action, "abort")) {
    abort();
  } else if (!strcmp(action, "hang")) {
    for (;;) pause();
  } else if (!strcmp(action, "spin")) {
    for (;;) sink++;
  } else if (!strcmp(action, "forever")) {
    poll(NULL, 0, -1);
  } else if (!strcmp(action, "memory")) {
    for (;;) {
      char* block = malloc(64u << 20);
      memset(block, 1, 64u << 20); /* a failed allocation is touched too: SIGSEGV */
      sink += block[4096];
    }
  } else if (!strcmp(action, "fork")) {
    pid_t pid = fork();
    if (pid == 0) {
      sleep(600);
      _exit(0);
    }
    const char* file = getenv("MS_HOSTILE_PIDFILE");
    FILE* f = file ? fopen(file, "a") : NULL;
    if (f) {
      fprintf(f, "%d\n", (int)pid);
      fclose(f);
    }
  } else if (!strcmp(action, "escape")) {
    /* A daemon: a child that leaves the process group (setsid) and starts a grandchild,
     * then ends, so the grandchild is an orphan in a session of its own. */
    int pipefd[2];
    if (pipe(pipefd) != 0) return 0;
    pid_t pid = fork();
    if (pid == 0) {
      setsid();
      pid_t grandchild = fork();
      if (grandchild == 0) {
        sleep(600);
        _exit(0);
      }
      (void)!write(pipefd[1], &grandchild, sizeof grandchild);
      _exit(0);
    }
    close(pipefd[1]);
    pid_t grandchild = -1;
    (void)!read(pipefd[0], &grandchild, sizeof grandchild);
    close(pipefd[0]);
    waitpid(pid, NULL, 0);
    const char* file = getenv("MS_HOSTILE_PIDFILE");
    FILE* f = file ? fopen(file, "a") : NULL;
    if (f) {
      fprintf(f, "%d\n", (int)grandchild);
      fclose(f);
    }
  } else if (!strcmp(action, "print")) {
    printf("HOSTILE-STDOUT from the library\n");
    fflush(stdout);
  } else if (!strcmp(action, "unix")) {
    socket(AF_UNIX, SOCK_STREAM, 0);
  } else if (!strcmp(action, "thread")) {
    pthread_t t;
    pthread_create(&t, NULL, spin_thread, NULL);
  } else if (!strcmp(action, "clock")) {
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    do clock_gettime(CLOCK_MONOTONIC, &b);
    while (b.tv_sec - a.tv_sec < 2);
  } else if (!strcmp(action, "code")) {
    return 1;
  }
  return 0;
}

#define BAD_CODE 987654

__attribute__((constructor)) static void at_load(void) { misbehave(action_for("load")); }

extern int curl_global_init(long);
int hostile_global_init(long flags) {
  if (misbehave(action_for("global_init"))) return BAD_CODE;
  return curl_global_init(flags);
}

extern const char* curl_version(void);
const char* hostile_version(void) {
  misbehave(action_for("version"));
  return curl_version();
}

extern CURLM* curl_multi_init(void);
CURLM* hostile_multi_init(void) {
  misbehave(action_for("multi_init"));
  return curl_multi_init();
}

extern CURL* curl_easy_init(void);
CURL* hostile_easy_init(void) {
  misbehave(action_for("easy_init"));
  return curl_easy_init();
}

/* The socket callback and its userp, for the flood. */
static socket_fn saved_socket_fn;
static void* saved_socket_data;

extern int curl_multi_setopt(CURLM*, int, ...);
int hostile_multi_setopt(CURLM* m, int option, void* value) {
  if (option == 20001) saved_socket_fn = (socket_fn)value; /* CURLMOPT_SOCKETFUNCTION */
  if (option == 10002) saved_socket_data = value;          /* CURLMOPT_SOCKETDATA */
  if (misbehave(action_for("multi_setopt"))) return BAD_CODE;
  return curl_multi_setopt(m, option, value);
}

extern int curl_easy_setopt(CURL*, int, ...);
int hostile_easy_setopt(CURL* e, int option, void* value) {
  if (misbehave(action_for("easy_setopt"))) return BAD_CODE;
  return curl_easy_setopt(e, option, value);
}

extern int curl_easy_getinfo(CURL*, int, ...);
int hostile_easy_getinfo(CURL* e, int info, void* out) { return curl_easy_getinfo(e, info, out); }

static CURL* last_added;
extern int curl_multi_add_handle(CURLM*, CURL*);
int hostile_multi_add_handle(CURLM* m, CURL* e) {
  last_added = e;
  if (misbehave(action_for("add_handle"))) return BAD_CODE;
  return curl_multi_add_handle(m, e);
}

extern int curl_multi_remove_handle(CURLM*, CURL*);
int hostile_multi_remove_handle(CURLM* m, CURL* e) {
  if (misbehave(action_for("remove_handle"))) return BAD_CODE;
  return curl_multi_remove_handle(m, e);
}

extern int curl_multi_socket_action(CURLM*, int, int, int*);
int hostile_multi_socket_action(CURLM* m, int s, int mask, int* running) {
  const char* action = action_for("socket_action");
  if (action && !strcmp(action, "flood") && saved_socket_fn && last_added) {
    for (long i = 0; i < 3000000; ++i) saved_socket_fn(last_added, 3, 1 + (int)(i & 1), saved_socket_data, NULL);
  } else if (misbehave(action)) {
    return BAD_CODE;
  }
  return curl_multi_socket_action(m, s, mask, running);
}

struct message {
  int msg;
  CURL* easy;
  union {
    void* whatever;
    int result;
  } data;
};
extern void* curl_multi_info_read(CURLM*, int*);
void* hostile_multi_info_read(CURLM* m, int* left) {
  static struct message fake;
  static int flooding;
  const char* action = action_for("info_read");
  if (action && (!strcmp(action, "garbage") || !strcmp(action, "flood")) && last_added) {
    flooding = !strcmp(action, "flood");
    fake.msg = 1;
    fake.easy = last_added;
    fake.data.result = 12345;
    *left = 0;
    return &fake;
  }
  if (flooding) {
    fake.data.result = 0;
    *left = 1;
    return &fake;
  }
  if (misbehave(action)) return NULL;
  return curl_multi_info_read(m, left);
}

extern int curl_multi_timeout(CURLM*, long*);
int hostile_multi_timeout(CURLM* m, long* ms) {
  if (misbehave(action_for("timeout"))) return BAD_CODE;
  return curl_multi_timeout(m, ms);
}

extern int curl_multi_assign(CURLM*, int, void*);
int hostile_multi_assign(CURLM* m, int s, void* p) {
  if (misbehave(action_for("assign"))) return BAD_CODE;
  return curl_multi_assign(m, s, p);
}

extern int curl_multi_cleanup(CURLM*);
int hostile_multi_cleanup(CURLM* m) {
  if (misbehave(action_for("multi_cleanup"))) return BAD_CODE;
  return curl_multi_cleanup(m);
}

extern void curl_easy_cleanup(CURL*);
void hostile_easy_cleanup(CURL* e) {
  misbehave(action_for("easy_cleanup"));
  curl_easy_cleanup(e);
}

extern const char* curl_multi_strerror(int);
const char* hostile_multi_strerror(int c) { return curl_multi_strerror(c); }
extern const char* curl_easy_strerror(int);
const char* hostile_easy_strerror(int c) { return curl_easy_strerror(c); }
extern int curl_easy_pause(CURL*, int);
int hostile_easy_pause(CURL* e, int bits) { return curl_easy_pause(e, bits); }
extern void* curl_slist_append(void*, const char*);
void* hostile_slist_append(void* l, const char* s) { return curl_slist_append(l, s); }
extern void curl_slist_free_all(void*);
void hostile_slist_free_all(void* l) { curl_slist_free_all(l); }
