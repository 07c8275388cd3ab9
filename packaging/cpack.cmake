# SPDX-License-Identifier: MIT
# The Debian package of the tool: `cpack -G DEB` in the build folder (or
# `cmake --build build --target package`) writes build/packages/multisock_<version>_<arch>.deb
# with everything `cmake --install` ships, under /usr.
set(CPACK_PACKAGE_NAME multisock)
set(CPACK_PACKAGE_VENDOR "the multisock authors")
set(CPACK_PACKAGE_CONTACT "the multisock authors")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "conformance checker for libcurl-style multi-socket libraries, with its engine")
set(CPACK_PACKAGE_DESCRIPTION
    "multisock checks a curl-style shared library against the documented contract of
curl_multi_socket_action(3), clause by clause, in a deterministic simulated network or
on real loopback sockets, and writes JSON, JUnit and HTML reports. The package also holds
the multisock engine (libmultisock), its curl-compatible shim (libmultisock-curl), their
headers, CMake package and pkg-config files, the scenario library and known-deviation files.")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR}/packages)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
# Dependencies from the ELF files (dpkg-shlibdeps); the shim and the engine get a shlibs file.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
include(CPack)
