// Audit: the workspace's event log in words, filtered by action (exact, or a prefix ending in
// "."), paged with the API's cursor, and exported as CSV or NDJSON (every page, up to a cap).
// Billing members see only billing events: the server filters.
import { useState } from "preact/hooks";
import { ApiError, AuditEvent, Member, Page, Workspace, seg } from "../../api";
import type { PageProps } from "../../app";
import { actionWords, summaryWords } from "../../audit";
import { navigate } from "../../router";
import { DateTime, Empty, Field, FormError, LoadMore, Loaded, PageHeader, DataTable, downloadText, messageOf, toast, usePaged, useResource } from "../../ui";

const TYPES: Record<string, string> = { api_key: "API key", invitation: "Invitation", product: "Product", group: "Group", account: "Account" };
const EXPORT_PAGE = 1000;
const EXPORT_MAX_PAGES = 100; // 100 000 events: enough for a file a person opens

/** Fetches every page of an export (CSV keeps the first page's header only). */
async function exportAll(path: string, format: "csv" | "ndjson"): Promise<{ text: string; capped: boolean }> {
  let text = "";
  let cursor = "";
  for (let i = 0; i < EXPORT_MAX_PAGES; i++) {
    const url = `${path}${path.includes("?") ? "&" : "?"}format=${format}&limit=${EXPORT_PAGE}${cursor ? "&cursor=" + encodeURIComponent(cursor) : ""}`;
    let res: Response;
    try {
      res = await fetch(url, { credentials: "same-origin" });
    } catch {
      throw new ApiError({ status: 0, code: "network" });
    }
    if (!res.ok) {
      const p = await res.json().catch(() => ({}));
      throw new ApiError({ status: res.status, code: "http." + res.status, ...p });
    }
    let body = await res.text();
    if (format === "csv" && i > 0) body = body.slice(body.indexOf("\n") + 1);
    text += body;
    cursor = res.headers.get("X-Next-Cursor") || "";
    if (!cursor) return { text, capped: false };
  }
  return { text, capped: true };
}

export function Audit({ workspace, query }: PageProps) {
  const ws = workspace as Workspace;
  const base = `/api/v1/workspaces/${seg(ws.id)}`;
  const action = query.get("action") || "";
  const path = `${base}/audit?limit=50${action ? "&action=" + encodeURIComponent(action) : ""}`;
  const events = usePaged<AuditEvent>(path);
  const members = useResource<Page<Member>>(base + "/members");
  const [filter, setFilter] = useState(action);
  const [exporting, setExporting] = useState("");
  const [exportError, setExportError] = useState("");

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

  const download = async (format: "csv" | "ndjson") => {
    setExporting(format);
    setExportError("");
    try {
      const { text, capped } = await exportAll(`${base}/audit${action ? "?action=" + encodeURIComponent(action) : ""}`, format);
      const day = new Date().toISOString().slice(0, 10);
      downloadText(`audit-${ws.shortname}-${day}.${format}`, text, format === "csv" ? "text/csv" : "application/x-ndjson");
      toast(capped ? `Exported the newest ${EXPORT_PAGE * EXPORT_MAX_PAGES} events (the most one file holds).` : "Audit log exported.");
    } catch (e) {
      setExportError(messageOf(e));
    } finally {
      setExporting("");
    }
  };

  return (
    <section class="ws-page">
      <PageHeader title="Audit">
        {(["csv", "ndjson"] as const).map((f) => (
          <button key={f} type="button" class="secondary" aria-busy={exporting === f ? "true" : undefined} disabled={!!exporting} onClick={() => void download(f)}>
            Export {f.toUpperCase()}
          </button>
        ))}
      </PageHeader>
      <FormError message={exportError} />
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
