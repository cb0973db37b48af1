#!/usr/bin/env bash
# Fails (exit 1) when a C++ file of src/, tests/, bench/ or fuzz/ is not formatted as
# .clang-format says (Google style, 100 columns). Run by the test command (ctest format_check);
# to fix:
#   clang-format -i $(git ls-files '*.cpp' '*.hpp' | grep -E '^(src|tests|bench|fuzz)/')
set -euo pipefail
cd "$(dirname "$0")/.."
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files '*.cpp' '*.hpp' | grep -E '^(src|tests|bench|fuzz)/')
else
  mapfile -t files < <(find src tests bench fuzz -name '*.cpp' -o -name '*.hpp' | sort)
fi
clang-format --dry-run --Werror "${files[@]}"
echo "format: ${#files[@]} files formatted as .clang-format says"
