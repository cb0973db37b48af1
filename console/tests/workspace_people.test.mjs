// Workspace people and keys through the pages: invitations and roles (Users), API keys shown
// once (ApiKeys), the audit log with its exports (Audit), and the workspace settings down to
// deleting it (Settings). Setup that is not the subject (accounts, the workspace, a product, a
// service client) goes through the JSON API; each step builds on the one before.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import zlib from "node:zlib";
import { PASSWORD, Vault, launchBrowser, linkIn, newPage, signInThroughPages, superAdminViaApi, totp, uniqueEmail, visit } from "./harness.mjs";

let vault, browser, ownerPage, memberPage, bearer;
const owner = { name: "Olivia Owner", email: uniqueEmail("owner") };
const member = { name: "Mia Member", email: uniqueEmail("mia") };
let shortname = "people-" + Date.now().toString(36);
const wsPath = (p = "") => `/w/${shortname}${p}`;
const auth = () => ({ Authorization: `Bearer ${bearer}` });

/** Signs up through the API (setup only): sign-up, the mailed link, a password. */
async function signUpViaApi(name, email) {
  await vault.api("POST", "/api/v1/signup", { name, email });
  const mail = await vault.smtp.waitFor(email, "Verify your email address");
  const token = new URL(linkIn(mail, "/signup/complete")).searchParams.get("token");
  const r = await vault.api("POST", "/api/v1/signup/complete", { token, password: PASSWORD });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  return r.data.session_token;
}

/** The n-th mail (1-based) to `to` whose subject contains `subject`. */
function nthMail(to, subject, n) {
  const hits = () => vault.smtp.messages.filter((m) => m.to.includes(to.toLowerCase()) && m.subject.includes(subject));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no mail #${n} to ${to}`)), 15000);
    const check = () => {
      if (hits().length < n) return false;
      clearTimeout(timer);
      resolve(hits()[n - 1]);
      return true;
    };
    if (!check()) vault.smtp.waiters.push(check);
  });
}

const tokenOf = (mail, path) => new URL(linkIn(mail, path)).searchParams.get("token");

/** Clicks `button` and returns the text of the file the page downloads. */
async function downloaded(page, button) {
  const [download] = await Promise.all([page.waitForEvent("download"), button.click()]);
  return { name: download.suggestedFilename(), text: fs.readFileSync(await download.path(), "utf8") };
}

/** A w×h PNG of one colour, built here (signature, IHDR, IDAT, IEND). */
function png(w, h) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: w }, () => [0x2a, 0x6f, 0xdb]).flat())]);
  const raw = Buffer.concat(Array.from({ length: h }, () => row));
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk("IHDR", ihdr), chunk("IDAT", zlib.deflateSync(raw)), chunk("IEND", Buffer.alloc(0))]);
}

const nav = (page) => page.getByRole("navigation", { name: "Workspace" });

before(async () => {
  vault = await new Vault().start();
  browser = await launchBrowser();
  bearer = await signUpViaApi(owner.name, owner.email);
  const ws = await vault.api("POST", "/api/v1/workspaces", { name: "People Inc", shortname }, auth());
  assert.equal(ws.status, 201, JSON.stringify(ws.data));
  ownerPage = await newPage(browser, vault);
  await signInThroughPages(ownerPage, owner);
  await ownerPage.waitForURL((u) => !u.pathname.startsWith("/signin"));
});
after(async () => {
  await browser?.close();
  await vault?.stop();
});

test("1. an invitation from the Users page becomes a member who signed up through it", async () => {
  const page = ownerPage;
  await page.goto(wsPath("/users"));
  await page.getByRole("heading", { name: "Users", level: 1 }).waitFor();
  await page.getByRole("cell", { name: /Olivia Owner \(you\)/ }).waitFor();
  await page.getByText("No pending invitations").waitFor();
  await visit(page, "workspace-users");

  await page.getByLabel("Email").fill(member.email);
  assert.equal(await page.locator("select[name=role]").inputValue(), "member");
  await page.getByRole("button", { name: "Send invitation" }).click();
  await page.getByRole("status").getByText(`Invitation sent to ${member.email}.`).waitFor();
  const pending = page.getByRole("region", { name: "Pending invitations" });
  await pending.getByRole("cell", { name: member.email, exact: true }).waitFor();
  assert.equal(await page.getByLabel("Email").inputValue(), "", "the form is ready for the next person");

  // The invitee opens the mailed link in their own browser and signs up through it.
  const mail = await vault.smtp.waitFor(member.email, "You are invited to join People Inc");
  memberPage = await newPage(browser, vault);
  await memberPage.goto(linkIn(mail, "/invitations/accept"));
  await memberPage.getByRole("heading", { name: "You are invited to a workspace" }).waitFor();
  await memberPage.getByLabel("Your name").fill(member.name);
  await memberPage.getByLabel("Password").fill(PASSWORD);
  await memberPage.getByRole("button", { name: "Accept invitation" }).click();
  await memberPage.waitForURL((u) => u.pathname === wsPath());
  await nav(memberPage).getByRole("link", { name: "Users" }).waitFor();

  // The Owner sees them as a member, and the invitation is no longer pending.
  await page.reload();
  const members = page.getByRole("region", { name: "Members" });
  const row = members.getByRole("row", { name: new RegExp(member.name) });
  await row.waitFor();
  await row.getByText(member.email).waitFor();
  assert.equal(await page.getByLabel(`Role of ${member.name}`).inputValue(), "member");
  assert.match(await row.innerText(), /\bOff\b/, "2FA shown in words");
  assert.match(await row.innerText(), /None/, "no groups yet");
  await page.getByText("No pending invitations").waitFor();
  assert.equal(await page.getByText(member.email).count(), 1, "only in the members table");
});

test("2. a role change changes what the person sees; resend and revoke invitations", async () => {
  const page = ownerPage;
  // As Member: no API keys / Settings / Audit, no management controls, Settings refused.
  await memberPage.goto(wsPath("/users"));
  await memberPage.getByRole("heading", { name: "Users", level: 1 }).waitFor();
  await memberPage.getByRole("cell", { name: /Mia Member \(you\)/ }).waitFor();
  for (const label of ["API keys", "Settings", "Audit", "Billing"]) assert.equal(await nav(memberPage).getByRole("link", { name: label }).count(), 0, label);
  assert.equal(await memberPage.getByRole("combobox", { name: /^Role of/ }).count(), 0, "a Member changes no roles");
  assert.equal(await memberPage.getByRole("button", { name: /^Remove/ }).count(), 0, "a Member removes nobody");
  assert.equal(await memberPage.getByRole("button", { name: "Send invitation" }).count(), 0, "a Member invites nobody");
  await memberPage.getByRole("button", { name: "Leave workspace" }).waitFor();
  await visit(memberPage, "workspace-users-member");
  await memberPage.goto(wsPath("/settings"));
  await memberPage.getByRole("heading", { name: "Not available to your role" }).waitFor();

  // The Owner makes them Admin.
  await page.getByLabel(`Role of ${member.name}`).selectOption("admin");
  await page.getByRole("status").getByText(`${member.name} is now Admin.`).waitFor();

  await memberPage.reload();
  await memberPage.getByRole("heading", { name: "Settings", level: 1 }).waitFor();
  for (const label of ["API keys", "Settings", "Audit"]) await nav(memberPage).getByRole("link", { name: label }).waitFor();
  assert.equal(await memberPage.getByRole("button", { name: "Delete workspace" }).count(), 0, "deleting is for Owners");
  assert.equal(await memberPage.getByLabel("Short name").count(), 0, "the short name is for Owners");
  // As Admin on Users: no control over the Owner, and Owner is not a role they can give.
  await nav(memberPage).getByRole("link", { name: "Users" }).click();
  await memberPage.getByRole("button", { name: "Send invitation" }).waitFor();
  assert.equal(await memberPage.getByLabel(`Role of ${owner.name}`).count(), 0);
  assert.equal(await memberPage.getByRole("button", { name: `Remove ${owner.name}` }).count(), 0);
  assert.deepEqual(await memberPage.locator("select[name=role]").locator("option").allTextContents(), ["Admin", "Member", "Billing"]);

  // Resend one invitation (a new link; the old one stops working) and revoke another.
  const ann = uniqueEmail("ann");
  const bob = uniqueEmail("bob");
  for (const email of [ann, bob]) {
    await page.getByLabel("Email").fill(email);
    await page.getByRole("button", { name: "Send invitation" }).click();
    await page.getByRole("region", { name: "Pending invitations" }).getByRole("cell", { name: email, exact: true }).waitFor();
  }
  await visit(page, "workspace-users-invitations");
  const first = await nthMail(ann, "You are invited", 1);
  await page.getByRole("button", { name: `Resend to ${ann}` }).click();
  await page.getByRole("status").getByText(`A new invitation was sent to ${ann}. The earlier link no longer works.`).waitFor();
  const second = await nthMail(ann, "You are invited", 2);
  assert.notEqual(tokenOf(first, "/invitations/accept"), tokenOf(second, "/invitations/accept"));
  const old = await vault.api("POST", "/api/v1/invitations/decline", { token: tokenOf(first, "/invitations/accept") });
  assert.equal(old.status, 400, "the earlier link no longer works");

  await page.getByRole("button", { name: `Revoke invitation to ${bob}` }).click();
  const dialog = page.getByRole("dialog", { name: `Revoke the invitation to ${bob}?` });
  await dialog.getByText("The link in their email stops working.").waitFor();
  await dialog.getByRole("button", { name: "Revoke invitation" }).click();
  await dialog.waitFor({ state: "hidden" });
  await page.getByRole("status").getByText(`The invitation to ${bob} was revoked.`).waitFor();
  const pending = page.getByRole("region", { name: "Pending invitations" });
  assert.equal(await pending.getByRole("cell", { name: bob, exact: true }).count(), 0);
  await pending.getByRole("cell", { name: ann, exact: true }).waitFor();
  const list = await vault.api("GET", `/api/v1/workspaces/${shortname}/invitations`, undefined, auth());
  assert.deepEqual(list.data.items.map((i) => i.email), [ann]);

  // The only Owner cannot leave: the page says why and what to do.
  await page.getByRole("button", { name: "Leave workspace" }).click();
  const leave = page.getByRole("dialog", { name: "Leave People Inc?" });
  await leave.getByRole("button", { name: "Leave workspace" }).click();
  await leave.getByRole("alert").getByText("You are the only Owner of People Inc. Make another member Owner first").waitFor();
  await leave.getByRole("button", { name: "Cancel" }).click();
  assert.ok(page.url().endsWith(wsPath("/users")));
});

test("3. an API key is shown once, works, rolls and is revoked with a named confirmation", async () => {
  // Setup: a product, and a service client of its type to ask Vault about keys.
  const product = await vault.api("POST", `/api/v1/workspaces/${shortname}/products`, { product_type: "manage", name: "Manage", shortname: "manage" }, auth());
  assert.equal(product.status, 201, JSON.stringify(product.data));
  const root = await superAdminViaApi(vault);
  const client = await vault.api("POST", "/api/v1/admin/service-clients", { product_type: "manage", name: "Manage back end" }, root.auth);
  assert.equal(client.status, 201, JSON.stringify(client.data));
  const basic = { Authorization: "Basic " + Buffer.from(`${client.data.client_id}:${client.data.client_secret}`).toString("base64") };
  const verify = async (key) => (await vault.api("POST", "/api/v1/keys/verify", { key, environment: "production", permission: "jobs:read" }, basic)).data;

  const page = ownerPage;
  await page.goto(wsPath("/api-keys"));
  await page.getByText("No API keys yet").waitFor();
  await visit(page, "workspace-api-keys-empty");
  await page.getByRole("button", { name: "Create API key" }).click();
  const create = page.getByRole("dialog", { name: "Create an API key" });
  await create.getByLabel("Name").fill("CI uploader");
  assert.deepEqual(await create.getByLabel("Environment").locator("option").evaluateAll((os) => os.map((o) => o.value)), ["production", "staging", "development"]);
  // Permissions are the product type's, as the API has them; none chosen → the error is beside them.
  await create.getByRole("button", { name: "Create key" }).click();
  await create.getByText("Choose at least one permission.").waitFor();
  await visit(page, "workspace-api-key-create");
  await create.getByLabel("jobs:read").check();
  await create.getByLabel("jobs:create").check();
  await create.getByRole("button", { name: "Create key" }).click();

  // Shown once, in a dialog that Escape does not close and Done only after "saved".
  const shown = page.getByRole("dialog", { name: "Your new API key “CI uploader”" });
  await shown.getByText("you will not see this again").waitFor();
  const key = (await shown.getByLabel("The secret").innerText()).trim();
  assert.match(key, /^avk_live_[a-z2-7]{20}_[0-9A-Za-z]{49}$/);
  await page.keyboard.press("Escape");
  assert.ok(await shown.isVisible(), "Escape does not dismiss the key");
  assert.ok(await shown.getByRole("button", { name: "Done" }).isDisabled());
  await shown.getByRole("button", { name: "Copy" }).click();
  await shown.getByRole("button", { name: "Copied" }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), key);
  const file = await downloaded(page, shown.getByRole("button", { name: "Download" }));
  assert.equal(file.text.trim(), key);
  assert.equal(file.name, "CI-uploader.txt");
  await visit(page, "workspace-api-key-shown");
  await shown.getByLabel("I have saved it somewhere safe").check();
  await shown.getByRole("button", { name: "Done" }).click();
  await shown.waitFor({ state: "hidden" });

  // Afterwards: only the prefix and the last four, nowhere the key.
  const listed = (await vault.api("GET", `/api/v1/workspaces/${shortname}/api-keys`, undefined, auth())).data.items[0];
  assert.ok(key.startsWith(listed.prefix + "_") && key.endsWith(listed.last_four));
  const row = page.getByRole("region", { name: "API keys" }).getByRole("row", { name: /CI uploader/ });
  await row.getByText(`${listed.prefix}_…${listed.last_four}`).waitFor();
  assert.match(await row.innerText(), /Manage[\s\S]*Production[\s\S]*jobs:read[\s\S]*jobs:create[\s\S]*Never[\s\S]*Active/);
  assert.ok(!(await page.content()).includes(key.slice(-30)), "the key's secret is nowhere on the page");
  await visit(page, "workspace-api-keys");
  const first = await verify(key);
  assert.equal(first.valid, true, JSON.stringify(first));
  assert.equal(first.name, "CI uploader");

  // Roll without grace: a new key, shown once; the old one stops working.
  await row.getByRole("button", { name: "Roll CI uploader" }).click();
  const roll = page.getByRole("dialog", { name: "Roll “CI uploader”" });
  await roll.getByText("Without a grace period the old key stops working at once").waitFor();
  await roll.getByRole("button", { name: "Roll key" }).click();
  await shown.getByText(`The old key ${listed.redacted} has stopped working.`).waitFor();
  const rolled = (await shown.getByLabel("The secret").innerText()).trim();
  assert.notEqual(rolled, key);
  await shown.getByLabel("I have saved it somewhere safe").check();
  await shown.getByRole("button", { name: "Done" }).click();
  assert.deepEqual(await verify(key), { valid: false, reason: "revoked" });
  assert.equal((await verify(rolled)).valid, true);

  // Revoke the new key, named in the confirmation.
  const active = page.getByRole("region", { name: "API keys" }).getByRole("row", { name: /CI uploader.*Active/ });
  await active.getByRole("button", { name: "Revoke CI uploader" }).click();
  const confirm = page.getByRole("dialog", { name: "Revoke the key “CI uploader”?" });
  await confirm.getByText("stops working at once").waitFor();
  await confirm.getByRole("button", { name: "Revoke key" }).click();
  await page.getByRole("status").getByText("The key “CI uploader” was revoked.").waitFor();
  assert.deepEqual(await verify(rolled), { valid: false, reason: "revoked" });
  await page.getByRole("button", { name: /^Revoke CI uploader/ }).waitFor({ state: "detached" });
  assert.equal(await page.getByRole("region", { name: "API keys" }).getByText("Revoked").count(), 2);
});

test("4. the audit log reads in words, filters by prefix, pages, and exports CSV and NDJSON", async () => {
  // Setup: enough events for a second page.
  for (let i = 0; i < 50; i++) await vault.api("PATCH", `/api/v1/workspaces/${shortname}`, { description: `Edit ${i}` }, auth());
  const all = (await vault.api("GET", `/api/v1/workspaces/${shortname}/audit?limit=1000`, undefined, auth())).data.items;

  const page = ownerPage;
  await page.goto(wsPath("/audit"));
  const table = page.getByRole("region", { name: "Audit events" });
  await table.getByRole("row").nth(1).waitFor();
  assert.equal(await table.getByRole("row").count(), 51, "a first page of 50");
  await page.getByRole("button", { name: "Load more" }).click();
  await table.getByText("Created the workspace").waitFor();
  assert.equal(await table.getByRole("row").count(), all.length + 1);
  for (const words of ["Invited someone", "Accepted an invitation", "Changed a member's role", "Resent an invitation", "Revoked an invitation", "Created an API key", "Rolled an API key", "Revoked an API key"])
    await table.getByText(words, { exact: true }).first().waitFor();
  const change = table.getByRole("row", { name: /Changed a member's role/ });
  assert.match(await change.innerText(), /Olivia Owner[\s\S]*Mia Member[\s\S]*member → admin/);
  await visit(page, "workspace-audit");

  await page.getByLabel("Action").fill("member.");
  await page.getByRole("button", { name: "Filter" }).click();
  await page.waitForURL((u) => u.searchParams.get("action") === "member.");
  // The unfiltered rows stay until the filtered page arrives: wait for them to go first.
  await table.getByText("Created an API key").first().waitFor({ state: "detached" });
  await table.getByText("Changed a member's role").waitFor();
  assert.equal(await table.getByText("Created an API key").count(), 0);
  const codes = await table.locator("tbody code").allTextContents();
  assert.ok(codes.length > 0 && codes.every((c) => c.startsWith("member.")), codes.join());

  const csv = await downloaded(page, page.getByRole("button", { name: "Export CSV" }));
  assert.match(csv.name, new RegExp(`^audit-${shortname}-\\d{4}-\\d{2}-\\d{2}\\.csv$`));
  const rows = csv.text.trim().split("\n");
  assert.match(rows[0], /action/, "a header row");
  assert.equal(rows.length - 1, codes.length, "one row per filtered event");
  assert.ok(rows.slice(1).every((r) => r.includes("member.")));
  assert.ok(csv.text.includes("member.role_changed"));

  await page.getByRole("button", { name: "Show all" }).click();
  await page.waitForURL((u) => !u.search);
  await page.getByRole("button", { name: "Load more" }).waitFor();
  const nd = await downloaded(page, page.getByRole("button", { name: "Export NDJSON" }));
  const events = nd.text.trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(events.length, all.length, "every event, across pages");
  assert.deepEqual(new Set(events.map((e) => e.id)), new Set(all.map((e) => e.id)));
  for (const a of ["invitation.created", "member.role_changed", "api_key.created", "api_key.revoked"]) assert.ok(events.some((e) => e.action === a), a);
});

test("5. settings: rename, logo, short name, and deleting the workspace by typing its short name", async () => {
  const page = ownerPage;
  await page.goto(wsPath("/settings"));
  await page.getByRole("heading", { name: "Settings", level: 1 }).waitFor();
  await page.getByText("Turn on two-factor authentication for your own account first").waitFor();
  assert.ok(await page.getByRole("switch", { name: /Require two-factor/ }).isDisabled(), "the Owner without 2FA cannot lock themselves out");

  await page.getByLabel("Name", { exact: true }).fill("People Renamed");
  await page.getByRole("button", { name: "Save details" }).click();
  await page.getByRole("status").getByText("Workspace details saved.").waitFor();
  assert.equal((await vault.api("GET", `/api/v1/workspaces/${shortname}`, undefined, auth())).data.name, "People Renamed");

  // Logo: a PNG shows; a file too big, or not an image, is refused in words.
  await page.getByLabel("Upload a logo").setInputFiles({ name: "logo.png", mimeType: "image/png", buffer: png(48, 48) });
  const logo = page.getByRole("img", { name: "Logo of People Renamed" });
  await logo.waitFor();
  await page.waitForFunction(() => document.querySelector("img.ws-logo")?.naturalWidth === 48);
  await page.getByLabel("Replace the logo").setInputFiles({ name: "huge.png", mimeType: "image/png", buffer: Buffer.concat([png(8, 8), Buffer.alloc(600 * 1024)]) });
  await page.getByText("That image is larger than 512 KiB. Choose a smaller one.").waitFor();
  await page.getByLabel("Replace the logo").setInputFiles({ name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("not a picture") });
  await page.getByText("That file is not a PNG, JPEG or WebP image.").waitFor();
  assert.ok(await logo.isVisible(), "the logo stays after a refused file");
  await visit(page, "workspace-settings");

  // Ownership in one step: the member becomes the Owner and the Owner an Admin; the Owner-only
  // sections leave the page at once. The new Owner hands it back through the API.
  await page.getByRole("button", { name: "Transfer ownership" }).click();
  const handover = page.getByRole("dialog", { name: "Transfer ownership of People Renamed" });
  const give = handover.getByRole("button", { name: "Transfer ownership" });
  assert.ok(await give.isDisabled(), "nothing happens before a member is chosen");
  await handover.getByLabel("New Owner").selectOption({ label: `${member.name} (${member.email})` });
  await handover.getByText(`${member.name} becomes an Owner of People Renamed, and you become an Admin.`).waitFor();
  await visit(page, "workspace-settings-transfer");
  await give.click();
  await page.getByRole("status").getByText(`${member.name} is now the Owner of People Renamed.`).waitFor();
  await page.getByRole("heading", { name: "Danger zone" }).waitFor({ state: "detached" });
  assert.equal(await page.getByRole("heading", { name: "Short name" }).count(), 0, "an Admin cannot change the short name");
  const roles = async () => {
    const r = await vault.api("GET", `/api/v1/workspaces/${shortname}/members`, undefined, auth());
    return Object.fromEntries(r.data.items.map((m) => [m.email, m.role]));
  };
  assert.deepEqual(await roles(), { [owner.email.toLowerCase()]: "admin", [member.email.toLowerCase()]: "owner" });
  const mia = await vault.api("POST", "/api/v1/sessions", { email: member.email, password: PASSWORD });
  const me = await vault.api("GET", "/api/v1/me", undefined, auth());
  const back = await vault.api("POST", `/api/v1/workspaces/${shortname}/ownership-transfer`, { account_id: me.data.id, new_role: "member" }, { Authorization: `Bearer ${mia.data.session_token}` });
  assert.equal(back.status, 200, JSON.stringify(back.data));
  assert.deepEqual(await roles(), { [owner.email.toLowerCase()]: "owner", [member.email.toLowerCase()]: "member" });
  await page.reload();
  await page.getByRole("heading", { name: "Danger zone" }).waitFor();

  // Requiring 2FA: possible once the Owner has it themselves; a member without it is then kept out.
  const enrol = await vault.api("POST", "/api/v1/me/mfa/totp", { password: PASSWORD }, auth());
  assert.equal(enrol.status, 200, JSON.stringify(enrol.data));
  assert.equal((await vault.api("POST", "/api/v1/me/mfa/totp/confirm", { code: totp(enrol.data.secret) }, auth())).status, 200);
  await page.reload();
  await page.getByText("1 member without it today: Mia Member.").waitFor();
  const require2fa = page.getByRole("switch", { name: /Require two-factor/ });
  await require2fa.check();
  await page.getByRole("status").getByText("Two-factor authentication is now required.").waitFor();
  assert.equal((await vault.api("GET", `/api/v1/workspaces/${shortname}`, undefined, auth())).data.require_2fa, true);
  await memberPage.goto(wsPath("/users"));
  await memberPage.getByText("This workspace requires two-factor authentication. Turn it on in Security first.").waitFor();

  // The short name (Owner only), with the warning that old links stop working.
  await page.getByText("old links and bookmarks to this workspace stop working").waitFor();
  const renamed = shortname + "-new";
  await page.getByLabel("Short name").fill(renamed);
  await page.getByRole("button", { name: "Change short name" }).click();
  await page.waitForURL((u) => u.pathname === `/w/${renamed}/settings`);
  shortname = renamed;
  await page.getByRole("heading", { name: "Settings", level: 1 }).waitFor();

  // Danger zone: the button stays disabled until the short name is typed.
  await page.locator(".danger-zone").getByRole("button", { name: "Delete workspace" }).click();
  const dialog = page.getByRole("dialog", { name: "Delete People Renamed?" });
  const confirm = dialog.getByRole("button", { name: "Delete workspace" });
  await dialog.getByLabel(`Type ${shortname} to confirm`).fill("people");
  assert.ok(await confirm.isDisabled(), "a wrong short name keeps the button disabled");
  await dialog.getByLabel(`Type ${shortname} to confirm`).fill(shortname);
  await confirm.click();
  await page.waitForURL((u) => u.pathname === "/");
  await page.getByRole("status").getByText("People Renamed was deleted.").waitFor();
  assert.equal((await vault.api("GET", `/api/v1/workspaces/${shortname}`, undefined, auth())).status, 404);
});
