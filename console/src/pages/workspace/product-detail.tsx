// One product: its header (name, type, status), the changes the managing roles may make (edit,
// disable / enable, delete), who has access (grants to people and groups), its callback signing
// secrets (for its administrators) and its subscription.
import { useState } from "preact/hooks";
import { Grant, Group, Member, Product, ProductType, Workspace, api, seg } from "../../api";
import type { PageProps } from "../../app";
import { Link, navigate } from "../../router";
import { ConfirmDialog, DateTime, Dialog, Empty, Field, FormError, Loaded, StatusBadge, Submit, roleName, toast, useForm, useResource, useAllPages } from "../../ui";
import { SigningSecrets } from "./signing-secrets";
import { DetailHeader, GrantForm, PeriodEnd, PlanChange, PROVIDERS, caps, planName, productPath, removeGrant, seatsText, statusWords, typeOf, useProductTypes, wsApi, wsPath } from "./product-common";

type Modal = "" | "edit" | "disable" | "delete" | "grant";

export function ProductDetail({ workspace, params }: PageProps) {
  const ws = workspace!;
  const res = useResource<Product>(`${wsApi(ws)}/products/${seg(params.product)}`);
  const types = useProductTypes();
  return (
    <Loaded res={res} rows={5}>
      {(p) => <ProductView ws={ws} p={p} types={types.data?.items} reload={res.reload} setProduct={res.setData} />}
    </Loaded>
  );
}

function ProductView({ ws, p, types, reload, setProduct }: { ws: Workspace; p: Product; types: ProductType[] | undefined; reload: () => void; setProduct: (p: Product) => void }) {
  const can = caps(ws);
  const [modal, setModal] = useState<Modal>("");
  const close = () => setModal("");
  const type = typeOf(types, p.product_type.id);
  const patch = async (body: Partial<Product>) => {
    const n = await api.patch<Product>(`${wsApi(ws)}/products/${seg(p.id)}`, body);
    setProduct(n);
    if (n.shortname !== p.shortname) navigate(productPath(ws, n), { replace: true });
    return n;
  };
  return (
    <section>
      <DetailHeader back={`${wsPath(ws)}/products`} backLabel="Products" title={p.name} manage={can.manage} onEdit={() => setModal("edit")} onDelete={() => setModal("delete")}>
        {p.disabled ? (
          <button
            type="button"
            class="secondary"
            onClick={() =>
              patch({ disabled: false }).then(
                () => toast(`${p.name} is enabled.`),
                () => toast("Could not enable the product. Try again."),
              )
            }
          >
            Enable
          </button>
        ) : (
          <button type="button" class="secondary" onClick={() => setModal("disable")}>
            Disable
          </button>
        )}
      </DetailHeader>
      <p class="meta-line">
        <span>{p.product_type.name}</span>
        <StatusBadge ok={p.status === "active"} text={p.status === "active" ? "Active" : "Inactive"} />
        {p.disabled && <span>Disabled: its users are denied and its API keys rejected.</span>}
        <span>
          Short name <code>{p.shortname}</code>
        </span>
        <span>{seatsText(types, p)}</span>
        <span>
          Your role: <strong>{p.my_role ? roleName(p.my_role) : "None"}</strong>
        </span>
      </p>

      <Grants ws={ws} p={p} types={types} onChange={reload} onAdd={can.manage ? () => setModal("grant") : undefined} adding={modal === "grant"} closeAdd={close} />

      {(can.manage || p.my_role === "admin") && <SigningSecrets ws={ws} p={p} />}

      {can.seeBilling && (
        <section aria-labelledby="sub-h">
          <div class="page-header section-header">
            <h2 id="sub-h">Subscription</h2>
          </div>
          <dl class="facts">
            <dt>Plan</dt>
            <dd>{planName(types, p.product_type.id, p.subscription?.plan)}</dd>
            <dt>Status</dt>
            <dd>{statusWords(p.subscription)}</dd>
            <dt>Ends</dt>
            <dd>
              <PeriodEnd sub={p.subscription} />
            </dd>
            <dt>Provider</dt>
            <dd>{p.subscription ? PROVIDERS[p.subscription.provider] || p.subscription.provider : "—"}</dd>
          </dl>
          {can.changeBilling && p.subscription && <PlanChange ws={ws} product={p} type={type} onChanged={reload} />}
        </section>
      )}

      <Dialog open={modal === "edit"} title={`Edit ${p.name}`} onClose={close}>
        <EditProduct p={p} onDone={close} save={patch} />
      </Dialog>
      <ConfirmDialog
        open={modal === "disable"}
        title={`Disable ${p.name}?`}
        confirmLabel="Disable product"
        onClose={close}
        onConfirm={async () => {
          await patch({ disabled: true });
          toast(`${p.name} is disabled.`);
        }}
      >
        <p>
          The {p.users} {p.users === 1 ? "person" : "people"} with access to <strong>{p.name}</strong> will be denied and its
          API keys rejected until you enable it again. Grants and the subscription stay.
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        open={modal === "delete"}
        title={`Delete ${p.name}?`}
        confirmLabel={`Delete ${p.name}`}
        onClose={close}
        onConfirm={async () => {
          await api.del(`${wsApi(ws)}/products/${seg(p.id)}`);
          toast(`${p.name} was deleted.`);
          navigate(`${wsPath(ws)}/products`, { replace: true });
        }}
      >
        <p>
          <strong>{p.name}</strong> ({p.product_type.name}, <code>{p.shortname}</code>) will be deleted with its grants and its
          subscription; {p.users} {p.users === 1 ? "person loses" : "people lose"} access. This cannot be undone.
        </p>
      </ConfirmDialog>
    </section>
  );
}

function EditProduct({ p, onDone, save }: { p: Product; onDone: () => void; save: (b: Partial<Product>) => Promise<Product> }) {
  const form = useForm({ name: p.name, shortname: p.shortname }, async (v) => {
    await save(v);
    toast("Product saved.");
    onDone();
  });
  return (
    <form onSubmit={form.onSubmit} noValidate>
      <Field label="Name" name="name" required value={form.values.name} onInput={form.set("name")} error={form.errors.name} />
      <Field
        label="Short name"
        name="shortname"
        required
        value={form.values.shortname}
        onInput={form.set("shortname")}
        error={form.errors.shortname}
        hint="Changing it changes the product's address; apps and scripts that use the old short name must be updated."
      />
      <FormError message={form.formError} />
      <footer>
        <button type="button" class="secondary" onClick={onDone}>
          Cancel
        </button>
        <Submit busy={form.busy}>Save</Submit>
      </footer>
    </form>
  );
}

/** Who has access: direct grants to people and grants to groups, each with its role. */
function Grants(props: { ws: Workspace; p: Product; types: ProductType[] | undefined; onChange: () => void; onAdd?: () => void; adding: boolean; closeAdd: () => void }) {
  const { ws, p } = props;
  const grants = useAllPages<Grant>(`${wsApi(ws)}/products/${seg(p.id)}/grants`);
  const members = useAllPages<Member>(`${wsApi(ws)}/members`);
  const groups = useAllPages<Group>(`${wsApi(ws)}/groups`);
  const changed = () => {
    grants.reload();
    props.onChange();
  };
  const name = (g: Grant) => {
    if (g.principal.type === "group") return groups.data?.items.find((x) => x.id === g.principal.id)?.name || "A group";
    const m = members.data?.items.find((x) => x.account_id === g.principal.id);
    return m ? `${m.name} (${m.email})` : "A former member";
  };
  const addButton = props.onAdd && (
    <button type="button" onClick={props.onAdd}>
      Add grant
    </button>
  );
  const principals: [string, string][] = [
    ...(groups.data?.items || []).map((g): [string, string] => [`group:${g.id}`, `Group: ${g.name}`]),
    ...(members.data?.items || []).map((m): [string, string] => [`account:${m.account_id}`, `${m.name} (${m.email})`]),
  ];
  return (
    <section aria-labelledby="grants-h">
      <div class="page-header section-header">
        <h2 id="grants-h">Who has access</h2>
        {addButton}
      </div>
      <Loaded res={grants}>
        {(d) =>
          d.items.length === 0 ? (
            <Empty title="Nobody has access yet" action={addButton}>
              Give a person or a group a role on {p.name}. People get the highest role of their own grant and their groups'.
            </Empty>
          ) : (
            <table class="stack-table">
              <thead>
                <tr>
                  <th scope="col">Person or group</th>
                  <th scope="col">Role</th>
                  <th scope="col">Since</th>
                  {props.onAdd && <th scope="col">Actions</th>}
                </tr>
              </thead>
              <tbody>
                {d.items.map((g) => (
                  <tr key={g.principal.type + g.principal.id}>
                    <th scope="row" data-label="Person or group">
                      {g.principal.type === "group" ? (
                        <Link href={`${wsPath(ws)}/groups/${seg(g.principal.id)}`}>Group: {name(g)}</Link>
                      ) : (
                        name(g)
                      )}
                    </th>
                    <td data-label="Role">{roleName(g.role)}</td>
                    <td data-label="Since">
                      <DateTime iso={g.created_at} dateOnly />
                    </td>
                    {props.onAdd && (
                      <td data-label="Actions">
                        <button type="button" class="secondary small" onClick={() => removeGrant(ws, p.id, g.principal, `${name(g)}'s access to ${p.name}`, changed)}>
                          Remove<span class="visually-hidden"> {name(g)}</span>
                        </button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Loaded>
      <Dialog open={props.adding} title={`Give access to ${p.name}`} onClose={props.closeAdd}>
        <GrantForm ws={ws} types={props.types} product={p} principals={principals} onDone={props.closeAdd} onSaved={changed} />
      </Dialog>
    </section>
  );
}
