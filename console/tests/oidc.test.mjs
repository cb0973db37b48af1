// Signing in to a product through Vault's OpenID Connect provider, with `openid-client` (a
// certified relying-party library) and `jose` acting as the product: discovery, code + PKCE with
// an existing session cookie and through the console's sign-in (browser), the ID token checked
// against the JWKS, userinfo, refresh with rotation and reuse detection, client credentials,
// introspection, revocation, logout and key rotation; and what must be refused.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { Issuer, generators, errors as oidcErrors } from "openid-client";
import * as jose from "jose";
import { PASSWORD, assertNoProblems, newPage, startSuite, stopSuite, superAdminViaApi, uniqueEmail, visit } from "./harness.mjs";

const REDIRECT = "https://product.example/callback";
const OTHER_REDIRECT = "https://product.example/other";
let vault, browser, issuer, admin, confidential, publicClient, person, ws, product, productSite;

/** A stand-in for the product's own web server on loopback. */
async function startProductSite() {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { "Content-Type": "text/html" });
    res.end("<!doctype html><html lang=en><title>Product</title><h1>Product page</h1></html>");
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { server, url: `http://127.0.0.1:${server.address().port}` };
}

async function json(method, p, body, auth) {
  const r = await vault.api(method, p, body, auth);
  assert.ok(r.status < 300, `${method} ${p}: ${r.status} ${JSON.stringify(r.data)}`);
  return r.data;
}

async function newClient(extra = {}) {
  return json("POST", "/api/v1/admin/service-clients", { product_type: "manage", name: "Manage web", redirect_uris: [REDIRECT, OTHER_REDIRECT], ...extra }, admin);
}

function rp(c) {
  const meta = { client_id: c.client_id, redirect_uris: [REDIRECT], response_types: ["code"], id_token_signed_response_alg: "EdDSA" };
  if (c.client_secret) meta.client_secret = c.client_secret;
  else meta.token_endpoint_auth_method = "none";
  return new issuer.Client(meta);
}

/** A new person with a workspace, a Manage product there and the given role in it. */
async function personWithProduct(role = "editor") {
  const email = uniqueEmail("oidc");
  const who = await vault.createAccount("Olive Dc", email);
  const shortname = "oidc-" + Math.random().toString(36).slice(2, 10);
  const w = await json("POST", "/api/v1/workspaces", { name: "Olive Co " + shortname, shortname }, who.auth);
  const p = await json("POST", `/api/v1/workspaces/${shortname}/products`, { product_type: "manage", name: "Jobs", shortname: "jobs" }, who.auth);
  if (role)
    await json("PUT", `/api/v1/workspaces/${shortname}/products/${p.id}/grants`, { principal: { type: "account", id: who.account.id }, role }, who.auth);
  return { ...who, ws: w, shortname, product: p };
}

/** GET the authorization URL as the browser of `who` would (session cookie), without following. */
async function authorize(url, who) {
  const headers = who ? { cookie: "vault_session=" + who.session_token } : {};
  const r = await fetch(url, { headers, redirect: "manual" });
  assert.equal(r.status, 302, await r.text());
  return r.headers.get("location");
}

/** The whole code flow with a session cookie; returns the token set and what was sent. */
async function codeFlow(client, who, extra = {}) {
  const code_verifier = generators.codeVerifier();
  const state = generators.state();
  const nonce = generators.nonce();
  const url = client.authorizationUrl({ scope: "openid email profile offline_access", code_challenge: generators.codeChallenge(code_verifier), code_challenge_method: "S256", state, nonce, ...extra });
  const location = await authorize(url, who);
  assert.ok(location.startsWith(REDIRECT + "?"), location);
  const params = client.callbackParams(location);
  const tokens = await client.callback(REDIRECT, params, { code_verifier, state, nonce });
  return { tokens, params, code_verifier, state, nonce };
}

async function rejectsWith(promise, error) {
  await assert.rejects(promise, (e) => {
    assert.ok(e instanceof oidcErrors.OPError, String(e));
    assert.equal(e.error, error, e.error_description);
    return true;
  });
}

before(async () => {
  ({ vault, browser } = await startSuite({ clockOffset: true }));
  admin = (await superAdminViaApi(vault)).auth;
  issuer = await Issuer.discover(vault.url);
  productSite = await startProductSite();
  confidential = await newClient({ redirect_uris: [REDIRECT, OTHER_REDIRECT, productSite.url + "/signed-out"] });
  publicClient = await newClient({ name: "Manage mobile", public: true });
  person = await personWithProduct("editor");
  ws = person.ws;
  product = person.product;
});
after(async () => {
  productSite?.server.close();
  await stopSuite({ vault, browser });
});

test("discovery names every endpoint of the code flow", () => {
  const m = issuer.metadata;
  assert.equal(m.issuer, vault.url);
  for (const [k, p] of [["authorization_endpoint", "/oauth2/authorize"], ["token_endpoint", "/oauth2/token"], ["userinfo_endpoint", "/oauth2/userinfo"], ["jwks_uri", "/oauth2/jwks"], ["revocation_endpoint", "/oauth2/revoke"], ["introspection_endpoint", "/oauth2/introspect"], ["end_session_endpoint", "/oauth2/logout"]])
    assert.equal(m[k], vault.url + p, k);
  assert.deepEqual(m.code_challenge_methods_supported, ["S256"]);
  assert.deepEqual(m.grant_types_supported, ["authorization_code", "refresh_token", "client_credentials"]);
  assert.equal(m.authorization_response_iss_parameter_supported, true);
});

test("code + PKCE with a session cookie: ID token, userinfo, refresh rotation, reuse detection, introspection, revocation", async () => {
  const client = rp(confidential);
  const { tokens, params, nonce } = await codeFlow(client, person);
  assert.equal(params.iss, vault.url); // RFC 9207, checked by openid-client too
  // openid-client verified the ID token (EdDSA against the JWKS, iss, aud, nonce, at_hash).
  const id = tokens.claims();
  assert.equal(id.sub, person.account.id);
  assert.equal(id.nonce, nonce);
  assert.equal(id.email, person.email);
  assert.equal(id.name, "Olive Dc");
  assert.deepEqual(id.amr, ["pwd"]);
  assert.equal(id.workspace_id, ws.id);
  assert.equal(id.workspace, person.shortname);
  assert.equal(id.product_id, product.id);
  assert.equal(id.product_role, "editor");
  assert.ok(id.at_hash && id.sid && id.auth_time);
  // The access token: an RFC 9068 JWT for this client, verifiable offline with jose.
  const jwks = jose.createRemoteJWKSet(new URL(issuer.metadata.jwks_uri));
  const at = await jose.jwtVerify(tokens.access_token, jwks, { issuer: vault.url, audience: confidential.client_id, typ: "at+jwt", algorithms: ["EdDSA"] });
  assert.equal(at.payload.sub, person.account.id);
  assert.equal(at.payload.product_role, "editor");
  assert.equal(at.payload.workspace_id, ws.id);
  assert.ok(!("memberships" in at.payload) && !("workspaces" in at.payload));

  const info = await client.userinfo(tokens);
  assert.equal(info.sub, person.account.id);
  assert.equal(info.email, person.email);
  assert.equal(info.email_verified, true);
  assert.equal(info.product_role, "editor");

  // Refresh rotates: a new refresh token each time; the old one is spent.
  const second = await client.refresh(tokens.refresh_token);
  assert.notEqual(second.refresh_token, tokens.refresh_token);
  assert.equal(second.claims().sub, person.account.id);
  const third = await client.refresh(second.refresh_token);
  // Presenting a spent token again: reuse detected, the whole family revoked.
  await rejectsWith(client.refresh(second.refresh_token), "invalid_grant");
  await rejectsWith(client.refresh(third.refresh_token), "invalid_grant");

  // Introspection (a confidential client of the same product type) and revocation.
  const live = await client.introspect(third.access_token);
  assert.equal(live.active, true);
  assert.equal(live.sub, person.account.id);
  assert.equal(live.product_id, product.id);
  await client.revoke(third.access_token);
  assert.equal((await client.introspect(third.access_token)).active, false);
  await assert.rejects(client.userinfo(third.access_token), /invalid_token/);

  const fresh = await codeFlow(client, person);
  await client.revoke(fresh.tokens.refresh_token, "refresh_token");
  await rejectsWith(client.refresh(fresh.tokens.refresh_token), "invalid_grant");

  // Every issue, refresh, reuse and revocation is in the person's audit trail.
  const audit = await json("GET", `/api/v1/workspaces/${person.shortname}/audit?limit=100`, undefined, person.auth);
  const actions = new Set(audit.items.map((e) => e.action));
  for (const a of ["oauth.token_issued", "oauth.token_refreshed", "oauth.refresh_reuse_detected", "oauth.token_revoked"]) assert.ok(actions.has(a), a + " in " + [...actions]);
  assert.ok(!JSON.stringify(audit).includes(tokens.refresh_token));
});

test("a public client: PKCE is its only proof; no secret, no client credentials", async () => {
  const client = rp(publicClient);
  const { tokens } = await codeFlow(client, person);
  assert.equal(tokens.claims().aud, publicClient.client_id);
  const next = await client.refresh(tokens.refresh_token);
  assert.ok(next.access_token);
  await rejectsWith(client.grant({ grant_type: "client_credentials" }), "unauthorized_client");
  // Without PKCE the request goes back refused.
  const url = client.authorizationUrl({ scope: "openid", state: "s1" });
  const loc = new URL(await authorize(url, person));
  assert.equal(loc.origin + loc.pathname, REDIRECT);
  assert.equal(loc.searchParams.get("error"), "invalid_request");
  assert.equal(loc.searchParams.get("state"), "s1");
  assert.equal(loc.searchParams.get("iss"), vault.url);
});

test("refused: a wrong verifier, a reused code, a foreign redirect URI, an expired code, plain PKCE", async () => {
  const client = rp(confidential);
  const verifier = generators.codeVerifier();
  const base = { scope: "openid", code_challenge: generators.codeChallenge(verifier), code_challenge_method: "S256", state: "st" };
  const codeOf = async (extra = {}) => client.callbackParams(await authorize(client.authorizationUrl({ ...base, ...extra }), person));

  // A wrong verifier; then the right one still works once; then the code is spent.
  const params = await codeOf();
  await rejectsWith(client.callback(REDIRECT, params, { code_verifier: generators.codeVerifier(), state: "st" }), "invalid_grant");
  const first = await client.callback(REDIRECT, params, { code_verifier: verifier, state: "st" });
  await rejectsWith(client.callback(REDIRECT, params, { code_verifier: verifier, state: "st" }), "invalid_grant");
  // The reused code took the tokens of its first exchange with it.
  await rejectsWith(client.refresh(first.refresh_token), "invalid_grant");

  // A redirect URI that is not registered is never redirected to: the person sees Vault's page.
  const foreign = client.authorizationUrl({ ...base, redirect_uri: "https://evil.example/cb" });
  const to = await authorize(foreign, person);
  assert.ok(to.startsWith("/authorize?"), to);
  const plan = await (await fetch(vault.url + "/api/v1/oauth/authorization?" + new URL(foreign).searchParams, { headers: { cookie: "vault_session=" + person.session_token } })).json();
  assert.equal(plan.status, "error");
  assert.match(plan.description, /redirect_uri is not registered/);
  // A code for one redirect URI cannot be exchanged for another.
  const other = await codeOf({ redirect_uri: OTHER_REDIRECT });
  await rejectsWith(client.callback(REDIRECT, other, { code_verifier: verifier, state: "st" }), "invalid_grant");

  // An expired code (60 s).
  const late = await codeOf();
  vault.setClockOffset(61);
  try {
    await rejectsWith(client.callback(REDIRECT, late, { code_verifier: verifier, state: "st" }), "invalid_grant");
  } finally {
    vault.setClockOffset(0);
  }

  // plain PKCE, and no openid scope.
  for (const [extra, error] of [[{ code_challenge: verifier, code_challenge_method: "plain" }, "invalid_request"], [{ scope: "email" }, "invalid_scope"], [{ response_type: "token" }, "unsupported_response_type"]]) {
    const loc = new URL(await authorize(client.authorizationUrl({ ...base, ...extra }), person));
    assert.equal(loc.searchParams.get("error"), error, JSON.stringify(extra));
    assert.equal(loc.searchParams.has("code"), false);
  }
  // prompt=none without a session: login_required, straight back to the client.
  const none = new URL(await authorize(client.authorizationUrl({ ...base, prompt: "none" }), null));
  assert.equal(none.searchParams.get("error"), "login_required");
});

test("client credentials for product back ends, and key rotation keeps earlier tokens verifying", async () => {
  const client = rp(confidential);
  const cc = await client.grant({ grant_type: "client_credentials" });
  assert.equal((await client.introspect(cc.access_token)).active, true);
  const before = await codeFlow(client, person);
  const oldKid = jose.decodeProtectedHeader(before.tokens.id_token).kid;
  const newKid = vault.cli("keys", "rotate").trim();
  assert.notEqual(newKid, oldKid);
  // The running server hears of the rotation through the change feed within a second and
  // publishes both keys.
  let kids = [];
  for (let i = 0; i < 50 && kids.length < 2; i++) {
    kids = (await (await fetch(issuer.metadata.jwks_uri)).json()).keys.map((k) => k.kid);
    if (kids.length < 2) await new Promise((r) => setTimeout(r, 100));
  }
  assert.deepEqual(kids, [newKid, oldKid]);
  // openid-client re-reads a JWKS at most once a minute; a product that restarts (or waits)
  // meets the new key. Here: a fresh discovery, as after a restart.
  issuer = await Issuer.discover(vault.url);
  const after = await codeFlow(rp(confidential), person);
  assert.equal(jose.decodeProtectedHeader(after.tokens.id_token).kid, newKid);
  const jwks = jose.createRemoteJWKSet(new URL(issuer.metadata.jwks_uri));
  await jose.jwtVerify(before.tokens.id_token, jwks, { issuer: vault.url, audience: confidential.client_id });
  await jose.jwtVerify(after.tokens.id_token, jwks, { issuer: vault.url, audience: confidential.client_id });
  assert.equal((await client.introspect(before.tokens.access_token)).active, true);
});

test("the access model decides: no grant is access_denied with a page; a removed grant or a disabled account ends refresh", async () => {
  const client = rp(confidential);
  const outsider = await personWithProduct(null); // a Manage product, but no role in it
  const url = client.authorizationUrl({ scope: "openid", code_challenge: generators.codeChallenge(generators.codeVerifier()), code_challenge_method: "S256", state: "deny" });
  const to = await authorize(url, outsider);
  assert.ok(to.startsWith("/authorize?"), to);
  const plan = await (await fetch(vault.url + "/api/v1/oauth/authorization?" + new URL(url).searchParams, { headers: { cookie: "vault_session=" + outsider.session_token } })).json();
  assert.equal(plan.status, "denied");
  assert.equal(plan.reason, "no_grant");
  const back = new URL(plan.redirect_to);
  assert.equal(back.searchParams.get("error"), "access_denied");
  assert.equal(back.searchParams.get("state"), "deny");

  // A granted person signs in; then loses the grant: the next refresh fails.
  const member = await personWithProduct("viewer");
  const { tokens } = await codeFlow(client, member);
  assert.equal(tokens.claims().product_role, "viewer");
  const r = await vault.api("DELETE", `/api/v1/workspaces/${member.shortname}/products/${member.product.id}/grants/account/${member.account.id}`, undefined, member.auth);
  assert.equal(r.status, 204, JSON.stringify(r.data));
  await rejectsWith(client.refresh(tokens.refresh_token), "invalid_grant");

  // A disabled account's refresh fails too.
  const other = await personWithProduct("editor");
  const flow = await codeFlow(client, other);
  assert.equal((await vault.api("PATCH", `/api/v1/admin/accounts/${other.account.id}`, { disabled: true }, admin)).status, 200);
  await rejectsWith(client.refresh(flow.tokens.refresh_token), "invalid_grant");
});

test("denials name their reason: an inactive product, a workspace that requires 2FA; removing a member ends refresh", async () => {
  const client = rp(confidential);
  const plan = async (who) => {
    const url = client.authorizationUrl({ scope: "openid", code_challenge: generators.codeChallenge(generators.codeVerifier()), code_challenge_method: "S256", state: "why" });
    const r = await fetch(vault.url + "/api/v1/oauth/authorization?" + new URL(url).searchParams, { headers: { cookie: "vault_session=" + who.session_token } });
    return r.json();
  };
  // The product is disabled: the signed-in person's refresh fails, and a new sign-in is denied.
  const a = await personWithProduct("editor");
  const flow = await codeFlow(client, a);
  await json("PATCH", `/api/v1/workspaces/${a.shortname}/products/${a.product.id}`, { disabled: true }, a.auth);
  await rejectsWith(client.refresh(flow.tokens.refresh_token), "invalid_grant");
  const inactive = await plan(a);
  assert.equal(inactive.status, "denied");
  assert.equal(inactive.reason, "product_inactive");
  assert.equal(new URL(inactive.redirect_to).searchParams.get("error_description"), "product_inactive");

  // The workspace requires 2FA and the person has none.
  const b = await personWithProduct("editor");
  await json("PATCH", `/api/v1/workspaces/${b.shortname}`, { require_2fa: true }, b.auth);
  const mfa = await plan(b);
  assert.equal(mfa.reason, "workspace_requires_2fa");

  // A member removed from the workspace: the next refresh fails.
  const owner = await personWithProduct("editor");
  const member = await vault.createAccount("Mo Member", uniqueEmail("member"));
  await json("POST", `/api/v1/workspaces/${owner.shortname}/invitations`, { email: member.email, role: "member" }, owner.auth);
  const invitation = (await json("GET", "/api/v1/me/invitations", undefined, member.auth)).items?.[0] ?? (await json("GET", "/api/v1/me/invitations", undefined, member.auth))[0];
  await json("POST", `/api/v1/me/invitations/${invitation.id}/accept`, {}, member.auth);
  await json("PUT", `/api/v1/workspaces/${owner.shortname}/products/${owner.product.id}/grants`, { principal: { type: "account", id: member.account.id }, role: "viewer" }, owner.auth);
  const memberFlow = await codeFlow(client, member);
  assert.equal(memberFlow.tokens.claims().workspace, owner.shortname);
  const removed = await vault.api("DELETE", `/api/v1/workspaces/${owner.shortname}/members/${member.account.id}`, undefined, owner.auth);
  assert.equal(removed.status, 204, JSON.stringify(removed.data));
  await rejectsWith(client.refresh(memberFlow.tokens.refresh_token), "invalid_grant");
});

test("a product's sign-in ends with the console session it was made through", async () => {
  const client = rp(confidential);
  const who = await personWithProduct("editor");
  // Two sign-ins to the product from two console sessions of the same person.
  const other = await json("POST", "/api/v1/sessions", { email: who.email, password: PASSWORD });
  const first = await codeFlow(client, who);
  const second = await codeFlow(client, { session_token: other.session_token });
  // Signing out of the first console session ends the first sign-in only.
  assert.equal((await vault.api("DELETE", "/api/v1/sessions/current", undefined, who.auth)).status, 204);
  await rejectsWith(client.refresh(first.tokens.refresh_token), "invalid_grant");
  const kept = await client.refresh(second.tokens.refresh_token);
  // "Sign out all other sessions" from a third session ends the second one's too.
  const third = await json("POST", "/api/v1/sessions", { email: who.email, password: PASSWORD });
  const r = await vault.api("DELETE", "/api/v1/me/sessions", undefined, { Authorization: "Bearer " + third.session_token });
  assert.equal(r.status, 204, JSON.stringify(r.data));
  await rejectsWith(client.refresh(kept.refresh_token), "invalid_grant");
});

test("switching the active workspace on refresh, without a password", async () => {
  const client = rp(confidential);
  const kim = await personWithProduct("editor");
  const second = "oidc3-" + Math.random().toString(36).slice(2, 10);
  const w2 = await json("POST", "/api/v1/workspaces", { name: "Third Shop", shortname: second }, kim.auth);
  const p2 = await json("POST", `/api/v1/workspaces/${second}/products`, { product_type: "manage", name: "Jobs Three", shortname: "jobs" }, kim.auth);
  await json("PUT", `/api/v1/workspaces/${second}/products/${p2.id}/grants`, { principal: { type: "account", id: kim.account.id }, role: "viewer" }, kim.auth);
  const first = await codeFlow(client, kim, { workspace_id: kim.ws.id, product_id: kim.product.id });
  assert.equal(first.tokens.claims().workspace, kim.shortname);
  const switched = await client.refresh(first.tokens.refresh_token, { exchangeBody: { workspace_id: w2.id, product_id: p2.id } });
  const claims = switched.claims();
  assert.equal(claims.workspace, second);
  assert.equal(claims.product_id, p2.id);
  assert.equal(claims.product_role, "viewer");
  // Only pairs the person may use: another person's workspace is refused.
  const stranger = await personWithProduct("editor");
  await rejectsWith(client.refresh(switched.refresh_token, { exchangeBody: { workspace_id: stranger.ws.id, product_id: stranger.product.id } }), "invalid_grant");
});

test("in the browser: the console's sign-in, the workspace chooser, then silent sign-in and logout", async () => {
  const client = rp(confidential);
  // Kim uses Manage in two workspaces: the chooser asks which.
  const kim = await personWithProduct("editor");
  const second = "oidc2-" + Math.random().toString(36).slice(2, 10);
  await json("POST", "/api/v1/workspaces", { name: "Second Shop", shortname: second }, kim.auth);
  const p2 = await json("POST", `/api/v1/workspaces/${second}/products`, { product_type: "manage", name: "Jobs Two", shortname: "jobs" }, kim.auth);
  await json("PUT", `/api/v1/workspaces/${second}/products/${p2.id}/grants`, { principal: { type: "account", id: kim.account.id }, role: "admin" }, kim.auth);

  const page = await newPage(browser, vault);
  let callback = null;
  await page.context().route(REDIRECT + "**", (route) => {
    callback = route.request().url();
    return route.fulfill({ status: 200, contentType: "text/html", body: "<!doctype html><title>Product</title><h1>Signed in</h1>" });
  });
  const code_verifier = generators.codeVerifier();
  const url = client.authorizationUrl({ scope: "openid email", code_challenge: generators.codeChallenge(code_verifier), code_challenge_method: "S256", state: "b1", nonce: "n1", login_hint: kim.email });
  await page.goto(url);
  await page.waitForURL(/\/signin\?return_to=/);
  assert.equal(await page.getByLabel("Email").inputValue(), kim.email); // login_hint
  await page.getByText("continue to the application").waitFor();
  await visit(page, "oauth-signin");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Choose a workspace", level: 1 }).waitFor();
  await visit(page, "oauth-choose-workspace");
  await page.getByRole("button", { name: /Second Shop/ }).click();
  await page.waitForURL(REDIRECT + "**");
  const params = client.callbackParams(callback);
  const tokens = await client.callback(REDIRECT, params, { code_verifier, state: "b1", nonce: "n1" });
  assert.equal(tokens.claims().workspace, second);
  assert.equal(tokens.claims().product_id, p2.id);
  assert.equal(tokens.claims().product_role, "admin");

  // Switching workspace without a password: prompt=select_account reuses the session.
  const v2 = generators.codeVerifier();
  await page.goto(client.authorizationUrl({ scope: "openid", code_challenge: generators.codeChallenge(v2), code_challenge_method: "S256", state: "b2", prompt: "select_account" }));
  await page.getByRole("button", { name: /Olive Co/ }).click();
  await page.waitForURL(REDIRECT + "**");
  const switched = await client.callback(REDIRECT, client.callbackParams(callback), { code_verifier: v2, state: "b2" });
  assert.equal(switched.claims().workspace, kim.shortname);

  // Logout with the ID token: the console session ends, back to the product with its state.
  // (The product's page here is a real loopback server: Playwright's routing does not follow a
  // cross-site redirect back into a routed origin.)
  await page.goto(client.endSessionUrl({ id_token_hint: tokens.id_token, post_logout_redirect_uri: productSite.url + "/signed-out", state: "bye" }));
  await page.waitForURL(productSite.url + "/signed-out?state=bye");
  await page.getByRole("heading", { name: "Product page" }).waitFor();
  await rejectsWith(client.refresh(tokens.refresh_token), "invalid_grant");
  await page.goto("/");
  await page.waitForURL(/\/signin/);

  // A denied person sees why, and a way back to the product.
  const outsider = await personWithProduct(null);
  const denied = await newPage(browser, vault);
  await denied.context().addCookies([{ name: "vault_session", value: outsider.session_token, url: vault.url }]);
  await denied.goto(client.authorizationUrl({ scope: "openid", code_challenge: generators.codeChallenge(v2), code_challenge_method: "S256", state: "b3" }));
  await denied.getByRole("heading", { name: /You can't use Manage web yet/ }).waitFor();
  await visit(denied, "oauth-access-denied");
  const back = await denied.getByRole("button", { name: "Return to Manage web" }).getAttribute("href");
  assert.equal(new URL(back).searchParams.get("error"), "access_denied");
  assertNoProblems(page);
  assertNoProblems(denied);
});
