#!/usr/bin/python3
"""The OpenID Connect provider's foundation (ADR 0010), black-box against the real server:

  * discovery at /.well-known/openid-configuration (issuer = VAULT_PUBLIC_URL) and the JWKS
    (OKP/Ed25519 keys with kid, use, alg; short cache lifetime);
  * service clients as OAuth clients: redirect_uris (validated item by item) and public clients
    without a secret, returned in the create and list answers;
  * POST /oauth2/token with client credentials: HTTP Basic and client_secret_post, an RFC 9068
    JWT access token; refusals as RFC 6749 JSON (invalid_client 401 with WWW-Authenticate,
    unauthorized_client for a public client, unsupported_grant_type, invalid_request for a JSON
    body, a repeated parameter or two authentication methods, invalid_scope);
  * POST /oauth2/introspect (RFC 7662): active with the claims, inactive for garbage, another
    product type's caller and a revoked client's token;
  * jose (npm) as an independent verifier (tests/oidc/jose_check.mjs): the token verifies against
    the JWKS with iss/aud/typ checked; forged tokens are refused by jose and introspect inactive;
  * key rotation with `atomyx-vault keys rotate`: the new kid signs, the old token still verifies
    (jose) and introspects active, and the old key leaves the JWKS when its window has passed.
"""

import base64
import json
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import PUBLIC_URL, REPO, VaultTestCase, main, wait_until  # noqa: E402
from product_helpers import ProductFlows, basic  # noqa: E402
from ws_helpers import WorkspaceFlows  # noqa: E402

FORM = "application/x-www-form-urlencoded"
JOSE_CHECK = os.path.join(REPO, "tests", "oidc", "jose_check.mjs")


def b64url_json(segment):
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def decode_jwt(token):
    header, payload, _ = token.split(".")
    return b64url_json(header), b64url_json(payload)


class OidcFlows(WorkspaceFlows, ProductFlows):

    def admin(self):
        if not hasattr(type(self), "_sa"):
            type(self)._sa = self.make_super_admin()[3]
        return type(self)._sa

    def oauth_client(self, product_type="submit", **extra):
        body = {"product_type": product_type, "name": "Back end"}
        body.update(extra)
        r = self.admin().post("/api/v1/admin/service-clients", body)
        self.assertEqual(r.status, 201, r)
        if "client_secret" in r.json:
            self.vault.remember_secret(r.json["client_secret"])
        return r.json

    def form(self, path, params, creds=None, headers=None, content_type=FORM):
        h = dict(headers or {})
        if creds is not None:
            h["Authorization"] = basic(*creds)
        body = params if isinstance(params, str) else "&".join(
            f"{k}={v}" for k, v in params.items())
        return self.client(mode="none").raw("POST", path, body, headers=h,
                                            content_type=content_type)

    def token(self, creds, **params):
        params.setdefault("grant_type", "client_credentials")
        r = self.form("/oauth2/token", params, creds)
        if r.status == 200:
            self.vault.remember_secret(r.json["access_token"])
        return r

    def introspect(self, creds, token):
        return self.form("/oauth2/introspect", {"token": token}, creds)

    def assertOAuthError(self, r, status, error):
        self.assertEqual(r.status, status, r)
        self.assertEqual(r.content_type, "application/json", r)
        self.assertEqual(r.json.get("error"), error, r)
        self.assertEqual(r.headers.get("Cache-Control"), "no-store", r)
        if status == 401:
            self.assertIn("Basic", r.headers.get("WWW-Authenticate", ""), r)

    def jwks_kids(self):
        r = self.client(mode="none").get("/oauth2/jwks")
        self.assertEqual(r.status, 200, r)
        return [k["kid"] for k in r.json["keys"]]

    def run_jose(self, creds, old_token=None):
        node = shutil.which("node")
        self.assertIsNotNone(node, "node is needed for the jose check")
        base = f"http://127.0.0.1:{self.vault.server.port}"
        args = [node, JOSE_CHECK, base, PUBLIC_URL, creds[0], creds[1]]
        if old_token:
            args.append(old_token)
        done = subprocess.run(args, capture_output=True, text=True, timeout=60)
        self.assertEqual(done.returncode, 0, done.stderr + done.stdout)
        return json.loads(done.stdout.strip().splitlines()[-1])


class OidcTest(OidcFlows, VaultTestCase):

    def test_discovery_names_the_issuer_and_what_is_served(self):
        r = self.client(mode="none").get("/.well-known/openid-configuration")
        self.assertEqual(r.status, 200, r)
        d = r.json
        self.assertEqual(d["issuer"], PUBLIC_URL)
        self.assertEqual(d["jwks_uri"], PUBLIC_URL + "/oauth2/jwks")
        self.assertEqual(d["token_endpoint"], PUBLIC_URL + "/oauth2/token")
        self.assertEqual(d["introspection_endpoint"], PUBLIC_URL + "/oauth2/introspect")
        self.assertEqual(d["grant_types_supported"],
                         ["authorization_code", "refresh_token", "client_credentials"])
        self.assertEqual(d["id_token_signing_alg_values_supported"], ["EdDSA"])
        self.assertEqual(d["code_challenge_methods_supported"], ["S256"])
        self.assertEqual(set(d["token_endpoint_auth_methods_supported"]),
                         {"client_secret_basic", "client_secret_post", "none"})
        for key, path in [("authorization_endpoint", "/oauth2/authorize"),
                          ("userinfo_endpoint", "/oauth2/userinfo"),
                          ("revocation_endpoint", "/oauth2/revoke"),
                          ("end_session_endpoint", "/oauth2/logout")]:
            self.assertEqual(d[key], PUBLIC_URL + path)
        self.assertIs(d["authorization_response_iss_parameter_supported"], True)
        self.assertIn("max-age", r.headers.get("Cache-Control", ""))

    def test_jwks_publishes_ed25519_keys(self):
        r = self.client(mode="none").get("/oauth2/jwks")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.content_type, "application/jwk-set+json")
        self.assertRegex(r.headers.get("Cache-Control", ""), r"max-age=\d+")
        keys = r.json["keys"]
        self.assertGreaterEqual(len(keys), 1)
        for k in keys:
            self.assertEqual(set(k), {"kty", "crv", "x", "kid", "use", "alg"})
            self.assertEqual((k["kty"], k["crv"], k["use"], k["alg"]),
                             ("OKP", "Ed25519", "sig", "EdDSA"))
            self.assertEqual(len(base64.urlsafe_b64decode(k["x"] + "=")), 32)
            self.assertNotIn("d", k)

    def test_service_clients_take_redirect_uris_and_public(self):
        uris = ["https://app.example/cb", "http://localhost:3000/cb"]
        pub = self.oauth_client(redirect_uris=uris, public=True)
        self.assertNotIn("client_secret", pub)
        self.assertEqual((pub["redirect_uris"], pub["public"]), (uris, True))
        conf = self.oauth_client(redirect_uris=["https://b.example/cb"])
        self.assertEqual(len(conf["client_secret"]), 43)
        self.assertIs(conf["public"], False)
        listed = {c["client_id"]: c for c in
                  self.admin().get("/api/v1/admin/service-clients").json["items"]}
        self.assertEqual(listed[pub["client_id"]]["redirect_uris"], uris)
        self.assertIs(listed[pub["client_id"]]["public"], True)
        self.assertEqual(listed[conf["client_id"]]["redirect_uris"], ["https://b.example/cb"])
        for i, bad in ((2, "http://evil.example/cb"), (2, "https://a.example/#x"),
                       (2, "relative/cb"), (2, "https://a.example/" + "x" * 2000)):
            r = self.admin().post("/api/v1/admin/service-clients",
                                  {"product_type": "submit", "name": "X",
                                   "redirect_uris": uris + [bad]})
            self.assertProblem(r, 400, field=f"redirect_uris[{i}]")
        r = self.admin().post("/api/v1/admin/service-clients",
                              {"product_type": "submit", "name": "X", "public": True})
        self.assertProblem(r, 400, "validation.required", field="redirect_uris")
        r = self.admin().post("/api/v1/admin/service-clients",
                              {"product_type": "submit", "name": "X",
                               "redirect_uris": [f"https://a.example/{i}" for i in range(11)]})
        self.assertProblem(r, 400, field="redirect_uris")
        r = self.admin().post("/api/v1/admin/service-clients",
                              {"product_type": "submit", "name": "X", "public": "yes"})
        self.assertProblem(r, 400, field="public")

    def test_client_credentials_issue_an_rfc9068_access_token(self):
        c = self.oauth_client()
        creds = (c["client_id"], c["client_secret"])
        r = self.token(creds)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.headers.get("Cache-Control"), "no-store")
        self.assertEqual(r.json["token_type"], "Bearer")
        self.assertEqual(r.json["expires_in"], 600)
        self.assertEqual(r.json["scope"], "keys:verify access:check callbacks:sign")
        header, claims = decode_jwt(r.json["access_token"])
        self.assertEqual(header["alg"], "EdDSA")
        self.assertEqual(header["typ"], "at+jwt")
        self.assertIn(header["kid"], self.jwks_kids())
        self.assertEqual(claims["iss"], PUBLIC_URL)
        self.assertEqual(claims["aud"], PUBLIC_URL + "/api/v1")
        self.assertEqual((claims["sub"], claims["client_id"]), (creds[0], creds[0]))
        self.assertEqual(claims["exp"] - claims["iat"], 600)
        self.assertLessEqual(abs(claims["iat"] - time.time()), 5)
        self.assertTrue(claims["jti"])
        # client_secret_post, with a narrower scope; each token has its own jti.
        r2 = self.token(None, client_id=creds[0], client_secret=creds[1], scope="keys:verify")
        self.assertEqual(r2.status, 200, r2)
        self.assertEqual(r2.json["scope"], "keys:verify")
        self.assertNotEqual(decode_jwt(r2.json["access_token"])[1]["jti"], claims["jti"])

    def test_the_token_endpoint_refuses_as_rfc6749_says(self):
        c = self.oauth_client()
        creds = (c["client_id"], c["client_secret"])
        wrong = (creds[0], "A" * 43)
        self.assertOAuthError(self.token(wrong), 401, "invalid_client")
        self.assertOAuthError(self.token(("svc_unknown", creds[1])), 401, "invalid_client")
        self.assertOAuthError(self.token(None), 401, "invalid_client")
        self.assertOAuthError(self.token(creds, grant_type="password"), 400,
                              "unsupported_grant_type")
        # The code and refresh grants need their parameters (the flows: console/tests/oidc).
        self.assertOAuthError(self.token(creds, grant_type="authorization_code"), 400,
                              "invalid_request")
        self.assertOAuthError(self.token(creds, grant_type="refresh_token"), 400,
                              "invalid_request")
        self.assertOAuthError(self.token(creds, grant_type="authorization_code", code="x" * 43,
                                         redirect_uri="https://a.example/cb",
                                         code_verifier="v" * 43), 400, "invalid_grant")
        self.assertOAuthError(self.token(creds, grant_type="refresh_token",
                                         refresh_token="avr_" + "x" * 43), 400, "invalid_grant")
        self.assertOAuthError(self.form("/oauth2/token", {}, creds), 400, "invalid_request")
        self.assertOAuthError(self.token(creds, scope="openid"), 400, "invalid_scope")
        # Both authentication methods at once; a repeated parameter.
        self.assertOAuthError(self.token(creds, client_secret=creds[1]), 400, "invalid_request")
        self.assertOAuthError(
            self.form("/oauth2/token", "grant_type=client_credentials&grant_type=x", creds),
            400, "invalid_request")
        # OAuth bodies are form-encoded (RFC 6749 §4.4.2): JSON is refused, as OAuth JSON.
        r = self.client(mode="none").post("/oauth2/token", {"grant_type": "client_credentials"},
                                          headers={"Authorization": basic(*creds)})
        self.assertOAuthError(r, 400, "invalid_request")
        # A public client has no secret and may not use client credentials.
        pub = self.oauth_client(redirect_uris=["https://spa.example/cb"], public=True)
        self.assertOAuthError(self.token(None, client_id=pub["client_id"]), 400,
                              "unauthorized_client")
        self.assertOAuthError(self.token((pub["client_id"], "A" * 43)), 401, "invalid_client")
        # A revoked client stops getting tokens at once.
        self.assertEqual(self.admin().delete(f"/api/v1/admin/service-clients/{creds[0]}").status,
                         204)
        self.assertOAuthError(self.token(creds), 401, "invalid_client")
        self.healthy()

    def test_introspection(self):
        c = self.oauth_client()
        creds = (c["client_id"], c["client_secret"])
        token = self.token(creds).json["access_token"]
        r = self.introspect(creds, token)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.headers.get("Cache-Control"), "no-store")
        self.assertIs(r.json["active"], True)
        _, claims = decode_jwt(token)
        for k in ("client_id", "sub", "aud", "iss", "exp", "iat", "jti", "scope"):
            self.assertEqual(r.json[k], claims[k], k)
        self.assertEqual(r.json["token_type"], "Bearer")
        sibling = self.oauth_client("submit")
        self.assertIs(self.introspect((sibling["client_id"], sibling["client_secret"]),
                                      token).json["active"], True)
        other = self.oauth_client("manage")
        self.assertEqual(self.introspect((other["client_id"], other["client_secret"]),
                                         token).json, {"active": False})
        for garbage in ("x", token + "x", token.split(".")[0] + "..", "a.b.c"):
            self.assertEqual(self.introspect(creds, garbage).json, {"active": False}, garbage)
        self.assertOAuthError(self.introspect(None, token), 401, "invalid_client")
        self.assertOAuthError(self.introspect((creds[0], "A" * 43), token), 401, "invalid_client")
        self.assertOAuthError(self.form("/oauth2/introspect", {}, creds), 400, "invalid_request")
        self.assertEqual(self.admin().delete(f"/api/v1/admin/service-clients/{creds[0]}").status,
                         204)
        self.assertEqual(self.introspect((sibling["client_id"], sibling["client_secret"]),
                                         token).json, {"active": False})

    def test_jose_verifies_tokens_and_refuses_forgeries(self):
        c = self.oauth_client()
        out = self.run_jose((c["client_id"], c["client_secret"]))
        self.assertTrue(out["ok"])
        self.assertEqual(out["refused"], {"unknown_kid": True, "published_kid": True})


class BearerOnTheProductApiTest(OidcFlows, VaultTestCase):
    """A product back end may call the product-facing API with a client-credentials access
    token instead of its secret: as Bearer, holding the scope of the route."""

    def test_bearer_tokens_need_the_routes_scope_and_a_live_client(self):
        owner = self.create_account(name="Bea Rer", prefix="bearer")
        ws = self.create_workspace(owner.client, name="Bearer Co")
        product = self.create_product(owner.client, ws["id"], product_type="submit")
        self.grant(owner.client, ws["id"], product["id"], owner.id, "editor")
        c = self.oauth_client()
        creds = (c["client_id"], c["client_secret"])
        body = {"account_id": owner.id, "product_id": product["id"]}

        def bearer(scope):
            r = self.token(creds, scope=scope)
            self.assertEqual(r.status, 200, r)
            return "Bearer " + r.json["access_token"]

        both = bearer("access:check keys:verify")
        r = self.access(None, body, auth_header=both)
        self.assertEqual((r.status, r.json["allowed"], r.json["role"]), (200, True, "editor"), r)
        # The same answer as with the secret.
        self.assertEqual(self.check(creds, owner.id, product["id"]), r.json)
        r = self.access(None, body, path="/api/v1/access/explain", auth_header=both)
        self.assertEqual(r.status, 200, r)
        r = self.access(None, {"key": "ak_" + "x" * 40, "environment": "production"}, path="/api/v1/keys/verify",
                        auth_header=both)
        self.assertEqual(r.status, 200, r)
        # A token without the route's scope: 403; not a token of this server: 401.
        self.assertProblem(self.access(None, body, auth_header=bearer("keys:verify")), 403,
                           "client.scope")
        self.assertProblem(self.access(None, {"key": "ak_" + "x" * 40, "environment": "production"},
                                       path="/api/v1/keys/verify",
                                       auth_header=bearer("access:check")), 403, "client.scope")
        tampered = both[:-4] + ("AAAA" if not both.endswith("AAAA") else "BBBB")
        self.assertProblem(self.access(None, body, auth_header=tampered), 401, "client.invalid")
        self.assertProblem(self.access(None, body, auth_header="Bearer not.a.token"), 401,
                           "client.invalid")
        # Revoked (RFC 7009), or its client revoked: refused at once.
        revoked = bearer("access:check")
        self.assertEqual(self.form("/oauth2/revoke", {"token": revoked[7:]}, creds).status, 200)
        self.assertProblem(self.access(None, body, auth_header=revoked), 401, "client.invalid")
        self.assertEqual(self.admin().delete(f"/api/v1/admin/service-clients/{creds[0]}").status,
                         204)
        self.assertProblem(self.access(None, body, auth_header=both), 401, "client.invalid")


class BrowserAppsTest(OidcFlows, VaultTestCase):
    """Browser apps (public clients on other origins) read the OAuth endpoints with CORS, and
    what they send without a secret is throttled per client IP."""
    EXTRA_ENV = {"VAULT_IP_RATE_PER_SECOND": "0.01", "VAULT_IP_BURST": "3"}

    def test_cors_on_what_browser_apps_call_and_never_with_credentials(self):
        anon = self.client(mode="none")
        for path in ("/.well-known/openid-configuration", "/oauth2/jwks"):
            r = anon.get(path, headers={"Origin": "https://spa.example"})
            self.assertEqual(r.headers.get("Access-Control-Allow-Origin"), "*", path)
            self.assertNotIn("Access-Control-Allow-Credentials", r.headers)
        for path in ("/oauth2/token", "/oauth2/revoke", "/oauth2/userinfo"):
            r = anon.raw("OPTIONS", path, None, headers={
                "Origin": "https://spa.example", "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization"})
            self.assertEqual(r.status, 204, (path, r))
            self.assertEqual(r.headers.get("Access-Control-Allow-Origin"), "*")
            self.assertIn("Authorization", r.headers.get("Access-Control-Allow-Headers", ""))
        r = anon.get("/oauth2/userinfo", headers={"Origin": "https://spa.example"})
        self.assertEqual(r.status, 401, r)
        self.assertEqual(r.headers.get("Access-Control-Allow-Origin"), "*")
        # The console's own API does not open up.
        r = anon.get("/api/v1/me", headers={"Origin": "https://spa.example"})
        self.assertNotIn("Access-Control-Allow-Origin", r.headers)

    def test_requests_without_a_secret_are_throttled_per_address(self):
        pub = self.oauth_client(redirect_uris=["https://spa.example/cb"], public=True)
        conf = self.oauth_client()
        creds = (conf["client_id"], conf["client_secret"])
        guess = {"grant_type": "refresh_token", "client_id": pub["client_id"],
                 "refresh_token": "avr_" + "g" * 43}
        statuses = [self.form("/oauth2/token", guess).status for _ in range(5)]
        self.assertEqual(statuses[:3], [400, 400, 400], statuses)
        self.assertEqual(statuses[3:], [429, 429], statuses)
        # A confidential client (a 256-bit secret) is not slowed by it.
        for _ in range(5):
            self.assertEqual(self.token(creds).status, 200)


class KeyRotationTest(OidcFlows, VaultTestCase):
    CLOCK_OFFSET = True

    def test_rotation_keeps_old_tokens_verifying_until_their_key_window_ends(self):
        self.vault.set_clock_offset(0)
        c = self.oauth_client()
        creds = (c["client_id"], c["client_secret"])
        old = self.token(creds).json["access_token"]
        old_kid = decode_jwt(old)[0]["kid"]
        self.assertEqual(self.jwks_kids(), [old_kid])
        done = self.vault.cli("keys", "rotate")
        self.assertEqual(done.returncode, 0, done.stderr + done.stdout)
        new_kid = done.stdout.strip()
        self.assertRegex(new_kid, r"^sk_[A-Za-z0-9_-]{22}$")
        self.assertNotIn("sk_", done.stderr)
        # The running server hears of it through the change feed (within a second).
        wait_until(lambda: self.jwks_kids() == [new_kid, old_kid], 5, "the rotated JWKS")
        new = self.token(creds).json["access_token"]
        self.assertEqual(decode_jwt(new)[0]["kid"], new_kid)
        self.assertIs(self.introspect(creds, old).json["active"], True)
        out = self.run_jose(creds, old_token=old)
        self.assertEqual((out["kid"], out["old_kid"]), (new_kid, old_kid))
        # The old key is published for the token lifetime (600 s) plus 300 s, then dropped.
        self.vault.set_clock_offset(600 + 300 + 5)
        self.assertEqual(self.jwks_kids(), [new_kid])
        self.assertEqual(self.introspect(creds, old).json, {"active": False})
        fresh = self.token(creds).json["access_token"]
        self.assertIs(self.introspect(creds, fresh).json["active"], True)
        self.assertEqual(decode_jwt(fresh)[0]["kid"], new_kid)
        self.vault.set_clock_offset(0)


if __name__ == "__main__":
    main()
