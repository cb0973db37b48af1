#!/usr/bin/env bash
# Builds tests/argon2/fuzz_argon2.cpp as a coverage-guided libFuzzer binary with clang, with
# AddressSanitizer and UndefinedBehaviorSanitizer. CMake builds the same target with gcc and a
# standalone driver instead (ctest argon2_fuzz_smoke), since CI compiles with gcc.
#
#   bash tests/argon2/build_libfuzzer.sh [OUT_DIR]          # default: build-fuzz
#   build-fuzz/argon2_fuzz -max_len=512 -max_total_time=600 build-fuzz/corpus
#   build/vault_argon2_fuzz crash-<sha1>                    # replay a finding with the gcc build
#
# CXX picks the compiler (default clang++-14, Debian 12's clang).
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${1:-build-fuzz}"
cxx="${CXX:-clang++-14}"
sanitize="-fsanitize=address,undefined"
flags=(-std=c++20 -O1 -g -fno-omit-frame-pointer -Isrc -Wall -Wextra)
mkdir -p "$out/obj" "$out/corpus"

compile() {  # source, extra flags…
  local src="$1"; shift
  "$cxx" "${flags[@]}" "$sanitize" -fsanitize=fuzzer-no-link "$@" -c "$src" \
    -o "$out/obj/$(basename "${src%.cpp}").o"
}
for src in src/crypto/argon2.cpp src/crypto/argon2_generic.cpp src/crypto/argon2_phc.cpp \
           src/crypto/argon2_work_area.cpp src/crypto/sodium.cpp src/core/encoding.cpp; do
  compile "$src"
done
compile src/crypto/argon2_avx2.cpp -mavx2
compile src/crypto/argon2_avx512.cpp -mavx512f
"$cxx" "${flags[@]}" "$sanitize" -fsanitize=fuzzer tests/argon2/fuzz_argon2.cpp "$out"/obj/*.o \
  -lsodium -o "$out/argon2_fuzz"
echo "built $out/argon2_fuzz"
