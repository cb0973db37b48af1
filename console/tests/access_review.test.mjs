// The access review page: an Owner sees every member × product with the role, where it comes
// from (direct or group), access and 2FA, and downloads it as CSV and NDJSON (all pages); a
// Member has no "Access review" in the sidebar. Setup (accounts, workspace, product, group,
// grants) goes through the JSON API; the page is what is tested.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { Vault, accountViaApi, launchBrowser, linkIn, newPage, signInThroughPages, visit } from "./harness.mjs";

let vault, browser, owner, member, ws;

/** An account made through the API (sign-up is tested elsewhere). */
const account = (name) => accountViaApi(vault, name);

async function ok(method, path, body, status) {
  const r = await vault.api(method, path, body, owner.auth);
  assert.equal(r.status, status, `${method} ${path}: ${JSON.stringify(r.data)}`);
  return r.data;
}

before(async () => {
  vault = await new Vault().start();
  browser = await launchBrowser();
  owner = await account("Olga Owner");
  member = await account("Mia Member");
  ws = (await ok("POST", "/api/v1/workspaces", { name: "Review Studio", shortname: "review-" + Date.now().toString(36) }, 201)).shortname;
  await ok("POST", `/api/v1/workspaces/${ws}/invitations`, { email: member.email }, 201);
  const link = linkIn(await vault.smtp.waitFor(member.email, "You are invited"), "/invitations/accept");
  assert.equal((await vault.api("POST", "/api/v1/invitations/accept", { token: new URL(link).searchParams.get("token") }, member.auth)).status, 200);
  await ok("POST", `/api/v1/workspaces/${ws}/products`, { product_type: "manage", name: "Manage HQ", shortname: "manage-hq", plan: "enterprise" }, 201);
  await ok("POST", `/api/v1/workspaces/${ws}/products`, { product_type: "submit", name: "Submit Desk", shortname: "submit-desk", plan: "enterprise" }, 201);
  const group = await ok("POST", `/api/v1/workspaces/${ws}/groups`, { name: "Editors" }, 201);
  await ok("PUT", `/api/v1/workspaces/${ws}/groups/${group.id}/members/${member.id}`, undefined, 204);
  await ok("PUT", `/api/v1/workspaces/${ws}/products/manage-hq/grants`, { principal: { type: "group", id: group.id }, role: "editor" }, 200);
  await ok("PUT", `/api/v1/workspaces/${ws}/products/manage-hq/grants`, { principal: { type: "account", id: owner.id }, role: "admin" }, 200);
});
after(async () => {
  await browser?.close();
  await vault?.stop();
});

/** Clicks `button` and returns the name and text of the file the page downloads. */
async function downloaded(page, button) {
  const [download] = await Promise.all([page.waitForEvent("download"), button.click()]);
  return { name: download.suggestedFilename(), text: fs.readFileSync(await download.path(), "utf8") };
}

test("an Owner reviews who can use what, and exports it as CSV and NDJSON", async () => {
  const page = await newPage(browser, vault);
  await signInThroughPages(page, owner);
  await page.getByLabel(`Account menu for ${owner.name}`).waitFor();
  await page.goto(`/w/${ws}`);
  await page.getByRole("navigation", { name: "Workspace" }).getByRole("link", { name: "Access review" }).click();
  const table = page.getByRole("region", { name: "Access review" });
  const miaManage = table.getByRole("row", { name: /Mia Member.*Manage HQ/ });
  await miaManage.waitFor();
  const cells = await miaManage.locator("td").allInnerTexts();
  assert.equal(cells[2], "editor");
  assert.match(cells[3], /editor via group “Editors”/);
  assert.match(cells[4], /Has access/);
  const miaSubmit = await table.getByRole("row", { name: /Mia Member.*Submit Desk/ }).locator("td").allInnerTexts();
  assert.equal(miaSubmit[2], "—");
  assert.match(miaSubmit[4], /No grant/);
  const olga = await table.getByRole("row", { name: /Olga Owner.*Manage HQ/ }).locator("td").allInnerTexts();
  assert.match(olga[3], /admin \(direct\)/);
  assert.equal(await table.getByRole("row").count(), 1 + 2 * 2, "a header and two people × two products");
  await visit(page, "workspace-access-review");

  const csv = await downloaded(page, page.getByRole("button", { name: "Export CSV" }));
  assert.match(csv.name, new RegExp(`^access-review-${ws}-\\d{4}-\\d{2}-\\d{2}\\.csv$`));
  const lines = csv.text.trim().split("\r\n");
  assert.match(lines[0], /^account_id,email,name,workspace_role,/);
  assert.equal(lines.length, 1 + 4);
  assert.ok(lines.some((l) => l.includes(member.email) && l.includes('"group:Editors:editor"')), csv.text);
  const nd = await downloaded(page, page.getByRole("button", { name: "Export NDJSON" }));
  const rows = nd.text.trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(rows.length, 4);
  assert.ok(rows.every((r) => "effective_role" in r && Array.isArray(r.sources)));
  await page.close();
});

test("a Member has no access review", async () => {
  const page = await newPage(browser, vault);
  await signInThroughPages(page, member);
  await page.getByLabel(`Account menu for ${member.name}`).waitFor();
  // The sidebar lists every entry until the workspace (and so the role) has loaded: wait for it.
  await page.goto(`/w/${ws}/users`);
  await page.getByRole("cell", { name: /Mia Member \(you\)/ }).waitFor();
  const nav = page.getByRole("navigation", { name: "Workspace" });
  assert.equal(await nav.getByRole("link", { name: "Access review" }).count(), 0);
  const r = await vault.api("GET", `/api/v1/workspaces/${ws}/access-review`, undefined, member.auth);
  assert.equal(r.status, 403);
  await page.close();
});
