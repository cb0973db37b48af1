#!/usr/bin/env python3
"""VAULT_SUPER_ADMIN_REQUIRE_2FA (issue 19; docs/api.md "Platform administration"), black-box:

  * on by default: a Super Admin whose account has no 2FA gets 403 `admin.requires_2fa` on every
    Super-Admin-only route, while their own account routes work; someone who is not a Super
    Admin still gets `admin.required` (the 2FA answer tells nothing to non-admins);
  * turning on TOTP opens the area in the same session, and a later sign-in needs the second
    step (a recovery code here);
  * `off`: a Super Admin without 2FA uses the area;
  * a value other than on/off (true/false, 1/0, yes/no) stops the command with the setting named,
    instead of quietly turning the protection off.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import TOKEN_RE, VaultTestCase, main, unique_email  # noqa: E402
from ws_helpers import WorkspaceFlows, super_admin_2fa  # noqa: E402

ADMIN_ROUTES = ["/api/v1/admin/accounts", "/api/v1/admin/workspaces",
                "/api/v1/admin/product-types", "/api/v1/admin/service-clients",
                "/api/v1/admin/audit"]


class SuperAdminWithout2fa:
    """A Super Admin made by the CLI, password set, signed in, no 2FA yet."""

    def bare_super_admin(self):
        email = unique_email("root")
        done = self.vault.cli("admin", "create-super-admin", email)
        self.assertEqual(done.returncode, 0, done.stderr + done.stdout)
        token = TOKEN_RE.search(done.stdout).group(1)
        self.vault.remember_secret(token)
        password = self.vault.new_password()
        r = self.client(mode="none").post("/api/v1/password/reset",
                                          {"token": token, "password": password})
        self.assertEqual(r.status, 204, r)
        return email, password, self.sign_in(email, password, mode="bearer")


class RequiredByDefaultTest(SuperAdminWithout2fa, WorkspaceFlows, VaultTestCase):
    ARGON2_MEMORY_KIB = 8192

    def test_a_super_admin_without_2fa_is_refused_until_they_turn_it_on(self):
        email, password, sa = self.bare_super_admin()
        self.assertIs(sa.get("/api/v1/me").json["super_admin"], True)
        for path in ADMIN_ROUTES:
            with self.subTest(path=path):
                self.assertProblem(sa.get(path), 403, "admin.requires_2fa")
        # a write is refused before anything happens
        r = sa.post("/api/v1/admin/service-clients", {"product_type": "submit", "name": "X"})
        self.assertProblem(r, 403, "admin.requires_2fa")
        # their own account works; a plain account still hears admin.required
        self.assertEqual(sa.get("/api/v1/me/sessions").status, 200)
        plain = self.create_account(prefix="plain")
        self.assertProblem(plain.client.get("/api/v1/admin/accounts"), 403, "admin.required")
        # turning on TOTP opens the area in this session
        super_admin_2fa(self, sa, email, password)
        for path in ADMIN_ROUTES:
            with self.subTest(path=path, mfa=True):
                self.assertEqual(sa.get(path).status, 200, path)
        self.assertEqual(sa.get("/api/v1/admin/service-clients").status, 200)
        # a new sign-in needs the second step; with it, the area is open
        r = self.client(mode="bearer").post("/api/v1/sessions",
                                            {"email": email, "password": password})
        self.assertEqual((r.status, r.json.get("mfa_required")), (200, True), r)
        again = self.sign_in(email, password, mode="bearer")   # finishes with a recovery code
        self.assertEqual(again.get("/api/v1/admin/accounts").status, 200)
        # no change was made while refused
        audit = again.get("/api/v1/admin/audit?action=admin.service_client_created").json
        self.assertEqual(audit["items"], [])

    def test_a_bad_value_stops_the_command_and_names_the_setting(self):
        for value in ("maybe", "On ", "2"):
            with self.subTest(value=value):
                env = dict(self.vault.server.env, VAULT_SUPER_ADMIN_REQUIRE_2FA=value)
                done = subprocess.run([self.vault.server.binary, "migrate"],
                                      cwd=self.vault.directory, env=env,
                                      stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                      timeout=60)
                self.assertNotEqual(done.returncode, 0, done)
                self.assertIn("super_admin_require_2fa", done.stderr + done.stdout)


class TurnedOffTest(SuperAdminWithout2fa, WorkspaceFlows, VaultTestCase):
    ARGON2_MEMORY_KIB = 8192
    EXTRA_ENV = {"VAULT_SUPER_ADMIN_REQUIRE_2FA": "off"}

    def test_off_lets_a_super_admin_without_2fa_in(self):
        _, _, sa = self.bare_super_admin()
        for path in ADMIN_ROUTES:
            with self.subTest(path=path):
                self.assertEqual(sa.get(path).status, 200, path)


if __name__ == "__main__":
    main()
