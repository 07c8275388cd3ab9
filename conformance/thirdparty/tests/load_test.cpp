// SPDX-License-Identifier: MIT
// Loading curl-style libraries with dlopen, and driving one through the Api table.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "conformance/thirdparty.hpp"

namespace ms::conf {
namespace {

const std::string kLibDir = "/usr/lib/x86_64-linux-gnu/";  // Debian multiarch

struct Flavour {
  const char* label;           // test name suffix
  const char* path;
  const char* version_prefix;  // what <prefix>version() starts with
  const char* version_has;     // and contains (the TLS library, for libcurl)
  bool required;               // always installed with the project's toolchain
};
const Flavour kSystemFlavours[] = {
    {"openssl", "/usr/lib/x86_64-linux-gnu/libcurl.so.4", "libcurl/7.", "OpenSSL/", true},
    {"gnutls", "/usr/lib/x86_64-linux-gnu/libcurl-gnutls.so.4", "libcurl/7.", "GnuTLS/", false},
    {"nss", "/usr/lib/x86_64-linux-gnu/libcurl-nss.so.4", "libcurl/7.", "NSS/", false},
};

// Printed by label: the default printer would show the struct's pointer bytes.
void PrintTo(const Flavour& flavour, std::ostream* os) { *os << flavour.label; }

bool exists(const std::string& path) { return ::access(path.c_str(), R_OK) == 0; }

class CurlStyleLibrary : public ::testing::TestWithParam<Flavour> {
 protected:
  void SetUp() override {
    path_ = GetParam().path;
    if (!exists(path_)) {
      if (GetParam().required) FAIL() << path_ << " is missing";
      GTEST_SKIP() << path_ << " is not installed";
    }
    std::string error;
    ASSERT_TRUE(load_library_api(path_, "curl_", api_, &error)) << error;
  }
  std::string path_;
  Api api_;
};

TEST_P(CurlStyleLibrary, LoadsEveryFunctionAndVersion) {
  EXPECT_EQ(path_.substr(path_.rfind('/') + 1), api_.name);
  const std::string version = api_.version;
  EXPECT_EQ(version.rfind(GetParam().version_prefix, 0), 0u) << version;
  EXPECT_NE(version.find(GetParam().version_has), std::string::npos) << version;
  EXPECT_NE(api_.multi_socket, nullptr);
  EXPECT_NE(api_.multi_socket_all, nullptr);
  EXPECT_STREQ(api_.multi_strerror(MSM_BAD_SOCKET), "Invalid socket argument");
  EXPECT_STREQ(api_.easy_strerror(MSE_OK), "No error");
  EXPECT_NE(api_.easy_pause, nullptr);  // optional, but every flavour here has it
}

TEST_P(CurlStyleLibrary, LoadingTwiceGivesTheSameFunctions) {
  Api again;
  std::string error;
  ASSERT_TRUE(load_library_api(path_, "curl_", again, &error)) << error;
  EXPECT_EQ(again.multi_socket_action, api_.multi_socket_action);
  EXPECT_STREQ(again.version, api_.version);
}

// ---- a minimal end-to-end run over a loopback listener, driven with epoll -------------

std::string body_bytes() {
  std::string body(150000, '\0');
  for (size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>('a' + (i * 7 + i / 13) % 26);
  return body;
}

// Accepts one connection, reads the request head, answers one response, closes.
class OneShotServer {
 public:
  OneShotServer() {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&addr), len) != 0 || ::listen(listener_, 8) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      return;
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~OneShotServer() {
    if (thread_.joinable()) thread_.join();
    ::close(listener_);
  }
  int port() const { return port_; }
  const std::string& request() const { return request_; }  // read after the client is done

 private:
  void serve() {
    pollfd p{listener_, POLLIN, 0};
    if (::poll(&p, 1, 20000) != 1) return;  // bounded: the test fails, it does not hang
    const int conn = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (conn < 0) return;
    char buffer[4096];
    while (request_.find("\r\n\r\n") == std::string::npos) {
      pollfd c{conn, POLLIN, 0};
      if (::poll(&c, 1, 20000) != 1) break;
      const ssize_t n = ::recv(conn, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      request_.append(buffer, static_cast<size_t>(n));
    }
    const std::string body = body_bytes();
    const std::string response = "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) +
                                 "\r\nConnection: close\r\n\r\n" + body;
    size_t sent = 0;
    while (sent < response.size()) {
      const ssize_t n = ::send(conn, response.data() + sent, response.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += static_cast<size_t>(n);
    }
    ::close(conn);
  }
  int listener_ = -1;
  int port_ = 0;
  std::string request_;
  std::thread thread_;
};

struct Loop {
  int epoll_fd = -1;
  long timeout_ms = -1;
  int socket_calls = 0;
  int timer_calls = 0;
};

int on_socket(void* /*easy*/, int fd, int what, void* userp, void* /*socketp*/) {
  auto* loop = static_cast<Loop*>(userp);
  ++loop->socket_calls;
  if (what == MS_POLL_REMOVE) {
    ::epoll_ctl(loop->epoll_fd, EPOLL_CTL_DEL, fd, nullptr);
    return 0;
  }
  epoll_event ev{};
  ev.events = ((what & MS_POLL_IN) ? EPOLLIN : 0u) | ((what & MS_POLL_OUT) ? EPOLLOUT : 0u);
  ev.data.fd = fd;
  if (::epoll_ctl(loop->epoll_fd, EPOLL_CTL_MOD, fd, &ev) != 0)
    ::epoll_ctl(loop->epoll_fd, EPOLL_CTL_ADD, fd, &ev);
  return 0;
}

int on_timer(void* /*multi*/, long timeout_ms, void* userp) {
  auto* loop = static_cast<Loop*>(userp);
  ++loop->timer_calls;
  loop->timeout_ms = timeout_ms;
  return 0;
}

size_t on_write(char* data, size_t size, size_t count, void* userp) {
  static_cast<std::string*>(userp)->append(data, size * count);
  return size * count;
}

TEST_P(CurlStyleLibrary, MultiSocketSmokeRunOverLoopback) {
  OneShotServer server;
  ASSERT_NE(server.port(), 0);
  Loop loop;
  loop.epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
  ASSERT_GE(loop.epoll_fd, 0);

  void* multi = api_.multi_init();
  ASSERT_NE(multi, nullptr);
  EXPECT_EQ(api_.multi_setopt(multi, MSMOPT_SOCKETFUNCTION, &on_socket), MSM_OK);
  EXPECT_EQ(api_.multi_setopt(multi, MSMOPT_SOCKETDATA, &loop), MSM_OK);
  EXPECT_EQ(api_.multi_setopt(multi, MSMOPT_TIMERFUNCTION, &on_timer), MSM_OK);
  EXPECT_EQ(api_.multi_setopt(multi, MSMOPT_TIMERDATA, &loop), MSM_OK);

  void* easy = api_.easy_init();
  ASSERT_NE(easy, nullptr);
  std::string body;
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/smoke";
  EXPECT_EQ(api_.easy_setopt(easy, MSOPT_URL, url.c_str()), MSE_OK);
  EXPECT_EQ(api_.easy_setopt(easy, MSOPT_WRITEFUNCTION, &on_write), MSE_OK);
  EXPECT_EQ(api_.easy_setopt(easy, MSOPT_WRITEDATA, &body), MSE_OK);
  EXPECT_EQ(api_.easy_setopt(easy, MSOPT_NOSIGNAL, 1L), MSE_OK);
  EXPECT_EQ(api_.easy_setopt(easy, MSOPT_TIMEOUT, 20L), MSE_OK);
  EXPECT_EQ(api_.multi_add_handle(multi, easy), MSM_OK);

  int running = 1;
  int done_result = -1;
  int done_messages = 0;
  // Bounded: the transfer has its own 20 s timeout, and each wait is at most 1 s.
  for (int round = 0; round < 5000 && (running > 0 || done_messages == 0); ++round) {
    epoll_event events[8];
    const int wait_ms = loop.timeout_ms < 0 ? 1000 : static_cast<int>(std::min(loop.timeout_ms, 1000L));
    const int n = ::epoll_wait(loop.epoll_fd, events, 8, wait_ms);
    if (n <= 0) {
      ASSERT_EQ(api_.multi_socket_action(multi, MS_SOCKET_TIMEOUT, 0, &running), MSM_OK);
    }
    for (int i = 0; i < n; ++i) {
      const int mask = ((events[i].events & EPOLLIN) ? MS_CSELECT_IN : 0) |
                       ((events[i].events & EPOLLOUT) ? MS_CSELECT_OUT : 0) |
                       ((events[i].events & (EPOLLERR | EPOLLHUP)) ? MS_CSELECT_ERR : 0);
      ASSERT_EQ(api_.multi_socket_action(multi, events[i].data.fd, mask, &running), MSM_OK);
    }
    int left = 0;
    while (MSMsg* msg = api_.multi_info_read(multi, &left)) {
      if (msg->msg == MSMSG_DONE && msg->easy_handle == easy) {
        ++done_messages;
        done_result = msg->data.result;
      }
    }
  }
  EXPECT_EQ(running, 0);
  EXPECT_EQ(done_messages, 1);
  EXPECT_EQ(done_result, MSE_OK) << api_.easy_strerror(done_result);
  long code = 0;
  EXPECT_EQ(api_.easy_getinfo(easy, MSINFO_RESPONSE_CODE, &code), MSE_OK);
  EXPECT_EQ(code, 200);
  EXPECT_TRUE(body == body_bytes()) << "body of " << body.size() << " bytes differs";
  EXPECT_GT(loop.socket_calls, 0);
  EXPECT_GT(loop.timer_calls, 0);

  EXPECT_EQ(api_.multi_remove_handle(multi, easy), MSM_OK);
  api_.easy_cleanup(easy);
  EXPECT_EQ(api_.multi_cleanup(multi), MSM_OK);
  ::close(loop.epoll_fd);
  EXPECT_EQ(server.request().rfind("GET /smoke HTTP/1.1\r\n", 0), 0u) << server.request();
}

std::string flavour_name(const ::testing::TestParamInfo<Flavour>& info) { return info.param.label; }
INSTANTIATE_TEST_SUITE_P(System, CurlStyleLibrary, ::testing::ValuesIn(kSystemFlavours), flavour_name);

// libmultisock-curl.so (engine/compat): the engine itself, loaded like any third party.
const Flavour kShimFlavours[] = {{"multisock_curl", MS_SHIM_PATH, "multisock/", "libcurl/7.88", true}};
INSTANTIATE_TEST_SUITE_P(Shim, CurlStyleLibrary, ::testing::ValuesIn(kShimFlavours), flavour_name);

// ---- errors -------------------------------------------------------------------------

TEST(LoadLibraryApi_Errors, BadPathSaysWhichFile) {
  Api api;
  api.name = "untouched";
  std::string error;
  EXPECT_FALSE(load_library_api("/nonexistent/libcurl-nope.so", "curl_", api, &error));
  EXPECT_NE(error.find("/nonexistent/libcurl-nope.so"), std::string::npos) << error;
  EXPECT_NE(error.find("cannot load"), std::string::npos) << error;
  EXPECT_EQ(api.name, "untouched");
}

TEST(LoadLibraryApi_Errors, EmptyPathIsRefused) {
  Api api;
  std::string error;
  EXPECT_FALSE(load_library_api("", "curl_", api, &error));
  EXPECT_FALSE(error.empty());
}

TEST(LoadLibraryApi_Errors, LibraryWithoutSymbolsNamesThem) {
  Api api;
  std::string error;
  EXPECT_FALSE(load_library_api("libm.so.6", "curl_", api, &error));
  EXPECT_NE(error.find("libm.so.6"), std::string::npos) << error;
  EXPECT_NE(error.find("curl_multi_socket_action"), std::string::npos) << error;
  EXPECT_NE(error.find("curl_version"), std::string::npos) << error;
  EXPECT_NE(error.find("18 required symbols"), std::string::npos) << error;
  EXPECT_EQ(error.find("easy_pause"), std::string::npos) << "optional, never required: " << error;
  EXPECT_EQ(api.multi_init, nullptr);
}

TEST(LoadLibraryApi_Errors, WrongPrefixNamesPrefixedSymbols) {
  if (!exists(kLibDir + "libcurl.so.4")) GTEST_SKIP() << "libcurl.so.4 is not installed";
  Api api;
  std::string error;
  EXPECT_FALSE(load_library_api(kLibDir + "libcurl.so.4", "fetch_", api, &error));
  EXPECT_NE(error.find("fetch_multi_init"), std::string::npos) << error;
  EXPECT_EQ(error.find(" curl_"), std::string::npos) << error;
}

}  // namespace
}  // namespace ms::conf
