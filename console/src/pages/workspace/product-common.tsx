// What the product, group and billing pages share: the capabilities of a role (docs/api.md),
// the product catalogue (types, plans, roles), a subscription in words, and the plan change.
import type { ComponentChildren } from "preact";
import { Plan, Product, ProductType, Subscription, Workspace, api, seg } from "../../api";
import { Link } from "../../router";
import { DateTime, FormError, PageHeader, SelectField, Submit, messageOf, roleName, toast, useForm, useAllPages } from "../../ui";

/** What the caller's role may do here; a button the role cannot use is never shown. */
export function caps(ws: Workspace) {
  const r = ws.my_role;
  return {
    manage: r === "owner" || r === "admin",
    seeBilling: r === "owner" || r === "admin" || r === "billing",
    changeBilling: r === "owner" || r === "billing",
  };
}

/** The workspace's API path (by id: a shortname change does not break open pages). */
export const wsApi = (ws: Workspace) => `/api/v1/workspaces/${seg(ws.id)}`;
/** The workspace's console path (by shortname, as people read it). */
export const wsPath = (ws: Workspace) => `/w/${seg(ws.shortname)}`;
export const productPath = (ws: Workspace, p: { shortname: string }) => `${wsPath(ws)}/products/${seg(p.shortname)}`;

export function useProductTypes() {
  return useAllPages<ProductType>("/api/v1/product-types");
}
export function useProducts(ws: Workspace) {
  return useAllPages<Product>(`${wsApi(ws)}/products`);
}

export function typeOf(types: ProductType[] | undefined, id: string): ProductType | undefined {
  return types?.find((t) => t.id === id);
}
export function planOf(types: ProductType[] | undefined, typeId: string, key: string | undefined): Plan | undefined {
  return typeOf(types, typeId)?.plans.find((p) => p.key === key);
}
export function planName(types: ProductType[] | undefined, typeId: string, key: string | undefined): string {
  if (!key) return "No plan";
  return planOf(types, typeId, key)?.name || key.charAt(0).toUpperCase() + key.slice(1);
}

/** The roles of a product type still granted anew (not retired), highest first, as select options. */
export function roleOptions(t: ProductType | undefined): [string, string][] {
  return [...(t?.roles || [])]
    .filter((r) => !r.retired)
    .sort((a, b) => b.rank - a.rank)
    .map((r) => [r.name, roleName(r.name)]);
}

const STATUS_WORDS: Record<Subscription["status"], string> = {
  in_trial: "In trial",
  active: "Active",
  non_renewing: "Ends at the end of the period",
  paused: "Paused",
  cancelled: "Cancelled",
};
export function statusWords(s: Subscription | null): string {
  return s ? STATUS_WORDS[s.status] || s.status : "No subscription";
}

/** "Trial plan · In trial": the plan and its status in words. */
export function subscriptionText(types: ProductType[] | undefined, p: Product): string {
  if (!p.subscription) return "No subscription";
  return `${planName(types, p.product_type.id, p.subscription.plan)} plan · ${statusWords(p.subscription)}`;
}

/** When the trial or the period ends (or that it does not). */
export function PeriodEnd({ sub }: { sub: Subscription | null }) {
  if (!sub) return <span>—</span>;
  if (!sub.period_end) return <span>No end date</span>;
  return (
    <span>
      {sub.status === "in_trial" ? "Trial ends " : sub.status === "active" ? "Renews " : "Ends "}
      <DateTime iso={sub.period_end} dateOnly />
    </span>
  );
}

/** "Trial — free for 14 days, 5 seats" */
export function planLabel(p: Plan): string {
  const seats = p.seats > 0 ? `${p.seats} seats` : "unlimited seats";
  return p.trial_days > 0 ? `${p.name} — free for ${p.trial_days} days, ${seats}` : `${p.name} — ${seats}`;
}

export const PROVIDERS: Record<string, string> = { local: "Local (in Vault)", chargebee: "Chargebee" };

/** "3 of 5 seats" (or unlimited) for a product on its plan. */
export function seatsText(types: ProductType[] | undefined, p: Product): string {
  const plan = planOf(types, p.product_type.id, p.subscription?.plan);
  const users = `${p.users} ${p.users === 1 ? "user" : "users"}`;
  if (!plan) return users;
  return plan.seats > 0 ? `${p.users} of ${plan.seats} seats used` : `${users} · unlimited seats`;
}

export function daysUntil(iso: string | null | undefined): number {
  if (!iso) return Infinity;
  return (new Date(iso).getTime() - Date.now()) / 86400000;
}

/** A short name derived from a name: lower-case letters and digits joined by single hyphens. */
export function slugify(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/, "");
}

/**
 * The plan change (change-billing roles). A Chargebee subscription is changed in Chargebee, so
 * the form is replaced by that explanation; seat limits come back in words.
 */
export function PlanChange({ ws, product, type, onChanged }: { ws: Workspace; product: Product; type: ProductType | undefined; onChanged: (s: Subscription) => void }) {
  const form = useForm({ plan: product.subscription?.plan || "" }, async (v) => {
    if (v.plan === product.subscription?.plan) return toast(`${product.name} is already on that plan.`);
    const s = await api.put<Subscription>(`${wsApi(ws)}/products/${seg(product.id)}/subscription`, { plan: v.plan });
    toast(`${product.name} is now on the ${planName(type ? [type] : [], product.product_type.id, s.plan)} plan.`);
    onChanged(s);
  });
  if (product.subscription?.provider === "chargebee")
    return (
      <p class="muted-note">
        This subscription is managed by Chargebee, the billing provider. Change the plan there; Vault follows the change
        within moments.
      </p>
    );
  // Retired plans are not offered; the current one stays listed so the picker shows it.
  const plans = (type?.plans || []).filter((p) => !p.retired || p.key === product.subscription?.plan);
  return (
    <form class="inline-form" onSubmit={form.onSubmit} noValidate>
      <SelectField
        label={`Plan for ${product.name}`}
        name="plan"
        value={form.values.plan}
        onInput={form.set("plan")}
        error={form.errors.plan}
        options={plans.map((p) => [p.key, planLabel(p)])}
      />
      <Submit busy={form.busy} class="secondary">
        Change plan
      </Submit>
      <FormError message={form.formError} />
    </form>
  );
}

export type Principal = { type: "account" | "group"; id: string };
export const grantPath = (ws: Workspace, productId: string, p?: Principal) =>
  `${wsApi(ws)}/products/${seg(productId)}/grants` + (p ? `/${p.type}/${seg(p.id)}` : "");

/**
 * Gives a principal a role on a product (PUT …/grants: creates or replaces). Either the product
 * is fixed and the principal chosen (product page), or the principal fixed and the product
 * chosen (group page). The role list follows the chosen product's type.
 */
export function GrantForm(p: {
  ws: Workspace;
  types: ProductType[] | undefined;
  product?: Product;
  products?: Product[];
  principal?: Principal;
  principals?: [string, string][];
  onDone: () => void;
  onSaved: () => void;
}) {
  const form = useForm({ product: p.product?.id || "", principal: p.principal ? `${p.principal.type}:${p.principal.id}` : "", role: "" }, async (v) => {
    const [type, id] = [v.principal.slice(0, v.principal.indexOf(":")), v.principal.slice(v.principal.indexOf(":") + 1)];
    await api.put(grantPath(p.ws, v.product), { principal: { type, id }, role: v.role });
    toast("Access saved.");
    p.onDone();
    p.onSaved();
  });
  const v = form.values;
  const product = p.product || p.products?.find((x) => x.id === v.product);
  return (
    <form onSubmit={form.onSubmit} noValidate>
      {p.products && (
        <SelectField label="Product" name="product" placeholder="Choose a product" value={v.product} onInput={(x) => form.setValues({ ...v, product: x, role: "" })} options={p.products.map((x) => [x.id, x.name])} />
      )}
      {p.principals && (
        <SelectField label="Person or group" name="principal" placeholder="Choose who gets access" value={v.principal} onInput={form.set("principal")} options={p.principals} error={form.errors.principal} />
      )}
      <SelectField
        label="Role"
        name="role"
        placeholder={product ? "Choose a role" : "Choose the product first"}
        value={v.role}
        onInput={form.set("role")}
        options={product ? roleOptions(typeOf(p.types, product.product_type.id)) : []}
        error={form.errors.role}
      />
      <FormError message={form.formError} />
      <footer>
        <button type="button" class="secondary" onClick={p.onDone}>
          Cancel
        </button>
        <Submit busy={form.busy}>Give access</Submit>
      </footer>
    </form>
  );
}

/** Removes a grant and says so; errors come back as a toast in words. */
export async function removeGrant(ws: Workspace, productId: string, principal: Principal, what: string, after: () => void) {
  try {
    await api.del(grantPath(ws, productId, principal));
    toast(`Removed ${what}.`);
    after();
  } catch (e) {
    toast(messageOf(e));
  }
}

/** The top of a detail page: the way back, the title, and Edit / (more) / Delete for managers. */
export function DetailHeader(p: { back: string; backLabel: string; title: string; manage: boolean; onEdit: () => void; onDelete: () => void; children?: ComponentChildren }) {
  return (
    <>
      <p class="breadcrumb">
        <Link href={p.back}>{p.backLabel}</Link> /
      </p>
      <PageHeader title={p.title}>
        {p.manage && (
          <>
            <button type="button" class="secondary" onClick={p.onEdit}>
              Edit
            </button>
            {p.children}
            <button type="button" class="danger" onClick={p.onDelete}>
              Delete
            </button>
          </>
        )}
      </PageHeader>
    </>
  );
}
