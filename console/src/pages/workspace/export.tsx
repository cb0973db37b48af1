// Exports of paged lists (the audit log, the access review): every page of format=csv or
// format=ndjson, following X-Next-Cursor up to a cap, saved as one file; and the two buttons
// that start it.
import { useState } from "preact/hooks";
import { ApiError } from "../../api";
import { downloadText, messageOf, toast } from "../../ui";

export const EXPORT_PAGE = 1000;
export const EXPORT_MAX_PAGES = 100; // 100 000 rows: enough for a file a person opens

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

/**
 * Export buttons for `path` (CSV and NDJSON) and the error of the last attempt; the file is
 * named `<file>-<date>.<format>`, and a toast says `done` or, when the cap was reached, `capped`.
 */
export function useExport(path: string, file: string, words: { done: string; capped: string }) {
  const [exporting, setExporting] = useState("");
  const [error, setError] = useState("");
  const download = async (format: "csv" | "ndjson") => {
    setExporting(format);
    setError("");
    try {
      const { text, capped } = await exportAll(path, format);
      const day = new Date().toISOString().slice(0, 10);
      downloadText(`${file}-${day}.${format}`, text, format === "csv" ? "text/csv" : "application/x-ndjson");
      toast(capped ? words.capped : words.done);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setExporting("");
    }
  };
  const buttons = (["csv", "ndjson"] as const).map((f) => (
    <button key={f} type="button" class="secondary" aria-busy={exporting === f ? "true" : undefined} disabled={!!exporting} onClick={() => void download(f)}>
      Export {f.toUpperCase()}
    </button>
  ));
  return { buttons, error };
}
