# connector_crypto_warnings(target): the project's warning flags, and sanitizers when requested.
function(connector_crypto_warnings target)
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
      -Wno-sign-conversion)
    if(CONNECTOR_CRYPTO_WERROR)
      target_compile_options(${target} PRIVATE -Werror)
    endif()
  endif()
endfunction()

# Sanitizers apply to every target of the build, so the library and its tests agree.
if(CONNECTOR_CRYPTO_SANITIZE)
  if(CONNECTOR_CRYPTO_SANITIZE STREQUAL "thread")
    set(_cc_san "-fsanitize=thread")
  else()
    set(_cc_san "-fsanitize=${CONNECTOR_CRYPTO_SANITIZE}" "-fno-sanitize-recover=all")
  endif()
  add_compile_options(${_cc_san} -fno-omit-frame-pointer)
  # Reports need file and line: -g unless the build type brings its own debug information (the
  # presets' RelWithDebInfo has line tables only, all that a report uses, and compiles faster).
  add_compile_options($<$<NOT:$<OR:$<CONFIG:Debug>,$<CONFIG:RelWithDebInfo>>>:-g>)
  add_link_options(${_cc_san})
endif()
