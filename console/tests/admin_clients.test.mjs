// Service clients as OAuth clients in the Super Admin area (issue 15): a Super Admin creates a
// public client (no secret, PKCE only) with two redirect URIs, sees it listed with its type and
// URIs, edits the URIs (an invalid one is refused beside its own input, nothing changes; then a
// valid list is saved and applies at once), and revokes it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { PASSWORD, apiSession, assertNoProblems, newPage, startSuite, superAdminThroughPages, stopSuite, visit } from "./harness.mjs";

let vault, browser;
before(async () => ({ vault, browser } = await startSuite()));
after(() => stopSuite({ vault, browser }));

test("a Super Admin manages a public client's redirect URIs", async () => {
  const admin = await newPage(browser, vault);
  const adminEmail = await superAdminThroughPages(admin, vault);
  const adminAuth = await apiSession(vault, adminEmail);
  const listed = async (name) => {
    const r = await vault.api("GET", "/api/v1/admin/service-clients", undefined, adminAuth);
    assert.equal(r.status, 200);
    return r.data.items.find((c) => c.name === name);
  };
  await admin.getByRole("link", { name: "Super Admin" }).click();
  await admin.getByRole("navigation", { name: "Super Admin" }).getByRole("link", { name: "Service clients" }).click();
  await admin.getByText("No service clients yet").waitFor();

  // Create: two redirect URIs in their own rows, public.
  await admin.getByRole("button", { name: "New service client" }).first().click();
  const create = admin.getByRole("dialog", { name: "New service client" });
  await create.getByLabel("Name").fill("Submit web app");
  await create.getByLabel("Product type").selectOption("submit");
  await create.getByLabel("Redirect URI 1").fill("https://submit.example/callback");
  await create.getByRole("button", { name: "Add redirect URI" }).click();
  await create.getByLabel("Redirect URI 2").fill("http://localhost:5173/callback");
  await create.getByRole("checkbox", { name: "Public client (no secret; PKCE only)" }).check();
  await visit(admin, "admin-service-client-new");
  await create.getByRole("button", { name: "Create service client" }).click();

  // No secret: the client id only.
  const made = admin.getByRole("dialog", { name: "Public client created" });
  const clientId = (await made.getByTestId("client-id").textContent()).trim();
  assert.match(clientId, /^svc_/);
  assert.equal(await made.getByTestId("client-secret").count(), 0);
  assert.equal(await admin.getByRole("dialog", { name: "Service client secret" }).count(), 0);
  await made.getByRole("button", { name: "Done" }).click();

  // Listed with its type and both URIs.
  const row = admin.getByRole("row", { name: /Submit web app/ });
  await row.getByText("Public (PKCE only)").waitFor();
  await row.getByText("https://submit.example/callback").waitFor();
  await row.getByText("http://localhost:5173/callback").waitFor();
  assert.equal(await row.getByRole("button", { name: /Rotate secret/ }).count(), 0, "a public client has no secret to rotate");
  await visit(admin, "admin-service-clients-public");
  let web = await listed("Submit web app");
  assert.deepEqual([web.client_id, web.public, web.redirect_uris], [clientId, true, ["https://submit.example/callback", "http://localhost:5173/callback"]]);

  // Edit: the second URI made invalid, a third added; the error stands beside the second input.
  await row.getByRole("button", { name: "Edit redirect URIs of Submit web app" }).click();
  const edit = admin.getByRole("dialog", { name: "Redirect URIs of Submit web app" });
  assert.equal(await edit.getByLabel("Redirect URI 1").inputValue(), "https://submit.example/callback");
  await edit.getByLabel("Redirect URI 2").fill("http://evil.example/callback");
  await edit.getByRole("button", { name: "Add redirect URI" }).click();
  await edit.getByLabel("Redirect URI 3").fill("https://submit.example/other");
  await edit.getByRole("button", { name: "Save redirect URIs" }).click();
  const second = edit.getByLabel("Redirect URI 2");
  await edit.locator("input[aria-invalid='true']").waitFor();
  assert.equal(await second.getAttribute("aria-invalid"), "true");
  assert.equal(await edit.getByLabel("Redirect URI 1").getAttribute("aria-invalid"), null);
  assert.equal(await edit.getByLabel("Redirect URI 3").getAttribute("aria-invalid"), null);
  const errorId = await second.getAttribute("aria-describedby");
  const error = admin.locator(`[id="${errorId}"]`);
  assert.match(await error.textContent(), /http/i);
  await visit(admin, "admin-service-client-edit-error");
  web = await listed("Submit web app");
  assert.deepEqual(web.redirect_uris, ["https://submit.example/callback", "http://localhost:5173/callback"], "nothing changed");

  // Fixed, the first row removed: saved, confirmed in place, listed at once.
  await second.fill("http://127.0.0.1:5173/callback");
  await edit.getByRole("button", { name: "Remove redirect URI 1" }).click();
  assert.equal(await edit.getByLabel("Redirect URI 1").inputValue(), "http://127.0.0.1:5173/callback");
  await edit.getByRole("button", { name: "Save redirect URIs" }).click();
  await admin.getByRole("status").getByText("Redirect URIs of Submit web app saved").waitFor();
  await row.getByText("https://submit.example/other").waitFor();
  assert.equal(await row.getByText("https://submit.example/callback").count(), 0);
  web = await listed("Submit web app");
  assert.deepEqual(web.redirect_uris, ["http://127.0.0.1:5173/callback", "https://submit.example/other"]);

  // A public client keeps at least one: emptying the list is refused beside the list.
  await row.getByRole("button", { name: "Edit redirect URIs of Submit web app" }).click();
  await edit.getByRole("button", { name: "Remove redirect URI 2" }).click();
  await edit.getByLabel("Redirect URI 1").fill("");
  await edit.getByRole("button", { name: "Save redirect URIs" }).click();
  await edit.locator(".field-error").waitFor();
  await edit.getByRole("button", { name: "Close" }).click();
  assert.deepEqual((await listed("Submit web app")).redirect_uris, ["http://127.0.0.1:5173/callback", "https://submit.example/other"]);

  // Revoke.
  await row.getByRole("button", { name: "Revoke Submit web app" }).click();
  await admin.getByRole("dialog", { name: "Revoke Submit web app?" }).getByRole("button", { name: "Revoke service client" }).click();
  await admin.getByRole("status").getByText("Submit web app revoked").waitFor();
  await row.getByText("Revoked", { exact: true }).waitFor();
  assert.equal(await row.getByRole("button", { name: /Edit redirect URIs/ }).count(), 0);
  assert.equal((await listed("Submit web app")).revoked, true);
  assertNoProblems(admin);
});
