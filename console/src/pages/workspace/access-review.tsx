// Access review: every member × product of the workspace with the effective role and where it
// comes from (the direct grant or which groups), last sign-in and 2FA, as the server decides it
// for products (/access/explain); paged with the API's cursor and exported as CSV or NDJSON
// (every page, up to a cap). Owners and Admins only.
import { Workspace, seg } from "../../api";
import type { PageProps } from "../../app";
import { DataTable, DateTime, Empty, FormError, LoadMore, Loaded, PageHeader, StatusBadge, usePaged } from "../../ui";
import { EXPORT_MAX_ROWS, useExport } from "./export";

interface ReviewSource {
  type: "direct" | "group";
  role: string;
  group_id?: string;
  group_name?: string;
}

interface ReviewRow {
  account_id: string;
  email: string;
  name: string;
  workspace_role: string;
  last_sign_in_at: string | null;
  mfa_enabled: boolean;
  disabled: boolean;
  product_id: string;
  product_name: string;
  product_type_name: string;
  effective_role: string | null;
  allowed: boolean;
  reason: string;
  sources: ReviewSource[];
}

const REASONS: Record<string, string> = {
  allowed: "Has access",
  no_grant: "No grant",
  product_inactive: "Product inactive",
  account_disabled: "Account disabled",
  workspace_requires_2fa: "Needs 2FA",
  workspace_suspended: "Workspace suspended",
};

function sourceWords(s: ReviewSource): string {
  return s.type === "group" ? `${s.role} via group “${s.group_name}”` : `${s.role} (direct)`;
}

export function AccessReview({ workspace }: PageProps) {
  const ws = workspace as Workspace;
  const path = `/api/v1/workspaces/${seg(ws.id)}/access-review`;
  const rows = usePaged<ReviewRow>(`${path}?limit=100`);
  const exporter = useExport(path, `access-review-${ws.shortname}`, {
    done: "Access review exported.",
    capped: `Exported the first ${EXPORT_MAX_ROWS.toLocaleString()} rows (the most one file holds).`,
  });

  return (
    <section class="ws-page">
      <PageHeader title="Access review">{exporter.buttons}</PageHeader>
      <FormError message={exporter.error} />
      <p class="muted">Every member and every product of this workspace: the role each person has, where it comes from, and whether they can use the product now — exactly what products are told.</p>
      <Loaded res={rows} rows={6}>
        {(d) =>
          d.items.length === 0 ? (
            <Empty title="Nothing to review yet">Add products to this workspace; each member's access to each one is listed here.</Empty>
          ) : (
            <>
              <DataTable label="Access review" wide columns={["Person", "Product", "Role", "From", "Access", "2FA", "Last sign-in"]}>
                {d.items.map((r) => (
                  <tr key={r.account_id + "~" + r.product_id}>
                    <td>
                      <span class="block">{r.name}</span>
                      <small>
                        {r.email} · {r.workspace_role}
                        {r.disabled ? " · disabled" : ""}
                      </small>
                    </td>
                    <td>
                      <span class="block">{r.product_name}</span>
                      <small>{r.product_type_name}</small>
                    </td>
                    <td>{r.effective_role || "—"}</td>
                    <td>{r.sources.length ? r.sources.map(sourceWords).join("; ") : "—"}</td>
                    <td>
                      <StatusBadge ok={r.allowed} text={REASONS[r.reason] || r.reason} />
                    </td>
                    <td>{r.mfa_enabled ? "On" : "Off"}</td>
                    <td>
                      <DateTime iso={r.last_sign_in_at} />
                    </td>
                  </tr>
                ))}
              </DataTable>
              <LoadMore list={rows} />
            </>
          )
        }
      </Loaded>
    </section>
  );
}
