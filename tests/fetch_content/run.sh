#!/usr/bin/env bash
# Copies the tree under test into a throw-away git repository, tags it vVERSION (CI clones may carry
# no tags), and builds and runs tests/fetch_content against that tag through FetchContent.
# Usage: run.sh SOURCE_DIR WORK_DIR VERSION CXX GENERATOR
set -euo pipefail
src=$1 work=$2 version=$3 cxx=$4 generator=$5
repo=$work/repo
rm -rf "$work"
mkdir -p "$repo"
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  # Tracked and new files as they are in the work tree (uncommitted edits included).
  (cd "$src" && git ls-files -z --cached --others --exclude-standard) |
    while IFS= read -r -d '' f; do
      if [ -e "$src/$f" ]; then mkdir -p "$repo/$(dirname "$f")" && cp -p "$src/$f" "$repo/$f"; fi
    done
else
  tar -C "$src" --exclude='./build*' --exclude=node_modules -cf - . | tar -C "$repo" -xf -
fi
git -C "$repo" init -q
git -C "$repo" add -A
git -C "$repo" -c user.name=test -c user.email=test@localhost commit -q -m "tree under test"
git -C "$repo" tag "v$version"
ctest --build-and-test "$src/tests/fetch_content" "$work/consumer" \
  --build-generator "$generator" \
  --build-options "-DCC_GIT_REPOSITORY=file://$repo" "-DCC_GIT_TAG=v$version" \
    "-DCMAKE_CXX_COMPILER=$cxx" -DCMAKE_BUILD_TYPE=Release \
  --test-command consumer
