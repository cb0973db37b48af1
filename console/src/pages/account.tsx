// Account-level pages: Workspaces (card grid, pending invitations, + Add Workspace with a live
// shortname check), Profile (details, email, password, delete) and Security (2FA with recovery
// codes shown once, sessions, own security activity).
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Account, ApiError, AuditEvent, Session, Workspace, api, seg } from "../api";
import type { PageProps } from "../app";
import { Link, navigate } from "../router";
import { signedOut, updateAccount } from "../session";
import {
  CopyButton,
  DateTime,
  Dialog,
  Empty,
  ErrorState,
  Field,
  FormActions,
  FormError,
  LoadMore,
  Loaded,
  PageHeader,
  RoleBadge,
  StatusBadge,
  Submit,
  downloadText,
  initials,
  messageOf,
  toast,
  useForm,
  usePaged,
  useResource,
  useAllPages,
} from "../ui";

// ================================================================ Workspaces

interface MyWorkspaces {
  items: Workspace[];
  last_workspace_id?: string | null;
}
interface MyInvitation {
  id: string;
  email: string;
  role: string;
  expires_at: string;
  workspace: { id: string; name: string; shortname: string };
}

/** Last used first, then by name. */
function ordered(d: MyWorkspaces): Workspace[] {
  return [...d.items].sort(
    (a, b) => Number(b.id === d.last_workspace_id) - Number(a.id === d.last_workspace_id) || a.name.localeCompare(b.name),
  );
}

export function Workspaces(_: PageProps) {
  const list = useResource<MyWorkspaces>("/api/v1/me/workspaces");
  const [adding, setAdding] = useState(false);
  const add = (
    <button type="button" onClick={() => setAdding(true)}>
      + Add Workspace
    </button>
  );
  const empty = list.data && list.data.items.length === 0;
  return (
    <section>
      <PageHeader title="Workspaces">{list.data && !empty && add}</PageHeader>
      <Invitations onJoined={list.reload} />
      <Loaded res={list} rows={3}>
        {(d) =>
          d.items.length === 0 ? (
            <Empty title="You are not in a workspace yet" action={add}>
              A workspace is where a team keeps its products, people, groups and API keys. Create one for your team, or ask
              a colleague to invite you to theirs.
            </Empty>
          ) : (
            <ul class="card-grid" aria-label="Your workspaces">
              {ordered(d).map((w) => (
                <li key={w.id}>
                  <Link href={`/w/${seg(w.shortname)}`} class="ws-card">
                    {w.logo_url ? (
                      <img class="ws-logo" src={w.logo_url} alt={`Logo of ${w.name}`} width={48} height={48} />
                    ) : (
                      <span class="ws-initials" aria-hidden="true">
                        {initials(w.name)}
                      </span>
                    )}
                    <span class="ws-card-text">
                      <strong>{w.name}</strong>
                      <small>/w/{w.shortname}</small>
                      <span>
                        <RoleBadge role={w.my_role} />
                      </span>
                    </span>
                  </Link>
                </li>
              ))}
            </ul>
          )
        }
      </Loaded>
      <AddWorkspaceDialog open={adding} onClose={() => setAdding(false)} />
    </section>
  );
}

/** Invitations to my address, answered here (the mailed link works too, until one is used). */
function Invitations({ onJoined }: { onJoined: () => void }) {
  const inv = useResource<{ items: MyInvitation[] }>("/api/v1/me/invitations");
  const [busy, setBusy] = useState("");
  const [error, setError] = useState("");
  const items = inv.data?.items || [];
  if (inv.error) return <ErrorState error={inv.error} onRetry={inv.reload} />;
  if (!items.length) return null;
  const answer = async (i: MyInvitation, how: "accept" | "decline") => {
    setBusy(i.id + how);
    setError("");
    try {
      await api.post(`/api/v1/me/invitations/${seg(i.id)}/${how}`);
      if (how === "accept") {
        toast(`You joined ${i.workspace.name}.`);
        onJoined();
      } else toast(`You declined the invitation to ${i.workspace.name}.`);
      inv.reload();
    } catch (e) {
      setError(messageOf(e));
      inv.reload();
    } finally {
      setBusy("");
    }
  };
  return (
    <section class="invitations" aria-labelledby="inv-title">
      <h2 id="inv-title">Invitations waiting for you</h2>
      <FormError message={error} />
      <ul class="plain-list">
        {items.map((i) => (
          <li key={i.id} class="row-item">
            <span>
              <strong>{i.workspace.name}</strong> invited you as <RoleBadge role={i.role} />{" "}
              <small>
                (until <DateTime iso={i.expires_at} dateOnly />)
              </small>
            </span>
            <span class="row-actions">
              <button type="button" class="small" aria-busy={busy === i.id + "accept" ? "true" : undefined} disabled={!!busy} onClick={() => answer(i, "accept")}>
                Accept<span class="visually-hidden"> the invitation to {i.workspace.name}</span>
              </button>
              <button type="button" class="small secondary" aria-busy={busy === i.id + "decline" ? "true" : undefined} disabled={!!busy} onClick={() => answer(i, "decline")}>
                Decline<span class="visually-hidden"> the invitation to {i.workspace.name}</span>
              </button>
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The short name a workspace name suggests: lower case, hyphens, starting with a letter. */
function slugify(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^[^a-z]+/, "")
    .slice(0, 40)
    .replace(/-+$/, "");
}

/** The format rules of a workspace short name (the server's), in words; "" when it is fine. */
function shortnameProblem(s: string): string {
  if (s.length < 3) return "Use at least 3 characters.";
  if (s.length > 40) return "Use at most 40 characters.";
  if (!/^[a-z]/.test(s)) return "Start with a lower-case letter (a–z).";
  if (/[^a-z0-9-]/.test(s)) return "Use only lower-case letters (a–z), digits and hyphens.";
  if (s.includes("--")) return "Use single hyphens only.";
  if (s.endsWith("-")) return "Don't end with a hyphen.";
  return "";
}

interface ShortnameCheck {
  shortname: string;
  available: boolean;
  code: string | null;
}
/** False once the server answered 404 route.not_found (an older binary without the check). */
let liveCheckSupported = true;
type Availability = { state: "" | "checking" | "free" | "taken"; message: string };

/** Availability of a short name, asked ~300 ms after the last keystroke. */
function useShortnameAvailability(shortname: string, valid: boolean): Availability {
  const [out, setOut] = useState<Availability & { for: string }>({ for: "", state: "", message: "" });
  useEffect(() => {
    if (!valid || !liveCheckSupported) return;
    const ctl = new AbortController();
    const t = setTimeout(() => {
      api
        .get<ShortnameCheck>(`/api/v1/workspace-shortnames/${seg(shortname)}`, { signal: ctl.signal })
        .then((r) => {
          const taken = messageOf(new ApiError({ status: 409, code: r.code || "workspace.shortname_taken" }));
          setOut({ for: shortname, state: r.available ? "free" : "taken", message: r.available ? "" : taken });
        })
        .catch((e) => {
          if ((e as Error).name === "AbortError") return;
          if (e instanceof ApiError && e.code === "route.not_found") liveCheckSupported = false;
          setOut({ for: shortname, state: "", message: "" }); // unknown: the answer on submit decides
        });
    }, 300);
    return () => {
      clearTimeout(t);
      ctl.abort();
    };
  }, [shortname, valid]);
  if (!valid || !liveCheckSupported) return { state: "", message: "" };
  return out.for === shortname ? out : { state: "checking", message: "" };
}

function AddWorkspaceDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const [edited, setEdited] = useState(false);
  const form = useForm({ name: "", shortname: "" }, async (v) => {
    if (shortnameProblem(v.shortname))
      throw new ApiError({ status: 400, code: "local", detail: shortnameProblem(v.shortname), field: "shortname" });
    const w = await api.post<Workspace>("/api/v1/workspaces", { name: v.name.trim(), shortname: v.shortname });
    toast(`Workspace ${w.name} created.`);
    navigate(`/w/${seg(w.shortname)}`);
  });
  useEffect(() => {
    if (open) {
      form.setValues({ name: "", shortname: "" });
      setEdited(false);
    }
  }, [open]);
  const sn = form.values.shortname;
  const problem = sn ? shortnameProblem(sn) : "";
  const avail = useShortnameAvailability(sn, open && !!sn && !problem);
  const error = form.errors.shortname || problem || avail.message;
  const hint =
    avail.state === "free" ? (
      <span role="status">
        Available: your workspace's address will be <strong>/w/{sn}</strong>.
      </span>
    ) : avail.state === "checking" ? (
      <span role="status">Checking availability…</span>
    ) : (
      "3–40 lower-case letters, digits and single hyphens, starting with a letter. Used in addresses; you can change it later."
    );
  return (
    <Dialog open={open} title="Add a workspace" onClose={onClose}>
      <form onSubmit={form.onSubmit} noValidate>
        <Field
          label="Workspace name"
          name="name"
          required
          autoFocus
          maxLength={100}
          value={form.values.name}
          error={form.errors.name}
          onInput={(name) => form.setValues({ name, shortname: edited ? sn : slugify(name) })}
        />
        <Field
          label="Short name"
          name="shortname"
          required
          autoComplete="off"
          maxLength={60}
          value={sn}
          error={error}
          hint={hint}
          onInput={(v) => {
            setEdited(true);
            form.set("shortname")(v.trim().toLowerCase());
          }}
        />
        <FormError message={form.formError} />
        <FormActions busy={form.busy} onCancel={onClose}>
          Create workspace
        </FormActions>
      </form>
    </Dialog>
  );
}

// ================================================================ Profile

/** A wrong password where the account re-checks it reads as that, not "email or password". */
async function recheck<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof ApiError && e.code === "auth.invalid_credentials")
      throw new ApiError({ status: 401, code: "password.wrong", detail: "That is not your current password.", field: e.field || "password" });
    throw e;
  }
}

function Card({ title, children, danger }: { title: string; children: ComponentChildren; danger?: boolean }) {
  const id = "sec-" + title.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  return (
    <section class={danger ? "settings-card danger-zone" : "settings-card"} aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

function timeZones(current: string): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  const all = intl.supportedValuesOf ? intl.supportedValuesOf("timeZone") : [];
  return all.includes(current) ? all : [current, ...all];
}
const LOCALES = ["en", "en-GB", "en-US", "de", "es", "fr", "it", "nl", "pl", "pt", "pt-BR", "sv", "ja", "zh"];

export function Profile({ account }: PageProps) {
  if (!account) return null;
  return (
    <section>
      <PageHeader title="Profile" />
      <Details account={account} />
      <EmailChange account={account} />
      <PasswordChange />
      <ExportData />
      <DeleteAccount account={account} />
    </section>
  );
}

function Details({ account }: { account: Account }) {
  const form = useForm({ name: account.name, locale: account.locale, time_zone: account.time_zone }, async (v) => {
    const changed = Object.fromEntries(Object.entries(v).filter(([k, x]) => x !== account[k as keyof typeof v]));
    if (!Object.keys(changed).length) return toast("Nothing to save: your details are unchanged.");
    updateAccount(await api.patch<Account>("/api/v1/me", changed));
    toast("Your details were saved.");
  });
  const zones = timeZones(account.time_zone);
  return (
    <Card title="Your details">
      <form onSubmit={form.onSubmit} noValidate>
        <Field label="Name" name="name" autoComplete="name" required value={form.values.name} onInput={form.set("name")} error={form.errors.name} />
        <div class="grid">
          <Field label="Language and region" name="locale" list="locales" value={form.values.locale} onInput={form.set("locale")} error={form.errors.locale} hint="A language tag such as en or pt-BR: how dates are written." />
          <Field label="Time zone" name="time_zone" list="time-zones" autoComplete="off" value={form.values.time_zone} onInput={form.set("time_zone")} error={form.errors.time_zone} hint="Dates are shown in this time zone." />
        </div>
        <datalist id="locales">
          {[...new Set([...navigator.languages, ...LOCALES])].map((l) => (
            <option key={l} value={l} />
          ))}
        </datalist>
        <datalist id="time-zones">
          {zones.map((z) => (
            <option key={z} value={z} />
          ))}
        </datalist>
        <FormError message={form.formError} />
        <Submit busy={form.busy}>Save details</Submit>
      </form>
    </Card>
  );
}

function EmailChange({ account }: { account: Account }) {
  const [sent, setSent] = useState("");
  const form = useForm({ new_email: "", password: "" }, async (v) => {
    await recheck(api.post("/api/v1/me/email", v));
    setSent(v.new_email);
    form.setValues({ new_email: "", password: "" });
  });
  return (
    <Card title="Email address">
      <p>
        You sign in and receive mail at <strong>{account.email}</strong>.
      </p>
      {sent && (
        <p role="status" class="notice">
          Check your new address: if <strong>{sent}</strong> can be used, we sent it a link. Your address changes only when
          you open that link (within 24 hours).
        </p>
      )}
      <form onSubmit={form.onSubmit} noValidate>
        <div class="grid">
          <Field label="New email address" name="new_email" type="email" autoComplete="email" required value={form.values.new_email} onInput={form.set("new_email")} error={form.errors.new_email} />
          <Field label="Your password" name="password" type="password" autoComplete="current-password" required value={form.values.password} onInput={form.set("password")} error={form.errors.password} />
        </div>
        <FormError message={form.formError} />
        <Submit busy={form.busy} class="secondary">
          Change email address
        </Submit>
      </form>
    </Card>
  );
}

function PasswordChange() {
  const [done, setDone] = useState(false);
  const form = useForm({ current_password: "", new_password: "" }, async (v) => {
    setDone(false);
    await recheck(api.post("/api/v1/me/password", v));
    form.setValues({ current_password: "", new_password: "" });
    setDone(true);
  });
  return (
    <Card title="Password">
      <p>Changing your password signs out every other session of your account (other browsers and devices).</p>
      {done && (
        <p role="status" class="notice">
          Your password was changed. Your other sessions were signed out.
        </p>
      )}
      <form onSubmit={form.onSubmit} noValidate>
        <div class="grid">
          <Field label="Current password" name="current_password" type="password" autoComplete="current-password" required value={form.values.current_password} onInput={form.set("current_password")} error={form.errors.current_password} />
          <Field label="New password" name="new_password" type="password" autoComplete="new-password" required hint="At least 10 characters; avoid common passwords." value={form.values.new_password} onInput={form.set("new_password")} error={form.errors.new_password} />
        </div>
        <FormError message={form.formError} />
        <Submit busy={form.busy} class="secondary">
          Change password
        </Submit>
      </form>
    </Card>
  );
}

/** A dialog asking for the password and/or a 2FA code before an action on the account. */
function CheckDialog(p: {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  password?: boolean;
  code?: string; // the code field's label
  confirmLabel: string;
  danger?: boolean;
  submit: (v: { password: string; code: string }) => Promise<void>;
}) {
  const form = useForm({ password: "", code: "" }, p.submit);
  useEffect(() => {
    if (p.open) form.setValues({ password: "", code: "" });
  }, [p.open]);
  return (
    <Dialog open={p.open} title={p.title} onClose={p.onClose}>
      <form onSubmit={form.onSubmit} noValidate>
        {p.children}
        {p.password && (
          <Field label="Your password" name="password" type="password" autoComplete="current-password" required autoFocus value={form.values.password} onInput={form.set("password")} error={form.errors.password} />
        )}
        {p.code && (
          <Field label={p.code} name="code" autoComplete="one-time-code" required autoFocus={!p.password} value={form.values.code} onInput={form.set("code")} error={form.errors.code} />
        )}
        <FormError message={form.formError} />
        <FormActions busy={form.busy} onCancel={p.onClose} class={p.danger ? "danger" : undefined}>
          {p.confirmLabel}
        </FormActions>
      </form>
    </Dialog>
  );
}

/** Everything Vault holds about me, as one JSON file (GET /api/v1/me/export). */
function ExportData() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const download = async () => {
    setBusy(true);
    setError("");
    try {
      const data = await api.get<unknown>("/api/v1/me/export");
      downloadText("atomyx-vault-my-data.json", JSON.stringify(data, null, 2), "application/json");
      toast("Your data was downloaded.");
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title="Your data">
      <p>
        Download everything Vault holds about you: your account, sessions, workspaces and roles, invitations and your
        activity, as one JSON file. Passwords, keys and codes are never in it.
      </p>
      <FormError message={error} />
      <button type="button" class="secondary" aria-busy={busy ? "true" : undefined} disabled={busy} onClick={download}>
        Download my data
      </button>
    </Card>
  );
}

function DeleteAccount({ account }: { account: Account }) {
  const [open, setOpen] = useState(false);
  return (
    <Card title="Delete account" danger>
      <p>
        Deleting <strong>{account.email}</strong> signs you out everywhere and removes your account, its sessions and its
        two-factor authentication. You leave every workspace you are in. This cannot be undone. If you are the only Owner
        of a workspace, make someone else Owner or delete that workspace first.
      </p>
      <button type="button" class="danger" onClick={() => setOpen(true)}>
        Delete my account…
      </button>
      <CheckDialog
        open={open}
        onClose={() => setOpen(false)}
        title={`Delete the account ${account.email}?`}
        password
        danger
        confirmLabel="Delete my account"
        submit={async (v) => {
          await recheck(api.del("/api/v1/me", { password: v.password }));
          signedOut();
          navigate("/signin", { replace: true });
          toast("Your account was deleted.");
        }}
      >
        <p>Your account, sessions and two-factor authentication are removed and you leave all your workspaces. Type your password to confirm.</p>
      </CheckDialog>
    </Card>
  );
}

// ================================================================ Security

export function Security({ account }: PageProps) {
  if (!account) return null;
  return (
    <section>
      <PageHeader title="Security" />
      <TwoFactor account={account} />
      <Sessions />
      <Activity />
    </section>
  );
}

interface Enrolment {
  secret: string;
  otpauth_uri: string;
  qr_svg: string;
}

function TwoFactor({ account }: { account: Account }) {
  const on = !!account.mfa_enabled;
  const [enrol, setEnrol] = useState<Enrolment | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [dialog, setDialog] = useState<"" | "off" | "regen">("");
  const start = useForm({ password: "" }, async (v) => {
    setEnrol(await recheck(api.post<Enrolment>("/api/v1/me/mfa/totp", v)));
    start.setValues({ password: "" });
  });
  const confirm = useForm({ code: "" }, async (v) => {
    const r = await api.post<{ recovery_codes: string[] }>("/api/v1/me/mfa/totp/confirm", { code: v.code.replace(/\s+/g, "") });
    setEnrol(null);
    confirm.setValues({ code: "" });
    setCodes(r.recovery_codes);
    updateAccount({ ...account, mfa_enabled: true });
  });
  return (
    <Card title="Two-factor authentication">
      <p>
        Status: <StatusBadge ok={on} text={on ? "On" : "Off"} />
      </p>
      {on ? (
        <>
          <p>Signing in asks for a code from your authenticator app, or one of your recovery codes.</p>
          <div class="actions">
            <button type="button" class="secondary" onClick={() => setDialog("regen")}>
              Create new recovery codes…
            </button>
            <button type="button" class="secondary" onClick={() => setDialog("off")}>
              Turn off two-factor authentication…
            </button>
          </div>
        </>
      ) : enrol ? (
        <>
          <ol class="steps">
            <li>
              <p>Scan this QR code with your authenticator app (such as Google Authenticator, 1Password or Aegis).</p>
              <img class="qr" src={"data:image/svg+xml;charset=utf-8," + encodeURIComponent(enrol.qr_svg)} alt="QR code for your authenticator app" width={192} height={192} />
              <p>
                Can't scan it? Enter this key instead: <code class="secret totp-secret">{enrol.secret.match(/.{1,4}/g)?.join(" ")}</code>{" "}
                <CopyButton text={enrol.secret} label="Copy key" />
              </p>
            </li>
            <li>
              <form onSubmit={confirm.onSubmit} noValidate>
                <Field label="Enter the 6-digit code the app shows" name="code" inputMode="numeric" autoComplete="one-time-code" required maxLength={10} value={confirm.values.code} onInput={confirm.set("code")} error={confirm.errors.code} />
                <FormError message={confirm.formError} />
                <div class="actions">
                  <Submit busy={confirm.busy}>Turn on</Submit>
                  <button type="button" class="secondary" onClick={() => setEnrol(null)}>
                    Cancel
                  </button>
                </div>
              </form>
            </li>
          </ol>
        </>
      ) : (
        <>
          <p>Protect your account with a second step at sign-in: a code from an authenticator app on your phone.</p>
          <form onSubmit={start.onSubmit} noValidate>
            <Field label="Your password" name="password" type="password" autoComplete="current-password" required hint="To start, confirm it is you." value={start.values.password} onInput={start.set("password")} error={start.errors.password} />
            <FormError message={start.formError} />
            <Submit busy={start.busy}>Set up two-factor authentication</Submit>
          </form>
        </>
      )}
      <CheckDialog
        open={dialog === "off"}
        onClose={() => setDialog("")}
        title="Turn off two-factor authentication?"
        password
        code="Code from your authenticator app, or a recovery code"
        danger
        confirmLabel="Turn off"
        submit={async (v) => {
          await recheck(api.del("/api/v1/me/mfa/totp", { password: v.password, code: v.code.trim() }));
          updateAccount({ ...account, mfa_enabled: false });
          toast("Two-factor authentication is off. Your recovery codes no longer work.");
        }}
      >
        <p>Signing in will ask only for your password, and your recovery codes stop working.</p>
      </CheckDialog>
      <CheckDialog
        open={dialog === "regen"}
        onClose={() => setDialog("")}
        title="Create new recovery codes?"
        code="Code from your authenticator app"
        confirmLabel="Create new codes"
        submit={async (v) => {
          const r = await api.post<{ recovery_codes: string[] }>("/api/v1/me/mfa/recovery-codes", { code: v.code.replace(/\s+/g, "") });
          setDialog("");
          setCodes(r.recovery_codes);
        }}
      >
        <p>Your current recovery codes stop working and ten new ones are shown once.</p>
      </CheckDialog>
      <RecoveryCodes codes={codes} onClose={() => setCodes(null)} />
    </Card>
  );
}

/** Recovery codes, shown exactly once: no outside click or Escape closes the dialog. */
function RecoveryCodes({ codes, onClose }: { codes: string[] | null; onClose: () => void }) {
  const text = (codes || []).join("\n") + "\n";
  return (
    <Dialog open={!!codes} title="Save your recovery codes" onClose={onClose} dismissible={false}>
      <p>
        Each code signs you in once if you lose your authenticator app. Keep them somewhere safe, such as a password
        manager. <strong>You will not see these codes again.</strong>
      </p>
      <ol class="recovery-codes secret">
        {(codes || []).map((c) => (
          <li key={c}>{c}</li>
        ))}
      </ol>
      <footer>
        <CopyButton text={text} label="Copy codes" />
        <button type="button" class="secondary" onClick={() => downloadText("atomyx-vault-recovery-codes.txt", text)}>
          Download .txt
        </button>
        <button type="button" onClick={onClose}>
          I have saved these codes
        </button>
      </footer>
    </Dialog>
  );
}

/** "Chrome on Linux" from a user agent; the full string stays on hover. */
function device(ua: string): string {
  if (!ua) return "Unknown device";
  const browser = [["Edg/", "Edge"], ["OPR/", "Opera"], ["Firefox/", "Firefox"], ["Chrome/", "Chrome"], ["Safari/", "Safari"], ["curl/", "curl"]].find(([k]) => ua.includes(k))?.[1];
  const os = [["Android", "Android"], ["iPhone", "iPhone"], ["iPad", "iPad"], ["Windows", "Windows"], ["Mac OS", "macOS"], ["CrOS", "ChromeOS"], ["Linux", "Linux"]].find(([k]) => ua.includes(k))?.[1];
  return browser ? (os ? `${browser} on ${os}` : browser) : ua.slice(0, 60);
}

function Sessions() {
  const list = useAllPages<Session>("/api/v1/me/sessions");
  const [busy, setBusy] = useState("");
  const run = async (id: string, call: () => Promise<unknown>, done: string) => {
    setBusy(id);
    try {
      await call();
      toast(done);
      list.reload();
    } catch (e) {
      toast(messageOf(e));
    } finally {
      setBusy("");
    }
  };
  const others = (list.data?.items || []).filter((s) => !s.current);
  return (
    <Card title="Sessions">
      <p>Where your account is signed in. Sign out any session you don't recognise, then change your password.</p>
      <Loaded res={list} rows={2}>
        {(d) =>
          d.items.length === 0 ? (
            <Empty title="No sessions">Sessions appear here when you sign in.</Empty>
          ) : (
            <ul class="plain-list">
              {[...d.items]
                .sort((a, b) => Number(b.current) - Number(a.current) || b.last_seen_at.localeCompare(a.last_seen_at))
                .map((s) => (
                  <li key={s.id} class="row-item">
                    <div>
                      <strong title={s.user_agent}>{device(s.user_agent)}</strong> {s.current && <StatusBadge ok text="This session" />}
                      <br />
                      <small>
                        IP {s.ip || "unknown"} · last seen <DateTime iso={s.last_seen_at} /> · signed in <DateTime iso={s.created_at} />
                      </small>
                    </div>
                    {!s.current && (
                      <button
                        type="button"
                        class="secondary"
                        aria-label={`Sign out ${device(s.user_agent)} at ${s.ip}, last seen ${s.last_seen_at}`}
                        aria-busy={busy === s.id ? "true" : undefined}
                        disabled={!!busy}
                        onClick={() => run(s.id, () => api.del(`/api/v1/me/sessions/${seg(s.id)}`), `Signed out ${device(s.user_agent)}.`)}
                      >
                        Sign out
                      </button>
                    )}
                  </li>
                ))}
            </ul>
          )
        }
      </Loaded>
      {others.length > 0 && (
        <button type="button" class="secondary" aria-busy={busy === "*" ? "true" : undefined} disabled={!!busy} onClick={() => run("*", () => api.del("/api/v1/me/sessions"), "Every other session was signed out.")}>
          Sign out all other sessions
        </button>
      )}
    </Card>
  );
}

const ACTIONS: Record<string, string> = {
  "account.created": "Account created",
  "session.signed_in": "Signed in",
  "session.sign_in_failed": "Failed sign-in attempt",
  "account.locked_out": "Sign-in paused after repeated failures",
  "session.mfa_challenged": "Asked for a two-factor code",
  "session.mfa_failed": "Wrong two-factor code entered",
  "session.signed_out": "Signed out",
  "session.revoked": "A session was signed out",
  "session.revoked_others": "All other sessions were signed out",
  "account.profile_updated": "Profile changed",
  "account.password_changed": "Password changed",
  "account.password_recheck_failed": "Wrong password entered to confirm a change",
  "account.password_reset_requested": "Password reset requested",
  "account.password_reset": "Password reset with an emailed link",
  "account.email_change_requested": "Email address change requested",
  "account.email_changed": "Email address changed",
  "account.deleted": "Account deleted",
  "account.data_exported": "Downloaded your data",
  "mfa.totp_enrolment_started": "Started setting up two-factor authentication",
  "mfa.totp_enabled": "Two-factor authentication turned on",
  "mfa.totp_disabled": "Two-factor authentication turned off",
  "mfa.recovery_codes_regenerated": "New recovery codes created",
  "mfa.recovery_code_used": "A recovery code was used",
  "mfa.totp_removed_by_reset": "Two-factor authentication removed by the password reset (it was less than 7 days old)",
  "workspace.created": "Created a workspace",
  "workspace.updated": "Changed a workspace's settings",
  "workspace.deleted": "Deleted a workspace",
  "invitation.created": "Invited someone to a workspace",
  "invitation.accepted": "Accepted an invitation",
  "invitation.declined": "Declined an invitation",
  "member.role_changed": "A workspace role changed",
  "member.removed": "Removed from a workspace",
  "member.left": "Left a workspace",
  "admin.super_admin_granted": "Made a Super Admin",
  "admin.password_reset_issued": "A Super Admin sent you a password reset",
  "admin.account_disabled": "Account disabled by a Super Admin",
  "admin.account_enabled": "Account enabled by a Super Admin",
};
const METHODS: Record<string, string> = {
  password: "with password",
  "password+totp": "with password and authenticator code",
  "password+recovery_code": "with password and a recovery code",
};

/** An audit event in words, with the detail a person can check. */
function describe(e: AuditEvent): string {
  const s = e.summary || {};
  const what = ACTIONS[e.action] || e.action.replace(/[._]/g, " ");
  const words = (x: unknown) => String(x).replace(/[._]/g, " ");
  const detail =
    typeof s.method === "string"
      ? METHODS[s.method] || words(s.method)
      : typeof s.reason === "string"
        ? `(${words(s.reason)})`
        : Array.isArray(s.fields)
          ? `(${s.fields.map(words).join(", ")})`
          : "";
  return detail ? `${what} ${detail}` : what;
}

function Activity() {
  const paged = usePaged<AuditEvent>("/api/v1/me/audit?limit=20");
  return (
    <Card title="Security activity">
      <p>Sign-ins and changes to your account, newest first.</p>
      <Loaded res={paged} rows={3}>
        {(page) =>
          page.items.length === 0 ? (
            <Empty title="No activity yet">Sign-ins and changes to your account are listed here.</Empty>
          ) : (
            <ul class="plain-list">
              {page.items.map((e) => (
                <li key={e.id} class="row-item">
                  <div>
                    {describe(e)}
                    <br />
                    <small>
                      <DateTime iso={e.occurred_at} />
                      {e.actor.ip ? ` · IP ${e.actor.ip}` : ""}
                      {e.actor.user_agent ? ` · ${device(e.actor.user_agent)}` : ""}
                    </small>
                  </div>
                </li>
              ))}
            </ul>
          )
        }
      </Loaded>
      <LoadMore list={paged} />
    </Card>
  );
}
