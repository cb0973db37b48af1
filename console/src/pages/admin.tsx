// Super Admin pages: accounts (search, disable/enable, grant Super Admin), workspaces, the
// product catalogue and service clients. Only shown to Super Admins; the API answers 403
// `admin.required` to anyone else.
import { useRef, useState } from "preact/hooks";
import { Account, Page, Workspace, api, seg } from "../api";
import type { PageProps } from "../app";
import { Link, navigate } from "../router";
import { updateAccount } from "../session";
import { DeleteWorkspaceDialog } from "./delete-workspace";
import {
  ConfirmDialog,
  CopyButton,
  DateTime,
  Dialog,
  Empty,
  ErrorState,
  Field,
  FormError,
  Loaded,
  Loading,
  PageHeader,
  RoleBadge,
  StatusBadge,
  TableWrap,
  DataTable,
  LoadMore,
  usePaged,
  SelectField,
  Submit,
  downloadText,
  messageOf,
  toast,
  useForm,
  useResource,
  useAllPages,
} from "../ui";

const TABS = [
  { href: "/admin/accounts", label: "Accounts" },
  { href: "/admin/workspaces", label: "Workspaces" },
  { href: "/admin/product-types", label: "Product catalogue" },
  { href: "/admin/service-clients", label: "Service clients" },
  { href: "/admin/audit", label: "Audit" },
];

export { AdminAudit } from "./admin-audit";

export function AdminTabs() {
  const path = location.pathname === "/admin" ? "/admin/accounts" : location.pathname;
  return (
    <nav aria-label="Super Admin" class="tabs">
      <ul>
        {TABS.map((t) => (
          <li key={t.href}>
            <Link href={t.href} aria-current={path.startsWith(t.href) ? "page" : undefined}>
              {t.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function NotSuperAdmin() {
  return (
    <section>
      <PageHeader title="Super Admin" />
      <p>Only Super Admins can open this area.</p>
    </section>
  );
}

/** A searchable, cursor-paged admin list (accounts, workspaces): the shared usePaged with `q`. */
function usePagedSearch<T>(base: string) {
  const [q, setQ] = useState("");
  const [applied, setApplied] = useState("");
  const list = usePaged<T>(`${base}?limit=50${applied ? "&q=" + encodeURIComponent(applied) : ""}`);
  const search = (e: Event) => {
    e.preventDefault();
    setApplied(q.trim());
  };
  return { q, setQ, search, list, applied };
}

function SearchForm({ label, q, setQ, onSubmit }: { label: string; q: string; setQ: (v: string) => void; onSubmit: (e: Event) => void }) {
  return (
    <form role="search" onSubmit={onSubmit} class="search-form">
      <input type="search" aria-label={label} placeholder={label} value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
      <button type="submit">Search</button>
    </form>
  );
}

// ---------------------------------------------------------------- accounts
/** A searchable, cursor-paged admin list page (accounts, workspaces). */
function SearchPage<T extends { id: string }>(p: {
  account: Account | null;
  title: string;
  base: string;
  searchLabel: string;
  noun: string;
  emptyText: string;
  columns: string[];
  row: (item: T) => preact.ComponentChildren;
}) {
  const search = usePagedSearch<T>(p.base);
  if (!p.account?.super_admin) return <NotSuperAdmin />;
  return (
    <section>
      <PageHeader title={p.title} />
      <AdminTabs />
      <SearchForm label={p.searchLabel} q={search.q} setQ={search.setQ} onSubmit={search.search} />
      <Loaded res={search.list} rows={5}>
        {(page) =>
          page.items.length === 0 ? (
            <Empty title={search.applied ? `No ${p.noun} matches “${search.applied}”` : `No ${p.noun}s yet`}>{p.emptyText}</Empty>
          ) : (
            <DataTable label={p.title} columns={p.columns}>
              {page.items.map((item) => (
                <tr key={item.id}>{p.row(item)}</tr>
              ))}
            </DataTable>
          )
        }
      </Loaded>
      <LoadMore list={search.list} />
    </section>
  );
}

export function AdminAccounts({ account }: PageProps) {
  return (
    <SearchPage<Account>
      account={account}
      title="Accounts"
      base="/api/v1/admin/accounts"
      searchLabel="Search by email or name"
      noun="account"
      emptyText="Accounts appear here when people sign up."
      columns={["Name", "Email", "Status", "Created"]}
      row={(a) => (
        <>
          <td>
            <Link href={`/admin/accounts/${seg(a.id)}`}>{a.name}</Link>
            {a.super_admin && (
              <>
                {" "}
                <span class="badge">Super Admin</span>
              </>
            )}
          </td>
          <td>{a.email}</td>
          <td>
            <StatusBadge ok={!a.disabled} text={a.disabled ? "Disabled" : "Active"} />
          </td>
          <td>
            <DateTime iso={a.created_at} dateOnly />
          </td>
        </>
      )}
    />
  );
}

type AdminAccountDetail = Account & { disabled: boolean; workspaces: Workspace[] };

export function AdminAccount({ params, account }: PageProps) {
  const res = useResource<AdminAccountDetail>(`/api/v1/admin/accounts/${seg(params.id)}`);
  const [confirm, setConfirm] = useState<null | "disable" | "enable" | "grant" | "revoke">(null);
  if (!account?.super_admin) return <NotSuperAdmin />;
  const self = account.id === params.id;
  const patch = async (body: { disabled?: boolean; super_admin?: boolean }, done: string) => {
    const a = await api.patch<AdminAccountDetail>(`/api/v1/admin/accounts/${seg(params.id)}`, body);
    res.setData({ ...res.data!, ...a });
    if (self) updateAccount(a);
    toast(done);
  };
  return (
    <section>
      <AdminTabs />
      <Loaded res={res}>
        {(a) => (
          <>
            <PageHeader title={a.name}>
              {!self &&
                (a.disabled ? (
                  <button type="button" onClick={() => setConfirm("enable")}>
                    Enable account
                  </button>
                ) : (
                  <button type="button" class="danger" onClick={() => setConfirm("disable")}>
                    Disable account
                  </button>
                ))}
              {!self &&
                (a.super_admin ? (
                  <button type="button" class="secondary" onClick={() => setConfirm("revoke")}>
                    Remove Super Admin
                  </button>
                ) : (
                  <button type="button" class="secondary" onClick={() => setConfirm("grant")}>
                    Make Super Admin
                  </button>
                ))}
            </PageHeader>
            <dl class="facts">
              <dt>Email</dt>
              <dd>{a.email}</dd>
              <dt>Status</dt>
              <dd>
                <StatusBadge ok={!a.disabled} text={a.disabled ? "Disabled" : "Active"} />
                {a.super_admin && <span class="badge">Super Admin</span>}
              </dd>
              <dt>Two-factor authentication</dt>
              <dd>{a.mfa_enabled ? "On" : "Off"}</dd>
              <dt>Created</dt>
              <dd>
                <DateTime iso={a.created_at} />
              </dd>
            </dl>
            <h2>Workspaces</h2>
            {a.workspaces.length === 0 ? (
              <Empty title="Not a member of any workspace" />
            ) : (
              <ul>
                {a.workspaces.map((w) => (
                  <li key={w.id}>
                    <Link href={`/admin/workspaces/${seg(w.id)}`}>{w.name}</Link> ({w.shortname}) <RoleBadge role={w.my_role} />
                  </li>
                ))}
              </ul>
            )}
            <ConfirmDialog
              open={confirm === "disable"}
              title={`Disable ${a.name}?`}
              confirmLabel="Disable account"
              onClose={() => setConfirm(null)}
              onConfirm={() => patch({ disabled: true }, `${a.email} is disabled`)}
            >
              <p>
                {a.email} is signed out everywhere at once and cannot sign in, use API access or accept invitations until enabled again.
                Memberships and data stay.
              </p>
            </ConfirmDialog>
            <ConfirmDialog open={confirm === "enable"} title={`Enable ${a.name}?`} confirmLabel="Enable account" onClose={() => setConfirm(null)} onConfirm={() => patch({ disabled: false }, `${a.email} is enabled`)}>
              <p>{a.email} can sign in again.</p>
            </ConfirmDialog>
            <ConfirmDialog open={confirm === "grant"} title={`Make ${a.name} a Super Admin?`} confirmLabel="Make Super Admin" onClose={() => setConfirm(null)} onConfirm={() => patch({ super_admin: true }, `${a.email} is a Super Admin`)}>
              <p>Super Admins manage every account, the product catalogue and service clients of this Vault.</p>
            </ConfirmDialog>
            <ConfirmDialog open={confirm === "revoke"} title={`Remove Super Admin from ${a.name}?`} confirmLabel="Remove Super Admin" onClose={() => setConfirm(null)} onConfirm={() => patch({ super_admin: false }, `${a.email} is no longer a Super Admin`)}>
              <p>{a.email} keeps the account and its workspaces.</p>
            </ConfirmDialog>
          </>
        )}
      </Loaded>
    </section>
  );
}

// ---------------------------------------------------------------- workspaces
export function AdminWorkspaces({ account }: PageProps) {
  return (
    <SearchPage<Workspace>
      account={account}
      title="Workspaces"
      base="/api/v1/admin/workspaces"
      searchLabel="Search by name or shortname"
      noun="workspace"
      emptyText="Workspaces appear here when people create them."
      columns={["Name", "Short name", "Status", "Requires 2FA", "Created"]}
      row={(w) => (
        <>
          <td>
            <Link href={`/admin/workspaces/${seg(w.id)}`}>{w.name}</Link>
          </td>
          <td>{w.shortname}</td>
          <td>
            <StatusBadge ok={!w.suspended} text={w.suspended ? "Suspended" : "Active"} />
          </td>
          <td>{w.require_2fa ? "Yes" : "No"}</td>
          <td>
            <DateTime iso={w.created_at} dateOnly />
          </td>
        </>
      )}
    />
  );
}

interface Member {
  account_id: string;
  name: string;
  email: string;
  role: string;
  mfa_enabled: boolean;
  joined_at: string;
}

type AdminWorkspaceDetail = Workspace & { members: Member[] };

function SuspendDialog({ w, open, onClose, onDone }: { w: AdminWorkspaceDetail; open: boolean; onClose: () => void; onDone: (w: Workspace) => void }) {
  const form = useForm({ reason: "" }, async (v) => {
    const got = await api.post<Workspace>(`/api/v1/admin/workspaces/${seg(w.id)}/suspension`, { reason: v.reason });
    toast(`${w.name} is suspended.`);
    form.setValues({ reason: "" });
    onDone(got);
  });
  return (
    <Dialog open={open} title={`Suspend ${w.name}?`} onClose={onClose}>
      <form onSubmit={form.onSubmit} noValidate>
        <p>
          At once, its products refuse every access check, API key and sign-in, and its members can no longer change anything.
          Members keep their accounts and can still look at the workspace. You can resume it at any time.
        </p>
        <TextArea
          label="Reason"
          name="reason"
          hint="Shown to Super Admins and kept in the audit log (up to 500 characters). Members do not see it."
          value={form.values.reason}
          onInput={form.set("reason")}
          error={form.errors.reason}
        />
        <FormError message={form.formError} />
        <footer>
          <button type="button" class="secondary" onClick={onClose}>
            Cancel
          </button>
          <Submit busy={form.busy} class="danger">
            Suspend workspace
          </Submit>
        </footer>
      </form>
    </Dialog>
  );
}

function AssignOwnerDialog({ w, open, onClose, onDone }: { w: AdminWorkspaceDetail; open: boolean; onClose: () => void; onDone: () => void }) {
  const [q, setQ] = useState("");
  const [found, setFound] = useState<Account[] | null>(null);
  const [error, setError] = useState("");
  const search = async (e: Event) => {
    e.preventDefault();
    setError("");
    try {
      const page = await api.get<Page<Account>>(`/api/v1/admin/accounts?limit=10&q=${encodeURIComponent(q.trim())}`);
      setFound(page.items);
    } catch (err) {
      setError(messageOf(err));
    }
  };
  const assign = async (a: Account) => {
    setError("");
    try {
      await api.put(`/api/v1/admin/workspaces/${seg(w.id)}/owners/${seg(a.id)}`);
      toast(`${a.email} is now an Owner of ${w.name}.`);
      setFound(null);
      setQ("");
      onDone();
    } catch (err) {
      setError(messageOf(err));
    }
  };
  return (
    <Dialog open={open} title={`Assign an Owner to ${w.name}`} onClose={onClose}>
      <form onSubmit={search} noValidate>
        <p>The account becomes an Owner: a member is promoted, anyone else is added. Disabled accounts cannot be chosen.</p>
        <Field label="Find an account by email or name" name="q" type="search" value={q} onInput={setQ} />
        <button type="submit" class="secondary">
          Search
        </button>
      </form>
      <FormError message={error} />
      {found &&
        (found.length === 0 ? (
          <p>No account matches.</p>
        ) : (
          <ul class="account-picks" aria-label="Matching accounts">
            {found.map((a) => (
              <li key={a.id}>
                {a.name} ({a.email}) {a.disabled && <span class="badge">Disabled</span>}{" "}
                <button type="button" class="secondary" disabled={a.disabled} onClick={() => assign(a)} aria-label={`Make ${a.email} an Owner`}>
                  Make Owner
                </button>
              </li>
            ))}
          </ul>
        ))}
      <footer>
        <button type="button" class="secondary" onClick={onClose}>
          Close
        </button>
      </footer>
    </Dialog>
  );
}

export function AdminWorkspace({ params, account }: PageProps) {
  const res = useResource<AdminWorkspaceDetail>(`/api/v1/admin/workspaces/${seg(params.id)}`);
  const [dialog, setDialog] = useState<null | "suspend" | "resume" | "owner" | "delete">(null);
  if (!account?.super_admin) return <NotSuperAdmin />;
  const close = () => setDialog(null);
  return (
    <section>
      <AdminTabs />
      <Loaded res={res}>
        {(w) => (
          <>
            <PageHeader title={w.name}>
              {w.suspended ? (
                <button type="button" onClick={() => setDialog("resume")}>
                  Resume workspace
                </button>
              ) : (
                <button type="button" class="danger" onClick={() => setDialog("suspend")}>
                  Suspend workspace
                </button>
              )}
              <button type="button" class="secondary" onClick={() => setDialog("owner")}>
                Assign Owner
              </button>
              <button type="button" class="danger" onClick={() => setDialog("delete")}>
                Delete workspace
              </button>
            </PageHeader>
            <dl class="facts">
              <dt>Short name</dt>
              <dd>{w.shortname}</dd>
              <dt>Status</dt>
              <dd>
                <StatusBadge ok={!w.suspended} text={w.suspended ? "Suspended" : "Active"} />
                {w.suspended && w.suspended_at && (
                  <>
                    {" "}
                    since <DateTime iso={w.suspended_at} />
                  </>
                )}
              </dd>
              {w.suspended && (
                <>
                  <dt>Reason</dt>
                  <dd>{w.suspension_reason}</dd>
                </>
              )}
              <dt>Requires 2FA</dt>
              <dd>{w.require_2fa ? "Yes" : "No"}</dd>
              <dt>Created</dt>
              <dd>
                <DateTime iso={w.created_at} />
              </dd>
            </dl>
            <h2>Members</h2>
            <TableWrap label="Workspace members">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Email</th>
                    <th scope="col">Role</th>
                    <th scope="col">2FA</th>
                  </tr>
                </thead>
                <tbody>
                  {w.members.map((m) => (
                    <tr key={m.account_id}>
                      <td>
                        <Link href={`/admin/accounts/${seg(m.account_id)}`}>{m.name}</Link>
                      </td>
                      <td>{m.email}</td>
                      <td>
                        <RoleBadge role={m.role} />
                      </td>
                      <td>{m.mfa_enabled ? "On" : "Off"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
            <SuspendDialog w={w} open={dialog === "suspend"} onClose={close} onDone={(got) => { res.setData({ ...w, ...got }); close(); }} />
            <ConfirmDialog
              open={dialog === "resume"}
              title={`Resume ${w.name}?`}
              confirmLabel="Resume workspace"
              onClose={close}
              onConfirm={async () => {
                const got = await api.del<Workspace>(`/api/v1/admin/workspaces/${seg(w.id)}/suspension`);
                res.setData({ ...w, ...got });
                toast(`${w.name} is active again.`);
              }}
            >
              <p>Its products, API keys and sign-ins work again at once, and its members can make changes again.</p>
            </ConfirmDialog>
            <AssignOwnerDialog w={w} open={dialog === "owner"} onClose={close} onDone={() => { close(); res.reload(); }} />
            <DeleteWorkspaceDialog
              open={dialog === "delete"}
              name={w.name}
              shortname={w.shortname}
              onClose={close}
              remove={async (confirm) => {
                await api.del(`/api/v1/admin/workspaces/${seg(w.id)}`, { confirm });
                toast(`${w.name} was deleted.`);
                navigate("/admin/workspaces", { replace: true });
              }}
            >
              <p>
                Everything in {w.name} goes: memberships, products, subscriptions, groups, API keys and invitations. The accounts
                and the audit log stay. This cannot be undone.
              </p>
            </DeleteWorkspaceDialog>
          </>
        )}
      </Loaded>
    </section>
  );
}

// ---------------------------------------------------------------- product catalogue
interface ProductType {
  id: string;
  key: string;
  name: string;
  roles: { name: string; rank: number; permissions: string[] }[];
  api_permissions: string[];
  plans: { key: string; name: string; seats: number; trial_days: number; features: string[] }[];
}

const words = (s: string) => s.split(/[\s,]+/).filter(Boolean);

/** "admin 3 users:write billing:read" → {name, rank, permissions}; one role per line. */
function parseRoles(text: string) {
  return text
    .split("\n")
    .map((l) => words(l))
    .filter((w) => w.length)
    .map(([name, rank, ...permissions]) => ({ name, rank: Number(rank) || 1, permissions }));
}
/** "standard Standard 25 0 sso audit" → {key, name, seats, trial_days, features}. */
function parsePlans(text: string) {
  return text
    .split("\n")
    .map((l) => words(l))
    .filter((w) => w.length)
    .map(([key, name, seats, trial, ...features]) => ({ key, name: name || key, seats: Number(seats) || 0, trial_days: Number(trial) || 0, features }));
}

export function AdminProductTypes({ account }: PageProps) {
  const res = useAllPages<ProductType>("/api/v1/admin/product-types");
  const [open, setOpen] = useState(false);
  const form = useForm({ key: "", name: "", api_permissions: "", roles: "admin 3\neditor 2\nviewer 1", plans: "trial Trial 5 14\nstandard Standard 25 0" }, async (v) => {
    const t = await api.post<ProductType>("/api/v1/admin/product-types", {
      key: v.key,
      name: v.name,
      api_permissions: words(v.api_permissions),
      roles: parseRoles(v.roles),
      plans: parsePlans(v.plans),
    });
    res.setData({ items: [...(res.data?.items || []), t] });
    setOpen(false);
    toast(`Product type ${t.name} created`);
  });
  if (!account?.super_admin) return <NotSuperAdmin />;
  return (
    <section>
      <PageHeader title="Product catalogue">
        <button type="button" onClick={() => setOpen(true)}>
          New product type
        </button>
      </PageHeader>
      <AdminTabs />
      <Loaded res={res}>
        {(d) =>
          d.items.length === 0 ? (
            <Empty title="No product types">Product types are what workspaces can add as products.</Empty>
          ) : (
            <TableWrap label="Product types">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Key</th>
                    <th scope="col">Roles</th>
                    <th scope="col">Plans</th>
                  </tr>
                </thead>
                <tbody>
                  {d.items.map((t) => (
                    <tr key={t.id}>
                      <td>{t.name}</td>
                      <td>{t.key}</td>
                      <td>{t.roles.map((r) => `${r.name} (${r.rank})`).join(", ")}</td>
                      <td>{t.plans.map((p) => `${p.name}: ${p.seats ? p.seats + " seats" : "unlimited"}${p.trial_days ? `, ${p.trial_days}-day trial` : ""}`).join("; ")}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )
        }
      </Loaded>
      <Dialog open={open} title="New product type" onClose={() => setOpen(false)}>
        <form onSubmit={form.onSubmit} noValidate>
          <Field label="Key" name="key" required hint="Lower-case letters, digits and hyphens, e.g. manage. Cannot be changed later." value={form.values.key} onInput={form.set("key")} error={form.errors.key} />
          <Field label="Name" name="name" required value={form.values.name} onInput={form.set("name")} error={form.errors.name} />
          <Field label="API permissions" name="api_permissions" hint="Separated by spaces, e.g. documents:read documents:write" value={form.values.api_permissions} onInput={form.set("api_permissions")} error={form.errors.api_permissions} />
          <TextArea label="Roles" name="roles" hint="One per line: name, rank, then its permissions." value={form.values.roles} onInput={form.set("roles")} error={form.errors.roles} />
          <TextArea label="Plans" name="plans" hint="One per line: key, name, seats (0 = unlimited), trial days, then features." value={form.values.plans} onInput={form.set("plans")} error={form.errors.plans} />
          <FormError message={form.formError} />
          <Submit busy={form.busy}>Create product type</Submit>
        </form>
      </Dialog>
    </section>
  );
}

function TextArea(p: { label: string; name: string; hint: string; value: string; onInput: (v: string) => void; error?: string }) {
  const id = `ta-${p.name}`;
  return (
    <div class="field">
      <label for={id}>{p.label}</label>
      <textarea id={id} name={p.name} rows={3} value={p.value} aria-invalid={p.error ? "true" : undefined} aria-describedby={`${id}-note`} onInput={(e) => p.onInput((e.target as HTMLTextAreaElement).value)} />
      <small id={`${id}-note`} class={p.error ? "field-error" : undefined}>
        {p.error || p.hint}
      </small>
    </div>
  );
}

// ---------------------------------------------------------------- service clients
interface ServiceClient {
  client_id: string;
  product_type_id: string;
  name: string;
  redirect_uris: string[];
  public: boolean;
  created_at: string;
  revoked: boolean;
  /** When the secret replaced by the last rotation stops working (null: rotated without grace). */
  previous_secret_expires_at?: string | null;
}

const MAX_REDIRECT_URIS = 10; // the API's limit (ADR 0010)
const REDIRECT_HINT =
  "Where Vault sends people back after they sign in (OpenID Connect). Each must match exactly: https, or http only for localhost, 127.0.0.1 or [::1]; no #fragment.";

/** The non-empty URIs of the rows, trimmed: what is sent, so that `redirect_uris[i]` is row i. */
function cleanUris(rows: string[]): string[] {
  return rows.map((u) => u.trim()).filter(Boolean);
}

/**
 * A list of redirect URIs, one input per row with add and remove. A server error naming an item
 * (`redirect_uris[2]`) is shown under that row; one naming the whole list under the list.
 */
function RedirectUris(p: { rows: string[]; onChange: (rows: string[]) => void; errors: Partial<Record<string, string>>; hint: string }) {
  const base = useRef(`uris-${++uriSeq}`).current;
  const rows = p.rows.length ? p.rows : [""];
  const itemErrors = rows.map((_, i) => p.errors[`redirect_uris[${i}]`]);
  const listError = itemErrors.some(Boolean) ? undefined : p.errors.redirect_uris;
  const set = (i: number, v: string) => p.onChange(rows.map((u, j) => (j === i ? v : u)));
  const remove = (i: number) => p.onChange(rows.length === 1 ? [""] : rows.filter((_, j) => j !== i));
  return (
    <fieldset class="uri-rows" aria-describedby={`${base}-hint${listError ? ` ${base}-err` : ""}`}>
      <legend>Sign-in redirect URIs</legend>
      <small id={`${base}-hint`}>{p.hint}</small>
      {rows.map((u, i) => (
        <div key={i}>
          <label for={`${base}-${i}`} class="visually-hidden">
            Redirect URI {i + 1}
          </label>
          <div class="uri-row">
            <input
              id={`${base}-${i}`}
              name={`redirect_uris[${i}]`}
              type="url"
              inputMode="url"
              autoComplete="off"
              spellcheck={false}
              placeholder="https://app.example.com/callback"
              value={u}
              aria-invalid={itemErrors[i] ? "true" : undefined}
              aria-describedby={itemErrors[i] ? `${base}-${i}-err` : undefined}
              onInput={(e) => set(i, (e.target as HTMLInputElement).value)}
            />
            <button type="button" class="secondary outline" onClick={() => remove(i)} disabled={rows.length === 1 && !u}>
              Remove<span class="visually-hidden"> redirect URI {i + 1}</span>
            </button>
          </div>
          {itemErrors[i] && (
            <small id={`${base}-${i}-err`} class="field-error" role="alert">
              {itemErrors[i]}
            </small>
          )}
        </div>
      ))}
      {listError && (
        <small id={`${base}-err`} class="field-error" role="alert">
          {listError}
        </small>
      )}
      <button type="button" class="secondary" onClick={() => p.onChange([...rows, ""])} disabled={rows.length >= MAX_REDIRECT_URIS}>
        Add redirect URI
      </button>
    </fieldset>
  );
}
let uriSeq = 0;

/** The edit dialog's form: its own state, fresh for each client opened. */
function EditRedirectUris({ client, onSaved }: { client: ServiceClient; onSaved: (c: ServiceClient) => void }) {
  const edit = useForm({ redirect_uris: client.redirect_uris.length ? [...client.redirect_uris] : [""] }, async (v) => {
    const uris = cleanUris(v.redirect_uris);
    edit.set("redirect_uris")(uris.length ? uris : [""]); // rows as sent: errors name them by index
    onSaved(await api.patch<ServiceClient>(`/api/v1/admin/service-clients/${seg(client.client_id)}`, { redirect_uris: uris }));
  });
  return (
    <form onSubmit={edit.onSubmit} noValidate>
      <p>
        The new list applies to the next sign-in at once: a URI you remove stops working.
        {client.public ? " A public client keeps at least one." : " A back end that signs nobody in needs none."}
      </p>
      <RedirectUris rows={edit.values.redirect_uris} onChange={edit.set("redirect_uris")} errors={edit.errors} hint={REDIRECT_HINT} />
      <FormError message={edit.formError} />
      <Submit busy={edit.busy}>Save redirect URIs</Submit>
    </form>
  );
}

export function AdminServiceClients({ account }: PageProps) {
  const res = useAllPages<ServiceClient>("/api/v1/admin/service-clients");
  const types = useAllPages<ProductType>("/api/v1/admin/product-types");
  const [open, setOpen] = useState(false);
  const [secret, setSecret] = useState<{ client_id: string; client_secret: string; name: string; previous_secret_expires_at?: string | null } | null>(null);
  const [created, setCreated] = useState<ServiceClient | null>(null);
  const [editing, setEditing] = useState<ServiceClient | null>(null);
  const [revoking, setRevoking] = useState<ServiceClient | null>(null);
  const [rotating, setRotating] = useState<ServiceClient | null>(null);
  const blank = { name: "", product_type: "", redirect_uris: [""], public: false };
  const form = useForm(blank, async (v) => {
    const uris = cleanUris(v.redirect_uris);
    form.set("redirect_uris")(uris.length ? uris : [""]); // rows as sent: errors name them by index
    const c = await api.post<ServiceClient & { client_secret?: string }>("/api/v1/admin/service-clients", { ...v, redirect_uris: uris });
    setOpen(false);
    // A public client (PKCE only) has no secret: only its id is shown.
    if (c.client_secret) setSecret({ ...c, client_secret: c.client_secret });
    else setCreated(c);
    form.setValues(blank);
    res.reload();
  });
  if (!account?.super_admin) return <NotSuperAdmin />;
  const typeName = (id: string) => types.data?.items.find((t) => t.id === id)?.name || id;
  return (
    <section>
      <PageHeader title="Service clients">
        <button type="button" onClick={() => setOpen(true)}>
          New service client
        </button>
      </PageHeader>
      <AdminTabs />
      <p>
        A product signs in to Vault with a service client: its back end to check access and verify API keys, its web or mobile app to sign people in (OpenID Connect). Clients are
        first-party, so people are not asked for consent.
      </p>
      {res.error ? (
        <ErrorState error={res.error} onRetry={res.reload} />
      ) : !res.data ? (
        <Loading />
      ) : res.data.items.length === 0 ? (
        <Empty
          title="No service clients yet"
          action={
            <button type="button" onClick={() => setOpen(true)}>
              New service client
            </button>
          }
        >
          Create one for each product deployment that calls Vault.
        </Empty>
      ) : (
        <TableWrap label="Service clients">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Client id</th>
                <th scope="col">Product type</th>
                <th scope="col">Client type</th>
                <th scope="col">Sign-in redirects</th>
                <th scope="col">Created</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {res.data.items.map((c) => (
                <tr key={c.client_id}>
                  <td>{c.name}</td>
                  <td class="secret">{c.client_id}</td>
                  <td>{typeName(c.product_type_id)}</td>
                  <td>{c.public ? <span class="badge">Public (PKCE only)</span> : <span class="badge">Confidential (secret)</span>}</td>
                  <td class="uri-cell">
                    {c.redirect_uris.length ? (
                      <ul class="plain-list">
                        {c.redirect_uris.map((u) => (
                          <li key={u} class="secret">
                            {u}
                          </li>
                        ))}
                      </ul>
                    ) : (
                      <span class="muted">None (back end only)</span>
                    )}
                  </td>
                  <td>
                    <DateTime iso={c.created_at} dateOnly />
                  </td>
                  <td>
                    <StatusBadge ok={!c.revoked} text={c.revoked ? "Revoked" : "Active"} />
                  </td>
                  <td class="client-actions">
                    {!c.revoked && (
                      <button type="button" class="secondary small" onClick={() => setEditing(c)}>
                        Edit redirect URIs<span class="visually-hidden"> of {c.name}</span>
                      </button>
                    )}
                    {!c.revoked && !c.public && (
                      <button type="button" class="secondary small" onClick={() => setRotating(c)}>
                        Rotate secret<span class="visually-hidden"> of {c.name}</span>
                      </button>
                    )}
                    {!c.revoked && (
                      <button type="button" class="secondary small" onClick={() => setRevoking(c)}>
                        Revoke<span class="visually-hidden"> {c.name}</span>
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      <Dialog open={open} title="New service client" onClose={() => setOpen(false)}>
        <form onSubmit={form.onSubmit} noValidate>
          <Field label="Name" name="name" required hint="Which deployment uses it, e.g. Manage production." value={form.values.name} onInput={form.set("name")} error={form.errors.name} />
          <label for="sc-type">
            Product type
            <select id="sc-type" name="product_type" required value={form.values.product_type} aria-invalid={form.errors.product_type ? "true" : undefined} onChange={(e) => form.set("product_type")((e.target as HTMLSelectElement).value)}>
              <option value="">Choose…</option>
              {types.data?.items.map((t) => (
                <option key={t.id} value={t.key}>
                  {t.name}
                </option>
              ))}
            </select>
            {form.errors.product_type && <small class="field-error">{form.errors.product_type}</small>}
          </label>
          <RedirectUris rows={form.values.redirect_uris} onChange={form.set("redirect_uris")} errors={form.errors} hint={`${REDIRECT_HINT} Leave empty for a back end that only verifies keys and checks access.`} />
          <label>
            <input type="checkbox" name="public" aria-describedby="sc-public-note" checked={form.values.public} onChange={(e) => form.set("public")((e.target as HTMLInputElement).checked)} />
            Public client (no secret; PKCE only)
          </label>
          <small id="sc-public-note" class="block muted">
            For a browser or mobile app, which cannot keep a secret: it proves itself with PKCE at each sign-in and needs at least one redirect URI. Leave unticked for a back end, which
            gets a secret.
          </small>
          <FormError message={form.formError} />
          <Submit busy={form.busy}>Create service client</Submit>
        </form>
      </Dialog>
      <Dialog open={!!editing} title={`Redirect URIs of ${editing?.name ?? ""}`} onClose={() => setEditing(null)}>
        {editing && (
          <EditRedirectUris
            key={editing.client_id}
            client={editing}
            onSaved={(c) => {
              setEditing(null);
              toast(`Redirect URIs of ${c.name} saved`);
              res.reload();
            }}
          />
        )}
      </Dialog>
      <Dialog open={!!created} title="Public client created" onClose={() => setCreated(null)}>
        {created && (
          <>
            <p>
              {created.name} signs people in with PKCE and has no secret. Put its client id in the app's configuration.
            </p>
            <p>
              Client id: <span class="secret" data-testid="client-id">{created.client_id}</span>
            </p>
            <footer>
              <CopyButton text={created.client_id} label="Copy client id" />
              <button type="button" onClick={() => setCreated(null)}>
                Done
              </button>
            </footer>
          </>
        )}
      </Dialog>
      <Dialog open={!!secret} title="Service client secret" dismissible={false} onClose={() => setSecret(null)}>
        {secret && (
          <>
            <p>
              <strong>Copy the secret now. You will not see it again.</strong> Store it in the product's configuration.
            </p>
            <p>
              Client id: <span class="secret">{secret.client_id}</span>
            </p>
            <p>
              Client secret: <span class="secret" data-testid="client-secret">{secret.client_secret}</span>
            </p>
            {secret.previous_secret_expires_at && (
              <p data-testid="previous-secret-note">
                The previous secret keeps working until <DateTime iso={secret.previous_secret_expires_at} />, then stops.
              </p>
            )}
            <footer>
              <CopyButton text={secret.client_secret} label="Copy secret" />
              <button type="button" class="secondary" onClick={() => downloadText(`${secret.name}-service-client.txt`, `client_id=${secret.client_id}\nclient_secret=${secret.client_secret}\n`)}>
                Download
              </button>
              <button type="button" onClick={() => setSecret(null)}>
                I have saved it
              </button>
            </footer>
          </>
        )}
      </Dialog>
      <Dialog open={!!rotating} title={`Rotate the secret of ${rotating?.name}?`} onClose={() => setRotating(null)}>
        {rotating && (
          <RotateSecret
            key={rotating.client_id}
            client={rotating}
            onRotated={(c) => {
              setRotating(null);
              setSecret(c);
              res.reload();
            }}
          />
        )}
      </Dialog>
      <ConfirmDialog
        open={!!revoking}
        title={`Revoke ${revoking?.name}?`}
        confirmLabel="Revoke service client"
        onClose={() => setRevoking(null)}
        onConfirm={async () => {
          await api.del(`/api/v1/admin/service-clients/${seg(revoking!.client_id)}`);
          toast(`${revoking!.name} revoked`);
          res.reload();
        }}
      >
        <p>
          {revoking?.public
            ? `The app using ${revoking?.client_id} can no longer sign people in.`
            : `The product back end using ${revoking?.client_id} stops authenticating at once.`}{" "}
          This cannot be undone; create a new client to replace it.
        </p>
      </ConfirmDialog>
    </section>
  );
}

const SECRET_GRACE: [string, string][] = [
  ["0", "Stop the current secret now"],
  ["3600", "Keep the current secret working for 1 hour"],
  ["86400", "Keep the current secret working for 24 hours"],
  ["604800", "Keep the current secret working for 7 days"],
];

function RotateSecret({ client, onRotated }: { client: ServiceClient; onRotated: (c: ServiceClient & { client_secret: string }) => void }) {
  const form = useForm({ grace_seconds: "0" }, async (v) => {
    const grace = Number(v.grace_seconds);
    const c = await api.post<ServiceClient & { client_secret: string }>(
      `/api/v1/admin/service-clients/${seg(client.client_id)}/secret`,
      grace ? { grace_seconds: grace } : {},
    );
    onRotated(c);
  });
  return (
    <form onSubmit={form.onSubmit} noValidate>
      <p>
        A new secret is shown once. Without a grace period the current secret stops working at once, and the product's calls to
        Vault fail until its configuration has the new one; with a grace period both work until it ends, so you can switch
        without downtime.
      </p>
      <SelectField
        label="The current secret"
        name="grace_seconds"
        value={form.values.grace_seconds}
        onInput={form.set("grace_seconds")}
        options={SECRET_GRACE}
        error={form.errors.grace_seconds}
      />
      <FormError message={form.formError} />
      <Submit busy={form.busy}>Rotate secret</Submit>
    </form>
  );
}
