// Shared building blocks of every page: forms whose server errors land beside the field, the
// loading / empty / error states of lists, dialogs (native <dialog>: focus trapped and
// returned), toasts in a live region, badges with text, dates in the person's time zone.
import type { ComponentChildren, JSX } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { ApiError, api } from "./api";
import { currentAccount } from "./session";

// ---------- errors in words a person understands ----------
const MESSAGES: Record<string, string> = {
  "auth.invalid_credentials": "The email or password is not right.",
  "account.disabled": "This account has been disabled. Contact your administrator.",
  "auth.locked": "Too many attempts. Sign-in is paused for a while; try again later.",
  "admin.requires_2fa": "The Super Admin area needs two-factor authentication on your account. Turn it on in Security first.",
  rate_limited: "Too many requests from this device. Wait a moment and try again.",
  overloaded: "Vault is busy right now. Try again in a moment.",
  "mfa.invalid_code": "That code is not right. Check your authenticator app and try again.",
  "token.invalid": "This link is not valid. Ask for a new one.",
  "token.expired": "This link has expired. Ask for a new one.",
  "token.used": "This link has already been used.",
  "password.too_short": "Use a longer password (at least 10 characters).",
  "password.too_long": "That password is too long (256 characters at most).",
  "password.common": "That password is too common. Choose one that is harder to guess.",
  "password.contains_email": "Don't use your email address in your password.",
  "validation.email": "Enter a valid email address.",
  "validation.required": "This field is required.",
  "validation.name": "Enter a name without control or invisible characters.",
  "workspace.shortname_taken": "That short name is already taken.",
  "workspace.shortname_invalid": "Use 3–40 lower-case letters, digits and single hyphens, starting with a letter.",
  "workspace.shortname_reserved": "That short name is reserved. Choose another.",
  "workspace.confirmation_mismatch": "Type the workspace's short name exactly to confirm.",
  "product.shortname_taken": "That short name is already used by another product here.",
  "product.shortname_invalid": "Use 2–40 letters, digits and single hyphens.",
  "product.seat_limit": "The plan has no free seat for this. Change the plan or remove someone first.",
  "group.name_taken": "A group with that name already exists.",
  "member.exists": "That person is already a member.",
  "invitation.exists": "That person already has a pending invitation.",
  "invitation.email_mismatch": "This invitation was sent to another email address. Sign in with that address.",
  "account.sole_owner": "You are the only Owner of a workspace. Make someone else Owner or delete the workspace first.",
  "account.email_taken": "That email address belongs to another account.",
  "workspace.last_owner": "A workspace needs at least one Owner.",
  "permission.denied": "Your role does not allow this.",
  "workspace.requires_2fa": "This workspace requires two-factor authentication. Turn it on in Security first.",
  "workspace.suspended": "This workspace is suspended by the platform operators. It is read-only until they resume it.",
  "workspace.already_suspended": "This workspace is already suspended.",
  "workspace.not_suspended": "This workspace is not suspended.",
  "origin.forbidden": "This request came from another site and was refused.",
  "csrf.failed": "Your session could not be verified. Reload the page and try again.",
  network: "Vault could not be reached. Check your connection and try again.",
  "logo.unsupported_type": "That file is not a PNG, JPEG or WebP image.",
  "logo.too_large": "That image is larger than 512 KiB. Choose a smaller one.",
  "api_key.unknown_permission": "This product does not offer that permission.",
  "api_key.revoked": "This key is revoked and cannot be rolled.",
  "api_key.already_rolled": "This key was already rolled. Roll its replacement instead.",
  "member.not_found": "That person is no longer a member of this workspace.",
  "invitation.not_found": "That invitation is no longer pending.",
};

export function messageOf(e: unknown): string {
  if (e instanceof ApiError) return MESSAGES[e.code] || e.message || "Something went wrong.";
  return "Something went wrong.";
}

// ---------- forms ----------
export interface FormState<T> {
  values: T;
  set: <K extends keyof T>(k: K) => (v: T[K]) => void;
  errors: Partial<Record<string, string>>;
  formError: string;
  busy: boolean;
  onSubmit: (e: Event) => void;
  setValues: (v: T) => void;
  fail: (e: unknown) => void;
}

/** A form: values, per-field server errors (problem+json `field`), a form error, busy state. */
export function useForm<T extends object>(initial: T, submit: (v: T) => Promise<void>): FormState<T> {
  const [values, setValues] = useState<T>(initial);
  const [errors, setErrors] = useState<Partial<Record<string, string>>>({});
  const [formError, setFormError] = useState("");
  const [busy, setBusy] = useState(false);
  const fail = (e: unknown) => {
    // A nested field (roles[0].name, principal.id) lands beside the form field it came from.
    const f = e instanceof ApiError ? e.field : undefined;
    const key = f && Object.keys(values as object).find((k) => f === k || f.startsWith(k + "[") || f.startsWith(k + "."));
    if (e instanceof ApiError && key) {
      // The exact field too (redirect_uris[2]), for a form that shows each item in its own input.
      setErrors({ [key]: messageOf(e) + (key === f ? "" : ` (${f})`), ...(key === f ? {} : { [f!]: messageOf(e) }) });
      setFormError("");
    } else if (e instanceof ApiError && e.field) {
      setErrors({});
      setFormError(messageOf(e) + ` (${e.field})`);
    } else {
      setErrors({});
      setFormError(messageOf(e));
    }
  };
  const onSubmit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setErrors({});
    setFormError("");
    try {
      await submit(values);
    } catch (err) {
      fail(err);
    } finally {
      setBusy(false);
    }
  };
  return {
    values,
    set: (k) => (v) => setValues((old) => ({ ...old, [k]: v })),
    errors,
    formError,
    busy,
    onSubmit,
    setValues,
    fail,
  };
}

let fieldSeq = 0;
type FieldProps = {
  label: string;
  name: string;
  value: string;
  onInput: (v: string) => void;
  error?: string;
  hint?: ComponentChildren;
  type?: string;
  autoComplete?: string;
  required?: boolean;
  inputMode?: JSX.HTMLAttributes["inputMode"];
  maxLength?: number;
  autoFocus?: boolean;
  placeholder?: string;
  readOnly?: boolean;
  pattern?: string;
  /** id of a <datalist> offering suggestions. */
  list?: string;
};

/** A labelled input with its error (from the server) below it, announced to screen readers. */
export function Field(p: FieldProps) {
  const id = useRef(`f-${p.name}-${++fieldSeq}`).current;
  const describedBy = p.error ? `${id}-err` : p.hint ? `${id}-hint` : undefined;
  // The hint and error sit outside the <label>: the field's name stays just its label, and
  // they are read as its description (aria-describedby).
  return (
    <div class="field">
      <label for={id}>{p.label}</label>
      <input
        id={id}
        name={p.name}
        type={p.type || "text"}
        value={p.value}
        onInput={(e) => p.onInput((e.target as HTMLInputElement).value)}
        aria-invalid={p.error ? "true" : undefined}
        aria-describedby={describedBy}
        autoComplete={p.autoComplete}
        required={p.required}
        inputMode={p.inputMode}
        maxlength={p.maxLength /* as an attribute: Preact would set the property to 0 when a reused input drops it */}
        autoFocus={p.autoFocus}
        placeholder={p.placeholder}
        readOnly={p.readOnly}
        pattern={p.pattern}
        list={p.list}
      />
      <FieldNote id={id} error={p.error} hint={p.hint} />
    </div>
  );
}

export function FormError({ message }: { message: string }) {
  if (!message) return null;
  return (
    <p class="form-error" role="alert">
      {message}
    </p>
  );
}

export function Submit({ busy, children, class: cls }: { busy: boolean; children: ComponentChildren; class?: string }) {
  return (
    <button type="submit" aria-busy={busy ? "true" : undefined} disabled={busy} class={cls}>
      {children}
    </button>
  );
}

// ---------- data loading ----------
export interface Resource<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
  setData: (d: T) => void;
}

/** GETs `path` (null = wait) and keeps the loading / error / data states of a list or object. */
export function useResource<T>(path: string | null, load: (path: string, signal: AbortSignal) => Promise<T> = (p, signal) => api.get<T>(p, { signal })): Resource<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [n, setN] = useState(0);
  useEffect(() => {
    if (!path) return;
    const ctl = new AbortController();
    setLoading(true);
    setError(null);
    load(path, ctl.signal)
      .then((d) => {
        setData(d);
        setLoading(false);
      })
      .catch((e) => {
        if ((e as Error).name === "AbortError") return;
        setError(e);
        setLoading(false);
      });
    return () => ctl.abort();
  }, [path, n]);
  const reload = useCallback(() => setN((x) => x + 1), []);
  return { data, error, loading, reload, setData };
}

/** Skeleton rows while a list loads (no spinner on a blank page, no layout shift). */
export function Loading({ rows = 3, label = "Loading" }: { rows?: number; label?: string }) {
  return (
    <div class="skeleton-list" aria-busy="true" aria-label={label}>
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} class="skeleton" />
      ))}
    </div>
  );
}

export function Empty({ title, children, action }: { title: string; children?: ComponentChildren; action?: ComponentChildren }) {
  return (
    <div class="empty-state">
      <p>
        <strong>{title}</strong>
      </p>
      {children && <p>{children}</p>}
      {action}
    </div>
  );
}

export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  return (
    <div class="error-state" role="alert">
      <p>{messageOf(error)}</p>
      {error instanceof ApiError && error.code === "admin.requires_2fa" && (
        <p>
          <a href="/security">Turn on two-factor authentication</a>
        </p>
      )}
      {onRetry && (
        <button type="button" class="secondary" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** Renders loading, error or the content of a resource. */
export function Loaded<T>({ res, children, rows }: { res: Resource<T>; children: (d: T) => ComponentChildren; rows?: number }) {
  if (res.error) return <ErrorState error={res.error} onRetry={res.reload} />;
  if (res.loading && res.data === undefined) return <Loading rows={rows} />;
  if (res.data === undefined) return <Loading rows={rows} />;
  return <>{children(res.data)}</>;
}

// ---------- dialogs ----------
type DialogProps = {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  /** false: Escape does nothing and there is no close button (secrets shown once). */
  dismissible?: boolean;
};

/** A modal dialog: focus moves in and is trapped (native showModal), and returns on close. */
export function Dialog({ open, title, onClose, children, dismissible = true }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const opener = useRef<Element | null>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      opener.current = document.activeElement;
      d.showModal();
    } else if (!open && d.open) {
      d.close();
      (opener.current as HTMLElement | null)?.focus?.();
    }
  }, [open]);
  const titleId = useRef(`dlg-${++fieldSeq}`).current;
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        if (dismissible) onClose();
      }}
    >
      <article>
        <header>
          {dismissible && <button type="button" aria-label="Close" class="dialog-close" onClick={onClose} />}
          <h2 id={titleId} class="dialog-title">
            {title}
          </h2>
        </header>
        {open && children}
      </article>
    </dialog>
  );
}

/** Asks before a destructive action; names the object and what goes with it. */
export function ConfirmDialog(p: {
  open: boolean;
  title: string;
  children: ComponentChildren;
  confirmLabel: string;
  onConfirm: () => Promise<void>;
  onClose: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  useEffect(() => {
    if (p.open) setError("");
  }, [p.open]);
  return (
    <Dialog open={p.open} title={p.title} onClose={p.onClose}>
      <div>{p.children}</div>
      <FormError message={error} />
      <footer>
        <button type="button" class="secondary" onClick={p.onClose}>
          Cancel
        </button>
        <button
          type="button"
          class="danger"
          aria-busy={busy ? "true" : undefined}
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            try {
              await p.onConfirm();
              p.onClose();
            } catch (e) {
              setError(messageOf(e));
            } finally {
              setBusy(false);
            }
          }}
        >
          {p.confirmLabel}
        </button>
      </footer>
    </Dialog>
  );
}

// ---------- toasts ----------
let pushToast: (m: string) => void = () => {};
export function toast(message: string): void {
  pushToast(message);
}

export function Toasts() {
  const [items, setItems] = useState<{ id: number; text: string }[]>([]);
  useEffect(() => {
    let id = 0;
    pushToast = (text) => {
      const n = ++id;
      setItems((xs) => [...xs, { id: n, text }]);
      setTimeout(() => setItems((xs) => xs.filter((x) => x.id !== n)), 5000);
    };
  }, []);
  return (
    <div class="toasts" role="status" aria-live="polite">
      {items.map((t) => (
        <div key={t.id} class="toast">
          {t.text}
        </div>
      ))}
    </div>
  );
}

// ---------- small things ----------
const ROLE_NAMES: Record<string, string> = { owner: "Owner", admin: "Admin", member: "Member", billing: "Billing" };
export function roleName(r: string): string {
  return ROLE_NAMES[r] || r.charAt(0).toUpperCase() + r.slice(1);
}

export function RoleBadge({ role }: { role: string }) {
  return <span class={`badge role-${role}`}>{roleName(role)}</span>;
}

/** Status in words (colour is never the only signal). */
export function StatusBadge({ ok, text }: { ok: boolean; text: string }) {
  return <span class={`badge ${ok ? "status-ok" : "status-off"}`}>{text}</span>;
}

/** A date in the person's locale and time zone; the exact UTC time on hover. */
export function DateTime({ iso, dateOnly }: { iso: string | null | undefined; dateOnly?: boolean }) {
  if (!iso) return <span>—</span>;
  const a = currentAccount();
  const d = new Date(iso);
  let text: string;
  try {
    text = new Intl.DateTimeFormat(a?.locale || undefined, {
      timeZone: a?.time_zone || undefined,
      dateStyle: "medium",
      ...(dateOnly ? {} : { timeStyle: "short" }),
    }).format(d);
  } catch {
    text = d.toLocaleString();
  }
  return (
    <time dateTime={iso} title={iso}>
      {text}
    </time>
  );
}

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const s = parts.length > 1 ? parts[0][0] + parts[parts.length - 1][0] : (parts[0] || "?").slice(0, 2);
  return s.toUpperCase();
}

export function CopyButton({ text, label = "Copy" }: { text: string; label?: string }) {
  const [done, setDone] = useState(false);
  return (
    <button
      type="button"
      class="secondary"
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(text);
          setDone(true);
          setTimeout(() => setDone(false), 2000);
        } catch {
          toast("Copy failed: select the text and copy it by hand.");
        }
      }}
    >
      {done ? "Copied" : label}
    </button>
  );
}

export function downloadText(filename: string, text: string, type = "text/plain"): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function PageHeader({ title, children }: { title: string; children?: ComponentChildren }) {
  useEffect(() => {
    document.title = `${title} · Atomyx Vault`;
  }, [title]);
  return (
    <div class="page-header">
      <h1>{title}</h1>
      {children && <div class="page-actions">{children}</div>}
    </div>
  );
}

/** A table that may scroll sideways on a narrow screen: focusable and named, so a keyboard
 * user can scroll it too (axe: scrollable-region-focusable). */
export function TableWrap({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label={label}>
      {children}
    </div>
  );
}

/**
 * A labelled <select> with its server error below it (like Field). Options: [value, label]. The
 * label stands beside the select (not around it) so the option texts are not part of its name.
 */
export function SelectField(p: {
  label: string;
  name: string;
  value: string;
  onInput: (v: string) => void;
  options: [string, string][];
  error?: string;
  hint?: ComponentChildren;
  /** Shown first with value "" (and makes the field required). */
  placeholder?: string;
}) {
  const id = useRef(`f-${p.name}-${++fieldSeq}`).current;
  return (
    <div class="select-field">
      <label for={id}>{p.label}</label>
      <select
        id={id}
        name={p.name}
        value={p.value}
        required={!!p.placeholder}
        onChange={(e) => p.onInput((e.target as HTMLSelectElement).value)}
        aria-invalid={p.error ? "true" : undefined}
        aria-describedby={p.error ? `${id}-err` : p.hint ? `${id}-hint` : undefined}
      >
        {p.placeholder && (
          <option value="" disabled>
            {p.placeholder}
          </option>
        )}
        {p.options.map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </select>
      <FieldNote id={id} error={p.error} hint={p.hint} />
    </div>
  );
}

/** The error (announced) or else the hint below a field; ids match aria-describedby. */
function FieldNote({ id, error, hint }: { id: string; error?: string; hint?: ComponentChildren }) {
  if (error)
    return (
      <small id={`${id}-err`} class="field-error" role="alert">
        {error}
      </small>
    );
  return hint ? <small id={`${id}-hint`}>{hint}</small> : null;
}

/**
 * A secret shown once (an API key): copy, download, "you will not see this again", and no way
 * to dismiss it (no Escape, no outside click) until the person says it is saved.
 */
export function SecretOnceDialog(p: {
  open: boolean;
  title: string;
  secret: string;
  filename: string;
  onDone: () => void;
  children?: ComponentChildren;
  /** What Vault keeps and what to do if it is lost; the default fits keys stored as fingerprints. */
  kept?: ComponentChildren;
}) {
  const [saved, setSaved] = useState(false);
  useEffect(() => setSaved(false), [p.secret]);
  return (
    <Dialog open={p.open} title={p.title} onClose={p.onDone} dismissible={false}>
      {p.children}
      <p class="secret-warning">
        <strong>Copy it now: you will not see this again.</strong>{" "}
        {p.kept ?? "Vault keeps only a fingerprint of it. If it is lost, roll the key to get a new one."}
      </p>
      <p class="secret secret-box" aria-label="The secret">
        {p.secret}
      </p>
      <div class="secret-actions">
        <CopyButton text={p.secret} />
        <button type="button" class="secondary" onClick={() => downloadText(p.filename, p.secret + "\n")}>
          Download
        </button>
      </div>
      <label>
        <input type="checkbox" checked={saved} onChange={(e) => setSaved((e.target as HTMLInputElement).checked)} />I
        have saved it somewhere safe
      </label>
      <footer>
        <button type="button" disabled={!saved} onClick={p.onDone}>
          Done
        </button>
      </footer>
    </Dialog>
  );
}

type ApiPage<T> = import("./api").Page<T>;

/** Every page of a list the API pages with `next_cursor`, as one page (pickers, counts). */
export async function getAllPages<T>(path: string, signal?: AbortSignal): Promise<ApiPage<T>> {
  const sep = path.includes("?") ? "&" : "?";
  const items: T[] = [];
  let cursor: string | null | undefined = null;
  do {
    const page: ApiPage<T> = await api.get<ApiPage<T>>(`${path}${sep}limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, { signal });
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return { items, next_cursor: null };
}

/** A paged list read whole, where the page needs all of it (pickers, counts, small lists). */
export function useAllPages<T>(path: string | null): Resource<ApiPage<T>> {
  return useResource<ApiPage<T>>(path, getAllPages);
}

/** A list the API pages with `next_cursor`: the first page as a resource, then "Load more". */
export function usePaged<T>(path: string | null) {
  const res = useResource<ApiPage<T>>(path);
  const [more, setMore] = useState<{ busy: boolean; error: unknown }>({ busy: false, error: null });
  const loadMore = async () => {
    const cur = res.data;
    if (!path || !cur?.next_cursor || more.busy) return;
    setMore({ busy: true, error: null });
    try {
      const sep = path.includes("?") ? "&" : "?";
      const next = await api.get<ApiPage<T>>(`${path}${sep}cursor=${encodeURIComponent(cur.next_cursor)}`);
      res.setData({ items: [...cur.items, ...next.items], next_cursor: next.next_cursor });
      setMore({ busy: false, error: null });
    } catch (e) {
      setMore({ busy: false, error: e });
    }
  };
  return { ...res, loadMore, moreBusy: more.busy, moreError: more.error };
}

export function LoadMore({ list }: { list: ReturnType<typeof usePaged<any>> }) {
  if (!list.data?.next_cursor) return null;
  return (
    <div class="load-more">
      {list.moreError ? <FormError message={messageOf(list.moreError)} /> : null}
      <button type="button" class="secondary" aria-busy={list.moreBusy ? "true" : undefined} disabled={list.moreBusy} onClick={list.loadMore}>
        Load more
      </button>
    </div>
  );
}

/** A striped table in a TableWrap; an empty column name is a visually hidden "Actions". */
export function DataTable({ label, columns, wide, children }: { label: string; columns: string[]; wide?: boolean; children: ComponentChildren }) {
  return (
    <TableWrap label={label}>
      <table class={wide ? "striped wide-table" : "striped"}>
        <thead>
          <tr>
            {columns.map((c, i) => (
              <th key={i} scope="col">
                {c || <span class="visually-hidden">Actions</span>}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </TableWrap>
  );
}

/** The footer of a form in a dialog: Cancel, then the submit button. */
export function FormActions({ busy, onCancel, children, class: cls }: { busy: boolean; onCancel: () => void; children: ComponentChildren; class?: string }) {
  return (
    <footer>
      <button type="button" class="secondary" onClick={onCancel}>
        Cancel
      </button>
      <Submit busy={busy} class={cls}>
        {children}
      </Submit>
    </footer>
  );
}
