#!/usr/bin/python3
"""Native TLS (issue 16): VAULT_TLS_CERT_FILE / VAULT_TLS_KEY_FILE serve HTTPS on loopback with a
certificate generated for the test; TLS 1.2 and 1.3 are accepted, older versions and plain HTTP
are not; SIGHUP loads a renewed certificate for new connections without a restart, and a broken
pair on SIGHUP keeps the previous one; a bad pair at start stops the server."""

import http.client
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import unittest
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import Vault, main, wait_until  # noqa: E402


def make_cert(directory, name):
    """A self-signed certificate for 127.0.0.1 (its own CA); returns (cert, key) paths."""
    cert = os.path.join(directory, f"{name}.crt")
    key = os.path.join(directory, f"{name}.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj",
                    f"/CN={name}", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    return cert, key


class TlsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="vault-tls-")
        cls.cert_a = make_cert(cls.dir, "vault-a")
        cls.cert_b = make_cert(cls.dir, "vault-b")
        cls.live_cert = os.path.join(cls.dir, "live.crt")
        cls.live_key = os.path.join(cls.dir, "live.key")
        shutil.copy(cls.cert_a[0], cls.live_cert)
        shutil.copy(cls.cert_a[1], cls.live_key)
        cls.vault = Vault(extra_env={"VAULT_TLS_CERT_FILE": cls.live_cert,
                                     "VAULT_TLS_KEY_FILE": cls.live_key}).start()
        cls.server = cls.vault.server

    @classmethod
    def tearDownClass(cls):
        cls.vault.close()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def address(self):
        return "127.0.0.1", self.server.port

    def context(self, trust, minimum=None, maximum=None):
        ctx = ssl.create_default_context(cafile=trust)
        if minimum:
            ctx.minimum_version = minimum
        if maximum:
            ctx.maximum_version = maximum
        return ctx

    def get(self, path, trust, **kw):
        host, port = self.address()
        conn = http.client.HTTPSConnection(host, port, context=self.context(trust, **kw),
                                           timeout=10)
        try:
            conn.request("GET", path)
            r = conn.getresponse()
            return r.status, r.read(), conn.sock.version(), conn.sock.getpeercert()
        finally:
            conn.close()

    def subject(self, cert):
        return dict(x[0] for x in cert["subject"])["commonName"]

    def test_1_https_answers_with_the_configured_certificate(self):
        status, body, version, cert = self.get("/readyz", self.cert_a[0])
        self.assertEqual(status, 200, body)
        self.assertIn(version, ("TLSv1.2", "TLSv1.3"))
        self.assertEqual(self.subject(cert), "vault-a")
        self.assertIn('"tls":"on"', self.server.logs)
        # A whole API round trip over TLS: sign-up is accepted the same way as over HTTP.
        host, port = self.address()
        conn = http.client.HTTPSConnection(host, port, context=self.context(self.cert_a[0]))
        conn.request("POST", "/api/v1/signup", body=b'{"email":"tls@example.com","name":"T"}',
                     headers={"Content-Type": "application/json"})
        r = conn.getresponse()
        self.assertEqual(r.status, 202, r.read())
        conn.close()

    def test_2_tls_1_2_and_1_3_are_accepted_older_versions_are_not(self):
        for version in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
            status, _, got, _ = self.get("/healthz", self.cert_a[0], minimum=version,
                                         maximum=version)
            self.assertEqual((status, got), (200, version.name.replace("v1_", "v1.")))
        with warnings.catch_warnings():  # offering old versions is the point here
            warnings.simplefilter("ignore", DeprecationWarning)
            ctx = self.context(self.cert_a[0], maximum=ssl.TLSVersion.TLSv1_1)
            ctx.minimum_version = ssl.TLSVersion.TLSv1
        ctx.set_ciphers("ALL:@SECLEVEL=0")
        host, port = self.address()
        with socket.create_connection((host, port), timeout=10) as raw:
            with self.assertRaises(ssl.SSLError):
                with ctx.wrap_socket(raw, server_hostname=host):
                    pass
        self.assertEqual(self.get("/healthz", self.cert_a[0])[0], 200)  # still serving

    def test_3_plain_http_on_the_tls_port_gets_no_answer(self):
        host, port = self.address()
        with socket.create_connection((host, port), timeout=10) as raw:
            raw.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            data = b""
            try:
                while True:
                    chunk = raw.recv(4096)
                    if not chunk:
                        break
                    data += chunk
            except (ConnectionResetError, socket.timeout):
                pass
        self.assertNotIn(b"HTTP/1.1 200", data)
        self.assertEqual(self.get("/healthz", self.cert_a[0])[0], 200)

    def test_4_sighup_reloads_a_renewed_certificate_and_keeps_the_old_one_if_broken(self):
        shutil.copy(self.cert_b[0], self.live_cert)
        shutil.copy(self.cert_b[1], self.live_key)
        self.server.proc.send_signal(signal.SIGHUP)
        wait_until(lambda: "TLS certificate reloaded" in self.server.logs, 10, "reload logged")
        status, _, _, cert = self.get("/healthz", self.cert_b[0])
        self.assertEqual((status, self.subject(cert)), (200, "vault-b"))
        with self.assertRaises(ssl.SSLCertVerificationError):  # the old one is gone
            self.get("/healthz", self.cert_a[0])
        # A key that does not match the certificate: logged, and vault-b keeps serving.
        shutil.copy(self.cert_a[1], self.live_key)
        self.server.proc.send_signal(signal.SIGHUP)
        wait_until(lambda: "TLS certificate not reloaded" in self.server.logs, 10,
                   "failed reload logged")
        self.assertTrue(self.server.alive())
        status, _, _, cert = self.get("/healthz", self.cert_b[0])
        self.assertEqual((status, self.subject(cert)), (200, "vault-b"))
        shutil.copy(self.cert_b[1], self.live_key)

    def test_5_a_mismatched_pair_at_start_stops_the_server_naming_the_problem(self):
        with self.assertRaises(RuntimeError) as failed:
            self.vault.add_server({"VAULT_TLS_CERT_FILE": self.cert_a[0],
                                   "VAULT_TLS_KEY_FILE": self.cert_b[1]})
        self.assertIn("cannot start TLS", str(failed.exception))
        self.assertIn("vault-b.key", str(failed.exception))
        with self.assertRaises(RuntimeError) as missing:
            self.vault.add_server({"VAULT_TLS_CERT_FILE": self.cert_a[0],
                                   "VAULT_TLS_KEY_FILE": None})
        self.assertIn("tls_key_file", str(missing.exception))

    def test_6_a_plain_http_server_survives_sighup(self):
        # `systemctl reload` sends SIGHUP whatever the configuration: it must not stop a server.
        plain = self.vault.add_server({"VAULT_TLS_CERT_FILE": None, "VAULT_TLS_KEY_FILE": None})
        plain.proc.send_signal(signal.SIGHUP)
        wait_until(lambda: "nothing to reload" in plain.logs, 10, "SIGHUP logged")
        self.assertTrue(plain.alive())
        conn = http.client.HTTPConnection("127.0.0.1", plain.port, timeout=10)
        conn.request("GET", "/healthz")
        self.assertEqual(conn.getresponse().status, 200)
        conn.close()


if __name__ == "__main__":
    main()
