// Things every page relies on: a session that ends mid-use sends the person to sign-in and back
// to the page they were on; the console works by keyboard alone (sign in, open a dialog, close it
// with Escape, focus back where it was); the sign-in page never follows `next` to another site.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { PASSWORD, assertNoProblems, newPage, signInThroughPages, startSuite, stopSuite, uniqueEmail } from "./harness.mjs";

let vault, browser, person, shortname;
before(async () => {
  ({ vault, browser } = await startSuite());
  person = await vault.createAccount("Kay Board", uniqueEmail("kay"));
  shortname = "keys-" + Date.now().toString(36);
  const ws = await vault.api("POST", "/api/v1/workspaces", { name: "Keyboard Co", shortname }, person.auth);
  assert.equal(ws.status, 201, JSON.stringify(ws.data));
});
after(() => stopSuite({ vault, browser }));

test("a session that ends mid-use returns to sign-in, then to the page the person was on", async () => {
  const page = await newPage(browser, vault);
  await signInThroughPages(page, { email: person.email });
  await page.waitForURL(vault.url + "/");
  await page.goto(`/w/${shortname}/products`);
  await page.getByRole("heading", { name: "Products", level: 1 }).waitFor();
  // Let the page finish its reads first: one still in flight when the session is revoked would
  // (rightly) send the person to sign-in from this page, before the click below.
  await page.waitForLoadState("networkidle");

  // Every other session of the account is revoked from elsewhere (the API session of setup).
  const revoked = await vault.api("DELETE", "/api/v1/me/sessions", undefined, person.auth);
  assert.equal(revoked.status, 204);

  // The next page the person opens finds the session gone.
  await page.getByRole("navigation", { name: "Workspace" }).getByRole("link", { name: "Groups" }).click();
  await page.waitForURL(/\/signin\?expired=1&next=/);
  await page.getByText("Your session ended.").waitFor();
  await page.getByLabel("Email").fill(person.email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${vault.url}/w/${shortname}/groups`);
  await page.getByRole("heading", { name: "Groups", level: 1 }).waitFor();
  assertNoProblems(page);
});

test("by keyboard alone: sign in, open a dialog, Escape closes it and focus returns", async () => {
  const page = await newPage(browser, vault);
  await page.goto(`/signin?next=${encodeURIComponent(`/w/${shortname}/products`)}`);
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  // The email field has focus on arrival (autofocus). Before it in tab order: the brand link
  // and, first of all, the skip link, which moves focus to the page's main content.
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("name")), "email");
  await page.keyboard.press("Shift+Tab");
  await page.keyboard.press("Shift+Tab");
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Skip to content");
  await page.keyboard.press("Enter");
  assert.equal(await page.evaluate(() => document.activeElement?.id), "main");
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("name")), "email");
  await page.keyboard.type(person.email);
  await page.keyboard.press("Tab");
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press("Enter");
  await page.waitForURL(`${vault.url}/w/${shortname}/products`);
  const add = page.getByRole("button", { name: "Add product" }).first();
  await add.waitFor();
  // Tab until the "Add product" button has focus, as a keyboard user would.
  for (let i = 0; i < 40 && !(await add.evaluate((b) => b === document.activeElement)); i++) await page.keyboard.press("Tab");
  assert.ok(await add.evaluate((b) => b === document.activeElement), "Add product is reachable by Tab");
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog", { name: "Add product" });
  await dialog.waitFor();
  assert.ok(await dialog.evaluate((d) => d.contains(document.activeElement)), "focus moved into the dialog");
  // Tab never leaves the modal dialog.
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press("Tab");
    assert.ok(await dialog.evaluate((d) => d.contains(document.activeElement) || document.activeElement === document.body), "focus stays in the dialog");
  }
  await page.keyboard.press("Escape");
  await dialog.waitFor({ state: "hidden" });
  assert.ok(await add.evaluate((b) => b === document.activeElement), "focus returned to Add product");
  assertNoProblems(page);
});

test("sign-in follows `next` only to a path of this site", async () => {
  const page = await newPage(browser, vault);
  for (const next of ["//evil.example/x", "https://evil.example/", "/\\evil.example"]) {
    await page.goto(`/signin?next=${encodeURIComponent(next)}`);
    await page.getByLabel("Email").fill(person.email);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(vault.url + "/");
    assert.equal(new URL(page.url()).origin, vault.url);
    await page.context().clearCookies();
  }
});
