// SPDX-License-Identifier: MIT
// data_dir.hpp: the folders of the data the CLI ships, for a binary in its build folder
// and for an installed (or unpacked, or moved) one.
#pragma once

#include <string>

namespace ms::cli {

// $ENV_NAME if set; else, for an installed binary, BINDIR/MS_DATA_FROM_BINDIR/INSTALLED_NAME
// (../share/multisock/<name>) if that folder exists; else SOURCE_PATH, the source tree the
// binary was built from.
std::string data_dir(const char* env_name, const char* installed_name, const char* source_path);

}  // namespace ms::cli
