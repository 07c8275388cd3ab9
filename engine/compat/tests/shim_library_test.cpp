// SPDX-License-Identifier: MIT
// libmultisock-curl.so through its curl_* names, as a program built against the
// compatibility header sees it: the library-wide functions (version, TLS backend, printf).
#include <cstdlib>
#include <cstring>
#include <string>

#include <gtest/gtest.h>

#include "curl/curl.h"
#include "curl/mprintf.h"

namespace {

TEST(ShimVersionInfo, SaysWhatTheEngineHasAndNothingMore) {
  const curl_version_info_data* v = curl_version_info(CURLVERSION_NOW);
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->age, CURLVERSION_NOW);
  EXPECT_STREQ(v->version, LIBCURL_VERSION);
  EXPECT_EQ(v->version_num, static_cast<unsigned>(LIBCURL_VERSION_NUM));
  EXPECT_TRUE(v->features & CURL_VERSION_SSL);
  EXPECT_TRUE(v->features & CURL_VERSION_IPV6);
  EXPECT_TRUE(v->features & CURL_VERSION_HTTP2);
  EXPECT_FALSE(v->features & CURL_VERSION_HTTP3);
  EXPECT_FALSE(v->features & CURL_VERSION_ALTSVC);
  EXPECT_FALSE(v->features & CURL_VERSION_LIBZ);
  EXPECT_EQ(std::string(v->ssl_version).rfind("OpenSSL/", 0), 0u) << v->ssl_version;
  ASSERT_NE(v->protocols, nullptr);
  std::string protocols;
  for (const char* const* p = v->protocols; *p; ++p) protocols += std::string(*p) + " ";
  EXPECT_EQ(protocols, "http https ");
  int names = 0;
  for (const char* const* p = v->feature_names; *p; ++p) ++names;
  EXPECT_EQ(names, __builtin_popcount(static_cast<unsigned>(v->features)));
  ASSERT_NE(v->nghttp2_version, nullptr);
  EXPECT_EQ(v->nghttp2_ver_num >> 16, 1u) << v->nghttp2_version;  // libnghttp2 1.x
  EXPECT_EQ(curl_version_info(CURLVERSION_FIRST), v);
}

TEST(ShimVersion, AtLeastVersionMacroComparesWithTheHeadersVersion) {
  EXPECT_TRUE(CURL_AT_LEAST_VERSION(7, 62, 0));
  EXPECT_TRUE(CURL_AT_LEAST_VERSION(7, 88, 1));
  EXPECT_FALSE(CURL_AT_LEAST_VERSION(7, 88, 2));
  EXPECT_FALSE(CURL_AT_LEAST_VERSION(8, 0, 0));
}

TEST(ShimSslset, OpensslIsTheOneBackend) {
  const curl_ssl_backend** list = nullptr;
  EXPECT_EQ(curl_global_sslset(static_cast<curl_sslbackend>(-1), "nope", &list), CURLSSLSET_UNKNOWN_BACKEND);
  ASSERT_NE(list, nullptr);
  ASSERT_NE(list[0], nullptr);
  EXPECT_STREQ(list[0]->name, "openssl");
  EXPECT_EQ(list[0]->id, CURLSSLBACKEND_OPENSSL);
  EXPECT_EQ(list[1], nullptr);
  EXPECT_EQ(curl_global_sslset(static_cast<curl_sslbackend>(-1), "OpenSSL", nullptr), CURLSSLSET_OK);
  EXPECT_EQ(curl_global_sslset(CURLSSLBACKEND_OPENSSL, nullptr, nullptr), CURLSSLSET_OK);
  EXPECT_EQ(curl_global_sslset(CURLSSLBACKEND_GNUTLS, nullptr, nullptr), CURLSSLSET_UNKNOWN_BACKEND);
  EXPECT_EQ(curl_global_sslset(static_cast<curl_sslbackend>(-1), nullptr, nullptr), CURLSSLSET_UNKNOWN_BACKEND);
}

TEST(ShimMprintf, FormatsTruncatesAndAllocates) {
  char small[8];
  EXPECT_EQ(curl_msnprintf(small, sizeof small, "dl-%d", 42), 5);
  EXPECT_STREQ(small, "dl-42");
  EXPECT_EQ(curl_msnprintf(small, sizeof small, "%s", "0123456789"), 7);  // written, not wanted
  EXPECT_STREQ(small, "0123456");
  EXPECT_EQ(curl_msnprintf(nullptr, 4, "x"), -1);
  char big[32];
  EXPECT_EQ(curl_msprintf(big, "%02d:%06ld", 7, 12L), 9);
  EXPECT_STREQ(big, "07:000012");
  char* s = curl_maprintf("%s/%d", "upload", 3);
  ASSERT_NE(s, nullptr);
  EXPECT_STREQ(s, "upload/3");
  curl_free(s);
  EXPECT_EQ(curl_maprintf(nullptr), nullptr);
}

}  // namespace

namespace {

TEST(ShimPush, HeaderAccessorsAnswerNullWithoutHttp2) {
  EXPECT_EQ(curl_pushheader_bynum(nullptr, 0), nullptr);
  EXPECT_EQ(curl_pushheader_byname(nullptr, ":path"), nullptr);
}

TEST(ShimHttpVersion, ThreeOnlyRefusedAsLibcurlWithoutHttp3) {
  CURL* e = curl_easy_init();
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(curl_easy_setopt(e, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_3ONLY)),
            CURLE_UNSUPPORTED_PROTOCOL);
  EXPECT_EQ(curl_easy_setopt(e, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2_0)), CURLE_OK);
  curl_easy_cleanup(e);
}

}  // namespace

namespace {

// Named in the header so that programs build, but not built in: refused at run time.
TEST(ShimNamedOnly, ClientCertificatesAuthAndSeekAreUnknownOptions) {
  CURL* e = curl_easy_init();
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(curl_easy_setopt(e, CURLOPT_SSLCERT, "c.pem"), CURLE_UNKNOWN_OPTION);
  EXPECT_EQ(curl_easy_setopt(e, CURLOPT_SSLKEY, "k.pem"), CURLE_UNKNOWN_OPTION);
  EXPECT_EQ(curl_easy_setopt(e, CURLOPT_SSLENGINE, "x"), CURLE_UNKNOWN_OPTION);
  EXPECT_EQ(curl_easy_setopt(e, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_ANY)), CURLE_UNKNOWN_OPTION);
  EXPECT_EQ(curl_easy_setopt(e, CURLOPT_SEEKDATA, static_cast<void*>(nullptr)), CURLE_UNKNOWN_OPTION);
  curl_easy_cleanup(e);
}

}  // namespace
