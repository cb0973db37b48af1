"""Black-box integration harness for Atomyx Vault (stdlib only).

Provides:
  * SmtpSink     - an aiosmtpd Maildir sink on a free loopback port, plus wait_for_mail().
  * Database     - a fresh SQLite file or a fresh PostgreSQL database per fixture.
  * VaultServer  - runs `atomyx-vault serve` on 127.0.0.1:0, learns the port from the
                   "listening" log line, captures the logs, stops with SIGTERM.
  * Vault        - the three above wired together, plus a registry of secrets that must
                   never appear in the server's logs.
  * Client       - a tiny HTTP client with a cookie jar, Bearer mode, CSRF header, raw sends.
  * VaultTestCase - unittest base class: one Vault per test class, helpers and assertions.

Environment:
  VAULT_BIN            server binary (default <repo>/build/atomyx-vault)
  VAULT_TEST_BACKEND   sqlite (default) or postgres
  VAULT_TEST_PG_URL    admin URL of a PostgreSQL server; required for postgres (fail, not skip)
  VAULT_TEST_KEEP=1    keep temp dirs (and PostgreSQL databases) for debugging
  VAULT_IP_RATE_PER_SECOND, VAULT_IP_BURST
                       the server's per-IP token bucket; the harness raises both to 1000
                       unless they are set, so the tests' bursts of sign-ins are not throttled
"""

import email
import email.policy
import email.utils
import http.client
import json
import mailbox
import math
import os
import re
import secrets
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PYTHON = "/usr/bin/python3"
PUBLIC_URL = "http://localhost:8080"
MAIL_FROM = "vault@example.test"
TOKEN_RE = re.compile(r"token=([A-Za-z0-9_-]+)")
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")
STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}

# Every (method, path template) the integration tests call; test_ops checks the OpenAPI
# document against it. Keep it in step with the tests.
API_ENDPOINTS = [
    ("POST", "/api/v1/signup"),
    ("POST", "/api/v1/signup/complete"),
    ("POST", "/api/v1/sessions"),
    ("GET", "/api/v1/sessions/current"),
    ("DELETE", "/api/v1/sessions/current"),
    ("GET", "/api/v1/me"),
    ("PATCH", "/api/v1/me"),
    ("POST", "/api/v1/me/password"),
    ("POST", "/api/v1/me/email"),
    ("POST", "/api/v1/email/confirm"),
    ("POST", "/api/v1/password/forgot"),
    ("POST", "/api/v1/password/reset"),
    ("GET", "/api/v1/me/sessions"),
    ("DELETE", "/api/v1/me/sessions/{id}"),
    ("DELETE", "/api/v1/me/sessions"),
    ("POST", "/api/v1/sessions/mfa"),
    ("POST", "/api/v1/me/mfa/totp"),
    ("POST", "/api/v1/me/mfa/totp/confirm"),
    ("DELETE", "/api/v1/me/mfa/totp"),
    ("POST", "/api/v1/me/mfa/recovery-codes"),
    ("DELETE", "/api/v1/me"),
    ("GET", "/api/v1/me/audit"),
    ("GET", "/api/v1/me/export"),
]
# The bulk loads a server runs at start (src/cli/main.cpp start_load: access model, API key
# index, session index) and the log line each ends with.
START_LOADS = 3
START_LOAD_END = re.compile(r'"msg":"[^"]* (loaded|load failed)"')

OPS_ENDPOINTS = [("GET", "/healthz"), ("GET", "/readyz"), ("GET", "/metrics"),
                 ("GET", "/api/openapi.json")]

_ALL_VAULTS = []  # every fixture started in this process, for log dumps on failure


def free_port():
    """A loopback port that was free a moment ago (bind to 0, read it, close)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def recv_all(sock):
    """Everything sock receives until the peer closes."""
    data = b""
    while True:
        got = sock.recv(65536)
        if not got:
            return data
        data += got


def wait_until(predicate, timeout, what, interval=0.05):
    """Polls predicate() until it returns a truthy value, which is returned."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def mann_whitney_p(a, b):
    """Two-sided p-value of the Mann-Whitney U test of samples a and b (normal approximation
    with tie correction; fine from about 20 samples a side). For timing comparisons: no fixed
    threshold in milliseconds, only whether the two distributions differ significantly."""
    n1, n2 = len(a), len(b)
    pooled = sorted([(v, 0) for v in a] + [(v, 1) for v in b])
    ranks, ties, i = [0.0] * len(pooled), 0.0, 0
    while i < len(pooled):
        j = i
        while j + 1 < len(pooled) and pooled[j + 1][0] == pooled[i][0]:
            j += 1
        for k in range(i, j + 1):
            ranks[k] = (i + j) / 2 + 1
        t = j - i + 1
        ties += t ** 3 - t
        i = j + 1
    r1 = sum(r for r, (_, group) in zip(ranks, pooled) if group == 0)
    u = r1 - n1 * (n1 + 1) / 2
    n = n1 + n2
    var = n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1)))
    if var <= 0:
        return 1.0
    z = (abs(u - n1 * n2 / 2) - 0.5) / math.sqrt(var)
    return math.erfc(max(z, 0.0) / math.sqrt(2))


def settled_counter(read, exercise, timeout=10, feed_interval=0.3):
    """The value of counter read() once a round of exercise() across one change-feed interval
    leaves it unchanged. A node hears of its own changes again through the feed (up to 250 ms
    later) and re-reads what changed, so a counter of database reads can move once right after
    a change; tests that assert "no database read" start from the settled value."""
    settled = []

    def quiet():
        exercise()
        before = read()
        time.sleep(feed_interval)   # let the feed deliver what is pending
        exercise()
        after = read()
        if before is not None and after == before:
            settled.append(after)
            return True
        return False
    wait_until(quiet, timeout, "the counter to settle")
    return settled[-1]


def unique_email(prefix="user"):
    return f"{prefix}-{secrets.token_hex(6)}@example.test"


def keep_temp():
    return os.environ.get("VAULT_TEST_KEEP") == "1"


# ----------------------------------------------------------------------------- mail

def mail_parts(msg):
    """Returns {content_type: text} of the leaf parts of a message."""
    parts = {}
    for part in msg.walk():
        if part.is_multipart():
            continue
        parts.setdefault(part.get_content_type(), part.get_content())
    return parts


def check_alternative(msg):
    """Asserts msg is multipart/alternative with a text/plain and a text/html part."""
    if msg.get_content_type() != "multipart/alternative":
        raise AssertionError(f"mail {msg['Subject']!r} is {msg.get_content_type()}, "
                             "expected multipart/alternative")
    kinds = [p.get_content_type() for p in msg.iter_parts()]
    for wanted in ("text/plain", "text/html"):
        if wanted not in kinds:
            raise AssertionError(f"mail {msg['Subject']!r} lacks a {wanted} part: {kinds}")


def extract_link(msg, path_prefix=None):
    """The first http(s) link carrying a token in the text/plain part."""
    text = mail_parts(msg).get("text/plain", "")
    for m in re.finditer(r"https?://[^\s<>\"']+", text):
        if path_prefix is None or path_prefix in m.group(0):
            return m.group(0)
    raise AssertionError(f"no link (prefix {path_prefix!r}) in mail {msg['Subject']!r}:\n{text}")


def extract_token(msg):
    """The token=... value of the mail's link; the HTML part must carry the same one."""
    parts = mail_parts(msg)
    text = parts.get("text/plain", "")
    found = TOKEN_RE.search(text)
    if not found:
        raise AssertionError(f"no token link in the text part of {msg['Subject']!r}:\n{text}")
    token = found.group(1)
    if token not in parts.get("text/html", ""):
        raise AssertionError(f"the HTML part of {msg['Subject']!r} lacks the token link")
    return token


class SmtpSink:
    """aiosmtpd with the Mailbox handler writing into a Maildir."""

    def __init__(self, directory):
        self.directory = directory
        self.maildir = os.path.join(directory, "maildir")
        self.port = None
        self.proc = None
        self._returned = set()
        self._log_path = os.path.join(directory, "smtp.log")

    def start(self, timeout=15):
        last_error = None
        for _ in range(5):  # the free port may be taken between probe and bind
            port = free_port()
            log = open(self._log_path, "ab")
            proc = subprocess.Popen(
                [PYTHON, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
                 "-c", "aiosmtpd.handlers.Mailbox", self.maildir],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                cwd=self.directory)
            log.close()
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and proc.poll() is None:
                if self._greets(port):
                    self.proc, self.port = proc, port
                    return self
                time.sleep(0.05)
            last_error = f"exit code {proc.poll()}"
            if proc.poll() is None:
                proc.kill()
            proc.wait()
        with open(self._log_path, "rb") as f:
            output = f.read().decode("utf-8", "replace")
        raise RuntimeError(f"SMTP sink did not start ({last_error}):\n{output}")

    @staticmethod
    def _greets(port):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                banner = s.recv(512)
                s.sendall(b"QUIT\r\n")
                return banner.startswith(b"220")
        except OSError:
            return False

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    @staticmethod
    def _order(key):
        # Maildir keys: "<sec>.M<usec>P<pid>Q<counter>.<host>"; one sink process writes them.
        m = re.match(r"(\d+)\.M(\d+)P\d+Q(\d+)", key)
        return (int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else (0, 0, 0)

    def raw_messages(self):
        """[(key, bytes as received)] of every message received so far, oldest first."""
        if not os.path.isdir(os.path.join(self.maildir, "new")):
            return []
        box = mailbox.Maildir(self.maildir, factory=None, create=False)
        out = []
        for key in sorted(box.keys(), key=self._order):
            try:
                out.append((key, box.get_bytes(key)))
            except KeyError:
                continue
        return out

    def messages(self):
        """[(key, EmailMessage)] of every message received so far, oldest first."""
        return [(key, email.message_from_bytes(raw, policy=email.policy.default))
                for key, raw in self.raw_messages()]

    @staticmethod
    def recipients(msg):
        fields = msg.get_all("To", []) + msg.get_all("Cc", []) + msg.get_all("X-RcptTo", [])
        return {addr.lower() for _, addr in email.utils.getaddresses([str(f) for f in fields])}

    def mails_to(self, to_addr):
        return [m for _, m in self.messages() if to_addr.lower() in self.recipients(m)]

    def wait_for_mail(self, to_addr, subject_contains, timeout=10, check=True):
        """The oldest not yet returned message to to_addr whose subject contains the text.

        Each message is returned at most once, so a flow can wait for "the next" mail."""
        def find():
            for key, msg in self.messages():
                if key in self._returned:
                    continue
                if to_addr.lower() not in self.recipients(msg):
                    continue
                if subject_contains.lower() not in str(msg.get("Subject", "")).lower():
                    continue
                self._returned.add(key)
                return msg
            return None
        try:
            msg = wait_until(find, timeout, f"mail to {to_addr} about {subject_contains!r}")
        except AssertionError:
            seen = [(sorted(self.recipients(m)), str(m.get("Subject"))) for _, m in self.messages()]
            raise AssertionError(f"no mail to {to_addr} with subject containing "
                                 f"{subject_contains!r} within {timeout}s; received: {seen}")
        if check:
            check_alternative(msg)
        return msg


# ------------------------------------------------------------------------- database

class Database:
    """A fresh database for one fixture: SQLite file or PostgreSQL database."""

    def __init__(self, backend, directory):
        self.backend = backend
        self.name = None
        self.admin_url = None
        if backend == "sqlite":
            self.url = f"sqlite:{os.path.join(directory, 'vault.db')}"
        elif backend == "postgres":
            self.admin_url = os.environ.get("VAULT_TEST_PG_URL", "")
            if not self.admin_url:
                raise RuntimeError("VAULT_TEST_BACKEND=postgres needs VAULT_TEST_PG_URL "
                                   "(e.g. postgresql://postgres@127.0.0.1:5432/postgres); "
                                   "scripts/test.sh starts a throw-away cluster and sets it")
            self.name = f"vault_it_{secrets.token_hex(6)}"
            self._psql(f'CREATE DATABASE "{self.name}"')
            parts = urllib.parse.urlsplit(self.admin_url)
            self.url = urllib.parse.urlunsplit(parts._replace(path="/" + self.name))
        else:
            raise RuntimeError(f"unknown VAULT_TEST_BACKEND {backend!r} (sqlite or postgres)")

    def _psql(self, sql, url=None):
        env = dict(os.environ, PGCONNECT_TIMEOUT="10")
        done = subprocess.run(["psql", url or self.admin_url, "-v", "ON_ERROR_STOP=1", "-qAtX",
                               "-c", sql], env=env, capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            raise RuntimeError(f"psql {sql!r} failed: {done.stderr.strip()}")
        return done.stdout

    def sql(self, statements):
        """Runs SQL directly on the fixture's database (sqlite3 CLI or psql), bypassing the
        server: for tampering tests. Returns the output rows as lists of '|'-separated cells."""
        if self.backend == "sqlite":
            path = self.url[len("sqlite:"):]
            # The server may be writing: wait for its lock as the server would (10 s), instead
            # of failing at once with "database is locked".
            done = subprocess.run(["sqlite3", "-bail", "-batch", "-cmd", ".timeout 10000", path],
                                  input=statements,
                                  capture_output=True, text=True, timeout=60)
            if done.returncode != 0 or done.stderr.strip():
                raise RuntimeError(f"sqlite3 {statements!r} failed: {done.stderr.strip()}")
            out = done.stdout
        else:
            out = self._psql(statements, self.url)
        return [line.split("|") for line in out.splitlines() if line]

    def drop(self):
        if self.backend == "postgres" and self.name and not keep_temp():
            self._psql(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self.name = None


# --------------------------------------------------------------------------- server

class VaultServer:
    """One `atomyx-vault serve` process at a time on the same directory and database."""

    def __init__(self, directory, database_url, smtp_port, argon2_memory_kib=None,
                 extra_env=None, binary=None):
        self.directory = directory
        self.binary = binary or os.environ.get("VAULT_BIN") or os.path.join(
            REPO, "build", "atomyx-vault")
        self.env = dict(os.environ)
        self.env.update({
            "VAULT_LISTEN": "127.0.0.1:0",
            "VAULT_PUBLIC_URL": PUBLIC_URL,
            "VAULT_DATABASE": database_url,
            "VAULT_SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
            # The aiosmtpd sink speaks no TLS: the explicit opt-out for a local sink.
            "VAULT_SMTP_TLS": "off",
            "VAULT_MAIL_FROM": MAIL_FROM,
            "VAULT_SECRET_FILE": os.path.join(directory, "secret"),
            "VAULT_MAIL_OUTBOX": os.path.join(directory, "outbox"),
            "VAULT_DEV": "1",
        })
        # The per-IP bucket (default 10/s, burst 50) would throttle the tests' own bursts; a
        # test of the limit itself sets low values through extra_env.
        self.env.setdefault("VAULT_IP_RATE_PER_SECOND", "1000")
        self.env.setdefault("VAULT_IP_BURST", "1000")
        self.env.pop("VAULT_ARGON2_MEMORY_KIB", None)
        if argon2_memory_kib is not None:
            self.env["VAULT_ARGON2_MEMORY_KIB"] = str(argon2_memory_kib)
        self.env.update(extra_env or {})
        for key in [k for k, v in self.env.items() if v is None]:
            del self.env[key]  # extra_env {"VAULT_X": None}: the server's default for X
        self.proc = None
        self.port = None
        self.returncode = None
        self._lines = []          # every log line of every run, as text
        self._lock = threading.Lock()
        self._readers = []

    @property
    def logs(self):
        with self._lock:
            return "\n".join(self._lines)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def set_argon2_memory_kib(self, kib):
        if kib is None:
            self.env.pop("VAULT_ARGON2_MEMORY_KIB", None)
        else:
            self.env["VAULT_ARGON2_MEMORY_KIB"] = str(kib)

    def start(self, timeout=20):
        if not os.path.exists(self.binary):
            raise RuntimeError(f"server binary {self.binary} not found "
                               "(build it, or set VAULT_BIN)")
        assert not self.alive(), "server already running"
        self.port = None
        self.returncode = None
        listening = threading.Event()
        with self._lock:
            self._lines.append(f"----- start {self.binary} serve -----")
        self.proc = subprocess.Popen([self.binary, "serve"], cwd=self.directory, env=self.env,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        streams = ((self.proc.stdout, ""), (self.proc.stderr, "[stderr] "))
        self._readers = [threading.Thread(target=self._read, args=(stream, tag, listening),
                                          daemon=True) for stream, tag in streams]
        for t in self._readers:
            t.start()
        deadline = time.monotonic() + timeout
        while not listening.wait(0.05):
            if self.proc.poll() is not None:
                self._join_readers()
                raise RuntimeError(f"server exited with {self.proc.returncode} before listening:\n"
                                   f"{self.logs}")
            if time.monotonic() >= deadline:
                self.kill()
                raise RuntimeError(f"server did not log a listening address within {timeout}s:\n"
                                   f"{self.logs}")
        # As a load balancer would, wait until the start-up loads have ended (/readyz then
        # answers 200 instead of 503 server.loading): each logs "<what> loaded" or "<what> load
        # failed" once. Tests that want the loading window can still look before this returns.
        while time.monotonic() < deadline and self.proc.poll() is None:
            with self._lock:
                start = max(i for i, l in enumerate(self._lines) if l.startswith("----- start"))
                ended = sum(1 for l in self._lines[start:] if START_LOAD_END.search(l))
            if ended >= START_LOADS:
                break
            time.sleep(0.01)
        return self

    def _read(self, stream, tag, listening):
        for raw in iter(stream.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            with self._lock:
                self._lines.append(tag + line)
            if not listening.is_set():
                address = self._listening_address(line)
                if address:
                    self.port = int(address.rsplit(":", 1)[1])
                    listening.set()
        stream.close()

    @staticmethod
    def _listening_address(line):
        try:
            obj = json.loads(line)
        except ValueError:
            obj = None
        if isinstance(obj, dict):
            if obj.get("msg") == "listening" and isinstance(obj.get("address"), str):
                return obj["address"]
            return None
        if '"msg":"listening"' in line.replace(" ", ""):
            m = re.search(r'"address"\s*:\s*"([^"]+:\d+)"', line)
            return m.group(1) if m else None
        return None

    def _join_readers(self):
        for t in self._readers:
            t.join(10)

    def stop(self, timeout=20):
        """SIGTERM, wait; returns the exit code (SIGKILL and raise if it hangs)."""
        if self.proc is None:
            return self.returncode
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                self._join_readers()
                self.returncode = self.proc.returncode
                self.proc = None
                raise AssertionError(f"server ignored SIGTERM for {timeout}s; killed")
        self._join_readers()
        self.returncode = self.proc.returncode
        self.proc = None
        return self.returncode

    def kill(self):
        """SIGKILL (a crash), wait."""
        if self.proc is None:
            return self.returncode
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self._join_readers()
        self.returncode = self.proc.returncode
        self.proc = None
        return self.returncode


# --------------------------------------------------------------------------- client

class Response:
    """status, headers (http.client.HTTPMessage), body bytes, json (or None).

    Unpacks as (status, headers, json-or-raw-body)."""

    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body
        self.json = None
        if body and "json" in (headers.get("Content-Type") or ""):
            try:
                self.json = json.loads(body)
            except ValueError:
                pass

    @property
    def content_type(self):
        return (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()

    @property
    def data(self):
        return self.json if self.json is not None else self.body

    def __iter__(self):
        return iter((self.status, self.headers, self.data))

    def __repr__(self):
        shown = self.body[:400].decode("utf-8", "replace")
        return f"<Response {self.status} {self.content_type} {shown}>"


class Client:
    """HTTP client for one user agent.

    mode: "cookie" sends the vault_session cookie, "bearer" sends Authorization: Bearer,
    "none" sends neither. auto_csrf: send X-CSRF-Token on state-changing cookie requests."""

    def __init__(self, vault, mode="cookie", auto_csrf=False, user_agent="vault-it/1",
                 server=None):
        self.vault = vault
        self.server = server     # a VaultServer of the vault; None: vault.server
        self.mode = mode
        self.auto_csrf = auto_csrf
        self.user_agent = user_agent
        self.cookies = {}        # name -> value
        self.cookie_attrs = {}   # name -> {attr-lower: value}, from the last Set-Cookie
        self.token = None        # session token (from the JSON body) for Bearer
        self.csrf_token = None
        self.retry_budget = 60.0  # seconds spent honouring 429/503 Retry-After, per request

    # -- cookies
    def _take_cookies(self, headers):
        for header in headers.get_all("Set-Cookie") or []:
            pieces = [p.strip() for p in header.split(";")]
            name, _, value = pieces[0].partition("=")
            attrs = {}
            for p in pieces[1:]:
                k, _, v = p.partition("=")
                attrs[k.strip().lower()] = v.strip()
            self.cookie_attrs[name] = attrs
            expired = value == ""
            if re.fullmatch(r"-?\d+", attrs.get("max-age", "")):
                expired = expired or int(attrs["max-age"]) <= 0
            elif "expires" in attrs:
                try:
                    when = email.utils.parsedate_to_datetime(attrs["expires"]).timestamp()
                    expired = when <= time.time()
                except (TypeError, ValueError):
                    pass
            if expired:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
                if name == "vault_session":
                    self.vault.remember_secret(value)

    def _take_session(self, body):
        if not isinstance(body, dict):
            return
        if isinstance(body.get("session_token"), str):
            self.token = body["session_token"]
            self.vault.remember_secret(self.token)
        session = body.get("session")
        if isinstance(session, dict) and isinstance(session.get("csrf_token"), str):
            self.csrf_token = session["csrf_token"]
        elif isinstance(body.get("csrf_token"), str) and "current" in body:
            self.csrf_token = body["csrf_token"]

    @property
    def session_cookie(self):
        return self.cookies.get("vault_session")

    # -- requests
    def _headers(self, method, auth, csrf, origin, extra):
        headers = {"User-Agent": self.user_agent, "Accept": "application/json"}
        auth = auth or self.mode
        if auth == "cookie" and self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        elif auth == "bearer" and self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        elif auth not in ("cookie", "bearer", "none"):
            raise ValueError(f"auth {auth!r}")
        if csrf is None:
            csrf = self.auto_csrf and auth == "cookie" and method in STATE_CHANGING
        if csrf is True and self.csrf_token:
            headers["X-CSRF-Token"] = self.csrf_token
        elif isinstance(csrf, str):
            headers["X-CSRF-Token"] = csrf
        if origin:
            headers["Origin"] = origin
        headers.update(extra or {})
        return headers

    def request(self, method, path, json_body=None, body=None, headers=None, auth=None,
                csrf=None, origin=None, content_type="application/json", timeout=60):
        """Sends json_body (serialised) or body (raw bytes/str); returns a Response."""
        if json_body is not None:
            body = json.dumps(json_body).encode("utf-8")
        elif isinstance(body, str):
            body = body.encode("utf-8")
        h = self._headers(method, auth, csrf, origin, headers)
        if body is not None and content_type and "Content-Type" not in h:
            h["Content-Type"] = content_type
        spent = 0.0
        while True:
            resp = self._send(method, path, body, h, timeout)
            wait = self._retry_after(resp)
            if wait is None or spent + wait > self.retry_budget:
                break
            time.sleep(wait)   # back-off the server asked for, not an assertion
            spent += wait
        self._take_cookies(resp.headers)
        self._take_session(resp.json)
        return resp

    @staticmethod
    def _retry_after(resp):
        if resp.status not in (429, 503):
            return None
        try:
            seconds = float(resp.headers.get("Retry-After", ""))
        except ValueError:
            return None
        return max(seconds, 0.05) if seconds <= 10 else None

    @property
    def port(self):
        return (self.server or self.vault.server).port

    def _send(self, method, path, body, headers, timeout):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            r = conn.getresponse()
            return Response(r.status, r.headers, r.read())
        finally:
            conn.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, json_body=None, **kw):
        return self.request("POST", path, json_body=json_body, **kw)

    def patch(self, path, json_body=None, **kw):
        return self.request("PATCH", path, json_body=json_body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def raw(self, method, path, body, headers=None, auth=None, csrf=None,
            content_type="application/json"):
        """Sends arbitrary bytes as the body (invalid UTF-8, malformed JSON, ...)."""
        return self.request(method, path, body=body, headers=headers, auth=auth, csrf=csrf,
                            content_type=content_type)

    def send_large(self, method, path, size, chunked=False, auth=None, csrf=None):
        """Streams `size` bytes of a JSON-looking body over a raw socket, stopping early if
        the server answers first (as it should with 413). Returns a Response."""
        h = self._headers(method, auth, csrf, None, None)
        h["Content-Type"] = "application/json"
        h["Host"] = f"127.0.0.1:{self.port}"
        h["Connection"] = "close"
        if chunked:
            h["Transfer-Encoding"] = "chunked"
        else:
            h["Content-Length"] = str(size)
        head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in h.items())
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=30)
        try:
            sock.sendall(head.encode("latin-1") + b"\r\n")
            def pieces():
                yield b'{"name":"'
                remaining = size - 9
                while remaining > 0:
                    n = min(65536, remaining)
                    yield b"a" * n
                    remaining -= n
            sent = 0
            try:
                for piece in pieces():
                    ready, _, _ = select.select([sock], [], [], 0)
                    if ready:
                        break  # the server already answered
                    framed = b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece
                    sock.sendall(framed)
                    sent += len(piece)
                else:
                    if chunked:
                        sock.sendall(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError, socket.timeout):
                pass  # the server stopped reading; its answer should be waiting
            try:
                r = http.client.HTTPResponse(sock, method=method)
                r.begin()
                return Response(r.status, r.headers, r.read())
            except (ConnectionResetError, http.client.HTTPException, socket.timeout) as e:
                raise AssertionError(f"no HTTP answer to a {size}-byte body after sending "
                                     f"{sent} bytes: {e!r}")
        finally:
            sock.close()


# ---------------------------------------------------------------------------- vault

class Vault:
    """Temp dir + SMTP sink + database + server(s); close() tears everything down.

    clock_offset=True starts the servers with VAULT_CLOCK_OFFSET_FILE (initially "0");
    set_clock_offset() moves their clock. add_server() starts another process on the same
    database, secret file and clock file (self.server stays the first one)."""

    def __init__(self, backend=None, argon2_memory_kib=None, extra_env=None, clock_offset=False):
        self.backend = backend or os.environ.get("VAULT_TEST_BACKEND", "sqlite")
        self.argon2_memory_kib = argon2_memory_kib
        self.extra_env = dict(extra_env or {})
        self.clock_offset = clock_offset
        self.clock_file = None
        self.directory = None
        self.sink = None
        self.db = None
        self.server = None
        self.servers = []
        self.secrets = set()
        # Unused recovery codes by email (lower case), for sign_in() to finish a second step:
        # the Super Admins the helpers make have 2FA (VAULT_SUPER_ADMIN_REQUIRE_2FA).
        self.recovery_codes = {}
        self.clock_offset_seconds = 0  # what set_clock_offset() last set

    def start(self):
        _ALL_VAULTS.append(self)
        self.directory = tempfile.mkdtemp(prefix="vault-it-")
        try:
            if self.clock_offset:
                self.clock_file = os.path.join(self.directory, "clock_offset")
                self.set_clock_offset(0)
                self.extra_env["VAULT_CLOCK_OFFSET_FILE"] = self.clock_file
            self.sink = SmtpSink(self.directory).start()
            self.db = Database(self.backend, self.directory)
            self.server = self._new_server(None)
            self.server.start()
            self._remember_server_secret()
        except BaseException:
            self.close()
            raise
        return self

    def _new_server(self, extra_env):
        env = dict(self.extra_env)
        env.update(extra_env or {})
        server = VaultServer(self.directory, self.db.url, self.sink.port,
                             self.argon2_memory_kib, env)
        self.servers.append(server)
        return server

    def add_server(self, extra_env=None):
        """Starts one more `serve` process sharing the database, the secret file (hence the
        session, token and audit keys) and the clock file of the first; returns it."""
        server = self._new_server(extra_env)
        server.start()
        return server

    def set_clock_offset(self, seconds):
        """Seconds added to the servers' clock (re-read on every use); replaced atomically."""
        assert self.clock_file, "Vault(clock_offset=True) is needed to move the clock"
        tmp = self.clock_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(f"{int(seconds)}\n")
        os.replace(tmp, self.clock_file)
        self.clock_offset_seconds = int(seconds)

    def cli(self, *args, timeout=60):
        """Runs `atomyx-vault <args>` with the servers' environment (database, secret file,
        clock); returns the CompletedProcess (text stdout/stderr)."""
        server = self.server
        return subprocess.run([server.binary, *args], cwd=self.directory, env=server.env,
                              stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=timeout)

    def _remember_server_secret(self):
        path = self.server.env["VAULT_SECRET_FILE"]
        try:
            with open(path, "rb") as f:
                content = f.read().decode("ascii")
            # A keyring (ADR 0011): each line's key; the legacy file is one key alone.
            for line in content.splitlines():
                if line.strip() and not line.startswith("#"):
                    self.remember_secret(line.split()[-1])
        except (OSError, UnicodeDecodeError):
            pass

    def close(self):
        try:
            errors = []
            for server in reversed(self.servers):
                try:
                    server.stop()
                except AssertionError as e:
                    errors.append(e)
            if errors:
                raise errors[0]
        finally:
            if self.sink:
                self.sink.stop()
            if self.db:
                self.db.drop()
            if self.directory and not keep_temp():
                shutil.rmtree(self.directory, ignore_errors=True)

    def client(self, **kw):
        return Client(self, **kw)

    def remember_secret(self, value):
        if isinstance(value, str) and len(value) >= 8:
            self.secrets.add(value)

    def new_password(self):
        password = f"Tq-{secrets.token_hex(10)}-lantern"
        self.remember_secret(password)
        return password

    def token_from(self, msg):
        token = extract_token(msg)
        self.remember_secret(token)
        return token

    def leaked_secrets(self):
        logs = "\n".join(server.logs for server in self.servers)
        return sorted(s for s in self.secrets if s in logs)


def metric(text, name):
    """The value of an unlabelled sample `name` in Prometheus text, or None."""
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] == name:
            return float(parts[1])
    return None


def _dump_logs():
    for v in _ALL_VAULTS:
        for i, server in enumerate(v.servers):
            lines = server.logs.splitlines()
            sys.stderr.write(f"\n===== server {i + 1} log ({v.backend}, {v.directory}), last 150 "
                             f"of {len(lines)} lines =====\n" + "\n".join(lines[-150:]) + "\n")


def main():
    """unittest.main() that dumps the server logs when anything failed."""
    program = unittest.main(verbosity=2, exit=False)
    ok = program.result.wasSuccessful()
    if not ok:
        _dump_logs()
    sys.exit(0 if ok else 1)


# ------------------------------------------------------------------------ test base

class Account:
    def __init__(self, email, password, name, client, body):
        self.email = email
        self.password = password
        self.name = name
        self.client = client        # cookie mode, auto CSRF
        self.body = body            # the 201 body of sign-up completion
        self.id = body["account"]["id"]

    @property
    def local_part(self):
        return self.email.split("@", 1)[0]


class VaultFlows:
    """Flow helpers and problem assertions for a unittest.TestCase that has self.vault."""

    # -- shortcuts
    @property
    def sink(self):
        return self.vault.sink

    def client(self, **kw):
        return self.vault.client(**kw)

    def signup(self, email=None, name="Ada Lovelace"):
        """Signs up and returns (email, verification token)."""
        email = email or unique_email()
        r = self.client(mode="none").post("/api/v1/signup", {"name": name, "email": email})
        self.assertEqual(r.status, 202, r)
        msg = self.sink.wait_for_mail(email, "Verify your email address")
        return email, self.vault.token_from(msg)

    def create_account(self, name="Ada Lovelace", prefix="user"):
        email, token = self.signup(unique_email(prefix), name)
        password = self.vault.new_password()
        c = self.client(mode="cookie", auto_csrf=True)
        r = c.post("/api/v1/signup/complete", {"token": token, "password": password})
        self.assertEqual(r.status, 201, r)
        return Account(email, password, name, c, r.json)

    def sign_in(self, email, password, expect=201, **client_kw):
        """Signs in; an account whose recovery codes the harness holds (a helper-made Super
        Admin) finishes the second step with one of them."""
        client_kw.setdefault("auto_csrf", True)
        c = self.client(**client_kw)
        r = c.post("/api/v1/sessions", {"email": email, "password": password})
        codes = self.vault.recovery_codes.get(email.lower())
        if r.status == 200 and r.json.get("mfa_required") and codes:
            r = c.post("/api/v1/sessions/mfa",
                       {"mfa_token": r.json["mfa_token"], "recovery_code": codes.pop()})
        self.assertEqual(r.status, expect, r)
        return c

    def healthy(self):
        self.assertTrue(self.vault.server.alive(), "server process died")
        r = self.client(mode="none").get("/healthz")
        self.assertEqual(r.status, 200, r)

    # -- assertions
    def assertProblem(self, resp, status, codes=None, field=None, code_prefix=None):
        """resp is an RFC 9457 problem with the status, one of the codes, and the field."""
        statuses = status if isinstance(status, (set, tuple, list)) else {status}
        self.assertIn(resp.status, statuses, resp)
        self.assertEqual(resp.content_type, "application/problem+json", resp)
        self.assertIsInstance(resp.json, dict, resp)
        code = resp.json.get("code")
        self.assertIsInstance(code, str, resp)
        if codes is not None:
            codes = {codes} if isinstance(codes, str) else set(codes)
            self.assertIn(code, codes, resp)
        if code_prefix is not None:
            self.assertTrue(code.startswith(code_prefix), resp)
        self.assertEqual(resp.json.get("status"), resp.status, resp)
        if field is not None:
            self.assertEqual(resp.json.get("field"), field, resp)
        self.assertTrue(resp.headers.get("X-Request-Id"), resp)
        return code

    def assertNot5xx(self, resp):
        self.assertLess(resp.status, 500, resp)


class VaultTestCase(VaultFlows, unittest.TestCase):
    """One Vault per test class, torn down (and its log checked for secrets) at the end."""

    ARGON2_MEMORY_KIB = None
    EXTRA_ENV = None
    CLOCK_OFFSET = False   # True: servers read VAULT_CLOCK_OFFSET_FILE (vault.set_clock_offset)
    NODES = 1              # `serve` processes started on the one database (vault.servers)

    def once(self, name, build):
        """What build() returns, built on the first call for `name` in this test class and kept
        for its other tests (they share one server, so a fixture built once serves them all)."""
        cls = type(self)
        if "_fixtures" not in cls.__dict__:
            cls._fixtures = {}
        if name not in cls._fixtures:
            cls._fixtures[name] = build()
        return cls._fixtures[name]

    @classmethod
    def setUpClass(cls):
        cls.vault = Vault(argon2_memory_kib=cls.ARGON2_MEMORY_KIB, extra_env=cls.EXTRA_ENV,
                          clock_offset=cls.CLOCK_OFFSET)
        cls.vault.start()
        try:
            for _ in range(cls.NODES - 1):
                cls.vault.add_server()
        except BaseException:
            cls.vault.close()
            raise

    @classmethod
    def tearDownClass(cls):
        vault = cls.vault
        vault.close()
        leaked = vault.leaked_secrets()
        if leaked:
            raise AssertionError(f"{len(leaked)} secret(s) appear in the server log: "
                                 f"{[s[:6] + '...' for s in leaked]}")


# Workspace, member, invitation and platform-admin endpoints the workspace tests call
# (test_workspace_authz, test_workspaces, test_invitations; helpers in ws_helpers.py).
API_ENDPOINTS.extend([
    ("POST", "/api/v1/workspaces"),
    ("GET", "/api/v1/me/workspaces"),
    ("GET", "/api/v1/workspace-shortnames/{shortname}"),
    ("POST", "/api/v1/me/invitations/{id}/accept"),
    ("POST", "/api/v1/me/invitations/{id}/decline"),
    ("POST", "/api/v1/admin/service-clients/{id}/secret"),
    ("GET", "/api/v1/me/invitations"),
    ("GET", "/api/v1/workspaces/{ws}"),
    ("PATCH", "/api/v1/workspaces/{ws}"),
    ("DELETE", "/api/v1/workspaces/{ws}"),
    ("PUT", "/api/v1/workspaces/{ws}/logo"),
    ("GET", "/api/v1/workspaces/{ws}/logo"),
    ("DELETE", "/api/v1/workspaces/{ws}/logo"),
    ("GET", "/api/v1/workspaces/{ws}/members"),
    ("PATCH", "/api/v1/workspaces/{ws}/members/{account_id}"),
    ("DELETE", "/api/v1/workspaces/{ws}/members/{account_id}"),
    ("POST", "/api/v1/workspaces/{ws}/ownership-transfer"),
    ("POST", "/api/v1/workspaces/{ws}/invitations"),
    ("GET", "/api/v1/workspaces/{ws}/invitations"),
    ("DELETE", "/api/v1/workspaces/{ws}/invitations/{id}"),
    ("POST", "/api/v1/workspaces/{ws}/invitations/{id}/resend"),
    ("POST", "/api/v1/invitations/accept"),
    ("POST", "/api/v1/invitations/decline"),
    ("GET", "/api/v1/workspaces/{ws}/audit"),
    ("GET", "/api/v1/admin/accounts"),
    ("GET", "/api/v1/admin/accounts/{id}"),
    ("PATCH", "/api/v1/admin/accounts/{id}"),
    ("GET", "/api/v1/admin/workspaces"),
    ("GET", "/api/v1/admin/audit"),
    ("GET", "/api/v1/admin/workspaces/{id}"),
    ("POST", "/api/v1/admin/workspaces/{id}/suspension"),
    ("DELETE", "/api/v1/admin/workspaces/{id}/suspension"),
    ("DELETE", "/api/v1/admin/workspaces/{id}"),
    ("PUT", "/api/v1/admin/workspaces/{id}/owners/{account_id}"),
    ("GET", "/api/v1/admin/mail-outbox"),
    ("POST", "/api/v1/admin/mail-outbox/{id}/retry"),
])

# Product, group, grant, subscription, access-API, billing and product-admin endpoints the
# product tests call (test_products, test_access_api, test_products_authz; product_helpers.py).
API_ENDPOINTS.extend([
    ("GET", "/api/v1/product-types"),
    ("POST", "/api/v1/workspaces/{ws}/products"),
    ("GET", "/api/v1/workspaces/{ws}/products"),
    ("GET", "/api/v1/workspaces/{ws}/products/{product}"),
    ("PATCH", "/api/v1/workspaces/{ws}/products/{product}"),
    ("DELETE", "/api/v1/workspaces/{ws}/products/{product}"),
    ("GET", "/api/v1/workspaces/{ws}/products/{product}/subscription"),
    ("PUT", "/api/v1/workspaces/{ws}/products/{product}/subscription"),
    ("GET", "/api/v1/workspaces/{ws}/products/{product}/grants"),
    ("PUT", "/api/v1/workspaces/{ws}/products/{product}/grants"),
    ("DELETE", "/api/v1/workspaces/{ws}/products/{product}/grants/{principal_type}/{principal_id}"),
    ("POST", "/api/v1/workspaces/{ws}/groups"),
    ("GET", "/api/v1/workspaces/{ws}/groups"),
    ("GET", "/api/v1/workspaces/{ws}/groups/{group}"),
    ("PATCH", "/api/v1/workspaces/{ws}/groups/{group}"),
    ("DELETE", "/api/v1/workspaces/{ws}/groups/{group}"),
    ("PUT", "/api/v1/workspaces/{ws}/groups/{group}/members/{account_id}"),
    ("DELETE", "/api/v1/workspaces/{ws}/groups/{group}/members/{account_id}"),
    ("POST", "/api/v1/access/check"),
    ("POST", "/api/v1/access/explain"),
    ("POST", "/api/v1/billing/chargebee/webhook"),
    ("GET", "/api/v1/admin/product-types"),
    ("POST", "/api/v1/admin/product-types"),
    ("GET", "/api/v1/admin/service-clients"),
    ("POST", "/api/v1/admin/service-clients"),
    ("DELETE", "/api/v1/admin/service-clients/{id}"),
    ("PATCH", "/api/v1/admin/service-clients/{id}"),
])

# API key endpoints (test_api_keys, test_api_keys_authz; key_helpers.py).
API_ENDPOINTS.extend([
    ("POST", "/api/v1/workspaces/{ws}/api-keys"),
    ("GET", "/api/v1/workspaces/{ws}/api-keys"),
    ("GET", "/api/v1/workspaces/{ws}/api-keys/{id}"),
    ("DELETE", "/api/v1/workspaces/{ws}/api-keys/{id}"),
    ("POST", "/api/v1/workspaces/{ws}/api-keys/{id}/roll"),
    ("POST", "/api/v1/keys/verify"),
])

# The access review (test_access_review, test_products_authz).
API_ENDPOINTS.extend([
    ("GET", "/api/v1/workspaces/{ws}/access-review"),
])


def nul_ok(codes, label):
    """The accepted codes for a bad-input case, plus validation.invalid_characters when the case
    sends a NUL: the server refuses NUL in any JSON string up front (naming the field)."""
    if codes is None:
        return None
    if "\\x00" in label or "\\u0000" in label or "NUL" in label:
        return set(codes) | {"validation.invalid_characters"}
    return codes


# The OpenID Connect provider's endpoints (test_oidc).
API_ENDPOINTS.extend([
    ("GET", "/.well-known/openid-configuration"),
    ("GET", "/oauth2/jwks"),
    ("POST", "/oauth2/token"),
    ("POST", "/oauth2/introspect"),
    ("GET", "/oauth2/authorize"),
    ("GET", "/api/v1/oauth/authorization"),
    ("POST", "/oauth2/revoke"),
    ("GET", "/oauth2/userinfo"),
    ("POST", "/oauth2/userinfo"),
    ("GET", "/oauth2/logout"),
])
