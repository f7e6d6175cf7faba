#!/usr/bin/env bash
# AddressSanitizer + UndefinedBehaviorSanitizer (no recovery, leaks checked) over the whole ctest
# suite, and ThreadSanitizer over the concurrency tests: the `asan` and `tsan` CMake presets
# (build-asan/, build-tsan/, clang). Locally: the same commands, see docs/SECURITY.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v clang++ >/dev/null || { echo "20-sanitizers: clang++ is missing (tools/install-deps.sh)"; exit 1; }

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1

cmake --preset asan >/dev/null
cmake --build --preset asan -j"$(nproc)"
# Excluded by name in the preset: cmake_import_install/consumer, core_import_consumer and the
# pkg-config (full and core) and FetchContent consumers, which build separate, unsanitized consumer
# programs (they cannot link the sanitizer runtime, and stage 10 already runs them), and the checks
# of the installed tree (core_headers_without_nlohmann, installed_cli_version), whose install step
# is cmake_import_install. Every other test runs here.
ctest --preset asan -j"$(nproc)"

cmake --preset tsan >/dev/null
cmake --build --preset tsan -j"$(nproc)"
# Only the concurrency tests: everything else is single-threaded and already ran under ASan.
# ThreadSanitizer of clang 14 cannot map its shadow memory under the high-entropy ASLR of newer
# kernels (vm.mmap_rnd_bits > 28: "unexpected memory mapping"); run without address randomization
# when the machine allows it (setarch -R), which is harmless where it is not needed.
norandom=()
if setarch "$(uname -m)" -R true 2>/dev/null; then norandom=(setarch "$(uname -m)" -R); fi
"${norandom[@]}" ctest --preset tsan
