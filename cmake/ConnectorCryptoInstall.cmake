# Install rules (included by CMakeLists.txt when CONNECTOR_CRYPTO_INSTALL is on), in install
# components, which are also the Debian packages of cmake/ConnectorCryptoPackage.cmake:
#   connector_crypto_dev      the library: headers, library, CMake package, pkg-config files
#   connector_crypto_cli      the connector-crypto CLI and share/connector_crypto/apply-rewrap-updates.js
#   connector_crypto_runtime  with CONNECTOR_CRYPTO_INSTALL_SHARED_TOO only: the shared library
# `cmake --install build` installs both; `--component connector_crypto_dev` the library alone.
include(CMakePackageConfigHelpers)
set(CONNECTOR_CRYPTO_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/connector_crypto)
set(_cc_dev COMPONENT connector_crypto_dev)

# A distribution's -dev package ships the static and the shared library side by side: with this on
# (and BUILD_SHARED_LIBS off) the shared library is built from the same objects and installed beside
# the static one. The CMake package keeps exporting the static library, so a program built against
# the package never needs the -dev package at run time.
option(CONNECTOR_CRYPTO_INSTALL_SHARED_TOO
  "Also build and install the shared library beside the static one (distribution packages)" OFF)
if(CONNECTOR_CRYPTO_INSTALL_SHARED_TOO AND NOT BUILD_SHARED_LIBS)
  add_library(connector_crypto_shared SHARED $<TARGET_OBJECTS:connector_crypto_objects>)
  set_target_properties(connector_crypto_shared PROPERTIES
    OUTPUT_NAME connector_crypto
    VERSION ${PROJECT_VERSION}
    SOVERSION ${CONNECTOR_CRYPTO_SOVERSION})
  target_link_libraries(connector_crypto_shared PRIVATE OpenSSL::Crypto)
  connector_crypto_use_simdjson(connector_crypto_shared)
  # The run-time library (libconnector_crypto.so.MAJOR.MINOR*) is a component of its own, as Debian
  # ships it (libconnector-crypto0.4); the libconnector_crypto.so link belongs to the -dev package.
  install(TARGETS connector_crypto_shared LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
    COMPONENT connector_crypto_runtime NAMELINK_COMPONENT connector_crypto_dev)
endif()

# Two export sets: core alone needs no nlohmann, so the package loads the nlohmann target's file
# only when that component is asked for (cmake/connector_cryptoConfig.cmake.in).
install(TARGETS connector_crypto EXPORT connector_crypto-core-targets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} ${_cc_dev}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} ${_cc_dev}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} ${_cc_dev}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS connector_crypto_json EXPORT connector_crypto-targets)
install(DIRECTORY include/connector_crypto DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} ${_cc_dev})
install(EXPORT connector_crypto-core-targets
  FILE connector_crypto-core-targets.cmake
  NAMESPACE connector_crypto::
  DESTINATION ${CONNECTOR_CRYPTO_CMAKE_DIR} ${_cc_dev})
install(EXPORT connector_crypto-targets
  FILE connector_cryptoTargets.cmake
  NAMESPACE connector_crypto::
  DESTINATION ${CONNECTOR_CRYPTO_CMAKE_DIR} ${_cc_dev})
configure_package_config_file(cmake/connector_cryptoConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/connector_cryptoConfig.cmake
  INSTALL_DESTINATION ${CONNECTOR_CRYPTO_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/connector_cryptoConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMajorVersion)
install(FILES
  ${CMAKE_CURRENT_BINARY_DIR}/connector_cryptoConfig.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/connector_cryptoConfigVersion.cmake
  DESTINATION ${CONNECTOR_CRYPTO_CMAKE_DIR} ${_cc_dev})

# pkg-config for builds without CMake: connector_crypto-core (the library, no nlohmann) and
# connector_crypto (core + nlohmann). --static adds what the static library needs (libcrypto, and
# simdjson only when this build uses it). Relocatable: the prefix is found from the .pc file's own
# folder (pkg-config's ${pcfiledir}).
file(RELATIVE_PATH CC_PC_TO_PREFIX "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
string(REGEX REPLACE "/$" "" CC_PC_TO_PREFIX "${CC_PC_TO_PREFIX}")
set(CC_PC_REQUIRES_PRIVATE "")
if(CONNECTOR_CRYPTO_HAVE_SIMDJSON)
  set(CC_PC_REQUIRES_PRIVATE ", simdjson >= 3.0")
endif()
foreach(_cc_pc connector_crypto connector_crypto-core)
  configure_file(cmake/${_cc_pc}.pc.in ${CMAKE_CURRENT_BINARY_DIR}/${_cc_pc}.pc @ONLY)
  install(FILES ${CMAKE_CURRENT_BINARY_DIR}/${_cc_pc}.pc
    DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig ${_cc_dev})
endforeach()

# The CLI and the mongosh script docs/ROTATION.md applies its updates with.
if(CONNECTOR_CRYPTO_BUILD_TOOLS)
  install(TARGETS connector-crypto RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
    COMPONENT connector_crypto_cli)
  install(FILES tools/apply-rewrap-updates.js
    DESTINATION ${CMAKE_INSTALL_DATADIR}/connector_crypto COMPONENT connector_crypto_cli)
endif()

include(ConnectorCryptoPackage)
