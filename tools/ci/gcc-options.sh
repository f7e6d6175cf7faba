# Sourced by the stages that build with the default compiler (build/, build-shared/, build-nosimd/);
# not a stage itself (tools/test.sh runs tools/ci/[0-9]*.sh). Sets cc_gcc_options, the configure
# options those builds share, so that every stage configures build/ the same way and build-shared/
# and build-nosimd/ compile as build/ does.
#
# -g1: line tables only. Stack traces (valgrind's, a crashing test's) keep file and line; the
# compile of a test needs a third to two fifths less CPU than with the full debug info of -g.
cc_gcc_options=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG"
                -DCONNECTOR_CRYPTO_WERROR=ON)

# ccache, when installed (tools/install-deps.sh installs it), in build-ccache/ of this tree: a clean
# clone starts empty, and within one run stage 15's library and CLI and stage 70's tests (whose
# objects do not depend on simdjson) are compiled once, in stage 10. Paths are hashed relative to
# the tree (CCACHE_BASEDIR, CCACHE_NOHASHDIR), so objects of build/ serve build-nosimd/. The
# environment variable also reaches the consumer projects that ctest builds (FetchContent).
if command -v ccache >/dev/null; then
  export CCACHE_DIR="$PWD/build-ccache" CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
  export CMAKE_CXX_COMPILER_LAUNCHER=ccache
  cc_gcc_options+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
