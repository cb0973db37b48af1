// panva's oidc-provider configured as close to Atomyx Vault's OpenID Connect provider (ADR 0010)
// as it allows, for bench/oidc.sh. Benchmark only: never a test, never deployed.
//
//   node bench/oidc/provider.mjs        # listens on 127.0.0.1:0, prints {"listening":"http://…"}
//
// What is configured to match Vault (and where it cannot match, see docs/benchmarks.md):
//   - one signing key, EdDSA with Ed25519 (generated at start, like Vault's first key), for the
//     access tokens and the ID tokens;
//   - the same paths as Vault: /oauth2/token, /oauth2/introspect, /oauth2/authorize,
//     /oauth2/jwks, /.well-known/openid-configuration;
//   - JWT access tokens (RFC 9068, typ at+jwt) through resource indicators: every token is for
//     one resource server, `<issuer>/api/v1`, with accessTokenFormat 'jwt' (client credentials:
//     scopes keys:verify access:check, as Vault; code and refresh: the OIDC scopes, plus the
//     workspace/product claims Vault puts in its tokens);
//   - client_secret_basic, PKCE required for every client with S256 only, refresh tokens rotated
//     on every use, introspection, access tokens and ID tokens valid 600 s, codes 60 s;
//   - first-party: an interaction (login + consent) is completed once by a bench-only route that
//     signs the one account in and grants every scope (no page). Afterwards the session cookie
//     alone makes /oauth2/authorize answer 303 with a code, as Vault's console session does.
//   - storage: in memory (a Map, bounded at BENCH_STORE_MAX entries, oldest dropped first), the
//     provider's own default kind of adapter, larger than its 1000-entry LRU so that no token
//     of the run is evicted. Vault writes every token issue durably to SQLite (audited).
import http from 'node:http';
import crypto from 'node:crypto';

import Provider from 'oidc-provider';
import { generateKeyPair, exportJWK } from 'jose';

const STORE_MAX = Number(process.env.BENCH_STORE_MAX || 2_000_000);
const ACCOUNT = {
  id: 'acc_bench',
  email: 'person@bench.example',
  name: 'Bench Person',
};
const CLIENT = {
  id: process.env.BENCH_OP_CLIENT_ID || 'svc_bench',
  secret: process.env.BENCH_OP_CLIENT_SECRET || crypto.randomBytes(32).toString('base64url'),
  redirect: process.env.BENCH_REDIRECT_URI || 'http://127.0.0.1:9/cb',
};

// ---- storage: oidc-provider's MemoryAdapter semantics over one bounded Map ------------------
const store = new Map(); // key -> { value, exp (ms) }
function put(key, value, expiresIn) {
  store.delete(key);
  store.set(key, { value, exp: expiresIn ? Date.now() + expiresIn * 1000 : Infinity });
  if (store.size > STORE_MAX) store.delete(store.keys().next().value);
}
function get(key) {
  const e = store.get(key);
  if (!e) return undefined;
  if (e.exp <= Date.now()) { store.delete(key); return undefined; }
  return e.value;
}
const grantable = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode',
  'BackchannelAuthenticationRequest']);
class BenchAdapter {
  constructor(model) { this.model = model; }
  key(id) { return `${this.model}:${id}`; }
  async destroy(id) { store.delete(this.key(id)); }
  async consume(id) { const v = get(this.key(id)); if (v) v.consumed = Math.floor(Date.now() / 1000); }
  async find(id) { return get(this.key(id)); }
  async findByUid(uid) { const id = get(`sessionUid:${uid}`); return id && this.find(id); }
  async findByUserCode(code) { const id = get(`userCode:${code}`); return id && this.find(id); }
  async upsert(id, payload, expiresIn) {
    const key = this.key(id);
    if (this.model === 'Session') put(`sessionUid:${payload.uid}`, id, expiresIn);
    const { grantId, userCode } = payload;
    if (grantable.has(this.model) && grantId) {
      // Tokens are listed under their grant only so that revoking the grant can find them (as
      // the default adapter does); the list is a Set so that a long run stays cheap.
      const grantKey = `grant:${grantId}`;
      const grant = get(grantKey);
      if (grant) grant.add(key); else put(grantKey, new Set([key]), 0);
    }
    if (userCode) put(`userCode:${userCode}`, id, expiresIn);
    put(key, payload, expiresIn);
  }
  async revokeByGrantId(grantId) {
    const grantKey = `grant:${grantId}`;
    const grant = get(grantKey);
    if (grant) { for (const k of grant) store.delete(k); store.delete(grantKey); }
  }
}

// ---- the provider ---------------------------------------------------------------------------
const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
const jwk = { ...(await exportJWK(privateKey)), kid: `sk_${crypto.randomBytes(16).toString('hex')}`,
  alg: 'EdDSA', use: 'sig' };

const server = http.createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;
const API = `${issuer}/api/v1`;
const OIDC_SCOPES = 'openid email profile offline_access';

const provider = new Provider(issuer, {
  adapter: BenchAdapter,
  clients: [{
    client_id: CLIENT.id,
    client_secret: CLIENT.secret,
    redirect_uris: [CLIENT.redirect],
    grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: 'EdDSA',
  }],
  jwks: { keys: [jwk] },
  cookies: { keys: [crypto.randomBytes(32).toString('base64url')] },
  routes: {
    authorization: '/oauth2/authorize',
    token: '/oauth2/token',
    introspection: '/oauth2/introspect',
    jwks: '/oauth2/jwks',
    revocation: '/oauth2/revoke',
    userinfo: '/oauth2/userinfo',
    end_session: '/oauth2/logout',
  },
  scopes: ['openid', 'email', 'profile', 'offline_access', 'keys:verify', 'access:check'],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'locale', 'zoneinfo'],
  },
  // Vault puts the scope's profile claims in the ID token (OIDC Core §5.4 as for a code flow
  // without an access token for userinfo); oidc-provider does so with this off.
  conformIdTokenClaims: false,
  enabledJWA: {
    idTokenSigningAlgValues: ['EdDSA'],
    userinfoSigningAlgValues: ['EdDSA'],
    introspectionSigningAlgValues: ['EdDSA'],
    authorizationSigningAlgValues: ['EdDSA'],
  },
  pkce: { methods: ['S256'], required: () => true },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true, allowedPolicy: async () => true },
    revocation: { enabled: true },
    userinfo: { enabled: true },
    resourceIndicators: {
      enabled: true,
      // Every token is for Vault's one resource server, the product-facing API.
      defaultResource: async () => API,
      useGrantedResource: async () => true,
      // `<API>/opaque` is the same resource server with opaque tokens, used only to have tokens
      // that this provider can introspect (it introspects opaque tokens and refresh tokens; its
      // JWT access tokens are not stored and introspect as inactive).
      getResourceServerInfo: async (ctx, resource) => {
        if (resource !== API && resource !== `${API}/opaque`) throw new Provider.errors.InvalidTarget();
        return {
          scope: `${OIDC_SCOPES} keys:verify access:check`,
          audience: API,
          accessTokenTTL: 600,
          ...(resource === API
            ? { accessTokenFormat: 'jwt', jwt: { sign: { alg: 'EdDSA' } } }
            : { accessTokenFormat: 'opaque' }),
        };
      },
    },
  },
  // offline_access is dropped by oidc-provider unless prompt=consent is sent (OIDC Core §11),
  // which would show consent on every flow; Vault is first-party and issues a refresh token
  // for offline_access without a prompt. So: always issue one to this client, not bound to the
  // session's lifetime, and rotate it on every use (Vault: rotated on every use).
  issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
  expiresWithSession: async () => false,
  rotateRefreshToken: true,
  // Vault's code-flow tokens carry the active workspace and product (ADR 0010).
  extraTokenClaims: async (ctx, token) => (token.accountId ? {
    workspace_id: 'ws_bench', workspace: 'bench', product_id: 'prd_bench', product_role: 'member',
  } : undefined),
  findAccount: async (ctx, sub) => (sub !== ACCOUNT.id ? undefined : {
    accountId: sub,
    claims: async () => ({ sub, email: ACCOUNT.email, email_verified: true, name: ACCOUNT.name,
      locale: 'en', zoneinfo: 'UTC' }),
  }),
  ttl: {
    AccessToken: 600,
    ClientCredentials: 600,
    IdToken: 600,
    AuthorizationCode: 60,
    RefreshToken: 30 * 24 * 3600,
    Session: 30 * 24 * 3600,
    Grant: 30 * 24 * 3600,
    Interaction: 3600,
  },
  renderError: async (ctx, out) => { ctx.type = 'json'; ctx.body = out; },
});
provider.on('server_error', (ctx, err) => console.error(JSON.stringify({ server_error: String(err) })));
if (process.env.BENCH_DEBUG) {
  provider.on('grant.error', (ctx, err) => console.error(JSON.stringify({ grant_error: err.error_detail || String(err) })));
}

// The bench's interaction: sign the account in and grant everything the request asks for, at
// once, with no page (a person would see the sign-in page once, then never again while the
// session lives; Vault's clients are first-party and have no consent screen).
async function interaction(req, res) {
  try {
    const details = await provider.interactionDetails(req, res);
    const { params } = details;
    let grant = details.grantId ? await provider.Grant.find(details.grantId) : undefined;
    grant ??= new provider.Grant({ accountId: ACCOUNT.id, clientId: params.client_id });
    grant.addOIDCScope(OIDC_SCOPES);
    grant.addResourceScope(API, OIDC_SCOPES);
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, {
      login: { accountId: ACCOUNT.id, amr: ['pwd'] },
      consent: { grantId },
    }, { mergeWithLastSubmission: false });
  } catch (err) {
    res.statusCode = 500;
    res.end(String(err));
  }
}

const callback = provider.callback();
server.on('request', (req, res) => {
  if (req.url.startsWith('/interaction/')) return interaction(req, res);
  return callback(req, res);
});
console.log(JSON.stringify({ listening: issuer, client_id: CLIENT.id, client_secret: CLIENT.secret,
  redirect_uri: CLIENT.redirect, pid: process.pid }));
