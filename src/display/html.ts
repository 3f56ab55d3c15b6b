/**
 * Pure renderers: figures and tables to HTML / plain-text strings, and the MIME bundle a notebook output carries.
 * No I/O here; src/display/kernel.ts sends the bundles.
 */
import type { Figure } from "../figures/figure";

/** A Jupyter MIME bundle: MIME type → payload (string or JSON). */
export type MimeBundle = Record<string, unknown>;

/** How the HTML of a figure gets plotly.js: inlined (offline, self-contained), from a pinned CDN URL, or not at all. */
export type PlotlySource = { kind: "inline"; code: string; version: string } | { kind: "cdn"; url: string } | { kind: "none" };

/** The CDN URL of a plotly.js version (used by the documented "connected" mode). */
export function plotlyCdnUrl(version: string): string {
  if (!/^\d+\.\d+\.\d+$/.test(version)) throw new Error(`plotlyCdnUrl: version must look like 4.1.2, got ${JSON.stringify(version)}`);
  return `https://cdn.plot.ly/plotly-${version}.min.js`;
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** JSON with typed arrays as plain arrays (Plotly needs arrays; JSON.stringify makes objects of typed arrays). */
export function toPlainJson(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (_key, v) => (ArrayBuffer.isView(v) && !(v instanceof DataView) ? Array.from(v as unknown as ArrayLike<number>) : v)),
  );
}

/** JSON safe to embed in a <script> element (no `</script>`, no line separators that end JS strings). */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

/** A `<script>` element holding plotly.js, loaded as a global even where require.js defines `define` (classic Notebook). */
export function plotlyLoaderHtml(source: PlotlySource): string {
  if (source.kind === "none") return "";
  const hide = `<script type="text/javascript">window.PlotlyConfig = {MathJaxConfig: "local"}; window.__miDefine = window.define; window.define = undefined;</script>`;
  const restore = `<script type="text/javascript">window.define = window.__miDefine;</script>`;
  if (source.kind === "cdn") return `${hide}<script type="text/javascript" src="${escapeHtml(source.url)}" charset="utf-8"></script>${restore}`;
  const code = source.code.replace(/<\/script/gi, "<\\/script");
  return `${hide}<script type="text/javascript">/* plotly.js ${escapeHtml(source.version)} (inlined once per kernel session) */\n${code}\n</script>${restore}`;
}

function figureTitle(fig: Figure): string {
  const t = fig.layout?.["title"];
  if (typeof t === "string") return t;
  if (t && typeof t === "object" && typeof (t as { text?: unknown }).text === "string") return (t as { text: string }).text;
  return "";
}

/** text/plain form of a figure: what a terminal or a text-only frontend shows. */
export function figureToText(fig: Figure): string {
  const title = figureTitle(fig);
  const types = [...new Set(fig.data.map((d) => String(d["type"] ?? "scatter")))].join(", ");
  return `Figure${title ? ` "${title}"` : ""}: ${fig.data.length} trace${fig.data.length === 1 ? "" : "s"}${types ? ` (${types})` : ""}`;
}

function checkFigure(fig: unknown): asserts fig is Figure {
  const f = fig as Figure | null;
  if (!f || typeof f !== "object" || !Array.isArray(f.data) || (f.layout != null && typeof f.layout !== "object")) {
    throw new Error("show(fig): fig must be a plain Plotly figure {data: [...traces], layout: {...}} as returned by the library's figure functions");
  }
}

/**
 * The HTML of a figure: a div plus a `Plotly.newPlot` call (drawn wherever scripts run: nbconvert HTML, classic
 * Notebook, nbviewer), preceded by the plotly.js loader when `plotly` is given.
 */
export function figureToHtml(fig: Figure, opts: { divId: string; plotly?: PlotlySource; config?: Record<string, unknown> }): string {
  checkFigure(fig);
  const plain = toPlainJson({ data: fig.data, layout: fig.layout ?? {} }) as Figure;
  const height = typeof plain.layout["height"] === "number" ? `${plain.layout["height"]}px` : "450px";
  const config = { responsive: true, displaylogo: false, ...(opts.config ?? {}) };
  const id = escapeHtml(opts.divId);
  const loader = opts.plotly ? plotlyLoaderHtml(opts.plotly) : "";
  const script =
    `(function () {\n` +
    `  var id = ${scriptSafeJson(opts.divId)}, fig = ${scriptSafeJson(plain)}, config = ${scriptSafeJson(config)}, tries = 0;\n` +
    `  function draw() {\n` +
    `    var el = document.getElementById(id);\n` +
    `    if (!el) return;\n` +
    `    if (window.Plotly) { window.Plotly.newPlot(el, fig.data, fig.layout, config); return; }\n` +
    `    if (++tries < 100) { setTimeout(draw, 100); return; }\n` +
    `    el.textContent = "plotly.js is not loaded in this page: open the notebook in JupyterLab, export it with npm run reproduce (which inlines plotly.js), or run setPlotlyMode(\\"inline\\") before the first figure.";\n` +
    `  }\n` +
    `  draw();\n` +
    `})();`;
  return `${loader}<div id="${id}" class="mi-plotly" style="width:100%;height:${height};"></div>\n<script type="text/javascript">\n${script}\n</script>`;
}

/** The MIME bundle of a figure: interactive in JupyterLab (plotly renderer), HTML elsewhere, text as a last resort. */
export function figureBundle(fig: Figure, opts: { divId: string; plotly?: PlotlySource }): MimeBundle {
  checkFigure(fig);
  const plain = toPlainJson({ data: fig.data, layout: fig.layout ?? {} });
  return {
    "application/vnd.plotly.v1+json": { ...(plain as object), config: { responsive: true, displaylogo: false } },
    "text/html": figureToHtml(fig, opts),
    "text/plain": figureToText(fig),
  };
}

// ---------------------------------------------------------------- tables

/** A table in the library's own form. */
export interface TableData {
  columns: string[];
  rows: unknown[][];
}

/** Anything showTable accepts: records, {columns, rows}, or a danfojs DataFrame / Series (duck-typed). */
export type TableInput = Record<string, unknown>[] | TableData | { columns: unknown; values: unknown; index?: unknown };

function isDanfoLike(x: unknown): x is { columns?: unknown; values: unknown; index?: unknown; shape?: unknown } {
  return !!x && typeof x === "object" && !Array.isArray(x) && "values" in x && "index" in x && "shape" in x;
}

/** Brings every accepted table form to {columns, rows}. A danfojs index becomes the first, unnamed column. */
export function normalizeTable(input: TableInput): TableData {
  if (Array.isArray(input)) {
    const columns: string[] = [];
    const seen = new Set<string>();
    for (const r of input) {
      if (!r || typeof r !== "object" || Array.isArray(r)) throw new Error("showTable(rows): every row must be a plain object (a record)");
      for (const k of Object.keys(r)) {
        if (seen.has(k)) continue;
        seen.add(k);
        columns.push(k);
      }
    }
    return { columns, rows: input.map((r) => columns.map((c) => r[c])) };
  }
  if (isDanfoLike(input)) {
    const values = input.values as unknown[];
    const index = (Array.isArray(input.index) ? input.index : values.map((_, i) => i)) as unknown[];
    if (!Array.isArray(values)) throw new Error("showTable(df): a DataFrame's values must be an array");
    const twoD = values.length > 0 && Array.isArray(values[0]);
    const cols = Array.isArray(input.columns) ? (input.columns as unknown[]).map(String) : [];
    const columns = ["", ...(twoD ? cols : [cols[0] ?? "value"])];
    const rows = values.map((v, i) => [index[i], ...(twoD ? (v as unknown[]) : [v])]);
    return { columns, rows };
  }
  const t = input as TableData;
  if (t && Array.isArray(t.columns) && Array.isArray(t.rows)) {
    t.rows.forEach((r, i) => {
      if (!Array.isArray(r) || r.length !== t.columns.length) throw new Error(`showTable({columns, rows}): row ${i} has ${Array.isArray(r) ? r.length : "no"} cells, expected ${t.columns.length} (one per column)`);
    });
    return { columns: t.columns.map(String), rows: t.rows };
  }
  throw new Error("showTable: expected an array of records, {columns, rows}, or a danfojs DataFrame/Series");
}

/** One cell as text: integers as is, other numbers with 6 significant digits, arrays joined. */
export function formatCell(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") {
    if (Number.isInteger(v) || !Number.isFinite(v)) return String(v);
    return String(Number(v.toPrecision(6)));
  }
  if (Array.isArray(v) || ArrayBuffer.isView(v)) return `[${Array.from(v as ArrayLike<unknown>).map(formatCell).join(", ")}]`;
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

const DEFAULT_TABLE_LIMIT = 50;

function limitRows(t: TableData, limit: number | undefined): { shown: unknown[][]; total: number } {
  const lim = limit ?? DEFAULT_TABLE_LIMIT;
  if (!Number.isInteger(lim) || lim < 0) throw new Error(`showTable: limit must be a non-negative integer, got ${lim}`);
  return { shown: t.rows.slice(0, lim), total: t.rows.length };
}

/** An HTML table (numbers right-aligned) with at most `limit` rows (default 50) and a note when rows are left out. */
export function tableToHtml(input: TableInput, opts: { limit?: number; caption?: string } = {}): string {
  const t = normalizeTable(input);
  const { shown, total } = limitRows(t, opts.limit);
  const head = t.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("");
  const body = shown
    .map((r) => `<tr>${r.map((v) => `<td${typeof v === "number" ? ' style="text-align:right"' : ""}>${escapeHtml(formatCell(v))}</td>`).join("")}</tr>`)
    .join("\n");
  const note = shown.length < total ? `<p class="mi-table-note">showing ${shown.length} of ${total} rows</p>` : "";
  const caption = opts.caption ? `<caption>${escapeHtml(opts.caption)}</caption>` : "";
  return `<table class="mi-table dataframe">${caption}<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody></table>${note}`;
}

/** The text/plain form of a table: aligned columns, same row limit. */
export function tableToText(input: TableInput, opts: { limit?: number } = {}): string {
  const t = normalizeTable(input);
  const { shown, total } = limitRows(t, opts.limit);
  const cells = [t.columns, ...shown.map((r) => r.map(formatCell))];
  const widths = t.columns.map((_, j) => Math.max(...cells.map((r) => String(r[j]).length)));
  const lines = cells.map((r) => r.map((c, j) => String(c).padStart(widths[j])).join("  "));
  if (shown.length < total) lines.push(`(showing ${shown.length} of ${total} rows)`);
  return lines.join("\n");
}

export function tableBundle(input: TableInput, opts: { limit?: number; caption?: string } = {}): MimeBundle {
  return { "text/html": tableToHtml(input, opts), "text/plain": tableToText(input, opts) };
}
