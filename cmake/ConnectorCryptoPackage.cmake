# `cpack -G DEB` in a build tree: one Debian package per install component
# (cmake/ConnectorCryptoInstall.cmake), each declaring its dependencies:
#   libconnector-crypto-dev  headers, static library and the shared library's link, CMake package,
#                            .pc files; depends on the shared library's package:
#   libconnector-crypto0.4   the shared library (named after its soname, as Debian policy 8.1 asks)
#   connector-crypto         the CLI (linked statically) and share/connector_crypto/apply-rewrap-updates.js
# Configure with -DCMAKE_INSTALL_PREFIX=/usr -DCONNECTOR_CRYPTO_INSTALL_SHARED_TOO=ON
# (tools/ci/80-deb.sh). Run-time dependencies (libssl3, libsimdjson14 when built with it, libstdc++)
# come from dpkg-shlibdeps on the binaries; the -dev package adds the -dev packages its CMake
# package and .pc files name.
set(CPACK_PACKAGE_NAME connector-crypto)
set(CPACK_PACKAGE_VENDOR "connector-crypto")
set(CPACK_PACKAGE_CONTACT "connector-crypto maintainers <connector-crypto@example.org>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_STRIP_FILES ON)  # Debian ships stripped binaries (lintian: unstripped-binary-or-object)
set(CPACK_COMPONENTS_ALL connector_crypto_dev)
if(TARGET connector_crypto_shared)
  list(APPEND CPACK_COMPONENTS_ALL connector_crypto_runtime)
endif()
if(CONNECTOR_CRYPTO_BUILD_TOOLS)
  list(APPEND CPACK_COMPONENTS_ALL connector_crypto_cli)
endif()

set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)  # the shlibs file of the run-time library's package
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)  # -dev depends on the run-time library, same version
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://example.org/connector-crypto")

set(_cc_dev_depends "libssl-dev (>= 3.0)")
if(CONNECTOR_CRYPTO_HAVE_SIMDJSON)
  string(APPEND _cc_dev_depends ", libsimdjson-dev")
endif()
set(CPACK_DEBIAN_CONNECTOR_CRYPTO_DEV_PACKAGE_NAME libconnector-crypto-dev)
set(CPACK_DEBIAN_CONNECTOR_CRYPTO_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_CONNECTOR_CRYPTO_DEV_PACKAGE_DEPENDS "${_cc_dev_depends}")
# connector_crypto::connector_crypto and connector_crypto.pc need nlohmann; ::core does not.
set(CPACK_DEBIAN_CONNECTOR_CRYPTO_DEV_PACKAGE_RECOMMENDS "nlohmann-json3-dev (>= 3.10)")
if(TARGET connector_crypto_shared)
  set(CPACK_COMPONENT_CONNECTOR_CRYPTO_DEV_DEPENDS connector_crypto_runtime)
endif()
set(CPACK_COMPONENT_CONNECTOR_CRYPTO_DEV_DESCRIPTION
  "envelope encryption of connector credentials (development files)
 AES-256-GCM envelopes for connector credentials, wire-compatible with the
 TypeScript package: headers, static library, shared library link, CMake
 package (components core and nlohmann) and pkg-config files
 (connector_crypto-core, connector_crypto).")

string(REPLACE "_" "-" _cc_runtime_name "lib${PROJECT_NAME}${CONNECTOR_CRYPTO_SOVERSION}")
set(CPACK_DEBIAN_CONNECTOR_CRYPTO_RUNTIME_PACKAGE_NAME ${_cc_runtime_name})
set(CPACK_DEBIAN_CONNECTOR_CRYPTO_RUNTIME_PACKAGE_SECTION libs)
# The shared library's package activates ldconfig by a trigger (a control file, not a script).
file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/debian-control/runtime/triggers "activate-noawait ldconfig\n")
set(CPACK_DEBIAN_CONNECTOR_CRYPTO_RUNTIME_PACKAGE_CONTROL_EXTRA
  ${CMAKE_CURRENT_BINARY_DIR}/debian-control/runtime/triggers)
set(CPACK_COMPONENT_CONNECTOR_CRYPTO_RUNTIME_DESCRIPTION
  "envelope encryption of connector credentials (shared library)
 AES-256-GCM envelopes for connector credentials, wire-compatible with the
 TypeScript package: the shared library.")

set(CPACK_DEBIAN_CONNECTOR_CRYPTO_CLI_PACKAGE_NAME connector-crypto)
set(CPACK_DEBIAN_CONNECTOR_CRYPTO_CLI_PACKAGE_SECTION utils)
set(CPACK_COMPONENT_CONNECTOR_CRYPTO_CLI_DESCRIPTION
  "envelope encryption of connector credentials (command-line tool)
 The connector-crypto command: key generation, encryption, decryption,
 key rotation (rewrap) and audit of connector credentials, with the mongosh
 script that applies rewrap updates
 (/usr/share/connector_crypto/apply-rewrap-updates.js).")

# Every Debian package carries its copyright file and a Debian changelog, compressed as Debian
# does (gzip -9n: no name, no timestamp; gzip is essential on Debian).
find_program(CONNECTOR_CRYPTO_GZIP gzip)
if(CONNECTOR_CRYPTO_GZIP)
  foreach(_cc_comp connector_crypto_dev connector_crypto_cli connector_crypto_runtime)
    string(TOUPPER ${_cc_comp} _cc_upper)
    set(_cc_pkg ${CPACK_DEBIAN_${_cc_upper}_PACKAGE_NAME})
    set(_cc_docdir ${CMAKE_CURRENT_BINARY_DIR}/debian-doc/${_cc_pkg})
    file(WRITE ${_cc_docdir}/changelog.Debian
      "${_cc_pkg} (${PROJECT_VERSION}-1) unstable; urgency=medium\n\n"
      "  * Built by CPack from connector-crypto ${PROJECT_VERSION}.\n\n"
      " -- ${CPACK_PACKAGE_CONTACT}  Thu, 01 Jan 2026 00:00:00 +0000\n")
    execute_process(COMMAND ${CONNECTOR_CRYPTO_GZIP} -9nc
      INPUT_FILE ${_cc_docdir}/changelog.Debian OUTPUT_FILE ${_cc_docdir}/changelog.Debian.gz
      RESULT_VARIABLE _cc_gzip_result)
    if(NOT _cc_gzip_result EQUAL 0)
      message(FATAL_ERROR "gzip ${_cc_docdir}/changelog.Debian: ${_cc_gzip_result}")
    endif()
    install(FILES ${_cc_docdir}/changelog.Debian.gz
      DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/${_cc_pkg} COMPONENT ${_cc_comp} EXCLUDE_FROM_ALL)
    install(FILES ${PROJECT_SOURCE_DIR}/LICENSE RENAME copyright
      DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/${_cc_pkg} COMPONENT ${_cc_comp} EXCLUDE_FROM_ALL)
  endforeach()
endif()

include(CPack)
