// A product's callback signing secrets (docs/api.md "Callback signing secrets"): the HMAC keys
// the product signs its callbacks with. Shown to the workspace's Owners and Admins and the
// product's Admins; the secret appears once, in a dialog with copy and download.
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { IssuedSigningSecret, Product, SigningSecret, Workspace, api, seg } from "../../api";
import { ConfirmDialog, DateTime, Dialog, Empty, Field, FormError, Loaded, SecretOnceDialog, SelectField, Submit, toast, useAllPages, useForm } from "../../ui";
import { wsApi } from "./product-common";

const STATES: Record<SigningSecret["state"], string> = {
  active: "Active",
  expiring: "Ending",
  expired: "Ended",
  revoked: "Revoked",
};

const GRACE: [string, string][] = [
  ["86400", "Keep the old secret signing for 24 hours"],
  ["3600", "Keep the old secret signing for 1 hour"],
  ["604800", "Keep the old secret signing for 7 days"],
  ["0", "Stop the old secret now"],
];

const shown = (s: SigningSecret) => `whsec_…${s.last_four}`;
const named = (s: SigningSecret) => s.label || shown(s);

export function SigningSecrets({ ws, p }: { ws: Workspace; p: Product }) {
  const base = `${wsApi(ws)}/products/${seg(p.id)}/signing-secrets`;
  const secrets = useAllPages<SigningSecret>(base);
  const [creating, setCreating] = useState(false);
  const [rolling, setRolling] = useState<SigningSecret | null>(null);
  const [revoking, setRevoking] = useState<SigningSecret | null>(null);
  const [issued, setIssued] = useState<{ secret: IssuedSigningSecret; note: ComponentChildren } | null>(null);
  const hasActive = !!secrets.data?.items.some((s) => s.state === "active");
  const createButton = !hasActive && secrets.data && (
    <button type="button" onClick={() => setCreating(true)}>
      Create signing secret
    </button>
  );
  return (
    <section aria-labelledby="signing-h">
      <div class="page-header section-header">
        <h2 id="signing-h">Callback signing secrets</h2>
        {createButton}
      </div>
      <p class="muted">
        {p.name} signs the callbacks it sends to your systems with this secret; your receiving systems check the{" "}
        <code>X-Atomyx-Signature</code> header with it.
      </p>
      <Loaded res={secrets}>
        {(d) =>
          d.items.length === 0 ? (
            <Empty title="No signing secret yet" action={createButton}>
              Create one, then give it to the systems that receive {p.name}'s callbacks.
            </Empty>
          ) : (
            <table class="stack-table">
              <thead>
                <tr>
                  <th scope="col">Secret</th>
                  <th scope="col">State</th>
                  <th scope="col">Created</th>
                  <th scope="col">Ends</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {d.items.map((s) => (
                  <tr key={s.id}>
                    <th scope="row" data-label="Secret">
                      {s.label && <span>{s.label} </span>}
                      <code>{shown(s)}</code>
                    </th>
                    <td data-label="State">{STATES[s.state]}</td>
                    <td data-label="Created">
                      <DateTime iso={s.created_at} />
                    </td>
                    <td data-label="Ends">
                      <DateTime iso={s.revoked_at || s.expires_at} />
                    </td>
                    <td data-label="Actions">
                      {s.state === "active" && (
                        <button type="button" class="secondary small" onClick={() => setRolling(s)}>
                          Roll<span class="visually-hidden"> {named(s)}</span>
                        </button>
                      )}{" "}
                      {(s.state === "active" || s.state === "expiring") && (
                        <button type="button" class="secondary small" onClick={() => setRevoking(s)}>
                          Revoke<span class="visually-hidden"> {named(s)}</span>
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Loaded>

      <Dialog open={creating} title={`New signing secret for ${p.name}`} onClose={() => setCreating(false)}>
        {creating && (
          <CreateSecret
            base={base}
            onCreated={(secret) => {
              setCreating(false);
              setIssued({ secret, note: `${p.name} signs its callbacks with it from now on.` });
              secrets.reload();
            }}
          />
        )}
      </Dialog>
      <Dialog open={!!rolling} title={`Roll ${rolling ? named(rolling) : ""}`} onClose={() => setRolling(null)}>
        {rolling && (
          <RollSecret
            base={base}
            old={rolling}
            onRolled={(secret, note) => {
              setRolling(null);
              setIssued({ secret, note });
              secrets.reload();
            }}
          />
        )}
      </Dialog>
      <SecretOnceDialog
        open={!!issued}
        title={`Your new signing secret for ${p.name}`}
        secret={issued?.secret.secret || ""}
        filename={`${p.shortname}-signing-secret.txt`}
        kept="Vault keeps it encrypted to sign for the product, but never shows it again. If it is lost, roll it to get a new one."
        onDone={() => setIssued(null)}
      >
        <p>{issued?.note}</p>
      </SecretOnceDialog>
      <ConfirmDialog
        open={!!revoking}
        title={`Revoke ${revoking ? named(revoking) : ""}?`}
        confirmLabel="Revoke secret"
        onClose={() => setRevoking(null)}
        onConfirm={async () => {
          await api.del(`${base}/${seg(revoking!.id)}`);
          toast("The signing secret is revoked.");
          secrets.reload();
        }}
      >
        <p>
          <code>{revoking && shown(revoking)}</code> stops signing at once: receivers that only know it reject {p.name}'s
          callbacks until they have a new secret. This cannot be undone.
        </p>
      </ConfirmDialog>
    </section>
  );
}

function CreateSecret({ base, onCreated }: { base: string; onCreated: (s: IssuedSigningSecret) => void }) {
  const form = useForm({ label: "" }, async (v) => {
    onCreated(await api.post<IssuedSigningSecret>(base, v.label ? { label: v.label } : {}));
  });
  return (
    <form onSubmit={form.onSubmit} noValidate>
      <Field label="Label (optional)" name="label" value={form.values.label} onInput={form.set("label")} error={form.errors.label} hint="To tell secrets apart, e.g. the receiving system." />
      <FormError message={form.formError} />
      <Submit busy={form.busy}>Create secret</Submit>
    </form>
  );
}

function RollSecret({ base, old, onRolled }: { base: string; old: SigningSecret; onRolled: (s: IssuedSigningSecret, note: ComponentChildren) => void }) {
  const form = useForm({ grace_seconds: "86400" }, async (v) => {
    const grace = Number(v.grace_seconds);
    const s = await api.post<IssuedSigningSecret>(`${base}/${seg(old.id)}/roll`, { grace_seconds: grace });
    const until = s.previous?.expires_at;
    onRolled(
      s,
      grace && until ? (
        <>
          The old secret <code>{shown(old)}</code> keeps signing too until <DateTime iso={until} />, so receivers can switch.
        </>
      ) : (
        <>
          The old secret <code>{shown(old)}</code> has stopped signing.
        </>
      ),
    );
  });
  return (
    <form onSubmit={form.onSubmit} noValidate>
      <p>
        Rolling issues a new secret for <code>{shown(old)}</code>. During the grace period callbacks carry a signature with
        each secret, so your receivers accept them whichever secret they know.
      </p>
      <SelectField label="The old secret" name="grace_seconds" value={form.values.grace_seconds} onInput={form.set("grace_seconds")} options={GRACE} error={form.errors.grace_seconds} />
      <FormError message={form.formError} />
      <Submit busy={form.busy}>Roll secret</Submit>
    </form>
  );
}
