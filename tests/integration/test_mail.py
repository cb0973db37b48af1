#!/usr/bin/python3
"""Outgoing mail (SPEC §2 email delivery, security review issue 12):

- smtp:// requires STARTTLS by default: a plaintext-only server gets no AUTH, no envelope and
  no message, the server logs a clear error without credentials and counts the failure in
  /metrics; VAULT_SMTP_TLS and VAULT_SMTP_URL are validated at start (M7);
- the Message-ID header is exactly one well-formed <local@domain> (L2);
- headers carrying user text (an invitation's Subject holds the workspace name) decode to the
  intended text: no encoded-word injection, no CR/LF header injection, non-ASCII as RFC 2047
  encoded-words within the line limits (L3);
- every file and folder the server creates (SQLite database and its WAL/SHM, outbox folder and
  messages, secret file) is private to its user even under umask 000 (L13).

The mail goes to RecordingSmtp below instead of the harness's aiosmtpd sink (which re-encodes
headers when it stores a message): it keeps the bytes exactly as the server sent them.
"""

import email
import email.header
import email.policy
import os
import re
import socket
import stat
import subprocess
import sys
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import SmtpSink, Vault, VaultFlows, VaultTestCase, main, metric, unique_email, wait_until  # noqa: E402,E501
from ws_helpers import INVITE_SUBJECT, WorkspaceFlows  # noqa: E402

MESSAGE_ID_RE = re.compile(r"<[^<>@\s]+@[^<>@\s]+>")
ENCODED_WORD_RE = re.compile(r"=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=")


class RecordingSmtp(SmtpSink):
    """An SMTP server on 127.0.0.1:0 without STARTTLS (it offers AUTH, as a downgrading attacker
    would) that records every byte it receives and each message exactly as sent (dot-unstuffed,
    with its envelope recipients). Being an SmtpSink, wait_for_mail() and the flows work on it."""

    def __init__(self):  # pylint: disable=super-init-not-called (no aiosmtpd, no Maildir)
        self._returned = set()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.received = bytearray()
        self.delivered = []  # [(envelope recipients, raw message bytes)]
        self._lock = threading.Lock()
        threading.Thread(target=self._serve, daemon=True).start()

    def data(self):
        with self._lock:
            return bytes(self.received)

    def raw_messages(self):
        with self._lock:
            return list(enumerate(raw for _, raw in self.delivered))

    def envelope_of(self, address):
        with self._lock:
            return [rcpts for rcpts, raw in self.delivered if address.encode() in raw]

    def stop(self):
        self.sock.close()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._session, args=(conn,), daemon=True).start()

    def _session(self, conn):
        replies = {b"EHLO": b"250-plain.example.test\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n",
                   b"DATA": b"354 go on\r\n", b"QUIT": b"221 bye\r\n", b"AUTH": b"235 ok\r\n"}
        buffer, in_data, rcpts = b"", False, []
        with conn:
            conn.settimeout(10)
            conn.sendall(b"220 plain.example.test ESMTP\r\n")
            while True:
                try:
                    chunk = conn.recv(65536)
                except OSError:
                    return
                if not chunk:
                    return
                with self._lock:
                    self.received += chunk
                buffer += chunk
                while True:
                    if in_data:
                        end = buffer.find(b"\r\n.\r\n")
                        if end < 0:
                            break
                        raw = re.sub(rb"(?m)^\.\.", b".", buffer[:end + 2])
                        with self._lock:
                            self.delivered.append((rcpts, raw))
                        buffer, in_data, rcpts = buffer[end + 5:], False, []
                        conn.sendall(b"250 queued\r\n")
                        continue
                    line, sep, buffer_rest = buffer.partition(b"\r\n")
                    if not sep:
                        break
                    buffer = buffer_rest
                    verb = line[:4].upper()
                    if verb == b"RCPT":
                        rcpts.append(line.split(b":", 1)[1].strip(b" <>").decode())
                    conn.sendall(replies.get(verb, b"250 ok\r\n"))
                    in_data = verb == b"DATA"
                    if verb == b"QUIT":
                        return


class SmtpTlsRequiredTest(VaultFlows, unittest.TestCase):
    """The default VAULT_SMTP_TLS against a server that offers no STARTTLS."""

    SMTP_PASSWORD = "smtp-pw-Qx7-never-in-clear"

    @classmethod
    def setUpClass(cls):
        cls.smtp = RecordingSmtp()
        cls.vault = Vault(argon2_memory_kib=8192, extra_env={
            "VAULT_SMTP_URL": f"smtp://vaultmailer:{cls.SMTP_PASSWORD}@127.0.0.1:{cls.smtp.port}",
            "VAULT_SMTP_TLS": None,  # the default: required
        })
        cls.vault.remember_secret(cls.SMTP_PASSWORD)
        cls.vault.start()

    @classmethod
    def tearDownClass(cls):
        cls.vault.close()
        cls.smtp.stop()
        leaked = cls.vault.leaked_secrets()
        if leaked:
            raise AssertionError(f"secrets in the server log: {[s[:6] + '...' for s in leaked]}")

    def test_plaintext_server_gets_no_credentials_and_no_message(self):
        address = unique_email("cleartext")
        r = self.client(mode="none").post("/api/v1/signup", {"name": "Ada", "email": address})
        self.assertEqual(r.status, 202, r)  # the answer does not depend on delivery
        server = self.vault.server
        wait_until(lambda: "mail delivery failed" in server.logs, 30, "the delivery failure")
        failure = [line for line in server.logs.splitlines() if "mail delivery failed" in line]
        self.assertEqual(len(failure), 1, failure)
        self.assertIn("mail.tls_unavailable", failure[0])
        self.assertIn("STARTTLS", failure[0])
        self.assertNotIn(self.SMTP_PASSWORD, server.logs)
        self.assertNotIn("vaultmailer", server.logs)  # the startup line shows the URL redacted

        sent = self.smtp.data()
        self.assertTrue(sent.upper().startswith(b"EHLO"), sent)
        verbs = {line[:4].upper() for line in sent.split(b"\r\n") if line}
        for forbidden in (b"AUTH", b"MAIL", b"RCPT", b"DATA"):
            self.assertNotIn(forbidden, verbs, sent)
        self.assertNotIn(address.encode(), sent)
        self.assertNotIn(b"token=", sent)
        self.assertEqual(self.sink.messages(), [])

        text = self.client(mode="none").get("/metrics").body.decode()
        self.assertEqual(metric(text, "vault_mail_failed_total"), 1.0)
        self.assertEqual(metric(text, "vault_mail_delivered_total"), 0.0)

    def test_bad_mail_settings_are_refused_at_start(self):
        for key, value, code in (("VAULT_SMTP_TLS", "opportunistic", "config.smtp_tls"),
                                 ("VAULT_SMTP_TLS", "", "config.smtp_tls"),
                                 ("VAULT_SMTP_URL", "http://127.0.0.1:25", "config.smtp_url")):
            env = dict(self.vault.server.env, **{key: value})
            done = subprocess.run([self.vault.server.binary, "migrate"], cwd=self.vault.directory,
                                  env=env, capture_output=True, text=True, timeout=60)
            self.assertEqual(done.returncode, 1, (key, value, done.stdout, done.stderr))
            self.assertIn(code, done.stdout + done.stderr, (key, value))


class MailHeadersTest(WorkspaceFlows, VaultTestCase):
    """Headers of the mail exactly as sent (to RecordingSmtp with VAULT_SMTP_TLS=off)."""

    ARGON2_MEMORY_KIB = 8192

    @classmethod
    def setUpClass(cls):
        cls.recorder = RecordingSmtp()
        cls.EXTRA_ENV = {"VAULT_SMTP_URL": f"smtp://127.0.0.1:{cls.recorder.port}",
                         "VAULT_SMTP_TLS": "off",
                         "VAULT_MAIL_FROM": "Atomyx Vault <no-reply@vault.example.test>"}
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        cls.recorder.stop()
        super().tearDownClass()

    @property
    def sink(self):
        return self.recorder

    def raw_mail_to(self, address):
        found = [raw for _, raw in self.sink.raw_messages() if address.encode() in raw]
        self.assertEqual(len(found), 1, address)
        self.assertEqual(self.recorder.envelope_of(address), [[address]])
        return found[0]

    @staticmethod
    def header_lines(raw):
        """The unfolded header fields of a raw message as (name, raw value)."""
        head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")  # 8-bit in a header fails here
        fields = []
        for line in head.split("\r\n"):
            if line[:1] in (" ", "\t"):
                fields[-1] = (fields[-1][0], fields[-1][1] + "\r\n" + line)
            else:
                name, _, value = line.partition(":")
                fields.append((name, value))
        return fields

    def assertCleanHeaders(self, raw):
        """7-bit headers, lines within RFC 5322 limits, encoded-words within RFC 2047's."""
        fields = self.header_lines(raw)
        for name, value in fields:
            for line in (name + ":" + value).split("\r\n"):
                self.assertLessEqual(len(line), 998, line)
            for word in ENCODED_WORD_RE.findall(value):
                self.assertLessEqual(len(word), 75, word)
        names = [name.lower() for name, _ in fields]
        for name in ("from", "to", "subject", "date", "message-id", "mime-version",
                     "content-type"):
            self.assertEqual(names.count(name), 1, (name, names))
        self.assertNotIn("bcc", names)
        self.assertNotIn("cc", names)
        return dict((name.lower(), value) for name, value in fields)

    def test_message_id_is_one_well_formed_id(self):
        address, _ = self.signup()
        raw = self.raw_mail_to(address)
        headers = self.assertCleanHeaders(raw)
        self.assertRegex(headers["message-id"].strip(), r"^" + MESSAGE_ID_RE.pattern + r"$")
        self.assertTrue(headers["message-id"].strip().endswith("@vault.example.test>"),
                        headers["message-id"])
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        self.assertEqual(len(MESSAGE_ID_RE.findall(str(parsed["Message-ID"]))), 1)
        self.assertEqual(parsed["From"].addresses[0].addr_spec, "no-reply@vault.example.test")

    def test_hostile_and_non_ascii_workspace_names_reach_the_subject_as_written(self):
        owner = self.create_account(name="Olga Owner", prefix="mailowner")
        injected = "=?utf-8?b?QmNjOiB4QGV2aWwuZXhhbXBsZQ==?= Acme"  # "Bcc: x@evil.example"
        names = [injected,
                 "=?UTF-8?Q?Bcc=3A_x=40evil=2Eexample?=",
                 "Zürich Büro – 日本チーム",
                 "é" * 100,                      # folds into several encoded-words
                 "Ünïcode =?utf-8?b?SGk=?= mix"]
        for name in names:
            with self.subTest(name=name):
                ws = self.create_workspace(owner.client, name=name)
                invitee = unique_email("mailinvitee")
                r = owner.client.post(f"/api/v1/workspaces/{ws['id']}/invitations",
                                      {"email": invitee, "role": "member"})
                self.assertEqual(r.status, 201, r)
                msg = self.sink.wait_for_mail(invitee, INVITE_SUBJECT)
                self.vault.token_from(msg)
                self.assertEqual(str(msg["Subject"]), f"You are invited to join {name} on Atomyx")
                self.assertEqual(self.sink.recipients(msg), {invitee.lower()})
                self.assertNotIn("Bcc", msg)
                raw = self.raw_mail_to(invitee)
                headers = self.assertCleanHeaders(raw)
                # Decoding the raw header by hand gives the same text (no word is the user's).
                decoded = str(email.header.make_header(email.header.decode_header(
                    headers["subject"].replace("\r\n", ""))))
                self.assertEqual(decoded, f"You are invited to join {name} on Atomyx")

    def test_line_breaks_in_a_workspace_name_never_reach_a_header(self):
        owner = self.create_account(name="Olga Owner", prefix="mailowner")
        for name in ("Acme \r\nBcc: x@evil.example", "Acme\nBcc: x@evil.example",
                     "Acme\rBcc: x@evil.example"):
            with self.subTest(name=name):
                self.create_workspace(owner.client, name=name, expect=400)
        ws = self.create_workspace(owner.client, name="Calm Name")
        r = owner.client.patch(f"/api/v1/workspaces/{ws['id']}",
                               {"name": "Calm\r\nBcc: x@evil.example"})
        self.assertEqual(r.status, 400, r)


class PrivateFilesTest(VaultFlows, unittest.TestCase):
    """Under umask 000 the server still creates its folders 0700 and files 0600."""

    @classmethod
    def setUpClass(cls):
        env = {"VAULT_SMTP_URL": "",  # the outbox
               "VAULT_MAIL_OUTBOX": "./data/outbox",
               "VAULT_SECRET_FILE": "./data/keys/secret.key"}
        cls.backend = os.environ.get("VAULT_TEST_BACKEND", "sqlite")
        if cls.backend == "sqlite":
            env["VAULT_DATABASE"] = "sqlite:./data/db/vault.db"
        cls.vault = Vault(argon2_memory_kib=8192, extra_env=env)
        old = os.umask(0)
        try:
            cls.vault.start()
        finally:
            os.umask(old)

    @classmethod
    def tearDownClass(cls):
        cls.vault.close()

    def path(self, *parts):
        return os.path.join(self.vault.directory, "data", *parts)

    def assertMode(self, path, mode):
        self.assertTrue(os.path.exists(path), path)
        self.assertEqual(oct(stat.S_IMODE(os.stat(path).st_mode)), oct(mode), path)

    def test_everything_the_server_creates_is_private(self):
        r = self.client(mode="none").post("/api/v1/signup",
                                          {"name": "Ada", "email": unique_email("private")})
        self.assertEqual(r.status, 202, r)
        outbox = self.path("outbox")
        wait_until(lambda: os.path.isdir(outbox) and os.listdir(outbox), 10, "an outbox message")
        self.assertMode(self.path(), 0o700)
        self.assertMode(outbox, 0o700)
        for name in os.listdir(outbox):
            self.assertTrue(name.endswith(".eml"), name)
            self.assertMode(os.path.join(outbox, name), 0o600)
        self.assertMode(self.path("keys"), 0o700)
        self.assertMode(self.path("keys", "secret.key"), 0o600)
        if self.backend == "sqlite":
            self.assertMode(self.path("db"), 0o700)
            for suffix in ("", "-wal", "-shm"):  # WAL files exist while the server runs
                self.assertMode(self.path("db", "vault.db" + suffix), 0o600)
        # Nothing else in the tree is readable by others.
        for root, dirs, files in os.walk(self.path()):
            for name in dirs + files:
                mode = stat.S_IMODE(os.stat(os.path.join(root, name)).st_mode)
                self.assertEqual(mode & 0o077, 0, os.path.join(root, name))


if __name__ == "__main__":
    main()
