// Workspace pages, part A, through the browser: an Owner adds a product from the Products table,
// creates a group, puts a member in it and gives the group a role; gives and removes a direct
// grant; a Member sees everything read-only and no Billing; the Owner changes a plan on the
// Billing page; the Dashboard shows products, seats and what needs attention.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Vault, accountViaApi, launchBrowser, linkIn, newPage, signInThroughPages, uniqueEmail, visit } from "./harness.mjs";

let vault, browser, owner, member, ws, page;

/** An account made through the API (sign-up is tested elsewhere). */
const account = (name) => accountViaApi(vault, name);

/** Signs in through the sign-in page and waits until the signed-in frame shows the account. */
async function signedInThroughPages(p, who) {
  await signInThroughPages(p, who);
  await p.getByLabel(`Account menu for ${who.name}`).waitFor();
}

/** Invites an account to the workspace and accepts for it (API setup). */
async function join(who) {
  assert.equal((await vault.api("POST", `/api/v1/workspaces/${ws}/invitations`, { email: who.email }, owner.auth)).status, 201);
  const link = linkIn(await vault.smtp.waitFor(who.email, "You are invited"), "/invitations/accept");
  assert.equal((await vault.api("POST", "/api/v1/invitations/accept", { token: new URL(link).searchParams.get("token") }, who.auth)).status, 200);
}

before(async () => {
  vault = await new Vault().start();
  browser = await launchBrowser();
  owner = await account("Olga Owner");
  member = await account("Mia Member");
  const shortname = "acme-" + Date.now().toString(36);
  const w = await vault.api("POST", "/api/v1/workspaces", { name: "Acme Studio", shortname }, owner.auth);
  assert.equal(w.status, 201);
  ws = w.data.shortname;
  // Mia joins by invitation; a third invitation stays pending (the Dashboard counts it).
  await join(member);
  assert.equal((await vault.api("POST", `/api/v1/workspaces/${ws}/invitations`, { email: uniqueEmail("pending") }, owner.auth)).status, 201);

  page = await newPage(browser, vault);
  await signedInThroughPages(page, owner);
});
after(async () => {
  await browser?.close();
  await vault?.stop();
});

/** The cells of the table row named `name`, once it is there. */
async function cellsOf(p, name) {
  const row = p.getByRole("row", { name: new RegExp(name) });
  await row.waitFor();
  return row.locator("th, td").allInnerTexts();
}

test("an Owner adds a product from the Products page; the table shows all eight columns", async () => {
  await page.goto(`/w/${ws}/products`);
  await page.getByText("No products yet").waitFor();
  await visit(page, "workspace-products-empty");

  await page.getByRole("button", { name: "Add product" }).first().click();
  const dlg = page.getByRole("dialog", { name: "Add product" });
  await dlg.getByLabel("Product").selectOption({ label: "Atomyx Manage" });
  await dlg.getByLabel(/^Name/).fill("Manage HQ");
  assert.equal(await dlg.getByLabel(/^Short name/).inputValue(), "manage-hq", "the short name is derived from the name");
  assert.match(await dlg.getByLabel("Plan").locator("option:checked").innerText(), /^Trial/, "the trial plan is the default");
  await visit(page, "workspace-products-add");
  await dlg.getByRole("button", { name: "Add product" }).click();
  await page.getByRole("row", { name: /Manage HQ/ }).waitFor();

  // A taken short name comes back beside the field, and the dialog keeps what was typed.

  await page.getByRole("button", { name: "Add product" }).click();
  await dlg.getByLabel("Product").selectOption({ label: "Atomyx Submit" });
  await dlg.getByLabel(/^Name/).fill("Manage HQ");
  await dlg.getByRole("button", { name: "Add product" }).click();
  await dlg.getByText("That short name is already used by another product here.").waitFor();
  assert.equal(await dlg.getByLabel(/^Name/).inputValue(), "Manage HQ");
  await dlg.getByRole("button", { name: "Cancel" }).click();

  const created = new Intl.DateTimeFormat(owner.me.locale || undefined, { timeZone: owner.me.time_zone || undefined, dateStyle: "medium" }).format(new Date());
  assert.deepEqual(await cellsOf(page, "Manage HQ"), ["Manage HQ", "Atomyx Manage", "manage-hq", "Trial plan · In trial", "Active", "0", "None", created]);
  assert.deepEqual(
    await page.getByRole("columnheader").allInnerTexts(),
    ["Name", "Product", "Short name", "Subscription", "Status", "Users", "My Role", "Created on"],
  );
  await visit(page, "workspace-products");
});

test("a group with a member gets a role on the product: Users and the group's roles update", async () => {
  await page.getByRole("navigation", { name: "Workspace" }).getByRole("link", { name: "Groups" }).click();
  await page.getByText("No groups yet").waitFor();
  await page.getByRole("button", { name: "New group" }).first().click();
  const dlg = page.getByRole("dialog", { name: "New group" });
  await dlg.getByLabel(/^Name/).fill("Editors");
  await dlg.getByLabel("Description (optional)").fill("People who edit in Manage");
  await dlg.getByRole("button", { name: "Create group" }).click();
  await page.getByRole("heading", { name: "Editors", level: 1 }).waitFor();

  await page.getByLabel("Add a workspace member").selectOption({ label: `${member.name} (${member.email})` });
  await page.getByRole("button", { name: "Add to group" }).click();
  await page.getByRole("button", { name: `Remove ${member.name} from the group` }).waitFor();

  await page.getByRole("button", { name: "Add product role" }).click();
  const grant = page.getByRole("dialog", { name: "Give Editors a product role" });
  await grant.getByLabel("Product").selectOption({ label: "Manage HQ" });
  await grant.getByLabel("Role").selectOption({ label: "Editor" });
  await grant.getByRole("button", { name: "Give access" }).click();
  await page.getByRole("listitem").filter({ hasText: "Manage HQ · Editor" }).waitFor();
  await visit(page, "workspace-group-detail");

  await page.getByRole("link", { name: "Groups", exact: true }).first().click();
  assert.deepEqual((await cellsOf(page, "Editors")).slice(0, 2), ["Editors", "People who edit in Manage"]);
  await visit(page, "workspace-groups");

  await page.goto(`/w/${ws}/products`);
  await page.getByRole("row", { name: /Manage HQ/ }).waitFor();
  assert.equal((await cellsOf(page, "Manage HQ"))[5], "1", "Mia counts as a user through the group");
});

test("a direct grant to a person on the product page, then removed", async () => {
  await page.getByRole("link", { name: "Manage HQ" }).click();
  await page.getByRole("heading", { name: "Manage HQ", level: 1 }).waitFor();
  await page.getByText("1 of 5 seats used").waitFor();
  await page.getByRole("button", { name: "Add grant" }).click();
  const dlg = page.getByRole("dialog", { name: "Give access to Manage HQ" });
  await dlg.getByLabel("Person or group").selectOption({ label: `${owner.name} (${owner.email})` });
  await dlg.getByLabel("Role").selectOption({ label: "Admin" });
  await dlg.getByRole("button", { name: "Give access" }).click();
  const row = page.getByRole("row", { name: new RegExp(owner.name) });
  await row.waitFor();
  assert.equal(await row.locator("td").first().innerText(), "Admin");
  await page.getByText("2 of 5 seats used").waitFor();
  assert.ok(await page.getByRole("row", { name: /Group: Editors/ }).isVisible(), "the group's grant is listed too");
  await visit(page, "workspace-product-detail");

  await page.getByRole("button", { name: `Remove ${owner.name}` }).click();
  await row.waitFor({ state: "detached" });
  await page.getByText("1 of 5 seats used").waitFor();

  // With every seat of the Trial plan taken, a new grant is refused in words and nothing changes.
  const grants = `/api/v1/workspaces/${ws}/products/manage-hq/grants`;
  const extra = [];
  for (let i = 1; i <= 4; i++) {
    const who = await account(`Seat Holder${i}`);
    await join(who);
    assert.equal((await vault.api("PUT", grants, { principal: { type: "account", id: who.id }, role: "viewer" }, owner.auth)).status, 200);
    extra.push(who);
  }
  await page.reload();
  await page.getByText("5 of 5 seats used").waitFor();
  await page.getByRole("button", { name: "Add grant" }).click();
  await dlg.getByLabel("Person or group").selectOption({ label: `${owner.name} (${owner.email})` });
  await dlg.getByLabel("Role").selectOption({ label: "Viewer" });
  await dlg.getByRole("button", { name: "Give access" }).click();
  await dlg.getByText("The plan has no free seat for this. Change the plan or remove someone first.").waitFor();
  await dlg.getByRole("button", { name: "Cancel" }).click();
  assert.equal(await page.getByRole("row", { name: new RegExp(owner.name) }).count(), 0);
  for (const who of extra) assert.equal((await vault.api("DELETE", `${grants}/account/${who.id}`, undefined, owner.auth)).status, 204);
});

test("a Member sees products read-only and no Billing", async () => {
  const mpage = await newPage(browser, vault);
  await signedInThroughPages(mpage, member);
  await mpage.goto(`/w/${ws}/products`);
  await mpage.getByRole("row", { name: /Manage HQ/ }).waitFor();
  assert.equal((await cellsOf(mpage, "Manage HQ"))[6], "Editor", "My Role comes from the group");
  assert.equal(await mpage.getByRole("button", { name: "Add product" }).count(), 0);
  const nav = await mpage.getByRole("navigation", { name: "Workspace" }).getByRole("link").allInnerTexts();
  assert.ok(nav.includes("Products") && !nav.includes("Billing"), "no Billing in the sidebar: " + nav);
  await visit(mpage, "workspace-products-member");

  await mpage.getByRole("link", { name: "Manage HQ" }).click();
  await mpage.getByRole("row", { name: /Group: Editors/ }).waitFor();
  for (const name of ["Add grant", "Edit", "Disable", "Delete", "Remove"]) assert.equal(await mpage.getByRole("button", { name }).count(), 0, name);
  assert.equal(await mpage.getByRole("heading", { name: "Subscription" }).count(), 0);
  await visit(mpage, "workspace-product-detail-member");

  await mpage.goto(`/w/${ws}/billing`);
  await mpage.getByRole("heading", { name: "Not available to your role" }).waitFor();
  await mpage.context().close();
});

test("the Owner sees the trial on Billing and changes the plan to Standard", async () => {
  await page.getByRole("navigation", { name: "Workspace" }).getByRole("link", { name: "Billing" }).click();
  await page.getByRole("row", { name: /Manage HQ/ }).waitFor();
  const [name, plan, status, end, provider, action] = await cellsOf(page, "Manage HQ");
  assert.deepEqual([name, plan, status, provider], ["Manage HQ", "Trial", "In trial", "Local (in Vault)"]);
  assert.match(action, /^Change plan/);
  assert.match(end, /^Trial ends \S/);
  await visit(page, "workspace-billing");

  await page.getByRole("button", { name: "Change plan of Manage HQ" }).click();
  const dlg = page.getByRole("dialog", { name: "Change the plan of Manage HQ" });
  await dlg.getByLabel("Plan for Manage HQ").selectOption({ label: "Standard — 25 seats" });
  await dlg.getByRole("button", { name: "Change plan" }).click();
  await page.getByRole("row", { name: /Manage HQ/ }).getByText("Standard", { exact: true }).waitFor();
  assert.deepEqual((await cellsOf(page, "Manage HQ")).slice(1, 3), ["Standard", "Active"]);
});

test("the Dashboard shows products, seats, pending invitations and a disabled product as needing attention", async () => {
  await page.goto(`/w/${ws}/products/manage-hq`);
  await page.getByRole("button", { name: "Disable" }).click();
  const confirm = page.getByRole("dialog", { name: "Disable Manage HQ?" });
  await confirm.getByText("will be denied").waitFor();
  await confirm.getByRole("button", { name: "Disable product" }).click();
  await page.getByRole("button", { name: "Enable" }).waitFor();
  await page.locator(".meta-line").getByText("Inactive", { exact: true }).waitFor();

  await page.getByRole("navigation", { name: "Workspace" }).getByRole("link", { name: "Dashboard" }).click();
  await page.getByRole("heading", { name: "Acme Studio", level: 1 }).waitFor();
  const products = page.getByRole("article").filter({ has: page.getByRole("heading", { name: "Products" }) });
  await products.getByText("1 of 25 seats used").waitFor();
  await products.getByText("Inactive", { exact: true }).waitFor();
  const attention = page.getByRole("article").filter({ has: page.getByRole("heading", { name: "Needs attention" }) });
  await attention.getByText(/Manage HQ is inactive: it is disabled/).waitFor();
  const invitations = page.getByRole("article").filter({ has: page.getByRole("heading", { name: "Pending invitations" }) });
  await invitations.getByText("1 invitation waits").waitFor();
  const activity = page.getByRole("article").filter({ has: page.getByRole("heading", { name: "Recent activity" }) });
  await activity.getByText("Product disabled").waitFor();
  await visit(page, "workspace-dashboard");
});
