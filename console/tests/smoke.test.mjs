// The console is served by the binary: the HTML shell at every emailed path with its headers,
// hashed assets cached for a year, the API's JSON 404 untouched; the public pages render
// without CSP violations and pass axe.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { newPage, startSuite, stopSuite, visit } from "./harness.mjs";

let vault, browser;
before(async () => ({ vault, browser } = await startSuite()));
after(() => stopSuite({ vault, browser }));

test("every emailed path answers the console shell with a strict CSP, never cached", async () => {
  for (const p of ["/", "/signup/complete?token=x", "/password/reset?token=x", "/invitations/accept?token=x", "/email/confirm?token=x", "/w/acme/settings"]) {
    const res = await fetch(vault.url + p);
    assert.equal(res.status, 200, p);
    assert.match(res.headers.get("content-type"), /^text\/html/);
    assert.equal(res.headers.get("cache-control"), "no-store");
    const csp = res.headers.get("content-security-policy");
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:/);
    assert.equal(res.headers.get("referrer-policy"), "no-referrer");
    const html = await res.text();
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, "no inline script");
  }
});

test("hashed assets are immutable and gzip-encoded; the API keeps its JSON 404", async () => {
  const html = await (await fetch(vault.url + "/")).text();
  const js = /src="(\/assets\/[^"]+\.js)"/.exec(html)[1];
  const res = await fetch(vault.url + js, { headers: { "Accept-Encoding": "gzip" } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("cache-control"), "public, max-age=31536000, immutable");
  assert.match(res.headers.get("content-type"), /javascript/);
  const api = await fetch(vault.url + "/api/v1/nothing-here");
  assert.equal(api.status, 404);
  assert.match(api.headers.get("content-type"), /problem\+json/);
  const stale = await fetch(vault.url + "/assets/gone-12345678.js");
  assert.equal(stale.status, 404);
});

test("public pages render, pass axe at 1280 and 375 px, without CSP violations", async () => {
  const page = await newPage(browser, vault);
  for (const [path, heading, name] of [
    ["/signin", "Sign in", "signin"],
    ["/signup", "Create your account", "signup"],
    ["/signup/check-email?email=ada%40example.test", "Check your email", "signup-check-email"],
    ["/signup/complete?token=abc", "Set your password", "signup-complete"],
    ["/password/forgot", "Reset your password", "password-forgot"],
    ["/password/reset?token=abc", "Choose a new password", "password-reset"],
    ["/invitations/accept?token=abc", "You are invited to a workspace", "invitation"],
    ["/email/confirm?token=abc", "Confirm your new email address", "email-confirm"],
  ]) {
    await page.goto(path);
    await page.getByRole("heading", { name: heading, level: 1 }).waitFor();
    await visit(page, "public-" + name);
  }
});

test("a signed-out visit to a signed-in page goes to sign-in and remembers where", async () => {
  const page = await newPage(browser, vault);
  await page.goto("/w/acme/products");
  await page.waitForURL(/\/signin\?next=%2Fw%2Facme%2Fproducts/);
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
});
