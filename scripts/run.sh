#!/usr/bin/env bash
# Installs the build dependencies, builds, and runs Atomyx Vault on its embedded default:
# SQLite in ./data, http://localhost:8080, mail written to ./data/outbox (links also logged).
# Any VAULT_* variable set in the environment wins over these defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
launcher=()
command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" >/dev/null
cmake --build build -j2 --target atomyx-vault
export VAULT_DEV=${VAULT_DEV:-1}
echo "Atomyx Vault: http://localhost:8080  (database ${VAULT_DATABASE:-sqlite:./data/vault.db}," \
     "mail ${VAULT_SMTP_URL:-to the outbox ${VAULT_MAIL_OUTBOX:-./data/outbox}})"
exec ./build/atomyx-vault serve "$@"
