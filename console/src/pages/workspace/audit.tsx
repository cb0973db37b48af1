// Audit: the workspace's event log in words, filtered by action (exact, or a prefix ending in
// "."), paged with the API's cursor, and exported as CSV or NDJSON (every page, up to a cap:
// export.tsx).
// Billing members see only billing events: the server filters.
import { useState } from "preact/hooks";
import { AuditEvent, Member, Workspace, seg } from "../../api";
import type { PageProps } from "../../app";
import { actionWords, summaryWords } from "../../audit";
import { navigate } from "../../router";
import { DateTime, Empty, Field, FormError, LoadMore, Loaded, PageHeader, DataTable, usePaged, useAllPages } from "../../ui";
import { EXPORT_MAX_ROWS, useExport } from "./export";

const TYPES: Record<string, string> = { api_key: "API key", invitation: "Invitation", product: "Product", group: "Group", account: "Account" };
export function Audit({ workspace, query }: PageProps) {
  const ws = workspace as Workspace;
  const base = `/api/v1/workspaces/${seg(ws.id)}`;
  const action = query.get("action") || "";
  const path = `${base}/audit?limit=50${action ? "&action=" + encodeURIComponent(action) : ""}`;
  const events = usePaged<AuditEvent>(path);
  const members = useAllPages<Member>(base + "/members");
  const [filter, setFilter] = useState(action);
  const exporter = useExport(`${base}/audit${action ? "?action=" + encodeURIComponent(action) : ""}`, `audit-${ws.shortname}`, {
    done: "Audit log exported.",
    capped: `Exported the newest ${EXPORT_MAX_ROWS.toLocaleString()} events (the most one file holds).`,
  });

  /** An actor or target in words: a member's name, the workspace's, or the type and a name or id. */
  const who = (type: string | undefined, id: string | undefined, summary?: Record<string, unknown>) => {
    if (!id) return "—";
    const m = members.data?.items.find((x) => x.account_id === id);
    if (m) return m.name;
    if (type === "system") return "System";
    if (id === ws.id) return ws.name;
    const label = summary && (summary.name || summary.shortname);
    return `${TYPES[type || ""] || type || ""} ${typeof label === "string" ? `“${label}”` : id}`.trim();
  };
  const apply = (a: string) => navigate(`/w/${seg(ws.shortname)}/audit${a ? "?action=" + encodeURIComponent(a) : ""}`, { replace: true });

  return (
    <section class="ws-page">
      <PageHeader title="Audit">{exporter.buttons}</PageHeader>
      <FormError message={exporter.error} />
      {ws.my_role === "billing" && <p class="muted">As Billing, you see the subscription and billing events of this workspace.</p>}
      <form
        class="inline-form"
        aria-label="Filter events"
        onSubmit={(e) => {
          e.preventDefault();
          apply(filter.trim());
        }}
      >
        <Field label="Action" name="action" value={filter} onInput={setFilter} placeholder="member." hint={<>An exact action like <code>member.removed</code>, or a prefix ending in a dot like <code>member.</code></>} />
        <button type="submit">Filter</button>
        {action && (
          <button
            type="button"
            class="secondary"
            onClick={() => {
              setFilter("");
              apply("");
            }}
          >
            Show all
          </button>
        )}
      </form>
      <Loaded res={events} rows={6}>
        {(d) =>
          d.items.length === 0 ? (
            <Empty title={action ? `No events match “${action}”` : "No events yet"}>
              {action ? "Try another action, or show all events." : "Changes to this workspace, its members, products and keys are recorded here."}
            </Empty>
          ) : (
            <>
              <DataTable label="Audit events" wide columns={["Time", "Who", "What", "Target", "Details"]}>
                {d.items.map((e) => (
                  <tr key={e.id}>
                    <td>
                      <DateTime iso={e.occurred_at} />
                    </td>
                    <td>{who(e.actor.type, e.actor.id)}</td>
                    <td>
                      <span class="block">{actionWords(e.action)}</span>
                      <small>
                        <code>{e.action}</code>
                      </small>
                    </td>
                    <td>{e.target ? who(e.target.type, e.target.id, e.summary) : "—"}</td>
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
