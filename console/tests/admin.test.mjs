// The Super Admin area through the pages: the first Super Admin sets a password from the link the
// CLI printed, finds an account and disables it (that person is signed out at once and cannot
// sign in), enables it again, creates a service client whose secret is shown once, and adds a
// product type (a bad permission name is shown beside its field). A person who is not a Super
// Admin has no Super Admin entry and sees no admin data. Public clients and redirect URIs:
// admin_clients.test.mjs.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { PASSWORD, accountViaApi, assertNoProblems, newPage, signInThroughPages, startSuite, superAdminThroughPages, stopSuite, uniqueEmail, visit } from "./harness.mjs";

let vault, browser;
before(async () => ({ vault, browser } = await startSuite()));
after(() => stopSuite({ vault, browser }));

test("a Super Admin disables and enables an account; service clients and the catalogue", async () => {
  // A person with an account, signed in in their own browser.
  const userEmail = uniqueEmail("grace");
  const user = await newPage(browser, vault);
  await vault.createAccount("Grace Hopper", userEmail);
  await signInThroughPages(user, { email: userEmail });
  await user.getByRole("link", { name: "Profile" }).first().waitFor();
  await assert.rejects(user.getByRole("link", { name: "Super Admin" }).waitFor({ timeout: 500 }));

  // The first Super Admin, created from the command line, sets a password through the link.
  const admin = await newPage(browser, vault);
  await superAdminThroughPages(admin, vault);
  await admin.getByRole("link", { name: "Super Admin" }).click();
  await admin.getByRole("heading", { name: "Accounts", level: 1 }).waitFor();
  await visit(admin, "admin-accounts");

  // Search finds the person; their page shows the facts; disable them.
  await admin.getByRole("searchbox", { name: "Search by email or name" }).fill(userEmail);
  await admin.getByRole("button", { name: "Search" }).click();
  await admin.getByRole("link", { name: "Grace Hopper" }).click();
  await admin.getByRole("heading", { name: "Grace Hopper" }).waitFor();
  const graceId = decodeURIComponent(new URL(admin.url()).pathname.split("/").pop());
  assert.match(graceId, /^acc_/);
  await visit(admin, "admin-account");
  await admin.getByRole("button", { name: "Disable account" }).click();
  await admin.getByRole("dialog", { name: "Disable Grace Hopper?" }).getByRole("button", { name: "Disable account" }).click();
  await admin.getByRole("status").getByText(`${userEmail} is disabled`).waitFor();
  await admin.getByText("Disabled", { exact: true }).waitFor();

  // The disabled person is sent to sign-in on their next request, and cannot sign in.
  await user.goto("/profile");
  await user.waitForURL(/\/signin/);
  await signInThroughPages(user, { email: userEmail });
  await user.getByText("This account has been disabled.", { exact: false }).waitFor();

  // Enabled again, they can sign in.
  await admin.getByRole("button", { name: "Enable account" }).click();
  await admin.getByRole("dialog", { name: "Enable Grace Hopper?" }).getByRole("button", { name: "Enable account" }).click();
  await admin.getByRole("button", { name: "Disable account" }).waitFor();
  await signInThroughPages(user, { email: userEmail });
  await user.waitForURL(vault.url + "/");

  // Workspaces list (empty state) and the catalogue.
  const tabs = admin.getByRole("navigation", { name: "Super Admin" });
  await tabs.getByRole("link", { name: "Workspaces" }).click();
  await admin.getByRole("heading", { name: "Workspaces", level: 1 }).waitFor();
  await visit(admin, "admin-workspaces");
  await tabs.getByRole("link", { name: "Product catalogue" }).click();
  await admin.getByRole("cell", { name: "manage", exact: true }).waitFor();
  await visit(admin, "admin-product-types");
  await admin.getByRole("button", { name: "New product type" }).click();
  const dlg = admin.getByRole("dialog", { name: "New product type" });
  await dlg.getByLabel("Key").fill("reports");
  await dlg.getByLabel("Name", { exact: true }).fill("Atomyx Reports");
  await dlg.getByLabel("Roles").fill("admin 3 reports:write\nviewer 1 bad!perm");
  await dlg.getByRole("button", { name: "Create product type" }).click();
  await dlg.locator(".field-error", { hasText: "roles[1].permissions" }).waitFor();
  await dlg.getByLabel("Roles").fill("admin 3 reports:write\nviewer 1 reports:read");
  await dlg.getByRole("button", { name: "Create product type" }).click();
  await admin.getByRole("cell", { name: "Atomyx Reports" }).waitFor();

  // A service client's secret is shown once, in a dialog that Escape does not close.
  await tabs.getByRole("link", { name: "Service clients" }).click();
  await admin.getByText("No service clients yet").waitFor();
  await visit(admin, "admin-service-clients-empty");
  await admin.getByRole("button", { name: "New service client" }).first().click();
  const create = admin.getByRole("dialog", { name: "New service client" });
  await create.getByLabel("Name").fill("Reports production");
  await create.getByLabel("Product type").selectOption({ label: "Atomyx Reports" });
  await create.getByRole("button", { name: "Create service client" }).click();
  const shown = admin.getByRole("dialog", { name: "Service client secret" });
  const secret = (await shown.getByTestId("client-secret").textContent()).trim();
  assert.match(secret, /^[A-Za-z0-9_-]{43}$/);
  await admin.keyboard.press("Escape");
  assert.ok(await shown.isVisible(), "Escape must not dismiss a secret shown once");
  await shown.getByRole("button", { name: "I have saved it" }).click();
  await admin.getByRole("cell", { name: "Reports production", exact: true }).waitFor();
  await visit(admin, "admin-service-clients");
  assert.ok(!(await admin.content()).includes(secret), "the secret is gone from the page");

  // The secret works as HTTP Basic for the product-facing API.
  const clientId = (await admin.locator("td.secret").first().textContent()).trim();
  const basicOf = (s) => ({ Authorization: "Basic " + Buffer.from(`${clientId}:${s}`).toString("base64") });
  const probe = { account_id: "acc_x", product_id: "prd_x" };
  const check = await vault.api("POST", "/api/v1/access/check", probe, basicOf(secret));
  assert.equal(check.status, 200, JSON.stringify(check.data));

  // Rotating shows a new secret once; the old one stops working.
  await admin.getByRole("button", { name: "Rotate secret of Reports production" }).click();
  await admin.getByRole("dialog", { name: "Rotate the secret of Reports production?" }).getByRole("button", { name: "Rotate secret" }).click();
  const rotated = (await shown.getByTestId("client-secret").textContent()).trim();
  assert.match(rotated, /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual(rotated, secret);
  await shown.getByRole("button", { name: "I have saved it" }).click();
  assert.equal((await vault.api("POST", "/api/v1/access/check", probe, basicOf(secret))).status, 401);
  assert.equal((await vault.api("POST", "/api/v1/access/check", probe, basicOf(rotated))).status, 200);

  // Rotating with a grace period: both secrets work until it ends, and the dialog says until when.
  await admin.getByRole("button", { name: "Rotate secret of Reports production" }).click();
  const rotate = admin.getByRole("dialog", { name: "Rotate the secret of Reports production?" });
  await rotate.getByLabel("The current secret").selectOption("3600");
  await visit(admin, "admin-service-client-rotate");
  await rotate.getByRole("button", { name: "Rotate secret" }).click();
  const graced = (await shown.getByTestId("client-secret").textContent()).trim();
  assert.notEqual(graced, rotated);
  assert.match(await shown.getByTestId("previous-secret-note").textContent(), /keeps working until/);
  await shown.getByRole("button", { name: "I have saved it" }).click();
  assert.equal((await vault.api("POST", "/api/v1/access/check", probe, basicOf(rotated))).status, 200, "the previous secret works during the grace");
  assert.equal((await vault.api("POST", "/api/v1/access/check", probe, basicOf(graced))).status, 200);

  // The platform audit: every Super Admin action above, newest first; filtered by action and by
  // the disabled person as target; exported as CSV.
  await tabs.getByRole("link", { name: "Audit" }).click();
  await admin.getByRole("heading", { name: "Platform audit", level: 1 }).waitFor();
  const table = admin.getByRole("region", { name: "Platform audit events" });
  await table.getByText("admin.service_client_secret_rotated").first().waitFor();
  await visit(admin, "admin-audit");
  await admin.getByLabel("Action").fill("admin.account_disabled");
  await admin.getByRole("button", { name: "Filter" }).click();
  await admin.waitForURL(/\/admin\/audit\?action=admin.account_disabled/);
  // The list reloads for the new filter: wait until no unfiltered event is left.
  await table.getByText("admin.service_client_created").waitFor({ state: "detached" });
  await table.getByText("admin.account_disabled").waitFor();
  const shownActions = (await table.locator("code").allTextContents()).map((t) => t.trim());
  assert.deepEqual(shownActions, ["admin.account_disabled"], "only the filtered action");
  await admin.getByLabel("Target id").fill(graceId);
  await admin.getByLabel("Action").fill("");
  await admin.getByRole("button", { name: "Filter" }).click();
  await admin.waitForURL(new RegExp(`target=${graceId}`));
  await table.getByText("admin.account_enabled").waitFor();
  await table.locator("code").nth(1).waitFor();
  const aboutGrace = (await table.locator("code").allTextContents()).map((t) => t.trim());
  assert.deepEqual(
    aboutGrace.filter((a) => a.startsWith("admin.")),
    ["admin.account_enabled", "admin.account_disabled"],
    "the Super Admin's actions on that account, newest first",
  );
  assert.ok(aboutGrace.includes("account.created") && !aboutGrace.some((a) => a.startsWith("admin.service_client")), aboutGrace.join(", "));
  const [file] = await Promise.all([admin.waitForEvent("download"), admin.getByRole("button", { name: "Export CSV" }).click()]);
  const csv = fs.readFileSync(await file.path(), "utf8");
  assert.match(csv.split("\n")[0], /action/, "a CSV header");
  assert.match(csv, /admin\.account_disabled/);
  await admin.getByLabel("From (UTC day)").fill("2000-01-01");
  await admin.getByLabel("To (UTC day, included)").fill("2000-01-02");
  await admin.getByRole("button", { name: "Filter" }).click();
  await admin.getByText("No events match these filters").waitFor();

  // A person who is not a Super Admin opening the area directly sees no admin data.
  await user.goto("/admin/accounts");
  await user.getByText("Only Super Admins can open this area.").waitFor();
  assertNoProblems(admin);
  assertNoProblems(user);
});

// Issue 19: on a workspace's Super Admin page, suspend it with a reason (its members see a
// banner and their changes are refused), resume it, assign an Owner found by search, and delete
// it after typing its short name.
test("a Super Admin suspends, resumes, assigns an Owner to and deletes a workspace", async () => {
  const owner = await accountViaApi(vault, "Olive Owner");
  const heir = await accountViaApi(vault, "Hugo Heir");
  const shortname = "susp-" + Date.now().toString(36);
  const made = await vault.api("POST", "/api/v1/workspaces", { name: "Olive Studio", shortname }, owner.auth);
  assert.equal(made.status, 201, JSON.stringify(made.data));
  const member = await newPage(browser, vault);
  await signInThroughPages(member, { email: owner.email });
  await member.waitForURL(vault.url + "/");

  const admin = await newPage(browser, vault);
  await superAdminThroughPages(admin, vault, "Sue Admin");
  await admin.goto(`/admin/workspaces/${made.data.id}`);
  await admin.getByRole("heading", { name: "Olive Studio" }).waitFor();
  await visit(admin, "admin-workspace");

  // Suspend: the reason is required and shown beside its field; then the page says why.
  await admin.getByRole("button", { name: "Suspend workspace" }).click();
  const suspend = admin.getByRole("dialog", { name: "Suspend Olive Studio?" });
  await suspend.getByRole("button", { name: "Suspend workspace" }).click();
  await suspend.locator(".field-error").waitFor();
  await suspend.getByLabel("Reason").fill("Unpaid invoices since March");
  await visit(admin, "admin-workspace-suspend-dialog");
  await suspend.getByRole("button", { name: "Suspend workspace" }).click();
  await admin.getByText("Unpaid invoices since March").waitFor();
  await admin.getByRole("button", { name: "Resume workspace" }).waitFor();
  await visit(admin, "admin-workspace-suspended");

  // The member sees the banner, can read, and a change is refused with a clear message.
  await member.goto(`/w/${shortname}/settings`);
  await member.getByText("This workspace is suspended.").waitFor();
  await visit(member, "workspace-suspended-banner");
  assert.ok(!(await member.content()).includes("Unpaid invoices"), "members do not see the reason");
  const name = member.getByLabel("Name", { exact: true });
  await name.fill("Renamed");
  await member.getByRole("button", { name: "Save details" }).click();
  await member.getByText("It is read-only until they resume it.", { exact: false }).waitFor();

  // Resume: the banner is gone on the member's next visit.
  await admin.getByRole("button", { name: "Resume workspace" }).click();
  await admin.getByRole("dialog", { name: "Resume Olive Studio?" }).getByRole("button", { name: "Resume workspace" }).click();
  await admin.getByRole("button", { name: "Suspend workspace" }).waitFor();
  await member.goto(`/w/${shortname}`);
  await member.getByRole("heading", { level: 1 }).first().waitFor();
  assert.equal(await member.getByText("This workspace is suspended.").count(), 0);

  // Assign an Owner found by search: the members table shows them as Owner.
  await admin.getByRole("button", { name: "Assign Owner" }).click();
  const assign = admin.getByRole("dialog", { name: "Assign an Owner to Olive Studio" });
  await assign.getByRole("searchbox", { name: "Find an account by email or name" }).fill(heir.email);
  await assign.getByRole("button", { name: "Search" }).click();
  await assign.getByRole("button", { name: `Make ${heir.email} an Owner` }).waitFor();
  await visit(admin, "admin-workspace-assign-owner");
  await assign.getByRole("button", { name: `Make ${heir.email} an Owner` }).click();
  await admin.getByRole("row", { name: new RegExp(heir.email) }).getByText("Owner").waitFor();

  // Delete after typing the short name; the list no longer has it.
  await admin.getByRole("button", { name: "Delete workspace" }).click();
  const del = admin.getByRole("dialog", { name: "Delete Olive Studio?" });
  const go = del.getByRole("button", { name: "Delete workspace" });
  assert.ok(await go.isDisabled(), "deleting needs the typed short name");
  await del.getByLabel(`Type ${shortname} to confirm`).fill(shortname);
  await visit(admin, "admin-workspace-delete-dialog");
  await go.click();
  await admin.waitForURL(/\/admin\/workspaces$/);
  assert.equal((await vault.api("GET", `/api/v1/workspaces/${shortname}`, undefined, owner.auth)).status, 404);
  assertNoProblems(admin);
});

test("a Super Admin without two-factor authentication is sent to turn it on", async () => {
  // VAULT_SUPER_ADMIN_REQUIRE_2FA is on by default: the account is a Super Admin, the area says
  // what is missing and links to Security.
  const email = uniqueEmail("bare");
  const link = vault.createSuperAdmin(email, "Bare Admin");
  assert.equal((await vault.api("POST", "/api/v1/password/reset", { token: new URL(link).searchParams.get("token"), password: PASSWORD })).status, 204);
  const page = await newPage(browser, vault);
  await signInThroughPages(page, { email });
  await page.getByRole("link", { name: "Super Admin" }).click();
  await page.getByText("The Super Admin area needs two-factor authentication on your account.").waitFor();
  await visit(page, "admin-requires-2fa");
  await page.getByRole("link", { name: "Turn on two-factor authentication" }).click();
  await page.waitForURL(/\/security$/);
  assertNoProblems(page);
});
