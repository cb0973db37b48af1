// Dashboard: the workspace at a glance — products with their status and seats, pending
// invitations, recent activity, and what needs attention (trials ending, inactive products,
// members without 2FA when the workspace requires it).
import type { ComponentChildren } from "preact";
import { AuditEvent, Member, Page, Product, Workspace } from "../../api";
import type { PageProps } from "../../app";
import { Link } from "../../router";
import { DateTime, Empty, Loaded, PageHeader, StatusBadge, useResource, useAllPages } from "../../ui";
import { caps, daysUntil, planName, productPath, seatsText, useProductTypes, useProducts, wsApi, wsPath } from "./product-common";

export function Dashboard({ workspace }: PageProps) {
  const ws = workspace!;
  const can = caps(ws);
  const products = useProducts(ws);
  const types = useProductTypes();
  const members = useAllPages<Member>(`${wsApi(ws)}/members`);
  const invitations = useAllPages<unknown>(can.manage ? `${wsApi(ws)}/invitations` : null);
  const audit = useResource<Page<AuditEvent>>(can.seeBilling ? `${wsApi(ws)}/audit?limit=5` : null);
  const base = wsPath(ws);
  return (
    <section>
      <PageHeader title={ws.name} />
      <div class="dash-grid">
        <Panel title="Needs attention">
          <Loaded res={products}>{(d) => <Attention ws={ws} products={d.items} members={members.data?.items} />}</Loaded>
        </Panel>
        <Panel title="Products" more={<Link href={`${base}/products`}>All products</Link>}>
          <Loaded res={products}>
            {(d) =>
              d.items.length === 0 ? (
                <Empty title="No products yet" action={can.manage && <Link href={`${base}/products?new=1`}>Add a product</Link>}>
                  Products are the Atomyx applications this workspace uses.
                </Empty>
              ) : (
                <ul class="plain-list">
                  {d.items.map((p) => (
                    <li key={p.id}>
                      <span>
                        <Link href={productPath(ws, p)}>{p.name}</Link>
                        <br />
                        <small>
                          {p.product_type.name} · {planName(types.data?.items, p.product_type.id, p.subscription?.plan)} plan · {seatsText(types.data?.items, p)}
                        </small>
                      </span>
                      <StatusBadge ok={p.status === "active"} text={p.status === "active" ? "Active" : "Inactive"} />
                    </li>
                  ))}
                </ul>
              )
            }
          </Loaded>
        </Panel>
        {can.manage && (
          <Panel title="Pending invitations" more={<Link href={`${base}/users`}>Manage invitations</Link>}>
            <Loaded res={invitations} rows={1}>
              {(d) => (
                <p class="big-number">
                  {d.items.length} <small>{d.items.length === 1 ? "invitation waits" : "invitations wait"} for an answer</small>
                </p>
              )}
            </Loaded>
          </Panel>
        )}
        {can.seeBilling && (
          <Panel title="Recent activity" more={<Link href={`${base}/audit`}>Audit log</Link>}>
            <Loaded res={audit}>
              {(d) =>
                d.items.length === 0 ? (
                  <p>Nothing has happened here yet.</p>
                ) : (
                  <ul class="plain-list">
                    {d.items.map((e) => (
                      <li key={e.id}>
                        <span>
                          {describe(e)}
                          <br />
                          <small>
                            {actorName(e, members.data?.items)} · <DateTime iso={e.occurred_at} />
                          </small>
                        </span>
                      </li>
                    ))}
                  </ul>
                )
              }
            </Loaded>
          </Panel>
        )}
      </div>
    </section>
  );
}

function Panel({ title, more, children }: { title: string; more?: ComponentChildren; children: ComponentChildren }) {
  return (
    <article class="panel">
      <header class="page-header section-header">
        <h2>{title}</h2>
        {more}
      </header>
      {children}
    </article>
  );
}

function Attention({ ws, products, members }: { ws: Workspace; products: Product[]; members: Member[] | undefined }) {
  const items: { key: string; text: ComponentChildren }[] = [];
  const billing = caps(ws).seeBilling;
  for (const p of products) {
    const link = <Link href={billing ? `${wsPath(ws)}/billing` : productPath(ws, p)}>{p.name}</Link>;
    const days = daysUntil(p.subscription?.period_end);
    if (p.status === "inactive")
      items.push({
        key: "inactive" + p.id,
        text: (
          <>
            {link} is inactive: {p.disabled ? "it is disabled" : "its subscription is not running"}, so its users are denied.
          </>
        ),
      });
    else if (p.subscription?.status === "in_trial" && days <= 7)
      items.push({
        key: "trial" + p.id,
        text: (
          <>
            The trial of {link} ends in {Math.max(0, Math.ceil(days))} {Math.ceil(days) === 1 ? "day" : "days"} (<DateTime iso={p.subscription.period_end} dateOnly />).
          </>
        ),
      });
  }
  const no2fa = ws.require_2fa ? (members || []).filter((m) => !m.mfa_enabled) : [];
  if (no2fa.length)
    items.push({
      key: "2fa",
      text: (
        <>
          {no2fa.length} {no2fa.length === 1 ? "member has" : "members have"} no two-factor authentication although this workspace requires it:{" "}
          {no2fa.map((m) => m.name).join(", ")}. <Link href={`${wsPath(ws)}/users`}>See members</Link>
        </>
      ),
    });
  if (items.length === 0) return <p>Nothing needs your attention.</p>;
  return (
    <ul class="attention-list">
      {items.map((i) => (
        <li key={i.key}>{i.text}</li>
      ))}
    </ul>
  );
}

const ACTIONS: Record<string, string> = {
  "grant.set": "Access given",
  "grant.removed": "Access removed",
  "subscription.plan_changed": "Plan changed",
  "subscription.updated": "Subscription updated by Chargebee",
  "invitation.created": "Invitation sent",
  "member.role_changed": "Role changed",
};

/** An audit event in words: "Product created: manage-hq". */
function describe(e: AuditEvent): string {
  const what = ACTIONS[e.action] || e.action.replace(/[._]/g, " ");
  const s = e.summary || {};
  const detail = ["name", "shortname", "to", "role", "plan"].map((k) => s[k]).find((v) => typeof v === "string");
  return what.charAt(0).toUpperCase() + what.slice(1) + (detail ? `: ${detail}` : "");
}

function actorName(e: AuditEvent, members: Member[] | undefined): string {
  if (e.actor.type !== "account") return e.actor.type === "system" ? "Vault" : e.actor.type;
  return members?.find((m) => m.account_id === e.actor.id)?.name || "A former member";
}

