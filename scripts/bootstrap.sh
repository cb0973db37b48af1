#!/usr/bin/env bash
# Installs every build, test and run dependency of Atomyx Vault from Debian packages, and the
# web console's npm packages from console/package-lock.json (npm ci). Idempotent: skips apt when
# everything is already present and npm when node_modules matches the lock file.
set -euo pipefail
PKGS=(
  build-essential cmake ninja-build ccache pkg-config git tzdata
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libpqxx-dev libpq-dev libsqlite3-dev libsodium-dev libssl-dev libcurl4-openssl-dev
  libspdlog-dev libfmt-dev libcli11-dev libtomlplusplus-dev libexpected-dev libqrencode-dev
  libgtest-dev libgmock-dev
  nodejs
  python3
)
if [ "${1:-}" = "--test" ]; then
  PKGS+=(postgresql-15 python3-aiosmtpd oathtool sqlite3 wrk time clang-format chromium)
  # tests/packaging/deb_test.sh: systemd-analyze checks the unit, curl asks /readyz.
  PKGS+=(systemd curl)
  # test_tls.py: openssl makes the throw-away certificates.
  PKGS+=(openssl)
  # scripts/fuzz.sh: clang with libFuzzer and the sanitizer runtimes, llvm-symbolizer for traces.
  PKGS+=(clang clang-14 libclang-rt-14-dev llvm-14)
fi
missing=()
# Debian's nodejs has no npm inside; a NodeSource nodejs does and conflicts with the npm package.
command -v npm >/dev/null 2>&1 || PKGS+=(npm)
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The console's packages, exactly as locked. Re-installed only when the lock file changed.
cd "$(dirname "$0")/.."
lock_sum=$(sha256sum console/package-lock.json | cut -d' ' -f1)
stamp=console/node_modules/.vault-lock-sha256
if [ "$(cat "$stamp" 2>/dev/null)" != "$lock_sum" ]; then
  (cd console && npm ci --no-audit --no-fund --loglevel=error)
  echo "$lock_sum" > "$stamp"
fi
