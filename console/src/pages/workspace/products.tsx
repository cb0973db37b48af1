// Products: the workspace's table of products (the eight columns of the documentation) and
// "Add product" for the roles that manage access.
import { useState } from "preact/hooks";
import { Product, ProductType, Workspace, api } from "../../api";
import type { PageProps } from "../../app";
import { Link } from "../../router";
import { DateTime, Dialog, Empty, Field, FormError, Loaded, PageHeader, SelectField, StatusBadge, Submit, roleName, toast, useForm } from "../../ui";
import { caps, planLabel, productPath, slugify, subscriptionText, useProductTypes, useProducts, wsApi } from "./product-common";

export function Products({ workspace, query }: PageProps) {
  const ws = workspace!;
  const products = useProducts(ws);
  const types = useProductTypes();
  const [adding, setAdding] = useState(query.get("new") === "1" && caps(ws).manage);
  const addButton = caps(ws).manage && (
    <button type="button" onClick={() => setAdding(true)}>
      Add product
    </button>
  );
  return (
    <section>
      <PageHeader title="Products">{addButton}</PageHeader>
      <Loaded res={products}>
        {(d) =>
          d.items.length === 0 ? (
            <Empty title="No products yet" action={addButton}>
              A product is one Atomyx application (Manage, Submit, Prepare, Layout) with its own subscription and the
              people who may use it.
              {!caps(ws).manage && " An Owner or Admin of this workspace can add one."}
            </Empty>
          ) : (
            <ProductTable ws={ws} items={d.items} types={types.data?.items} />
          )
        }
      </Loaded>
      <Dialog open={adding} title="Add product" onClose={() => setAdding(false)}>
        <AddProduct ws={ws} types={types.data?.items} onDone={() => setAdding(false)} onAdded={products.reload} />
      </Dialog>
    </section>
  );
}

function ProductTable({ ws, items, types }: { ws: Workspace; items: Product[]; types: ProductType[] | undefined }) {
  const head = ["Name", "Product", "Short name", "Subscription", "Status", "Users", "My Role", "Created on"];
  return (
    <table class="stack-table">
      <thead>
        <tr>
          {head.map((h) => (
            <th key={h} scope="col">
              {h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {items.map((p) => (
          <tr key={p.id}>
            <th scope="row" data-label="Name">
              <Link href={productPath(ws, p)}>{p.name}</Link>
            </th>
            <td data-label="Product">{p.product_type.name}</td>
            <td data-label="Short name">
              <code>{p.shortname}</code>
            </td>
            <td data-label="Subscription">{subscriptionText(types, p)}</td>
            <td data-label="Status">
              <StatusBadge ok={p.status === "active"} text={p.status === "active" ? "Active" : "Inactive"} />
            </td>
            <td data-label="Users">{p.users}</td>
            <td data-label="My Role">{p.my_role ? roleName(p.my_role) : "None"}</td>
            <td data-label="Created on">
              <DateTime iso={p.created_at} dateOnly />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function AddProduct({ ws, types, onDone, onAdded }: { ws: Workspace; types: ProductType[] | undefined; onDone: () => void; onAdded: () => void }) {
  const [shortTouched, setShortTouched] = useState(false);
  const form = useForm({ product_type: "", name: "", shortname: "", plan: "trial" }, async (v) => {
    const p = await api.post<Product>(`${wsApi(ws)}/products`, v);
    toast(`${p.name} was added.`);
    onDone();
    onAdded();
  });
  const v = form.values;
  const type = types?.find((t) => t.key === v.product_type);
  const plans = (type?.plans || []).filter((p) => !p.retired);
  return (
    <form onSubmit={form.onSubmit} noValidate>
      <SelectField
        label="Product"
        name="product_type"
        placeholder="Choose an Atomyx product"
        value={v.product_type}
        onInput={(k) => {
          const t = types?.find((x) => x.key === k);
          const offered = (t?.plans || []).filter((p) => !p.retired);
          const trial = offered.find((p) => p.trial_days > 0) || offered[0];
          form.setValues({ ...v, product_type: k, plan: trial?.key || "" });
        }}
        options={(types || []).filter((t) => !t.retired).map((t) => [t.key, t.name])}
        error={form.errors.product_type}
      />
      <Field
        label="Name"
        name="name"
        required
        value={v.name}
        onInput={(name) => form.setValues({ ...v, name, shortname: shortTouched ? v.shortname : slugify(name) })}
        error={form.errors.name}
        hint="What people in this workspace call it, e.g. “Manage — Head office”."
      />
      <Field
        label="Short name"
        name="shortname"
        required
        value={v.shortname}
        onInput={(s) => {
          setShortTouched(true);
          form.set("shortname")(s);
        }}
        error={form.errors.shortname}
        hint="Used in addresses and by the API: 2–40 letters, digits and single hyphens."
      />
      <SelectField
        label="Plan"
        name="plan"
        value={v.plan}
        onInput={form.set("plan")}
        options={plans.map((p) => [p.key, planLabel(p)])}
        error={form.errors.plan}
        hint={!type ? "Choose the product first." : undefined}
      />
      <FormError message={form.formError} />
      <footer>
        <button type="button" class="secondary" onClick={onDone}>
          Cancel
        </button>
        <Submit busy={form.busy}>Add product</Submit>
      </footer>
    </form>
  );
}
