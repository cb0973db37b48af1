// Exports of the audit log and the access review: one request for format=csv or format=ndjson
// without a limit, which the server streams whole (docs/api.md "Streamed exports"), read as it
// arrives up to a cap and saved as one file; and the two buttons that start it.
import { useState } from "preact/hooks";
import { ApiError } from "../../api";
import { downloadText, messageOf, toast } from "../../ui";

export const EXPORT_MAX_ROWS = 100_000; // enough for a file a person opens

/**
 * Reads the streamed export up to EXPORT_MAX_ROWS rows (plus the CSV header), then stops reading
 * (the server stops producing). A transfer cut short by the server (access lost, database error)
 * rejects the read: it is reported as an error, never saved as if complete.
 */
async function exportAll(path: string, format: "csv" | "ndjson"): Promise<{ text: string; capped: boolean }> {
  const url = `${path}${path.includes("?") ? "&" : "?"}format=${format}`;
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
  const maxLines = EXPORT_MAX_ROWS + (format === "csv" ? 1 : 0);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  let lines = 0;
  for (;;) {
    let part: ReadableStreamReadResult<string>;
    try {
      part = await reader.read();
    } catch {
      throw new ApiError({ status: 0, code: "network" });
    }
    if (part.done) return { text, capped: false };
    let cut = -1;
    for (let i = part.value.indexOf("\n"); i >= 0; i = part.value.indexOf("\n", i + 1)) {
      if (++lines === maxLines) {
        cut = i + 1;
        break;
      }
    }
    if (cut < 0) {
      text += part.value;
      continue;
    }
    text += part.value.slice(0, cut);
    await reader.cancel().catch(() => undefined);
    return { text, capped: true };
  }
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
