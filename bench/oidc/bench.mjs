// Driver of bench/oidc.sh (run it through that script): sets both servers up, checks one answer
// of each kind on each (sanity), then measures each grant on oidc-provider and on Vault back to
// back with wrk (Lua scripts generated here) and prints the table. Reports; never fails on a
// timing (it exits non-zero only when a server answers wrongly, i.e. the comparison is void).
//
// Environment (set by bench/oidc.sh): VAULT_BASE, VAULT_PID, VAULT_BIN, VAULT_LOG, OP_INFO (the
// JSON line provider.mjs printed), BENCH_TMP, BENCH_SECONDS, BENCH_WARMUP_SECONDS,
// BENCH_CONNECTIONS, BENCH_THREADS, BENCH_JSON.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';

import * as jose from 'jose';

const env = process.env;
const TMP = env.BENCH_TMP;
const SECONDS = Number(env.BENCH_SECONDS || 10);
const WARMUP = Number(env.BENCH_WARMUP_SECONDS || 3);
const THREADS = Number(env.BENCH_THREADS || 2);
const CONNS = Math.max(THREADS, Math.round(Number(env.BENCH_CONNECTIONS || 64) / THREADS) * THREADS);
const REDIRECT = env.BENCH_REDIRECT_URI || 'http://127.0.0.1:9/cb';
const OIDC_SCOPE = 'openid email profile offline_access';
const CC_SCOPE = 'keys:verify access:check';
const FORM = 'application/x-www-form-urlencoded';
// Earlier figures for oidc-provider on this machine (issue 15); the aim is 4x of what
// oidc-provider does in this same run.
const EARLIER = { cc: 5400, introspect: 5700, flow: 220 };
const AIM = 4;

const log = (...a) => console.error(`[oidc-bench ${new Date().toTimeString().slice(0, 8)}]`, ...a);
function die(msg) { log(`FAILED: ${msg}`); process.exit(1); }
function check(cond, what) { if (!cond) die(what); }

const basic = (id, secret) => 'Basic ' + Buffer.from(
  `${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64');
const b64url = (buf) => Buffer.from(buf).toString('base64url');
function pkcePair() {
  const verifier = b64url(crypto.randomBytes(32));
  return { verifier, challenge: b64url(crypto.createHash('sha256').update(verifier).digest()) };
}

async function json(res, what) {
  const text = await res.text();
  try { return JSON.parse(text); } catch { die(`${what}: answered ${res.status} ${text.slice(0, 300)}`); }
}
// A kept-alive connection that the server closed while idle (between phases) fails at once;
// one retry on a new connection is what a client does.
const fetchRetried = (url, opts) => fetch(url, opts).catch(() => fetch(url, opts));
async function call(base, method, p, { body, headers = {}, expect } = {}) {
  const h = { ...headers };
  if (body !== undefined && !h['content-type']) h['content-type'] = 'application/json';
  const res = await fetchRetried(base + p, {
    method, headers: h, redirect: 'manual',
    body: body === undefined ? undefined : (typeof body === 'string' ? body : JSON.stringify(body)),
  });
  const out = res.status === 204 ? null : await json(res, `${method} ${p}`);
  if (expect !== undefined && res.status !== expect)
    die(`${method} ${p} answered ${res.status} (expected ${expect}): ${JSON.stringify(out).slice(0, 400)}`);
  return out;
}

// ---- the two servers ----------------------------------------------------------------------
// A server: { name, base, pid, clientId, secret, cookie, discovery, jwks, flows }
async function discover(server) {
  server.discovery = await call(server.base, 'GET', '/.well-known/openid-configuration', { expect: 200 });
  // Paths from the discovery document, served from where we reach the server (Vault's issuer is
  // VAULT_PUBLIC_URL, which need not be its listening address).
  server.path = (field) => new URL(server.discovery[field]).pathname;
  server.flows = Boolean(server.discovery.authorization_endpoint);
  server.jwks = jose.createRemoteJWKSet(new URL(server.base + server.path('jwks_uri')));
  return server;
}

async function setUpVault() {
  const base = env.VAULT_BASE;
  const vaultEnv = { ...env };
  // Super Admin: the CLI prints a set-password link (as bench/key_verify.py does).
  const adminEmail = 'oidc-bench-admin@bench.example';
  const password = `Correct-Horse-Battery-${Date.now()}`;
  const out = execFileSync(env.VAULT_BIN, ['admin', 'create-super-admin', adminEmail],
    { env: vaultEnv, encoding: 'utf8' });
  const token = out.match(/token=([A-Za-z0-9_-]+)/)[1];
  await call(base, 'POST', '/api/v1/password/reset', { body: { token, password }, expect: 204 });
  const admin = await call(base, 'POST', '/api/v1/sessions',
    { body: { email: adminEmail, password }, expect: 201 });
  const client = await call(base, 'POST', '/api/v1/admin/service-clients', {
    body: { product_type: 'submit', name: 'oidc bench', redirect_uris: [REDIRECT], public: false },
    headers: { authorization: `Bearer ${admin.session_token}` }, expect: 201,
  });
  // The person: signs up through the API (the link is in the dev log), owns one workspace with
  // one product of the client's type and a grant on it, and has a console session.
  const email = 'oidc-bench-person@bench.example';
  await call(base, 'POST', '/api/v1/signup', { body: { name: 'Bench Person', email }, expect: 202 });
  let link;
  for (let i = 0; i < 200 && !link; i++) {
    const m = [...fs.readFileSync(env.VAULT_LOG, 'utf8').matchAll(/signup\/complete\?token=([A-Za-z0-9_-]+)/g)];
    link = m.length ? m[m.length - 1][1] : undefined;
    if (!link) await new Promise((r) => setTimeout(r, 50));
  }
  check(link, 'no sign-up link in the Vault log (VAULT_DEV=1 logs it)');
  const person = await call(base, 'POST', '/api/v1/signup/complete',
    { body: { token: link, password }, expect: 201 });
  const auth = { authorization: `Bearer ${person.session_token}` };
  const ws = await call(base, 'POST', '/api/v1/workspaces',
    { body: { name: 'OIDC Bench', shortname: 'oidc-bench' }, headers: auth, expect: 201 });
  const product = await call(base, 'POST', `/api/v1/workspaces/${ws.id}/products`, {
    body: { product_type: 'submit', name: 'Bench Submit', shortname: 'bench-submit', plan: 'enterprise' },
    headers: auth, expect: 201,
  });
  await call(base, 'PUT', `/api/v1/workspaces/${ws.id}/products/${product.id}/grants`, {
    body: { principal: { type: 'account', id: person.account.id }, role: 'editor' },
    headers: auth, expect: 200,
  });
  return discover({
    name: 'Vault', base, pid: Number(env.VAULT_PID), clientId: client.client_id,
    secret: client.client_secret, cookie: `vault_session=${person.session_token}`,
    accountId: person.account.id,
  });
}

// oidc-provider: the sign-in and consent are satisfied once, through the bench's interaction
// route (provider.mjs), by following the redirects of one authorization request with a cookie
// jar; the session cookie it leaves is all that later requests send.
async function setUpProvider() {
  const info = JSON.parse(env.OP_INFO);
  const server = await discover({
    name: 'oidc-provider', base: info.listening, pid: info.pid, clientId: info.client_id,
    secret: info.client_secret, accountId: 'acc_bench',
  });
  const jar = new Map();
  const { challenge } = pkcePair();
  let url = server.base + server.path('authorization_endpoint') + '?' + new URLSearchParams({
    response_type: 'code', client_id: server.clientId, redirect_uri: REDIRECT, scope: OIDC_SCOPE,
    state: 'setup', nonce: 'setup', code_challenge: challenge, code_challenge_method: 'S256',
  });
  for (let i = 0; i < 8 && !url.startsWith(REDIRECT); i++) {
    const res = await fetchRetried(url, {
      redirect: 'manual', headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const c of res.headers.getSetCookie()) {
      const nv = c.split(';')[0];
      jar.set(nv.slice(0, nv.indexOf('=')), nv.slice(nv.indexOf('=') + 1));
    }
    check(res.status === 302 || res.status === 303,
      `oidc-provider interaction step ${i} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
    url = new URL(res.headers.get('location'), server.base).href;
  }
  check(url.startsWith(REDIRECT) && new URL(url).searchParams.get('code'),
    `oidc-provider's session set-up ended at ${url}`);
  server.cookie = ['_session', '_session.sig'].map((k) => `${k}=${jar.get(k)}`).join('; ');
  return server;
}

// ---- one request of each kind, checked (the sanity phase; also seeds the load) --------------
function tokenHeaders(s) { return { authorization: basic(s.clientId, s.secret), 'content-type': FORM }; }
async function token(s, params, expect = 200) {
  return call(s.base, 'POST', s.path('token_endpoint'),
    { body: new URLSearchParams(params).toString(), headers: tokenHeaders(s), expect });
}
async function verifyAccessToken(s, at, audience) {
  const { payload, protectedHeader } = await jose.jwtVerify(at, s.jwks, {
    algorithms: ['EdDSA'], issuer: s.discovery.issuer, audience, typ: 'at+jwt',
  }).catch((e) => die(`${s.name}: access token does not verify: ${e.message}`));
  check(protectedHeader.alg === 'EdDSA', `${s.name}: alg ${protectedHeader.alg}`);
  return payload;
}
async function introspect(s, tok) {
  return call(s.base, 'POST', s.path('introspection_endpoint'), {
    body: new URLSearchParams({ token: tok, token_type_hint: 'access_token' }).toString(),
    headers: tokenHeaders(s), expect: 200,
  });
}
function authorizeUrl(s, pair, state, nonce) {
  return s.path('authorization_endpoint') + '?' + new URLSearchParams({
    response_type: 'code', client_id: s.clientId, redirect_uri: REDIRECT, scope: OIDC_SCOPE,
    state, nonce, code_challenge: pair.challenge, code_challenge_method: 'S256',
  });
}
async function codeFlow(s, { verify = false } = {}) {
  const pair = pkcePair();
  const state = b64url(crypto.randomBytes(9));
  const nonce = b64url(crypto.randomBytes(9));
  const res = await fetchRetried(s.base + authorizeUrl(s, pair, state, nonce),
    { redirect: 'manual', headers: { cookie: s.cookie } });
  check(res.status === 302 || res.status === 303,
    `${s.name}: authorize answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  const loc = new URL(res.headers.get('location'));
  check(loc.href.startsWith(REDIRECT) && loc.searchParams.get('code'), `${s.name}: authorize went to ${loc.href}`);
  check(loc.searchParams.get('state') === state, `${s.name}: state not echoed`);
  check(loc.searchParams.get('iss') === s.discovery.issuer, `${s.name}: iss ${loc.searchParams.get('iss')}`);
  const t = await token(s, { grant_type: 'authorization_code', code: loc.searchParams.get('code'),
    redirect_uri: REDIRECT, code_verifier: pair.verifier });
  check(t.access_token && t.id_token && t.refresh_token, `${s.name}: code exchange gave ${Object.keys(t)}`);
  if (verify) {
    const { payload: id } = await jose.jwtVerify(t.id_token, s.jwks, {
      algorithms: ['EdDSA'], issuer: s.discovery.issuer, audience: s.clientId,
    }).catch((e) => die(`${s.name}: ID token does not verify: ${e.message}`));
    check(id.nonce === nonce && id.sub, `${s.name}: ID token nonce/sub`);
    const at = await verifyAccessToken(s, t.access_token);
    check(at.sub === id.sub, `${s.name}: access token sub ${at.sub} ≠ ID token sub ${id.sub}`);
    // A wrong verifier is refused (PKCE is enforced, not only accepted).
    const again = await fetchRetried(s.base + authorizeUrl(s, pair, 'x', 'y'), { redirect: 'manual', headers: { cookie: s.cookie } });
    const code2 = new URL(again.headers.get('location')).searchParams.get('code');
    const bad = await token(s, { grant_type: 'authorization_code', code: code2, redirect_uri: REDIRECT,
      code_verifier: pkcePair().verifier }, 400);
    check(bad.error === 'invalid_grant', `${s.name}: wrong code_verifier gave ${JSON.stringify(bad)}`);
    return { tokens: t, id, at };
  }
  return { tokens: t };
}

async function sanity(s, opaqueResource) {
  const out = {};
  const cc = await token(s, { grant_type: 'client_credentials', scope: CC_SCOPE });
  const claims = await verifyAccessToken(s, cc.access_token, `${s.discovery.issuer}/api/v1`);
  check(claims.client_id === s.clientId && claims.scope === CC_SCOPE, `${s.name}: cc claims ${JSON.stringify(claims)}`);
  out.cc = `JWT verified with jose (EdDSA, typ at+jwt, aud ${claims.aud}), expires_in ${cc.expires_in}`;
  // Introspection: Vault introspects its JWT; oidc-provider introspects only tokens it stores
  // (opaque access tokens and refresh tokens; its JWT access tokens are answered inactive), so
  // its introspection load uses opaque client-credentials tokens with the same claims.
  let it = cc.access_token;
  if (opaqueResource) {
    const inactive = await introspect(s, cc.access_token);
    check(inactive.active === false, `${s.name}: its JWT access token introspects ${JSON.stringify(inactive)}`);
    it = (await token(s, { grant_type: 'client_credentials', scope: CC_SCOPE, resource: opaqueResource })).access_token;
    check(it.split('.').length === 1, `${s.name}: opaque token expected`);
  }
  const i = await introspect(s, it);
  check(i.active === true && i.client_id === s.clientId && i.scope === CC_SCOPE,
    `${s.name}: introspection ${JSON.stringify(i)}`);
  out.introspect = `active, client_id and scope as issued${opaqueResource ? ' (opaque token; its JWT answers inactive)' : ''}`;
  out.introspectToken = it;
  if (s.flows) {
    const f = await codeFlow(s, { verify: true });
    const r = await token(s, { grant_type: 'refresh_token', refresh_token: f.tokens.refresh_token });
    check(r.refresh_token && r.refresh_token !== f.tokens.refresh_token, `${s.name}: refresh did not rotate`);
    const at = await verifyAccessToken(s, r.access_token);
    check(at.sub === f.id.sub, `${s.name}: refreshed access token sub`);
    out.flow = `302/303 with code, state, iss; ID token (nonce, aud) and access token verified; wrong code_verifier → invalid_grant`;
    out.refresh = `rotated (new refresh token), new access token verified`;
  }
  return out;
}

// ---- load: wrk with generated Lua ------------------------------------------------------------
const LUA_COMMON = `
local threads = {}
local counter = 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end
ok, bad = 0, 0
-- The first failed answer of each thread is kept for the log (a run with failures is void).
function fail(status, body)
  bad = bad + 1
  if bad == 1 then io.stderr:write(string.format("FIRST_FAILURE %d %s\\n", status, (body or ""):sub(1, 300))) end
end
local function urlencode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end
function done(summary, latency, requests)
  local ok_all, bad_all = 0, 0
  for _, t in ipairs(threads) do
    ok_all = ok_all + (t:get("ok") or 0)
    bad_all = bad_all + (t:get("bad") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"seconds":%.3f,"ok":%d,"bad":%d,"p50_ms":%.3f,"p99_ms":%.3f,"socket_errors":%d,"status_errors":%d}\\n',
    summary.requests, summary.duration / 1e6, ok_all, bad_all, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, e.connect + e.read + e.write + e.timeout, e.status))
end
`;
const luaStr = (s) => JSON.stringify(s); // a JSON string is a valid Lua string here (ASCII)

function luaFloor() {
  return `${LUA_COMMON}
local req
function init(args) req = wrk.format("GET", "/.well-known/openid-configuration") end
function request() return req end
function response(status, headers, body)
  if status == 200 then ok = ok + 1 else fail(status, body) end
end`;
}
function luaClientCredentials(s) {
  return `${LUA_COMMON}
local req
function init(args)
  req = wrk.format("POST", ${luaStr(s.path('token_endpoint'))},
    {["Authorization"] = ${luaStr(basic(s.clientId, s.secret))}, ["Content-Type"] = "${FORM}"},
    ${luaStr(new URLSearchParams({ grant_type: 'client_credentials', scope: CC_SCOPE }).toString())})
end
function request() return req end
function response(status, headers, body)
  if status == 200 and body:find('"access_token"', 1, true) then ok = ok + 1 else fail(status, body) end
end`;
}
function luaIntrospect(s, tokens) {
  return `${LUA_COMMON}
local tokens = {${tokens.map(luaStr).join(',')}}
local reqs = {}
function init(args)
  math.randomseed(4242 + 7919 * (tid or 0))
  local h = {["Authorization"] = ${luaStr(basic(s.clientId, s.secret))}, ["Content-Type"] = "${FORM}"}
  for i, t in ipairs(tokens) do
    reqs[i] = wrk.format("POST", ${luaStr(s.path('introspection_endpoint'))}, h,
      "token=" .. urlencode(t) .. "&token_type_hint=access_token")
  end
end
function request() return reqs[math.random(#reqs)] end
function response(status, headers, body)
  if status == 200 and body:find('"active":true', 1, true) then ok = ok + 1 else fail(status, body) end
end`;
}
// Refresh chains: each connection's next refresh uses the refresh token its previous refresh
// returned (queued per wrk thread: a response queues its new token, the next request on that
// thread takes the oldest queued one), so every token is used once, as with rotation.
function luaRefresh(s, tokensByThread) {
  return `${LUA_COMMON}
local by_thread = {${tokensByThread.map((ts) => `{${ts.map(luaStr).join(',')}}`).join(',\n')}}
local queue, head, tail = {}, 1, 0
local h
lost = 0
function init(args)
  for _, t in ipairs(by_thread[(tid or 0) + 1]) do tail = tail + 1; queue[tail] = t end
  h = {["Authorization"] = ${luaStr(basic(s.clientId, s.secret))}, ["Content-Type"] = "${FORM}"}
end
function request()
  local rt = "spent"
  if head <= tail then rt = queue[head]; queue[head] = nil; head = head + 1 end
  return wrk.format("POST", ${luaStr(s.path('token_endpoint'))}, h,
    "grant_type=refresh_token&refresh_token=" .. urlencode(rt))
end
function response(status, headers, body)
  local rt = status == 200 and body:match('"refresh_token"%s*:%s*"([^"]+)"')
  if rt and body:find('"access_token"', 1, true) then
    ok = ok + 1; tail = tail + 1; queue[tail] = rt
  else
    fail(status, body)
  end
end`;
}
// The code flow: GET authorize with the session cookie → 302/303 with a code (the state names
// the PKCE pair used) → POST the token exchange with that pair's verifier; a flow counts when
// the exchange returns an ID token. Each connection alternates: a response with a code queues
// it, and the next request on the thread exchanges a queued code before starting a new flow.
function luaFlow(s, pairs) {
  const prefixes = pairs.map((p) => s.path('authorization_endpoint') + '?' + new URLSearchParams({
    response_type: 'code', client_id: s.clientId, redirect_uri: REDIRECT, scope: OIDC_SCOPE,
    code_challenge: p.challenge, code_challenge_method: 'S256' }).toString());
  return `${LUA_COMMON}
local prefixes = {${prefixes.map(luaStr).join(',\n')}}
local verifiers = {${pairs.map((p) => luaStr(p.verifier)).join(',\n')}}
local redirect = urlencode(${luaStr(REDIRECT)})
local codes, n = {}, 0
local ha, ht
function init(args)
  math.randomseed(1234 + 7919 * (tid or 0))
  ha = {["Cookie"] = ${luaStr(s.cookie)}}
  ht = {["Authorization"] = ${luaStr(basic(s.clientId, s.secret))}, ["Content-Type"] = "${FORM}"}
end
function request()
  local c = table.remove(codes)
  if c then
    return wrk.format("POST", ${luaStr(s.path('token_endpoint'))}, ht,
      "grant_type=authorization_code&code=" .. urlencode(c[1]) .. "&redirect_uri=" .. redirect ..
      "&code_verifier=" .. verifiers[c[2]])
  end
  n = n + 1
  local i = math.random(#prefixes)
  local nonce = string.format("n%d-%d-%d", tid or 0, n, math.random(1000000000))
  return wrk.format("GET", prefixes[i] .. "&state=" .. i .. "." .. n .. "&nonce=" .. nonce, ha)
end
function response(status, headers, body)
  if status == 302 or status == 303 then
    local loc = headers["Location"] or headers["location"] or ""
    local code = loc:match("[?&]code=([^&]+)")
    local i = tonumber(loc:match("[?&]state=(%d+)%."))
    if code and i then
      code = code:gsub("%%(%x%x)", function(x) return string.char(tonumber(x, 16)) end)
      table.insert(codes, {code, i})
    else
      fail(status, loc)
    end
  elseif status == 200 and body:find('"id_token"', 1, true) then
    ok = ok + 1
  else
    fail(status, body)
  end
end`;
}

const ticks = (pid) => {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14, 15)
};
const HZ = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

function wrk(s, name, script, seconds) {
  const file = path.join(TMP, `${name}-${s.name === 'Vault' ? 'vault' : 'op'}.lua`);
  fs.writeFileSync(file, script);
  const t0 = ticks(s.pid);
  const r = spawnSync('wrk', [`-t${THREADS}`, `-c${CONNS}`, `-d${seconds}s`, '--latency', '-s', file, s.base],
    { encoding: 'utf8', maxBuffer: 1 << 26 });
  const t1 = ticks(s.pid);
  const line = (r.stdout || '').split('\n').find((l) => l.startsWith('BENCH_JSON '));
  if (!line) die(`wrk ${name} on ${s.name}: ${r.stdout}\n${r.stderr}`);
  const j = JSON.parse(line.slice(11));
  j.rate = j.ok / j.seconds;
  const first = (r.stderr || '').split('\n').find((l) => l.startsWith('FIRST_FAILURE '));
  if (first) log(`   ${s.name}: ${name}: first failed answer: ${first.slice(14)}`);
  j.server_cpu_us = ((t1 - t0) / HZ) * 1e6 / Math.max(1, j.ok);
  return j;
}

const ROWS = new Set((env.BENCH_ROWS || 'floor,cc,introspect,refresh,flow').split(','));
// scripts: server name → a function returning the Lua script (called again for the measurement
// after the warm-up, so that state the warm-up spends, such as refresh chains, is fresh).
async function measure(servers, name, scripts) {
  const out = {};
  if (!ROWS.has(name)) return out;
  for (const s of servers) {
    if (!scripts[s.name]) continue;
    if (WARMUP > 0) wrk(s, `${name}-warmup`, await scripts[s.name](), WARMUP);
    out[s.name] = wrk(s, name, await scripts[s.name](), SECONDS);
    const j = out[s.name];
    log(`   ${s.name.padEnd(13)} ${j.rate.toFixed(0).padStart(7)}/s  p50 ${j.p50_ms.toFixed(2)} ms  p99 ${j.p99_ms.toFixed(2)} ms` +
      `  ${j.bad} failed, ${j.socket_errors} socket errors  server CPU ${j.server_cpu_us.toFixed(0)} µs/op`);
  }
  return out;
}

// ---- main ---------------------------------------------------------------------------------
const op = await setUpProvider();
const vault = await setUpVault();
log(`oidc-provider ${op.base} (pid ${op.pid}); Vault ${vault.base} (pid ${vault.pid}); ` +
    `Vault code flow + refresh: ${vault.flows ? 'available' : 'not available on this build'}`);

log('sanity: one answer of each kind on each server');
const OPAQUE = `${op.discovery.issuer}/api/v1/opaque`;
const sane = { 'oidc-provider': await sanity(op, OPAQUE), Vault: await sanity(vault) };
for (const [n, r] of Object.entries(sane))
  for (const [k, v] of Object.entries(r)) if (k !== 'introspectToken') log(`   ${n}: ${k}: ${v}`);

// Seeds for the load: 100 tokens to introspect, one refresh chain per connection, PKCE pairs.
async function introspectTokens(s, resource) {
  const out = [];
  for (let i = 0; i < 100; i++)
    out.push((await token(s, { grant_type: 'client_credentials', scope: CC_SCOPE, ...(resource ? { resource } : {}) })).access_token);
  return out;
}
async function refreshSeeds(s) {
  const perThread = Array.from({ length: THREADS }, () => []);
  // One chain per connection, and one more on the first thread: wrk calls request() once on the
  // first thread's script to check it (script_verify_request) and never sends that request.
  for (let i = 0; i <= CONNS; i++) perThread[i % THREADS].push((await codeFlow(s)).tokens.refresh_token);
  return perThread;
}
const pairs = Array.from({ length: 256 }, pkcePair);
const servers = [op, vault];
const R = { machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
  conns: CONNS, threads: THREADS, seconds: SECONDS, warmup: WARMUP, vault_flows: vault.flows, sanity: sane };

log(`floor: GET /.well-known/openid-configuration (wrk -t${THREADS} -c${CONNS} -d${SECONDS}s, warm-up ${WARMUP}s)`);
R.floor = await measure(servers, 'floor', { 'oidc-provider': luaFloor, Vault: luaFloor });
log('client credentials: POST /oauth2/token grant_type=client_credentials');
R.cc = await measure(servers, 'cc', {
  'oidc-provider': () => luaClientCredentials(op), Vault: () => luaClientCredentials(vault),
});
log('introspection: POST /oauth2/introspect, 100 live tokens at random');
const opTokens = ROWS.has('introspect') ? await introspectTokens(op, OPAQUE) : [];
const vaultTokens = ROWS.has('introspect') ? await introspectTokens(vault) : [];
R.introspect = await measure(servers, 'introspect', {
  'oidc-provider': () => luaIntrospect(op, opTokens), Vault: () => luaIntrospect(vault, vaultTokens),
});
log(`refresh: POST /oauth2/token grant_type=refresh_token, ${CONNS} rotating chains`);
R.refresh = await measure(servers, 'refresh', {
  'oidc-provider': async () => luaRefresh(op, await refreshSeeds(op)),
  Vault: vault.flows ? async () => luaRefresh(vault, await refreshSeeds(vault)) : undefined,
});
log('code + PKCE flow: GET /oauth2/authorize (session cookie) → POST /oauth2/token authorization_code');
R.flow = await measure(servers, 'flow', {
  'oidc-provider': () => luaFlow(op, pairs), Vault: vault.flows ? () => luaFlow(vault, pairs) : undefined,
});

// ---- the table ------------------------------------------------------------------------------
const fmt = (v) => (v === undefined ? '–' : Math.round(v).toLocaleString('en-US'));
const rows = [
  ['floor', 'GET discovery (HTTP floor, not a grant)'],
  ['cc', 'client credentials tokens', EARLIER.cc],
  ['introspect', 'introspections', EARLIER.introspect],
  ['refresh', 'refresh grants (rotating)'],
  ['flow', 'full code + PKCE flows', EARLIER.flow],
];
console.log('');
console.log('| metric | oidc-provider /s | Vault /s | ratio (Vault ÷ oidc-provider) | aim (4×) |');
console.log('|---|---|---|---|---|');
for (const [key, label, earlier] of rows) {
  const m = R[key];
  if (!ROWS.has(key)) { console.log(`| ${label} | not measured | not measured | – | |`); continue; }
  const a = m['oidc-provider']?.rate;
  const b = m.Vault?.rate;
  const ratio = a && b !== undefined ? b / a : undefined;
  let aim = '';
  if (key !== 'floor') {
    aim = b === undefined ? 'not available on this build'
      : `${ratio >= AIM ? 'met' : 'NOT met'} (4× = ${fmt(AIM * a)}/s${earlier ? `; earlier oidc-provider figure ~${fmt(earlier)}/s` : ''})`;
  }
  console.log(`| ${label} | ${fmt(a)} | ${b === undefined ? 'not available on this build' : fmt(b)} | ${ratio === undefined ? '–' : ratio.toFixed(2) + '×'} | ${aim} |`);
}
console.log('');
console.log('| metric | server | p50 ms | p99 ms | server CPU µs/op | failed | socket errors |');
console.log('|---|---|---|---|---|---|---|');
for (const [key, label] of rows)
  for (const n of ['oidc-provider', 'Vault'])
    if (R[key][n]) {
      const j = R[key][n];
      console.log(`| ${label} | ${n} | ${j.p50_ms.toFixed(2)} | ${j.p99_ms.toFixed(2)} | ${j.server_cpu_us.toFixed(0)} | ${j.bad} | ${j.socket_errors} |`);
    }
console.log('');
console.log(`- wrk -t${THREADS} -c${CONNS}, ${SECONDS} s per measurement after ${WARMUP} s of warm-up, oidc-provider then Vault for each row; ` +
  `${R.machine.cpus} CPUs (${R.machine.model}), Node ${R.machine.node}; a flow is 2 requests (p50/p99 are per request).`);
if (!vault.flows) console.log('- Vault: the authorization code flow and refresh tokens are not available on this build (discovery lists no authorization_endpoint).');
if (env.BENCH_JSON) fs.writeFileSync(env.BENCH_JSON, JSON.stringify(R, null, 2));
