// Account-level journeys through the pages: sign up, create a workspace (live short-name checks),
// enrol 2FA and keep the recovery codes, sign in with a TOTP code and with a recovery code (once),
// reset a forgotten password, change profile and password, sign out another session, delete
// an account. The tests run in order and follow one person (Ada) through them.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { PASSWORD, Vault, launchBrowser, linkIn, newPage, signInThroughPages, signUpThroughPages, totp, uniqueEmail, visit } from "./harness.mjs";

let vault, browser, page;
const ada = { name: "Ada Lovelace", email: uniqueEmail("ada"), password: PASSWORD };
let secret = "";
let codes = [];

before(async () => {
  vault = await new Vault().start();
  browser = await launchBrowser();
  page = await newPage(browser, vault);
});
after(async () => {
  await browser?.close();
  await vault?.stop();
});

/** The error shown beside the (visible) input named `name`: its aria-describedby text. */
async function errorBeside(p, name) {
  const input = p.locator(`input[name="${name}"][aria-invalid="true"]:visible`);
  await input.waitFor();
  const id = await input.getAttribute("aria-describedby");
  return (await p.locator(`[id="${id}"]`).textContent()).trim();
}

async function signOut(p) {
  await p.locator(".account-menu summary").click();
  await p.getByRole("button", { name: "Sign out", exact: true }).click();
  await p.waitForURL(/\/signin/);
}

/** Email + password on the sign-in page, expecting the 2FA step. */
async function signInToMfaStep(p) {
  await signInThroughPages(p, ada);
  await p.getByRole("heading", { name: "Two-factor authentication" }).waitFor();
}

/** A JSON API call with the page's session cookie and CSRF token (setup, not the subject). */
async function apiAs(p, method, path, data) {
  const csrf = (await (await p.request.get("/api/v1/sessions/current")).json()).csrf_token;
  const res = await p.request.fetch(path, { method, data, headers: { "X-CSRF-Token": csrf } });
  assert.ok(res.ok(), `${method} ${path}: ${res.status()} ${await res.text()}`);
  return res.status() === 204 ? null : res.json();
}

/** Signs in with email, password and a recovery code on the 2FA step. */
async function signInWithRecoveryCode(p, code) {
  await signInToMfaStep(p);
  await p.getByRole("button", { name: "Use a recovery code instead" }).click();
  await p.getByLabel("Recovery code").fill(code);
  await p.getByRole("button", { name: "Verify" }).click();
}

test("sign up through the emailed link and land on an empty Workspaces page", async () => {
  await signUpThroughPages(page, vault, ada);
  await page.getByText("You are not in a workspace yet").waitFor();
  assert.match(await page.locator(".empty-state").textContent(), /A workspace is where a team keeps/);
  assert.equal(await page.getByRole("button", { name: "+ Add Workspace" }).count(), 1);
  await visit(page, "account-workspaces-empty");
});

test("+ Add Workspace derives the short name, rejects a bad one live, creates the workspace", async () => {
  await page.getByRole("button", { name: "+ Add Workspace" }).click();
  const dialog = page.getByRole("dialog", { name: "Add a workspace" });
  await dialog.getByLabel("Workspace name").fill("Åcme Research Labs");
  assert.equal(await dialog.getByLabel("Short name").inputValue(), "acme-research-labs");
  await visit(page, "account-add-workspace");
  // Format rules are checked while typing, beside the field, before anything is sent.
  await dialog.getByLabel("Short name").fill("9lives");
  assert.equal(await errorBeside(page, "shortname"), "Start with a lower-case letter (a–z).");
  await dialog.getByLabel("Short name").fill("ab");
  assert.equal(await errorBeside(page, "shortname"), "Use at least 3 characters.");
  await dialog.getByLabel("Short name").fill("acme--lab");
  assert.equal(await errorBeside(page, "shortname"), "Use single hyphens only.");
  // The name no longer overwrites a short name the person typed.
  await dialog.getByLabel("Short name").fill("acme-research");
  // The live availability check (GET /api/v1/workspace-shortnames/…) answers within a moment.
  await dialog.getByText("Checking availability…").waitFor({ state: "detached" });
  await dialog.getByText("Available: your workspace's address will be /w/acme-research.").waitFor();
  await dialog.getByLabel("Workspace name").fill("Acme Research");
  assert.equal(await dialog.getByLabel("Short name").inputValue(), "acme-research");
  await dialog.getByRole("button", { name: "Create workspace" }).click();
  await page.waitForURL(/\/w\/acme-research$/);

  await page.goto("/");
  const card = page.getByRole("link", { name: /Acme Research/ });
  await card.waitFor();
  assert.equal(await card.getAttribute("href"), "/w/acme-research");
  assert.equal((await card.locator(".badge").textContent()).trim(), "Owner");
  assert.equal((await card.locator(".ws-initials").textContent()).trim(), "AR");

  // A taken short name: the live check says so beside the field, and so does a submit.
  await page.getByRole("button", { name: "+ Add Workspace" }).click();
  await dialog.getByLabel("Workspace name").fill("Acme Research");
  assert.equal(await errorBeside(page, "shortname"), "That short name is already taken.");
  await dialog.getByRole("button", { name: "Create workspace" }).click();
  assert.equal(await errorBeside(page, "shortname"), "That short name is already taken.");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await visit(page, "account-workspaces");
});

test("enrol 2FA: QR and key, confirm with an oathtool code, recovery codes shown once and downloaded", async () => {
  await page.goto("/security");
  await page.getByRole("heading", { name: "Security", level: 1 }).waitFor();
  assert.equal((await page.locator("[aria-labelledby=sec-two-factor-authentication] .badge").textContent()).trim(), "Off");
  await visit(page, "account-security");

  await page.getByLabel("Your password").fill("not my password at all");
  await page.getByRole("button", { name: "Set up two-factor authentication" }).click();
  assert.equal(await errorBeside(page, "password"), "That is not your current password.");
  await page.getByLabel("Your password").fill(ada.password);
  await page.getByRole("button", { name: "Set up two-factor authentication" }).click();
  await page.getByRole("img", { name: "QR code for your authenticator app" }).waitFor();
  secret = (await page.locator(".totp-secret").textContent()).replace(/\s+/g, "");
  assert.match(secret, /^[A-Z2-7]{16,}$/);
  await visit(page, "account-security-enrol");

  await page.getByLabel("Enter the 6-digit code the app shows").fill(totp(secret));
  await page.getByRole("button", { name: "Turn on" }).click();
  const dialog = page.getByRole("dialog", { name: "Save your recovery codes" });
  await dialog.waitFor();
  codes = (await dialog.locator(".recovery-codes li").allTextContents()).map((c) => c.trim());
  assert.equal(codes.length, 10);
  for (const c of codes) assert.match(c, /^[a-z0-9]{5}-[a-z0-9]{5}$/);
  assert.match(await dialog.textContent(), /You will not see these codes again/);
  assert.equal(await dialog.getByRole("button", { name: "Close" }).count(), 0);
  await visit(page, "account-recovery-codes");
  await page.keyboard.press("Escape");
  assert.ok(await dialog.isVisible(), "Escape must not close the recovery codes");

  const [download] = await Promise.all([page.waitForEvent("download"), dialog.getByRole("button", { name: "Download .txt" }).click()]);
  assert.equal(download.suggestedFilename(), "atomyx-vault-recovery-codes.txt");
  assert.deepEqual(fs.readFileSync(await download.path(), "utf8").trim().split("\n"), codes);
  await dialog.getByRole("button", { name: "I have saved these codes" }).click();
  await dialog.waitFor({ state: "hidden" });
  assert.equal((await page.locator("[aria-labelledby=sec-two-factor-authentication] .badge").textContent()).trim(), "On");

  await page.reload();
  await page.getByRole("button", { name: "Turn off two-factor authentication…" }).waitFor();
  assert.equal((await page.locator("[aria-labelledby=sec-two-factor-authentication] .badge").textContent()).trim(), "On");
  assert.equal(await page.getByRole("dialog", { name: "Save your recovery codes" }).isVisible(), false);
  assert.doesNotMatch(await page.locator("body").innerText(), new RegExp(codes[0]));
  await visit(page, "account-security-2fa-on");
});

test("sign in with a TOTP code, then with a recovery code that works only once", async () => {
  await signOut(page);
  await signInToMfaStep(page);
  await visit(page, "account-signin-2fa");
  // The code that confirmed enrolment is burned; the next 30 s step is within the allowed window.
  await page.getByLabel("Code from your authenticator app").fill(totp(secret, 30));
  await page.getByRole("button", { name: "Verify" }).click();
  await page.getByRole("heading", { name: "Workspaces" }).waitFor();

  await signOut(page);
  await signInWithRecoveryCode(page, codes[0]);
  await page.getByRole("heading", { name: "Workspaces" }).waitFor();

  await signOut(page);
  await signInWithRecoveryCode(page, codes[0]);
  assert.equal(await errorBeside(page, "recovery_code"), "That recovery code is not right, or it was already used.");
  assert.match(page.url(), /\/signin/);
});

test("forgot password: reset link from the mail; a factor enrolled minutes ago is removed by the reset", async () => {
  await page.goto("/signin");
  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await page.getByLabel("Email").fill(ada.email);
  await page.getByRole("button", { name: "Send reset link" }).click();
  await page.getByRole("heading", { name: "Check your email" }).waitFor();
  const mail = await vault.smtp.waitFor(ada.email, "Reset your password");
  await page.goto(linkIn(mail, "/password/reset"));
  await page.getByLabel("New password").fill("short");
  await page.getByRole("button", { name: "Set new password" }).click();
  assert.equal(await errorBeside(page, "password"), "Use a longer password (at least 10 characters).");
  const old = ada.password;
  ada.password = "a brand new passphrase 42";
  await page.getByLabel("New password").fill(ada.password);
  await page.getByRole("button", { name: "Set new password" }).click();
  await page.waitForURL(/\/signin\?reset=1/);

  // The old password is refused, with the server's message on the form.
  await signInThroughPages(page, { email: ada.email, password: old });
  await page.getByText("The email or password is not right.").waitFor();
  // docs/api.md: a reset removes a second factor enrolled less than 7 days ago, so no 2FA step.
  await signInThroughPages(page, ada);
  await page.getByRole("heading", { name: "Workspaces" }).waitFor();
  await page.goto("/security");
  await page.getByRole("button", { name: "Set up two-factor authentication" }).waitFor();
  await page.getByText("Two-factor authentication removed by the password reset").waitFor();
  assert.equal((await page.locator("[aria-labelledby=sec-two-factor-authentication] .badge").textContent()).trim(), "Off");
});

test("profile: name and time zone saved; sessions signed out; password change; account deletion", async () => {
  await page.goto("/profile");
  await page.getByRole("heading", { name: "Profile", level: 1 }).waitFor();
  await visit(page, "account-profile");
  // Download my data: one JSON file with the account, its sessions and workspaces, no secret.
  const [exported] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download my data" }).click()]);
  assert.equal(exported.suggestedFilename(), "atomyx-vault-my-data.json");
  const data = JSON.parse(fs.readFileSync(await exported.path(), "utf8"));
  assert.equal(data.account.email, ada.email);
  assert.ok(data.workspaces.some((w) => w.shortname === "acme-research" && w.my_role === "owner"), JSON.stringify(data.workspaces));
  assert.ok(data.sessions.some((x) => x.current));
  assert.ok(!JSON.stringify(data).includes(ada.password), "no password in the export");
  await page.getByLabel("Name", { exact: true }).fill("Ada King");
  await page.getByLabel("Language and region").fill("en-GB");
  await page.getByLabel("Time zone").fill("Asia/Tokyo");
  await page.getByRole("button", { name: "Save details" }).click();
  await page.getByText("Your details were saved.").waitFor();
  assert.equal((await page.locator(".account-name").textContent()).trim(), "Ada King");
  await page.reload();
  await page.getByRole("heading", { name: "Profile", level: 1 }).waitFor();
  assert.equal(await page.getByLabel("Name", { exact: true }).inputValue(), "Ada King");
  assert.equal(await page.getByLabel("Time zone").inputValue(), "Asia/Tokyo");
  assert.equal(await page.getByLabel("Language and region").inputValue(), "en-GB");

  // A second browser signed in as Ada is signed out from the Security page.
  const other = await newPage(browser, vault);
  await signInThroughPages(other, ada);
  await other.getByRole("heading", { name: "Workspaces" }).waitFor();
  await page.goto("/security");
  const sessions = page.locator("[aria-labelledby=sec-sessions]").locator(".row-item");
  await page.getByRole("button", { name: "Sign out all other sessions" }).waitFor();
  assert.equal(await sessions.count(), 2);
  assert.match(await sessions.first().textContent(), /This session/);
  // Dates follow the profile's locale and time zone (Tokyo is UTC+9), the exact time on hover.
  const seen = sessions.first().locator("time").first();
  const [iso, shown] = [await seen.getAttribute("datetime"), await seen.textContent()];
  const inZone = (tz) => page.evaluate(([d, z]) => new Intl.DateTimeFormat("en-GB", { timeZone: z, dateStyle: "medium", timeStyle: "short" }).format(new Date(d)), [iso, tz]);
  assert.equal(shown, await inZone("Asia/Tokyo"));
  assert.notEqual(shown, await inZone("UTC"));
  assert.equal(await seen.getAttribute("title"), iso);
  await page.getByRole("button", { name: /^Sign out Chrome on Linux/ }).click();
  await page.getByRole("button", { name: "Sign out all other sessions" }).waitFor({ state: "detached" });
  assert.equal(await sessions.count(), 1);
  await other.reload();
  await other.waitForURL(/\/signin/);

  // Own security activity, in words, paged with "Load more".
  const activity = page.locator("[aria-labelledby=sec-security-activity]");
  await activity.getByText("Signed in with password and authenticator code").waitFor();
  await activity.getByText("A recovery code was used").first().waitFor();
  while (await activity.getByRole("button", { name: "Load more" }).isVisible()) {
    const n = await activity.locator(".row-item").count();
    await activity.getByRole("button", { name: "Load more" }).click();
    await page.waitForFunction((k) => document.querySelectorAll("[aria-labelledby=sec-security-activity] .row-item").length > k, n);
  }
  await activity.getByText("Account created").waitFor();
  await visit(page, "account-security-sessions");

  // Password change: a wrong current password and a too-short new one, beside their fields.
  await page.goto("/profile");
  await page.getByLabel("Current password").fill("this is not it");
  await page.getByLabel("New password").fill("another long passphrase 9");
  await page.getByRole("button", { name: "Change password" }).click();
  assert.equal(await errorBeside(page, "current_password"), "That is not your current password.");
  await page.getByLabel("Current password").fill(ada.password);
  await page.getByLabel("New password").fill("tiny");
  await page.getByRole("button", { name: "Change password" }).click();
  assert.equal(await errorBeside(page, "new_password"), "Use a longer password (at least 10 characters).");
  await page.getByLabel("New password").fill("another long passphrase 9");
  await page.getByRole("button", { name: "Change password" }).click();
  await page.getByText("Your password was changed. Your other sessions were signed out.").waitFor();
  ada.password = "another long passphrase 9";

  // Ada owns a workspace alone: deletion is refused and says why.
  await page.getByRole("button", { name: "Delete my account…" }).click();
  const del = page.getByRole("dialog", { name: `Delete the account ${ada.email}?` });
  await del.getByLabel("Your password").fill(ada.password);
  await visit(page, "account-profile-delete");
  await del.getByRole("button", { name: "Delete my account" }).click();
  await del.getByText("You are the only Owner of a workspace").waitFor();
  await del.getByRole("button", { name: "Cancel" }).click();

  // Someone with no workspace deletes their account with their typed password.
  const bea = { name: "Bea Short", email: uniqueEmail("bea"), password: PASSWORD };
  await signUpThroughPages(other, vault, bea);
  // Bea invites Ada: the invitation waits on Ada's Workspaces page; Ada accepts it there.
  await apiAs(other, "POST", "/api/v1/workspaces", { name: "Bea Team", shortname: "bea-team" });
  await apiAs(other, "POST", "/api/v1/workspaces/bea-team/invitations", { email: ada.email, role: "admin" });
  await page.goto("/");
  const invited = page.locator("[aria-labelledby=inv-title]");
  await invited.getByText("Bea Team", { exact: true }).waitFor();
  assert.equal((await invited.locator(".badge").textContent()).trim(), "Admin");
  await visit(page, "account-workspaces-invited");
  await invited.getByRole("button", { name: "Accept the invitation to Bea Team" }).click();
  await page.getByRole("status").getByText("You joined Bea Team.").waitFor();
  const card = page.getByRole("list", { name: "Your workspaces" }).getByRole("link", { name: /Bea Team/ });
  await card.waitFor();
  assert.match(await card.textContent(), /Admin/);
  assert.equal(await invited.count(), 0, "no invitation left waiting");
  await apiAs(other, "DELETE", "/api/v1/workspaces/bea-team", { confirm: "bea-team" });

  await other.goto("/profile");
  await other.getByRole("button", { name: "Delete my account…" }).click();
  const del2 = other.getByRole("dialog", { name: `Delete the account ${bea.email}?` });
  await del2.getByLabel("Your password").fill("wrong password here");
  await del2.getByRole("button", { name: "Delete my account" }).click();
  assert.equal(await errorBeside(other, "password"), "That is not your current password.");
  await del2.getByLabel("Your password").fill(bea.password);
  await del2.getByRole("button", { name: "Delete my account" }).click();
  await other.waitForURL(/\/signin$/);
  await other.getByText("Your account was deleted.").waitFor();
  await signInThroughPages(other, bea);
  await other.getByText("The email or password is not right.").waitFor();
  await other.context().close();
});
