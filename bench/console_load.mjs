// Console first-load benchmark: what a person's browser downloads on a first visit (bytes on the
// wire, gzip, by type) and how long until the page can be used, on loopback in headless
// Chromium (Debian's), against the real binary with the console embedded.
//
//   node bench/console_load.mjs            # or: bash bench/console_load.sh (builds first)
//
// For each page (sign-in, signed out; Workspaces and a workspace's Products, signed in) and each
// of BENCH_ROUNDS fresh browser contexts (empty cache):
//   bytes   = encoded (compressed) body sizes of every response the page loaded, by type
//   phases  = navigation start → HTML received, → DOMContentLoaded (scripts run)
//   ready   = navigation start → the page's main heading is painted (the app has rendered the
//             route; every field and button on it works from then on: time to interactive)
// Prints medians. Reports numbers; never fails on them. Aim (issue 14): < 150 KB compressed JS.
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import os from "node:os";
import fs from "node:fs";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const harness = await import(path.join(repo, "console/tests/harness.mjs"));
const { Vault, launchBrowser, PASSWORD } = harness;
const ROUNDS = Number(process.env.BENCH_ROUNDS || 7);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function measure(browser, vault, url, heading, cookies) {
  // Straight to the server (not through the tests' loopback proxy, which would add its own time).
  const context = await browser.newContext({ baseURL: direct });
  if (cookies) await context.addCookies(cookies);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  const types = new Map();
  const bytes = { js: 0, css: 0, html: 0, other: 0 };
  cdp.on("Network.responseReceived", (e) => types.set(e.requestId, e.response.mimeType));
  cdp.on("Network.loadingFinished", (e) => {
    const t = types.get(e.requestId) || "";
    const k = /javascript/.test(t) ? "js" : /css/.test(t) ? "css" : /html/.test(t) ? "html" : "other";
    bytes[k] += e.encodedDataLength;
  });
  await page.goto(url, { waitUntil: heading ? "commit" : "load" });
  if (heading) await page.getByRole("heading", { name: heading, level: 1 }).waitFor();
  const ready = await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(performance.now()))));
  const phases = await page.evaluate(() => {
    const nav = performance.getEntriesByType("navigation")[0];
    return { html: nav.responseEnd, dcl: nav.domContentLoadedEventEnd || nav.responseEnd };
  });
  await page.waitForLoadState("networkidle");
  await context.close();
  return { ready, bytes, ...phases };
}

const vault = await new Vault().start();
const direct = `http://${vault.upstream.host}:${vault.upstream.port}`;
const browser = await launchBrowser();
try {
  // A signed-in person with one workspace and one product, for the signed-in pages.
  const who = await vault.createAccount("Bench Person", `bench-${Date.now()}@example.test`);
  await vault.api("POST", "/api/v1/workspaces", { name: "Bench Co", shortname: "bench-co" }, who.auth);
  await vault.api("POST", "/api/v1/workspaces/bench-co/products", { product_type: "manage", name: "Manage", shortname: "manage" }, who.auth);
  const signin = await vault.api("POST", "/api/v1/sessions", { email: who.email, password: PASSWORD });
  const url = new URL(direct);
  const cookies = [{ name: "vault_session", value: signin.data.session_token, domain: url.hostname, path: "/", httpOnly: true, sameSite: "Lax" }];
  const pages = [
    // The floor: a fresh context opening a small static document (no script) from the server.
    ["floor: /favicon.svg as a page", "/favicon.svg", null, null],
    ["sign-in (signed out)", "/signin", "Sign in", null],
    ["Workspaces (signed in)", "/", "Workspaces", cookies],
    ["Products (signed in)", "/w/bench-co/products", "Products", cookies],
  ];
  const rows = [];
  for (const [name, path_, heading, c] of pages) {
    const runs = [];
    for (let i = 0; i < ROUNDS; i++) runs.push(await measure(browser, vault, path_, heading, c));
    const b = runs[runs.length - 1].bytes;
    const med = (k) => median(runs.map((r) => r[k]));
    rows.push({ name, js: b.js, css: b.css, html: b.html, other: b.other, htmlDone: med("html"), dcl: med("dcl"), ready: med("ready"), min: Math.min(...runs.map((r) => r.ready)) });
  }
  const kb = (n) => (n / 1024).toFixed(1);
  console.log(`console first load on loopback, headless Chromium, ${ROUNDS} rounds each (median), ${os.cpus().length} cores ${os.cpus()[0].model}`);
  console.log("| page | JS (KB, gzip) | CSS (KB, gzip) | HTML (KB) | other (KB) | HTML received (ms) | DOMContentLoaded (ms) | ready median (ms) | ready min (ms) |");
  console.log("|---|---|---|---|---|---|---|---|---|");
  for (const r of rows)
    console.log(`| ${r.name} | ${kb(r.js)} | ${kb(r.css)} | ${kb(r.html)} | ${kb(r.other)} | ${r.htmlDone.toFixed(0)} | ${r.dcl.toFixed(0)} | ${r.ready.toFixed(0)} | ${r.min.toFixed(0)} |`);
  if (process.env.BENCH_JSON) fs.writeFileSync(process.env.BENCH_JSON, JSON.stringify(rows, null, 2));
} finally {
  await browser.close();
  await vault.stop();
}
