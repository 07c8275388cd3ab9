// SPDX-License-Identifier: MIT
// backend.cpp: backend tables, constants and code names for the bindings.
#include "backend.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <utility>

#include "conformance/thirdparty.hpp"

namespace ms::bind {

const ms::conf::Api* open_backend(const std::string& lib, const std::string& prefix,
                                  std::string* error) {
  static std::mutex mutex;
  static std::map<std::pair<std::string, std::string>, std::unique_ptr<ms::conf::Api>> tables;
  std::lock_guard lock(mutex);
  const auto key = std::make_pair(lib, lib.empty() ? std::string() : prefix);
  if (auto it = tables.find(key); it != tables.end()) return it->second.get();
  auto api = std::make_unique<ms::conf::Api>();
  if (lib.empty()) {
    *api = ms::conf::engine_api();
  } else if (!ms::conf::load_library_api(lib, prefix, *api, error)) {
    return nullptr;
  }
  return tables.emplace(key, std::move(api)).first->second.get();
}

namespace {

#define MS_BIND_MCODE(name, value, text) {#name, value},
#define MS_BIND_ECODE(name, value, text) {#name, value},
#define MS_BIND_OPT(name, value) {#name + 2, value},
const Constant kConstants[] = {
    {"SOCKET_TIMEOUT", MS_SOCKET_TIMEOUT},
    {"SOCKET_BAD", MS_SOCKET_BAD},
    {"CSELECT_IN", MS_CSELECT_IN},
    {"CSELECT_OUT", MS_CSELECT_OUT},
    {"CSELECT_ERR", MS_CSELECT_ERR},
    {"POLL_NONE", MS_POLL_NONE},
    {"POLL_IN", MS_POLL_IN},
    {"POLL_OUT", MS_POLL_OUT},
    {"POLL_INOUT", MS_POLL_INOUT},
    {"POLL_REMOVE", MS_POLL_REMOVE},
    {"MSG_NONE", MSMSG_NONE},
    {"MSG_DONE", MSMSG_DONE},
    {"PAUSE_RECV", MSPAUSE_RECV},
    {"PAUSE_SEND", MSPAUSE_SEND},
    {"PAUSE_ALL", MSPAUSE_ALL},
    {"PAUSE_CONT", MSPAUSE_CONT},
    {"MOPT_SOCKETFUNCTION", MSMOPT_SOCKETFUNCTION},
    {"MOPT_SOCKETDATA", MSMOPT_SOCKETDATA},
    {"MOPT_TIMERFUNCTION", MSMOPT_TIMERFUNCTION},
    {"MOPT_TIMERDATA", MSMOPT_TIMERDATA},
    {"MOPT_MAXCONNECTS", MSMOPT_MAXCONNECTS},
    {"MOPT_MAX_HOST_CONNECTIONS", MSMOPT_MAX_HOST_CONNECTIONS},
    {"MOPT_MAX_TOTAL_CONNECTIONS", MSMOPT_MAX_TOTAL_CONNECTIONS},
    {"INFO_EFFECTIVE_URL", MSINFO_EFFECTIVE_URL},
    {"INFO_RESPONSE_CODE", MSINFO_RESPONSE_CODE},
    {"INFO_TOTAL_TIME", MSINFO_TOTAL_TIME},
    {"INFO_SIZE_UPLOAD_T", MSINFO_SIZE_UPLOAD_T},
    {"INFO_SIZE_DOWNLOAD_T", MSINFO_SIZE_DOWNLOAD_T},
    {"INFO_HEADER_SIZE", MSINFO_HEADER_SIZE},
    {"INFO_CONTENT_LENGTH_DOWNLOAD_T", MSINFO_CONTENT_LENGTH_DOWNLOAD_T},
    {"INFO_CONTENT_TYPE", MSINFO_CONTENT_TYPE},
    {"INFO_REDIRECT_COUNT", MSINFO_REDIRECT_COUNT},
    {"INFO_PRIVATE", MSINFO_PRIVATE},
    {"INFO_NUM_CONNECTS", MSINFO_NUM_CONNECTS},
    {"INFO_REDIRECT_URL", MSINFO_REDIRECT_URL},
    {"INFO_PRIMARY_PORT", MSINFO_PRIMARY_PORT},
    {"INFO_TOTAL_TIME_T", MSINFO_TOTAL_TIME_T},
    // MSOPT_URL -> OPT_URL: the name without its leading "MS".
    MS_EASY_OPTIONS(MS_BIND_OPT)
    MS_MCODES(MS_BIND_MCODE)
    MS_ECODES(MS_BIND_ECODE)
};
#undef MS_BIND_MCODE
#undef MS_BIND_ECODE
#undef MS_BIND_OPT

}  // namespace

const Constant* constants(std::size_t* count) {
  *count = sizeof kConstants / sizeof kConstants[0];
  return kConstants;
}

OptionKind option_kind(int option) {
  if (option < MSOPTTYPE_OBJECTPOINT) return OptionKind::Long;
  if (option < MSOPTTYPE_FUNCTIONPOINT) return OptionKind::Pointer;
  if (option < MSOPTTYPE_OFF_T) return OptionKind::Function;
  return OptionKind::OffT;
}

InfoKind info_kind(int info) {
  switch (info & 0xf00000) {
    case MSINFO_STRING: return InfoKind::String;
    case MSINFO_LONG: return InfoKind::Long;
    case MSINFO_DOUBLE: return InfoKind::Double;
    case MSINFO_OFF_T: return InfoKind::OffT;
    default: return InfoKind::Unknown;
  }
}

const char* multi_code_name(int code) { return ms_multi_code_name(static_cast<MSMcode>(code)); }
const char* easy_code_name(int code) { return ms_easy_code_name(static_cast<MSEcode>(code)); }

}  // namespace ms::bind
