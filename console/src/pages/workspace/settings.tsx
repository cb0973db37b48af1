// Settings: name and description, logo, the 2FA requirement, the short name (Owner), ownership
// transfer (Owner) and the danger zone (Owner: delete the workspace with its short name typed to
// confirm).
import { useState } from "preact/hooks";
import { ApiError, Member, Workspace, api, seg } from "../../api";
import type { PageProps } from "../../app";
import { Link, navigate } from "../../router";
import { Dialog, Field, FormError, PageHeader, SelectField, Submit, initials, messageOf, toast, useForm, useAllPages } from "../../ui";
import { DeleteWorkspaceDialog } from "../delete-workspace";

const LOGO_MAX = 512 * 1024;
const LOGO_TYPES = "image/png,image/jpeg,image/webp";

export function Settings({ workspace, account, reloadWorkspace }: PageProps) {
  const ws = workspace as Workspace;
  const base = `/api/v1/workspaces/${seg(ws.id)}`;
  const reload = reloadWorkspace || (() => {});
  const owner = ws.my_role === "owner";
  const general = useForm({ name: ws.name, description: ws.description || "" }, async (v) => {
    await api.patch(base, v);
    reload();
    toast("Workspace details saved.");
  });
  return (
    <section class="ws-page">
      <PageHeader title="Settings" />
      <h2 class="first">Details</h2>
      <form onSubmit={general.onSubmit} noValidate>
        <Field label="Name" name="name" required value={general.values.name} onInput={general.set("name")} error={general.errors.name} />
        <Field label="Description (optional)" name="description" value={general.values.description} onInput={general.set("description")} error={general.errors.description} />
        <FormError message={general.formError} />
        <Submit busy={general.busy}>Save details</Submit>
      </form>
      <Logo ws={ws} base={base} reload={reload} />
      <Require2fa ws={ws} base={base} reload={reload} mfaOn={!!account?.mfa_enabled} />
      {owner && <Shortname ws={ws} base={base} />}
      {owner && <TransferOwnership ws={ws} base={base} me={account?.id || ""} reload={reload} />}
      {owner && <DangerZone ws={ws} base={base} />}
    </section>
  );
}

function Logo({ ws, base, reload }: { ws: Workspace; base: string; reload: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const [version, setVersion] = useState(0);
  const run = async (action: () => Promise<unknown>, done: string) => {
    setBusy(true);
    setError("");
    try {
      await action();
      setVersion((n) => n + 1);
      reload();
      toast(done);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  const upload = (file: File | undefined) => {
    if (!file) return;
    if (file.size > LOGO_MAX) {
      setError(messageOf(new ApiError({ status: 413, code: "logo.too_large" })));
      return;
    }
    void run(() => api.put(base + "/logo", undefined, { raw: file }), "Logo updated.");
  };
  return (
    <>
      <h2>Logo</h2>
      <div class="logo-row">
        {ws.logo_url ? (
          <img class="ws-logo ws-logo-large" src={`${ws.logo_url}?v=${encodeURIComponent(ws.updated_at)}-${version}`} alt={`Logo of ${ws.name}`} />
        ) : (
          <span class="ws-initials ws-logo-large" role="img" aria-label="No logo yet: initials shown instead">
            {initials(ws.name)}
          </span>
        )}
        <div>
          <label for="logo-file">
            {ws.logo_url ? "Replace the logo" : "Upload a logo"}
            <input
              id="logo-file"
              type="file"
              accept={LOGO_TYPES}
              disabled={busy}
              aria-invalid={error ? "true" : undefined}
              aria-describedby="logo-note"
              onChange={(e) => {
                const input = e.target as HTMLInputElement;
                upload(input.files?.[0]);
                input.value = "";
              }}
            />
            <small id="logo-note" class={error ? "field-error" : undefined} role={error ? "alert" : undefined}>
              {error || "PNG, JPEG or WebP, at most 512 KiB. A square image looks best."}
            </small>
          </label>
          {ws.logo_url && (
            <button type="button" class="secondary outline" disabled={busy} onClick={() => void run(() => api.del(base + "/logo"), "Logo removed.")}>
              Remove logo
            </button>
          )}
        </div>
      </div>
    </>
  );
}

function Require2fa({ ws, base, reload, mfaOn }: { ws: Workspace; base: string; reload: () => void; mfaOn: boolean }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const [required, setRequired] = useState(ws.require_2fa); // optimistic: the PATCH is idempotent
  const members = useAllPages<Member>(base + "/members");
  const without = members.data?.items.filter((m) => !m.mfa_enabled) || [];
  const blocked = !required && !mfaOn;
  const toggle = async (on: boolean) => {
    setBusy(true);
    setError("");
    setRequired(on);
    try {
      await api.patch(base, { require_2fa: on });
      reload();
      toast(on ? "Two-factor authentication is now required." : "Two-factor authentication is no longer required.");
    } catch (e) {
      setRequired(!on);
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <h2>Two-factor authentication</h2>
      <label>
        <input type="checkbox" role="switch" checked={required} disabled={busy || blocked} aria-describedby="twofa-note" onChange={(e) => void toggle((e.target as HTMLInputElement).checked)} />
        Require two-factor authentication for every member
      </label>
      <p id="twofa-note" class="muted">
        When required, members without two-factor authentication cannot open this workspace or use its products until they
        turn it on in their Security settings. API keys are not affected.
        {members.data && (without.length ? ` ${without.length} member${without.length > 1 ? "s" : ""} without it today: ${without.map((m) => m.name).join(", ")}.` : " Every member has it on.")}
      </p>
      {blocked && (
        <p class="notice">
          Turn on two-factor authentication for your own account first (<Link href="/security">Security</Link>), or you would lock
          yourself out.
        </p>
      )}
      <FormError message={error} />
    </>
  );
}

function Shortname({ ws, base }: { ws: Workspace; base: string }) {
  const form = useForm({ shortname: ws.shortname }, async (v) => {
    const w = await api.patch<Workspace>(base, { shortname: v.shortname.trim().toLowerCase() });
    toast(`The short name is now ${w.shortname}.`);
    navigate(`/w/${seg(w.shortname)}/settings`, { replace: true });
  });
  return (
    <>
      <h2>Short name</h2>
      <form onSubmit={form.onSubmit} noValidate>
        <Field
          label="Short name"
          name="shortname"
          required
          autoComplete="off"
          value={form.values.shortname}
          onInput={form.set("shortname")}
          error={form.errors.shortname}
          hint={`Used in addresses like /w/${ws.shortname}. After a change, old links and bookmarks to this workspace stop working.`}
        />
        <FormError message={form.formError} />
        <Submit busy={form.busy} class="secondary">
          Change short name
        </Submit>
      </form>
    </>
  );
}

const AFTER_TRANSFER: [string, string][] = [
  ["admin", "Admin"],
  ["member", "Member"],
  ["billing", "Billing"],
];

// One step (POST …/ownership-transfer): the chosen member becomes the Owner and the caller takes
// the chosen role in the same transaction, so the workspace is never without an Owner.
function TransferOwnership({ ws, base, me, reload }: { ws: Workspace; base: string; me: string; reload: () => void }) {
  const [open, setOpen] = useState(false);
  const members = useAllPages<Member>(base + "/members");
  const others = (members.data?.items || []).filter((m) => m.account_id !== me);
  const form = useForm({ account_id: "", new_role: "admin" }, async (v) => {
    const target = others.find((m) => m.account_id === v.account_id);
    await api.post(base + "/ownership-transfer", v);
    setOpen(false);
    toast(`${target?.name || "The member"} is now the Owner of ${ws.name}.`);
    reload();
  });
  const close = () => {
    setOpen(false);
    form.setValues({ account_id: "", new_role: "admin" });
  };
  const chosen = others.find((m) => m.account_id === form.values.account_id);
  return (
    <>
      <h2>Ownership</h2>
      <p>
        Hand {ws.name} to another member in one step: they become an Owner and you take the role you choose, at the same
        moment.
      </p>
      <button type="button" class="secondary" onClick={() => setOpen(true)} disabled={!others.length}>
        Transfer ownership
      </button>
      {members.data && !others.length && <p class="muted">Invite someone first: there is nobody to hand the workspace to.</p>}
      <Dialog open={open} title={`Transfer ownership of ${ws.name}`} onClose={close}>
        <form onSubmit={form.onSubmit} noValidate>
          <SelectField
            label="New Owner"
            name="account_id"
            placeholder="Choose a member"
            value={form.values.account_id}
            onInput={form.set("account_id")}
            options={others.map((m) => [m.account_id, `${m.name} (${m.email})`] as [string, string])}
            error={form.errors.account_id}
          />
          <SelectField label="Your role afterwards" name="new_role" value={form.values.new_role} onInput={form.set("new_role")} options={AFTER_TRANSFER} error={form.errors.new_role} />
          {chosen && (
            <p>
              {chosen.name} becomes an Owner of {ws.name}, and you become {form.values.new_role === "admin" ? "an Admin" : `a ${AFTER_TRANSFER.find(([k]) => k === form.values.new_role)?.[1]}`}.
              Only an Owner can give ownership back.
            </p>
          )}
          <FormError message={form.formError} />
          <footer>
            <button type="button" class="secondary" onClick={close}>
              Cancel
            </button>
            <button type="submit" class="danger" disabled={form.busy || !form.values.account_id} aria-busy={form.busy ? "true" : undefined}>
              Transfer ownership
            </button>
          </footer>
        </form>
      </Dialog>
    </>
  );
}

function DangerZone({ ws, base }: { ws: Workspace; base: string }) {
  const [open, setOpen] = useState(false);
  const remove = async (confirm: string) => {
    await api.del(base, { confirm });
    toast(`${ws.name} was deleted.`);
    navigate("/", { replace: true });
  };
  return (
    <>
      <h2>Danger zone</h2>
      <div class="danger-zone">
        <p>
          <strong>Delete this workspace.</strong> Its products, subscriptions, groups, product access, API keys and pending
          invitations go with it, and every member loses access. The audit log is kept. This cannot be undone.
        </p>
        <button type="button" class="danger" onClick={() => setOpen(true)}>
          Delete workspace
        </button>
      </div>
      <DeleteWorkspaceDialog open={open} name={ws.name} shortname={ws.shortname} onClose={() => setOpen(false)} remove={remove}>
        <p>
          Everything in {ws.name} goes: products, subscriptions, groups, API keys and invitations. Members lose access at once.
          This cannot be undone.
        </p>
      </DeleteWorkspaceDialog>
    </>
  );
}
