// The one way the console talks to Vault: same-origin fetch with the session cookie, the CSRF
// header on writes, JSON in and out, and problem+json turned into an ApiError that names the
// field. A 401 `auth.required` on a signed-in page sends the person to sign-in and back.

export interface Problem {
  status: number;
  code: string;
  title?: string;
  detail?: string;
  field?: string;
  request_id?: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field?: string;
  readonly retryAfter?: number;
  constructor(p: Problem, retryAfter?: number) {
    super(p.detail || p.title || p.code);
    this.status = p.status;
    this.code = p.code;
    this.field = p.field || undefined;
    this.retryAfter = retryAfter;
  }
  /** True for a failure of the network (no answer at all): the UI offers a retry. */
  get network(): boolean {
    return this.status === 0;
  }
}

let csrfToken = "";
/** Set from the session object (sign-in answer or GET /api/v1/sessions/current). */
export function setCsrf(token: string | undefined): void {
  csrfToken = token || "";
}

type Unauthorized = () => void;
let onUnauthorized: Unauthorized = () => {};
/** Called when a request that needs a session answers 401 (the session expired or was revoked). */
export function setUnauthorizedHandler(fn: Unauthorized): void {
  onUnauthorized = fn;
}

export interface RequestOptions {
  body?: unknown;
  /** Raw body (e.g. a logo image) sent with its own content type instead of JSON. */
  raw?: Blob;
  /** Don't treat 401 as "session expired" (sign-in forms expect 401 for a wrong password). */
  allow401?: boolean;
  signal?: AbortSignal;
}

export async function request<T = unknown>(
  method: string,
  path: string,
  opts: RequestOptions = {},
): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  let body: BodyInit | undefined;
  if (opts.raw) {
    body = opts.raw;
    headers["Content-Type"] = opts.raw.type || "application/octet-stream";
  } else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers["Content-Type"] = "application/json";
  }
  if (method !== "GET" && method !== "HEAD" && csrfToken) headers["X-CSRF-Token"] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body, credentials: "same-origin", signal: opts.signal });
  } catch (e) {
    if ((e as Error).name === "AbortError") throw e;
    throw new ApiError({ status: 0, code: "network", detail: "Vault could not be reached. Check your connection and try again." });
  }
  if (res.status === 204) return undefined as T;
  const type = res.headers.get("Content-Type") || "";
  if (res.ok) {
    if (type.includes("json")) return (await res.json()) as T;
    return (await res.text()) as unknown as T;
  }
  let p: Problem = { status: res.status, code: "http." + res.status };
  if (type.includes("json")) {
    try {
      p = { ...p, ...(await res.json()) };
    } catch {
      /* keep the generic problem */
    }
  }
  const retry = Number(res.headers.get("Retry-After")) || undefined;
  const err = new ApiError(p, retry);
  if (res.status === 401 && !opts.allow401 && (p.code === "auth.required" || p.code === "auth.session_expired")) {
    onUnauthorized();
  }
  throw err;
}

export const api = {
  get: <T>(path: string, opts?: RequestOptions) => request<T>("GET", path, opts),
  post: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>("POST", path, { ...opts, body }),
  put: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>("PUT", path, { ...opts, body }),
  patch: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>("PATCH", path, { ...opts, body }),
  del: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>("DELETE", path, { ...opts, body }),
};

/** Percent-encodes one path segment (ids and shortnames come from the API but stay safe). */
export const seg = (s: string) => encodeURIComponent(s);

// ---- Shapes of the API (docs/api.md) ----
export interface Account {
  id: string;
  email: string;
  name: string;
  locale: string;
  time_zone: string;
  email_verified: boolean;
  created_at: string;
  updated_at: string;
  mfa_enabled?: boolean;
  super_admin?: boolean;
  disabled?: boolean;
}
export interface Session {
  id: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  ip: string;
  user_agent: string;
  current: boolean;
  csrf_token?: string;
}
export interface SignedIn {
  account: Account;
  session: Session;
}
export type Role = "owner" | "admin" | "member" | "billing";
export interface Workspace {
  id: string;
  name: string;
  shortname: string;
  description: string;
  require_2fa: boolean;
  /** A Super Admin suspended it: members may read, not change it. */
  suspended: boolean;
  suspended_at: string | null;
  /** Only on the Super Admin's views. */
  suspension_reason?: string | null;
  created_at: string;
  updated_at: string;
  my_role: Role;
  logo_url: string | null;
}
export interface Page<T> {
  items: T[];
  next_cursor?: string | null;
}
export interface AuditEvent {
  id: string;
  seq: number;
  occurred_at: string;
  actor: { type: string; id: string; ip?: string; user_agent?: string };
  workspace_id?: string | null;
  action: string;
  target?: { type: string; id: string } | null;
  summary?: Record<string, unknown>;
}
export interface Plan {
  key: string;
  name: string;
  /** 0 = unlimited */
  seats: number;
  trial_days: number;
  features: string[];
  /** retired: not offered for new subscriptions; existing ones keep working */
  retired?: boolean;
}
export interface ProductType {
  id: string;
  key: string;
  name: string;
  roles: { name: string; rank: number; permissions: string[]; retired?: boolean }[];
  api_permissions: string[];
  plans: Plan[];
  /** retired: no new products of this type */
  retired?: boolean;
}
export interface Subscription {
  plan: string;
  status: "in_trial" | "active" | "non_renewing" | "paused" | "cancelled";
  provider: "local" | "chargebee";
  period_end: string | null;
}
export interface Product {
  id: string;
  name: string;
  product_type: { id: string; name: string };
  shortname: string;
  subscription: Subscription | null;
  status: "active" | "inactive";
  disabled: boolean;
  users: number;
  my_role: string | null;
  created_at: string;
}
export interface Grant {
  product_id: string;
  principal: { type: "account" | "group"; id: string };
  role: string;
  created_at: string;
}
export interface Group {
  id: string;
  name: string;
  description: string;
  created_at: string;
}
export interface GroupDetail extends Group {
  member_ids: string[];
  products: { product_id: string; role: string }[];
}
export interface Member {
  account_id: string;
  name: string;
  email: string;
  role: Role;
  groups: { id: string; name: string }[];
  mfa_enabled: boolean;
  joined_at: string;
  last_sign_in_at: string | null;
}
export interface Invitation {
  id: string;
  workspace_id: string;
  email: string;
  role: Role;
  status: string;
  invited_by: string;
  created_at: string;
  expires_at: string;
}
export type Environment = "production" | "staging" | "development";
export interface ApiKey {
  id: string;
  name: string;
  product_id: string;
  environment: Environment;
  permissions: string[];
  allowed_ips: string[];
  prefix: string;
  last_four: string;
  redacted: string;
  status: "active" | "expired" | "revoked";
  created_by: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  last_used_ip: string | null;
  rolled_from: string | null;
  replaced_by: string | null;
}
/** A product's callback signing secret (docs/api.md "Callback signing secrets"): never the secret. */
export interface SigningSecret {
  id: string;
  workspace_id: string;
  product_id: string;
  label: string | null;
  last_four: string;
  state: "active" | "expiring" | "expired" | "revoked";
  created_by: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  replaced_by: string | null;
}
/** A secret as created or rolled: the text is in `secret`, this once. */
export interface IssuedSigningSecret extends SigningSecret {
  secret: string;
  previous?: SigningSecret;
}
/** A key as created or rolled: the full text is in `key`, this once. */
export interface IssuedApiKey extends ApiKey {
  key: string;
  previous?: ApiKey;
}
