#!/usr/bin/env bash
# The Debian package end to end (issue 16): builds it with CPack from BUILD_DIR, checks its
# metadata, installs it with `dpkg -i` on this machine, checks what postinst made (service user,
# 0700 state folder, 0640 configuration), verifies the systemd unit, and runs the installed binary
# as the service user with the installed configuration until /readyz answers 200 and the data
# files appear under /var/lib/atomyx-vault. Needs root or passwordless sudo (CI runs as root).
# Usage: tests/packaging/deb_test.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo -n"
fail() { echo "deb_test: FAIL: $*" >&2; exit 1; }

cd "$build"
rm -f atomyx-vault_*.deb
cpack -G DEB >cpack.log 2>&1 || { cat cpack.log; fail "cpack failed"; }
deb=$(ls atomyx-vault_*.deb)
echo "deb_test: built $deb ($(du -h "$deb" | cut -f1))"

info=$(dpkg-deb -I "$deb")
depends=$(dpkg-deb -f "$deb" Depends)
for dep in adduser libsodium23 libpq5 libsqlite3-0 libssl3 libcurl4; do
  grep -q "\b$dep\b" <<<"$depends" || fail "Depends lacks $dep: $depends"
done
for script in postinst prerm postrm conffiles; do
  grep -q " $script" <<<"$info" || fail "control has no $script"
done
contents=$(dpkg-deb -c "$deb")
for path in ./usr/bin/atomyx-vault ./etc/atomyx-vault/vault.toml ./etc/default/atomyx-vault \
    ./lib/systemd/system/atomyx-vault.service ./usr/share/doc/atomyx-vault/deployment.md; do
  grep -q " $path\$" <<<"$contents" || fail "package lacks $path"
done
dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles | grep -qx /etc/atomyx-vault/vault.toml \
  || fail "vault.toml is not a conffile"

$SUDO dpkg -i "$deb" >dpkg.log 2>&1 || { cat dpkg.log; fail "dpkg -i failed"; }
dpkg-query -W -f='${Status}\n' atomyx-vault | grep -q "install ok installed" \
  || fail "dpkg does not list atomyx-vault as installed"
getent passwd atomyx-vault >/dev/null || fail "no atomyx-vault user"
[ "$(getent passwd atomyx-vault | cut -d: -f7)" = /usr/sbin/nologin ] || fail "the user can log in"
[ "$(stat -c '%a %U' /var/lib/atomyx-vault)" = "700 atomyx-vault" ] \
  || fail "/var/lib/atomyx-vault is $(stat -c '%a %U' /var/lib/atomyx-vault)"
[ "$(stat -c '%a %U %G' /etc/atomyx-vault/vault.toml)" = "640 root atomyx-vault" ] \
  || fail "vault.toml is $(stat -c '%a %U %G' /etc/atomyx-vault/vault.toml)"
/usr/bin/atomyx-vault --help >/dev/null || fail "the installed binary does not run"
if command -v systemd-analyze >/dev/null; then
  systemd-analyze verify /lib/systemd/system/atomyx-vault.service \
    || fail "systemd-analyze rejects the unit"
else
  fail "systemd-analyze is missing (scripts/bootstrap.sh --test installs systemd)"
fi

# Serve from the installed paths as the service user; only the port is overridden (tests never
# bind a fixed port), and the working folder is the state folder as in the unit.
log=$(mktemp)
chmod 0644 "$log"
( cd /var/lib/atomyx-vault && exec $SUDO setpriv --reuid=atomyx-vault --regid=atomyx-vault \
    --init-groups env VAULT_LISTEN=127.0.0.1:0 \
    /usr/bin/atomyx-vault --config /etc/atomyx-vault/vault.toml serve ) >"$log" 2>&1 &
pid=$!
cleanup() {
  $SUDO kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -f "$log"
}
trap cleanup EXIT
address=""
for _ in $(seq 1 600); do
  address=$(grep -o '"msg":"listening","address":"[^"]*"' "$log" | sed 's/.*"address":"\([^"]*\)"/\1/' || true)
  [ -n "$address" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$log"; fail "the installed server exited"; }
  sleep 0.1
done
[ -n "$address" ] || { cat "$log"; fail "the installed server never listened"; }
status=$(curl -s -o /dev/null -w '%{http_code}' "http://$address/readyz")
[ "$status" = 200 ] || { cat "$log"; fail "/readyz answered $status"; }
for f in vault.db secret.key; do
  [ "$($SUDO stat -c '%a %U' /var/lib/atomyx-vault/$f)" = "600 atomyx-vault" ] \
    || fail "/var/lib/atomyx-vault/$f is not 0600 atomyx-vault"
done
echo "deb_test: installed package serves /readyz at $address from /var/lib/atomyx-vault"
