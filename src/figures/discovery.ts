/**
 * Figures of circuit discovery against the exhaustive truth: the method × setting grid of "found a perfect circuit"
 * rates, one model's perfect circuits with the ones each method picks highlighted (circuitFigure's drawing), and the
 * τ-sweep paths through the circuit lattice.
 */
import { CircuitMasks, MLP } from "../model";
import type { CircuitTruth, DiscoveryOutcome, DiscoverySummaryRow } from "../discovery";
import { circuitFigure } from "./circuits";
import { Figure, PALETTE, baseLayout } from "./figure";

/** Heatmap: settings (columns, grouped by method) × hidden widths (rows), cell = share of models answered with a perfect circuit. */
export function discoveryRateFigure(rows: readonly DiscoverySummaryRow[], title = "Share of models where the method returns a perfect circuit", what: "perfect" | "minimal" | "sufficient" = "perfect"): Figure {
  if (rows.length === 0) throw new Error("discoveryRateFigure: no summary rows (summarizeDiscovery(records).rows).");
  const labels = [...new Set(rows.map((r) => r.label))];
  const sizes = [...new Set(rows.map((r) => r.size))];
  const ylab = sizes.map((s) => (s === "all" ? "all" : `k = ${s}`));
  const z = sizes.map((s) => labels.map((l) => rows.find((r) => r.size === s && r.label === l)?.[what] ?? null));
  const text = z.map((row) => row.map((v) => (v === null ? "" : v.toFixed(2))));
  return {
    data: [{ type: "heatmap", z, x: labels, y: ylab, text, texttemplate: "%{text}", colorscale: "Blues", zmin: 0, zmax: 1, colorbar: { title: { text: what } }, hovertemplate: "%{x}<br>%{y}: %{z:.2f}<extra></extra>" }],
    layout: baseLayout(title, { height: 140 + 40 * sizes.length, margin: { b: 170, l: 70 }, xaxis: { tickangle: -45 }, yaxis: { autorange: "reversed" } }),
  };
}

/**
 * One model's perfect circuits (at most `limit`, the picked ones first), each drawn as circuitFigure draws it, titled
 * with the settings that returned it; the figure's title counts the answers that are not perfect circuits.
 */
export function discoveryPicksFigure(model: MLP, truth: CircuitTruth, outcomes: readonly DiscoveryOutcome[], opts: { limit?: number; columns?: number; title?: string } = {}): Figure {
  const picks = new Map<number, string[]>();
  for (const o of outcomes) if (o.perfect) picks.set(o.perfectIndex!, [...(picks.get(o.perfectIndex!) ?? []), o.label]);
  const order = [...picks.keys()].sort((a, b) => a - b);
  for (let p = 0; p < truth.perfect.length; p++) if (!picks.has(p)) order.push(p);
  const shown = order.slice(0, opts.limit ?? 12);
  const cols = Math.min(opts.columns ?? 4, Math.max(1, shown.length));
  const rows = Math.max(1, Math.ceil(shown.length / cols));
  const data: Record<string, unknown>[] = [];
  const layout: Record<string, unknown> = {};
  const annotations: Record<string, unknown>[] = [];
  shown.forEach((p, k) => {
    const ax = k === 0 ? "" : String(k + 1);
    const fig = circuitFigure(model, truth.perfect[p].masks as CircuitMasks, "");
    for (const t of fig.data) {
      const trace: Record<string, unknown> = { ...t, xaxis: `x${ax}`, yaxis: `y${ax}` };
      // Small panels: smaller nodes, no unit labels (the hover still names each edge).
      if (t.mode === "markers+text") Object.assign(trace, { mode: "markers", marker: { ...(t.marker as object), size: 10 }, hoverinfo: "skip" });
      data.push(trace);
    }
    const who = picks.get(p);
    const c = k % cols;
    const r = Math.floor(k / cols);
    const dom = { x: [c / cols + 0.01, (c + 1) / cols - 0.01], y: [1 - (r + 1) / rows + 0.04, 1 - r / rows - 0.06] };
    layout[`xaxis${ax}`] = { domain: dom.x, visible: false };
    layout[`yaxis${ax}`] = { domain: dom.y, visible: false, scaleanchor: `x${ax}` };
    annotations.push({
      text: `#${p}${who ? ": " + who.slice(0, 3).join(", ") + (who.length > 3 ? ` +${who.length - 3}` : "") : ""}`,
      x: (dom.x[0] + dom.x[1]) / 2, y: dom.y[1] + 0.005, xref: "paper", yref: "paper", xanchor: "center", yanchor: "bottom", showarrow: false,
      font: { size: 10, color: who ? PALETTE[3] : "#555555" },
    });
  });
  const missed = outcomes.filter((o) => !o.perfect).length;
  const title = opts.title ?? `${picks.size} of ${truth.perfect.length} perfect circuits picked (the settings that return each above it); ${missed} of ${outcomes.length} answers are not perfect circuits`;
  // The panels have no legend: the edge code of circuitFigure, once, under them.
  annotations.push({ text: "edges: blue positive, orange negative weight, width ∝ |weight|; grey dotted: not in the circuit", x: 0.5, y: -0.02, xref: "paper", yref: "paper", xanchor: "center", yanchor: "top", showarrow: false, font: { size: 11, color: "#555555" } });
  return { data, layout: { ...baseLayout(title, { height: 80 + 190 * rows, showlegend: false }), ...layout, annotations } };
}

/** One point of a τ sweep: the answer's size and verdict at one τ. */
export interface SweepPoint {
  tau: number;
  edges: number;
  perfect: boolean;
  minimal: boolean;
  perfectIndex: number | null;
}

/** τ-sweep paths: edges of the answer against τ (log axis), one line per named sweep; filled = perfect, ring = not, star = minimal. */
export function tauSweepFigure(paths: Record<string, readonly SweepPoint[]>, title = "ACDC's answer as τ grows: size and verdict"): Figure {
  const names = Object.keys(paths);
  if (names.length === 0) throw new Error("tauSweepFigure: no sweeps.");
  const data = names.map((name, k) => {
    const pts = paths[name];
    return {
      type: "scatter", mode: "lines+markers", name, x: pts.map((p) => p.tau), y: pts.map((p) => p.edges),
      line: { color: PALETTE[k % PALETTE.length], shape: "hv" },
      marker: { size: 11, color: pts.map((p) => (p.perfect ? PALETTE[k % PALETTE.length] : "#ffffff")), line: { color: PALETTE[k % PALETTE.length], width: 2 }, symbol: pts.map((p) => (p.minimal ? "star" : "circle")) },
      text: pts.map((p) => (p.perfect ? `perfect #${p.perfectIndex}${p.minimal ? " (minimal)" : ""}` : "not a perfect circuit")),
      hovertemplate: "τ = %{x}<br>%{y} edges<br>%{text}<extra>" + name + "</extra>",
    };
  });
  // The marker code is not in the legend (it shows one marker per line): say it beside it.
  const key = { text: "● filled: a perfect circuit<br>○ ring: not one<br>★ star: a minimal one", xref: "paper", yref: "paper", x: 1.02, y: 0.1, xanchor: "left", yanchor: "bottom", align: "left", showarrow: false, font: { size: 11 } };
  return { data, layout: baseLayout(title, { xaxis: { type: "log", title: { text: "τ" } }, yaxis: { title: { text: "edges in the answer" } }, height: 380, annotations: [key] }) };
}
