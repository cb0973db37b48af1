#!/usr/bin/python3
"""One-step ownership transfer (issue 19): POST /api/v1/workspaces/{ws}/ownership-transfer makes
a member the Owner and the calling Owner takes the role they name (Admin by default), in one
transaction, audited. Only Owners may; the target must be a member; nothing changes on a
refusal; bad input names the field."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import VaultTestCase, main  # noqa: E402
from ws_helpers import WorkspaceFlows  # noqa: E402


class OwnershipTransferTest(WorkspaceFlows, VaultTestCase):

    def transfer(self, client, ws, body):
        return client.post(f"/api/v1/workspaces/{ws}/ownership-transfer", body)

    def test_one_step_hands_the_workspace_over(self):
        owner = self.create_account(name="Olive Owner", prefix="owner")
        ws = self.create_workspace(owner.client)["id"]
        heir = self.member_account(owner.client, ws, "member", prefix="heir")
        r = self.transfer(owner.client, ws, {"account_id": heir.id})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["account_id"], r.json["role"]), (heir.id, "owner"))
        self.assertEqual(self.role_of(heir.client, ws, heir.id), "owner")
        self.assertEqual(self.role_of(heir.client, ws, owner.id), "admin")  # the default
        events = self.ws_audit(heir.client, ws, "workspace.ownership_transferred")
        self.assertEqual(len(events), 1, events)
        self.assertEqual((events[0]["actor"]["id"], events[0]["target"]["id"]), (owner.id, heir.id))
        self.assertEqual(events[0]["summary"],
                         {"from_role": "member", "previous_owner_role": "admin"})
        # The former Owner may no longer transfer; the new one may, keeping the role they name.
        self.assertProblem(self.transfer(owner.client, ws, {"account_id": heir.id}), 403,
                           "permission.denied")
        r = self.transfer(heir.client, ws, {"account_id": owner.id, "new_role": "billing"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.role_of(owner.client, ws, heir.id), "billing")
        self.assertEqual(self.role_of(owner.client, ws, owner.id), "owner")

    def test_refusals_change_nothing(self):
        owner = self.create_account(name="Rae Owner", prefix="rowner")
        ws = self.create_workspace(owner.client)["id"]
        admin = self.member_account(owner.client, ws, "admin", prefix="radmin")
        stranger = self.create_account(prefix="stranger")
        other_ws = self.create_workspace(stranger.client)["id"]
        cases = [
            (owner, {"account_id": stranger.id}, 404, "member.not_found", "account_id"),
            (owner, {"account_id": owner.id}, 400, "validation.self", "account_id"),
            (owner, {"account_id": admin.id, "new_role": "owner"}, 400, "validation.role",
             "new_role"),
            (owner, {"account_id": admin.id, "new_role": "king"}, 400, None, "new_role"),
            (owner, {"account_id": 42}, 400, None, "account_id"),
            (owner, {}, 400, None, "account_id"),
            (owner, {"account_id": "x" * 65}, 400, None, "account_id"),
            (admin, {"account_id": admin.id}, 403, "permission.denied", None),
        ]
        for who, body, status, code, field in cases:
            with self.subTest(body=body):
                r = self.transfer(who.client, ws, body)
                self.assertEqual(r.status, status, r)
                self.assertEqual(r.content_type, "application/problem+json", r)
                if code:
                    self.assertEqual(r.json["code"], code, r)
                if field:
                    self.assertEqual(r.json.get("field"), field, r)
        # Another workspace's Owner learns nothing about this one.
        r = self.transfer(stranger.client, ws, {"account_id": stranger.id})
        self.assertProblem(r, 404, "workspace.not_found")
        r = self.client(mode="none").post(f"/api/v1/workspaces/{ws}/ownership-transfer",
                                          {"account_id": admin.id})
        self.assertEqual(r.status, 401, r)
        r = owner.client.raw("POST", f"/api/v1/workspaces/{ws}/ownership-transfer",
                             b'{"account_id": "\xff"}')
        self.assertEqual(r.status, 400, r)
        self.assertEqual(self.role_of(owner.client, ws, owner.id), "owner")
        self.assertEqual(self.role_of(owner.client, ws, admin.id), "admin")
        self.assertEqual(self.ws_audit(owner.client, ws, "workspace.ownership_transferred"), [])
        self.assertEqual(self.role_of(stranger.client, other_ws, stranger.id), "owner")


if __name__ == "__main__":
    main()
