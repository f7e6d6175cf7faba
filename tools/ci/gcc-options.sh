# Sourced by the stages that build with the default compiler (build/, build-shared/, build-nosimd/);
# not a stage itself (tools/test.sh runs tools/ci/[0-9]*.sh). Sets cc_gcc_options, the configure
# options those builds share, so that every stage configures build/ the same way and build-shared/
# and build-nosimd/ compile as build/ does.
#
# -g1: line tables only. Stack traces (valgrind's, a crashing test's) keep file and line; the
# compile of a test needs a third to two fifths less CPU than with the full debug info of -g.
cc_gcc_options=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG"
                -DCONNECTOR_CRYPTO_WERROR=ON)

