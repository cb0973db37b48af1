// Emailed links not covered by the other journeys: confirming a new email address (the link from
// the real SMTP sink opens its page and changes the address; the old address is told), and an
// invitation accepted by a person who is already signed in, or declined from the link.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { PASSWORD, assertNoProblems, linkIn, newPage, signInThroughPages, startSuite, stopSuite, uniqueEmail, visit } from "./harness.mjs";

let vault, browser;
before(async () => ({ vault, browser } = await startSuite()));
after(() => stopSuite({ vault, browser }));

test("email change: the link from the new address confirms it; the old address is told", async () => {
  const old = uniqueEmail("eve");
  await vault.createAccount("Eve Example", old);
  const page = await newPage(browser, vault);
  await signInThroughPages(page, { email: old });
  await page.waitForURL(vault.url + "/");
  await page.goto("/profile");
  const fresh = uniqueEmail("eve-new");
  await page.getByLabel("New email address").fill(fresh);
  await page.getByLabel("Your password").fill(PASSWORD);
  await page.getByRole("button", { name: "Change email address" }).click();
  await page.getByText("Check your new address").waitFor();

  const mail = await vault.smtp.waitFor(fresh, "Confirm your new email address");
  await page.goto(linkIn(mail, "/email/confirm"));
  await page.getByRole("heading", { name: "Confirm your new email address" }).waitFor();
  await visit(page, "public-email-confirm-signed-in");
  await page.getByRole("button", { name: "Confirm email address" }).click();
  await page.getByRole("status").getByText(fresh).waitFor();
  await vault.smtp.waitFor(old, "Your email address was changed");

  // The profile shows the new address; the old one no longer signs in, the new one does.
  await page.getByRole("link", { name: "Back to your profile" }).click();
  await page.getByText(`You sign in and receive mail at ${fresh}`).waitFor();
  const other = await newPage(browser, vault);
  await signInThroughPages(other, { email: old });
  await other.getByText("The email or password is not right.").waitFor();
  await signInThroughPages(other, { email: fresh });
  await other.waitForURL(vault.url + "/");

  // The same link a second time is refused in words.
  await page.goto(linkIn(mail, "/email/confirm"));
  await page.getByRole("button", { name: "Confirm email address" }).click();
  await page.getByRole("alert").getByText("This link has already been used.").waitFor();
  assertNoProblems(page);
});

test("an invitation accepted by a signed-in person, and one declined from the link", async () => {
  const owner = await vault.createAccount("Olga Owner", uniqueEmail("olga"));
  const shortname = "links-" + Date.now().toString(36);
  assert.equal((await vault.api("POST", "/api/v1/workspaces", { name: "Links Co", shortname }, owner.auth)).status, 201);
  const guest = await vault.createAccount("Gus Guest", uniqueEmail("gus"));
  const invite = async () => {
    const r = await vault.api("POST", `/api/v1/workspaces/${shortname}/invitations`, { email: guest.email, role: "member" }, owner.auth);
    assert.equal(r.status, 201, JSON.stringify(r.data));
    return r.data;
  };

  // Declined from the link, without signing in: nobody is added.
  const first = await invite();
  const page = await newPage(browser, vault);
  const declineMail = await vault.smtp.waitFor(guest.email, "You are invited to join Links Co");
  await page.goto(linkIn(declineMail, "/invitations/accept"));
  await page.getByRole("button", { name: "Decline" }).click();
  await page.getByText("You declined the invitation.").waitFor();
  const pending = await vault.api("GET", `/api/v1/workspaces/${shortname}/invitations`, undefined, owner.auth);
  assert.ok(!pending.data.items.some((i) => i.id === first.id), "the declined invitation is gone");

  // Invited again; the person signs in first, then accepts with one click.
  vault.smtp.messages.length = 0;
  await invite();
  const mail = await vault.smtp.waitFor(guest.email, "You are invited to join Links Co");
  const link = linkIn(mail, "/invitations/accept");
  await signInThroughPages(page, { email: guest.email });
  await page.waitForURL(vault.url + "/");
  await page.goto(link);
  await page.getByText(`Signed in as ${guest.email}`).waitFor();
  await visit(page, "public-invitation-signed-in");
  await page.getByRole("button", { name: "Accept invitation" }).click();
  await page.waitForURL(`${vault.url}/w/${shortname}`);
  const members = await vault.api("GET", `/api/v1/workspaces/${shortname}/members`, undefined, owner.auth);
  assert.ok(members.data.items.some((m) => m.email === guest.email && m.role === "member"));
  assertNoProblems(page);
});
