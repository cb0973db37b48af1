#!/usr/bin/python3
"""Hostile path values on the endpoints whose input is only their path: the live shortname
check, accepting or declining one's invitation by id, rotating a service client's secret and
retrying a dead-letter mail (and the mail outbox list's `state` query).
Every answer is a 4xx problem+json (or, for the shortname check, a verdict of "not available"),
never a 500, a hang, or a change."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import VaultTestCase, main  # noqa: E402
from ws_helpers import WorkspaceFlows  # noqa: E402

# As they travel in the request line (already percent-encoded where needed).
HOSTILE = [
    "'%20OR%201=1--", "%22%3E%3Cscript%3E", "..%2F..%2Fetc%2Fpasswd", "%E2%80%AEevil",
    "%E2%80%8Bzero", "%C3%28", "%FF%FE", "%00", "%0D%0AX-Injected:%201", "x" * 5000,
    "%F0%9F%98%80", "inv_" + "a" * 300, "svc_%25", "%2520",
]


class PathInputTest(WorkspaceFlows, VaultTestCase):
    ARGON2_MEMORY_KIB = 8192

    def assertRefusedCleanly(self, r, allowed=(400, 404)):
        self.assertIn(r.status, allowed, r)
        if r.status >= 400:
            self.assertEqual(r.content_type, "application/problem+json", r)
            self.assertTrue(r.json.get("code"), r)

    def test_hostile_path_values(self):
        person = self.create_account(prefix="paths")
        *_, admin = self.make_super_admin()
        r = admin.post("/api/v1/admin/service-clients", {"product_type": "submit", "name": "Keep"})
        self.assertEqual(r.status, 201, r)
        self.vault.remember_secret(r.json["client_secret"])
        before = admin.get("/api/v1/admin/service-clients").json
        dead_before = admin.get("/api/v1/admin/mail-outbox").json
        for value in HOSTILE:
            with self.subTest(value=value[:40]):
                r = person.client.get("/api/v1/workspace-shortnames/" + value)
                if r.status == 200:
                    self.assertIs(r.json["available"], False, r)
                    self.assertTrue(r.json["code"], r)
                else:
                    self.assertRefusedCleanly(r)
                for verb in ("accept", "decline"):
                    self.assertRefusedCleanly(
                        person.client.post(f"/api/v1/me/invitations/{value}/{verb}"))
                self.assertRefusedCleanly(
                    admin.post(f"/api/v1/admin/service-clients/{value}/secret"))
                self.assertRefusedCleanly(
                    admin.post(f"/api/v1/admin/mail-outbox/{value}/retry"))
                self.assertRefusedCleanly(
                    admin.get(f"/api/v1/admin/mail-outbox?state={value}"), allowed=(400,))
        # nothing changed, and the server still answers
        self.assertEqual(admin.get("/api/v1/admin/service-clients").json, before)
        self.assertEqual(admin.get("/api/v1/admin/mail-outbox").json, dead_before)
        self.assertEqual(person.client.get("/api/v1/me/workspaces").json["items"], [])
        self.healthy()


if __name__ == "__main__":
    main()
