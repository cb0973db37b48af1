#!/usr/bin/python3
"""The platform audit log for Super Admins (GET /api/v1/admin/audit) and the audit filters every
audit view shares: actor, target, action, a time range [from, to), and for Super Admins the
workspace. Only Super Admins read the platform log; bad filters are 400 naming the parameter."""

import datetime
import json
import os
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import VaultTestCase, main  # noqa: E402
from ws_helpers import WorkspaceFlows  # noqa: E402


def rfc3339(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def parse(text):
    return int(datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())


class AdminAuditTest(WorkspaceFlows, VaultTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.world = None

    def setUp(self):
        if type(self).world is None:
            root_client = self.make_super_admin()[3]
            ann = self.create_account(name="Ann Alpha", prefix="ann")
            bob = self.create_account(name="Bob Beta", prefix="bob")
            wa = self.create_workspace(ann.client, name="Alpha Co")
            wb = self.create_workspace(bob.client, name="Beta Co")
            self.assertEqual(ann.client.patch(f"/api/v1/workspaces/{wa['id']}",
                                              {"name": "Alpha Corp"}).status, 200)
            type(self).world = (root_client, ann, bob, wa, wb)
        self.root, self.ann, self.bob, self.wa, self.wb = type(self).world

    def events(self, client, path, query=""):
        r = client.get(path + "?limit=1000" + (f"&{query}" if query else ""))
        self.assertEqual(r.status, 200, r)
        self.assertIsNone(r.json["next_cursor"], r)
        return r.json["items"]

    def admin_events(self, query=""):
        return self.events(self.root, "/api/v1/admin/audit", query)

    def test_super_admins_see_every_workspace_and_account_event(self):
        items = self.admin_events()
        workspaces = {e["workspace_id"] for e in items}
        self.assertTrue({self.wa["id"], self.wb["id"]} <= workspaces, workspaces)
        actions = [e["action"] for e in items]
        self.assertIn("account.created", actions)  # account-level events too
        self.assertEqual([e["seq"] for e in items], sorted((e["seq"] for e in items),
                                                           reverse=True))
        only_a = self.admin_events("workspace=" + self.wa["id"])
        self.assertTrue(only_a)
        self.assertEqual(only_a, [e for e in items if e["workspace_id"] == self.wa["id"]])
        r = self.root.get("/api/v1/admin/audit?format=ndjson&limit=1000")
        self.assertEqual(r.content_type, "application/x-ndjson", r)
        self.assertEqual([json.loads(x) for x in r.body.decode().splitlines()], items)

    def test_filters_by_actor_target_action_and_time(self):
        items = self.admin_events()
        by_ann = self.admin_events("actor=" + self.ann.id)
        self.assertTrue(by_ann)
        self.assertEqual(by_ann, [e for e in items if e["actor"]["id"] == self.ann.id])
        about_a = self.admin_events("target=" + self.wa["id"])
        self.assertEqual(about_a, [e for e in items if e["target"]["id"] == self.wa["id"]])
        self.assertTrue(about_a)
        both = self.admin_events(f"actor={self.ann.id}&action=workspace.")
        self.assertEqual(both, [e for e in by_ann if e["action"].startswith("workspace.")])
        # [from, to): from inclusive, to exclusive, by the event's time.
        times = sorted({parse(e["occurred_at"]) for e in items})
        lo, hi = times[0], times[-1]
        q = urllib.parse.urlencode({"from": rfc3339(lo), "to": rfc3339(hi + 1)})
        self.assertEqual(self.admin_events(q), items)
        q = urllib.parse.urlencode({"to": rfc3339(lo)})
        self.assertEqual(self.admin_events(q), [])
        q = urllib.parse.urlencode({"from": rfc3339(hi + 1)})
        self.assertEqual(self.admin_events(q), [])
        # The workspace audit takes the same filters, inside its own workspace only.
        ws_items = self.events(self.ann.client, f"/api/v1/workspaces/{self.wa['id']}/audit")
        ws_by_ann = self.events(self.ann.client, f"/api/v1/workspaces/{self.wa['id']}/audit",
                                "actor=" + self.ann.id)
        self.assertEqual(ws_by_ann, [e for e in ws_items if e["actor"]["id"] == self.ann.id])
        self.assertEqual(self.events(self.ann.client, f"/api/v1/workspaces/{self.wa['id']}/audit",
                                     "actor=" + self.bob.id), [])

    def test_only_super_admins(self):
        self.assertProblem(self.client(mode="none").get("/api/v1/admin/audit"), 401,
                           "auth.required")
        for who in (self.ann, self.bob):  # workspace Owners are not platform operators
            self.assertProblem(who.client.get("/api/v1/admin/audit"), 403, "admin.required")

    def test_bad_filters_name_the_parameter(self):
        cases = [("from=yesterday", "from"), ("from=", "from"), ("to=2026-13-01T00:00:00Z", "to"),
                 ("from=2026-11-29T12:00:00Z&to=2026-11-29T12:00:00Z", "to"),
                 ("from=2026-11-29T12:00:00Z&to=2026-11-29T11:00:00Z", "to"),
                 ("actor=" + "a" * 101, "actor"), ("actor=", "actor"), ("target=", "target"),
                 ("workspace=", "workspace"), ("workspace=" + "w" * 101, "workspace"),
                 ("limit=0", "limit"), ("format=xml", "format")]
        for query, field in cases:
            with self.subTest(query=query):
                self.assertProblem(self.root.get(f"/api/v1/admin/audit?{query}"), 400,
                                   "validation.query", field)
        self.assertProblem(self.ann.client.get(
            f"/api/v1/workspaces/{self.wa['id']}/audit?from=nope"), 400, "validation.query",
            "from")


if __name__ == "__main__":
    main()
