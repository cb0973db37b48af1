#!/usr/bin/python3
"""Products, groups, grants and subscriptions of a workspace (SPEC §4, §5; docs/api.md
"Products", "Groups", "Grants"), black-box against the real server:

  * creating products of the seeded types with and without a plan; the Products list's eight
    columns (name, product_type, shortname, subscription.plan, status, users, my_role,
    created_at) with their values — users = distinct accounts with effective access (direct or
    through groups), my_role = the caller's effective role;
  * groups: CRUD, members (workspace members only), product assignments (grants to a group);
  * effective role = the highest of the direct and the group grants, and every removal (group
    member, group, grant, workspace member) shows on the very next access check;
  * seat limits: the Trial plan's 5 users → the 6th grant is 409 product.seat_limit, also with
    10 concurrent PUT grants (exactly 5 succeed), also through a group;
  * subscriptions: GET/PUT by Owner and Billing, Admin may only look, Member neither;
  * Trial expiry by the clock (14 days + 1 s → inactive, product_inactive) and disabling.
"""

import concurrent.futures
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import VaultTestCase, main  # noqa: E402
from product_helpers import (PRODUCT_COLUMNS, SEED_ROLES, TRIAL_SECONDS,  # noqa: E402
                             ProductFlows, parse_time, unique_product_shortname)
from ws_helpers import WorkspaceFlows  # noqa: E402

SEAT_PEOPLE = 10


class ProductsTest(ProductFlows, WorkspaceFlows, VaultTestCase):
    ARGON2_MEMORY_KIB = 8192
    CLOCK_OFFSET = True
    _world = None

    # ----------------------------------------------------------------- fixtures
    def world(self):
        cls = type(self)
        if cls._world is not None:
            return cls._world
        w = {}
        owner = self.create_account(name="Olga Owner", prefix="owner")
        a = self.create_workspace(owner.client, name="Products Inc")
        w["A"], w["owner"] = a["id"], owner
        for role in ("admin", "billing", "member"):
            w[role] = self.member_account(owner.client, a["id"], role)
        people = self.many_accounts(SEAT_PEOPLE, prefix="seat")
        for p in people:
            self.join(owner.client, a["id"], p, "member")
        w["people"] = people
        w["outsider"] = self.create_account(prefix="outsider")
        _, _, _, sa = self.make_super_admin()
        w["super"] = sa
        w["manage_client"] = self.service_client(sa, "manage", "Manage back end")
        cls._world = w
        return w

    def fresh_member(self, role="member"):
        w = self.world()
        return self.member_account(w["owner"].client, w["A"], role)

    # -------------------------------------------------------------------- tests
    def test_create_and_products_list_columns(self):
        w = self.world()
        A, owner = w["A"], w["owner"].client
        before = time.time()
        jobs = self.create_product(owner, A, "manage", name="Jobs", shortname="jobs")
        self.assertTrue(jobs["id"].startswith("prd_"), jobs)
        self.assertEqual(jobs["product_type"]["id"], "pty_manage", jobs)
        self.assertEqual(jobs["product_type"]["name"], "Atomyx Manage", jobs)
        self.assertEqual(jobs["subscription"]["plan"], "trial", jobs)    # default plan
        self.assertEqual(jobs["subscription"]["status"], "in_trial", jobs)
        end = parse_time(jobs["subscription"]["period_end"])
        self.assertAlmostEqual(end, before + TRIAL_SECONDS, delta=30)
        self.assertEqual(jobs["status"], "active", jobs)
        self.assertEqual(jobs["users"], 0, jobs)
        self.assertIsNone(jobs["my_role"], jobs)
        self.assertAlmostEqual(parse_time(jobs["created_at"]), before, delta=30)
        files = self.create_product(owner, A, "submit", plan="enterprise", name="Files",
                                    shortname="Files-2")
        self.assertEqual(files["shortname"], "files-2", files)
        self.assertEqual(files["product_type"]["name"], "Atomyx Submit", files)
        self.assertEqual(files["subscription"]["plan"], "enterprise", files)
        self.assertEqual(files["subscription"]["status"], "active", files)
        self.assertIsNone(files["subscription"]["period_end"], files)
        std = self.create_product(owner, A, "prepare", plan="standard", name="Docs")
        self.assertEqual(std["subscription"]["plan"], "standard", std)

        # refused input: nothing is created
        count = len(self.products_by_id(owner, A))
        r = owner.post(f"/api/v1/workspaces/{A}/products",
                       {"product_type": "nosuch", "name": "X", "shortname": "xx"})
        self.assertProblem(r, 400, "product.unknown_type")
        with self.subTest("the problem names the request's field"):
            self.assertEqual(r.json.get("field"), "product_type", r)
        r = owner.post(f"/api/v1/workspaces/{A}/products",
                       {"product_type": "manage", "name": "X", "shortname": "xy", "plan": "gold"})
        self.assertProblem(r, 400, "product.unknown_plan", field="plan")
        r = owner.post(f"/api/v1/workspaces/{A}/products",
                       {"product_type": "manage", "name": "X", "shortname": "-bad-"})
        self.assertProblem(r, 400, field="shortname")
        r = owner.post(f"/api/v1/workspaces/{A}/products",
                       {"product_type": "manage", "name": "Jobs again", "shortname": "JOBS"})
        self.assertProblem(r, 409)
        self.assertEqual(len(self.products_by_id(owner, A)), count)

        # access: owner admin directly; p0 viewer directly and editor through a group; p1 in
        # the group only; p2 in a group without a grant on jobs → 3 users
        p0, p1, p2 = w["people"][0], w["people"][1], w["people"][2]
        self.grant(owner, A, jobs["id"], w["owner"].id, "admin")
        self.grant(owner, A, "jobs", p0.id, "viewer")          # {product} by shortname
        g = self.create_group(owner, A, name="Editors")
        self.add_to_group(owner, A, g["id"], p0.id)
        self.add_to_group(owner, A, g["id"], p1.id)
        self.grant(owner, A, jobs["id"], g["id"], "editor", principal_type="group")
        idle = self.create_group(owner, A, name="Idle")
        self.add_to_group(owner, A, idle["id"], p2.id)
        self.grant(owner, A, files["id"], idle["id"], "viewer", principal_type="group")

        listing = owner.get(f"/api/v1/workspaces/{A}/products")
        self.assertEqual(listing.status, 200, listing)
        for item in listing.json["items"]:
            self.assertLessEqual(PRODUCT_COLUMNS, set(item), item)
            self.assertIn(item["status"], ("active", "inactive"), item)
        rows = {p["id"]: p for p in listing.json["items"]}
        row = rows[jobs["id"]]
        self.assertEqual((row["name"], row["shortname"], row["product_type"]["id"]),
                         ("Jobs", "jobs", "pty_manage"), row)
        self.assertEqual(row["subscription"]["plan"], "trial", row)
        self.assertEqual(row["status"], "active", row)
        self.assertEqual(row["users"], 3, row)
        self.assertEqual(row["my_role"], "admin", row)
        self.assertEqual(row["created_at"], jobs["created_at"], row)
        self.assertEqual(rows[files["id"]]["users"], 1, rows[files["id"]])
        self.assertIsNone(rows[files["id"]]["my_role"], rows[files["id"]])
        self.assertEqual(rows[std["id"]]["users"], 0)

        # my_role is each caller's own effective role; every member sees the list
        def my_role(client, pid):
            return self.products_by_id(client, A)[pid]["my_role"]
        self.assertEqual(my_role(p0.client, jobs["id"]), "editor")   # max(viewer, editor)
        self.assertEqual(my_role(p1.client, jobs["id"]), "editor")
        self.assertIsNone(my_role(p2.client, jobs["id"]))
        self.assertEqual(my_role(p2.client, files["id"]), "viewer")
        self.assertIsNone(my_role(w["billing"].client, jobs["id"]))
        self.assertIsNone(my_role(w["member"].client, jobs["id"]))
        r = w["member"].client.get(f"/api/v1/workspaces/{A}/products/jobs")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["users"], 3, r)

        # a second direct grant to an account already counted through the group: still 3
        self.grant(owner, A, jobs["id"], p1.id, "viewer")
        self.assertEqual(self.products_by_id(owner, A)[jobs["id"]]["users"], 3)
        # disabling shows as inactive; enabling again as active
        r = owner.patch(f"/api/v1/workspaces/{A}/products/{jobs['id']}", {"disabled": True})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["status"], "inactive", r)
        self.assertEqual(self.products_by_id(owner, A)[jobs["id"]]["status"], "inactive")
        r = owner.patch(f"/api/v1/workspaces/{A}/products/{jobs['id']}", {"disabled": False})
        self.assertEqual(r.json["status"], "active", r)
        # delete
        r = owner.delete(f"/api/v1/workspaces/{A}/products/{std['id']}")
        self.assertEqual(r.status, 204, r)
        self.assertNotIn(std["id"], self.products_by_id(owner, A))
        r = owner.get(f"/api/v1/workspaces/{A}/products/{std['id']}")
        self.assertProblem(r, 404, "product.not_found")

    def test_groups_crud_and_members(self):
        w = self.world()
        A, owner = w["A"], w["owner"].client
        g = self.create_group(owner, A, name="Reviewers", description="people who review")
        self.assertTrue(g["id"].startswith("grp_"), g)
        self.assertEqual((g["name"], g["description"]), ("Reviewers", "people who review"))
        r = owner.post(f"/api/v1/workspaces/{A}/groups", {"name": "REVIEWERS"})
        self.assertProblem(r, 409)                    # unique in the workspace, any case
        r = owner.get(f"/api/v1/workspaces/{A}/groups")
        self.assertEqual(r.status, 200, r)
        self.assertIn(g["id"], [x["id"] for x in r.json["items"]])
        r = owner.patch(f"/api/v1/workspaces/{A}/groups/{g['id']}",
                        {"name": "Senior reviewers", "description": "d2"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["name"], r.json["description"]), ("Senior reviewers", "d2"))

        p = w["people"][3]
        self.add_to_group(owner, A, g["id"], p.id)
        self.add_to_group(owner, A, g["id"], p.id)    # again: no change, no error
        # only workspace members: an existing outsider and a made-up id are refused
        for who in (w["outsider"].id, "acc_doesnotexist0000000000"):
            r = owner.request("PUT", f"/api/v1/workspaces/{A}/groups/{g['id']}/members/{who}")
            self.assertProblem(r, 404, "member.not_found")
        prod = self.create_product(owner, A, "layout", plan="enterprise", name="Layouts")
        self.grant(owner, A, prod["id"], g["id"], "editor", principal_type="group")
        r = w["member"].client.get(f"/api/v1/workspaces/{A}/groups/{g['id']}")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["member_ids"], [p.id], r)
        self.assertEqual(r.json["products"], [{"product_id": prod["id"], "role": "editor"}], r)
        r = owner.get(f"/api/v1/workspaces/{A}/products/{prod['id']}/grants")
        self.assertEqual(r.status, 200, r)
        self.assertEqual([(x["principal"], x["role"]) for x in r.json["items"]],
                         [({"type": "group", "id": g["id"]}, "editor")], r)
        # grants to unknown groups, non-members, unknown roles
        self.assertProblem(self.grant(owner, A, prod["id"], "grp_nosuch000000", "editor",
                                      principal_type="group", expect=404), 404, "group.not_found")
        self.assertProblem(self.grant(owner, A, prod["id"], w["outsider"].id, "editor",
                                      expect=404), 404, "member.not_found")
        self.assertProblem(self.grant(owner, A, prod["id"], p.id, "overlord", expect=400),
                           400, "grant.unknown_role", field="role")
        r = owner.request("PUT", f"/api/v1/workspaces/{A}/products/{prod['id']}/grants",
                          json_body={"principal": {"type": "robot", "id": p.id}, "role": "viewer"})
        self.assertProblem(r, 400)

        self.remove_from_group(owner, A, g["id"], p.id)
        r = owner.delete(f"/api/v1/workspaces/{A}/groups/{g['id']}/members/{p.id}")
        self.assertProblem(r, 404)
        self.assertEqual(self.products_by_id(owner, A)[prod["id"]]["users"], 0)
        r = owner.delete(f"/api/v1/workspaces/{A}/groups/{g['id']}")
        self.assertEqual(r.status, 204, r)
        r = owner.get(f"/api/v1/workspaces/{A}/groups/{g['id']}")
        self.assertProblem(r, 404, "group.not_found")
        r = owner.get(f"/api/v1/workspaces/{A}/products/{prod['id']}/grants")
        self.assertEqual(r.json["items"], [], r)      # its grants went with it

    def test_effective_role_and_immediate_revocation(self):
        w = self.world()
        A, owner, creds = w["A"], w["owner"].client, w["manage_client"]
        x = self.fresh_member()
        prod = self.create_product(owner, A, "manage", plan="enterprise", name="Ops")
        pid = prod["id"]

        def decide(permission=None):
            d = self.check(creds, x.id, pid, permission)
            return d["reason"], d["role"]

        self.assertEqual(decide(), ("no_grant", None))
        self.grant(owner, A, pid, x.id, "viewer")
        self.assertEqual(decide(), ("allowed", "viewer"))
        self.assertEqual(decide("jobs:read"), ("allowed", "viewer"))
        self.assertEqual(decide("jobs:create"), ("permission_not_in_role", "viewer"))
        g1 = self.create_group(owner, A, name="Ops editors")
        self.grant(owner, A, pid, g1["id"], "editor", principal_type="group")
        self.assertEqual(decide("jobs:create"), ("permission_not_in_role", "viewer"))
        self.add_to_group(owner, A, g1["id"], x.id)
        self.assertEqual(decide("jobs:create"), ("allowed", "editor"))
        self.assertEqual(self.products_by_id(x.client, A)[pid]["my_role"], "editor")
        g2 = self.create_group(owner, A, name="Ops admins")
        self.add_to_group(owner, A, g2["id"], x.id)
        self.grant(owner, A, pid, g2["id"], "admin", principal_type="group")
        self.assertEqual(decide("jobs:delete"), ("allowed", "admin"))
        # a lower direct grant does not lower the effective role
        self.grant(owner, A, pid, x.id, "viewer")
        self.assertEqual(decide("settings:manage"), ("allowed", "admin"))
        self.assertEqual(self.products_by_id(x.client, A)[pid]["my_role"], "admin")

        # every removal shows on the very next check (no waiting)
        self.remove_from_group(owner, A, g2["id"], x.id)
        self.assertEqual(decide("jobs:delete"), ("permission_not_in_role", "editor"))
        self.ungrant(owner, A, pid, g1["id"], principal_type="group")
        self.assertEqual(decide("jobs:create"), ("permission_not_in_role", "viewer"))
        self.grant(owner, A, pid, g1["id"], "editor", principal_type="group")
        self.assertEqual(decide("jobs:create"), ("allowed", "editor"))
        r = owner.delete(f"/api/v1/workspaces/{A}/groups/{g1['id']}")
        self.assertEqual(r.status, 204, r)
        self.assertEqual(decide("jobs:create"), ("permission_not_in_role", "viewer"))
        self.assertEqual(self.products_by_id(x.client, A)[pid]["my_role"], "viewer")
        self.ungrant(owner, A, pid, x.id)
        self.assertEqual(decide(), ("no_grant", None))
        self.assertIsNone(self.products_by_id(x.client, A)[pid]["my_role"])
        self.assertProblem(self.ungrant(owner, A, pid, x.id, expect=404), 404)

        # removing the workspace member removes their grants and group memberships
        self.grant(owner, A, pid, x.id, "editor")
        g3 = self.create_group(owner, A, name="Ops viewers")
        self.add_to_group(owner, A, g3["id"], x.id)
        self.grant(owner, A, pid, g3["id"], "viewer", principal_type="group")
        self.assertEqual(decide(), ("allowed", "editor"))
        r = owner.delete(f"/api/v1/workspaces/{A}/members/{x.id}")
        self.assertEqual(r.status, 204, r)
        self.assertEqual(decide(), ("not_member", None))
        self.assertEqual(self.products_by_id(owner, A)[pid]["users"], 0)
        r = owner.get(f"/api/v1/workspaces/{A}/groups/{g3['id']}")
        self.assertEqual(r.json["member_ids"], [], r)
        r = owner.get(f"/api/v1/workspaces/{A}/products/{pid}/grants")
        self.assertNotIn(x.id, [g["principal"]["id"] for g in r.json["items"]], r)
        self.join(owner, A, x, "member")      # back in: no access until granted again
        self.assertEqual(decide(), ("no_grant", None))

    def test_seat_limit_trial(self):
        w = self.world()
        A, owner = w["A"], w["owner"].client
        people = w["people"]
        prod = self.create_product(owner, A, "prepare", name="Seats")   # trial: 5 seats
        pid = prod["id"]
        for p in people[:5]:
            self.grant(owner, A, pid, p.id, "viewer")
        r = self.grant(owner, A, pid, people[5].id, "viewer", expect=409)
        self.assertProblem(r, 409, "product.seat_limit")
        # changing the role of someone already counted is fine
        self.grant(owner, A, pid, people[0].id, "admin")
        self.assertEqual(self.products_by_id(owner, A)[pid]["users"], 5)
        # a group of already-counted people costs nothing; a new person through it does
        g = self.create_group(owner, A, name="Seat group")
        self.add_to_group(owner, A, g["id"], people[1].id)
        self.grant(owner, A, pid, g["id"], "editor", principal_type="group")
        r = self.add_to_group(owner, A, g["id"], people[6].id, expect=409)
        self.assertProblem(r, 409, "product.seat_limit")
        g2 = self.create_group(owner, A, name="Seat group 2")
        self.add_to_group(owner, A, g2["id"], people[7].id)
        r = self.grant(owner, A, pid, g2["id"], "viewer", principal_type="group", expect=409)
        self.assertProblem(r, 409, "product.seat_limit")
        self.assertEqual(self.products_by_id(owner, A)[pid]["users"], 5)
        r = owner.get(f"/api/v1/workspaces/{A}/groups/{g['id']}")
        self.assertEqual(r.json["member_ids"], [people[1].id], r)   # nothing half-written
        # a bigger plan makes room; a smaller one must still fit
        r = owner.request("PUT", f"/api/v1/workspaces/{A}/products/{pid}/subscription",
                          json_body={"plan": "standard"})
        self.assertEqual(r.status, 200, r)
        self.grant(owner, A, pid, people[5].id, "viewer")
        self.assertEqual(self.products_by_id(owner, A)[pid]["users"], 6)
        r = owner.request("PUT", f"/api/v1/workspaces/{A}/products/{pid}/subscription",
                          json_body={"plan": "trial"})
        self.assertProblem(r, 409, "product.seat_limit")
        r = owner.get(f"/api/v1/workspaces/{A}/products/{pid}/subscription")
        self.assertEqual(r.json["plan"], "standard", r)

    def test_seat_limit_concurrent_grants(self):
        w = self.world()
        A, owner = w["A"], w["owner"]
        prod = self.create_product(owner.client, A, "layout", name="Race")   # trial: 5 seats
        pid = prod["id"]
        token = self.sign_in(owner.email, owner.password, mode="bearer").token
        people = w["people"]
        barrier = threading.Barrier(len(people))

        def put(person):
            c = self.client(mode="bearer")
            c.token = token
            barrier.wait(10)
            return c.request("PUT", f"/api/v1/workspaces/{A}/products/{pid}/grants",
                             json_body={"principal": {"type": "account", "id": person.id},
                                        "role": "viewer"})
        with concurrent.futures.ThreadPoolExecutor(len(people)) as pool:
            results = list(pool.map(put, people))
        statuses = sorted(r.status for r in results)
        self.assertEqual(statuses, [200] * 5 + [409] * 5, results)
        for r in results:
            if r.status == 409:
                self.assertProblem(r, 409, "product.seat_limit")
        granted = {people[i].id for i, r in enumerate(results) if r.status == 200}
        r = owner.client.get(f"/api/v1/workspaces/{A}/products/{pid}/grants")
        self.assertEqual({g["principal"]["id"] for g in r.json["items"]}, granted, r)
        self.assertEqual(self.products_by_id(owner.client, A)[pid]["users"], 5)

    def test_subscription_by_role(self):
        w = self.world()
        A, owner = w["A"], w["owner"].client
        prod = self.create_product(owner, A, "submit", name="Billing target")
        path = f"/api/v1/workspaces/{A}/products/{prod['id']}/subscription"
        for who in ("owner", "billing", "admin"):
            c = owner if who == "owner" else w[who].client
            r = c.get(path)
            self.assertEqual(r.status, 200, (who, r))
            self.assertEqual(r.json["plan"], "trial", r)
            self.assertEqual(r.json["provider"], "local", r)
        self.assertProblem(w["member"].client.get(path), 403, "permission.denied")
        for who, plan in (("owner", "standard"), ("billing", "enterprise")):
            c = owner if who == "owner" else w[who].client
            r = c.request("PUT", path, json_body={"plan": plan})
            self.assertEqual(r.status, 200, (who, r))
            self.assertEqual((r.json["plan"], r.json["status"]), (plan, "active"), r)
            self.assertIsNone(r.json["period_end"], r)
        for who in ("admin", "member"):
            r = w[who].client.request("PUT", path, json_body={"plan": "trial"})
            self.assertProblem(r, 403, "permission.denied")
        r = owner.request("PUT", path, json_body={"plan": "platinum"})
        self.assertProblem(r, 400, "product.unknown_plan", field="plan")
        r = owner.request("PUT", path, json_body={})
        self.assertProblem(r, 400, field="plan")
        self.assertEqual(owner.get(path).json["plan"], "enterprise")
        self.assertEqual(self.products_by_id(owner, A)[prod["id"]]["subscription"]["plan"],
                         "enterprise")

    def test_trial_expiry_by_clock_and_disable(self):
        w = self.world()
        A, owner, creds = w["A"], w["owner"], w["manage_client"]
        x = w["people"][9]
        prod = self.create_product(owner.client, A, "manage", name="Trial clock")
        pid = prod["id"]
        self.grant(owner.client, A, pid, x.id, "editor")
        self.assertEqual(self.reason(creds, x.id, pid, "jobs:create"), ("allowed", "editor"))
        try:
            self.vault.set_clock_offset(TRIAL_SECONDS - 120)
            self.assertEqual(self.reason(creds, x.id, pid, "jobs:create"), ("allowed", "editor"))
            self.vault.set_clock_offset(TRIAL_SECONDS + 1)
            self.assertEqual(self.reason(creds, x.id, pid, "jobs:create"),
                             ("product_inactive", "editor"))
            self.assertEqual(self.reason(creds, x.id, pid), ("product_inactive", "editor"))
            # a fresh session (the old one idled out in this future)
            c = self.sign_in(owner.email, owner.password)
            row = self.products_by_id(c, A)[pid]
            self.assertEqual(row["status"], "inactive", row)
            self.assertEqual(row["subscription"]["plan"], "trial", row)
            # choosing a paid plan brings it back
            r = c.request("PUT", f"/api/v1/workspaces/{A}/products/{pid}/subscription",
                          json_body={"plan": "standard"})
            self.assertEqual(r.status, 200, r)
            self.assertEqual(self.reason(creds, x.id, pid, "jobs:create"), ("allowed", "editor"))
            self.assertEqual(self.products_by_id(c, A)[pid]["status"], "active")
        finally:
            self.vault.set_clock_offset(0)
        # disabled by an administrator → inactive at once, enabled → active at once
        r = owner.client.patch(f"/api/v1/workspaces/{A}/products/{pid}", {"disabled": True})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["status"], "inactive", r)
        self.assertEqual(self.reason(creds, x.id, pid), ("product_inactive", "editor"))
        r = owner.client.patch(f"/api/v1/workspaces/{A}/products/{pid}", {"disabled": False})
        self.assertEqual(r.json["status"], "active", r)
        self.assertEqual(self.reason(creds, x.id, pid), ("allowed", "editor"))

    def test_shortname_unique_per_workspace_only(self):
        w = self.world()
        owner = w["owner"]
        b = self.create_workspace(owner.client, name="Second")
        name = unique_product_shortname("same")
        self.create_product(owner.client, w["A"], "manage", shortname=name)
        p = self.create_product(owner.client, b["id"], "manage", shortname=name)
        # the same shortname resolves to each workspace's own product
        r = owner.client.get(f"/api/v1/workspaces/{b['id']}/products/{name}")
        self.assertEqual(r.json["id"], p["id"], r)
        # a product id of A is not reachable through B
        a_products = self.products_by_id(owner.client, w["A"])
        some = next(iter(a_products))
        r = owner.client.get(f"/api/v1/workspaces/{b['id']}/products/{some}")
        self.assertProblem(r, 404, "product.not_found")
        self.assertEqual(set(SEED_ROLES["manage"]), {"admin", "editor", "viewer"})


if __name__ == "__main__":
    main()
