#!/usr/bin/python3
"""Enforces the layer rules of ARCHITECTURE.md on src/: which layer may include which, and that
core and app include no I/O library. Run by the test command (ctest include_rules_check);
exits 1 listing every violation as file:line.

  cli     -> everything
  http    -> app, core            (oidc, when it exists: app, core)
  app     -> core
  storage, crypto, mail, config -> core
  core    -> the standard library, tl::expected (and <arpa/inet.h> for address parsing)
"""
import os
import re
import sys

ALLOWED = {
    "cli": None,  # the composition root may name everything
    "http": {"http", "app", "core", "oidc"},
    "oidc": {"oidc", "app", "core"},
    "app": {"app", "core"},
    "storage": {"storage", "core"},
    "crypto": {"crypto", "core"},
    "mail": {"mail", "core"},
    "config": {"config", "core"},
    "core": {"core"},
}
# System headers that bring I/O or a driver: never in the domain or the use cases.
FORBIDDEN_SYSTEM = re.compile(r"^(boost/|sqlite3|libpq|postgresql/|sodium|openssl/|curl/|spdlog/|"
                              r"qrencode|toml|CLI/|fstream$|iostream$|thread$|filesystem$)")
CORE_SYSTEM_EXTRA = {"tl/expected.hpp", "arpa/inet.h"}
QUOTED = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/')
ANGLED = re.compile(r'^\s*#\s*include\s+<([^>]+)>')


def violations(root):
    out = []
    for layer in sorted(os.listdir(root)):
        base = os.path.join(root, layer)
        if not os.path.isdir(base):
            continue
        allowed = ALLOWED.get(layer, set())
        for dirpath, _, files in os.walk(base):
            for name in sorted(files):
                if not name.endswith((".cpp", ".hpp")):
                    continue
                path = os.path.join(dirpath, name)
                with open(path, encoding="utf-8") as f:
                    for n, line in enumerate(f, 1):
                        q = QUOTED.match(line)
                        if q and allowed is not None and q.group(1) not in allowed:
                            out.append(f"{path}:{n}: {layer} may not include {q.group(1)}/")
                        a = ANGLED.match(line)
                        if a and layer in ("core", "app"):
                            header = a.group(1)
                            if FORBIDDEN_SYSTEM.match(header):
                                out.append(f"{path}:{n}: {layer} may not include <{header}>")
                            elif layer == "core" and "/" in header and header not in CORE_SYSTEM_EXTRA:
                                out.append(f"{path}:{n}: core may include only the standard "
                                           f"library and tl::expected, not <{header}>")
    return out


def self_test():
    """Plants one violation of each kind in a scratch tree; every one must be reported."""
    import tempfile
    planted = {
        "app/uses_storage.cpp": '#include "storage/sql_tx.hpp"\n',
        "app/uses_boost.cpp": "#include <boost/json.hpp>\n",
        "core/uses_sqlite.hpp": "#include <sqlite3.h>\n",
        "core/uses_curl.hpp": "#include <curl/curl.h>\n",
        "storage/uses_http.cpp": '#include "http/router.hpp"\n',
        "http/uses_cli.cpp": '#include "cli/runtime.hpp"\n',
        "core/fine.hpp": '#include <string>\n#include <tl/expected.hpp>\n#include "core/error.hpp"\n',
    }
    with tempfile.TemporaryDirectory() as root:
        for rel, text in planted.items():
            os.makedirs(os.path.join(root, os.path.dirname(rel)), exist_ok=True)
            with open(os.path.join(root, rel), "w") as f:
                f.write(text)
        found = violations(root)
    expected = len(planted) - 1
    ok = len(found) == expected and not any("fine.hpp" in v for v in found)
    print(f"include rules self-test: {len(found)} of {expected} planted violations reported"
          + ("" if ok else f" — FAILED: {found}"))
    return 0 if ok else 1


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")
    found = violations(root)
    for v in found:
        print(v)
    print(f"include rules: {len(found)} violation(s)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
