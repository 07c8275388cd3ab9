// SPDX-License-Identifier: MIT
// The compatibility header against libcurl 7.88's header and the engine's header: every
// name has the same value, and the structures a binary shares have the same layout.
#include <map>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "abi_table.hpp"
#include "multisock/multisock.h"

namespace ms::compat_test {
namespace {

std::map<std::string, long long> as_map(const std::vector<Entry>& entries) {
  std::map<std::string, long long> out;
  for (const auto& e : entries) out[e.name] = e.value;
  return out;
}

TEST(CompatHeader_Abi, EveryNameHasLibcurlsValue) {
  const auto ours = compat_table();
  const auto theirs = as_map(system_table());
  ASSERT_GT(ours.size(), 250u);
  for (const auto& e : ours) {
    const auto it = theirs.find(e.name);
    ASSERT_NE(it, theirs.end()) << e.name;
    EXPECT_EQ(e.value, it->second) << e.name;
  }
}

// Every engine constant that has a curl name must carry the same number.
struct Prefixes {
  std::string_view engine;
  std::string_view curl;
};
void expect_same(const std::map<std::string, long long>& curl, std::string_view name,
                 long long value, Prefixes p, int& compared) {
  ASSERT_EQ(name.substr(0, p.engine.size()), p.engine) << name;
  const std::string curl_name = std::string(p.curl) + std::string(name.substr(p.engine.size()));
  const auto it = curl.find(curl_name);
  ASSERT_NE(it, curl.end()) << curl_name << " is missing from the compatibility header";
  EXPECT_EQ(it->second, value) << curl_name << " vs " << name;
  ++compared;
}

TEST(CompatHeader_Abi, EngineCodesAndOptionsMatch) {
  const auto curl = as_map(compat_table());
  int compared = 0;
#define MS_X(name, value, text) expect_same(curl, #name, name, {"MSM_", "CURLM_"}, compared);
  MS_MCODES(MS_X)
#undef MS_X
#define MS_X(name, value, text) expect_same(curl, #name, name, {"MSE_", "CURLE_"}, compared);
  MS_ECODES(MS_X)
#undef MS_X
#define MS_X(name, value) expect_same(curl, #name, name, {"MSOPT_", "CURLOPT_"}, compared);
  MS_EASY_OPTIONS(MS_X)
#undef MS_X
#define MS_X(name, value, text) expect_same(curl, #name, name, {"MSUE_", "CURLUE_"}, compared);
  MS_UCODES(MS_X)
#undef MS_X
  // Enums without a table: listed here.
  const std::pair<const char*, long long> others[] = {
      {"CURLMOPT_SOCKETFUNCTION", MSMOPT_SOCKETFUNCTION},
      {"CURLMOPT_SOCKETDATA", MSMOPT_SOCKETDATA},
      {"CURLMOPT_TIMERFUNCTION", MSMOPT_TIMERFUNCTION},
      {"CURLMOPT_TIMERDATA", MSMOPT_TIMERDATA},
      {"CURLMOPT_MAXCONNECTS", MSMOPT_MAXCONNECTS},
      {"CURLMOPT_MAX_HOST_CONNECTIONS", MSMOPT_MAX_HOST_CONNECTIONS},
      {"CURLMOPT_MAX_TOTAL_CONNECTIONS", MSMOPT_MAX_TOTAL_CONNECTIONS},
      {"CURLINFO_EFFECTIVE_URL", MSINFO_EFFECTIVE_URL},
      {"CURLINFO_RESPONSE_CODE", MSINFO_RESPONSE_CODE},
      {"CURLINFO_TOTAL_TIME", MSINFO_TOTAL_TIME},
      {"CURLINFO_SIZE_UPLOAD_T", MSINFO_SIZE_UPLOAD_T},
      {"CURLINFO_SIZE_DOWNLOAD_T", MSINFO_SIZE_DOWNLOAD_T},
      {"CURLINFO_HEADER_SIZE", MSINFO_HEADER_SIZE},
      {"CURLINFO_CONTENT_LENGTH_DOWNLOAD_T", MSINFO_CONTENT_LENGTH_DOWNLOAD_T},
      {"CURLINFO_REDIRECT_COUNT", MSINFO_REDIRECT_COUNT},
      {"CURLINFO_PRIVATE", MSINFO_PRIVATE},
      {"CURLINFO_NUM_CONNECTS", MSINFO_NUM_CONNECTS},
      {"CURLINFO_REDIRECT_URL", MSINFO_REDIRECT_URL},
      {"CURLINFO_PRIMARY_PORT", MSINFO_PRIMARY_PORT},
      {"CURLINFO_HTTP_VERSION", MSINFO_HTTP_VERSION},
      {"CURLINFO_TOTAL_TIME_T", MSINFO_TOTAL_TIME_T},
      {"CURLINFO_REFERER", MSINFO_REFERER},
      {"CURLINFO_CERTINFO", MSINFO_CERTINFO},
      {"CURL_LOCK_DATA_SHARE", MS_LOCK_DATA_SHARE},
      {"CURL_LOCK_DATA_DNS", MS_LOCK_DATA_DNS},
      {"CURL_LOCK_DATA_CONNECT", MS_LOCK_DATA_CONNECT},
      {"CURL_LOCK_DATA_HSTS", MS_LOCK_DATA_HSTS},
      {"CURL_LOCK_ACCESS_SINGLE", MS_LOCK_ACCESS_SINGLE},
      {"CURLSHE_IN_USE", MSSHE_IN_USE},
      {"CURLSHE_NOT_BUILT_IN", MSSHE_NOT_BUILT_IN},
      {"CURLSHOPT_SHARE", MSSHOPT_SHARE},
      {"CURLSHOPT_USERDATA", MSSHOPT_USERDATA},
      {"sizeof(struct curl_certinfo)", static_cast<long long>(sizeof(struct ms_certinfo))},
      {"offsetof(curl_certinfo, certinfo)", static_cast<long long>(offsetof(struct ms_certinfo, certinfo))},
      {"CURLUPART_URL", MSUPART_URL},
      {"CURLUPART_SCHEME", MSUPART_SCHEME},
      {"CURLUPART_USER", MSUPART_USER},
      {"CURLUPART_PASSWORD", MSUPART_PASSWORD},
      {"CURLUPART_OPTIONS", MSUPART_OPTIONS},
      {"CURLUPART_HOST", MSUPART_HOST},
      {"CURLUPART_PORT", MSUPART_PORT},
      {"CURLUPART_PATH", MSUPART_PATH},
      {"CURLUPART_QUERY", MSUPART_QUERY},
      {"CURLUPART_FRAGMENT", MSUPART_FRAGMENT},
      {"CURLUPART_ZONEID", MSUPART_ZONEID},
      {"CURLU_DEFAULT_PORT", MSU_DEFAULT_PORT},
      {"CURLU_NO_DEFAULT_PORT", MSU_NO_DEFAULT_PORT},
      {"CURLU_DEFAULT_SCHEME", MSU_DEFAULT_SCHEME},
      {"CURLU_NON_SUPPORT_SCHEME", MSU_NON_SUPPORT_SCHEME},
      {"CURLU_PATH_AS_IS", MSU_PATH_AS_IS},
      {"CURLU_DISALLOW_USER", MSU_DISALLOW_USER},
      {"CURLU_URLDECODE", MSU_URLDECODE},
      {"CURLU_URLENCODE", MSU_URLENCODE},
      {"CURLU_APPENDQUERY", MSU_APPENDQUERY},
      {"CURLU_GUESS_SCHEME", MSU_GUESS_SCHEME},
      {"CURLU_NO_AUTHORITY", MSU_NO_AUTHORITY},
      {"CURLU_ALLOW_SPACE", MSU_ALLOW_SPACE},
      {"CURLU_PUNYCODE", MSU_PUNYCODE},
      {"CURLH_HEADER", MSH_HEADER},
      {"CURLH_TRAILER", MSH_TRAILER},
      {"CURLH_CONNECT", MSH_CONNECT},
      {"CURLH_1XX", MSH_1XX},
      {"CURLH_PSEUDO", MSH_PSEUDO},
      {"CURLHE_OK", MSHE_OK},
      {"CURLHE_BADINDEX", MSHE_BADINDEX},
      {"CURLHE_MISSING", MSHE_MISSING},
      {"CURLHE_NOHEADERS", MSHE_NOHEADERS},
      {"CURLHE_NOREQUEST", MSHE_NOREQUEST},
      {"CURLHE_OUT_OF_MEMORY", MSHE_OUT_OF_MEMORY},
      {"CURLHE_BAD_ARGUMENT", MSHE_BAD_ARGUMENT},
      {"CURLHE_NOT_BUILT_IN", MSHE_NOT_BUILT_IN},
      {"sizeof(struct curl_header)", static_cast<long long>(sizeof(struct ms_header))},
      {"offsetof(curl_header, anchor)", static_cast<long long>(offsetof(struct ms_header, anchor))},
      {"CURLMOPT_PIPELINING", MSMOPT_PIPELINING},
      {"CURLMOPT_PUSHFUNCTION", MSMOPT_PUSHFUNCTION},
      {"CURLMOPT_PUSHDATA", MSMOPT_PUSHDATA},
      {"CURLMOPT_MAX_CONCURRENT_STREAMS", MSMOPT_MAX_CONCURRENT_STREAMS},
      {"CURLPIPE_NOTHING", MSPIPE_NOTHING},
      {"CURLPIPE_HTTP1", MSPIPE_HTTP1},
      {"CURLPIPE_MULTIPLEX", MSPIPE_MULTIPLEX},
      {"CURL_PUSH_OK", MS_PUSH_OK},
      {"CURL_PUSH_DENY", MS_PUSH_DENY},
      {"CURL_PUSH_ERROROUT", MS_PUSH_ERROROUT},
      {"CURL_HTTP_VERSION_NONE", MS_HTTP_VERSION_NONE},
      {"CURL_HTTP_VERSION_1_0", MS_HTTP_VERSION_1_0},
      {"CURL_HTTP_VERSION_1_1", MS_HTTP_VERSION_1_1},
      {"CURL_HTTP_VERSION_2_0", MS_HTTP_VERSION_2_0},
      {"CURL_HTTP_VERSION_2TLS", MS_HTTP_VERSION_2TLS},
      {"CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE", MS_HTTP_VERSION_2_PRIOR_KNOWLEDGE},
      {"CURL_HTTP_VERSION_3", MS_HTTP_VERSION_3},
      {"CURL_HTTP_VERSION_3ONLY", MS_HTTP_VERSION_3ONLY},
      {"CURLMSG_DONE", MSMSG_DONE},
      {"CURL_POLL_NONE", MS_POLL_NONE},
      {"CURL_POLL_IN", MS_POLL_IN},
      {"CURL_POLL_OUT", MS_POLL_OUT},
      {"CURL_POLL_INOUT", MS_POLL_INOUT},
      {"CURL_POLL_REMOVE", MS_POLL_REMOVE},
      {"CURL_CSELECT_IN", MS_CSELECT_IN},
      {"CURL_CSELECT_OUT", MS_CSELECT_OUT},
      {"CURL_CSELECT_ERR", MS_CSELECT_ERR},
      {"CURL_WAIT_POLLIN", MS_WAIT_POLLIN},
      {"CURL_WAIT_POLLPRI", MS_WAIT_POLLPRI},
      {"CURL_WAIT_POLLOUT", MS_WAIT_POLLOUT},
      {"CURLOPT_FAILONERROR", MSOPT_FAILONERROR},
      {"CURLOPT_HEADER", MSOPT_HEADER},
      {"CURLINFO_CONTENT_TYPE", MSINFO_CONTENT_TYPE},
      {"CURL_SOCKET_TIMEOUT", MS_SOCKET_TIMEOUT},
      {"CURL_SOCKET_BAD", MS_SOCKET_BAD},
      {"CURL_ERROR_SIZE", MS_ERROR_SIZE},
      {"CURLPAUSE_ALL", MSPAUSE_ALL},
      {"CURL_WRITEFUNC_PAUSE", MS_WRITEFUNC_PAUSE},
      {"sizeof(CURLMsg)", static_cast<long long>(sizeof(MSMsg))},
      {"offsetof(CURLMsg, easy_handle)", static_cast<long long>(offsetof(MSMsg, easy_handle))},
      {"offsetof(CURLMsg, data)", static_cast<long long>(offsetof(MSMsg, data))},
      {"sizeof(struct curl_slist)", static_cast<long long>(sizeof(ms_slist))},
      {"sizeof(struct curl_sockaddr)", static_cast<long long>(sizeof(struct ms_sockaddr))},
      {"sizeof(curl_off_t)", static_cast<long long>(sizeof(ms_off_t))},
      {"sizeof(struct curl_waitfd)", static_cast<long long>(sizeof(struct ms_waitfd))},
      {"offsetof(curl_waitfd, events)", static_cast<long long>(offsetof(struct ms_waitfd, events))},
      {"offsetof(curl_waitfd, revents)", static_cast<long long>(offsetof(struct ms_waitfd, revents))},
  };
  for (const auto& [name, value] : others) {
    const auto it = curl.find(name);
    ASSERT_NE(it, curl.end()) << name;
    EXPECT_EQ(it->second, value) << name;
    ++compared;
  }
  EXPECT_GT(compared, 100);
}

}  // namespace
}  // namespace ms::compat_test
