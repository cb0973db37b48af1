// Billing (Owner, Admin, Billing): each product's plan, status, trial or period end and billing
// provider; Owner and Billing change a local subscription's plan.
import { useState } from "preact/hooks";
import { Product } from "../../api";
import type { PageProps } from "../../app";
import { Link } from "../../router";
import { Dialog, Empty, Loaded, PageHeader, StatusBadge } from "../../ui";
import { PROVIDERS, PeriodEnd, PlanChange, caps, planName, productPath, statusWords, typeOf, useProductTypes, useProducts, wsPath } from "./product-common";

export function Billing({ workspace }: PageProps) {
  const ws = workspace!;
  const can = caps(ws);
  const products = useProducts(ws);
  const types = useProductTypes();
  const [changing, setChanging] = useState<Product | null>(null);
  return (
    <section>
      <PageHeader title="Billing" />
      <p>
        Each product has its own subscription. {can.changeBilling ? "Local subscriptions change here; Chargebee ones in Chargebee." : "Owners and Billing members can change plans."}
      </p>
      <Loaded res={products}>
        {(d) =>
          d.items.length === 0 ? (
            <Empty title="No subscriptions yet" action={can.manage && <Link href={`${wsPath(ws)}/products?new=1`}>Add a product</Link>}>
              A subscription starts with each product added to the workspace.
            </Empty>
          ) : (
            <table class="stack-table">
              <thead>
                <tr>
                  <th scope="col">Product</th>
                  <th scope="col">Plan</th>
                  <th scope="col">Status</th>
                  <th scope="col">Trial or period end</th>
                  <th scope="col">Provider</th>
                  {can.changeBilling && <th scope="col">Actions</th>}
                </tr>
              </thead>
              <tbody>
                {d.items.map((p) => {
                  const sub = p.subscription;
                  return (
                    <tr key={p.id}>
                      <th scope="row" data-label="Product">
                        <Link href={productPath(ws, p)}>{p.name}</Link>
                      </th>
                      <td data-label="Plan">{planName(types.data?.items, p.product_type.id, sub?.plan)}</td>
                      <td data-label="Status">
                        <StatusBadge ok={sub?.status === "active" || sub?.status === "in_trial"} text={statusWords(sub)} />
                      </td>
                      <td data-label="Trial or period end">
                        <PeriodEnd sub={sub} />
                      </td>
                      <td data-label="Provider">{sub ? PROVIDERS[sub.provider] || sub.provider : "—"}</td>
                      {can.changeBilling && (
                        <td data-label="Actions">
                          {sub?.provider === "local" ? (
                            <button type="button" class="secondary small" onClick={() => setChanging(p)}>
                              Change plan<span class="visually-hidden"> of {p.name}</span>
                            </button>
                          ) : (
                            <span>In Chargebee</span>
                          )}
                        </td>
                      )}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )
        }
      </Loaded>
      <Dialog open={!!changing} title={`Change the plan of ${changing?.name || ""}`} onClose={() => setChanging(null)}>
        {changing && (
          <PlanChange
            ws={ws}
            product={changing}
            type={typeOf(types.data?.items, changing.product_type.id)}
            onChanged={() => {
              setChanging(null);
              products.reload();
            }}
          />
        )}
      </Dialog>
    </section>
  );
}
