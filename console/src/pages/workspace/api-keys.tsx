// API keys (docs/api-keys.md): the workspace's machine credentials. The full key is shown once,
// at creation or roll, in a dialog that cannot be dismissed by accident; lists show only the
// prefix and the last four characters.
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { ApiError, ApiKey, Environment, IssuedApiKey, Product, ProductType, Workspace, api, seg } from "../../api";
import type { PageProps } from "../../app";
import { Link } from "../../router";
import {
  ConfirmDialog,
  DateTime,
  Dialog,
  Empty,
  Field,
  FormError,
  LoadMore,
  Loaded,
  PageHeader,
  SecretOnceDialog,
  SelectField,
  StatusBadge,
  Submit,
  DataTable,
  messageOf,
  toast,
  useForm,
  usePaged,
  useAllPages,
} from "../../ui";

const ENVIRONMENTS: [Environment, string][] = [
  ["production", "Production (live)"],
  ["staging", "Staging"],
  ["development", "Development"],
];
const envName = (e: string) => (ENVIRONMENTS.find(([v]) => v === e)?.[1] || e).replace(/ \(live\)$/, "");

/** An error on `list[3]` lands beside the `list` field, naming the line. */
function onField(e: unknown): never {
  const m = e instanceof ApiError && e.field ? /^(\w+)\[(\d+)\]/.exec(e.field) : null;
  if (m && e instanceof ApiError)
    throw new ApiError({ status: e.status, code: e.code + ".at", field: m[1], detail: `Line ${Number(m[2]) + 1}: ${messageOf(e)}` });
  throw e;
}

const lines = (s: string) => s.split(/[\s,]+/).filter(Boolean);

interface Shown {
  key: IssuedApiKey;
  note: ComponentChildren;
}

export function ApiKeys({ workspace }: PageProps) {
  const ws = workspace as Workspace;
  const base = `/api/v1/workspaces/${seg(ws.id)}`;
  const keys = usePaged<ApiKey>(base + "/api-keys");
  const products = useAllPages<Product>(base + "/products");
  const types = useAllPages<ProductType>("/api/v1/product-types");
  const [creating, setCreating] = useState(false);
  const [rolling, setRolling] = useState<ApiKey | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const [shown, setShown] = useState<Shown | null>(null);
  const productName = (id: string) => products.data?.items.find((p) => p.id === id)?.name || id;
  const hasProducts = (products.data?.items.length || 0) > 0;

  const revoke = async () => {
    const k = revoking as ApiKey;
    await api.del(`${base}/api-keys/${seg(k.id)}`);
    keys.reload();
    toast(`The key “${k.name}” was revoked.`);
  };

  return (
    <section class="ws-page">
      <PageHeader title="API keys">
        {hasProducts && !!keys.data?.items.length && (
          <button type="button" onClick={() => setCreating(true)}>
            Create API key
          </button>
        )}
      </PageHeader>
      <p class="muted">
        Scripts and servers use API keys to call this workspace's products. A key belongs to one product and one environment,
        and keeps working when the person who created it leaves.
      </p>
      <Loaded res={keys}>
        {(d) =>
          d.items.length === 0 ? (
            products.data && !hasProducts ? (
              <Empty title="No API keys yet" action={<Link href={`/w/${seg(ws.shortname)}/products`}>Add a product first</Link>}>
                A key is issued for a product of this workspace, and there is none yet.
              </Empty>
            ) : (
              <Empty
                title="No API keys yet"
                action={
                  <button type="button" onClick={() => setCreating(true)} disabled={!hasProducts}>
                    Create API key
                  </button>
                }
              >
                Create a key for each script or server that calls a product.
              </Empty>
            )
          ) : (
            <>
              <DataTable label="API keys" columns={["Name and key", "Product", "Environment", "Permissions", "Created", "Last used", "Status", ""]}>
                {d.items.map((k) => (
                  <tr key={k.id}>
                    <td>
                      <strong>{k.name}</strong>
                      <br />
                      <code class="key-redacted">{k.redacted}</code>
                    </td>
                    <td>{productName(k.product_id)}</td>
                    <td>{envName(k.environment)}</td>
                    <td>
                      <ul class="plain-list">
                        {k.permissions.map((p) => (
                          <li key={p}>
                            <code>{p}</code>
                          </li>
                        ))}
                      </ul>
                      {k.allowed_ips.length > 0 && <small>Only from {k.allowed_ips.join(", ")}</small>}
                    </td>
                    <td>
                      <DateTime iso={k.created_at} dateOnly />
                    </td>
                    <td>{k.last_used_at ? <DateTime iso={k.last_used_at} /> : <span class="muted">Never</span>}</td>
                    <td>
                      <StatusBadge ok={k.status === "active"} text={k.status === "active" ? "Active" : k.status === "expired" ? "Expired" : "Revoked"} />
                      {k.status === "active" && k.expires_at && (
                        <small class="block">
                          Expires <DateTime iso={k.expires_at} />
                        </small>
                      )}
                    </td>
                    <td class="row-actions">
                      {k.status !== "revoked" && !k.replaced_by && (
                        <button type="button" class="secondary outline small" onClick={() => setRolling(k)}>
                          Roll<span class="visually-hidden"> {k.name}</span>
                        </button>
                      )}
                      {k.status !== "revoked" && (
                        <button type="button" class="secondary outline small" onClick={() => setRevoking(k)}>
                          Revoke<span class="visually-hidden"> {k.name}</span>
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </DataTable>
              <LoadMore list={keys} />
            </>
          )
        }
      </Loaded>

      <Dialog open={creating} title="Create an API key" onClose={() => setCreating(false)}>
        <CreateKey
          base={base}
          products={products.data?.items || []}
          types={types.data?.items || []}
          onCreated={(key) => {
            setCreating(false);
            setShown({ key, note: "" });
            keys.reload();
          }}
        />
      </Dialog>

      <Dialog open={!!rolling} title={`Roll “${rolling?.name}”`} onClose={() => setRolling(null)}>
        {rolling && (
          <RollKey
            base={base}
            old={rolling}
            onRolled={(key, note) => {
              setRolling(null);
              setShown({ key, note });
              keys.reload();
            }}
          />
        )}
      </Dialog>

      <SecretOnceDialog
        open={!!shown}
        title={`Your new API key “${shown?.key.name}”`}
        secret={shown?.key.key || ""}
        filename={`${(shown?.key.name || "api-key").replace(/[^A-Za-z0-9._-]+/g, "-")}.txt`}
        onDone={() => setShown(null)}
      >
        <p>
          For {shown && productName(shown.key.product_id)}, {shown && envName(shown.key.environment)}. {shown?.note}
        </p>
      </SecretOnceDialog>

      <ConfirmDialog
        open={!!revoking}
        title={`Revoke the key “${revoking?.name}”?`}
        confirmLabel="Revoke key"
        onConfirm={revoke}
        onClose={() => setRevoking(null)}
      >
        <p>
          <code>{revoking?.redacted}</code> stops working at once: every script or server using it is refused. This cannot be
          undone; a revoked key cannot be rolled.
        </p>
      </ConfirmDialog>
    </section>
  );
}

function CreateKey({ base, products, types, onCreated }: { base: string; products: Product[]; types: ProductType[]; onCreated: (k: IssuedApiKey) => void }) {
  const form = useForm(
    { name: "", product: products[0]?.id || "", environment: "production", permissions: [] as string[], expires_at: "", allowed_ips: "" },
    async (v) => {
      const key = await api
        .post<IssuedApiKey>(base + "/api-keys", {
          name: v.name,
          product: v.product,
          environment: v.environment,
          permissions: v.permissions,
          expires_at: v.expires_at ? `${v.expires_at}T23:59:59Z` : undefined,
          allowed_ips: lines(v.allowed_ips),
        })
        .catch(onField);
      onCreated(key);
    },
  );
  const product = products.find((p) => p.id === form.values.product);
  const offered = types.find((t) => t.id === product?.product_type.id)?.api_permissions || [];
  const toggle = (p: string, on: boolean) =>
    form.set("permissions")(on ? [...form.values.permissions, p] : form.values.permissions.filter((x) => x !== p));
  return (
    <form onSubmit={form.onSubmit} noValidate>
      <Field label="Name" name="name" required autoFocus hint="What uses the key, e.g. “CI uploader”." value={form.values.name} onInput={form.set("name")} error={form.errors.name} />
      <SelectField
        label="Product"
        name="product"
        value={form.values.product}
        onInput={(v) => form.setValues({ ...form.values, product: v, permissions: [] })}
        options={products.map((p) => [p.id, `${p.name} (${p.product_type.name})`])}
        error={form.errors.product}
      />
      <SelectField label="Environment" name="environment" value={form.values.environment} onInput={form.set("environment")} options={ENVIRONMENTS} error={form.errors.environment} hint="A key only works in its environment." />
      <fieldset aria-describedby={form.errors.permissions ? "perm-err" : undefined}>
        <legend>Permissions</legend>
        {offered.length === 0 && <small>This product offers no API permissions.</small>}
        {offered.map((p) => (
          <label key={p}>
            <input type="checkbox" name="permissions" checked={form.values.permissions.includes(p)} onChange={(e) => toggle(p, (e.target as HTMLInputElement).checked)} />
            <code>{p}</code>
          </label>
        ))}
        {form.errors.permissions && (
          <small id="perm-err" class="field-error" role="alert">
            {form.errors.permissions === "This field is required." ? "Choose at least one permission." : form.errors.permissions}
          </small>
        )}
      </fieldset>
      <Field label="Expires on (optional)" name="expires_at" type="date" value={form.values.expires_at} onInput={form.set("expires_at")} error={form.errors.expires_at} hint="The key stops working at the end of that day (UTC). Leave empty for no expiry." />
      <label>
        Allowed IP addresses (optional)
        <textarea
          name="allowed_ips"
          rows={2}
          value={form.values.allowed_ips}
          onInput={(e) => form.set("allowed_ips")((e.target as HTMLTextAreaElement).value)}
          aria-invalid={form.errors.allowed_ips ? "true" : undefined}
          aria-describedby="ips-note"
        />
        <small id="ips-note" class={form.errors.allowed_ips ? "field-error" : undefined} role={form.errors.allowed_ips ? "alert" : undefined}>
          {form.errors.allowed_ips || "One address or network per line, like 203.0.113.7 or 10.0.0.0/8. Empty: from anywhere."}
        </small>
      </label>
      <FormError message={form.formError} />
      <Submit busy={form.busy}>Create key</Submit>
    </form>
  );
}

const GRACE: [string, string][] = [
  ["0", "Stop the old key now"],
  ["3600", "Keep the old key working for 1 hour"],
  ["86400", "Keep the old key working for 24 hours"],
  ["604800", "Keep the old key working for 7 days"],
];

function RollKey({ base, old, onRolled }: { base: string; old: ApiKey; onRolled: (k: IssuedApiKey, note: ComponentChildren) => void }) {
  const form = useForm({ grace_seconds: "0" }, async (v) => {
    const grace = Number(v.grace_seconds);
    const key = await api.post<IssuedApiKey>(`${base}/api-keys/${seg(old.id)}/roll`, grace ? { grace_seconds: grace } : {});
    const until = key.previous?.expires_at;
    onRolled(
      key,
      grace && until ? (
        <>
          The old key <code>{old.redacted}</code> keeps working until <DateTime iso={until} />, then stops.
        </>
      ) : (
        <>
          The old key <code>{old.redacted}</code> has stopped working.
        </>
      ),
    );
  });
  return (
    <form onSubmit={form.onSubmit} noValidate>
      <p>
        Rolling issues a new key for <code>{old.redacted}</code> with the same product, environment, permissions, allowed
        addresses and name. Without a grace period the old key stops working at once; with one, both work until it ends, so
        you can switch your integration without downtime.
      </p>
      <SelectField label="The old key" name="grace_seconds" value={form.values.grace_seconds} onInput={form.set("grace_seconds")} options={GRACE} error={form.errors.grace_seconds} />
      <FormError message={form.formError} />
      <Submit busy={form.busy}>Roll key</Submit>
    </form>
  );
}
