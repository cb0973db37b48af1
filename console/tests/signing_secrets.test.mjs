// A product's callback signing secrets through the browser: the Owner creates one from the
// product page (shown once, with copy; the table shows only whsec_…last four), rolls it with the
// default grace (both listed, the old one ending), and revokes the old one; a Member of the
// workspace does not see the section.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Vault, accountViaApi, launchBrowser, linkIn, newPage, signInThroughPages, visit } from "./harness.mjs";

let vault, browser, owner, member, ws, product, page;

before(async () => {
  vault = await new Vault().start();
  browser = await launchBrowser();
  owner = await accountViaApi(vault, "Olga Owner");
  member = await accountViaApi(vault, "Mia Member");
  const w = await vault.api("POST", "/api/v1/workspaces", { name: "Signing Studio", shortname: "sign-" + Date.now().toString(36) }, owner.auth);
  assert.equal(w.status, 201);
  ws = w.data.shortname;
  const p = await vault.api("POST", `/api/v1/workspaces/${ws}/products`, { product_type: "submit", name: "Submit HQ", shortname: "submit-hq" }, owner.auth);
  assert.equal(p.status, 201);
  product = p.data;
  assert.equal((await vault.api("POST", `/api/v1/workspaces/${ws}/invitations`, { email: member.email }, owner.auth)).status, 201);
  const link = linkIn(await vault.smtp.waitFor(member.email, "You are invited"), "/invitations/accept");
  assert.equal((await vault.api("POST", "/api/v1/invitations/accept", { token: new URL(link).searchParams.get("token") }, member.auth)).status, 200);
  page = await newPage(browser, vault);
  await signInThroughPages(page, owner);
  await page.getByLabel(`Account menu for ${owner.name}`).waitFor();
});
after(async () => {
  await browser?.close();
  await vault?.stop();
});

const listed = async () => (await vault.api("GET", `/api/v1/workspaces/${ws}/products/${product.id}/signing-secrets`, undefined, owner.auth)).data.items;

test("the Owner creates a signing secret: shown once, then only its last four characters", async () => {
  await page.goto(`/w/${ws}/products/submit-hq`);
  const section = page.getByRole("region", { name: "Callback signing secrets" });
  await section.getByText("No signing secret yet").waitFor();
  await section.getByRole("button", { name: "Create signing secret" }).first().click();
  const dlg = page.getByRole("dialog", { name: "New signing secret for Submit HQ" });
  await dlg.getByLabel("Label (optional)").fill("Receivers");
  await dlg.getByRole("button", { name: "Create secret" }).click();
  const once = page.getByRole("dialog", { name: "Your new signing secret for Submit HQ" });
  const secret = (await once.getByLabel("The secret").innerText()).trim();
  assert.match(secret, /^whsec_[A-Za-z0-9_-]{43}$/);
  await once.getByRole("button", { name: "Copy" }).waitFor();
  await once.getByText(/Vault keeps it encrypted to sign for the product, but never shows it again/).waitFor();
  assert.equal(await once.getByRole("button", { name: "Done" }).isDisabled(), true, "Done waits for the saved checkbox");
  await visit(page, "product-signing-secret-shown");
  await once.getByLabel("I have saved it somewhere safe").check();
  await once.getByRole("button", { name: "Done" }).click();
  const row = section.getByRole("row", { name: /Receivers/ });
  await row.waitFor();
  const cells = await row.locator("th, td").allInnerTexts();
  assert.equal(cells[0].trim(), `Receivers whsec_…${secret.slice(-4)}`);
  assert.equal(cells[1], "Active");
  assert.equal(await page.getByText(secret).count(), 0, "the secret is not shown again");
  assert.equal(await section.getByRole("button", { name: "Create signing secret" }).count(), 0, "one active secret at a time");
  const items = await listed();
  assert.equal(items.length, 1);
  assert.equal(items[0].last_four, secret.slice(-4));
  await visit(page, "product-signing-secrets");
});

test("rolling keeps the old secret signing for a day; revoking ends it", async () => {
  const section = page.getByRole("region", { name: "Callback signing secrets" });
  await section.getByRole("button", { name: "Roll Receivers" }).click();
  const dlg = page.getByRole("dialog", { name: "Roll Receivers" });
  assert.equal(await dlg.getByLabel("The old secret").locator("option:checked").innerText(), "Keep the old secret signing for 24 hours");
  await dlg.getByRole("button", { name: "Roll secret" }).click();
  const once = page.getByRole("dialog", { name: "Your new signing secret for Submit HQ" });
  await once.getByText(/keeps signing too until/).waitFor();
  await once.getByLabel("I have saved it somewhere safe").check();
  await once.getByRole("button", { name: "Done" }).click();
  await section.getByRole("cell", { name: "Ending" }).waitFor();
  const states = (await listed()).map((s) => s.state).sort();
  assert.deepEqual(states, ["active", "expiring"]);

  const old = (await listed()).find((s) => s.state === "expiring");
  await section.getByRole("row").filter({ hasText: "Ending" }).getByRole("button", { name: /^Revoke/ }).click();
  const confirm = page.getByRole("dialog", { name: /^Revoke/ });
  await confirm.getByText(`whsec_…${old.last_four}`).waitFor();
  await confirm.getByRole("button", { name: "Revoke secret" }).click();
  await section.getByRole("cell", { name: "Revoked" }).waitFor();
  assert.equal((await listed()).find((s) => s.id === old.id).state, "revoked");
});

test("a Member does not see the signing secrets", async () => {
  const p = await newPage(browser, vault);
  await signInThroughPages(p, member);
  await p.getByLabel(`Account menu for ${member.name}`).waitFor();
  await p.goto(`/w/${ws}/products/submit-hq`);
  await p.getByRole("heading", { name: "Who has access" }).waitFor();
  assert.equal(await p.getByRole("region", { name: "Callback signing secrets" }).count(), 0);
  await p.close();
});
