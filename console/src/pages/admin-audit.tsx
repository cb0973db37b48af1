// Super Admin: the platform audit log (GET /api/v1/admin/audit): every workspace's and
// account's events, newest first, filtered by action, actor, target, workspace and a time range
// (the filters of the workspace audit), paged, and exported as CSV or NDJSON.
import { useState } from "preact/hooks";
import { AuditEvent, seg } from "../api";
import type { PageProps } from "../app";
import { actionWords, summaryWords } from "../audit";
import { Link, navigate } from "../router";
import { DataTable, DateTime, Empty, Field, FormError, LoadMore, Loaded, PageHeader, usePaged } from "../ui";
import { AdminTabs, NotSuperAdmin } from "./admin";
import { useExport } from "./workspace/export";

const FILTERS = ["action", "actor", "target", "workspace", "from", "to"] as const;
type Filter = (typeof FILTERS)[number];
type Filters = Record<Filter, string>;

/** A date field's value (YYYY-MM-DD) as the API's RFC 3339 time: the start of that day, UTC. */
const dayStart = (d: string) => (d ? `${d}T00:00:00Z` : "");
/** `to` is exclusive: a chosen end day includes that whole day. */
const dayAfter = (d: string) => (d ? new Date(Date.parse(`${d}T00:00:00Z`) + 86400000).toISOString().replace(".000Z", "Z") : "");

function queryOf(f: Filters): string {
  const q = new URLSearchParams();
  for (const k of ["action", "actor", "target", "workspace"] as const) if (f[k].trim()) q.set(k, f[k].trim());
  if (f.from) q.set("from", dayStart(f.from));
  if (f.to) q.set("to", dayAfter(f.to));
  return q.toString();
}

export function AdminAudit({ account, query }: PageProps) {
  const applied = Object.fromEntries(FILTERS.map((k) => [k, query.get(k) || ""])) as Filters;
  const [form, setForm] = useState<Filters>(applied);
  const q = queryOf(applied);
  const events = usePaged<AuditEvent>(`/api/v1/admin/audit?limit=50${q ? "&" + q : ""}`);
  const exporter = useExport(`/api/v1/admin/audit${q ? "?" + q : ""}`, "platform-audit", {
    done: "Audit log exported.",
    capped: "Exported the newest events (the most one file holds). Narrow the filters for the rest.",
  });
  if (!account?.super_admin) return <NotSuperAdmin />;
  const apply = (f: Filters) => {
    const u = new URLSearchParams();
    for (const k of FILTERS) if (f[k].trim()) u.set(k, f[k].trim());
    const s = u.toString();
    navigate(`/admin/audit${s ? "?" + s : ""}`, { replace: true });
  };
  const set = (k: Filter) => (v: string) => setForm({ ...form, [k]: v });
  const filtered = FILTERS.some((k) => applied[k]);
  return (
    <section>
      <PageHeader title="Platform audit">{exporter.buttons}</PageHeader>
      <AdminTabs />
      <FormError message={exporter.error} />
      <form
        class="filter-grid"
        aria-label="Filter events"
        onSubmit={(e) => {
          e.preventDefault();
          apply(form);
        }}
      >
        <Field label="Action" name="action" value={form.action} onInput={set("action")} placeholder="admin." hint="Exact, or a prefix ending in a dot" />
        <Field label="Actor id" name="actor" value={form.actor} onInput={set("actor")} placeholder="acc_…" />
        <Field label="Target id" name="target" value={form.target} onInput={set("target")} placeholder="wsp_…, acc_…, svc_…" />
        <Field label="Workspace id" name="workspace" value={form.workspace} onInput={set("workspace")} placeholder="wsp_…" />
        <Field label="From (UTC day)" name="from" type="date" value={form.from} onInput={set("from")} />
        <Field label="To (UTC day, included)" name="to" type="date" value={form.to} onInput={set("to")} />
        <div class="filter-actions">
          <button type="submit">Filter</button>
          {filtered && (
            <button
              type="button"
              class="secondary"
              onClick={() => {
                const none = Object.fromEntries(FILTERS.map((k) => [k, ""])) as Filters;
                setForm(none);
                apply(none);
              }}
            >
              Show all
            </button>
          )}
        </div>
      </form>
      <Loaded res={events} rows={6}>
        {(d) =>
          d.items.length === 0 ? (
            <Empty title={filtered ? "No events match these filters" : "No events yet"}>
              {filtered ? "Widen the filters, or show all events." : "Every change to accounts, workspaces, products and keys is recorded here."}
            </Empty>
          ) : (
            <>
              <DataTable label="Platform audit events" wide columns={["Time", "Who", "What", "Target", "Workspace", "Details"]}>
                {d.items.map((e) => (
                  <tr key={e.id}>
                    <td>
                      <DateTime iso={e.occurred_at} />
                    </td>
                    <td>{e.actor.type === "account" ? <Link href={`/admin/accounts/${seg(e.actor.id)}`}>{e.actor.id}</Link> : e.actor.type === "system" ? "System" : `${e.actor.type} ${e.actor.id}`}</td>
                    <td>
                      <span class="block">{actionWords(e.action)}</span>
                      <small>
                        <code>{e.action}</code>
                      </small>
                    </td>
                    <td>{e.target ? `${e.target.type} ${e.target.id}` : "—"}</td>
                    <td>{e.workspace_id ? <Link href={`/admin/workspaces/${seg(e.workspace_id)}`}>{e.workspace_id}</Link> : "—"}</td>
                    <td class="audit-summary">{summaryWords(e.summary)}</td>
                  </tr>
                ))}
              </DataTable>
              <LoadMore list={events} />
            </>
          )
        }
      </Loaded>
    </section>
  );
}
