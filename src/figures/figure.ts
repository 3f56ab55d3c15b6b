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
