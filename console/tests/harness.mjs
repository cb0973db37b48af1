// Browser test harness: the real atomyx-vault binary (fresh SQLite database), a real SMTP sink,
// Debian's Chromium driven by playwright-core, axe-core on every page, screenshots at 1280 and
// 375 px. Everything binds 127.0.0.1:0.
//
// The browser reaches Vault through a small reverse proxy started first, so VAULT_PUBLIC_URL
// (links in mail, the one Origin allowed on cookie writes) is known before Vault starts and no
// fixed port is needed. It is also how Vault runs in production: behind a proxy.
//
// Environment: VAULT_BIN (default ../build/atomyx-vault), CHROMIUM (default /usr/bin/chromium),
// VAULT_CONSOLE_DIR (serve a console build from a folder instead of the embedded copy),
// SCREENSHOT_DIR (default ../docs/screenshots), VAULT_TEST_KEEP=1 keeps the temp folder.
import { spawn, execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(here, "../..");
const require = createRequire(import.meta.url);
const AXE_SOURCE = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
export const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR || path.join(REPO, "docs/screenshots");
export const PASSWORD = "correct horse battery staple 7";

// ---------------------------------------------------------------- SMTP sink
/** A minimal SMTP server keeping every message in memory (enough for Vault's plain SMTP). */
export class SmtpSink {
  constructor() {
    this.messages = [];
    this.waiters = [];
  }
  async start() {
    this.server = net.createServer((sock) => this.#session(sock));
    await new Promise((r) => this.server.listen(0, "127.0.0.1", r));
    this.port = this.server.address().port;
    return this;
  }
  #session(sock) {
    sock.setEncoding("latin1");
    let buf = "";
    let data = null;
    let to = [];
    const say = (s) => sock.write(s + "\r\n");
    say("220 sink ESMTP");
    sock.on("data", (chunk) => {
      buf += chunk;
      for (;;) {
        if (data !== null) {
          const end = buf.indexOf("\r\n.\r\n");
          if (end < 0) return;
          data += buf.slice(0, end + 2);
          buf = buf.slice(end + 5);
          this.#store(to, data.replace(/\r\n\.\./g, "\r\n."));
          data = null;
          to = [];
          say("250 queued");
          continue;
        }
        const nl = buf.indexOf("\r\n");
        if (nl < 0) return;
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        const cmd = line.slice(0, 4).toUpperCase();
        if (cmd === "EHLO") say("250-sink\r\n250 8BITMIME");
        else if (cmd === "HELO") say("250 sink");
        else if (cmd === "MAIL") say("250 ok");
        else if (cmd === "RCPT") {
          const m = /<([^>]*)>/.exec(line);
          if (m) to.push(m[1].toLowerCase());
          say("250 ok");
        } else if (cmd === "DATA") {
          data = "";
          say("354 go ahead");
        } else if (cmd === "QUIT") {
          say("221 bye");
          sock.end();
        } else if (cmd === "RSET" || cmd === "NOOP") say("250 ok");
        else say("502 not implemented");
      }
    });
    sock.on("error", () => {});
  }
  #store(to, raw) {
    const msg = parseMail(raw, to);
    this.messages.push(msg);
    this.waiters = this.waiters.filter((w) => !w(msg));
  }
  /** Waits for a message to `to` whose subject contains `subject`; returns {subject, text, html}. */
  waitFor(to, subject, timeoutMs = 15000) {
    to = to.toLowerCase();
    const hit = (m) => m.to.includes(to) && m.subject.includes(subject);
    const seen = this.messages.find(hit);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no mail to ${to} with subject "${subject}"`)), timeoutMs);
      this.waiters.push((m) => {
        if (!hit(m)) return false;
        clearTimeout(timer);
        resolve(m);
        return true;
      });
    });
  }
  stop() {
    this.server?.close();
  }
}

function decodeQP(s) {
  const bytes = Buffer.from(s.replace(/=\r?\n/g, ""), "latin1");
  const out = [];
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x3d && /^[0-9A-F]{2}$/i.test(bytes.slice(i + 1, i + 3).toString())) {
      out.push(parseInt(bytes.slice(i + 1, i + 3).toString(), 16));
      i += 2;
    } else out.push(bytes[i]);
  }
  return Buffer.from(out).toString("utf8");
}

function parseMail(raw, to) {
  const [head] = raw.split("\r\n\r\n");
  const subjectLine = /^Subject: (.*)$/im.exec(head)?.[1] || "";
  const subject = subjectLine.replace(/=\?UTF-8\?B\?([^?]*)\?=\s*/gi, (_, b) => Buffer.from(b, "base64").toString("utf8"));
  const parts = raw.split(/\r\n--=_vault_[^\r\n]*/);
  let text = "",
    html = "";
  for (const p of parts) {
    const [h, ...rest] = p.split("\r\n\r\n");
    const body = rest.join("\r\n\r\n");
    const decoded = /quoted-printable/i.test(h) ? decodeQP(body) : body;
    if (/text\/plain/i.test(h)) text = decoded;
    else if (/text\/html/i.test(h)) html = decoded;
  }
  return { to, subject, text, html, raw };
}

/** The first link of a mail whose path starts with `prefix`, made relative to the site. */
export function linkIn(mail, prefix) {
  const m = new RegExp(`https?://[^\\s"<>]*${prefix.replace(/[/?]/g, "\\$&")}[^\\s"<>]*`).exec(mail.text);
  assert.ok(m, `no ${prefix} link in mail "${mail.subject}":\n${mail.text}`);
  return m[0];
}

// ---------------------------------------------------------------- Vault + proxy
/** Vault behind a loopback reverse proxy; `url` is the public URL the browser uses. */
export class Vault {
  /** Unused recovery codes by email (lower case): the second sign-in step of helper-made Super Admins. */
  recoveryCodes = new Map();
  /** What setClockOffset last set: TOTP codes follow the server's clock. */
  clockOffsetSeconds = 0;
  /** clockOffset: the server's clock can be moved with setClockOffset (VAULT_CLOCK_OFFSET_FILE). */
  async start({ clockOffset = false } = {}) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "vault-browser-"));
    this.smtp = await new SmtpSink().start();
    this.proxy = http.createServer((req, res) => this.#forward(req, res));
    await new Promise((r) => this.proxy.listen(0, "127.0.0.1", r));
    this.url = `http://127.0.0.1:${this.proxy.address().port}`;
    this.bin = process.env.VAULT_BIN || path.join(REPO, "build/atomyx-vault");
    this.env = {
      ...process.env,
      VAULT_LISTEN: "127.0.0.1:0",
      VAULT_PUBLIC_URL: this.url,
      VAULT_DATABASE: `sqlite:${this.dir}/vault.db`,
      VAULT_SECRET_FILE: `${this.dir}/secret.key`,
      VAULT_SMTP_URL: `smtp://127.0.0.1:${this.smtp.port}`,
      VAULT_SMTP_TLS: "off",
      VAULT_MAIL_FROM: "Atomyx Vault <vault@example.test>",
      VAULT_DEV: "1",
      VAULT_IP_RATE_PER_SECOND: "1000",
      VAULT_IP_BURST: "1000",
      VAULT_ARGON2_MEMORY_KIB: "4096",
      VAULT_ARGON2_PASSES: "1",
    };
    if (clockOffset) {
      this.clockFile = path.join(this.dir, "clock_offset");
      fs.writeFileSync(this.clockFile, "0\n");
      this.env.VAULT_CLOCK_OFFSET_FILE = this.clockFile;
    }
    this.logs = "";
    this.proc = spawn(this.bin, ["serve"], { env: this.env, stdio: ["ignore", "pipe", "pipe"] });
    const address = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("vault did not start:\n" + this.logs)), 20000);
      const onData = (d) => {
        this.logs += d.toString();
        const m = /"msg":"listening"[^\n]*"address":"([^"]+)"/.exec(this.logs) || /"address":"([^"]+)"[^\n]*"msg":"listening"/.exec(this.logs);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      };
      this.proc.stdout.on("data", onData);
      this.proc.stderr.on("data", (d) => (this.logs += d.toString()));
      this.proc.on("exit", (code) => reject(new Error(`vault exited ${code}:\n${this.logs}`)));
    });
    const [host, port] = address.split(/:(?=\d+$)/);
    this.upstream = { host, port: Number(port) };
    return this;
  }
  #forward(req, res) {
    const up = http.request(
      { ...this.upstream, method: req.method, path: req.url, headers: req.headers },
      (r) => {
        res.writeHead(r.statusCode, r.headers);
        r.pipe(res);
      },
    );
    up.on("error", () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(up);
  }
  /** Seconds added to the server's clock (re-read on every use). */
  setClockOffset(seconds) {
    fs.writeFileSync(this.clockFile + ".tmp", `${Math.trunc(seconds)}\n`);
    fs.renameSync(this.clockFile + ".tmp", this.clockFile);
    this.clockOffsetSeconds = Math.trunc(seconds);
  }
  /** Runs an admin CLI command against the same database; returns its stdout. */
  cli(...args) {
    return execFileSync(this.bin, args, { env: this.env, encoding: "utf8" });
  }
  /** Creates a Super Admin from the CLI; returns the set-password link it printed. */
  createSuperAdmin(email, name = "Root Admin") {
    const out = this.cli("admin", "create-super-admin", email, "--name", name);
    const m = /(https?:\/\/\S+)/.exec(out);
    assert.ok(m, "no link printed: " + out);
    return m[1];
  }
  /** A JSON API call with no session (for setup that is not the subject of a test). */
  async api(method, p, body, headers = {}) {
    const res = await fetch(this.url + p, {
      method,
      headers: { "Content-Type": "application/json", ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, data: text ? JSON.parse(text) : null };
  }
  /** Creates an account through the API (sign-up, the mailed link, a password): for setup. */
  async createAccount(name, email, password = PASSWORD) {
    const r = await this.api("POST", "/api/v1/signup", { name, email });
    assert.equal(r.status, 202, JSON.stringify(r.data));
    const mail = await this.smtp.waitFor(email, "Verify your email address");
    const token = /token=([A-Za-z0-9_-]+)/.exec(linkIn(mail, "/signup/complete"))[1];
    const done = await this.api("POST", "/api/v1/signup/complete", { token, password });
    assert.equal(done.status, 201, JSON.stringify(done.data));
    return { ...done.data, email, password, auth: { Authorization: "Bearer " + done.data.session_token } };
  }
  async stop() {
    if (this.proc && this.proc.exitCode === null) {
      this.proc.kill("SIGTERM");
      await new Promise((r) => this.proc.once("exit", r));
    }
    this.proxy?.close();
    this.smtp?.stop();
    if (!process.env.VAULT_TEST_KEEP) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- browser
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
}

/** What each test file starts once: the server (with its proxy and SMTP sink) and a browser. */
export async function startSuite(options = {}) {
  const vault = await new Vault().start(options);
  return { vault, browser: await launchBrowser() };
}

export async function stopSuite({ vault, browser } = {}) {
  await browser?.close();
  await vault?.stop();
}

/**
 * A fresh browser context (its own cookies) with a page that fails the test on any CSP
 * violation or uncaught page error.
 */
export async function newPage(browser, vault, { width = 1280, height = 900 } = {}) {
  const context = await browser.newContext({
    baseURL: vault.url,
    viewport: { width, height },
    permissions: ["clipboard-read", "clipboard-write"],
    acceptDownloads: true,
  });
  context.setDefaultTimeout(10000); // a missing element fails in seconds, not half a minute
  const page = await context.newPage();
  page.problems = [];
  page.on("pageerror", (e) => page.problems.push("page error: " + e.message));
  page.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy|Refused to/i.test(m.text())) page.problems.push("CSP: " + m.text());
  });
  return page;
}

/** No CSP violation or uncaught error happened on the page so far. */
export function assertNoProblems(page) {
  assert.deepEqual(page.problems, [], "page problems:\n" + page.problems.join("\n"));
}

/** axe-core on the current page: no serious or critical violation. */
export async function checkA11y(page, name) {
  // evaluate() runs through the DevTools protocol, which the page's CSP does not govern.
  await page.evaluate(AXE_SOURCE + "\n;0");
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ["violations"] });
    return r.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`);
  });
  assert.deepEqual(result, [], `accessibility violations on ${name}:\n${result.join("\n")}`);
}

/**
 * The per-page check every journey calls on each page it reaches: waits for the page to settle,
 * runs axe, saves screenshots at 1280 px and at 375 px (the narrow one also checked by axe and
 * for horizontal overflow), and restores the width.
 */
export async function visit(page, name) {
  await page.waitForLoadState("networkidle");
  await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'), null, { timeout: 10000 }).catch(() => {});
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const size = page.viewportSize();
  await checkA11y(page, name);
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}-1280.png`), fullPage: true });
  await page.setViewportSize({ width: 375, height: 812 });
  await page.waitForTimeout(50);
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}-375.png`), fullPage: true });
  await checkA11y(page, name + " at 375 px");
  const overflow = await page.evaluate(() => {
    const wide = [...document.querySelectorAll("body *")].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1);
    const names = wide.slice(-3).map((e) => e.tagName.toLowerCase() + (e.className ? "." + String(e.className).split(" ").join(".") : ""));
    return { by: document.documentElement.scrollWidth - window.innerWidth, names };
  });
  assert.ok(overflow.by <= 1, `${name} scrolls sideways at 375 px by ${overflow.by}px (${overflow.names.join(", ")})`);
  await page.setViewportSize(size);
  assertNoProblems(page);
}

/** A TOTP code from an independent implementation (oathtool). */
export function totp(secret, offsetSeconds = 0) {
  const args = ["--totp", "-b", secret];
  if (offsetSeconds) args.push("--now", new Date(Date.now() + offsetSeconds * 1000).toISOString().replace("T", " ").slice(0, 19) + " UTC");
  return execFileSync("oathtool", args, { encoding: "utf8" }).trim();
}

export function uniqueEmail(prefix) {
  return `${prefix}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}@example.test`;
}

/** Signs up through the pages: form → mail from the sink → set password; ends signed in. */
/** An account made through the JSON API (for setup; sign-up itself is tested elsewhere): its
 * name, email, id, bearer header (`auth`) and the account as the API returned it (`me`). */
export async function accountViaApi(vault, name) {
  const email = uniqueEmail(name.split(" ")[0].toLowerCase());
  assert.equal((await vault.api("POST", "/api/v1/signup", { name, email })).status, 202);
  const token = new URL(linkIn(await vault.smtp.waitFor(email, "Verify your email address"), "/signup/complete")).searchParams.get("token");
  const r = await vault.api("POST", "/api/v1/signup/complete", { token, password: PASSWORD });
  assert.equal(r.status, 201);
  return { name, email, id: r.data.account.id, auth: { Authorization: "Bearer " + r.data.session_token }, me: r.data.account };
}

export async function signUpThroughPages(page, vault, { name, email, password = PASSWORD }) {
  await page.goto("/signup");
  await page.getByLabel("Your name").fill(name);
  await page.getByLabel("Work email").fill(email);
  await page.getByRole("button", { name: "Continue" }).click();
  await page.getByRole("heading", { name: "Check your email" }).waitFor();
  const mail = await vault.smtp.waitFor(email, "Verify your email address");
  await page.goto(linkIn(mail, "/signup/complete"));
  await page.getByLabel("New password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByRole("heading", { name: "Workspaces" }).waitFor();
}

/** Signs in through the sign-in page (no 2FA). */
export async function signInThroughPages(page, { email, password = PASSWORD }) {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/**
 * The first Super Admin, as a person meets it: created from the command line, the password set
 * through the printed link's page, then signed in through the pages. Returns the email.
 */
export async function superAdminThroughPages(page, vault, name = "Root Admin") {
  const email = uniqueEmail("root");
  const link = vault.createSuperAdmin(email, name);
  assert.match(link, /\/password\/reset\?token=/);
  await page.goto(link);
  await page.getByLabel("New password").fill(PASSWORD);
  await page.getByRole("button", { name: "Set new password" }).click();
  await page.waitForURL(/\/signin\?reset=1/);
  await signInThroughPages(page, { email });
  // VAULT_SUPER_ADMIN_REQUIRE_2FA is on by default: the Super Admin area needs the account's 2FA.
  await enrolTotpViaApi(vault, email);
  return email;
}

/**
 * Turns on TOTP for an account through the API (a password sign-in, then the code oathtool gives
 * at the server's time) and keeps its recovery codes for apiSession(). Returns that session.
 */
export async function enrolTotpViaApi(vault, email, password = PASSWORD) {
  const auth = await apiSession(vault, email, password);
  const start = await vault.api("POST", "/api/v1/me/mfa/totp", { password }, auth);
  assert.equal(start.status, 200, JSON.stringify(start.data));
  const code = totp(start.data.secret, vault.clockOffsetSeconds);
  const done = await vault.api("POST", "/api/v1/me/mfa/totp/confirm", { code }, auth);
  assert.equal(done.status, 200, JSON.stringify(done.data));
  vault.recoveryCodes.set(email.toLowerCase(), [...done.data.recovery_codes]);
  return auth;
}

/** A Bearer session through the API; the second step, when asked, with a kept recovery code. */
export async function apiSession(vault, email, password = PASSWORD) {
  let r = await vault.api("POST", "/api/v1/sessions", { email, password });
  if (r.status === 200 && r.data.mfa_required) {
    const code = vault.recoveryCodes.get(email.toLowerCase())?.pop();
    assert.ok(code, `${email} asks for a second step and no recovery code is kept`);
    r = await vault.api("POST", "/api/v1/sessions/mfa", { mfa_token: r.data.mfa_token, recovery_code: code });
  }
  assert.equal(r.status, 201, JSON.stringify(r.data));
  return { Authorization: "Bearer " + r.data.session_token };
}

/** A Super Admin made through the CLI and the API, with 2FA; returns { email, auth }. */
export async function superAdminViaApi(vault, name = "Root Admin") {
  const email = uniqueEmail("root");
  const link = vault.createSuperAdmin(email, name);
  const token = new URL(link).searchParams.get("token");
  assert.equal((await vault.api("POST", "/api/v1/password/reset", { token, password: PASSWORD })).status, 204);
  return { email, auth: await enrolTotpViaApi(vault, email) };
}
