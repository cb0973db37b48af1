#!/usr/bin/python3
"""Adds the API key paths and schemas (SPEC §6, docs/api-keys.md) to api/openapi.json.
Idempotent: re-running replaces what it added. Run from the repository root."""
import json

PATH = "api/openapi.json"
d = json.load(open(PATH))

RID = {"X-Request-Id": {"$ref": "#/components/headers/X-Request-Id"}}
WS = {"name": "ws", "in": "path", "required": True,
      "description": "Workspace id (`ws_…`) or its shortname (any case).", "schema": {"type": "string"}}
KID = {"name": "id", "in": "path", "required": True, "description": "API key id (`ak_…`).",
       "schema": {"type": "string"}}
CSRF = {"$ref": "#/components/parameters/X-CSRF-Token"}


def problem(desc):
    return {"description": desc, "headers": RID,
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}


def ok(desc, schema, extra_headers=None):
    h = dict(RID)
    h.update(extra_headers or {})
    r = {"description": desc, "headers": h}
    if schema:
        r["content"] = {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}
    return r


NO_STORE = {"Cache-Control": {"description": "`no-store`: the response carries the key text.",
                              "schema": {"type": "string"}}}
AUTH = problem("Not signed in, or the session is invalid or expired (`auth.required`).")
FORBID = problem("`permission.denied` (a Member or Billing member who is not the product's Admin; "
                 "a product Admin acting on another product), `workspace.requires_2fa` or `csrf.failed`.")
WS404 = problem("`workspace.not_found` (not a member: real and made-up workspaces look the same), "
                "`api_key.not_found` (another workspace's key, or a product the caller does not "
                "administer) or `product.not_found`.")
BAD = problem("`validation.*`, `api_key.invalid_cidr`, `api_key.unknown_permission`, "
              "`api_key.expiry_in_past`, `api_key.expiry_too_far`; `field` names the field "
              "(e.g. `allowed_ips[1]`).")
SEC = [{"bearer": []}, {"cookie": []}]
TAGS = ["api-keys"]

schemas = {
    "ApiKey": {
        "type": "object",
        "description": "An API key as lists and pages show it: never the secret, only the prefix and last four.",
        "required": ["id", "name", "workspace_id", "product_id", "environment", "permissions",
                     "allowed_ips", "prefix", "last_four", "redacted", "status", "created_by",
                     "created_at", "expires_at", "revoked_at", "last_used_at", "last_used_ip",
                     "rolled_from", "replaced_by"],
        "properties": {
            "id": {"type": "string", "description": "`ak_` + 20 lowercase base32 characters."},
            "name": {"type": "string"},
            "workspace_id": {"type": "string"},
            "product_id": {"type": "string"},
            "environment": {"type": "string", "enum": ["production", "staging", "development"]},
            "permissions": {"type": "array", "items": {"type": "string"}},
            "allowed_ips": {"type": "array", "items": {"type": "string"},
                            "description": "Canonical CIDRs; empty = any address."},
            "prefix": {"type": "string", "description": "`avk_<tag>_<id>`, e.g. `avk_live_k3…`."},
            "last_four": {"type": "string"},
            "redacted": {"type": "string", "description": "`<prefix>_…<last four>`, for display."},
            "status": {"type": "string", "enum": ["active", "expired", "revoked"]},
            "created_by": {"type": "string"},
            "created_at": {"type": "string", "format": "date-time"},
            "expires_at": {"type": ["string", "null"], "format": "date-time"},
            "revoked_at": {"type": ["string", "null"], "format": "date-time"},
            "last_used_at": {"type": ["string", "null"], "format": "date-time",
                             "description": "Written in batches (about once a second), not per verification."},
            "last_used_ip": {"type": ["string", "null"]},
            "rolled_from": {"type": ["string", "null"]},
            "replaced_by": {"type": ["string", "null"]},
        },
    },
    "IssuedApiKey": {
        "allOf": [{"$ref": "#/components/schemas/ApiKey"},
                  {"type": "object", "required": ["key"],
                   "properties": {"key": {"type": "string",
                                          "description": "The full key, `avk_<live|stage|dev>_<id>_<secret><crc>`. Shown in this response only."}}}],
    },
    "RolledApiKey": {
        "allOf": [{"$ref": "#/components/schemas/IssuedApiKey"},
                  {"type": "object", "required": ["previous"],
                   "properties": {"previous": {"$ref": "#/components/schemas/ApiKey"}}}],
    },
    "ApiKeyList": {
        "type": "object", "required": ["items", "next_cursor"],
        "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/ApiKey"}},
                       "next_cursor": {"type": ["string", "null"]}},
    },
    "CreateApiKeyRequest": {
        "type": "object", "required": ["name", "product", "environment", "permissions"],
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 100},
            "product": {"type": "string", "description": "Product id or shortname in the workspace."},
            "environment": {"type": "string", "enum": ["production", "staging", "development"]},
            "permissions": {"type": "array", "minItems": 1, "maxItems": 100, "items": {"type": "string"},
                            "description": "A subset of the product type's `api_permissions`."},
            "expires_at": {"type": ["string", "null"], "format": "date-time",
                           "description": "RFC 3339, in the future, at most 10 years ahead; absent = never."},
            "allowed_ips": {"type": "array", "maxItems": 50, "items": {"type": "string"},
                            "description": "IPv4/IPv6 addresses or CIDR networks (host bits must be zero)."},
        },
    },
    "RollApiKeyRequest": {
        "type": "object",
        "properties": {
            "grace_seconds": {"type": "integer", "minimum": 0, "maximum": 2592000,
                              "description": "0 (default): the old key is revoked now. Otherwise it keeps working until now + grace (or its own earlier expiry)."},
            "expires_at": {"type": ["string", "null"], "format": "date-time",
                           "description": "The new key's expiry; default: the old key's lifetime counted from now (none if it had none)."},
        },
    },
    "VerifyKeyRequest": {
        "type": "object", "required": ["key", "environment"],
        "properties": {
            "key": {"type": "string", "maxLength": 4096,
                    "description": "Whatever the caller presented; anything that is not a well-formed key answers `malformed`."},
            "environment": {"type": "string", "enum": ["production", "staging", "development"],
                            "description": "The environment the product runs in."},
            "permission": {"type": "string", "maxLength": 100,
                           "description": "The permission the request needs; absent = validity only."},
            "ip": {"type": "string", "description": "The end client's address (needed when the key has an allow-list)."},
        },
    },
    "KeyVerdict": {
        "type": "object", "required": ["valid"],
        "properties": {
            "valid": {"type": "boolean"},
            "reason": {"type": "string",
                       "enum": ["malformed", "unknown", "revoked", "expired", "wrong_environment",
                                "ip_not_allowed", "product_inactive", "permission_denied"],
                       "description": "When not valid; decided in this order."},
            "key_id": {"type": "string"}, "name": {"type": "string"},
            "workspace_id": {"type": "string"}, "product_id": {"type": "string"},
            "environment": {"type": "string"},
            "permissions": {"type": "array", "items": {"type": "string"}},
            "expires_at": {"type": ["string", "null"], "format": "date-time"},
        },
    },
}
d["components"]["schemas"].update(schemas)

base = "/api/v1/workspaces/{ws}/api-keys"
d["paths"][base] = {
    "post": {"operationId": "createApiKey", "summary": "Create an API key", "tags": TAGS, "security": SEC,
             "description": "Owners and Admins for any product; a product's Admins (the `admin` product role, directly or through a group) for that product. The full key is in this response only. Audit `api_key.created`.",
             "parameters": [WS, CSRF],
             "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CreateApiKeyRequest"}}}},
             "responses": {"201": ok("The key, with its full text once.", "IssuedApiKey", NO_STORE), "400": BAD,
                           "401": AUTH, "403": FORBID, "404": WS404}},
    "get": {"operationId": "listApiKeys", "summary": "List API keys", "tags": TAGS, "security": SEC,
            "description": "Newest first. Owners and Admins see every key; a product's Admins see that product's keys. Revoked and expired keys are listed with their status.",
            "parameters": [WS,
                           {"name": "product", "in": "query", "schema": {"type": "string"}, "description": "Product id or shortname."},
                           {"name": "environment", "in": "query", "schema": {"type": "string", "enum": ["production", "staging", "development"]}},
                           {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 100}},
                           {"name": "cursor", "in": "query", "schema": {"type": "string"}, "description": "`next_cursor` of the previous page."}],
            "responses": {"200": ok("A page of keys.", "ApiKeyList"), "400": BAD, "401": AUTH, "403": FORBID, "404": WS404}},
}
d["paths"][base + "/{id}"] = {
    "get": {"operationId": "getApiKey", "summary": "Get an API key", "tags": TAGS, "security": SEC,
            "parameters": [WS, KID],
            "responses": {"200": ok("The key (never its secret).", "ApiKey"), "401": AUTH, "403": FORBID, "404": WS404}},
    "delete": {"operationId": "revokeApiKey", "summary": "Revoke an API key", "tags": TAGS, "security": SEC,
               "description": "Effective on the next verification on this node and within a second on every node. Idempotent. Audit `api_key.revoked`.",
               "parameters": [WS, KID, CSRF],
               "responses": {"204": {"description": "Revoked.", "headers": RID}, "401": AUTH, "403": FORBID, "404": WS404}},
}
d["paths"][base + "/{id}/roll"] = {
    "post": {"operationId": "rollApiKey", "summary": "Roll an API key", "tags": TAGS, "security": SEC,
             "description": "Issues a new key with the same product, environment, permissions, allow-list and name; the old key is revoked now or, with `grace_seconds`, expires then. Audit `api_key.rolled`.",
             "parameters": [WS, KID, CSRF],
             "requestBody": {"required": False, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RollApiKeyRequest"}}}},
             "responses": {"201": ok("The new key (full text once) and the previous one.", "RolledApiKey", NO_STORE),
                           "400": BAD, "401": AUTH, "403": FORBID, "404": WS404,
                           "409": problem("`api_key.revoked` or `api_key.already_rolled` (roll the replacement).")}},
}
d["paths"]["/api/v1/keys/verify"] = {
    "post": {"operationId": "verifyApiKey", "summary": "Verify an API key", "tags": ["access"],
             "security": [{"serviceClient": []}],
             "description": "Called by product back ends on every request they receive, authenticated as a service client (HTTP Basic). Always 200 for a key, valid or not: `{valid: true, …scope}` or `{valid: false, reason}`. Reasons in order: `malformed` (shape or checksum; no lookup), `unknown` (no such key, wrong secret, or a product of another type than the client's), `revoked`, `expired`, `wrong_environment`, `ip_not_allowed`, `product_inactive`, `permission_denied`. Served from memory.",
             "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/VerifyKeyRequest"}}}},
             "responses": {"200": ok("The verdict.", "KeyVerdict"),
                           "400": problem("`validation.*` naming `key`, `environment`, `permission` or `ip`."),
                           "401": problem("`client.required` (no or malformed HTTP Basic `Authorization` header) or `client.invalid`."),
                           "413": problem("Body over the limit.")}},
}
if not any(t["name"] == "api-keys" for t in d["tags"]):
    i = [t["name"] for t in d["tags"]].index("access")
    d["tags"].insert(i, {"name": "api-keys"})
with open(PATH, "w") as f:
    json.dump(d, f, indent=2)
    f.write("\n")
