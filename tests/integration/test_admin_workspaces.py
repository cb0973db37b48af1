#!/usr/bin/python3
"""Super Admin workspace repair (issue 19), black-box against the real server:
  * DELETE /api/v1/admin/workspaces/{id} {confirm: "<shortname>"} deletes a workspace as the
    Owner's deletion does (members, products, grants, keys go; the audit stays), audited
    admin.workspace_deleted; a wrong confirmation or bad input is 400 naming `confirm` and
    deletes nothing; a suspended workspace can be deleted; unknown → 404;
  * PUT /api/v1/admin/workspaces/{id}/owners/{account_id} makes an existing, enabled account an
    Owner (promotes a member, adds a non-member), audited admin.owner_assigned with the role it
    had; an Owner already is one (no event); a disabled account is 409 account.disabled, an
    unknown one 404 account.not_found; the repaired workspace is usable by its new Owner.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import VaultTestCase, main  # noqa: E402
from key_helpers import KeyFlows  # noqa: E402
from product_helpers import ProductFlows  # noqa: E402
from ws_helpers import WorkspaceFlows  # noqa: E402


class AdminWorkspacesTest(WorkspaceFlows, ProductFlows, KeyFlows, VaultTestCase):
    ARGON2_MEMORY_KIB = 8192

    def sa(self):
        cls = type(self)
        if not hasattr(cls, "_sa"):
            cls._sa = self.make_super_admin()[3]
            r = cls._sa.post("/api/v1/admin/service-clients",
                             {"product_type": "submit", "name": "Submit back end"})
            self.assertEqual(r.status, 201, r)
            self.vault.remember_secret(r.json["client_secret"])
            cls._creds = (r.json["client_id"], r.json["client_secret"])
        return cls._sa

    def admin_audit(self, ws, action):
        r = self.sa().get(f"/api/v1/admin/audit?workspace={ws}&action={action}")
        self.assertEqual(r.status, 200, r)
        return r.json["items"]

    # ------------------------------------------------------------------ deletion
    def test_a_super_admin_deletes_a_workspace_with_everything_in_it(self):
        sa = self.sa()
        owner = self.create_account(prefix="downer")
        w = self.create_workspace(owner.client, name="Doomed")
        ws, short = w["id"], w["shortname"]
        member = self.member_account(owner.client, ws, "member", prefix="dmember")
        product = self.create_product(owner.client, ws, "submit")["id"]
        self.grant(owner.client, ws, product, member.id, "editor")
        key = self.create_key(owner.client, ws, product)["key"]
        creds = type(self)._creds
        self.assertEqual(self.reason(creds, member.id, product), ("allowed", "editor"))
        self.assertEqual(self.verdict(creds, key), "valid")

        path = f"/api/v1/admin/workspaces/{ws}"
        bad = [({"confirm": "not-" + short}, "workspace.confirmation_mismatch"),
               ({"confirm": short.upper()}, "workspace.confirmation_mismatch"),
               ({}, None), ({"confirm": 5}, None), ({"confirm": None}, None),
               ({"confirm": "x" * 41}, None)]
        for body, code in bad:
            with self.subTest(body=body):
                r = sa.delete(path, json_body=body)
                self.assertProblem(r, 400, code, field="confirm")
        for raw in (b"{oops", b'{"confirm": "\xff"}', b"[]"):
            r = sa.raw("DELETE", path, raw)
            self.assertEqual((r.status, r.content_type), (400, "application/problem+json"), r)
        r = sa.raw("DELETE", path, b'{"confirm": "' + b"x" * 2_000_000 + b'"}')
        self.assertEqual(r.status, 413, r)
        self.assertEqual(sa.get(path).status, 200)   # nothing deleted
        self.assertProblem(sa.delete("/api/v1/admin/workspaces/ws_nope",
                                     json_body={"confirm": "x"}), 404, "workspace.not_found")

        r = sa.delete(path, json_body={"confirm": short})
        self.assertEqual(r.status, 204, r)
        self.assertProblem(sa.get(path), 404, "workspace.not_found")
        self.assertProblem(owner.client.get(f"/api/v1/workspaces/{ws}"), 404, "workspace.not_found")
        mine = member.client.get("/api/v1/me/workspaces").json["items"]
        self.assertNotIn(ws, [x["id"] for x in mine])
        self.assertEqual(member.client.get("/api/v1/me").status, 200)   # accounts stay
        self.assertEqual(self.reason(creds, member.id, product), ("product_not_found", None))
        self.assertEqual(self.verdict(creds, key), "unknown")
        events = self.admin_audit(ws, "admin.workspace_deleted")
        self.assertEqual(len(events), 1, events)
        self.assertEqual(events[0]["summary"], {"shortname": short})
        self.assertEqual(events[0]["target"]["id"], ws)
        # the audit history outlives the workspace
        self.assertTrue(self.admin_audit(ws, "workspace.created"))
        # the shortname is free again
        self.create_workspace(owner.client, shortname=short)

    def test_a_suspended_workspace_can_be_deleted_by_shortname(self):
        sa = self.sa()
        owner = self.create_account(prefix="sowner")
        w = self.create_workspace(owner.client, name="Suspended then gone")
        r = sa.post(f"/api/v1/admin/workspaces/{w['id']}/suspension", {"reason": "Fraud"})
        self.assertEqual(r.status, 200, r)
        r = sa.delete(f"/api/v1/admin/workspaces/{w['shortname']}",
                      json_body={"confirm": w["shortname"]})
        self.assertEqual(r.status, 204, r)
        self.assertProblem(sa.get(f"/api/v1/admin/workspaces/{w['id']}"), 404)

    # ------------------------------------------------------------ owner assignment
    def test_assigning_an_owner_repairs_a_workspace_whose_only_owner_was_disabled(self):
        sa = self.sa()
        owner = self.create_account(prefix="lost")
        ws = self.create_workspace(owner.client, name="Orphaned")["id"]
        member = self.member_account(owner.client, ws, "member", prefix="heir")
        outsider = self.create_account(prefix="outsider")
        r = sa.patch(f"/api/v1/admin/accounts/{owner.id}", {"disabled": True})
        self.assertEqual(r.status, 200, r)
        path = f"/api/v1/admin/workspaces/{ws}/owners"

        r = sa.request("PUT", f"{path}/{member.id}")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json, {"account_id": member.id, "role": "owner"})
        self.assertEqual(self.role_of(member.client, ws, member.id), "owner")
        # the new Owner can act at once
        r = member.client.patch(f"/api/v1/workspaces/{ws}", {"description": "repaired"})
        self.assertEqual(r.status, 200, r)

        r = sa.request("PUT", f"{path}/{outsider.id}")   # not a member: added as an Owner
        self.assertEqual((r.status, r.json.get("role")), (200, "owner"), r)
        self.assertEqual(self.role_of(member.client, ws, outsider.id), "owner")
        r = sa.request("PUT", f"{path}/{outsider.id}")   # already one: no change, no event
        self.assertEqual((r.status, r.json.get("role")), (200, "owner"), r)

        events = self.admin_audit(ws, "admin.owner_assigned")
        self.assertEqual(sorted((e["target"]["id"], e["summary"]["from_role"]) for e in events),
                         sorted([(member.id, "member"), (outsider.id, "none")]))

        # refusals change nothing
        self.assertProblem(sa.request("PUT", f"{path}/{owner.id}"), 409, "account.disabled",
                           field="account_id")
        self.assertProblem(sa.request("PUT", f"{path}/acc_nobody"), 404, "account.not_found",
                           field="account_id")
        self.assertProblem(sa.request("PUT", f"/api/v1/admin/workspaces/ws_nope/owners/{member.id}"),
                           404, "workspace.not_found")
        self.assertProblem(sa.request("PUT", f"{path}/{'x' * 300}"), (400, 404))
        self.assertEqual(self.role_of(member.client, ws, owner.id), "owner")   # still listed
        self.assertEqual(len(self.admin_audit(ws, "admin.owner_assigned")), 2)
        # a Workspace Owner cannot use the admin route
        self.assertProblem(member.client.request("PUT", f"{path}/{member.id}"), 403,
                           "admin.required")


if __name__ == "__main__":
    main()
