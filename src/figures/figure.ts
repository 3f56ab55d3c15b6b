/**
 * Figures are plain Plotly objects: `{ data, layout }`, JSON-serialisable, built by pure functions and tested as
 * data. Displaying them (notebook, HTML file) happens at the edges (src/display).
 */
export interface Figure {
  data: Record<string, unknown>[];
  layout: Record<string, unknown>;
}

/** One colour per category, colour-blind friendly (Okabe-Ito), reused by every figure. */
export const PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"];

/** Layout defaults shared by all figures. */
export function baseLayout(title: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { title: { text: title }, template: "plotly_white", margin: { l: 60, r: 20, t: 50, b: 50 }, font: { size: 13 }, ...extra };
}

/** Text colour on top of a coloured fill: near-black. Fills that carry labels are kept light (see `lightFill`). */
export const LABEL_TEXT = "#1a1a1a";

/** A light tint of a `#rrggbb` colour (mixed with white, `amount` = share of white), for fills that carry dark text. */
export function lightFill(hex: string, amount = 0.7): string {
  const m = /^#([0-9a-f]{6})$/i.exec(hex);
  if (!m) throw new Error(`lightFill: colour must be #rrggbb, got ${JSON.stringify(hex)}.`);
  const v = parseInt(m[1], 16);
  const mix = (c: number) => Math.round(c + (255 - c) * amount).toString(16).padStart(2, "0");
  return `#${mix((v >> 16) & 255)}${mix((v >> 8) & 255)}${mix(v & 255)}`;
}

/**
 * Throws unless `value` is plain JSON data (null, booleans, finite numbers, strings, arrays and plain objects), naming
 * the first offending path. Figures must be plain data: a typed array, Map, Date, NaN or undefined would not survive
 * JSON (Plotly and the HTML export see something else than the code built).
 */
export function assertPlainData(value: unknown, path = "figure"): void {
  if (value === null || typeof value === "string" || typeof value === "boolean") return;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`${path} is ${value}; plain data has finite numbers only (use null for a gap).`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => assertPlainData(v, `${path}[${i}]`));
    return;
  }
  if (typeof value === "object") {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      const kind = ArrayBuffer.isView(value) ? `a ${(value as object).constructor.name} (convert with Array.from)` : `a ${(value as object).constructor?.name ?? "non-plain"} object`;
      throw new Error(`${path} is ${kind}; figures must be plain data.`);
    }
    for (const [k, v] of Object.entries(value)) assertPlainData(v, `${path}.${k}`);
    return;
  }
  throw new Error(`${path} is ${typeof value === "undefined" ? "undefined" : `a ${typeof value}`}; figures must be plain data (omit the key or use null).`);
}
