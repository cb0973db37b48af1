// An independent check of Vault's OAuth tokens with the npm library jose (a certified JOSE
// implementation), run by tests/integration/test_oidc.py (ctest it_test_oidc_*):
//   node tests/oidc/jose_check.mjs BASE_URL ISSUER CLIENT_ID CLIENT_SECRET [OLD_TOKEN]
// Fetches the JWKS with createRemoteJWKSet, gets a client-credentials token and verifies it with
// jwtVerify (iss, aud, typ at+jwt, EdDSA only), verifies OLD_TOKEN too when given (a token
// signed before a key rotation), and checks that tokens signed by a key Vault does not publish
// are refused by jose and introspect inactive. Prints one JSON line; exits 1 on any failure.
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
// jose is a devDependency of the console (console/package.json, exact version).
const require = createRequire(path.join(here, "../../console/package.json"));
const jose = await import(require.resolve("jose"));

const [base, issuer, clientId, clientSecret, oldToken] = process.argv.slice(2);
const basic = "Basic " + Buffer.from(`${clientId}:${clientSecret}`).toString("base64");

async function form(pathname, params) {
  const r = await fetch(base + pathname, {
    method: "POST",
    headers: { Authorization: basic, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(params),
  });
  return { status: r.status, body: await r.json() };
}

function fail(msg) {
  console.error("jose check failed: " + msg);
  process.exit(1);
}

const discovery = await (await fetch(base + "/.well-known/openid-configuration")).json();
if (discovery.issuer !== issuer) fail(`issuer ${discovery.issuer}`);
// The discovery document names the JWKS by the public URL; fetch it from where the server runs.
const jwks = jose.createRemoteJWKSet(new URL(base + "/oauth2/jwks"));
const options = {
  issuer,
  audience: issuer + "/api/v1",
  typ: "at+jwt",
  algorithms: ["EdDSA"],
};

const token = await form("/oauth2/token", { grant_type: "client_credentials" });
if (token.status !== 200) fail(`token endpoint ${token.status} ${JSON.stringify(token.body)}`);
const { payload, protectedHeader } = await jose.jwtVerify(token.body.access_token, jwks, options);
if (payload.client_id !== clientId || payload.sub !== clientId) fail("client_id/sub");
if (protectedHeader.alg !== "EdDSA" || !protectedHeader.kid) fail("header");

let oldKid = null;
if (oldToken) {
  const old = await jose.jwtVerify(oldToken, jwks, options);
  oldKid = old.protectedHeader.kid;
}

// A token Vault did not sign: a foreign key under an unknown kid, and under a published kid.
const { privateKey } = await jose.generateKeyPair("EdDSA", { crv: "Ed25519" });
const forge = (kid) =>
  new jose.SignJWT({ client_id: clientId, scope: "keys:verify" })
    .setProtectedHeader({ alg: "EdDSA", kid, typ: "at+jwt" })
    .setIssuer(issuer)
    .setAudience(issuer + "/api/v1")
    .setSubject(clientId)
    .setIssuedAt()
    .setExpirationTime("5m")
    .sign(privateKey);
const refused = {};
for (const [name, kid] of [["unknown_kid", "sk_not_published"], ["published_kid", protectedHeader.kid]]) {
  const forged = await forge(kid);
  let joseRefused = false;
  try {
    await jose.jwtVerify(forged, jwks, options);
  } catch {
    joseRefused = true;
  }
  const intro = await form("/oauth2/introspect", { token: forged });
  if (!joseRefused || intro.status !== 200 || intro.body.active !== false)
    fail(`forged token (${name}) accepted: jose refused ${joseRefused}, ${JSON.stringify(intro)}`);
  refused[name] = true;
}

console.log(
  JSON.stringify({ ok: true, kid: protectedHeader.kid, old_kid: oldKid, scope: payload.scope, refused }),
);
